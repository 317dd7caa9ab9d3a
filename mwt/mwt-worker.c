/* mwt-worker.c: the life of one pool thread
 *
 * SPDX-FileCopyrightText: 2026 The mwt authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#ifdef HAVE_SCHED_GETAFFINITY
# define _GNU_SOURCE
# include <sched.h>
#endif

#include "mwt-job-private.h"
#include "mwt-pool-private.h"
#include "mwt-waiter-private.h"

static GPrivate current_worker;

/* The worker whose thread is calling, or NULL on any other thread. */
MwtWorker *
mwt_worker_get_current (void)
{
  return g_private_get (&current_worker);
}

/* Remembers to wake @dispatcher's context once the lock is released.
 * Returns FALSE when the worker is running user code, which may call the
 * pool and then go on for long, or when there is no room left: the caller
 * wakes it at once.
 */
gboolean
mwt_worker_defer_wake (MwtWorker     *worker,
                       MwtDispatcher *dispatcher)
{
  if (!worker->defers_wakes)
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (worker->to_wake); i++)
    {
      if (worker->to_wake[i] == NULL)
        worker->to_wake[i] = dispatcher;
      if (worker->to_wake[i] == dispatcher)
        return TRUE;
    }

  return FALSE;
}

/* Called without the lock, or with it right before the thread sleeps.
 * The pool, and so its dispatchers, lives at least as long as this
 * thread: the pool joins its threads before it destroys them.
 */
static void
mwt_worker_wake_deferred (MwtWorker *worker)
{
  for (guint i = 0; i < G_N_ELEMENTS (worker->to_wake); i++)
    {
      if (worker->to_wake[i] != NULL)
        mwt_dispatcher_wake (worker->to_wake[i]);
      worker->to_wake[i] = NULL;
    }
}

gpointer
mwt_worker_main (gpointer data)
{
  MwtWorker *worker = data;
  MwtPool *pool = worker->pool;
  GError *error = NULL;
  gboolean init_failed;
  MwtJob *job;

  g_private_set (&current_worker, worker);

  if (pool->init != NULL)
    worker->state = pool->init (pool->init_data, &error);

  init_failed = error != NULL;

  g_mutex_lock (&pool->mutex);

  if (mwt_pool_report_init_locked (pool, worker, g_steal_pointer (&error)))
    {
      worker->defers_wakes = TRUE;

      while ((job = mwt_pool_next_job_locked (pool, worker)) != NULL)
        {
          worker->defers_wakes = FALSE;
          g_mutex_unlock (&pool->mutex);
          mwt_worker_wake_deferred (worker);
          mwt_job_run (job, worker->state);
          g_mutex_lock (&pool->mutex);
          worker->defers_wakes = TRUE;

          mwt_pool_job_done_locked (pool, worker, job);
          if (worker->to_wake[0] != NULL)
            {
              g_mutex_unlock (&pool->mutex);
              mwt_worker_wake_deferred (worker);
              g_mutex_lock (&pool->mutex);
            }
        }

      worker->defers_wakes = FALSE;
    }

  g_mutex_unlock (&pool->mutex);
  mwt_worker_wake_deferred (worker);

  /* A thread whose init succeeded always cleans up, even when another
   * thread's init failed and the pool never opened.
   */
  if (!init_failed && pool->at_exit != NULL)
    pool->at_exit (worker->state, pool->at_exit_data);

  g_mutex_lock (&pool->mutex);
  mwt_pool_worker_exited_locked (pool, worker);
  g_mutex_unlock (&pool->mutex);

  g_private_set (&current_worker, NULL);

  return NULL;
}

/* Starting and running threads; every function below is called with the
 * pool's lock held.
 */

void
mwt_thread_batch_unref_locked (MwtThreadBatch *batch)
{
  if (--batch->ref_count > 0)
    return;

  g_clear_error (&batch->error);
  g_clear_object (&batch->task);
  g_free (batch);
}

gboolean
mwt_thread_batch_is_settled (MwtPool  *pool,
                             gpointer  data)
{
  MwtThreadBatch *batch = data;

  return batch->n_pending == 0;
}

/* Every thread of the batch has reported its init. A failed creation
 * completes only once the threads that did start have exited.
 */
