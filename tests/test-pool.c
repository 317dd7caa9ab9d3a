/* test-pool.c: creating, running on and closing a pool
 *
 * SPDX-FileCopyrightText: 2026 The mwt authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "test-util.h"

/* Records every callback that a pool makes with its user data. */
typedef struct
{
  GMutex     mutex;
  GPtrArray *states;
  GPtrArray *exited_states;
  guint      n_inits;
  guint      fail_init;
  guint      n_destroyed;
  guint      n_exits_at_destroy;
} Recorder;

typedef struct
{
  GThread *thread;
  guint    index;
} ThreadState;

static void
recorder_init (Recorder *recorder,
               guint     fail_init)
{
  g_mutex_init (&recorder->mutex);
  recorder->states = g_ptr_array_new_with_free_func (g_free);
  recorder->exited_states = g_ptr_array_new ();
  recorder->n_inits = 0;
  recorder->fail_init = fail_init;
  recorder->n_destroyed = 0;
  recorder->n_exits_at_destroy = 0;
}

static void
recorder_clear (Recorder *recorder)
{
  g_ptr_array_unref (recorder->exited_states);
  g_ptr_array_unref (recorder->states);
  g_mutex_clear (&recorder->mutex);
}

static gpointer
recorder_thread_init (gpointer   user_data,
                      GError   **error)
{
  Recorder *recorder = user_data;
  ThreadState *state = NULL;
  guint index;

  g_assert_true (mwt_pool_get_current () != NULL);

  g_mutex_lock (&recorder->mutex);
  index = ++recorder->n_inits;
  if (index == recorder->fail_init)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "init %u failed", index);
    }
  else
    {
      state = g_new0 (ThreadState, 1);
      state->thread = g_thread_self ();
      state->index = index;
      g_ptr_array_add (recorder->states, state);
    }
  g_mutex_unlock (&recorder->mutex);

  return state;
}

static void
recorder_thread_exit (gpointer thread_state,
                      gpointer user_data)
{
  Recorder *recorder = user_data;
  ThreadState *state = thread_state;

  g_assert_true (state->thread == g_thread_self ());

  g_mutex_lock (&recorder->mutex);
  g_assert_false (g_ptr_array_find (recorder->exited_states, state, NULL));
  g_ptr_array_add (recorder->exited_states, state);
  g_mutex_unlock (&recorder->mutex);
}

static void
recorder_destroy (gpointer user_data)
{
  Recorder *recorder = user_data;

  g_mutex_lock (&recorder->mutex);
  recorder->n_destroyed++;
  recorder->n_exits_at_destroy = recorder->exited_states->len;
  g_mutex_unlock (&recorder->mutex);
}

static MwtPool *
recorder_new_pool (Recorder *recorder,
                   guint     n_threads)
{
  g_autoptr(GError) error = NULL;
  MwtPool *pool;

  pool = mwt_pool_new (n_threads, recorder_thread_init, recorder_thread_exit,
                       recorder, recorder_destroy, &error);
  g_assert_no_error (error);
  g_assert_true (MWT_IS_POOL (pool));

  return pool;
}

/* Creation */

static gpointer
return_thread_state (gpointer       thread_state,
                     gpointer       func_data,
                     GCancellable  *cancellable,
                     GError       **error)
{
  TestGate *gate = func_data;
  ThreadState *state = thread_state;

  g_assert_true (state->thread == g_thread_self ());
  if (gate != NULL)
    test_gate_pass (gate);

  return state;
}

