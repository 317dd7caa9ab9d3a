/* test-runner.c: MwtRunner, mwt_pool_push() and mwt_pool_push_sync()
 *
 * SPDX-FileCopyrightText: 2026 The mwt authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "test-util.h"

/* What a runner's functions saw: kept by the test, shared by its threads. */
typedef struct
{
  GMutex        mutex;
  GPtrArray    *ran;
  GPtrArray    *done;
  GPtrArray    *errors;
  GMainContext *done_context;
  TestGate     *gate;
  TestCounter   n_ran;
  gboolean      wrong_state;
  gboolean      wrong_context;
  gboolean      freed;
} Record;

static void
free_error (gpointer error)
{
  g_clear_error ((GError **) &error);
}

static void
record_init (Record *record)
{
  g_mutex_init (&record->mutex);
  record->ran = g_ptr_array_new ();
  record->done = g_ptr_array_new ();
  record->errors = g_ptr_array_new_with_free_func (free_error);
  test_counter_init (&record->n_ran);
}

static void
record_clear (Record *record)
{
  g_ptr_array_unref (record->ran);
  g_ptr_array_unref (record->done);
  g_ptr_array_unref (record->errors);
  test_counter_clear (&record->n_ran);
  g_mutex_clear (&record->mutex);
}

static gpointer
name_state (gpointer   user_data,
            GError   **error)
{
  return g_strdup ("state");
}

static void
free_state (gpointer thread_state,
            gpointer user_data)
{
  g_free (thread_state);
}

/* The runner's function, on a pool thread. */
static void
run_item (gpointer      thread_state,
          gpointer      item,
          GCancellable *cancellable,
          gpointer      user_data)
{
  Record *record = user_data;

  if (record->gate != NULL && item == NULL)
    test_gate_pass (record->gate);

  g_mutex_lock (&record->mutex);
  if (mwt_pool_get_current () == NULL || g_strcmp0 (thread_state, "state") != 0)
    record->wrong_state = TRUE;
  g_ptr_array_add (record->ran, item);
  g_mutex_unlock (&record->mutex);

  test_counter_add (&record->n_ran);
}

/* The runner's done function, on the pusher's context. */
static void
item_done (gpointer      item,
           const GError *error,
           gpointer      user_data)
{
  Record *record = user_data;

  if (!g_main_context_is_owner (record->done_context))
    record->wrong_context = TRUE;
  g_ptr_array_add (record->done, item);
  g_ptr_array_add (record->errors, error != NULL ? g_error_copy (error) : NULL);
}

static void
mark_freed (gpointer data)
{
  Record *record = data;

  record->freed = TRUE;
}

static MwtPool *
new_pool (guint n_threads)
{
  g_autoptr(GError) error = NULL;
  MwtPool *pool = mwt_pool_new (n_threads, name_state, free_state, NULL, NULL, &error);

  g_assert_no_error (error);
  return pool;
}

static void
test_items_run_and_are_done_on_the_pushers_context (void)
{
  g_autoptr(MwtPool) pool = NULL;
  g_autoptr(MwtRunner) runner = NULL;
  Record record = { 0, };
  const guint n_items = 1000;

  if (test_ran_in_child ())
    return;

  record_init (&record);
  record.done_context = g_main_context_default ();
  pool = new_pool (3);
  runner = mwt_runner_new (MWT_RUNNER_DEFAULT, run_item, &record, NULL, item_done, &record, NULL);

  for (guint i = 1; i <= n_items; i++)
    mwt_pool_push (pool, runner, GUINT_TO_POINTER (i), G_PRIORITY_DEFAULT, NULL);
  test_iterate_until (NULL, record.done->len == n_items);

  g_assert_false (record.wrong_state);
  g_assert_false (record.wrong_context);
  g_assert_cmpuint (record.ran->len, ==, n_items);
  for (guint i = 0; i < n_items; i++)
    g_assert_null (record.errors->pdata[i]);

  record_clear (&record);
}

static gpointer
push_from_own_context (gpointer data)
{
  gpointer *args = data;
  MwtPool *pool = args[0];
  Record *record = args[1];
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(MwtRunner) runner = mwt_runner_new (MWT_RUNNER_DEFAULT, run_item, record, NULL, item_done, record, NULL);

  g_main_context_push_thread_default (context);
  record->done_context = context;
  mwt_pool_push (pool, runner, GUINT_TO_POINTER (1), G_PRIORITY_DEFAULT, NULL);
  mwt_pool_push (pool, runner, GUINT_TO_POINTER (2), G_PRIORITY_DEFAULT, NULL);
  test_iterate_until (context, record->done->len == 2);
  g_main_context_pop_thread_default (context);

  return NULL;
}

