/* mwt-job.c
 *
 * SPDX-FileCopyrightText: 2026 The mwt authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "mwt-job-private.h"
#include "mwt-cancel-watch-private.h"
#include "mwt-runner-private.h"

/* A full job without a cancellable has no cancel_link: a run_task task
 * without one costs no more than before the link came.
 */
static gsize
mwt_job_full_size (GCancellable *cancellable)
{
  return cancellable != NULL ? sizeof (MwtJobFull) : G_STRUCT_OFFSET (MwtJobFull, cancel_link);
}

static gsize
mwt_job_size (MwtJob *job)
{
  MwtJobFull *full = mwt_job_get_full (job);

  return full != NULL ? mwt_job_full_size (full->cancellable) : sizeof (MwtJob);
}

MwtJobFull *
mwt_job_get_full (MwtJob *job)
{
  return job->flags & MWT_JOB_FULL ? (MwtJobFull *) job : NULL;
}

/* An item job's end, wherever it completes: its done function, if it has
 * one, then the references it holds, the pool's last.
 */
static void
mwt_job_complete_item (MwtItemJob *item_job)
{
  MwtJob *job = &item_job->full.job;
  MwtRunner *runner = item_job->runner;
  GMainContext *context = item_job->context;
  MwtPool *pool = context != NULL ? item_job->full.pool : NULL;
  GError *error = job->flags & MWT_JOB_FAILED ? job->u.error : NULL;

  mwt_cancel_watch_leave (&item_job->full);

  /* In place, an item that ran ended with the runner's function. */
  if (runner->done != NULL && (context != NULL || error != NULL))
    runner->done (item_job->item, error, runner->done_data);

  g_clear_error (&error);
  g_slice_free (MwtItemJob, item_job);

  g_object_unref (runner);
  if (context != NULL)
    mwt_context_unref_after_dispatch (context);
  g_clear_object (&pool);
}

/* Runs on the thread of the task's context, from its dispatcher: this is
 * where everything the caller owns is released.
 */
static void
mwt_job_complete (MwtDispatchItem *item)
{
  MwtJob *job = (MwtJob *) item;
  MwtJobFull *full = mwt_job_get_full (job);
  GTask *task = job->task;
  MwtPool *owned_pool = NULL;

  if (job->kind == MWT_JOB_ITEM)
    {
      mwt_job_complete_item ((MwtItemJob *) job);
      return;
    }

  if (full != NULL)
    {
      mwt_cancel_watch_leave (full);
      if (g_task_get_source_object (task) != full->pool)
        owned_pool = full->pool;
    }

  if (job->kind == MWT_JOB_ASYNC)
    {
      /* The function's data goes before the callback runs. */
      if (job->flags & MWT_JOB_FREES_DATA)
        g_task_set_task_data (task, NULL, NULL);

      if (job->flags & MWT_JOB_FAILED)
        g_task_return_error (task, job->u.error);
      else
        g_task_return_pointer (task, job->u.result, full != NULL ? full->result_destroy : NULL);
    }
  else if (job->flags & MWT_JOB_FAILED)
    g_task_return_error (task, job->u.error);
  /* else the mwt_pool_run_task() function returned the task itself. */

  g_slice_free1 (mwt_job_size (job), job);

  /* Last: either may finalize the pool. */
  g_object_unref (task);
  g_clear_object (&owned_pool);
}

/* Takes over the caller's reference to @task, whose cancellable is
 * @cancellable. A job whose task has the pool as source object relies on
 * it to keep the pool alive; any other holds a reference of its own.
 */
MwtJob *
mwt_job_new (MwtJobKind      kind,
             MwtPool        *pool,
             GTask          *task,
             gpointer        func,
             GCancellable   *cancellable,
             GDestroyNotify  result_destroy)
{
  gboolean needs_full = kind == MWT_JOB_TASK || result_destroy != NULL || cancellable != NULL;
  MwtJob *job;

  /* GSlice, like GTask itself: before GLib 2.76, a per-thread cache. */
  if (needs_full)
    {
      MwtJobFull *full = g_slice_alloc (mwt_job_full_size (cancellable));

      full->pool = g_task_get_source_object (task) == pool ? pool : g_object_ref (pool);
      full->cancellable = cancellable;
      full->result_destroy = result_destroy;
      if (cancellable != NULL)
        full->cancel_link = (GList) { NULL, };
      job = &full->job;
      job->flags = MWT_JOB_FULL;
    }
  else
    {
      job = g_slice_new (MwtJob);
      job->flags = 0;
    }

  mwt_dispatch_item_init (&job->item, mwt_job_complete);
  job->task = task;
  job->u.func = func;
  job->epoch = 0;
  job->state = MWT_JOB_NEW;
  job->kind = kind;

  return job;
}

/* An item job with a done function to run on the pusher's context keeps
 * the pool alive until then, as a GTask's source object would; any other
 * completes where it ends, maybe on a pool thread, which must not drop the
 * pool's last reference.
 */
MwtJob *
mwt_job_new_item (MwtPool      *pool,
                  MwtRunner    *runner,
                  gpointer      item,
                  gint          priority,
                  GCancellable *cancellable)
{
  MwtItemJob *item_job = g_slice_new0 (MwtItemJob);
  MwtJob *job = &item_job->full.job;

  mwt_dispatch_item_init (&job->item, mwt_job_complete);
  job->state = MWT_JOB_NEW;
  job->kind = MWT_JOB_ITEM;
  job->flags = MWT_JOB_FULL;
  item_job->full.pool = pool;
  item_job->full.cancellable = cancellable;
  item_job->runner = g_object_ref (runner);
  item_job->item = item;
  item_job->priority = priority;

  if (runner->done != NULL && !(runner->flags & MWT_RUNNER_IN_PLACE))
    {
      g_object_ref (pool);
      item_job->context = g_main_context_ref_thread_default ();
    }

  return job;
}