static void
mwt_pool_batch_settled_locked (MwtPool        *pool,
                               MwtThreadBatch *batch)
{
  MwtWaiter *waiter;

  g_cond_broadcast (&pool->state_cond);

  if (batch->task == NULL)
    return;

  if (batch->error == NULL)
    g_cancellable_set_error_if_cancelled (g_task_get_cancellable (batch->task), &batch->error);

  waiter = mwt_waiter_new (pool, g_steal_pointer (&batch->task));

  if (batch->error == NULL)
    {
      mwt_waiter_finish_locked (waiter, NULL);
      return;
    }

  waiter->error = g_error_copy (batch->error);
  mwt_pool_begin_close_locked (pool);
  waiter->queue = &pool->exit_waiters;
  g_queue_push_tail_link (&pool->exit_waiters, &waiter->link);
  if (g_queue_is_empty (&pool->workers))
    mwt_pool_finish_exit_waiters_locked (pool);
}

/* Starts @n_threads threads that report to a new batch. A thread that
 * cannot be created counts as a failed init.
 */
MwtThreadBatch *
mwt_pool_start_threads_locked (MwtPool *pool,
                               guint    n_threads,
                               GTask   *task)
{
  MwtThreadBatch *batch = g_new0 (MwtThreadBatch, 1);

  batch->ref_count = 1;
  batch->n_pending = n_threads;
  batch->task = task;

  for (guint i = 0; i < n_threads; i++)
    {
      MwtWorker *worker = g_new0 (MwtWorker, 1);
      GError *error = NULL;

      worker->link.data = worker;
      worker->pool = pool;
      worker->batch = batch;
      worker->thread = g_thread_try_new ("mwt-worker", mwt_worker_main, worker, &error);

      if (worker->thread == NULL)
        {
          g_free (worker);
          if (batch->error == NULL)
            batch->error = g_steal_pointer (&error);
          g_clear_error (&error);
          batch->n_pending -= n_threads - i;
          break;
        }

      batch->ref_count++;
      g_queue_push_tail_link (&pool->workers, &worker->link);
    }

  if (batch->n_pending == 0)
    mwt_pool_batch_settled_locked (pool, batch);

  return batch;
}

/* Called by each new thread once its init returned, with the lock held.
 * Returns whether the thread joins the pool: it waits until every thread
 * of its batch has reported, and leaves if any init failed.
 */
gboolean
mwt_pool_report_init_locked (MwtPool   *pool,
                             MwtWorker *worker,
                             GError    *error)
{
  MwtThreadBatch *batch = g_steal_pointer (&worker->batch);
  gboolean joined;

  if (error != NULL && batch->error == NULL)
    batch->error = error;
  else if (error != NULL)
    g_error_free (error);

  if (--batch->n_pending == 0)
    mwt_pool_batch_settled_locked (pool, batch);
  else if (error == NULL)
    while (batch->n_pending > 0)
      g_cond_wait (&pool->state_cond, &pool->mutex);

  joined = error == NULL && batch->error == NULL;
  mwt_thread_batch_unref_locked (batch);

  return joined;
}

/* A thread that finished a job seeks more before it sleeps: it yields a
 * few times in case more work comes, which spares the submitter a wake-up
 * (a system call, and on another CPU a slow one) and itself a sleep. While
 * a thread seeks, submitters wake nobody else. Yielding, not spinning,
 * leaves the CPU to others. A thread seeks once per stretch of work, so
 * idle pools cost nothing.
 */
#define MWT_SEEK_YIELDS 32

static void
mwt_pool_seek_unlocked (MwtPool *pool)
{
  for (guint i = 0; i < MWT_SEEK_YIELDS; i++)
    {
      if (g_atomic_pointer_get (&pool->incoming) != NULL || g_atomic_int_get (&pool->closed))
        return;
      g_thread_yield ();
    }
}

/* Yielding pays only if the submitter can run meanwhile on another CPU.
 * On one CPU shared with it, sleeping at once is cheaper: a round trip
 * took 12 us with yields and 7 us without, pinned with taskset. The
 * thread's affinity is read again at most every 100 ms: a system call on
 * every round trip cost more than it saved.
 */
