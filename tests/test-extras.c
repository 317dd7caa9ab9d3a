/* test-extras.c: draining, the current pool and its context, live counters
 * and resizing (issue 7)
 *
 * SPDX-FileCopyrightText: 2026 The mwt authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "test-util.h"

/* Tasks */

/* What a task does on its thread: pass a gate (if any) and remember where
 * it ran. Returned as the task's result.
 */
typedef struct
{
  TestGate *gate;
  gint      n_runs;
  GThread  *thread;
  MwtPool  *current;
} Work;

static gpointer
work_func (gpointer       thread_state,
           gpointer       func_data,
           GCancellable  *cancellable,
           GError       **error)
{
  Work *work = func_data;

  work->thread = g_thread_self ();
  work->current = mwt_pool_get_current ();
  g_atomic_int_inc (&work->n_runs);
  if (work->gate != NULL)
    test_gate_pass (work->gate);

  return work;
}

static void
work_task_func (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable,
                gpointer      thread_state)
{
  g_task_return_pointer (task, work_func (thread_state, task_data, cancellable, NULL), NULL);
}

/* How the callbacks of a set of tasks went, counted on the caller's thread. */
typedef struct
{
  guint n_callbacks;
  guint n_ok;
  guint n_closed;
  guint n_cancelled;
} Tally;

static void
tally_result (Tally  *tally,
              GError *error)
{
  tally->n_callbacks++;
  if (error == NULL)
    tally->n_ok++;
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CLOSED))
    tally->n_closed++;
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    tally->n_cancelled++;
  else
    g_error ("unexpected task error: %s", error->message);
}

static void
tally_run_callback (GObject      *source_object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  mwt_pool_run_finish (MWT_POOL (source_object), result, &error);
  tally_result (user_data, error);
}

static void
tally_task_callback (GObject      *source_object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_task_propagate_pointer (G_TASK (result), &error);
  tally_result (user_data, error);
}

static void
run_work (MwtPool      *pool,
          Work         *work,
          GCancellable *cancellable,
          Tally        *tally)
{
  mwt_pool_run_async (pool, work_func, work, NULL, NULL, G_PRIORITY_DEFAULT, cancellable, tally_run_callback, tally);
}

static void
run_work_task (MwtPool *pool,
               Work    *work,
               gint     priority,
               Tally   *tally)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, tally_task_callback, tally);

  g_task_set_priority (task, priority);
  g_task_set_task_data (task, work, NULL);
  mwt_pool_run_task (pool, task, work_task_func);
}

/* The threads of a pool: which ones ran init and at_exit, and what they
 * saw there. Optionally, inits fail from the fail_from'th on.
 */
typedef struct
{
  GMutex     mutex;
  GCond      cond;
  GPtrArray *inits;
  GPtrArray *exits;
  guint      n_failed;
  guint      fail_from;
  guint      n_wrong_current;
} Threads;

static void
threads_init (Threads *threads)
{
  memset (threads, 0, sizeof *threads);
  g_mutex_init (&threads->mutex);
  g_cond_init (&threads->cond);
  threads->inits = g_ptr_array_new ();
  threads->exits = g_ptr_array_new ();
}

static void
threads_clear (Threads *threads)
{
  g_ptr_array_unref (threads->inits);
  g_ptr_array_unref (threads->exits);
  g_mutex_clear (&threads->mutex);
  g_cond_clear (&threads->cond);
}

/* The state of a thread is the thread itself. */
static gpointer
threads_record_init (gpointer   user_data,
                     GError   **error)
{
  Threads *threads = user_data;
  gboolean fail;

  g_mutex_lock (&threads->mutex);
  if (mwt_pool_get_current () == NULL)
    threads->n_wrong_current++;
  fail = threads->fail_from > 0 && threads->inits->len + 1 >= threads->fail_from;
  if (fail)
    threads->n_failed++;
  else
    g_ptr_array_add (threads->inits, g_thread_self ());
  g_cond_broadcast (&threads->cond);
  g_mutex_unlock (&threads->mutex);

  if (fail)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, "no room for another thread");
      return NULL;
    }

  return g_thread_self ();
}

static void
threads_record_exit (gpointer thread_state,
                     gpointer user_data)
{
  Threads *threads = user_data;

  /* at_exit runs on the thread whose state it releases. */
  g_assert_true (thread_state == g_thread_self ());

  g_mutex_lock (&threads->mutex);
  if (mwt_pool_get_current () == NULL)
    threads->n_wrong_current++;
  g_ptr_array_add (threads->exits, g_thread_self ());
  g_cond_broadcast (&threads->cond);
  g_mutex_unlock (&threads->mutex);
}

static guint
threads_get_n_exits (Threads *threads)
{
  guint n_exits;

  g_mutex_lock (&threads->mutex);
  n_exits = threads->exits->len;
  g_mutex_unlock (&threads->mutex);

  return n_exits;
}

static void
threads_wait_for_exits (Threads *threads,
                        guint    n_exits)
{
  gint64 deadline = g_get_monotonic_time () + TEST_HANG_TIMEOUT_USEC;

  g_mutex_lock (&threads->mutex);
  while (threads->exits->len < n_exits)
    if (!g_cond_wait_until (&threads->cond, &threads->mutex, deadline))
      g_error ("%u threads exited, expected %u", threads->exits->len, n_exits);
  g_mutex_unlock (&threads->mutex);
}

static MwtPool *
new_recorded_pool (Threads *threads,
                   guint    n_threads)
{
  g_autoptr(GError) error = NULL;
  MwtPool *pool;

  pool = mwt_pool_new (n_threads, threads_record_init, threads_record_exit, threads, NULL, &error);
  g_assert_no_error (error);

  return pool;
}

/* Holds @n tasks at a gate and one more in the queue: all @n start at
 * once, and, if the pool has exactly @n threads left, the last one waits.
 */
static void
assert_runs_exactly (MwtPool *pool,
                     guint    n)
{
  TestGate gate;
  Work work[17] = { { 0, }, };
  Tally tally = { 0, };
  GPtrArray *seen = g_ptr_array_new ();

  g_assert_cmpuint (n, <, G_N_ELEMENTS (work));

  test_gate_init (&gate);
  for (guint i = 0; i <= n; i++)
    {
      work[i].gate = &gate;
      run_work (pool, &work[i], NULL, &tally);
    }
  test_gate_wait_for (&gate, n);
  g_assert_cmpuint (mwt_pool_get_n_busy (pool), ==, n);
  g_assert_cmpuint (mwt_pool_get_n_queued (pool), ==, 1);

  /* n distinct threads hold them. */
  for (guint i = 0; i <= n; i++)
    if (g_atomic_int_get (&work[i].n_runs) > 0)
      {
        g_assert_false (g_ptr_array_find (seen, work[i].thread, NULL));
        g_ptr_array_add (seen, work[i].thread);
      }
  g_assert_cmpuint (seen->len, ==, n);

  test_gate_open (&gate);
  test_iterate_until (NULL, tally.n_callbacks == n + 1);
  g_assert_cmpuint (tally.n_ok, ==, n + 1);
  test_gate_clear (&gate);
  g_ptr_array_unref (seen);
}

/* Drain */

typedef struct
{
  /* The tally of the earlier tasks and what it read when the drain ended. */
  Tally    *tally;
  guint     n_seen;
  Threads  *threads;
  guint     n_exits_seen;
  gboolean  done;
  GError   *error;
} Drain;

static void
drain_done (GObject      *source_object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Drain *drain = user_data;

  g_assert_false (drain->done);
  /* Serves closes too. */
  if (g_task_get_source_tag (G_TASK (result)) == mwt_pool_close_async)
    mwt_pool_close_finish (MWT_POOL (source_object), result, &drain->error);
  else
    mwt_pool_drain_finish (MWT_POOL (source_object), result, &drain->error);
  if (drain->tally != NULL)
    drain->n_seen = drain->tally->n_callbacks;
  if (drain->threads != NULL)
    drain->n_exits_seen = threads_get_n_exits (drain->threads);
  drain->done = TRUE;
}

static void
drain_clear (Drain *drain)
{
  g_clear_error (&drain->error);
}

static void
test_drain_waits_for_earlier_run_async_callbacks (void)
{
  g_autoptr(MwtPool) pool = mwt_pool_new (2, NULL, NULL, NULL, NULL, NULL);
  TestGate gate;
  Work held[2] = { { 0, }, };
  Work queued[100] = { { 0, }, };
  Tally tally = { 0, };
  Drain drain = { &tally, };

  test_gate_init (&gate);
  for (guint i = 0; i < G_N_ELEMENTS (held); i++)
    {
      held[i].gate = &gate;
      run_work (pool, &held[i], NULL, &tally);
    }
  for (guint i = 0; i < G_N_ELEMENTS (queued); i++)
    run_work (pool, &queued[i], NULL, &tally);
  test_gate_wait_for (&gate, 2);

  mwt_pool_drain_async (pool, G_PRIORITY_DEFAULT, NULL, drain_done, &drain);
  test_iterate_pending (NULL);
  g_assert_false (drain.done);
  g_assert_cmpuint (tally.n_callbacks, ==, 0);

  test_gate_open (&gate);
  test_iterate_until (NULL, drain.done);
  g_assert_no_error (drain.error);
  g_assert_cmpuint (drain.n_seen, ==, 102);
  g_assert_cmpuint (tally.n_ok, ==, 102);

  test_gate_clear (&gate);
  drain_clear (&drain);
}