static void
test_done_runs_on_the_thread_default_context_of_the_pusher (void)
{
  g_autoptr(MwtPool) pool = NULL;
  Record record = { 0, };
  gpointer args[2];

  if (test_ran_in_child ())
    return;

  record_init (&record);
  pool = new_pool (2);
  args[0] = pool;
  args[1] = &record;
  g_thread_join (g_thread_new ("pusher", push_from_own_context, args));

  g_assert_false (record.wrong_context);
  g_assert_cmpuint (record.done->len, ==, 2);

  record_clear (&record);
}

/* A pool of one thread, held at its gate by the item NULL: what is pushed
 * next waits in the queue until the test opens the gate.
 */
typedef struct
{
  Record     record;
  TestGate   gate;
  MwtPool   *pool;
  MwtRunner *runner;
} Held;

static void
held_init (Held              *held,
           MwtRunnerFlags     flags,
           MwtRunnerDoneFunc  done)
{
  memset (held, 0, sizeof *held);
  record_init (&held->record);
  test_gate_init (&held->gate);
  held->record.gate = &held->gate;
  held->record.done_context = g_main_context_default ();
  held->pool = new_pool (1);
  held->runner = mwt_runner_new (flags, run_item, &held->record, NULL, done, &held->record, NULL);

  mwt_pool_push (held->pool, held->runner, NULL, G_PRIORITY_DEFAULT, NULL);
  test_gate_wait_for (&held->gate, 1);
}

/* The gate must be open. */
static void
held_clear (Held *held)
{
  g_assert_true (mwt_pool_close (held->pool, NULL, NULL));
  g_clear_object (&held->pool);
  g_clear_object (&held->runner);
  test_gate_clear (&held->gate);
  record_clear (&held->record);
}

/* The others queue behind the item that holds the thread in priority
 * order, first in, first out within a priority.
 */
static void
test_items_queue_by_priority_then_in_order (void)
{
  Held held;
  Record *record = &held.record;
  static const struct { guint item; gint priority; } pushed[] = {
    { 1, G_PRIORITY_LOW }, { 2, G_PRIORITY_DEFAULT }, { 3, G_PRIORITY_HIGH },
    { 4, G_PRIORITY_DEFAULT }, { 5, G_PRIORITY_HIGH }, { 6, G_PRIORITY_LOW },
  };
  static const guint expected[] = { 3, 5, 2, 4, 1, 6 };

  if (test_ran_in_child ())
    return;

  held_init (&held, MWT_RUNNER_DEFAULT, item_done);
  for (guint i = 0; i < G_N_ELEMENTS (pushed); i++)
    mwt_pool_push (held.pool, held.runner, GUINT_TO_POINTER (pushed[i].item), pushed[i].priority, NULL);
  test_gate_open (&held.gate);
  test_iterate_until (NULL, record->done->len == G_N_ELEMENTS (pushed) + 1);

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmpuint (GPOINTER_TO_UINT (record->ran->pdata[i + 1]), ==, expected[i]);

  held_clear (&held);
}

static void
test_cancelled_while_queued_never_runs_and_is_done_with_cancelled (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Held held;
  Record *record = &held.record;

  if (test_ran_in_child ())
    return;

  held_init (&held, MWT_RUNNER_DEFAULT, item_done);
  mwt_pool_push (held.pool, held.runner, GUINT_TO_POINTER (1), G_PRIORITY_DEFAULT, cancellable);
  g_cancellable_cancel (cancellable);
  test_iterate_until (NULL, record->done->len == 1);

  g_assert_cmpuint (GPOINTER_TO_UINT (record->done->pdata[0]), ==, 1);
  g_assert_error ((GError *) record->errors->pdata[0], G_IO_ERROR, G_IO_ERROR_CANCELLED);

  test_gate_open (&held.gate);
  test_iterate_until (NULL, record->done->len == 2);
  g_assert_cmpuint (record->ran->len, ==, 1);
  g_assert_null (record->ran->pdata[0]);

  held_clear (&held);
}