static void
test_new_state_per_thread (void)
{
  Recorder recorder;
  MwtPool *pool;
  TestGate gate;
  GAsyncResult *results[4] = { NULL, };
  GHashTable *seen = g_hash_table_new (NULL, NULL);

  recorder_init (&recorder, 0);
  test_gate_init (&gate);
  pool = recorder_new_pool (&recorder, 4);

  /* Every init has run, each on a thread of its own. */
  g_assert_cmpuint (recorder.states->len, ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      ThreadState *state = g_ptr_array_index (recorder.states, i);

      g_assert_true (state->thread != g_thread_self ());
      g_assert_false (g_hash_table_contains (seen, state->thread));
      g_hash_table_add (seen, state->thread);
    }

  /* Four tasks held at a gate occupy the four threads: each gets the
   * state built on its own thread.
   */
  for (guint i = 0; i < 4; i++)
    mwt_pool_run_async (pool, return_thread_state, &gate, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                        test_store_result, &results[i]);
  test_gate_wait_for (&gate, 4);
  test_gate_open (&gate);

  g_hash_table_remove_all (seen);
  for (guint i = 0; i < 4; i++)
    {
      g_autoptr(GError) error = NULL;
      ThreadState *state;

      test_iterate_until (NULL, results[i] != NULL);
      state = mwt_pool_run_finish (pool, results[i], &error);
      g_assert_no_error (error);
      g_assert_true (g_ptr_array_find (recorder.states, state, NULL));
      g_assert_false (g_hash_table_contains (seen, state));
      g_hash_table_add (seen, state);
      g_object_unref (results[i]);
    }

  g_assert_true (mwt_pool_close (pool, NULL, NULL));

  /* at_exit ran once per thread, with that thread's state, on it. */
  g_assert_cmpuint (recorder.exited_states->len, ==, 4);
  g_assert_cmpuint (recorder.n_destroyed, ==, 0);
  g_object_unref (pool);
  g_assert_cmpuint (recorder.n_destroyed, ==, 1);
  g_assert_cmpuint (recorder.n_exits_at_destroy, ==, 4);

  g_hash_table_unref (seen);
  test_gate_clear (&gate);
  recorder_clear (&recorder);
}

static void
test_new_async (void)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(MwtPool) pool = NULL;
  Recorder recorder;

  recorder_init (&recorder, 0);
  mwt_pool_new_async (3, recorder_thread_init, recorder_thread_exit,
                      &recorder, recorder_destroy, G_PRIORITY_DEFAULT, NULL,
                      test_store_result, &result);
  test_iterate_until (NULL, result != NULL);

  /* Completed once every init returned. */
  g_assert_cmpuint (recorder.n_inits, ==, 3);
  pool = mwt_pool_new_finish (result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (mwt_pool_get_n_threads (pool), ==, 3);
  g_assert_false (mwt_pool_is_closed (pool));
  g_assert_true (mwt_pool_get_context (pool) == g_main_context_default ());

  /* The result holds the pool, as a GTask holds its source object. */
  g_clear_object (&result);
  g_clear_object (&pool);
  g_assert_cmpuint (recorder.exited_states->len, ==, 3);
  g_assert_cmpuint (recorder.n_destroyed, ==, 1);
  recorder_clear (&recorder);
}

static void
assert_failed_creation (Recorder *recorder,
                        guint     n_threads,
                        GError   *error)
{
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_assert_cmpstr (error->message, ==, "init 2 failed");

  /* Every thread whose init succeeded cleaned up and exited, and the user
   * data went last.
   */
  g_assert_cmpuint (recorder->n_inits, ==, n_threads);
  g_assert_cmpuint (recorder->states->len, ==, n_threads - 1);
  g_assert_cmpuint (recorder->exited_states->len, ==, n_threads - 1);
  g_assert_cmpuint (recorder->n_destroyed, ==, 1);
  g_assert_cmpuint (recorder->n_exits_at_destroy, ==, n_threads - 1);
}

static void
test_new_init_fails (void)
{
  g_autoptr(GError) error = NULL;
  Recorder recorder;
  MwtPool *pool;

  recorder_init (&recorder, 2);
  pool = mwt_pool_new (4, recorder_thread_init, recorder_thread_exit,
                       &recorder, recorder_destroy, &error);
  g_assert_null (pool);
  assert_failed_creation (&recorder, 4, error);
  recorder_clear (&recorder);
}

static void
test_new_async_init_fails (void)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  Recorder recorder;
  MwtPool *pool;

  recorder_init (&recorder, 2);
  mwt_pool_new_async (3, recorder_thread_init, recorder_thread_exit,
                      &recorder, recorder_destroy, G_PRIORITY_DEFAULT, NULL,
                      test_store_result, &result);
  test_iterate_until (NULL, result != NULL);

  /* The threads already exited when the callback ran. */
  g_assert_cmpuint (recorder.exited_states->len, ==, 2);
  pool = mwt_pool_new_finish (result, &error);
  g_assert_null (pool);
  g_clear_object (&result);
  assert_failed_creation (&recorder, 3, error);
  recorder_clear (&recorder);
}

