/* test-run-sync.c: mwt_pool_run_sync(), the pool's g_task_run_in_thread_sync()
 *
 * SPDX-FileCopyrightText: 2026 The mwt authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "test-util.h"

static GThread *main_thread;

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

/* Runs on a pool thread, with its state. */
static gpointer
join_state_and_data (gpointer       thread_state,
                     gpointer       func_data,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_assert_nonnull (mwt_pool_get_current ());

  return g_strconcat (thread_state, " and ", func_data, NULL);
}

static gpointer
run_sync_from_plain_thread (gpointer data)
{
  g_autoptr(GError) error = NULL;

  return mwt_pool_run_sync (data, join_state_and_data, "plain", g_free, G_PRIORITY_DEFAULT, NULL, &error);
}

static void
test_from_other_thread_returns_result (void)
{
  g_autoptr(MwtPool) pool = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *result = NULL;
  g_autofree gchar *plain_result = NULL;

  if (test_ran_in_child ())
    return;

  pool = mwt_pool_new (2, name_state, free_state, NULL, NULL, &error);
  g_assert_no_error (error);

  result = mwt_pool_run_sync (pool, join_state_and_data, "main", g_free, G_PRIORITY_DEFAULT, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (result, ==, "state and main");

  plain_result = g_thread_join (g_thread_new ("plain", run_sync_from_plain_thread, pool));
  g_assert_cmpstr (plain_result, ==, "state and plain");
}

/* Cancelled while it waits in the queue: it leaves it and never runs. */
static gpointer
record_run (gpointer       thread_state,
            gpointer       func_data,
            GCancellable  *cancellable,
            GError       **error)
{
  g_atomic_int_set ((gint *) func_data, TRUE);

  return func_data;
}

typedef struct
{
  MwtPool      *pool;
  GCancellable *cancellable;
} Canceller;

static gpointer
cancel_once_queued (gpointer data)
{
  Canceller *canceller = data;

  test_poll_until (mwt_pool_get_n_queued (canceller->pool) == 1);
  g_cancellable_cancel (canceller->cancellable);

  return NULL;
}

static void
test_cancelled_while_queued (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) busy_result = NULL;
  g_autoptr(MwtPool) pool = NULL;
  g_autoptr(GError) error = NULL;
  Canceller canceller;
  GThread *thread;
  TestGate gate;
  gint ran = FALSE;

  if (test_ran_in_child ())
    return;

  test_gate_init (&gate);
  pool = mwt_pool_new (1, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  mwt_pool_run_async (pool, test_pass_gate, &gate, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                      test_store_result, &busy_result);
  test_gate_wait_for (&gate, 1);

  canceller.pool = pool;
  canceller.cancellable = cancellable;
  thread = g_thread_new ("canceller", cancel_once_queued, &canceller);
  g_assert_null (mwt_pool_run_sync (pool, record_run, &ran, NULL, G_PRIORITY_DEFAULT, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_thread_join (thread);

  test_gate_open (&gate);
  test_iterate_until (NULL, busy_result != NULL);
  g_assert_false (g_atomic_int_get (&ran));
  test_gate_clear (&gate);
}

/* Cancelled while it runs: the function's outcome is dropped, and the
 * call fails with CANCELLED, as g_task_run_in_thread_sync() and
 * g_task_propagate_pointer() do.
 */
typedef struct
{
  gboolean fails;
  gint     n_freed;
} Outcome;

static void
free_outcome (gpointer data)
{
  Outcome *outcome = data;

  g_atomic_int_inc (&outcome->n_freed);
}

static gpointer
cancel_then_return (gpointer       thread_state,
                    gpointer       func_data,
                    GCancellable  *cancellable,
                    GError       **error)
{
  Outcome *outcome = func_data;

  g_cancellable_cancel (cancellable);
  if (outcome->fails)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED, "its own error");
      return NULL;
    }

  return outcome;
}

static void
test_cancelled_while_running (gconstpointer data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(MwtPool) pool = NULL;
  g_autoptr(GError) error = NULL;
  Outcome outcome = { GPOINTER_TO_INT (data), 0 };

  if (test_ran_in_child ())
    return;

  pool = mwt_pool_new (1, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  g_assert_null (mwt_pool_run_sync (pool, cancel_then_return, &outcome, free_outcome,
                                    G_PRIORITY_DEFAULT, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* A result is freed; an error is the pool's to drop. */
  g_assert_cmpint (g_atomic_int_get (&outcome.n_freed), ==, outcome.fails ? 0 : 1);
}

/* The call takes its place in the queue by its priority: behind the tasks
 * of the same priority queued before it and the more urgent ones, ahead
 * of the less urgent ones.
 */
static GMutex order_mutex;
static GString *order;

static gpointer
record_letter (gpointer       thread_state,
               gpointer       func_data,
               GCancellable  *cancellable,
               GError       **error)
{
  g_mutex_lock (&order_mutex);
  g_string_append (order, func_data);
  g_mutex_unlock (&order_mutex);

  return NULL;
}

static gpointer
run_sync_at_low_priority (gpointer data)
{
  g_autoptr(GError) error = NULL;

  mwt_pool_run_sync (data, record_letter, "S", NULL, G_PRIORITY_LOW, NULL, &error);
  g_assert_no_error (error);

  return NULL;
}

static void
test_takes_its_place_by_priority (void)
{
  static const struct { const gchar *letter; gint priority; } queued[] = {
    { "L", G_PRIORITY_LOW }, { "D", G_PRIORITY_DEFAULT }, { "H", G_PRIORITY_HIGH },
  };
  g_autoptr(MwtPool) pool = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *results[G_N_ELEMENTS (queued)] = { NULL, };
  GAsyncResult *gate_result = NULL;
  GThread *helper;
  TestGate gate;

  if (test_ran_in_child ())
    return;

  order = g_string_new (NULL);
  test_gate_init (&gate);
  pool = mwt_pool_new (1, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  mwt_pool_run_async (pool, test_pass_gate, &gate, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                      test_store_result, &gate_result);
  test_gate_wait_for (&gate, 1);

  /* L, then the blocking call at the same priority, then D and H. */
  mwt_pool_run_async (pool, record_letter, (gpointer) queued[0].letter, NULL, NULL, queued[0].priority,
                      NULL, test_store_result, &results[0]);
  helper = g_thread_new ("run-sync", run_sync_at_low_priority, pool);
  test_poll_until (mwt_pool_get_n_queued (pool) == 2);
  for (guint i = 1; i < G_N_ELEMENTS (queued); i++)
    mwt_pool_run_async (pool, record_letter, (gpointer) queued[i].letter, NULL, NULL, queued[i].priority,
                        NULL, test_store_result, &results[i]);

  test_gate_open (&gate);
  g_thread_join (helper);
  test_iterate_until (NULL, results[0] != NULL && results[1] != NULL && results[2] != NULL &&
                            gate_result != NULL);
  g_assert_cmpstr (order->str, ==, "HDLS");

  for (guint i = 0; i < G_N_ELEMENTS (queued); i++)
    g_object_unref (results[i]);
  g_object_unref (gate_result);
  test_gate_clear (&gate);
  g_string_free (order, TRUE);
}

/* From a pool thread: the call waits for another thread of the same
 * pool. With none that could ever be free, it fails at once.
 */
typedef struct
{
  /* Calls run_sync only once another outer task waits in it (its inner
   * task queued): this one would then make every thread wait.
   */
  gboolean  pair;
  gboolean  second;
  gint      inner_ran;
  GThread  *outer_thread;
  GThread  *inner_thread;
  gpointer  inner_result;
  GError   *error;
} Nested;

static gpointer
record_inner_thread (gpointer       thread_state,
                     gpointer       func_data,
                     GCancellable  *cancellable,
                     GError       **error)
{
  Nested *nested = func_data;

  nested->inner_thread = g_thread_self ();
  g_atomic_int_set (&nested->inner_ran, TRUE);

  return nested;
}

static gpointer
run_sync_on_own_pool (gpointer       thread_state,
                      gpointer       func_data,
                      GCancellable  *cancellable,
                      GError       **error)
{
  Nested *nested = func_data;
  MwtPool *pool = mwt_pool_get_current ();

  nested->outer_thread = g_thread_self ();
  /* Both outer tasks hold a thread before either waits: the first inner
   * task cannot run meanwhile.
   */
  if (nested->pair)
    test_poll_until (mwt_pool_get_n_busy (pool) == 2);
  if (nested->second)
    test_poll_until (mwt_pool_get_n_queued (pool) == 1);

  nested->inner_result = mwt_pool_run_sync (pool, record_inner_thread, nested, NULL, G_PRIORITY_DEFAULT,
                                            NULL, &nested->error);

  return nested;
}

static void
run_nested (MwtPool *pool,
            Nested  *nested,
            guint    n_nested)
{
  GAsyncResult *results[2] = { NULL, };

  g_assert_cmpuint (n_nested, <=, G_N_ELEMENTS (results));

  for (guint i = 0; i < n_nested; i++)
    mwt_pool_run_async (pool, run_sync_on_own_pool, &nested[i], NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                        test_store_result, &results[i]);

  for (guint i = 0; i < n_nested; i++)
    {
      g_autoptr(GError) error = NULL;

      test_iterate_until (NULL, results[i] != NULL);
      g_assert_true (mwt_pool_run_finish (pool, results[i], &error) == &nested[i]);
      g_assert_no_error (error);
      g_clear_object (&results[i]);
    }
}

static void
test_from_only_thread_would_block (void)
{
  g_autoptr(MwtPool) pool = NULL;
  Nested nested = { FALSE, };

  if (test_ran_in_child ())
    return;

  pool = mwt_pool_new (1, NULL, NULL, NULL, NULL, NULL);
  run_nested (pool, &nested, 1);

  g_assert_null (nested.inner_result);
  g_assert_error (nested.error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
  g_assert_cmpstr (nested.error->message, !=, "");
  g_assert_false (g_atomic_int_get (&nested.inner_ran));
  g_clear_error (&nested.error);
}

static void
test_from_pool_thread_with_another_free (void)
{
  g_autoptr(MwtPool) pool = NULL;
  Nested nested = { FALSE, };

  if (test_ran_in_child ())
    return;

  pool = mwt_pool_new (2, NULL, NULL, NULL, NULL, NULL);
  run_nested (pool, &nested, 1);

  g_assert_no_error (nested.error);
  g_assert_true (nested.inner_result == &nested);
  g_assert_true (nested.inner_thread != nested.outer_thread);
}

static void
test_from_every_thread_one_would_block (void)
{
  g_autoptr(MwtPool) pool = NULL;
  Nested nested[2] = { { TRUE, FALSE, }, { TRUE, TRUE, } };

  if (test_ran_in_child ())
    return;

  /* The second waits until the first waits in run_sync, its inner task
   * queued behind the second, which holds the other thread.
   */
  pool = mwt_pool_new (2, NULL, NULL, NULL, NULL, NULL);
  run_nested (pool, nested, 2);

  /* The second would have made both threads wait: it failed... */
  g_assert_null (nested[1].inner_result);
  g_assert_error (nested[1].error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
  g_assert_false (g_atomic_int_get (&nested[1].inner_ran));
  g_clear_error (&nested[1].error);

  /* ...and its thread, once free, ran the first one's. */
  g_assert_no_error (nested[0].error);
  g_assert_true (nested[0].inner_result == &nested[0]);
  g_assert_true (nested[0].inner_thread == nested[1].outer_thread);
}

/* A pool thread waiting in run_sync leaves the pool's context to the
 * thread that iterates it: that thread opens the gate the inner task waits
 * at, from a source of the context.
 */
static gpointer
run_sync_through_gate (gpointer       thread_state,
                       gpointer       func_data,
                       GCancellable  *cancellable,
                       GError       **error)
{
  return mwt_pool_run_sync (mwt_pool_get_current (), test_pass_gate, func_data, NULL, G_PRIORITY_DEFAULT,
                            NULL, error);
}

static gboolean
open_gate (gpointer data)
{
  test_gate_open (data);

  return G_SOURCE_REMOVE;
}

static void
test_from_pool_thread_leaves_the_context_alone (void)
{
  g_autoptr(MwtPool) pool = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;
  TestGate gate;

  if (test_ran_in_child ())
    return;

  test_gate_init (&gate);
  pool = mwt_pool_new (2, NULL, NULL, NULL, NULL, NULL);
  mwt_pool_run_async (pool, run_sync_through_gate, &gate, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                      test_store_result, &result);

  /* The outer task waits in run_sync; the context is nobody's right now. */
  test_gate_wait_for (&gate, 1);
  g_idle_add (open_gate, &gate);
  test_iterate_until (NULL, result != NULL);

  g_assert_null (mwt_pool_run_finish (pool, result, &error));
  g_assert_no_error (error);
  g_object_unref (result);
  test_gate_clear (&gate);
}

/* The owner of the pool's context blocks in run_sync while the task calls
 * that context: it serves the call.
 */
static gpointer
on_main_thread (gpointer   user_data,
                GError   **error)
{
  g_assert_true (g_thread_self () == main_thread);

  return g_strdup (user_data);
}

static gpointer
call_main (gpointer       thread_state,
           gpointer       func_data,
           GCancellable  *cancellable,
           GError       **error)
{
  return mwt_run_in_main (on_main_thread, func_data, error);
}

static void
test_serves_run_in_main_calls (void)
{
  g_autoptr(MwtPool) pool = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *result = NULL;

  if (test_ran_in_child ())
    return;

  pool = mwt_pool_new (1, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  result = mwt_pool_run_sync (pool, call_main, "served", NULL, G_PRIORITY_DEFAULT, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (result, ==, "served");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  main_thread = g_thread_self ();

  g_test_add_func ("/Mwt/Pool/run-sync/from-another-thread-returns-the-result",
                   test_from_other_thread_returns_result);
  g_test_add_func ("/Mwt/Pool/run-sync/cancelled-while-queued-fails-with-cancelled",
                   test_cancelled_while_queued);
  g_test_add_data_func ("/Mwt/Pool/run-sync/cancelled-while-running-fails-and-frees-the-result",
                        GINT_TO_POINTER (FALSE), test_cancelled_while_running);
  g_test_add_data_func ("/Mwt/Pool/run-sync/cancelled-while-running-fails-with-cancelled-not-its-error",
                        GINT_TO_POINTER (TRUE), test_cancelled_while_running);
  g_test_add_func ("/Mwt/Pool/run-sync/takes-its-place-in-the-queue-by-priority",
                   test_takes_its_place_by_priority);
  g_test_add_func ("/Mwt/Pool/run-sync/from-the-only-pool-thread-would-block",
                   test_from_only_thread_would_block);
  g_test_add_func ("/Mwt/Pool/run-sync/from-a-pool-thread-with-another-free-runs-there",
                   test_from_pool_thread_with_another_free);
  g_test_add_func ("/Mwt/Pool/run-sync/from-a-pool-thread-leaves-the-context-alone",
                   test_from_pool_thread_leaves_the_context_alone);
  g_test_add_func ("/Mwt/Pool/run-sync/from-every-pool-thread-the-last-would-block",
                   test_from_every_thread_one_would_block);
  g_test_add_func ("/Mwt/Pool/run-sync/owner-serves-run-in-main-calls",
                   test_serves_run_in_main_calls);

  return g_test_run ();
}