static void
test_close_fails_queued_items_with_closed (void)
{
  Held held;
  Record *record = &held.record;

  if (test_ran_in_child ())
    return;

  held_init (&held, MWT_RUNNER_DEFAULT, item_done);
  mwt_pool_push (held.pool, held.runner, GUINT_TO_POINTER (1), G_PRIORITY_DEFAULT, NULL);
  mwt_pool_close_async (held.pool, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
  mwt_pool_push (held.pool, held.runner, GUINT_TO_POINTER (2), G_PRIORITY_DEFAULT, NULL);
  test_gate_open (&held.gate);
  test_iterate_until (NULL, record->done->len == 3);

  for (guint i = 0; i < record->done->len; i++)
    if (record->done->pdata[i] != NULL)
      g_assert_error ((GError *) record->errors->pdata[i], G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_assert_cmpuint (record->ran->len, ==, 1);

  held_clear (&held);
}

/* Without a done function, an item needs no context: a thread that never
 * iterates one pushes, the items run, and once the pool is closed nothing
 * holds the runner any more.
 */
static gpointer
push_without_a_main_loop (gpointer data)
{
  gpointer *args = data;
  MwtPool *pool = args[0];
  MwtRunner *runner = args[1];

  for (guint i = 1; i <= 500; i++)
    mwt_pool_push (pool, runner, GUINT_TO_POINTER (i), G_PRIORITY_DEFAULT, NULL);

  return NULL;
}

static void
test_without_done_items_end_where_they_end (void)
{
  MwtPool *pool;
  MwtRunner *runner;
  Record record = { 0, };
  gpointer args[2];

  if (test_ran_in_child ())
    return;

  record_init (&record);
  pool = new_pool (2);
  runner = mwt_runner_new (MWT_RUNNER_DEFAULT, run_item, &record, mark_freed, NULL, NULL, NULL);
  args[0] = pool;
  args[1] = runner;

  g_thread_join (g_thread_new ("pusher", push_without_a_main_loop, args));
  test_counter_wait_for (&record.n_ran, 500);
  g_assert_true (mwt_pool_close (pool, NULL, NULL));

  g_object_unref (runner);
  g_assert_true (record.freed);
  g_object_unref (pool);

  record_clear (&record);
}

static gboolean
weak_ref_is_empty (GWeakRef *weak_ref)
{
  g_autoptr(GObject) object = g_weak_ref_get (weak_ref);

  return object == NULL;
}

static void
test_items_keep_the_runner_and_the_pool_alive (void)
{
  MwtPool *pool;
  MwtRunner *runner;
  GWeakRef pool_ref;
  Record record = { 0, };

  if (test_ran_in_child ())
    return;

  record_init (&record);
  record.done_context = g_main_context_default ();
  pool = new_pool (2);
  g_weak_ref_init (&pool_ref, pool);
  runner = mwt_runner_new (MWT_RUNNER_DEFAULT, run_item, &record, mark_freed, item_done, &record, NULL);

  mwt_pool_push (pool, runner, GUINT_TO_POINTER (1), G_PRIORITY_DEFAULT, NULL);
  g_object_unref (runner);
  g_object_unref (pool);
  g_assert_false (record.freed);

  test_iterate_until (NULL, record.done->len == 1);
  test_iterate_pending (NULL);
  g_assert_true (record.freed);
  test_poll_until (weak_ref_is_empty (&pool_ref));
  g_weak_ref_clear (&pool_ref);

  record_clear (&record);
}

/* With MWT_RUNNER_IN_PLACE, an item that never ran is done where that
 * was decided: on the thread that cancelled it; one that ran ends with
 * the function, on its pool thread. No context is iterated.
 */
static void
item_done_in_place (gpointer      item,
                    const GError *error,
                    gpointer      user_data)
{
  Record *record = user_data;

  g_mutex_lock (&record->mutex);
  if (error == NULL || mwt_pool_get_current () != NULL)
    record->wrong_context = TRUE;
  g_ptr_array_add (record->done, item);
  g_ptr_array_add (record->errors, g_error_copy (error));
  g_mutex_unlock (&record->mutex);
}

static void
test_in_place_items_end_where_they_end (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Held held;
  Record *record = &held.record;

  if (test_ran_in_child ())
    return;

  held_init (&held, MWT_RUNNER_IN_PLACE, item_done_in_place);
  mwt_pool_push (held.pool, held.runner, GUINT_TO_POINTER (1), G_PRIORITY_DEFAULT, cancellable);
  g_cancellable_cancel (cancellable);
  g_assert_cmpuint (record->done->len, ==, 1);
  g_assert_error ((GError *) record->errors->pdata[0], G_IO_ERROR, G_IO_ERROR_CANCELLED);

  test_gate_open (&held.gate);
  g_assert_true (mwt_pool_drain (held.pool, NULL, NULL));
  g_mutex_lock (&record->mutex);
  g_assert_cmpuint (record->ran->len, ==, 1);
  g_assert_cmpuint (record->done->len, ==, 1);
  g_assert_false (record->wrong_context);
  g_mutex_unlock (&record->mutex);

  held_clear (&held);
}

static void
test_push_sync_runs_the_item_and_returns (void)
{
  g_autoptr(MwtPool) pool = NULL;
  g_autoptr(MwtRunner) runner = NULL;
  g_autoptr(GError) error = NULL;
  Record record = { 0, };

  if (test_ran_in_child ())
    return;

  record_init (&record);
  pool = new_pool (2);
  runner = mwt_runner_new (MWT_RUNNER_DEFAULT, run_item, &record, NULL, item_done, &record, NULL);

  g_assert_true (mwt_pool_push_sync (pool, runner, GUINT_TO_POINTER (7), G_PRIORITY_DEFAULT, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (record.ran->len, ==, 1);
  g_assert_cmpuint (GPOINTER_TO_UINT (record.ran->pdata[0]), ==, 7);
  g_assert_false (record.wrong_state);

  /* The done function is for pushes that do not wait. */
  test_iterate_pending (NULL);
  g_assert_cmpuint (record.done->len, ==, 0);

  record_clear (&record);
}

static gpointer
push_sync_and_expect_closed (gpointer data)
{
  gpointer *args = data;
  GError *error = NULL;

  g_assert_false (mwt_pool_push_sync (args[0], args[1], GUINT_TO_POINTER (1), G_PRIORITY_DEFAULT,
                                      NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_error_free (error);

  return NULL;
}

static void
test_push_sync_of_a_queued_item_fails_when_the_pool_closes (void)
{
  g_autoptr(MwtPool) pool = NULL;
  g_autoptr(MwtRunner) runner = NULL;
  Record record = { 0, };
  TestGate gate;
  gpointer args[2];
  GThread *pusher;

  if (test_ran_in_child ())
    return;

  record_init (&record);
  test_gate_init (&gate);
  record.gate = &gate;
  pool = new_pool (1);
  runner = mwt_runner_new (MWT_RUNNER_DEFAULT, run_item, &record, NULL, NULL, NULL, NULL);
  args[0] = pool;
  args[1] = runner;

  mwt_pool_push (pool, runner, NULL, G_PRIORITY_DEFAULT, NULL);
  test_gate_wait_for (&gate, 1);
  pusher = g_thread_new ("pusher", push_sync_and_expect_closed, args);
  test_poll_until (mwt_pool_get_n_queued (pool) == 1);
  mwt_pool_close_async (pool, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
  g_thread_join (pusher);
  test_gate_open (&gate);
  g_assert_true (mwt_pool_close (pool, NULL, NULL));
  g_assert_cmpuint (record.ran->len, ==, 1);

  test_gate_clear (&gate);
  record_clear (&record);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Mwt/Runner/items-run-and-are-done-on-the-pushers-context",
                   test_items_run_and_are_done_on_the_pushers_context);
  g_test_add_func ("/Mwt/Runner/done-runs-on-the-thread-default-context-of-the-pusher",
                   test_done_runs_on_the_thread_default_context_of_the_pusher);
  g_test_add_func ("/Mwt/Runner/items-queue-by-priority-then-in-order",
                   test_items_queue_by_priority_then_in_order);
  g_test_add_func ("/Mwt/Runner/cancelled-while-queued-never-runs-and-is-done-with-cancelled",
                   test_cancelled_while_queued_never_runs_and_is_done_with_cancelled);
  g_test_add_func ("/Mwt/Runner/close-fails-queued-items-with-closed",
                   test_close_fails_queued_items_with_closed);
  g_test_add_func ("/Mwt/Runner/without-done-items-end-where-they-end",
                   test_without_done_items_end_where_they_end);
  g_test_add_func ("/Mwt/Runner/items-keep-the-runner-and-the-pool-alive",
                   test_items_keep_the_runner_and_the_pool_alive);
  g_test_add_func ("/Mwt/Runner/in-place-items-end-where-they-end",
                   test_in_place_items_end_where_they_end);
  g_test_add_func ("/Mwt/Runner/push-sync-runs-the-item-and-returns",
                   test_push_sync_runs_the_item_and_returns);
  g_test_add_func ("/Mwt/Runner/push-sync-of-a-queued-item-fails-when-the-pool-closes",
                   test_push_sync_of_a_queued_item_fails_when_the_pool_closes);

  return g_test_run ();
}