static void
test_drain_waits_for_earlier_run_task_callbacks (void)
{
  g_autoptr(MwtPool) pool = mwt_pool_new (2, NULL, NULL, NULL, NULL, NULL);
  TestGate gate;
  Work held[2] = { { 0, }, };
  Work queued[100] = { { 0, }, };
  Tally tally = { 0, };
  Drain drain = { &tally, };

  test_gate_init (&gate);
  for (guint i = 0; i < G_N_ELEMENTS (held); i++)
    {
      held[i].gate = &gate;
      run_work_task (pool, &held[i], G_PRIORITY_DEFAULT, &tally);
    }
  for (guint i = 0; i < G_N_ELEMENTS (queued); i++)
    run_work_task (pool, &queued[i], G_PRIORITY_DEFAULT, &tally);
  test_gate_wait_for (&gate, 2);

  mwt_pool_drain_async (pool, G_PRIORITY_DEFAULT, NULL, drain_done, &drain);
  test_iterate_pending (NULL);
  g_assert_false (drain.done);
  g_assert_cmpuint (tally.n_callbacks, ==, 0);

  test_gate_open (&gate);
  test_iterate_until (NULL, drain.done);
  g_assert_no_error (drain.error);
  g_assert_cmpuint (drain.n_seen, ==, 102);
  g_assert_cmpuint (tally.n_ok, ==, 102);

  test_gate_clear (&gate);
  drain_clear (&drain);
}

static void
test_drain_completes_on_the_callers_context (void)
{
  g_autoptr(MwtPool) pool = mwt_pool_new (2, NULL, NULL, NULL, NULL, NULL);
  g_autoptr(GMainContext) context = g_main_context_new ();
  TestGate gate;
  Work held[2] = { { 0, }, };
  Work queued[50] = { { 0, }, };
  Tally tally = { 0, };
  Drain drain = { &tally, };

  /* Tasks and drain from a context other than the pool's own. */
  test_gate_init (&gate);
  g_main_context_push_thread_default (context);
  for (guint i = 0; i < G_N_ELEMENTS (held); i++)
    {
      held[i].gate = &gate;
      run_work (pool, &held[i], NULL, &tally);
    }
  for (guint i = 0; i < G_N_ELEMENTS (queued); i++)
    run_work (pool, &queued[i], NULL, &tally);
  mwt_pool_drain_async (pool, G_PRIORITY_DEFAULT, NULL, drain_done, &drain);
  g_main_context_pop_thread_default (context);

  test_gate_wait_for (&gate, 2);
  test_iterate_pending (NULL);
  test_iterate_pending (context);
  g_assert_false (drain.done);

  test_gate_open (&gate);
  test_iterate_until (context, drain.done);
  g_assert_no_error (drain.error);
  g_assert_cmpuint (drain.n_seen, ==, 52);

  test_gate_clear (&gate);
  drain_clear (&drain);
}

static void
test_drain_is_not_held_up_by_later_tasks (void)
{
  g_autoptr(MwtPool) pool = mwt_pool_new (2, NULL, NULL, NULL, NULL, NULL);
  TestGate gate;
  Work earlier[20] = { { 0, }, };
  Work later = { &gate, };
  Tally tally = { 0, }, later_tally = { 0, };
  Drain drain = { &tally, };

  test_gate_init (&gate);
  for (guint i = 0; i < G_N_ELEMENTS (earlier); i++)
    run_work (pool, &earlier[i], NULL, &tally);
  mwt_pool_drain_async (pool, G_PRIORITY_DEFAULT, NULL, drain_done, &drain);

  /* The later task holds a thread until the drain is over. */
  run_work (pool, &later, NULL, &later_tally);
  test_gate_wait_for (&gate, 1);

  test_iterate_until (NULL, drain.done);
  g_assert_no_error (drain.error);
  g_assert_cmpuint (drain.n_seen, ==, G_N_ELEMENTS (earlier));
  g_assert_cmpuint (tally.n_ok, ==, G_N_ELEMENTS (earlier));
  test_iterate_pending (NULL);
  g_assert_cmpuint (later_tally.n_callbacks, ==, 0);
  g_assert_cmpuint (mwt_pool_get_n_busy (pool), ==, 1);

  test_gate_open (&gate);
  test_iterate_until (NULL, later_tally.n_callbacks == 1);
  g_assert_cmpuint (later_tally.n_ok, ==, 1);
  test_gate_clear (&gate);
  drain_clear (&drain);
}

static void
test_drain_leaves_the_pool_open (void)
{
  g_autoptr(MwtPool) pool = mwt_pool_new (1, NULL, NULL, NULL, NULL, NULL);
  Work work[3] = { { 0, }, };
  Tally tally = { 0, };
  Drain drain = { &tally, };

  run_work (pool, &work[0], NULL, &tally);
  mwt_pool_drain_async (pool, G_PRIORITY_DEFAULT, NULL, drain_done, &drain);
  test_iterate_until (NULL, drain.done);
  g_assert_no_error (drain.error);
  g_assert_false (mwt_pool_is_closed (pool));

  run_work (pool, &work[1], NULL, &tally);
  run_work (pool, &work[2], NULL, &tally);
  test_iterate_until (NULL, tally.n_callbacks == 3);
  g_assert_cmpuint (tally.n_ok, ==, 3);
  drain_clear (&drain);
}

static void
test_drain_then_close_fails_no_queued_task (void)
{
  g_autoptr(MwtPool) pool = mwt_pool_new (1, NULL, NULL, NULL, NULL, NULL);
  TestGate gate;
  Work held = { &gate, };
  Work queued[20] = { { 0, }, };
  Tally tally = { 0, };
  Drain drain = { &tally, };

  test_gate_init (&gate);
  run_work (pool, &held, NULL, &tally);
  for (guint i = 0; i < G_N_ELEMENTS (queued); i++)
    run_work (pool, &queued[i], NULL, &tally);
  test_gate_wait_for (&gate, 1);
  g_assert_cmpuint (mwt_pool_get_n_queued (pool), ==, G_N_ELEMENTS (queued));

  mwt_pool_drain_async (pool, G_PRIORITY_DEFAULT, NULL, drain_done, &drain);
  test_gate_open (&gate);
  test_iterate_until (NULL, drain.done);
  g_assert_no_error (drain.error);
  g_assert_true (mwt_pool_close (pool, NULL, NULL));

  g_assert_cmpuint (tally.n_callbacks, ==, G_N_ELEMENTS (queued) + 1);
  g_assert_cmpuint (tally.n_ok, ==, G_N_ELEMENTS (queued) + 1);
  for (guint i = 0; i < G_N_ELEMENTS (queued); i++)
    g_assert_cmpint (queued[i].n_runs, ==, 1);
  test_gate_clear (&gate);
  drain_clear (&drain);
}

static void
test_close_alone_fails_queued_tasks (void)
{
  g_autoptr(MwtPool) pool = mwt_pool_new (1, NULL, NULL, NULL, NULL, NULL);
  g_autoptr(GAsyncResult) closed = NULL;
  TestGate gate;
  Work held = { &gate, };
  Work queued[20] = { { 0, }, };
  Tally tally = { 0, };

  test_gate_init (&gate);
  run_work (pool, &held, NULL, &tally);
  for (guint i = 0; i < G_N_ELEMENTS (queued); i++)
    run_work (pool, &queued[i], NULL, &tally);
  test_gate_wait_for (&gate, 1);

  mwt_pool_close_async (pool, G_PRIORITY_DEFAULT, NULL, test_store_result, &closed);
  test_gate_open (&gate);
  test_iterate_until (NULL, closed != NULL && tally.n_callbacks == G_N_ELEMENTS (queued) + 1);
  g_assert_true (mwt_pool_close_finish (pool, closed, NULL));

  g_assert_cmpuint (tally.n_ok, ==, 1);
  g_assert_cmpuint (tally.n_closed, ==, G_N_ELEMENTS (queued));
  for (guint i = 0; i < G_N_ELEMENTS (queued); i++)
    g_assert_cmpint (queued[i].n_runs, ==, 0);
  test_gate_clear (&gate);
}

