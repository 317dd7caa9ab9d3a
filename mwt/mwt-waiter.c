/* mwt-waiter.c: completing a pool's creation, drains and closes
 *
 * SPDX-FileCopyrightText: 2026 The mwt authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "mwt-waiter-private.h"

typedef enum {
  MWT_WAITER_STARTING,
  MWT_WAITER_WAITING,
} MwtWaiterPhase;

/* A caller waiting for the pool to reach a state. The scheduler (or a
 * thread batch) hands the notice to the dispatcher of the task's context;
 * there, the waiter completes its task from an idle at the least urgent
 * priority of the pool's tasks, after the completions those queued
 * before it (a mwt_pool_run_task() task's callback is GTask's own idle,
 * at the task's priority).
 */
struct _MwtWaiter
{
  MwtNotice       notice;
  MwtPool        *pool;
  GTask          *task;
  gulong          cancelled_id;
  MwtWaiterPhase  phase;
  MwtThreadBatch *batch;
  GError         *error;
};

static void
mwt_waiter_clear (gpointer data)
{
  MwtWaiter *waiter = data;

  mwt_dispatcher_unref (waiter->notice.dispatcher);
  g_clear_pointer (&waiter->batch, mwt_thread_batch_unref);
  g_clear_error (&waiter->error);
  g_object_unref (waiter->task);
}

static void
mwt_waiter_unref (MwtWaiter *waiter)
{
  g_atomic_rc_box_release_full (waiter, mwt_waiter_clear);
}

/* The threads that left are joined before the callback: a close then
 * completes with every thread gone.
 */
static gboolean
mwt_waiter_complete (gpointer data)
{
  MwtWaiter *waiter = data;

  g_cancellable_disconnect (g_task_get_cancellable (waiter->task), waiter->cancelled_id);
  mwt_workers_join_exited (&waiter->pool->workers);

  if (waiter->error != NULL)
    g_task_return_error (waiter->task, g_steal_pointer (&waiter->error));
  else
    g_task_return_boolean (waiter->task, TRUE);

  return G_SOURCE_REMOVE;
}

/* A creation that failed, was cancelled or whose pool was closed meanwhile
 * closes the pool and waits for its threads to leave.
 */
static gboolean
mwt_waiter_settle_start (MwtWaiter *waiter)
{
  MwtScheduler *scheduler = &waiter->pool->scheduler;

  waiter->phase = MWT_WAITER_WAITING;
  waiter->error = mwt_thread_batch_dup_error (waiter->batch);
  if (waiter->error == NULL && mwt_scheduler_is_closed (scheduler))
    waiter->error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CLOSED,
                                         "The pool was closed while its threads were starting");
  if (waiter->error == NULL)
    g_cancellable_set_error_if_cancelled (g_task_get_cancellable (waiter->task), &waiter->error);

  if (waiter->error == NULL)
    return TRUE;

  mwt_scheduler_close (scheduler);
  mwt_scheduler_notify_exit (scheduler, &waiter->notice);

  return FALSE;
}

static void
mwt_waiter_dispatch (MwtDispatchItem *item)
{
  MwtWaiter *waiter = (MwtWaiter *) item;
  GSource *source;
  gint priority;

  if (waiter->phase == MWT_WAITER_STARTING && !mwt_waiter_settle_start (waiter))
    return;

  priority = MAX (g_task_get_priority (waiter->task),
                  mwt_scheduler_get_max_priority (&waiter->pool->scheduler));

  source = g_idle_source_new ();
  g_source_set_priority (source, priority);
  g_source_set_static_name (source, "[mwt] waiter");
  g_source_set_callback (source, mwt_waiter_complete, waiter, (GDestroyNotify) mwt_waiter_unref);
  g_source_attach (source, g_task_get_context (waiter->task));
  g_source_unref (source);
}

/* Takes over the reference to @task, whose source object is the pool. */
MwtWaiter *
mwt_waiter_new (MwtPool *pool,
                GTask   *task)
{
  MwtWaiter *waiter = g_atomic_rc_box_new0 (MwtWaiter);

  mwt_dispatch_item_init (&waiter->notice.item, mwt_waiter_dispatch);
  waiter->notice.dispatcher = mwt_dispatcher_get_for_context (g_task_get_context (task));
  waiter->pool = pool;
  waiter->task = task;
  waiter->phase = MWT_WAITER_WAITING;

  return waiter;
}

/* Cancelling ends the wait early, not what the pool was doing. */
static void
mwt_waiter_cancelled (GCancellable *cancellable,
                      MwtWaiter    *waiter)
{
  if (!mwt_scheduler_withdraw (&waiter->pool->scheduler, &waiter->notice))
    return;

  waiter->error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "Operation was cancelled");
  mwt_wakeup_signal (mwt_dispatcher_push (waiter->notice.dispatcher, &waiter->notice.item));
}

/* Called once the notice waits in the scheduler; the reference held
 * meanwhile keeps the waiter alive if it completes at once.
 */
static void
mwt_waiter_watch_cancellable (MwtWaiter *waiter)
{
  GCancellable *cancellable = g_task_get_cancellable (waiter->task);

  if (cancellable != NULL)
    waiter->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (mwt_waiter_cancelled),
                                                  waiter, NULL);
  mwt_waiter_unref (waiter);
}

/* Completes once every task submitted so far is done; on a closed pool,
 * once its threads have left.
 */
void
mwt_waiter_drain (MwtWaiter *waiter)
{
  MwtScheduler *scheduler = &waiter->pool->scheduler;

  g_atomic_rc_box_acquire (waiter);
  if (mwt_scheduler_is_closed (scheduler))
    mwt_scheduler_notify_exit (scheduler, &waiter->notice);
  else
    mwt_scheduler_drain (scheduler, &waiter->notice);
  mwt_waiter_watch_cancellable (waiter);
}

/* Completes once every thread has left, after the pool was closed. */
void
mwt_waiter_close (MwtWaiter *waiter)
{
  g_atomic_rc_box_acquire (waiter);
  mwt_scheduler_notify_exit (&waiter->pool->scheduler, &waiter->notice);
  mwt_waiter_watch_cancellable (waiter);
}

/* Starts @n_threads threads; completes once every init has returned, or
 * once the threads have left if creation failed.
 */
void
mwt_waiter_start (MwtWaiter *waiter,
                  guint      n_threads)
{
  waiter->phase = MWT_WAITER_STARTING;
  mwt_workers_start (&waiter->pool->workers, n_threads, NULL, &waiter->notice, &waiter->batch);
}
