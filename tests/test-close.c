/* test-close.c: leaving the queue (cancellation, closing) and the end of a pool
 *
 * SPDX-FileCopyrightText: 2026 The mwt authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "test-util.h"

typedef struct
{
  GMutex   mutex;
  GCond    cond;
  guint    n_exits;
  guint    n_destroyed;
  gint     n_ran;
} Counters;

static void
counters_init (Counters *counters)
{
  memset (counters, 0, sizeof *counters);
  g_mutex_init (&counters->mutex);
  g_cond_init (&counters->cond);
}

static void
counters_clear (Counters *counters)
{
  g_mutex_clear (&counters->mutex);
  g_cond_clear (&counters->cond);
}

static void
count_exit (gpointer thread_state,
            gpointer user_data)
{
  Counters *counters = user_data;

  g_mutex_lock (&counters->mutex);
  counters->n_exits++;
  g_cond_broadcast (&counters->cond);
  g_mutex_unlock (&counters->mutex);
}

static void
count_destroy (gpointer user_data)
{
  Counters *counters = user_data;

  counters->n_destroyed++;
}

static guint
counters_get_exits (Counters *counters)
{
  guint n_exits;

  g_mutex_lock (&counters->mutex);
  n_exits = counters->n_exits;
  g_mutex_unlock (&counters->mutex);

  return n_exits;
}

static MwtPool *
new_counting_pool (Counters *counters,
                   guint     n_threads)
{
  g_autoptr(GError) error = NULL;
  MwtPool *pool;

  pool = mwt_pool_new (n_threads, NULL, count_exit, counters, count_destroy, &error);
  g_assert_no_error (error);

  return pool;
}

/* A task's func_data: what to do on the worker. */
typedef struct
{
  TestGate *gate;
  Counters *counters;
  guint     wait_for_exits;
  gboolean  ran;
} Job;

static gpointer
run_job (gpointer       thread_state,
         gpointer       func_data,
         GCancellable  *cancellable,
         GError       **error)
{
  Job *job = func_data;

  job->ran = TRUE;

  if (job->gate != NULL)
    test_gate_pass (job->gate);

  if (job->wait_for_exits > 0)
    {
      gint64 deadline = g_get_monotonic_time () + TEST_HANG_TIMEOUT_USEC;

      g_mutex_lock (&job->counters->mutex);
      while (job->counters->n_exits < job->wait_for_exits)
        if (!g_cond_wait_until (&job->counters->cond, &job->counters->mutex, deadline))
          g_error ("the idle thread did not exit");
      g_mutex_unlock (&job->counters->mutex);
    }

  return job;
}

typedef struct
{
  GAsyncResult *result;
  guint         order;
} Completion;

static guint completion_clock;

static void
store_completion (GObject      *source_object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Completion *completion = user_data;

  g_assert_null (completion->result);
  completion->result = g_object_ref (result);
  completion->order = ++completion_clock;
}

static void
completion_clear (Completion *completion)
{
  g_clear_object (&completion->result);
  completion->order = 0;
}

