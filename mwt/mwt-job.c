/* mwt-job.c
 *
 * SPDX-FileCopyrightText: 2026 The mwt authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "mwt-job-private.h"

/* Runs on the thread of the task's context, from its dispatcher: this is
 * where everything the caller owns is released, never on a worker.
 */
static void
mwt_job_complete (MwtDispatchItem *item)
{
  MwtJob *job = (MwtJob *) item;
  MwtPool *pool = job->pool;
  GTask *task = job->task;
  gboolean owns_pool = g_task_get_source_object (task) != pool;

  if (job->cancelled_id != 0)
    g_cancellable_disconnect (g_task_get_cancellable (task), job->cancelled_id);

  if (job->func_data_destroy != NULL)
    job->func_data_destroy (job->func_data);

  if (job->error != NULL)
    g_task_return_error (task, job->error);
  else if (job->func != NULL)
    g_task_return_pointer (task, job->result, job->result_destroy);
  /* else a mwt_pool_run_task() function ran and returned the task itself. */

  g_slice_free (MwtJob, job);

  /* Last: either may finalize the pool, and with it the dispatcher. */
  g_object_unref (task);
  if (owns_pool)
    g_object_unref (pool);
}

/* Takes over the reference to @task. A task whose source object is the
 * pool, as every mwt_pool_run_async() task, keeps the pool alive as long
 * as the job; for any other, the job holds a reference of its own.
 */
MwtJob *
mwt_job_new (MwtPool *pool,
             GTask   *task)
{
  /* GSlice, like GTask itself: before GLib 2.76 it is a per-thread cache
   * that a burst of jobs does not fault in page by page.
   */
  MwtJob *job = g_slice_new0 (MwtJob);

  job->item.func = mwt_job_complete;
  job->pool = g_task_get_source_object (task) == pool ? pool : g_object_ref (pool);
  job->task = task;

  return job;
}

void
mwt_job_run (MwtJob   *job,
             gpointer  thread_state)
{
  GTask *task = job->task;

  if (job->task_func != NULL)
    job->task_func (task,
                    g_task_get_source_object (task),
                    g_task_get_task_data (task),
                    g_task_get_cancellable (task),
                    thread_state);
  else
    job->result = job->func (thread_state,
                             job->func_data,
                             g_task_get_cancellable (task),
                             &job->error);
}
