/* mwt-worker.c: the life of one pool thread
 *
 * SPDX-FileCopyrightText: 2026 The mwt authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "mwt-worker-private.h"

/* Threads started together report their init to a batch, then wait at
 * its gate until all have: one failure sends them all home, and whoever
 * started them hears of the outcome through a blocker or a notice.
 */
struct _MwtThreadBatch
{
  gint        ref_count;
  GMutex      mutex;
  GCond       cond;
  guint       n_pending;
  GError     *error;
  MwtBlocker *blocker;
  MwtNotice  *notice;
  /* Set, with the blocker's lock, once the blocker was woken. */
  gboolean    told;
};

static GPrivate current_worker;

MwtWorker *
mwt_worker_get_current (void)
{
  return g_private_get (&current_worker);
}

static MwtThreadBatch *
mwt_thread_batch_ref (MwtThreadBatch *batch)
{
  g_atomic_int_inc (&batch->ref_count);

  return batch;
}

void
mwt_thread_batch_unref (MwtThreadBatch *batch)
{
  if (!g_atomic_int_dec_and_test (&batch->ref_count))
    return;

  g_clear_error (&batch->error);
  g_mutex_clear (&batch->mutex);
  g_cond_clear (&batch->cond);
  g_free (batch);
}

/* Whether the blocked starter was told that every thread reported: a
 * predicate for mwt_main_wait().
 */
gboolean
mwt_thread_batch_has_settled (gpointer data)
{
  MwtThreadBatch *batch = data;

  return mwt_blocker_is_finished (batch->blocker, &batch->told);
}

GError *
mwt_thread_batch_dup_error (MwtThreadBatch *batch)
{
  GError *error;

  g_mutex_lock (&batch->mutex);
  error = batch->error != NULL ? g_error_copy (batch->error) : NULL;
  g_mutex_unlock (&batch->mutex);

  return error;
}

/* Records @n_threads outcomes, failed ones with @error (taken). Returns
 * whether the batch settled with it; the caller then tells the starter,
 * once it has released the batch's lock.
 */
static gboolean
mwt_thread_batch_report_locked (MwtThreadBatch *batch,
                                guint           n_threads,
                                GError         *error)
{
  if (error != NULL && batch->error == NULL)
    batch->error = error;
  else if (error != NULL)
    g_error_free (error);

  batch->n_pending -= n_threads;
  if (batch->n_pending > 0)
    return FALSE;

  g_cond_broadcast (&batch->cond);

  return TRUE;
}

static void
mwt_thread_batch_tell_starter (MwtThreadBatch *batch)
{
  if (batch->blocker != NULL)
    mwt_blocker_finish (batch->blocker, &batch->told);

  if (batch->notice != NULL)
    mwt_wakeup_signal (mwt_dispatcher_push (batch->notice->dispatcher, &batch->notice->item));
}

/* Called by each new thread once its init returned. Returns whether the
 * thread joins the pool: it waits until every thread of its batch has
 * reported, and leaves if any init failed.
 */
static gboolean
mwt_thread_batch_report (MwtThreadBatch *batch,
                         GError         *error)
{
  gboolean failed = error != NULL;
  gboolean settled;
  gboolean joined;

  g_mutex_lock (&batch->mutex);
  settled = mwt_thread_batch_report_locked (batch, 1, error);
  if (!failed)
    while (batch->n_pending > 0)
      g_cond_wait (&batch->cond, &batch->mutex);
  joined = batch->error == NULL;
  g_mutex_unlock (&batch->mutex);

  if (settled)
    mwt_thread_batch_tell_starter (batch);

  return joined;
}

static void
mwt_worker_run_jobs (MwtWorker *worker)
{
  MwtScheduler *scheduler = worker->workers->scheduler;
  MwtJob *job = NULL;

  while ((job = mwt_scheduler_next_job (scheduler, &worker->seat, job)) != NULL)
    {
      mwt_job_run (job, worker->state);
      mwt_scheduler_start_seeking (scheduler, &worker->seat);
    }

  g_clear_pointer (&worker->seat.dispatcher, mwt_dispatcher_unref);
}

/* Dropping the last reference to a joinable GThread that was never
 * joined detaches it.
 */
static void
mwt_worker_free_detached (MwtWorker *worker)
{
  g_thread_unref (worker->thread);
  g_free (worker);
}