static void
test_new_async_cancelled (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  Recorder recorder;
  MwtPool *pool;

  recorder_init (&recorder, 0);
  g_cancellable_cancel (cancellable);
  mwt_pool_new_async (2, recorder_thread_init, recorder_thread_exit,
                      &recorder, recorder_destroy, G_PRIORITY_DEFAULT, cancellable,
                      test_store_result, &result);
  test_iterate_until (NULL, result != NULL);

  pool = mwt_pool_new_finish (result, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (pool);
  g_clear_object (&result);
  g_assert_cmpuint (recorder.exited_states->len, ==, recorder.states->len);
  g_assert_cmpuint (recorder.n_destroyed, ==, 1);
  recorder_clear (&recorder);
}


/* An init that closes its own pool: the pool can never run a task, and
 * its creation fails with G_IO_ERROR_CLOSED, every thread cleaned up.
 */
static gpointer
init_closing_own_pool (gpointer   user_data,
                       GError   **error)
{
  Recorder *recorder = user_data;
  ThreadState *state = recorder_thread_init (recorder, error);

  if (state->index == 1)
    mwt_pool_close_async (mwt_pool_get_current (), G_PRIORITY_DEFAULT, NULL, NULL, NULL);

  return state;
}

static void
test_new_closed_by_own_init (void)
{
  g_autoptr(GError) error = NULL;
  MwtPool *pool;
  Recorder recorder;

  recorder_init (&recorder, 0);
  pool = mwt_pool_new (2, init_closing_own_pool, recorder_thread_exit, &recorder, recorder_destroy, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_assert_null (pool);

  g_assert_cmpuint (recorder.states->len, ==, 2);
  g_assert_cmpuint (recorder.exited_states->len, ==, 2);
  g_assert_cmpuint (recorder.n_destroyed, ==, 1);
  recorder_clear (&recorder);
}

static void
test_new_async_closed_by_own_init (void)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  MwtPool *pool;
  Recorder recorder;

  recorder_init (&recorder, 0);
  mwt_pool_new_async (2, init_closing_own_pool, recorder_thread_exit, &recorder, recorder_destroy,
                      G_PRIORITY_DEFAULT, NULL, test_store_result, &result);
  test_iterate_until (NULL, result != NULL);

  pool = mwt_pool_new_finish (result, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_assert_null (pool);
  g_assert_cmpuint (recorder.states->len, ==, 2);
  g_assert_cmpuint (recorder.exited_states->len, ==, 2);

  /* The result held the last reference. */
  g_clear_object (&result);
  g_assert_cmpuint (recorder.n_destroyed, ==, 1);
  recorder_clear (&recorder);
}

static gpointer
return_state_as_is (gpointer       thread_state,
                    gpointer       func_data,
                    GCancellable  *cancellable,
                    GError       **error)
{
  return thread_state;
}

static void
test_new_without_callbacks (void)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(MwtPool) pool = NULL;

  pool = mwt_pool_new (2, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  mwt_pool_run_async (pool, return_state_as_is, NULL, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                      test_store_result, &result);
  test_iterate_until (NULL, result != NULL);
  g_assert_null (mwt_pool_run_finish (pool, result, &error));
  g_assert_no_error (error);
}

static void
test_new_initable (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MwtPool) pool = NULL;
  guint n_threads;
  gboolean closed;

  pool = g_initable_new (MWT_TYPE_POOL, NULL, &error, "n-threads", 3, NULL);
  g_assert_no_error (error);

  g_object_get (pool, "n-threads", &n_threads, "closed", &closed, NULL);
  g_assert_cmpuint (n_threads, ==, 3);
  g_assert_false (closed);

  g_assert_true (mwt_pool_close (pool, NULL, &error));
  g_assert_no_error (error);
  g_object_get (pool, "closed", &closed, NULL);
  g_assert_true (closed);
}

/* Running */

typedef struct
{
  GArray   *order;
  TestGate *gate;
} OrderLog;

static void
count_completion (GObject      *source_object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  guint *n_completed = user_data;

  g_assert_true (g_task_propagate_boolean (G_TASK (result), NULL));
  (*n_completed)++;
}

static void
log_task_order_from_source (GTask        *task,
                            gpointer      source_object,
                            gpointer      task_data,
                            GCancellable *cancellable,
                            gpointer      thread_state)
{
  OrderLog *log = g_object_get_data (source_object, "log");
  guint id = GPOINTER_TO_UINT (task_data);

  if (id == 0)
    test_gate_pass (log->gate);
  else
    g_array_append_val (log->order, id);

  g_task_return_boolean (task, TRUE);
}

/* Holds the one thread of @pool at a gate, then queues tasks 1..n with the
 * given priorities and records the order in which they run.
 */
static void
run_ordered (MwtPool    *pool,
             const gint *priorities,
             guint       n_tasks,
             GArray     *order)
{
  g_autoptr(GObject) source = g_object_new (G_TYPE_OBJECT, NULL);
  TestGate gate;
  OrderLog log = { order, &gate };
  guint n_completed = 0;

  /* The source object carries the log; the task data is the task's id. */
  test_gate_init (&gate);
  g_object_set_data (source, "log", &log);

  for (guint i = 0; i <= n_tasks; i++)
    {
      g_autoptr(GTask) task = g_task_new (source, NULL, count_completion, &n_completed);

      g_task_set_task_data (task, GUINT_TO_POINTER (i), NULL);
      if (i > 0)
        g_task_set_priority (task, priorities[i - 1]);
      mwt_pool_run_task (pool, task, log_task_order_from_source);
      if (i == 0)
        test_gate_wait_for (&gate, 1);
    }

  test_gate_open (&gate);
  test_iterate_until (NULL, n_completed == n_tasks + 1);
  test_gate_clear (&gate);
}

static void
test_run_task_fifo (void)
{
  g_autoptr(MwtPool) pool = mwt_pool_new (1, NULL, NULL, NULL, NULL, NULL);
  g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (guint));
  gint priorities[50];

  for (guint i = 0; i < G_N_ELEMENTS (priorities); i++)
    priorities[i] = G_PRIORITY_DEFAULT;

  run_ordered (pool, priorities, G_N_ELEMENTS (priorities), order);

  g_assert_cmpuint (order->len, ==, G_N_ELEMENTS (priorities));
  for (guint i = 0; i < order->len; i++)
    g_assert_cmpuint (g_array_index (order, guint, i), ==, i + 1);
}