void
mwt_job_init_sync (MwtSyncJob   *sync,
                   MwtPool      *pool,
                   MwtPoolFunc   func,
                   gpointer      func_data,
                   gint          priority,
                   GCancellable *cancellable,
                   MwtBlocker   *blocker)
{
  MwtJob *job = &sync->full.job;

  *sync = (MwtSyncJob) {
    .full = { .pool = pool, .cancellable = cancellable },
    .func_data = func_data,
    .priority = priority,
    .blocker = blocker,
  };
  job->u.func = func;
  job->state = MWT_JOB_NEW;
  job->kind = MWT_JOB_SYNC;
  job->flags = MWT_JOB_FULL;
}

gint
mwt_job_get_priority (MwtJob *job)
{
  switch (job->kind)
    {
    case MWT_JOB_SYNC:
      return ((MwtSyncJob *) job)->priority;

    case MWT_JOB_ITEM:
      return ((MwtItemJob *) job)->priority;

    default:
      return g_task_get_priority (job->task);
    }
}

/* Only a full job has one. */
GCancellable *
mwt_job_get_cancellable (MwtJob *job)
{
  return job->flags & MWT_JOB_FULL ? ((MwtJobFull *) job)->cancellable : NULL;
}

void
mwt_job_run (MwtJob   *job,
             gpointer  thread_state)
{
  GTask *task = job->task;
  GError *error = NULL;

  switch (job->kind)
    {
    case MWT_JOB_TASK:
      job->u.task_func (task,
                        g_task_get_source_object (task),
                        g_task_get_task_data (task),
                        g_task_get_cancellable (task),
                        thread_state);
      return;

    case MWT_JOB_ASYNC:
      job->u.result = job->u.func (thread_state, g_task_get_task_data (task),
                                   mwt_job_get_cancellable (job), &error);
      break;

    case MWT_JOB_SYNC:
      job->u.result = job->u.func (thread_state, ((MwtSyncJob *) job)->func_data,
                                   mwt_job_get_cancellable (job), &error);
      break;

    case MWT_JOB_ITEM:
      {
        MwtItemJob *item_job = (MwtItemJob *) job;
        MwtRunner *runner = item_job->runner;

        runner->func (thread_state, item_job->item, item_job->full.cancellable, runner->func_data);
      }
      return;
    }

  if (error != NULL)
    {
      job->u.error = error;
      job->flags |= MWT_JOB_FAILED;
    }
}

/* Why a job never ran. */
void
mwt_job_fail (MwtJob      *job,
              gint         code,
              const gchar *message)
{
  job->u.error = g_error_new_literal (G_IO_ERROR, code, message);
  job->flags |= MWT_JOB_FAILED;
}

/* Whether @job has no context to go back to: an item whose runner has
 * no done function, or one that runs in place.
 */
gboolean
mwt_job_ends_in_place (MwtJob *job)
{
  return job->kind == MWT_JOB_ITEM && ((MwtItemJob *) job)->context == NULL;
}

/* Completes, once the caller holds no lock, the item jobs that
 * mwt_job_hand_back() put aside, or one that just ran.
 */
void
mwt_job_complete_in_place (GList *jobs)
{
  while (jobs != NULL)
    {
      MwtItemJob *item_job = (MwtItemJob *) jobs;

      jobs = jobs->next;
      mwt_job_complete_item (item_job);
    }
}

/* Hands @job back to whoever completes it: the blocked caller of a
 * mwt_pool_run_sync(), or the dispatcher of the task's context. A
 * mwt_pool_run_task() job that ran goes to @pool_context instead: its
 * function completed the task already, GTask delivers that on the task's
 * context, and the job only releases the task, which must not wait for
 * the caller to iterate its context once more after the callback. An item
 * job whose runner has no done function has no context: it goes on
 * @in_place, for mwt_job_complete_in_place(). @cache keeps the last
 * dispatcher used, to spare a look-up per job. Returns the wake-up to
 * signal once the caller holds no lock, or NULL.
 */
MwtWakeup *
mwt_job_hand_back (MwtJob         *job,
                   GMainContext   *pool_context,
                   MwtDispatcher **cache,
                   GList         **in_place)
{
  GMainContext *context;

  job->state = MWT_JOB_DONE;

  switch (job->kind)
    {
    case MWT_JOB_SYNC:
      {
        MwtSyncJob *sync = (MwtSyncJob *) job;

        mwt_blocker_finish (sync->blocker, &sync->finished);
        return NULL;
      }

    case MWT_JOB_ITEM:
      context = ((MwtItemJob *) job)->context;
      if (context == NULL)
        {
          job->item.link.next = *in_place;
          *in_place = &job->item.link;
          return NULL;
        }
      break;

    case MWT_JOB_TASK:
      if (!(job->flags & MWT_JOB_FAILED))
        context = pool_context;
      else
        context = g_task_get_context (job->task);
      break;

    default:
      context = g_task_get_context (job->task);
      break;
    }

  if (*cache == NULL || !mwt_dispatcher_serves (*cache, context))
    {
      g_clear_pointer (cache, mwt_dispatcher_unref);
      *cache = mwt_dispatcher_get_for_context (context);
    }

  return mwt_dispatcher_push (*cache, &job->item);
}