static void
test_close_waits_for_busy_threads (void)
{
  Counters counters;
  TestGate gate;
  MwtPool *pool;
  Job busy[2] = { { 0, }, };
  Job queued[5] = { { 0, }, };
  Completion busy_done[2] = { { 0, }, };
  Completion queued_done[5] = { { 0, }, };
  Completion closed = { 0, };

  counters_init (&counters);
  test_gate_init (&gate);
  pool = new_counting_pool (&counters, 2);

  for (guint i = 0; i < 2; i++)
    {
      busy[i].gate = &gate;
      mwt_pool_run_async (pool, run_job, &busy[i], NULL, NULL, G_PRIORITY_DEFAULT, NULL, store_completion, &busy_done[i]);
    }
  test_gate_wait_for (&gate, 2);
  for (guint i = 0; i < 5; i++)
    mwt_pool_run_async (pool, run_job, &queued[i], NULL, NULL, G_PRIORITY_DEFAULT, NULL, store_completion, &queued_done[i]);
  g_assert_cmpuint (mwt_pool_get_n_queued (pool), ==, 5);

  mwt_pool_close_async (pool, G_PRIORITY_DEFAULT, NULL, store_completion, &closed);
  g_assert_true (mwt_pool_is_closed (pool));
  g_assert_cmpuint (mwt_pool_get_n_queued (pool), ==, 0);

  /* Queued tasks fail at once and never run. */
  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(GError) error = NULL;

      test_iterate_until (NULL, queued_done[i].result != NULL);
      g_assert_null (mwt_pool_run_finish (pool, queued_done[i].result, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
      g_assert_false (queued[i].ran);
      completion_clear (&queued_done[i]);
    }
  g_assert_null (closed.result);
  g_assert_cmpuint (counters_get_exits (&counters), ==, 0);

  /* The busy ones finish; then the close completes, threads gone. */
  test_gate_open (&gate);
  test_iterate_until (NULL, closed.result != NULL);
  g_assert_true (mwt_pool_close_finish (pool, closed.result, NULL));
  g_assert_cmpuint (counters.n_exits, ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      g_assert_nonnull (busy_done[i].result);
      g_assert_cmpuint (busy_done[i].order, <, closed.order);
      g_assert_true (mwt_pool_run_finish (pool, busy_done[i].result, NULL) == &busy[i]);
      completion_clear (&busy_done[i]);
    }
  completion_clear (&closed);

  g_assert_cmpuint (counters.n_destroyed, ==, 0);
  g_object_unref (pool);
  g_assert_cmpuint (counters.n_destroyed, ==, 1);
  test_gate_clear (&gate);
  counters_clear (&counters);
}

static void
test_close_stops_idle_threads_at_once (void)
{
  Counters counters;
  TestGate gate;
  MwtPool *pool;
  Job busy = { 0, };
  Completion busy_done = { 0, };

  counters_init (&counters);
  test_gate_init (&gate);
  pool = new_counting_pool (&counters, 2);

  /* The busy task does not finish before the idle thread has exited. */
  busy.gate = &gate;
  busy.counters = &counters;
  busy.wait_for_exits = 1;
  mwt_pool_run_async (pool, run_job, &busy, NULL, NULL, G_PRIORITY_DEFAULT, NULL, store_completion, &busy_done);
  test_gate_wait_for (&gate, 1);
  test_gate_open (&gate);

  /* Fire and forget: the pool is closed at once, and nothing holds it. */
  mwt_pool_close_async (pool, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
  g_assert_true (mwt_pool_is_closed (pool));
  test_iterate_until (NULL, busy_done.result != NULL);
  g_assert_true (mwt_pool_run_finish (pool, busy_done.result, NULL) == &busy);
  completion_clear (&busy_done);

  g_assert_true (mwt_pool_close (pool, NULL, NULL));
  g_assert_cmpuint (counters.n_exits, ==, 2);
  g_object_unref (pool);
  g_assert_cmpuint (counters.n_destroyed, ==, 1);
  test_gate_clear (&gate);
  counters_clear (&counters);
}


static void
test_close_then_run_fails (void)
{
  g_autoptr(MwtPool) pool = mwt_pool_new (2, NULL, NULL, NULL, NULL, NULL);
  Completion run_async_done = { 0, };
  Completion run_task_done = { 0, };
  Completion closed_again = { 0, };
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) task = NULL;
  Job job = { 0, };

  g_assert_true (mwt_pool_close (pool, NULL, &error));
  g_assert_no_error (error);

  mwt_pool_run_async (pool, run_job, &job, NULL, NULL, G_PRIORITY_DEFAULT, NULL, store_completion, &run_async_done);
  task = g_task_new (pool, NULL, store_completion, &run_task_done);
  mwt_pool_run_task (pool, task, test_return_true);
  g_clear_object (&task);

  test_iterate_until (NULL, run_async_done.result && run_task_done.result);
  g_assert_null (mwt_pool_run_finish (pool, run_async_done.result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_clear_error (&error);
  g_assert_false (g_task_propagate_boolean (G_TASK (run_task_done.result), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_clear_error (&error);
  g_assert_false (job.ran);

  /* Closing twice is harmless, both ways. */
  g_assert_true (mwt_pool_close (pool, NULL, &error));
  mwt_pool_close_async (pool, G_PRIORITY_DEFAULT, NULL, store_completion, &closed_again);
  test_iterate_until (NULL, closed_again.result != NULL);
  g_assert_true (mwt_pool_close_finish (pool, closed_again.result, &error));
  g_assert_no_error (error);

  completion_clear (&run_async_done);
  completion_clear (&run_task_done);
  completion_clear (&closed_again);
}

static void
test_close_cancel_stops_the_wait (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  Counters counters;
  TestGate gate;
  MwtPool *pool;
  Job busy = { 0, };
  Completion busy_done = { 0, };
  Completion closed = { 0, };

  counters_init (&counters);
  test_gate_init (&gate);
  pool = new_counting_pool (&counters, 1);

  busy.gate = &gate;
  mwt_pool_run_async (pool, run_job, &busy, NULL, NULL, G_PRIORITY_DEFAULT, NULL, store_completion, &busy_done);
  test_gate_wait_for (&gate, 1);

  mwt_pool_close_async (pool, G_PRIORITY_DEFAULT, cancellable, store_completion, &closed);
  g_cancellable_cancel (cancellable);
  test_iterate_until (NULL, closed.result != NULL);
  g_assert_false (mwt_pool_close_finish (pool, closed.result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  /* The pool is closed all the same; the busy thread is still at work. */
  g_assert_true (mwt_pool_is_closed (pool));
  g_assert_cmpuint (counters_get_exits (&counters), ==, 0);

  /* The blocking form stops waiting too. */
  g_assert_false (mwt_pool_close (pool, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  test_gate_open (&gate);
  g_assert_true (mwt_pool_close (pool, NULL, NULL));
  g_assert_cmpuint (counters.n_exits, ==, 1);
  test_iterate_until (NULL, busy_done.result != NULL);
  completion_clear (&busy_done);
  completion_clear (&closed);
  g_object_unref (pool);
  test_gate_clear (&gate);
  counters_clear (&counters);
}

/* Cancellation */

static void
test_cancel_while_queued (void)
{
  g_autoptr(MwtPool) pool = mwt_pool_new (1, NULL, NULL, NULL, NULL, NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  TestGate gate;
  Job busy = { 0, };
  Job queued[3] = { { 0, }, };
  Completion busy_done = { 0, };
  Completion queued_done[3] = { { 0, }, };

  test_gate_init (&gate);
  busy.gate = &gate;
  mwt_pool_run_async (pool, run_job, &busy, NULL, NULL, G_PRIORITY_DEFAULT, NULL, store_completion, &busy_done);
  test_gate_wait_for (&gate, 1);

  /* The middle one can be cancelled; the others go on. */
  mwt_pool_run_async (pool, run_job, &queued[0], NULL, NULL, G_PRIORITY_DEFAULT, NULL, store_completion, &queued_done[0]);
  mwt_pool_run_async (pool, run_job, &queued[1], NULL, NULL, G_PRIORITY_DEFAULT, cancellable, store_completion, &queued_done[1]);
  mwt_pool_run_async (pool, run_job, &queued[2], NULL, NULL, G_PRIORITY_DEFAULT, NULL, store_completion, &queued_done[2]);
  g_cancellable_cancel (cancellable);
  g_assert_cmpuint (mwt_pool_get_n_queued (pool), ==, 2);

  /* It completes while the only thread is still busy. */
  test_iterate_until (NULL, queued_done[1].result != NULL);
  g_assert_null (queued_done[0].result);
  test_gate_open (&gate);
  test_iterate_until (NULL, queued_done[0].result && queued_done[2].result && busy_done.result);
  g_assert_cmpuint (queued_done[1].order, <, queued_done[0].order);

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(GError) error = NULL;
      gpointer result = mwt_pool_run_finish (pool, queued_done[i].result, &error);

      if (i == 1)
        {
          g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
          g_assert_false (queued[i].ran);
        }
      else
        {
          g_assert_no_error (error);
          g_assert_true (result == &queued[i]);
        }
      completion_clear (&queued_done[i]);
    }
  completion_clear (&busy_done);
  test_gate_clear (&gate);
}

static void
test_cancel_before_submit (void)
{
  g_autoptr(MwtPool) pool = mwt_pool_new (1, NULL, NULL, NULL, NULL, NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) task = NULL;
  Completion run_async_done = { 0, };
  Completion run_task_done = { 0, };
  Job job = { 0, };

  g_cancellable_cancel (cancellable);
  mwt_pool_run_async (pool, run_job, &job, NULL, NULL, G_PRIORITY_DEFAULT, cancellable, store_completion, &run_async_done);
  task = g_task_new (NULL, cancellable, store_completion, &run_task_done);
  mwt_pool_run_task (pool, task, test_return_true);
  g_clear_object (&task);

  /* Never synchronously from the call itself. */
  g_assert_null (run_async_done.result);
  g_assert_null (run_task_done.result);

  test_iterate_until (NULL, run_async_done.result && run_task_done.result);
  g_assert_null (mwt_pool_run_finish (pool, run_async_done.result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_false (g_task_propagate_boolean (G_TASK (run_task_done.result), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (job.ran);
  completion_clear (&run_async_done);
  completion_clear (&run_task_done);
}

/* Closing from a pool's own thread */

static gpointer
close_own_pool (gpointer       thread_state,
                gpointer       func_data,
                GCancellable  *cancellable,
                GError       **error)
{
  MwtPool *pool = mwt_pool_get_current ();

  if (func_data != NULL)
    {
      mwt_pool_close_async (pool, G_PRIORITY_DEFAULT, NULL, store_completion, func_data);
      return NULL;
    }

  /* Waiting here would wait for this very thread. */
  g_assert_false (mwt_pool_close (pool, NULL, error));
  return NULL;
}

static void
test_close_blocking_from_own_thread (void)
{
  g_autoptr(GError) error = NULL;
  Counters counters;
  MwtPool *pool;
  Completion done = { 0, };

  counters_init (&counters);
  pool = new_counting_pool (&counters, 2);

  mwt_pool_run_async (pool, close_own_pool, NULL, NULL, NULL, G_PRIORITY_DEFAULT, NULL, store_completion, &done);
  test_iterate_until (NULL, done.result != NULL);
  g_assert_null (mwt_pool_run_finish (pool, done.result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
  g_assert_true (mwt_pool_is_closed (pool));

  g_assert_true (mwt_pool_close (pool, NULL, NULL));
  g_assert_cmpuint (counters.n_exits, ==, 2);
  completion_clear (&done);
  g_object_unref (pool);
  counters_clear (&counters);
}

static void
test_close_async_from_own_thread (void)
{
  Counters counters;
  MwtPool *pool;
  Completion done = { 0, };
  Completion closed = { 0, };

  counters_init (&counters);
  pool = new_counting_pool (&counters, 2);

  mwt_pool_run_async (pool, close_own_pool, &closed, NULL, NULL, G_PRIORITY_DEFAULT, NULL, store_completion, &done);
  test_iterate_until (NULL, closed.result != NULL);

  /* The closing task finished first; the close callback ran here. */
  g_assert_nonnull (done.result);
  g_assert_true (mwt_pool_close_finish (pool, closed.result, NULL));
  g_assert_cmpuint (counters.n_exits, ==, 2);
  completion_clear (&done);
  completion_clear (&closed);
  g_object_unref (pool);
  counters_clear (&counters);
}

/* The end of a pool */

static void
count_callback (GObject      *source_object,
                GAsyncResult *result,
                gpointer      user_data)
{
  guint *n_callbacks = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_null (mwt_pool_run_finish (MWT_POOL (source_object), result, &error));
  g_assert_no_error (error);
  (*n_callbacks)++;
}

static gpointer
return_null (gpointer       thread_state,
             gpointer       func_data,
             GCancellable  *cancellable,
             GError       **error)
{
  return NULL;
}

static void
test_last_unref_with_tasks_in_flight (void)
{
  Counters counters;
  MwtPool *pool;
  guint n_callbacks = 0;

  counters_init (&counters);
  pool = new_counting_pool (&counters, 2);
  g_object_add_weak_pointer (G_OBJECT (pool), (gpointer *) &pool);

  for (guint i = 0; i < 1000; i++)
    mwt_pool_run_async (pool, return_null, NULL, NULL, NULL, G_PRIORITY_DEFAULT, NULL, count_callback, &n_callbacks);
  g_object_unref (pool);

  /* Nothing is lost; the pool goes once the last task is done. */
  g_assert_nonnull (pool);
  test_iterate_until (NULL, pool == NULL);
  g_assert_cmpuint (n_callbacks, ==, 1000);
  g_assert_cmpuint (counters.n_exits, ==, 2);
  g_assert_cmpuint (counters.n_destroyed, ==, 1);
  counters_clear (&counters);
}

static void
test_finalize_closes_open_pool (void)
{
  Counters counters;
  MwtPool *pool;

  counters_init (&counters);
  pool = new_counting_pool (&counters, 3);
  g_object_unref (pool);

  g_assert_cmpuint (counters.n_exits, ==, 3);
  g_assert_cmpuint (counters.n_destroyed, ==, 1);
  counters_clear (&counters);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Mwt/Pool/cancel/while-queued-leaves-the-queue", test_cancel_while_queued);
  g_test_add_func ("/Mwt/Pool/cancel/before-submit-never-runs", test_cancel_before_submit);
  g_test_add_func ("/Mwt/Pool/close/waits-for-busy-threads", test_close_waits_for_busy_threads);
  g_test_add_func ("/Mwt/Pool/close/stops-idle-threads-at-once", test_close_stops_idle_threads_at_once);
  g_test_add_func ("/Mwt/Pool/close/then-run-fails-with-closed", test_close_then_run_fails);
  g_test_add_func ("/Mwt/Pool/close/cancel-stops-only-the-wait", test_close_cancel_stops_the_wait);
  g_test_add_func ("/Mwt/Pool/close/blocking-from-own-thread-fails", test_close_blocking_from_own_thread);
  g_test_add_func ("/Mwt/Pool/close/async-from-own-thread", test_close_async_from_own_thread);
  g_test_add_func ("/Mwt/Pool/close/last-unref-loses-no-task", test_last_unref_with_tasks_in_flight);
  g_test_add_func ("/Mwt/Pool/close/finalize-closes-open-pool", test_finalize_closes_open_pool);

  return g_test_run ();
}