static void
test_run_task_priority (void)
{
  g_autoptr(MwtPool) pool = mwt_pool_new (1, NULL, NULL, NULL, NULL, NULL);
  g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (guint));
  const gint priorities[] = {
    G_PRIORITY_LOW, G_PRIORITY_DEFAULT, G_PRIORITY_HIGH, G_PRIORITY_DEFAULT,
    G_PRIORITY_HIGH, G_PRIORITY_LOW, G_PRIORITY_DEFAULT,
  };
  const guint expected[] = { 3, 5, 2, 4, 7, 1, 6 };

  run_ordered (pool, priorities, G_N_ELEMENTS (priorities), order);

  g_assert_cmpmem (order->data, order->len * sizeof (guint), expected, sizeof expected);
}

typedef struct
{
  GMainContext *context;
  GThread      *thread;
  guint         n_completed;
  GArray       *callback_threads;
} ContextProbe;

static void
record_callback_thread (GObject      *source_object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  ContextProbe *probe = user_data;
  GThread *self = g_thread_self ();

  g_assert_true (g_main_context_is_owner (probe->context));
  g_array_append_val (probe->callback_threads, self);
  probe->n_completed++;
}

static void
return_true_on_worker (GTask        *task,
                       gpointer      source_object,
                       gpointer      task_data,
                       GCancellable *cancellable,
                       gpointer      thread_state)
{
  g_assert_true (mwt_pool_get_current () == source_object);
  g_task_return_boolean (task, TRUE);
}


