/* mwt-scheduler-private.h: the run queue of a pool and the state that its
 * threads share
 *
 * SPDX-FileCopyrightText: 2026 The mwt authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#ifndef MWT_COMPILATION
# error "mwt-scheduler-private.h is internal to mwt"
#endif

#include "mwt-blocker-private.h"
#include "mwt-dispatcher-private.h"
#include "mwt-job-private.h"
#include "mwt-queue-private.h"

G_BEGIN_DECLS

typedef enum {
  MWT_CHANGED_N_THREADS = 1 << 0,
  MWT_CHANGED_CLOSED    = 1 << 1,
  MWT_CHANGED_N_BUSY    = 1 << 2,
  MWT_CHANGED_N_QUEUED  = 1 << 3,
} MwtChanges;

/* What the scheduler hands to a dispatcher once the pool reaches a state:
 * the end of a drain, the exit of every thread, a change to announce.
 */
typedef struct _MwtNotice
{
  MwtDispatchItem  item;
  MwtDispatcher   *dispatcher;
  /* Guarded by the scheduler's lock: where the notice waits, if it does. */
  GQueue          *queue;
} MwtNotice;

/* What a pool thread keeps between two calls to mwt_scheduler_next_job(). */
typedef struct _MwtSchedulerSeat
{
  gboolean       seeking;
  gboolean       has_cpus_to_share;
  gint64         cpus_read_at;
  MwtDispatcher *dispatcher;
} MwtSchedulerSeat;

typedef struct _MwtScheduler
{
  /* The pool's context, where a mwt_pool_run_task() job that ran goes
   * back (see mwt_job_hand_back()).
   */
  GMainContext *context;

  /* Guards every field below but the atomic ones; never held while user
   * code runs. Dispatchers' and blockers' locks nest inside it.
   */
  GMutex     mutex;
  /* Idle threads wait here for a job or for the order to leave. */
  GCond      work_cond;

  /* Jobs submitted but not yet queued: a stack pushed to without the lock
   * (compare-and-exchange), so that submitting never contends with the
   * threads; whoever holds the lock moves them to the queue.
   */
  gpointer   incoming;
  MwtQueue   queue;

  /* Atomic: read without the lock by submitters. */
  gint       n_idle;
  gint       n_seeking;
  gint       closed;

  /* Threads started and not yet gone, those running a job, those still
   * to leave after a shrink, and those blocked in mwt_pool_run_sync().
   */
  guint      n_members;
  guint      n_busy;
  guint      n_excess;
  guint      n_sync_waiting;

  /* Drains: each queued job counts in the epoch it was queued in. */
  GQueue     epochs;
  /* The least urgent priority of any job so far. */
  gint       max_priority;

  GQueue     exit_notices;
  GList     *blockers;

  MwtChanges changes;
  MwtNotice *changes_notice;
} MwtScheduler;

void       mwt_scheduler_init              (MwtScheduler     *self,
                                            GMainContext     *context,
                                            MwtNotice        *changes_notice);
void       mwt_scheduler_clear             (MwtScheduler     *self);

void       mwt_scheduler_submit            (MwtScheduler     *self,
                                            MwtJob           *job);
GList     *mwt_scheduler_cancel            (MwtScheduler     *self,
                                            GList            *jobs);
void       mwt_scheduler_start_seeking     (MwtScheduler     *self,
                                            MwtSchedulerSeat *seat);
MwtJob    *mwt_scheduler_next_job          (MwtScheduler     *self,
                                            MwtSchedulerSeat *seat,
                                            MwtJob           *done);

void       mwt_scheduler_close             (MwtScheduler     *self);
gboolean   mwt_scheduler_is_closed         (MwtScheduler     *self);
guint32    mwt_scheduler_drain             (MwtScheduler     *self,
                                            MwtNotice        *notice);
gboolean   mwt_scheduler_is_drained        (MwtScheduler     *self,
                                            guint32           epoch);
void       mwt_scheduler_notify_exit       (MwtScheduler     *self,
                                            MwtNotice        *notice);
gboolean   mwt_scheduler_withdraw          (MwtScheduler     *self,
                                            MwtNotice        *notice);

void       mwt_scheduler_add_members       (MwtScheduler     *self,
                                            guint             n_members);
void       mwt_scheduler_leave             (MwtScheduler     *self);
gboolean   mwt_scheduler_has_members       (MwtScheduler     *self);
void       mwt_scheduler_shrink            (MwtScheduler     *self,
                                            guint             n_threads);
guint      mwt_scheduler_keep_leaving      (MwtScheduler     *self,
                                            guint             n_threads);
gboolean   mwt_scheduler_begin_sync_wait   (MwtScheduler     *self);
void       mwt_scheduler_end_sync_wait     (MwtScheduler     *self);

guint      mwt_scheduler_get_n_busy        (MwtScheduler     *self);
guint      mwt_scheduler_get_n_queued      (MwtScheduler     *self);
gint       mwt_scheduler_get_max_priority  (MwtScheduler     *self);
void       mwt_scheduler_announce          (MwtScheduler     *self,
                                            MwtChanges        changes);
MwtChanges mwt_scheduler_take_changes      (MwtScheduler     *self);
gboolean   mwt_scheduler_detach_changes    (MwtScheduler     *self);

void       mwt_scheduler_add_blocker       (MwtScheduler     *self,
                                            MwtBlocker       *blocker);
void       mwt_scheduler_remove_blocker    (MwtScheduler     *self,
                                            MwtBlocker       *blocker);

G_END_DECLS
