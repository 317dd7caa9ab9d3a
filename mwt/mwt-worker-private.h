/* mwt-worker-private.h: the threads of a pool
 *
 * SPDX-FileCopyrightText: 2026 The mwt authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#ifndef MWT_COMPILATION
# error "mwt-worker-private.h is internal to mwt"
#endif

#include "mwt-pool.h"
#include "mwt-scheduler-private.h"

G_BEGIN_DECLS

typedef struct _MwtThreadBatch MwtThreadBatch;
typedef struct _MwtWorker      MwtWorker;

/* What each thread runs when it starts and before it exits. */
typedef struct _MwtThreadFuncs
{
  MwtThreadInitFunc init;
  gpointer          init_data;
  MwtThreadExitFunc at_exit;
  gpointer          at_exit_data;
} MwtThreadFuncs;

typedef struct _MwtWorkers
{
  MwtScheduler         *scheduler;
  const MwtThreadFuncs *funcs;
  /* For mwt_pool_get_current() and mwt_run_in_main(): not references. */
  MwtPool              *pool;
  GMainContext         *context;
  /* The context's, a reference: where mwt_run_in_main() hands its calls
   * and mwt_run_in_main_dont_wait() posts.
   */
  MwtDispatcher        *dispatcher;

  /* Threads that are done and can be joined; or, once nobody will join
   * them, none: each detaches itself.
   */
  GMutex                mutex;
  GQueue                exited;
  gboolean              detached;
} MwtWorkers;

struct _MwtWorker
{
  GList             link;
  MwtWorkers       *workers;
  GThread          *thread;
  MwtThreadBatch   *batch;
  gpointer          state;
  MwtSchedulerSeat  seat;
};

void            mwt_workers_init              (MwtWorkers           *self,
                                               MwtScheduler         *scheduler,
                                               const MwtThreadFuncs *funcs,
                                               MwtPool              *pool,
                                               GMainContext         *context);
void            mwt_workers_clear             (MwtWorkers           *self);
void            mwt_workers_start             (MwtWorkers           *self,
                                               guint                 n_threads,
                                               MwtBlocker           *blocker,
                                               MwtNotice            *notice,
                                               MwtThreadBatch      **batch_out);
void            mwt_workers_join_exited       (MwtWorkers           *self);
void            mwt_workers_detach            (MwtWorkers           *self);

MwtWorker      *mwt_worker_get_current        (void);

gboolean        mwt_thread_batch_has_settled  (gpointer              batch);
GError         *mwt_thread_batch_dup_error    (MwtThreadBatch       *batch);
void            mwt_thread_batch_unref        (MwtThreadBatch       *batch);

G_END_DECLS