static gpointer
submit_from_own_context (gpointer data)
{
  MwtPool *pool = data;
  ContextProbe probe;

  probe.context = g_main_context_new ();
  probe.thread = g_thread_self ();
  probe.n_completed = 0;
  probe.callback_threads = g_array_new (FALSE, FALSE, sizeof (GThread *));

  g_main_context_push_thread_default (probe.context);

  for (guint i = 0; i < 20; i++)
    {
      g_autoptr(GTask) task = g_task_new (pool, NULL, record_callback_thread, &probe);

      if (i % 2 == 0)
        mwt_pool_run_task (pool, task, return_true_on_worker);
      else
        mwt_pool_run_async (pool, test_return_func_data, NULL, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                            record_callback_thread, &probe);
    }

  test_iterate_until (probe.context, probe.n_completed == 20);

  for (guint i = 0; i < probe.callback_threads->len; i++)
    g_assert_true (g_array_index (probe.callback_threads, GThread *, i) == probe.thread);

  g_main_context_pop_thread_default (probe.context);
  g_main_context_unref (probe.context);
  g_array_unref (probe.callback_threads);

  return NULL;
}

static void
test_run_callbacks_on_callers_context (void)
{
  g_autoptr(MwtPool) pool = mwt_pool_new (2, NULL, NULL, NULL, NULL, NULL);
  GThread *threads[3];

  /* Three threads, each with its own thread-default context. */
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("submitter", submit_from_own_context, pool);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
}

static gpointer
fail_on_worker (gpointer       thread_state,
                gpointer       func_data,
                GCancellable  *cancellable,
                GError       **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "bad data");
  return NULL;
}

