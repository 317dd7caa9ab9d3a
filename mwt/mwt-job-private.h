/* mwt-job-private.h: one task on its way through a pool
 *
 * SPDX-FileCopyrightText: 2026 The mwt authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#ifndef MWT_COMPILATION
# error "mwt-job-private.h is internal to mwt"
#endif

#include "mwt-pool.h"
#include "mwt-blocker-private.h"
#include "mwt-dispatcher-private.h"
#include "mwt-runner.h"

G_BEGIN_DECLS

typedef enum {
  MWT_JOB_ASYNC,  /* mwt_pool_run_async() */
  MWT_JOB_TASK,   /* mwt_pool_run_task() */
  MWT_JOB_SYNC,   /* mwt_pool_run_sync() */
  MWT_JOB_ITEM,   /* mwt_pool_push() */
} MwtJobKind;

typedef enum {
  MWT_JOB_NEW,
  MWT_JOB_QUEUED,
  MWT_JOB_RUNNING,
  MWT_JOB_DONE,
} MwtJobState;

typedef enum {
  MWT_JOB_FAILED     = 1 << 0,  /* u.error is set */
  MWT_JOB_FULL       = 1 << 1,  /* the job is a MwtJobFull */
  MWT_JOB_FREES_DATA = 1 << 2,  /* the task data has a destroy notify */
  MWT_JOB_IN_HANDLER = 1 << 3,  /* failed by its cancellable's handler */
} MwtJobFlags;

/* A job is submitted on the caller's thread, queued, run on a pool
 * thread, then handed back to the dispatcher of its task's context, where
 * it completes the task and releases what the caller gave: never on a
 * pool thread. A mwt_pool_run_sync() job lives on its caller's stack and
 * is handed back to the blocked caller instead.
 *
 * Kept small: a queued mwt_pool_run_async() task costs its GTask and this
 * job. The function's data rides in the task's task data.
 */
typedef struct _MwtJob
{
  /* In the run queue, then in a dispatcher. */
  MwtDispatchItem item;
  GTask          *task;
  union {
    MwtPoolFunc       func;
    MwtPoolThreadFunc task_func;
    gpointer          result;
    GError           *error;
  } u;
  /* The drain epoch it was queued in (see mwt-scheduler.c). */
  guint32         epoch;
  /* Guarded by the scheduler's lock once submitted. */
  guint8          state;
  guint8          kind;
  guint8          flags;
} MwtJob;

/* What a job needs beyond the common case: its pool (a reference when
 * the task's source object is not the pool), the cancellable (the task's
 * or the caller's), how to free a result nobody collects, and its place
 * among the pool's jobs that use the cancellable.
 */
typedef struct _MwtJobFull
{
  MwtJob          job;
  MwtPool        *pool;
  GCancellable   *cancellable;
  GDestroyNotify  result_destroy;
  /* From submission to completion, in the watch of its cancellable,
   * which is the link's data (see mwt-cancel-watch.c). Last: a job
   * without a cancellable is allocated without it.
   */
  GList           cancel_link;
} MwtJobFull;

/* The job whose cancel_link @link is. */
static inline MwtJob *
mwt_job_from_cancel_link (GList *link)
{
  return &((MwtJobFull *) ((guint8 *) link - G_STRUCT_OFFSET (MwtJobFull, cancel_link)))->job;
}

typedef struct _MwtSyncJob
{
  MwtJobFull      full;
  gpointer        func_data;
  gint            priority;
  /* Set with the blocker's lock held, then read by the blocked caller. */
  gboolean        finished;
  MwtBlocker     *blocker;
} MwtSyncJob;

/* An item pushed for a runner: there is no GTask. It completes on
 * @context, where the runner's done function runs, or, if there is none,
 * where it ends (see mwt_job_hand_back()).
 */
typedef struct _MwtItemJob
{
  MwtJobFull      full;
  MwtRunner      *runner;
  gpointer        item;
  GMainContext   *context;
  gint            priority;
} MwtItemJob;

MwtJob       *mwt_job_new             (MwtJobKind       kind,
                                       MwtPool         *pool,
                                       GTask           *task,
                                       gpointer         func,
                                       GCancellable    *cancellable,
                                       GDestroyNotify   result_destroy);
MwtJob       *mwt_job_new_item        (MwtPool         *pool,
                                       MwtRunner       *runner,
                                       gpointer         item,
                                       gint             priority,
                                       GCancellable    *cancellable);
void          mwt_job_init_sync       (MwtSyncJob      *sync,
                                       MwtPool         *pool,
                                       MwtPoolFunc      func,
                                       gpointer         func_data,
                                       gint             priority,
                                       GCancellable    *cancellable,
                                       MwtBlocker      *blocker);
MwtJobFull   *mwt_job_get_full        (MwtJob          *job);
gint          mwt_job_get_priority    (MwtJob          *job);
GCancellable *mwt_job_get_cancellable (MwtJob          *job);
void          mwt_job_run             (MwtJob          *job,
                                       gpointer         thread_state);
void          mwt_job_fail            (MwtJob          *job,
                                       gint             code,
                                       const gchar     *message);
MwtWakeup    *mwt_job_hand_back       (MwtJob          *job,
                                       GMainContext    *pool_context,
                                       MwtDispatcher  **cache,
                                       GList          **in_place) G_GNUC_WARN_UNUSED_RESULT;
gboolean      mwt_job_ends_in_place   (MwtJob          *job);
void          mwt_job_complete_in_place (GList         *jobs);

G_END_DECLS
