/* mwt-pool-private.h
 *
 * SPDX-FileCopyrightText: 2026 The mwt authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#ifndef MWT_COMPILATION
# error "mwt-pool-private.h is internal to mwt"
#endif

#include "mwt-pool.h"
#include "mwt-dispatcher-private.h"

G_BEGIN_DECLS

typedef struct _MwtNotifier    MwtNotifier;
typedef struct _MwtWorker      MwtWorker;
typedef struct _MwtThreadBatch MwtThreadBatch;

typedef enum {
  MWT_NOTIFY_N_THREADS = 1 << 0,
  MWT_NOTIFY_CLOSED    = 1 << 1,
  MWT_NOTIFY_N_BUSY    = 1 << 2,
  MWT_NOTIFY_N_QUEUED  = 1 << 3,
} MwtNotifyFlags;

struct _MwtPool
{
  GObject            parent_instance;

  /* Set before the first thread starts, then read-only. */
  MwtThreadInitFunc  init;
  gpointer           init_data;
  GDestroyNotify     init_data_destroy;
  MwtThreadExitFunc  at_exit;
  gpointer           at_exit_data;
  GDestroyNotify     at_exit_data_destroy;
  GMainContext      *context;
  MwtDispatcher     *dispatcher;

  /* The lock of the pool: it guards every field below, and items reach
   * the pool's dispatchers with it held, in the order of the pool's
   * events. It is never held while user code runs.
   */
  GMutex             mutex;
  /* Idle workers wait here for a job or for the order to exit. */
  GCond              work_cond;
  /* Threads blocked in mwt_pool_wait_locked() wait here. */
  GCond              state_cond;

  /* Jobs submitted but not yet queued: a stack pushed to without the lock
   * (compare-and-exchange), so that submitting never contends with the
   * workers; whoever holds the lock moves them to the queue.
   */
  gpointer           incoming;

  GQueue             queue;
  GQueue             workers;
  GQueue             exited;
  GQueue             exit_waiters;
  GQueue             drain_waiters;
  GPtrArray         *dispatchers;

  /* The size asked for; n_excess threads are still to leave after a
   * shrink, and the workers queue holds every thread not yet exited.
   */
  guint              n_threads;
  guint              n_excess;
  /* Written with the lock held, read without it by submitters. */
  gint               n_idle;
  /* Threads that finished a job and will check for work once more before
   * they sleep (atomic): while there are any, submitters wake nobody.
   */
  gint               n_seeking;
  gint               closed;
  guint              n_busy;
  guint              n_blocked_owners;
  guint64            n_submitted;
  /* The lowest priority (highest value) of any task submitted so far. */
  gint               max_priority;

  MwtNotifyFlags     pending_notify;
  MwtNotifier       *notifier;

  guint              started : 1;
  guint              resizing : 1;
};

/* A set of threads started together: each reports its init, then waits at
 * the gate until all have, so that one failure sends them all home.
 */
struct _MwtThreadBatch
{
  guint   ref_count;
  guint   n_pending;
  GError *error;
  /* The pool creation to complete, or NULL when the starter blocks. */
  GTask  *task;
};

struct _MwtWorker
{
  GList           link;
  MwtPool        *pool;
  GThread        *thread;
  MwtThreadBatch *batch;
  gpointer        state;
  /* Read and written by the worker's own thread only: whether it counts
   * in n_seeking, whether it holds back wake-ups until it releases the
   * lock (see mwt_pool_push_locked()) and those it holds back, and whether
   * it may run alongside its submitters.
   */
  gboolean        seeking;
  gboolean        defers_wakes;
  MwtDispatcher  *to_wake[2];
  gboolean        has_cpus_to_share;
  gint64          cpus_read_at;
};

typedef gboolean (*MwtPoolPredicate) (MwtPool *pool,
                                      gpointer data);

/* mwt-worker.c */
MwtWorker      *mwt_worker_get_current           (void);
gboolean        mwt_worker_defer_wake            (MwtWorker        *worker,
                                                  MwtDispatcher    *dispatcher);
gpointer        mwt_worker_main                  (gpointer          data);
MwtThreadBatch *mwt_pool_start_threads_locked    (MwtPool          *pool,
                                                  guint             n_threads,
                                                  GTask            *task);
gboolean        mwt_thread_batch_is_settled      (MwtPool          *pool,
                                                  gpointer          data);
void            mwt_thread_batch_unref_locked    (MwtThreadBatch   *batch);
gboolean        mwt_pool_report_init_locked      (MwtPool          *pool,
                                                  MwtWorker        *worker,
                                                  GError           *error);
gpointer        mwt_pool_next_job_locked         (MwtPool          *pool,
                                                  MwtWorker        *worker);
void            mwt_pool_job_done_locked         (MwtPool          *pool,
                                                  MwtWorker        *worker,
                                                  gpointer          job);
void            mwt_pool_worker_exited_locked    (MwtPool          *pool,
                                                  MwtWorker        *worker);

/* mwt-pool.c */
MwtDispatcher  *mwt_pool_get_dispatcher_locked   (MwtPool          *pool,
                                                  GMainContext     *context);
void            mwt_pool_queue_notify_locked     (MwtPool          *pool,
                                                  MwtNotifyFlags    flags);
void            mwt_pool_collect_incoming_locked (MwtPool          *pool);
void            mwt_pool_push_locked             (MwtPool          *pool,
                                                  MwtDispatcher    *dispatcher,
                                                  MwtDispatchItem  *item);
void            mwt_pool_hand_back_locked        (MwtPool          *pool,
                                                  gpointer          job);
void            mwt_pool_begin_close_locked      (MwtPool          *pool);
gboolean        mwt_pool_has_no_threads          (MwtPool          *pool,
                                                  gpointer          data);
void            mwt_pool_wait_locked             (MwtPool          *pool,
                                                  MwtPoolPredicate  done,
                                                  gpointer          data,
                                                  GCancellable     *cancellable);
void            mwt_pool_reap                    (MwtPool          *pool);

G_END_DECLS