static void
test_run_async_error (void)
{
  g_autoptr(MwtPool) pool = mwt_pool_new (1, NULL, NULL, NULL, NULL, NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  mwt_pool_run_async (pool, fail_on_worker, NULL, NULL, NULL, G_PRIORITY_DEFAULT, NULL, test_store_result, &result);
  test_iterate_until (NULL, result != NULL);
  g_assert_null (mwt_pool_run_finish (pool, result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
}

typedef struct
{
  GThread *main_thread;
  guint    n_destroyed;
} DestroyProbe;

static void
destroy_on_main_thread (gpointer data)
{
  DestroyProbe *probe = data;

  g_assert_true (g_thread_self () == probe->main_thread);
  probe->n_destroyed++;
}

static void
check_destroyed_before_callback (GObject      *source_object,
                                 GAsyncResult *result,
                                 gpointer      user_data)
{
  DestroyProbe *probe = user_data;

  g_assert_cmpuint (probe->n_destroyed, ==, 1);
  g_assert_true (mwt_pool_run_finish (MWT_POOL (source_object), result, NULL) == probe);
  probe->n_destroyed++;
}

static void
test_run_async_destroy_notify (void)
{
  g_autoptr(MwtPool) pool = mwt_pool_new (2, NULL, NULL, NULL, NULL, NULL);
  DestroyProbe probe = { g_thread_self (), 0 };

  mwt_pool_run_async (pool, test_return_func_data, &probe, destroy_on_main_thread, NULL, G_PRIORITY_DEFAULT, NULL,
                      check_destroyed_before_callback, &probe);
  test_iterate_until (NULL, probe.n_destroyed == 2);
}

/* io_priority orders queued run_async tasks as g_task_set_priority() does
 * run_task ones: by priority, first-in first-out within one.
 */
typedef struct
{
  GArray   *order;
  guint     id;
  TestGate *gate;
} OrderedCall;

static gpointer
log_async_order (gpointer       thread_state,
                 gpointer       func_data,
                 GCancellable  *cancellable,
                 GError       **error)
{
  OrderedCall *call = func_data;

  if (call->gate != NULL)
    test_gate_pass (call->gate);
  else
    g_array_append_val (call->order, call->id);

  return call;
}

static void
count_async_completion (GObject      *source_object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  guint *n_completed = user_data;

  g_assert_nonnull (mwt_pool_run_finish (MWT_POOL (source_object), result, NULL));
  (*n_completed)++;
}

static void
test_run_async_priority (void)
{
  g_autoptr(MwtPool) pool = mwt_pool_new (1, NULL, NULL, NULL, NULL, NULL);
  g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (guint));
  const gint priorities[] = {
    G_PRIORITY_LOW, G_PRIORITY_DEFAULT, G_PRIORITY_HIGH, G_PRIORITY_DEFAULT,
    G_PRIORITY_HIGH, G_PRIORITY_LOW, G_PRIORITY_DEFAULT,
  };
  const guint expected[] = { 3, 5, 2, 4, 7, 1, 6 };
  OrderedCall calls[G_N_ELEMENTS (priorities) + 1];
  guint n_completed = 0;
  TestGate gate;

  /* Call 0 holds the only thread while the others queue. */
  test_gate_init (&gate);
  for (guint i = 0; i < G_N_ELEMENTS (calls); i++)
    {
      calls[i].order = order;
      calls[i].id = i;
      calls[i].gate = i == 0 ? &gate : NULL;
      mwt_pool_run_async (pool, log_async_order, &calls[i], NULL, NULL,
                          i == 0 ? G_PRIORITY_DEFAULT : priorities[i - 1], NULL,
                          count_async_completion, &n_completed);
      if (i == 0)
        test_gate_wait_for (&gate, 1);
    }

  test_gate_open (&gate);
  test_iterate_until (NULL, n_completed == G_N_ELEMENTS (calls));
  g_assert_cmpmem (order->data, order->len * sizeof (guint), expected, sizeof expected);
  test_gate_clear (&gate);
}

/* A result that nobody collects with mwt_pool_run_finish() is freed with
 * its result_destroy, exactly once, on the thread of the caller's context:
 * with no callback at all, with a callback that ignores it, and when the
 * task was cancelled while it ran. A collected result is the caller's.
 */
typedef enum
{
  RESULT_NO_CALLBACK,
  RESULT_IGNORED,
  RESULT_IGNORED_AFTER_CANCEL,
  RESULT_COLLECTED,
  N_RESULT_CASES
} ResultCase;

typedef struct
{
  ResultCase  result_case;
  TestGate   *gate;
  gboolean    called;
  guint       n_freed;
  GThread    *freed_on;
} Uncollected;

static gpointer
return_uncollected (gpointer       thread_state,
                    gpointer       func_data,
                    GCancellable  *cancellable,
                    GError       **error)
{
  Uncollected *uncollected = func_data;

  if (uncollected->gate != NULL)
    test_gate_pass (uncollected->gate);

  return uncollected;
}

static void
free_uncollected (gpointer data)
{
  Uncollected *uncollected = data;

  uncollected->n_freed++;
  uncollected->freed_on = g_thread_self ();
}

static void
maybe_collect (GObject      *source_object,
               GAsyncResult *result,
               gpointer      user_data)
{
  Uncollected *uncollected = user_data;

  uncollected->called = TRUE;
  if (uncollected->result_case == RESULT_COLLECTED)
    g_assert_true (mwt_pool_run_finish (MWT_POOL (source_object), result, NULL) == uncollected);
}

typedef struct
{
  MwtPool     *pool;
  GThread     *caller;
  Uncollected  results[N_RESULT_CASES];
} UncollectedRun;

static gpointer
submit_uncollected (gpointer data)
{
  UncollectedRun *run = data;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  GMainContext *context = g_main_context_new ();
  TestGate gate;

  run->caller = g_thread_self ();
  test_gate_init (&gate);
  g_main_context_push_thread_default (context);

  for (ResultCase i = 0; i < N_RESULT_CASES; i++)
    {
      Uncollected *uncollected = &run->results[i];

      uncollected->result_case = i;
      if (i == RESULT_IGNORED_AFTER_CANCEL)
        uncollected->gate = &gate;
      mwt_pool_run_async (run->pool, return_uncollected, uncollected, NULL, free_uncollected,
                          G_PRIORITY_DEFAULT, i == RESULT_IGNORED_AFTER_CANCEL ? cancellable : NULL,
                          i == RESULT_NO_CALLBACK ? NULL : maybe_collect, uncollected);
    }

  /* Cancelled once it runs: its result is still delivered, and ignored. */
  test_gate_wait_for (&gate, 1);
  g_cancellable_cancel (cancellable);
  test_gate_open (&gate);

  test_iterate_until (context,
                      run->results[RESULT_NO_CALLBACK].n_freed == 1 &&
                      run->results[RESULT_IGNORED].n_freed == 1 &&
                      run->results[RESULT_IGNORED_AFTER_CANCEL].n_freed == 1 &&
                      run->results[RESULT_COLLECTED].called);
  test_iterate_pending (context);

  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);
  test_gate_clear (&gate);

  return NULL;
}

static void
test_run_async_frees_uncollected_results (void)
{
  g_autoptr(GError) error = NULL;
  UncollectedRun run = { NULL, };

  /* A result_destroy that is never called would leave the caller waiting. */
  if (test_ran_in_child ())
    return;

  run.pool = mwt_pool_new (2, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  /* On a thread of its own: neither a worker nor the pool's thread. */
  g_thread_join (g_thread_new ("caller", submit_uncollected, &run));
  g_assert_true (mwt_pool_close (run.pool, NULL, &error));
  g_assert_no_error (error);
  g_clear_object (&run.pool);

  for (ResultCase i = 0; i < N_RESULT_CASES; i++)
    {
      Uncollected *uncollected = &run.results[i];

      g_assert_cmpuint (uncollected->called, ==, i != RESULT_NO_CALLBACK);
      if (i == RESULT_COLLECTED)
        {
          g_assert_cmpuint (uncollected->n_freed, ==, 0);
        }
      else
        {
          g_assert_cmpuint (uncollected->n_freed, ==, 1);
          g_assert_true (uncollected->freed_on == run.caller);
        }
    }
}

/* The task is the only owner of its source object: its finalization
 * shows on which thread the pool dropped the task.
 */
static void
record_finalize_thread (gpointer  data,
                        GObject  *where_the_object_was)
{
  GThread **thread = data;

  *thread = g_thread_self ();
}

static void
test_run_task_released_on_caller (void)
{
  g_autoptr(MwtPool) pool = mwt_pool_new (2, NULL, NULL, NULL, NULL, NULL);

  for (guint i = 0; i < 50; i++)
    {
      GObject *source = g_object_new (G_TYPE_OBJECT, NULL);
      GThread *finalized_on = NULL;
      GTask *task = g_task_new (source, NULL, NULL, NULL);

      g_object_weak_ref (source, record_finalize_thread, &finalized_on);
      g_object_unref (source);
      mwt_pool_run_task (pool, task, test_return_true);
      g_object_unref (task);
      test_iterate_until (NULL, finalized_on != NULL);
      g_assert_true (finalized_on == g_thread_self ());
    }
}

/* A task that cancels a queued one while it runs, once the main thread
 * sleeps in poll(): only a wake-up of the main context at once, not once
 * the running task returns, lets the main thread see the rejection.
 */
typedef struct
{
  GMutex        mutex;
  GCond         cond;
  gboolean      in_blocking_poll;
  GCancellable *queued_cancellable;
  TestGate      rejected;
} CancelFromWorker;

static CancelFromWorker *cancel_from_worker;

static gint
poll_and_report (GPollFD *fds,
                 guint    n_fds,
                 gint     timeout)
{
  CancelFromWorker *data = cancel_from_worker;
  gint ready;

  g_mutex_lock (&data->mutex);
  data->in_blocking_poll = timeout != 0;
  g_cond_broadcast (&data->cond);
  g_mutex_unlock (&data->mutex);

  ready = g_poll (fds, n_fds, timeout);

  g_mutex_lock (&data->mutex);
  data->in_blocking_poll = FALSE;
  g_mutex_unlock (&data->mutex);

  return ready;
}

static gpointer
cancel_queued_then_wait (gpointer       thread_state,
                         gpointer       func_data,
                         GCancellable  *cancellable,
                         GError       **error)
{
  CancelFromWorker *data = func_data;

  g_mutex_lock (&data->mutex);
  while (!data->in_blocking_poll)
    g_cond_wait (&data->cond, &data->mutex);
  g_mutex_unlock (&data->mutex);

  g_cancellable_cancel (data->queued_cancellable);
  test_gate_pass (&data->rejected);

  return NULL;
}

static void
run_rejection_round (MwtPool *pool)
{
  g_autoptr(GCancellable) queued_cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) running = NULL;
  g_autoptr(GAsyncResult) queued = NULL;
  g_autoptr(GError) error = NULL;
  CancelFromWorker data = { .queued_cancellable = queued_cancellable };

  g_mutex_init (&data.mutex);
  g_cond_init (&data.cond);
  test_gate_init (&data.rejected);
  cancel_from_worker = &data;
  g_main_context_set_poll_func (NULL, poll_and_report);

  mwt_pool_run_async (pool, cancel_queued_then_wait, &data, NULL, NULL, G_PRIORITY_DEFAULT, NULL, test_store_result, &running);
  mwt_pool_run_async (pool, test_return_func_data, NULL, NULL, NULL, G_PRIORITY_DEFAULT, queued_cancellable,
                      test_store_result, &queued);

  test_iterate_until (NULL, queued != NULL);
  g_assert_null (mwt_pool_run_finish (pool, queued, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (running);

  test_gate_open (&data.rejected);
  test_iterate_until (NULL, running != NULL);

  g_main_context_set_poll_func (NULL, NULL);
  test_gate_clear (&data.rejected);
  g_cond_clear (&data.cond);
  g_mutex_clear (&data.mutex);
}

/* The main thread may find the rejection without a wake-up when it polls
 * on a wake-up left over from before: repeating makes a missing wake-up
 * (a hang) all but certain to show.
 */
static void
test_run_rejection_wakes_main_while_worker_runs (void)
{
  g_autoptr(MwtPool) pool = mwt_pool_new (1, NULL, NULL, NULL, NULL, NULL);

  for (guint i = 0; i < 50; i++)
    run_rejection_round (pool);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Mwt/Pool/new/builds-one-state-per-thread", test_new_state_per_thread);
  g_test_add_func ("/Mwt/Pool/new/async-completes-after-every-init", test_new_async);
  g_test_add_func ("/Mwt/Pool/new/fails-with-the-init-error", test_new_init_fails);
  g_test_add_func ("/Mwt/Pool/new/async-fails-after-threads-exit", test_new_async_init_fails);
  g_test_add_func ("/Mwt/Pool/new/async-cancelled", test_new_async_cancelled);
  g_test_add_func ("/Mwt/Pool/new/without-callbacks-has-null-state", test_new_without_callbacks);
  g_test_add_func ("/Mwt/Pool/new/as-initable-with-properties", test_new_initable);
  g_test_add_func ("/Mwt/Pool/new/closed-by-its-own-init-fails-with-closed", test_new_closed_by_own_init);
  g_test_add_func ("/Mwt/Pool/new/async-closed-by-its-own-init-fails-with-closed",
                   test_new_async_closed_by_own_init);
  g_test_add_func ("/Mwt/Pool/run/fifo-within-a-priority", test_run_task_fifo);
  g_test_add_func ("/Mwt/Pool/run/by-priority", test_run_task_priority);
  g_test_add_func ("/Mwt/Pool/run/async-by-io-priority", test_run_async_priority);
  g_test_add_func ("/Mwt/Pool/run/callbacks-on-callers-context", test_run_callbacks_on_callers_context);
  g_test_add_func ("/Mwt/Pool/run/async-error-reaches-caller", test_run_async_error);
  g_test_add_func ("/Mwt/Pool/run/rejection-wakes-main-while-worker-runs",
                   test_run_rejection_wakes_main_while_worker_runs);
  g_test_add_func ("/Mwt/Pool/run/async-destroys-data-on-caller", test_run_async_destroy_notify);
  g_test_add_func ("/Mwt/Pool/run/async-frees-uncollected-results-once-on-caller",
                   test_run_async_frees_uncollected_results);
  g_test_add_func ("/Mwt/Pool/run/task-released-on-caller", test_run_task_released_on_caller);

  return g_test_run ();
}
