/* mwt-job-private.h
 *
 * SPDX-FileCopyrightText: 2026 The mwt authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#ifndef MWT_COMPILATION
# error "mwt-job-private.h is internal to mwt"
#endif

#include "mwt-pool.h"
#include "mwt-dispatcher-private.h"

G_BEGIN_DECLS

typedef enum {
  MWT_JOB_NEW,
  MWT_JOB_QUEUED,
  MWT_JOB_RUNNING,
  MWT_JOB_DONE,
} MwtJobState;

/* One task on its way through a pool: submitted on the caller's thread,
 * queued, run on a worker, then handed back to a dispatcher that releases
 * it. A mwt_pool_run_async() job goes back to the task's context, where the
 * dispatcher completes the task. A mwt_pool_run_task() task was completed
 * by its function already, and GTask delivers it: its job goes back to the
 * pool's own context, which does not depend on the caller iterating its
 * context once more after the callback.
 */
typedef struct _MwtJob
{
  /* The link sits in the pool's queue, then in the dispatcher's. */
  MwtDispatchItem    item;

  MwtPool           *pool;
  GTask             *task;
  MwtDispatcher     *dispatcher;
  gulong             cancelled_id;
  guint64            seq;

  /* mwt_pool_run_task() sets task_func; mwt_pool_run_async() the rest. */
  MwtPoolThreadFunc  task_func;
  MwtPoolFunc        func;
  gpointer           func_data;
  GDestroyNotify     func_data_destroy;
  GDestroyNotify     result_destroy;
  gpointer           result;

  /* The error of func, or why the job never ran. */
  GError            *error;

  /* Guarded by the pool's mutex. */
  MwtJobState        state;
} MwtJob;

/* Takes over the caller's reference to @task. */
MwtJob *mwt_job_new (MwtPool  *pool,
                     GTask    *task);
void    mwt_job_run (MwtJob   *job,
                     gpointer  thread_state);

G_END_DECLS