static gboolean
mwt_worker_has_cpus_to_share (MwtWorker *worker)
{
  gint64 now = g_get_monotonic_time ();

  if (worker->cpus_read_at != 0 && now - worker->cpus_read_at < 100 * G_TIME_SPAN_MILLISECOND)
    return worker->has_cpus_to_share;

  worker->cpus_read_at = now;
  worker->has_cpus_to_share = g_get_num_processors () > 1;

#ifdef HAVE_SCHED_GETAFFINITY
  {
    cpu_set_t cpus;

    if (sched_getaffinity (0, sizeof cpus, &cpus) == 0)
      worker->has_cpus_to_share = CPU_COUNT (&cpus) > 1;
  }
#endif

  return worker->has_cpus_to_share;
}

static void
mwt_worker_stop_seeking (MwtWorker *worker)
{
  if (!worker->seeking)
    return;

  worker->seeking = FALSE;
  g_atomic_int_dec_and_test (&worker->pool->n_seeking);
}

/* Wakes a sleeping thread if work is left for it in the queue. */
static void
mwt_pool_wake_another_locked (MwtPool *pool)
{
  if (pool->n_idle > 0 && !g_queue_is_empty (&pool->queue))
    g_cond_signal (&pool->work_cond);
}

gpointer
mwt_pool_next_job_locked (MwtPool   *pool,
                          MwtWorker *worker)
{
  for (;;)
    {
      GList *link;

      mwt_pool_collect_incoming_locked (pool);

      if (pool->closed)
        break;

      if (pool->n_excess > 0)
        {
          pool->n_excess--;
          /* A submitter may have left its job to this thread. */
          mwt_pool_wake_another_locked (pool);
          break;
        }

      link = g_queue_pop_head_link (&pool->queue);
      if (link != NULL)
        {
          MwtJob *job = link->data;

          mwt_worker_stop_seeking (worker);
          job->state = MWT_JOB_RUNNING;
          pool->n_busy++;
          /* Each woken thread wakes the next while work is left. */
          mwt_pool_wake_another_locked (pool);
          mwt_pool_queue_notify_locked (pool, MWT_NOTIFY_N_BUSY | MWT_NOTIFY_N_QUEUED);
          return job;
        }

      /* Submitters that saw this thread seeking did not wake anyone:
       * stopping before the stack is checked again, with the lock held,
       * makes sure that it sees their jobs.
       */
      if (worker->seeking)
        {
          g_mutex_unlock (&pool->mutex);
          mwt_worker_wake_deferred (worker);
          if (mwt_worker_has_cpus_to_share (worker))
            mwt_pool_seek_unlocked (pool);
          mwt_worker_stop_seeking (worker);
          g_mutex_lock (&pool->mutex);
          continue;
        }

      /* Submitters read n_idle after pushing: either they see this thread
       * idle and signal, or it sees their job here.
       */
      mwt_worker_wake_deferred (worker);
      g_atomic_int_inc (&pool->n_idle);
      if (g_atomic_pointer_get (&pool->incoming) == NULL)
        g_cond_wait (&pool->work_cond, &pool->mutex);
      g_atomic_int_dec_and_test (&pool->n_idle);
    }

  mwt_worker_stop_seeking (worker);

  return NULL;
}

void
mwt_pool_job_done_locked (MwtPool   *pool,
                          MwtWorker *worker,
                          gpointer   job)
{
  /* Before the hand-back can wake a submitter. */
  worker->seeking = TRUE;
  g_atomic_int_inc (&pool->n_seeking);

  pool->n_busy--;
  mwt_pool_hand_back_locked (pool, job);
  mwt_pool_queue_notify_locked (pool, MWT_NOTIFY_N_BUSY);
}

void
mwt_pool_worker_exited_locked (MwtPool   *pool,
                               MwtWorker *worker)
{
  g_queue_unlink (&pool->workers, &worker->link);
  g_queue_push_tail_link (&pool->exited, &worker->link);

  if (g_queue_is_empty (&pool->workers))
    {
      mwt_pool_finish_exit_waiters_locked (pool);
      g_cond_broadcast (&pool->state_cond);
    }
}