static gpointer
mwt_worker_main (gpointer data)
{
  MwtWorker *worker = data;
  MwtWorkers *workers = worker->workers;
  const MwtThreadFuncs *funcs = workers->funcs;
  GError *error = NULL;
  gboolean init_failed;

  g_private_set (&current_worker, worker);

  if (funcs->init != NULL)
    worker->state = funcs->init (funcs->init_data, &error);
  init_failed = error != NULL;

  if (mwt_thread_batch_report (worker->batch, g_steal_pointer (&error)))
    mwt_worker_run_jobs (worker);
  g_clear_pointer (&worker->batch, mwt_thread_batch_unref);

  /* A thread whose init succeeded always cleans up, even when another
   * thread's init failed and the pool never opened.
   */
  if (!init_failed && funcs->at_exit != NULL)
    funcs->at_exit (worker->state, funcs->at_exit_data);

  g_private_set (&current_worker, NULL);

  /* Joinable before it counts as gone: whoever waits for every thread to
   * leave then joins this one too. Detached instead if nobody will; the
   * pool may go once the thread left, which touches nothing of it after.
   */
  g_mutex_lock (&workers->mutex);
  if (workers->detached)
    mwt_worker_free_detached (worker);
  else
    g_queue_push_tail_link (&workers->exited, &worker->link);
  g_mutex_unlock (&workers->mutex);

  mwt_scheduler_leave (workers->scheduler);

  return NULL;
}

void
mwt_workers_init (MwtWorkers           *self,
                  MwtScheduler         *scheduler,
                  const MwtThreadFuncs *funcs,
                  MwtPool              *pool,
                  GMainContext         *context)
{
  self->scheduler = scheduler;
  self->funcs = funcs;
  self->pool = pool;
  self->context = context;
  self->dispatcher = mwt_dispatcher_get_for_context (context);
  g_mutex_init (&self->mutex);
  g_queue_init (&self->exited);
}

/* Every thread must have been joined. */
void
mwt_workers_clear (MwtWorkers *self)
{
  g_assert (g_queue_is_empty (&self->exited));
  mwt_dispatcher_unref (self->dispatcher);
  g_mutex_clear (&self->mutex);
}

/* Starts @n_threads threads that report to a new batch, stored in
 * @batch_out; its settling wakes @blocker or hands @notice to its
 * dispatcher. A thread that cannot be created counts as a failed init.
 */
void
mwt_workers_start (MwtWorkers      *self,
                   guint            n_threads,
                   MwtBlocker      *blocker,
                   MwtNotice       *notice,
                   MwtThreadBatch **batch_out)
{
  MwtThreadBatch *batch = g_new0 (MwtThreadBatch, 1);
  gboolean settled = FALSE;

  batch->ref_count = 1;
  g_mutex_init (&batch->mutex);
  g_cond_init (&batch->cond);
  batch->n_pending = n_threads;
  batch->blocker = blocker;
  batch->notice = notice;
  /* Known to the starter before the batch can settle. */
  *batch_out = batch;

  mwt_scheduler_add_members (self->scheduler, n_threads);

  /* A thread that exits at once waits for the lock to declare itself
   * joinable, by which time its GThread is known.
   */
  g_mutex_lock (&self->mutex);

  for (guint i = 0; i < n_threads; i++)
    {
      MwtWorker *worker = g_new0 (MwtWorker, 1);
      GError *error = NULL;

      worker->link.data = worker;
      worker->workers = self;
      worker->batch = mwt_thread_batch_ref (batch);
      worker->thread = g_thread_try_new ("mwt-worker", mwt_worker_main, worker, &error);

      if (worker->thread == NULL)
        {
          mwt_thread_batch_unref (batch);
          g_free (worker);

          g_mutex_lock (&batch->mutex);
          settled = mwt_thread_batch_report_locked (batch, n_threads - i, error);
          g_mutex_unlock (&batch->mutex);

          for (guint j = i; j < n_threads; j++)
            mwt_scheduler_leave (self->scheduler);
          break;
        }
    }

  g_mutex_unlock (&self->mutex);

  if (settled)
    mwt_thread_batch_tell_starter (batch);
}

/* Joins the threads that are done. Never called by a thread of the pool:
 * a thread is in the exited queue only once it has nothing left to do
 * but return.
 */
void
mwt_workers_join_exited (MwtWorkers *self)
{
  GQueue exited;
  GList *link;

  g_mutex_lock (&self->mutex);
  exited = self->exited;
  g_queue_init (&self->exited);
  g_mutex_unlock (&self->mutex);

  while ((link = g_queue_pop_head_link (&exited)) != NULL)
    {
      MwtWorker *worker = link->data;

      g_thread_join (worker->thread);
      g_free (worker);
    }
}

/* Nobody may ever join the threads: the pool may never be finalized. The
 * threads that are done are detached now, and the others detach
 * themselves on their way out. Called by a thread of the pool too.
 */
void
mwt_workers_detach (MwtWorkers *self)
{
  GQueue exited;
  GList *link;

  g_mutex_lock (&self->mutex);
  self->detached = TRUE;
  exited = self->exited;
  g_queue_init (&self->exited);
  g_mutex_unlock (&self->mutex);

  while ((link = g_queue_pop_head_link (&exited)) != NULL)
    mwt_worker_free_detached (link->data);
}