static void
test_drain_cancel_stops_only_the_wait (void)
{
  g_autoptr(MwtPool) pool = mwt_pool_new (1, NULL, NULL, NULL, NULL, NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  TestGate gate;
  Work held = { &gate, };
  Work queued[3] = { { 0, }, };
  Tally tally = { 0, };
  Drain cancelled = { &tally, }, other = { &tally, };

  test_gate_init (&gate);
  run_work (pool, &held, NULL, &tally);
  for (guint i = 0; i < G_N_ELEMENTS (queued); i++)
    run_work (pool, &queued[i], NULL, &tally);
  test_gate_wait_for (&gate, 1);

  mwt_pool_drain_async (pool, G_PRIORITY_DEFAULT, cancellable, drain_done, &cancelled);
  mwt_pool_drain_async (pool, G_PRIORITY_DEFAULT, NULL, drain_done, &other);
  g_cancellable_cancel (cancellable);
  test_iterate_until (NULL, cancelled.done);
  g_assert_error (cancelled.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (cancelled.n_seen, ==, 0);

  /* The tasks and the other drain go on. */
  test_iterate_pending (NULL);
  g_assert_false (other.done);
  g_assert_false (mwt_pool_is_closed (pool));
  g_assert_cmpuint (mwt_pool_get_n_busy (pool), ==, 1);
  g_assert_cmpuint (mwt_pool_get_n_queued (pool), ==, G_N_ELEMENTS (queued));

  test_gate_open (&gate);
  test_iterate_until (NULL, other.done);
  g_assert_no_error (other.error);
  g_assert_cmpuint (other.n_seen, ==, G_N_ELEMENTS (queued) + 1);
  g_assert_cmpuint (tally.n_ok, ==, G_N_ELEMENTS (queued) + 1);

  test_gate_clear (&gate);
  drain_clear (&cancelled);
  drain_clear (&other);
}

static void
test_drain_on_an_idle_pool (void)
{
  g_autoptr(MwtPool) pool = mwt_pool_new (2, NULL, NULL, NULL, NULL, NULL);
  Work work = { 0, };
  Tally tally = { 0, };
  Drain fresh = { NULL, }, idle_again = { NULL, };

  mwt_pool_drain_async (pool, G_PRIORITY_DEFAULT, NULL, drain_done, &fresh);
  test_iterate_until (NULL, fresh.done);
  g_assert_no_error (fresh.error);

  run_work (pool, &work, NULL, &tally);
  test_iterate_until (NULL, tally.n_callbacks == 1);
  mwt_pool_drain_async (pool, G_PRIORITY_DEFAULT, NULL, drain_done, &idle_again);
  test_iterate_until (NULL, idle_again.done);
  g_assert_no_error (idle_again.error);

  drain_clear (&fresh);
  drain_clear (&idle_again);
}

static void
test_drain_on_a_closed_pool_waits_for_exits (void)
{
  Threads threads;
  MwtPool *pool;
  TestGate gate;
  Work held = { &gate, };
  Tally tally = { 0, };
  Drain drain = { .tally = &tally, .threads = &threads }, after = { .threads = &threads };

  threads_init (&threads);
  test_gate_init (&gate);
  pool = new_recorded_pool (&threads, 2);

  run_work (pool, &held, NULL, &tally);
  test_gate_wait_for (&gate, 1);
  mwt_pool_close_async (pool, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
  mwt_pool_drain_async (pool, G_PRIORITY_DEFAULT, NULL, drain_done, &drain);

  /* The busy thread cannot exit: neither can the drain complete. */
  test_iterate_pending (NULL);
  g_assert_false (drain.done);

  test_gate_open (&gate);
  test_iterate_until (NULL, drain.done);
  g_assert_no_error (drain.error);
  g_assert_cmpuint (drain.n_exits_seen, ==, 2);
  test_iterate_until (NULL, tally.n_callbacks == 1);
  g_assert_cmpuint (tally.n_ok, ==, 1);

  /* Without threads left, it completes at once. */
  mwt_pool_drain_async (pool, G_PRIORITY_DEFAULT, NULL, drain_done, &after);
  test_iterate_until (NULL, after.done);
  g_assert_no_error (after.error);

  g_object_unref (pool);
  g_assert_cmpuint (threads.exits->len, ==, 2);
  test_gate_clear (&gate);
  threads_clear (&threads);
  drain_clear (&drain);
  drain_clear (&after);
}

/* A task cancelled before it completes still completes before the drain:
 * its callback is one of those the drain waits for.
 */
static void
test_drain_completes_after_cancelled_callbacks (void)
{
  g_autoptr(MwtPool) pool = mwt_pool_new (1, NULL, NULL, NULL, NULL, NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  TestGate gate;
  Work running = { &gate, }, queued = { 0, };
  Tally tally = { 0, };
  Drain drain = { &tally, };

  test_gate_init (&gate);
  run_work (pool, &running, cancellable, &tally);
  run_work (pool, &queued, cancellable, &tally);
  test_gate_wait_for (&gate, 1);

  mwt_pool_drain_async (pool, G_PRIORITY_DEFAULT, NULL, drain_done, &drain);
  g_cancellable_cancel (cancellable);
  test_gate_open (&gate);
  test_iterate_until (NULL, drain.done);
  g_assert_no_error (drain.error);

  /* GTask delivers a cancelled task's result from an idle of its own: the
   * drain still comes after it.
   */
  g_assert_cmpuint (drain.n_seen, ==, 2);
  test_iterate_until (NULL, tally.n_callbacks == 2);
  /* Both report the cancellation: the queued one never ran, the running
   * one ran to the end (GIO's rule, see mwt_pool_run_async()).
   */
  g_assert_cmpuint (tally.n_cancelled, ==, 2);
  g_assert_cmpint (g_atomic_int_get (&running.n_runs), ==, 1);
  g_assert_cmpint (g_atomic_int_get (&queued.n_runs), ==, 0);

  test_gate_clear (&gate);
  drain_clear (&drain);
}

/* Waits, without iterating any context, until @pool has nothing queued or
 * running: its last task was handed back, its callback not run yet.
 */
static void
wait_until_idle (MwtPool *pool)
{
  gint64 deadline = g_get_monotonic_time () + TEST_HANG_TIMEOUT_USEC;

  while (mwt_pool_get_n_busy (pool) > 0 || mwt_pool_get_n_queued (pool) > 0)
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("the pool did not become idle");
      g_thread_yield ();
    }
}

/* A mwt_pool_run_task() task of low priority, already done on its thread
 * when the drain starts, still has its callback before the drain's.
 */
static void
test_drain_completes_after_low_priority_callbacks (void)
{
  g_autoptr(MwtPool) pool = mwt_pool_new (1, NULL, NULL, NULL, NULL, NULL);
  Work low = { 0, };
  Tally tally = { 0, };
  Drain drain = { &tally, };

  run_work_task (pool, &low, G_PRIORITY_LOW, &tally);
  wait_until_idle (pool);
  mwt_pool_drain_async (pool, G_PRIORITY_DEFAULT, NULL, drain_done, &drain);
  test_iterate_until (NULL, drain.done);
  g_assert_no_error (drain.error);

  g_assert_cmpuint (drain.n_seen, ==, 1);
  test_iterate_until (NULL, tally.n_callbacks == 1);
  g_assert_cmpuint (tally.n_ok, ==, 1);
  drain_clear (&drain);
}

/* Closing likewise completes after the callbacks of the busy tasks, even
 * of one cancelled while it ran or of one of low priority.
 */
static void
test_close_completes_after_busy_callbacks (void)
{
  g_autoptr(MwtPool) pool = mwt_pool_new (2, NULL, NULL, NULL, NULL, NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  TestGate gate;
  Work cancelled = { &gate, }, low = { &gate, };
  Tally tally = { 0, };
  Drain closing = { &tally, };

  test_gate_init (&gate);
  run_work (pool, &cancelled, cancellable, &tally);
  run_work_task (pool, &low, G_PRIORITY_LOW, &tally);
  test_gate_wait_for (&gate, 2);

  mwt_pool_close_async (pool, G_PRIORITY_DEFAULT, NULL, drain_done, &closing);
  g_cancellable_cancel (cancellable);
  test_gate_open (&gate);
  /* Wait for the threads to exit without dispatching anything. */
  g_assert_true (mwt_pool_close (pool, NULL, NULL));
  test_iterate_until (NULL, closing.done);
  g_test_message ("%u callbacks before the close's", closing.n_seen);

  g_assert_cmpuint (closing.n_seen, ==, 2);
  test_iterate_until (NULL, tally.n_callbacks == 2);
  /* GIO's rule: cancelled before its callback, the run_async task reports
   * the cancellation, though its function ran to the end.
   */
  g_assert_cmpuint (tally.n_ok, ==, 1);
  g_assert_cmpuint (tally.n_cancelled, ==, 1);
  g_assert_cmpint (g_atomic_int_get (&cancelled.n_runs), ==, 1);

  test_gate_clear (&gate);
  drain_clear (&closing);
}

/* The current pool and its context */

static gpointer
return_current (gpointer       thread_state,
                gpointer       func_data,
                GCancellable  *cancellable,
                GError       **error)
{
  return mwt_pool_get_current ();
}

static void
return_current_task (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable,
                     gpointer      thread_state)
{
  g_task_return_pointer (task, mwt_pool_get_current (), NULL);
}

static MwtPool *
run_and_wait (MwtPool     *pool,
              MwtPoolFunc  func,
              gpointer     func_data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gpointer ret;

  mwt_pool_run_async (pool, func, func_data, NULL, NULL, G_PRIORITY_DEFAULT, NULL, test_store_result, &result);
  test_iterate_until (NULL, result != NULL);
  ret = mwt_pool_run_finish (pool, result, &error);
  g_assert_no_error (error);

  return ret;
}

/* The blocking drain */

static void
test_drain_blocking_returns_once_earlier_tasks_ran (void)
{
  g_autoptr(MwtPool) pool = mwt_pool_new (2, NULL, NULL, NULL, NULL, NULL);
  g_autoptr(GError) error = NULL;
  Work work[200] = { { 0, }, };
  Tally tally = { 0, };

  for (guint i = 0; i < G_N_ELEMENTS (work); i++)
    run_work (pool, &work[i], NULL, &tally);

  g_assert_true (mwt_pool_drain (pool, NULL, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (work); i++)
    g_assert_cmpint (g_atomic_int_get (&work[i].n_runs), ==, 1);
  g_assert_false (mwt_pool_is_closed (pool));

  /* The callbacks come when the context is iterated, with results. */
  test_iterate_until (NULL, tally.n_callbacks == G_N_ELEMENTS (work));
  g_assert_cmpuint (tally.n_ok, ==, G_N_ELEMENTS (work));
}

static gpointer
count_on_main (gpointer   user_data,
               GError   **error)
{
  g_assert_true (g_main_context_is_owner (g_main_context_default ()));
  g_atomic_int_inc ((gint *) user_data);

  return NULL;
}

static gpointer
call_main (gpointer       thread_state,
           gpointer       func_data,
           GCancellable  *cancellable,
           GError       **error)
{
  return mwt_run_in_main (count_on_main, func_data, error);
}

static void
test_drain_blocking_serves_run_in_main_calls (void)
{
  g_autoptr(MwtPool) pool = NULL;
  g_autoptr(GError) error = NULL;
  gint n_calls = 0;

  if (test_ran_in_child ())
    return;

  pool = mwt_pool_new (2, NULL, NULL, NULL, NULL, NULL);
  for (guint i = 0; i < 20; i++)
    mwt_pool_run_async (pool, call_main, &n_calls, NULL, NULL, G_PRIORITY_DEFAULT, NULL, NULL, NULL);

  g_assert_true (mwt_pool_drain (pool, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (n_calls, ==, 20);
}

static gpointer
drain_own_pool (gpointer       thread_state,
                gpointer       func_data,
                GCancellable  *cancellable,
                GError       **error)
{
  g_assert_false (mwt_pool_drain (mwt_pool_get_current (), NULL, error));

  return NULL;
}

static void
test_drain_blocking_from_a_pool_thread_would_block (void)
{
  g_autoptr(MwtPool) pool = NULL;
  g_autoptr(GError) error = NULL;

  if (test_ran_in_child ())
    return;

  pool = mwt_pool_new (2, NULL, NULL, NULL, NULL, NULL);
  g_assert_null (mwt_pool_run_sync (pool, drain_own_pool, NULL, NULL, G_PRIORITY_DEFAULT, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
}

static gpointer
cancel_later (gpointer data)
{
  g_cancellable_cancel (data);

  return NULL;
}

static void
test_drain_blocking_cancelled_stops_only_the_wait (void)
{
  g_autoptr(MwtPool) pool = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  TestGate gate;
  Work held = { &gate, };
  Tally tally = { 0, };
  GThread *canceller;

  if (test_ran_in_child ())
    return;

  pool = mwt_pool_new (1, NULL, NULL, NULL, NULL, NULL);
  test_gate_init (&gate);
  run_work (pool, &held, NULL, &tally);
  test_gate_wait_for (&gate, 1);

  canceller = g_thread_new ("canceller", cancel_later, cancellable);
  g_assert_false (mwt_pool_drain (pool, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_thread_join (canceller);

  test_gate_open (&gate);
  test_iterate_until (NULL, tally.n_callbacks == 1);
  g_assert_cmpuint (tally.n_ok, ==, 1);
  test_gate_clear (&gate);
}

static void
test_current_in_tasks_init_and_exit (void)
{
  Threads threads;
  MwtPool *pool;
  g_autoptr(GTask) task = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  threads_init (&threads);
  pool = new_recorded_pool (&threads, 2);

  g_assert_true (run_and_wait (pool, return_current, NULL) == pool);

  task = g_task_new (NULL, NULL, test_store_result, &result);
  mwt_pool_run_task (pool, task, return_current_task);
  test_iterate_until (NULL, result != NULL);
  g_assert_true (g_task_propagate_pointer (G_TASK (result), NULL) == pool);

  /* Threads started by a resize see it too, and those that leave. */
  g_assert_true (mwt_pool_set_n_threads (pool, 3, NULL));
  g_assert_true (mwt_pool_set_n_threads (pool, 1, NULL));
  threads_wait_for_exits (&threads, 2);
  g_assert_true (mwt_pool_close (pool, NULL, NULL));

  g_assert_cmpuint (threads.inits->len, ==, 3);
  g_assert_cmpuint (threads.exits->len, ==, 3);
  g_assert_cmpuint (threads.n_wrong_current, ==, 0);
  g_object_unref (pool);
  threads_clear (&threads);
}

static gpointer
current_of_plain_thread (gpointer data)
{
  return mwt_pool_get_current ();
}

static gpointer
current_on_main (gpointer   user_data,
                 GError   **error)
{
  g_assert_true (g_thread_self () == user_data);

  return mwt_pool_get_current ();
}

static gpointer
current_from_main (gpointer       thread_state,
                   gpointer       func_data,
                   GCancellable  *cancellable,
                   GError       **error)
{
  /* The pool thread calls into the main thread: no pool there. */
  return mwt_run_in_main (current_on_main, func_data, error);
}

static void
test_current_is_null_outside_pool_threads (void)
{
  g_autoptr(MwtPool) pool = NULL;

  g_assert_null (mwt_pool_get_current ());
  g_assert_null (g_thread_join (g_thread_new ("plain", current_of_plain_thread, NULL)));

  pool = mwt_pool_new (1, NULL, NULL, NULL, NULL, NULL);
  g_assert_null (mwt_pool_get_current ());
  g_assert_null (g_thread_join (g_thread_new ("plain", current_of_plain_thread, NULL)));
  g_assert_null (run_and_wait (pool, current_from_main, g_thread_self ()));
}

static void
test_current_each_worker_sees_its_own_pool (void)
{
  MwtPool *pools[2];
  TestGate gate;
  Work work[2][6] = { { { 0, }, }, };
  Tally tally = { 0, };

  test_gate_init (&gate);
  for (guint p = 0; p < G_N_ELEMENTS (pools); p++)
    pools[p] = mwt_pool_new (2, NULL, NULL, NULL, NULL, NULL);

  /* Both pools' threads run at the same time. */
  for (guint p = 0; p < G_N_ELEMENTS (pools); p++)
    for (guint i = 0; i < G_N_ELEMENTS (work[p]); i++)
      {
        work[p][i].gate = &gate;
        run_work (pools[p], &work[p][i], NULL, &tally);
      }
  test_gate_wait_for (&gate, 4);
  test_gate_open (&gate);
  test_iterate_until (NULL, tally.n_callbacks == 12);
  g_assert_cmpuint (tally.n_ok, ==, 12);

  for (guint p = 0; p < G_N_ELEMENTS (pools); p++)
    for (guint i = 0; i < G_N_ELEMENTS (work[p]); i++)
      g_assert_true (work[p][i].current == pools[p]);

  for (guint p = 0; p < G_N_ELEMENTS (pools); p++)
    g_object_unref (pools[p]);
  test_gate_clear (&gate);
}

typedef struct
{
  GMainContext *context;
  MwtPool      *pool;
} Creation;

static gpointer
create_pool_on_own_context (gpointer data)
{
  Creation *creation = data;

  creation->context = g_main_context_new ();
  g_main_context_push_thread_default (creation->context);
  creation->pool = mwt_pool_new (1, NULL, NULL, NULL, NULL, NULL);
  g_main_context_pop_thread_default (creation->context);

  return NULL;
}

static void
test_context_is_the_creators_thread_default (void)
{
  g_autoptr(MwtPool) pool = mwt_pool_new (1, NULL, NULL, NULL, NULL, NULL);
  g_autoptr(MwtPool) pushed_pool = NULL;
  g_autoptr(GMainContext) context = g_main_context_new ();
  Creation creation = { NULL, };

  g_assert_true (mwt_pool_get_context (pool) == g_main_context_default ());

  g_main_context_push_thread_default (context);
  pushed_pool = mwt_pool_new (1, NULL, NULL, NULL, NULL, NULL);
  g_main_context_pop_thread_default (context);
  g_assert_true (mwt_pool_get_context (pushed_pool) == context);
  /* The context outlives the caller's push. */
  g_assert_true (mwt_pool_get_context (pushed_pool) != g_main_context_get_thread_default ());

  g_thread_join (g_thread_new ("creator", create_pool_on_own_context, &creation));
  g_assert_true (mwt_pool_get_context (creation.pool) == creation.context);
  g_assert_true (mwt_pool_close (creation.pool, NULL, NULL));
  g_object_unref (creation.pool);
  g_main_context_unref (creation.context);
}

/* Fire and forget: a worker posts to the pool's context and goes on. */
typedef struct
{
  MwtPool  *pool;
  TestGate *gate;
  gint      n_posted;
  gint      n_on_owner;
  gint      n_on_worker;
  GThread  *owner;
  GMainLoop *loop;
  guint     n_expected;
} Post;

static gboolean
posted (gpointer data)
{
  Post *post = data;

  if (g_thread_self () == post->owner)
    g_atomic_int_inc (&post->n_on_owner);
  if (mwt_pool_get_current () != NULL)
    g_atomic_int_inc (&post->n_on_worker);
  g_atomic_int_inc (&post->n_posted);
  if (post->loop != NULL && (guint) g_atomic_int_get (&post->n_posted) == post->n_expected)
    g_main_loop_quit (post->loop);

  return G_SOURCE_REMOVE;
}

static gpointer
post_and_go_on (gpointer       thread_state,
                gpointer       func_data,
                GCancellable  *cancellable,
                GError       **error)
{
  Post *post = func_data;

  g_main_context_invoke_full (mwt_pool_get_context (mwt_pool_get_current ()),
                              G_PRIORITY_DEFAULT, posted, post, NULL);
  /* The worker does not wait for the posted function. */
  if (post->gate != NULL)
    test_gate_pass (post->gate);

  return post;
}

static void
test_context_workers_post_without_waiting (void)
{
  g_autoptr(MwtPool) pool = mwt_pool_new (2, NULL, NULL, NULL, NULL, NULL);
  TestGate gate;
  Post post = { pool, &gate, 0, 0, 0, g_thread_self (), NULL, 0 };
  Tally tally = { 0, };

  /* Like GApplication and GMainLoop, the main thread owns its context. */
  g_assert_true (g_main_context_acquire (NULL));
  test_gate_init (&gate);
  mwt_pool_run_async (pool, post_and_go_on, &post, NULL, NULL, G_PRIORITY_DEFAULT, NULL, tally_run_callback, &tally);

  /* The worker posted and went on while the owner was not iterating. */
  test_gate_wait_for (&gate, 1);
  g_assert_cmpint (g_atomic_int_get (&post.n_posted), ==, 0);
  test_gate_open (&gate);

  test_iterate_until (NULL, tally.n_callbacks == 1 && g_atomic_int_get (&post.n_posted) == 1);
  g_assert_cmpint (post.n_on_owner, ==, 1);
  g_assert_cmpint (post.n_on_worker, ==, 0);
  g_main_context_release (NULL);
  test_gate_clear (&gate);
}

static gpointer
own_context_thread (gpointer data)
{
  Post *post = data;
  g_autoptr(GMainContext) context = g_main_context_new ();
  Tally tally = { 0, };

  post->owner = g_thread_self ();
  g_main_context_push_thread_default (context);
  post->pool = mwt_pool_new (2, NULL, NULL, NULL, NULL, NULL);
  post->loop = g_main_loop_new (context, FALSE);
  for (guint i = 0; i < post->n_expected; i++)
    mwt_pool_run_async (post->pool, post_and_go_on, post, NULL, NULL, G_PRIORITY_DEFAULT, NULL, tally_run_callback, &tally);
  g_main_loop_run (post->loop);
  test_iterate_until (context, tally.n_callbacks == post->n_expected);
  g_assert_cmpuint (tally.n_ok, ==, post->n_expected);
  g_assert_true (mwt_pool_close (post->pool, NULL, NULL));
  g_clear_object (&post->pool);
  g_main_loop_unref (post->loop);
  g_main_context_pop_thread_default (context);

  return NULL;
}

static void
test_context_posts_reach_a_thread_of_its_own (void)
{
  Post post = { NULL, NULL, 0, 0, 0, NULL, NULL, 50 };

  g_thread_join (g_thread_new ("owner", own_context_thread, &post));
  g_assert_cmpint (post.n_posted, ==, 50);
  g_assert_cmpint (post.n_on_owner, ==, 50);
  g_assert_cmpint (post.n_on_worker, ==, 0);
}

static gpointer
post_idle_and_go_on (gpointer       thread_state,
                     gpointer       func_data,
                     GCancellable  *cancellable,
                     GError       **error)
{
  Post *post = func_data;
  GSource *source = g_idle_source_new ();

  g_source_set_callback (source, posted, post, NULL);
  g_source_attach (source, mwt_pool_get_context (mwt_pool_get_current ()));
  g_source_unref (source);
  test_gate_pass (post->gate);

  return post;
}

/* The manual's advice for a context iterated by hand, hence not owned
 * between two iterations: an idle source, never run on the worker, where
 * g_main_context_invoke_full() would run the function at once.
 */
static void
test_context_idle_posts_never_run_on_the_worker (void)
{
  g_autoptr(MwtPool) pool = mwt_pool_new (1, NULL, NULL, NULL, NULL, NULL);
  TestGate gate;
  Post post = { pool, &gate, 0, 0, 0, g_thread_self (), NULL, 0 };
  Tally tally = { 0, };

  test_gate_init (&gate);
  g_assert_null (g_main_context_get_thread_default ());
  mwt_pool_run_async (pool, post_idle_and_go_on, &post, NULL, NULL, G_PRIORITY_DEFAULT, NULL, tally_run_callback, &tally);
  test_gate_wait_for (&gate, 1);
  g_assert_cmpint (g_atomic_int_get (&post.n_posted), ==, 0);
  test_gate_open (&gate);

  test_iterate_until (NULL, tally.n_callbacks == 1 && g_atomic_int_get (&post.n_posted) == 1);
  g_assert_cmpint (post.n_on_owner, ==, 1);
  g_assert_cmpint (post.n_on_worker, ==, 0);
  test_gate_clear (&gate);
}

/* Live counters */

typedef struct
{
  GMainContext *context;
  GThread      *owner;
  /* The main loop iteration under way, counted by the test's own loop. */
  guint         iteration;
  guint         n_busy_notifies;
  guint         n_queued_notifies;
  guint         n_threads_notifies;
  guint         n_closed_notifies;
  guint         last_busy_iteration;
  guint         last_queued_iteration;
  guint         last_n_busy;
  guint         last_n_queued;
  guint         last_n_threads;
  gboolean      last_closed;
} Notifies;

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              gpointer    user_data)
{
  Notifies *notifies = user_data;
  MwtPool *pool = MWT_POOL (object);

  /* Only on the owning context, by the thread iterating it. */
  g_assert_true (g_thread_self () == notifies->owner);
  g_assert_true (g_main_context_is_owner (notifies->context));
  g_assert_true (mwt_pool_get_context (pool) == notifies->context);

  if (g_str_equal (pspec->name, "n-busy"))
    {
      if (notifies->iteration > 0)
        {
          g_assert_cmpuint (notifies->last_busy_iteration, <, notifies->iteration);
          notifies->last_busy_iteration = notifies->iteration;
        }
      notifies->n_busy_notifies++;
      g_object_get (object, "n-busy", &notifies->last_n_busy, NULL);
    }
  else if (g_str_equal (pspec->name, "n-queued"))
    {
      if (notifies->iteration > 0)
        {
          g_assert_cmpuint (notifies->last_queued_iteration, <, notifies->iteration);
          notifies->last_queued_iteration = notifies->iteration;
        }
      notifies->n_queued_notifies++;
      g_object_get (object, "n-queued", &notifies->last_n_queued, NULL);
    }
  else if (g_str_equal (pspec->name, "n-threads"))
    {
      notifies->n_threads_notifies++;
      g_object_get (object, "n-threads", &notifies->last_n_threads, NULL);
    }
  else if (g_str_equal (pspec->name, "closed"))
    {
      notifies->n_closed_notifies++;
      g_object_get (object, "closed", &notifies->last_closed, NULL);
    }
  else
    g_assert_not_reached ();
}

static void
notifies_init (Notifies     *notifies,
               GMainContext *context)
{
  memset (notifies, 0, sizeof *notifies);
  notifies->context = context != NULL ? context : g_main_context_default ();
  notifies->owner = g_thread_self ();
}

/* One main loop iteration, counted. */
static gboolean
counted_iteration (Notifies *notifies,
                   gboolean  may_block)
{
  gboolean dispatched;

  notifies->iteration++;
  dispatched = g_main_context_iteration (notifies->context, may_block);

  return dispatched;
}

static void
test_counters_exact_while_held (void)
{
  g_autoptr(MwtPool) pool = mwt_pool_new (2, NULL, NULL, NULL, NULL, NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  TestGate gate;
  Work work[7] = { { 0, }, };
  Tally tally = { 0, };
  guint n_busy, n_queued;

  g_assert_cmpuint (mwt_pool_get_n_busy (pool), ==, 0);
  g_assert_cmpuint (mwt_pool_get_n_queued (pool), ==, 0);

  test_gate_init (&gate);
  for (guint i = 0; i < 5; i++)
    {
      work[i].gate = &gate;
      run_work (pool, &work[i], NULL, &tally);
    }
  test_gate_wait_for (&gate, 2);

  g_assert_cmpuint (mwt_pool_get_n_busy (pool), ==, 2);
  g_assert_cmpuint (mwt_pool_get_n_queued (pool), ==, 3);
  g_object_get (pool, "n-busy", &n_busy, "n-queued", &n_queued, NULL);
  g_assert_cmpuint (n_busy, ==, 2);
  g_assert_cmpuint (n_queued, ==, 3);

  /* One more queued, then one leaves the queue. */
  work[5].gate = &gate;
  run_work (pool, &work[5], cancellable, &tally);
  g_assert_cmpuint (mwt_pool_get_n_queued (pool), ==, 4);
  g_cancellable_cancel (cancellable);
  g_assert_cmpuint (mwt_pool_get_n_queued (pool), ==, 3);
  g_assert_cmpuint (mwt_pool_get_n_busy (pool), ==, 2);

  test_gate_open (&gate);
  test_iterate_until (NULL, tally.n_callbacks == 6);
  g_assert_cmpuint (tally.n_ok, ==, 5);
  g_assert_cmpuint (tally.n_cancelled, ==, 1);
  g_assert_cmpuint (mwt_pool_get_n_busy (pool), ==, 0);
  g_assert_cmpuint (mwt_pool_get_n_queued (pool), ==, 0);
  g_object_get (pool, "n-busy", &n_busy, "n-queued", &n_queued, NULL);
  g_assert_cmpuint (n_busy, ==, 0);
  g_assert_cmpuint (n_queued, ==, 0);
  test_gate_clear (&gate);
}

static gpointer
resize_and_close_elsewhere (gpointer data)
{
  MwtPool *pool = data;

  g_assert_true (mwt_pool_set_n_threads (pool, 3, NULL));
  mwt_pool_close_async (pool, G_PRIORITY_DEFAULT, NULL, NULL, NULL);

  return NULL;
}

static void
test_counters_notify_only_on_the_owning_thread (void)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(MwtPool) pool = NULL;
  Notifies notifies;
  TestGate gate;
  Work work[6] = { { 0, }, };
  Tally tally = { 0, };

  /* A context of its own, iterated by this thread only. */
  notifies_init (&notifies, context);
  g_main_context_push_thread_default (context);
  pool = mwt_pool_new (2, NULL, NULL, NULL, NULL, NULL);
  g_signal_connect (pool, "notify", G_CALLBACK (count_notify), &notifies);

  test_gate_init (&gate);
  for (guint i = 0; i < G_N_ELEMENTS (work); i++)
    {
      work[i].gate = &gate;
      run_work (pool, &work[i], NULL, &tally);
    }
  test_gate_wait_for (&gate, 2);
  test_iterate_until (context, notifies.last_n_busy == 2 && notifies.last_n_queued == 4);

  test_gate_open (&gate);
  test_iterate_until (context, tally.n_callbacks == G_N_ELEMENTS (work));
  test_iterate_until (context, notifies.last_n_busy == 0 && notifies.last_n_queued == 0);

  /* Changes made on another thread are announced here too. */
  g_thread_join (g_thread_new ("other", resize_and_close_elsewhere, pool));
  test_iterate_until (context, notifies.n_threads_notifies == 1 && notifies.n_closed_notifies == 1);
  g_assert_cmpuint (notifies.last_n_threads, ==, 3);
  g_assert_true (notifies.last_closed);
  g_assert_cmpuint (tally.n_ok, ==, G_N_ELEMENTS (work));

  g_assert_true (mwt_pool_close (pool, NULL, NULL));
  g_main_context_pop_thread_default (context);
  test_gate_clear (&gate);
}

static void
test_counters_notify_at_most_once_per_iteration (void)
{
  g_autoptr(MwtPool) pool = mwt_pool_new (2, NULL, NULL, NULL, NULL, NULL);
  const guint n_tasks = 10000;
  Notifies notifies;
  Tally tally = { 0, };
  Work *work = g_new0 (Work, n_tasks);

  notifies_init (&notifies, NULL);
  g_signal_connect (pool, "notify", G_CALLBACK (count_notify), &notifies);

  /* The loop runs while the burst is submitted, and after. */
  for (guint i = 0; i < n_tasks; i++)
    {
      run_work (pool, &work[i], NULL, &tally);
      if (i % 50 == 0)
        counted_iteration (&notifies, FALSE);
    }
  while (tally.n_callbacks < n_tasks)
    counted_iteration (&notifies, TRUE);
  /* The last changes are announced too. */
  while (counted_iteration (&notifies, FALSE))
    ;

  g_test_message ("%u iterations; %u n-busy and %u n-queued notifications",
                  notifies.iteration, notifies.n_busy_notifies, notifies.n_queued_notifies);
  g_assert_cmpuint (tally.n_ok, ==, n_tasks);
  g_assert_cmpuint (notifies.n_busy_notifies, >, 0);
  g_assert_cmpuint (notifies.n_queued_notifies, >, 0);
  g_assert_cmpuint (notifies.n_busy_notifies, <=, notifies.iteration);
  g_assert_cmpuint (notifies.n_queued_notifies, <=, notifies.iteration);
  g_assert_cmpuint (notifies.n_busy_notifies, <, n_tasks / 10);
  g_assert_cmpuint (notifies.n_queued_notifies, <, n_tasks / 10);

  /* What was last announced is the final state. */
  g_assert_cmpuint (notifies.last_n_busy, ==, 0);
  g_assert_cmpuint (notifies.last_n_queued, ==, 0);
  g_assert_cmpuint (mwt_pool_get_n_busy (pool), ==, 0);
  g_assert_cmpuint (mwt_pool_get_n_queued (pool), ==, 0);

  g_free (work);
}

/* A countdown the tasks of a burst run down on their threads. */
typedef struct
{
  GMutex mutex;
  GCond  cond;
  guint  n_left;
} Countdown;

static gpointer
count_down (gpointer       thread_state,
            gpointer       func_data,
            GCancellable  *cancellable,
            GError       **error)
{
  Countdown *countdown = func_data;

  g_mutex_lock (&countdown->mutex);
  if (--countdown->n_left == 0)
    g_cond_broadcast (&countdown->cond);
  g_mutex_unlock (&countdown->mutex);

  return NULL;
}

static void
test_counters_burst_coalesces_while_the_loop_is_busy (void)
{
  g_autoptr(MwtPool) pool = mwt_pool_new (4, NULL, NULL, NULL, NULL, NULL);
  const guint n_tasks = 10000;
  Countdown countdown = { .n_left = n_tasks };
  gint64 deadline = g_get_monotonic_time () + TEST_HANG_TIMEOUT_USEC;
  Notifies notifies;
  Tally tally = { 0, };

  notifies_init (&notifies, NULL);
  g_signal_connect (pool, "notify", G_CALLBACK (count_notify), &notifies);
  g_mutex_init (&countdown.mutex);
  g_cond_init (&countdown.cond);

  /* The main loop is busy elsewhere while the whole burst runs. */
  for (guint i = 0; i < n_tasks; i++)
    mwt_pool_run_async (pool, count_down, &countdown, NULL, NULL, G_PRIORITY_DEFAULT, NULL, tally_run_callback, &tally);
  g_mutex_lock (&countdown.mutex);
  while (countdown.n_left > 0)
    if (!g_cond_wait_until (&countdown.cond, &countdown.mutex, deadline))
      g_error ("the burst did not run");
  g_mutex_unlock (&countdown.mutex);

  while (tally.n_callbacks < n_tasks)
    counted_iteration (&notifies, TRUE);
  while (counted_iteration (&notifies, FALSE))
    ;

  g_test_message ("%u iterations; %u n-busy and %u n-queued notifications",
                  notifies.iteration, notifies.n_busy_notifies, notifies.n_queued_notifies);
  g_assert_cmpuint (notifies.n_busy_notifies, <=, notifies.iteration);
  g_assert_cmpuint (notifies.n_queued_notifies, <=, notifies.iteration);
  /* The burst is announced in a handful of notifications. */
  g_assert_cmpuint (notifies.n_busy_notifies, <=, 4);
  g_assert_cmpuint (notifies.n_queued_notifies, <=, 4);
  g_assert_cmpuint (notifies.last_n_busy, ==, 0);
  g_assert_cmpuint (notifies.last_n_queued, ==, 0);

  g_mutex_clear (&countdown.mutex);
  g_cond_clear (&countdown.cond);
}

/* The pool announces nothing while nobody listens, which must not cost a
 * handler connected later the changes that follow.
 */
static void
test_counters_a_handler_connected_later_hears_what_follows (void)
{
  g_autoptr(MwtPool) pool = mwt_pool_new (1, NULL, NULL, NULL, NULL, NULL);
  Notifies notifies;
  TestGate gate;
  Work work[2] = { { 0, }, };
  Tally tally = { 0, };

  run_work (pool, &work[0], NULL, &tally);
  test_iterate_until (NULL, tally.n_callbacks == 1);
  test_iterate_pending (NULL);

  notifies_init (&notifies, NULL);
  g_signal_connect (pool, "notify::n-busy", G_CALLBACK (count_notify), &notifies);

  test_gate_init (&gate);
  work[1].gate = &gate;
  run_work (pool, &work[1], NULL, &tally);
  test_gate_wait_for (&gate, 1);
  test_iterate_until (NULL, notifies.last_n_busy == 1);
  test_gate_open (&gate);
  test_iterate_until (NULL, tally.n_callbacks == 2 && notifies.last_n_busy == 0);
  g_assert_cmpuint (notifies.n_busy_notifies, >=, 2);
  g_assert_cmpuint (tally.n_ok, ==, 2);
  test_gate_clear (&gate);
}

static void
test_counters_n_threads_notifies_on_resize (void)
{
  g_autoptr(MwtPool) pool = mwt_pool_new (2, NULL, NULL, NULL, NULL, NULL);
  Notifies notifies;

  notifies_init (&notifies, NULL);
  g_signal_connect (pool, "notify::n-threads", G_CALLBACK (count_notify), &notifies);

  g_assert_true (mwt_pool_set_n_threads (pool, 4, NULL));
  test_iterate_until (NULL, notifies.n_threads_notifies == 1);
  g_assert_cmpuint (notifies.last_n_threads, ==, 4);

  g_assert_true (mwt_pool_set_n_threads (pool, 1, NULL));
  test_iterate_until (NULL, notifies.n_threads_notifies == 2);
  g_assert_cmpuint (notifies.last_n_threads, ==, 1);

  /* No change, no notification. */
  g_assert_true (mwt_pool_set_n_threads (pool, 1, NULL));
  test_iterate_pending (NULL);
  g_assert_cmpuint (notifies.n_threads_notifies, ==, 2);
}

static void
test_counters_closed_notifies_on_close (void)
{
  g_autoptr(MwtPool) pool = mwt_pool_new (2, NULL, NULL, NULL, NULL, NULL);
  Notifies notifies;

  notifies_init (&notifies, NULL);
  g_signal_connect (pool, "notify::closed", G_CALLBACK (count_notify), &notifies);

  test_iterate_pending (NULL);
  g_assert_cmpuint (notifies.n_closed_notifies, ==, 0);
  mwt_pool_close_async (pool, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
  test_iterate_until (NULL, notifies.n_closed_notifies == 1);
  g_assert_true (notifies.last_closed);

  /* Closing again changes nothing. */
  g_assert_true (mwt_pool_close (pool, NULL, NULL));
  test_iterate_pending (NULL);
  g_assert_cmpuint (notifies.n_closed_notifies, ==, 1);
}

/* Resizing */

static void
test_resize_grow_runs_init_on_new_threads (void)
{
  Threads threads;
  g_autoptr(GError) error = NULL;
  MwtPool *pool;

  threads_init (&threads);
  pool = new_recorded_pool (&threads, 2);
  g_assert_cmpuint (threads.inits->len, ==, 2);

  g_assert_true (mwt_pool_set_n_threads (pool, 5, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (mwt_pool_get_n_threads (pool), ==, 5);

  /* Every init returned before the resize did, each on a thread of its own. */
  g_assert_cmpuint (threads.inits->len, ==, 5);
  for (guint i = 0; i < threads.inits->len; i++)
    {
      g_assert_true (threads.inits->pdata[i] != g_thread_self ());
      for (guint j = 0; j < i; j++)
        g_assert_true (threads.inits->pdata[i] != threads.inits->pdata[j]);
    }
  g_assert_cmpuint (threads_get_n_exits (&threads), ==, 0);
  g_assert_cmpuint (threads.n_wrong_current, ==, 0);

  g_assert_true (mwt_pool_close (pool, NULL, NULL));
  g_assert_cmpuint (threads.exits->len, ==, 5);
  g_object_unref (pool);
  threads_clear (&threads);
}

static void
test_resize_grow_runs_more_tasks_at_once (void)
{
  Threads threads;
  MwtPool *pool;
  TestGate gate;
  Work held = { &gate, }, queued[2] = { { &gate, }, { &gate, } };
  Tally tally = { 0, };

  threads_init (&threads);
  pool = new_recorded_pool (&threads, 1);
  assert_runs_exactly (pool, 1);

  /* Growing while a task holds the only thread: the new threads take
   * the queued tasks.
   */
  test_gate_init (&gate);
  run_work (pool, &held, NULL, &tally);
  run_work (pool, &queued[0], NULL, &tally);
  run_work (pool, &queued[1], NULL, &tally);
  test_gate_wait_for (&gate, 1);
  g_assert_cmpuint (mwt_pool_get_n_queued (pool), ==, 2);

  g_assert_true (mwt_pool_set_n_threads (pool, 3, NULL));
  test_gate_wait_for (&gate, 3);
  g_assert_cmpuint (mwt_pool_get_n_busy (pool), ==, 3);
  g_assert_true (queued[0].thread != held.thread);
  g_assert_true (queued[1].thread != held.thread);
  g_assert_true (queued[0].thread != queued[1].thread);
  test_gate_open (&gate);
  test_iterate_until (NULL, tally.n_callbacks == 3);
  g_assert_cmpuint (tally.n_ok, ==, 3);

  assert_runs_exactly (pool, 3);

  g_assert_true (mwt_pool_close (pool, NULL, NULL));
  g_object_unref (pool);
  test_gate_clear (&gate);
  threads_clear (&threads);
}

static void
test_resize_failing_init_keeps_the_old_size (void)
{
  Threads threads;
  g_autoptr(GError) error = NULL;
  Notifies notifies;
  MwtPool *pool;
  GThread *started;

  threads_init (&threads);
  pool = new_recorded_pool (&threads, 2);
  notifies_init (&notifies, NULL);
  g_signal_connect (pool, "notify::n-threads", G_CALLBACK (count_notify), &notifies);

  /* Of the three new threads, the first to init succeeds, the others fail. */
  threads.fail_from = 4;
  g_assert_false (mwt_pool_set_n_threads (pool, 5, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
  g_clear_error (&error);
  g_assert_cmpuint (mwt_pool_get_n_threads (pool), ==, 2);
  g_assert_cmpuint (threads.n_failed, ==, 2);
  g_assert_cmpuint (threads.inits->len, ==, 3);

  /* The new thread that did start runs its at_exit and leaves. */
  started = threads.inits->pdata[2];
  threads_wait_for_exits (&threads, 1);
  g_assert_true (threads.exits->pdata[0] == started);

  assert_runs_exactly (pool, 2);
  test_iterate_pending (NULL);
  g_assert_cmpuint (notifies.n_threads_notifies, ==, 0);

  /* All the new threads failing. */
  threads.fail_from = 1;
  g_assert_false (mwt_pool_set_n_threads (pool, 3, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
  g_clear_error (&error);
  g_assert_cmpuint (mwt_pool_get_n_threads (pool), ==, 2);
  assert_runs_exactly (pool, 2);

  /* The pool can still grow. */
  threads.fail_from = 0;
  g_assert_true (mwt_pool_set_n_threads (pool, 3, &error));
  g_assert_no_error (error);
  assert_runs_exactly (pool, 3);

  g_assert_true (mwt_pool_close (pool, NULL, NULL));
  g_assert_cmpuint (threads.exits->len, ==, threads.inits->len);
  g_object_unref (pool);
  threads_clear (&threads);
}

static void
test_resize_shrink_lets_surplus_threads_finish (void)
{
  Threads threads;
  MwtPool *pool;
  TestGate gate;
  Work held[4] = { { 0, }, };
  Work queued[4] = { { 0, }, };
  Tally tally = { 0, };

  threads_init (&threads);
  test_gate_init (&gate);
  pool = new_recorded_pool (&threads, 4);

  for (guint i = 0; i < G_N_ELEMENTS (held); i++)
    {
      held[i].gate = &gate;
      run_work (pool, &held[i], NULL, &tally);
    }
  for (guint i = 0; i < G_N_ELEMENTS (queued); i++)
    run_work (pool, &queued[i], NULL, &tally);
  test_gate_wait_for (&gate, 4);

  /* The shrink returns at once: nobody can leave before its task ends. */
  g_assert_true (mwt_pool_set_n_threads (pool, 2, NULL));
  g_assert_cmpuint (mwt_pool_get_n_threads (pool), ==, 2);
  g_assert_cmpuint (threads_get_n_exits (&threads), ==, 0);
  g_assert_cmpuint (mwt_pool_get_n_busy (pool), ==, 4);
  g_assert_cmpuint (mwt_pool_get_n_queued (pool), ==, 4);

  test_gate_open (&gate);
  test_iterate_until (NULL, tally.n_callbacks == 8);
  g_assert_cmpuint (tally.n_ok, ==, 8);
  for (guint i = 0; i < G_N_ELEMENTS (held); i++)
    g_assert_cmpint (held[i].n_runs, ==, 1);
  for (guint i = 0; i < G_N_ELEMENTS (queued); i++)
    g_assert_cmpint (queued[i].n_runs, ==, 1);

  /* Two of the pool's threads left, each after its own at_exit. */
  threads_wait_for_exits (&threads, 2);
  for (guint i = 0; i < 2; i++)
    g_assert_true (g_ptr_array_find (threads.inits, threads.exits->pdata[i], NULL));
  g_assert_true (threads.exits->pdata[0] != threads.exits->pdata[1]);

  g_assert_true (mwt_pool_close (pool, NULL, NULL));
  g_assert_cmpuint (threads.exits->len, ==, 4);
  g_assert_cmpuint (threads.n_wrong_current, ==, 0);
  g_object_unref (pool);
  test_gate_clear (&gate);
  threads_clear (&threads);
}

static void
test_resize_shrink_caps_concurrency (void)
{
  Threads threads;
  MwtPool *pool;

  threads_init (&threads);
  pool = new_recorded_pool (&threads, 4);
  assert_runs_exactly (pool, 4);

  /* Idle surplus threads leave at once. */
  g_assert_true (mwt_pool_set_n_threads (pool, 2, NULL));
  threads_wait_for_exits (&threads, 2);
  assert_runs_exactly (pool, 2);

  g_assert_true (mwt_pool_set_n_threads (pool, 1, NULL));
  threads_wait_for_exits (&threads, 3);
  assert_runs_exactly (pool, 1);

  g_assert_true (mwt_pool_close (pool, NULL, NULL));
  g_assert_cmpuint (threads.exits->len, ==, 4);
  g_object_unref (pool);
  threads_clear (&threads);
}

static void
test_resize_growing_back_keeps_leaving_threads (void)
{
  Threads threads;
  MwtPool *pool;
  TestGate gate;
  Work held[4] = { { 0, }, };
  Tally tally = { 0, };

  threads_init (&threads);
  test_gate_init (&gate);
  pool = new_recorded_pool (&threads, 4);

  for (guint i = 0; i < G_N_ELEMENTS (held); i++)
    {
      held[i].gate = &gate;
      run_work (pool, &held[i], NULL, &tally);
    }
  test_gate_wait_for (&gate, 4);

  /* Shrunk, then grown back before anyone could leave: nobody leaves and
   * no thread starts.
   */
  g_assert_true (mwt_pool_set_n_threads (pool, 1, NULL));
  g_assert_true (mwt_pool_set_n_threads (pool, 4, NULL));
  g_assert_cmpuint (mwt_pool_get_n_threads (pool), ==, 4);
  g_assert_cmpuint (threads.inits->len, ==, 4);

  test_gate_open (&gate);
  test_iterate_until (NULL, tally.n_callbacks == 4);
  assert_runs_exactly (pool, 4);
  g_assert_cmpuint (threads_get_n_exits (&threads), ==, 0);

  g_assert_true (mwt_pool_close (pool, NULL, NULL));
  g_assert_cmpuint (threads.exits->len, ==, 4);
  g_object_unref (pool);
  test_gate_clear (&gate);
  threads_clear (&threads);
}

static void
test_resize_closed_pool_fails (void)
{
  g_autoptr(MwtPool) pool = mwt_pool_new (2, NULL, NULL, NULL, NULL, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (mwt_pool_close (pool, NULL, NULL));
  g_assert_false (mwt_pool_set_n_threads (pool, 3, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_clear_error (&error);
  g_assert_false (mwt_pool_set_n_threads (pool, 1, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_assert_cmpuint (mwt_pool_get_n_threads (pool), ==, 2);
}

typedef struct
{
  guint *callbacks;
  guint  index;
  gint   n_runs;
} Counted;

static gpointer
counted_func (gpointer       thread_state,
              gpointer       func_data,
              GCancellable  *cancellable,
              GError       **error)
{
  Counted *counted = func_data;

  g_atomic_int_inc (&counted->n_runs);

  return counted;
}

static void
counted_callback (GObject      *source_object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  Counted *counted = mwt_pool_run_finish (MWT_POOL (source_object), result, &error);
  guint *n_callbacks = user_data;

  g_assert_no_error (error);
  counted->callbacks[counted->index]++;
  (*n_callbacks)++;
}

static void
test_resize_loses_no_task_under_load (void)
{
  Threads threads;
  MwtPool *pool;
  const guint n_tasks = 2000;
  const guint sizes[] = { 4, 1, 6, 2, 5, 1, 3 };
  Counted *counted = g_new0 (Counted, n_tasks);
  guint *callbacks = g_new0 (guint, n_tasks);
  guint n_callbacks = 0, n_resizes = 0;

  threads_init (&threads);
  pool = new_recorded_pool (&threads, 2);

  for (guint i = 0; i < n_tasks; i++)
    {
      counted[i].callbacks = callbacks;
      counted[i].index = i;
      mwt_pool_run_async (pool, counted_func, &counted[i], NULL, NULL, G_PRIORITY_DEFAULT, NULL, counted_callback, &n_callbacks);
      if (i % 250 == 0)
        g_assert_true (mwt_pool_set_n_threads (pool, sizes[n_resizes++ % G_N_ELEMENTS (sizes)], NULL));
      if (i % 7 == 0)
        g_main_context_iteration (NULL, FALSE);
    }

  /* And while the rest completes. */
  while (n_callbacks < n_tasks)
    {
      if (n_resizes < 3 * G_N_ELEMENTS (sizes))
        g_assert_true (mwt_pool_set_n_threads (pool, sizes[n_resizes++ % G_N_ELEMENTS (sizes)], NULL));
      g_main_context_iteration (NULL, TRUE);
    }
  test_iterate_pending (NULL);

  for (guint i = 0; i < n_tasks; i++)
    {
      g_assert_cmpint (counted[i].n_runs, ==, 1);
      g_assert_cmpuint (callbacks[i], ==, 1);
    }
  g_assert_cmpuint (n_callbacks, ==, n_tasks);
  g_assert_cmpuint (mwt_pool_get_n_busy (pool), ==, 0);
  g_assert_cmpuint (mwt_pool_get_n_queued (pool), ==, 0);

  /* Every thread that started ends with its at_exit, none more. */
  g_assert_true (mwt_pool_close (pool, NULL, NULL));
  g_assert_cmpuint (threads.exits->len, ==, threads.inits->len);
  g_object_unref (pool);
  threads_clear (&threads);
  g_free (counted);
  g_free (callbacks);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Mwt/Pool/drain/waits-for-the-callbacks-of-earlier-run-async-tasks",
                   test_drain_waits_for_earlier_run_async_callbacks);
  g_test_add_func ("/Mwt/Pool/drain/waits-for-the-callbacks-of-earlier-run-task-tasks",
                   test_drain_waits_for_earlier_run_task_callbacks);
  g_test_add_func ("/Mwt/Pool/drain/completes-on-the-callers-context",
                   test_drain_completes_on_the_callers_context);
  g_test_add_func ("/Mwt/Pool/drain/is-not-held-up-by-later-tasks",
                   test_drain_is_not_held_up_by_later_tasks);
  g_test_add_func ("/Mwt/Pool/drain/leaves-the-pool-open",
                   test_drain_leaves_the_pool_open);
  g_test_add_func ("/Mwt/Pool/drain/then-close-fails-no-queued-task",
                   test_drain_then_close_fails_no_queued_task);
  g_test_add_func ("/Mwt/Pool/drain/close-alone-still-fails-queued-tasks",
                   test_close_alone_fails_queued_tasks);
  g_test_add_func ("/Mwt/Pool/drain/close-completes-after-the-callbacks-of-busy-tasks",
                   test_close_completes_after_busy_callbacks);
  g_test_add_func ("/Mwt/Pool/drain/cancelling-stops-only-the-wait",
                   test_drain_cancel_stops_only_the_wait);
  g_test_add_func ("/Mwt/Pool/drain/on-an-idle-pool-completes",
                   test_drain_on_an_idle_pool);
  g_test_add_func ("/Mwt/Pool/drain/on-a-closed-pool-waits-for-the-threads-to-exit",
                   test_drain_on_a_closed_pool_waits_for_exits);
  g_test_add_func ("/Mwt/Pool/drain/completes-after-the-callbacks-of-cancelled-tasks",
                   test_drain_completes_after_cancelled_callbacks);
  g_test_add_func ("/Mwt/Pool/drain/completes-after-the-callbacks-of-low-priority-tasks",
                   test_drain_completes_after_low_priority_callbacks);
  g_test_add_func ("/Mwt/Pool/drain/blocking-returns-once-earlier-tasks-ran",
                   test_drain_blocking_returns_once_earlier_tasks_ran);
  g_test_add_func ("/Mwt/Pool/drain/blocking-serves-run-in-main-calls",
                   test_drain_blocking_serves_run_in_main_calls);
  g_test_add_func ("/Mwt/Pool/drain/blocking-from-a-pool-thread-would-block",
                   test_drain_blocking_from_a_pool_thread_would_block);
  g_test_add_func ("/Mwt/Pool/drain/blocking-cancelled-stops-only-the-wait",
                   test_drain_blocking_cancelled_stops_only_the_wait);

  g_test_add_func ("/Mwt/Pool/current/is-the-pool-in-tasks-init-and-at-exit",
                   test_current_in_tasks_init_and_exit);
  g_test_add_func ("/Mwt/Pool/current/is-null-outside-pool-threads",
                   test_current_is_null_outside_pool_threads);
  g_test_add_func ("/Mwt/Pool/current/each-worker-sees-its-own-pool",
                   test_current_each_worker_sees_its_own_pool);
  g_test_add_func ("/Mwt/Pool/context/is-the-creators-thread-default",
                   test_context_is_the_creators_thread_default);
  g_test_add_func ("/Mwt/Pool/context/workers-post-to-it-without-waiting",
                   test_context_workers_post_without_waiting);
  g_test_add_func ("/Mwt/Pool/context/posts-reach-the-thread-that-runs-it",
                   test_context_posts_reach_a_thread_of_its_own);
  g_test_add_func ("/Mwt/Pool/context/idle-posts-never-run-on-the-worker",
                   test_context_idle_posts_never_run_on_the_worker);

  g_test_add_func ("/Mwt/Pool/counters/are-exact-while-tasks-are-held",
                   test_counters_exact_while_held);
  g_test_add_func ("/Mwt/Pool/counters/notify-only-on-the-owning-thread",
                   test_counters_notify_only_on_the_owning_thread);
  g_test_add_func ("/Mwt/Pool/counters/notify-at-most-once-per-iteration-under-a-burst",
                   test_counters_notify_at_most_once_per_iteration);
  g_test_add_func ("/Mwt/Pool/counters/a-burst-coalesces-while-the-loop-is-busy",
                   test_counters_burst_coalesces_while_the_loop_is_busy);
  g_test_add_func ("/Mwt/Pool/counters/a-handler-connected-later-hears-what-follows",
                   test_counters_a_handler_connected_later_hears_what_follows);
  g_test_add_func ("/Mwt/Pool/counters/n-threads-notifies-on-resize",
                   test_counters_n_threads_notifies_on_resize);
  g_test_add_func ("/Mwt/Pool/counters/closed-notifies-on-close",
                   test_counters_closed_notifies_on_close);

  g_test_add_func ("/Mwt/Pool/resize/grow-runs-init-on-new-threads",
                   test_resize_grow_runs_init_on_new_threads);
  g_test_add_func ("/Mwt/Pool/resize/grow-runs-more-tasks-at-once",
                   test_resize_grow_runs_more_tasks_at_once);
  g_test_add_func ("/Mwt/Pool/resize/failing-init-keeps-the-old-size",
                   test_resize_failing_init_keeps_the_old_size);
  g_test_add_func ("/Mwt/Pool/resize/shrink-lets-surplus-threads-finish-and-exit",
                   test_resize_shrink_lets_surplus_threads_finish);
  g_test_add_func ("/Mwt/Pool/resize/after-a-shrink-at-most-the-new-number-run",
                   test_resize_shrink_caps_concurrency);
  g_test_add_func ("/Mwt/Pool/resize/growing-back-keeps-the-leaving-threads",
                   test_resize_growing_back_keeps_leaving_threads);
  g_test_add_func ("/Mwt/Pool/resize/closed-pool-fails",
                   test_resize_closed_pool_fails);
  g_test_add_func ("/Mwt/Pool/resize/loses-no-task-under-load",
                   test_resize_loses_no_task_under_load);

  return g_test_run ();
}
