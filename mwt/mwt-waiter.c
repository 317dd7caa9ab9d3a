/* mwt-waiter.c
 *
 * SPDX-FileCopyrightText: 2026 The mwt authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "mwt-pool-private.h"
#include "mwt-waiter-private.h"

/* Waiters: close, drain and creation results, completed from an idle
 * source on the caller's context. A close only completes once its threads
 * have exited, so the idle joins them before the callback runs.
 */
static gboolean
mwt_waiter_complete (gpointer data)
{
  MwtWaiter *waiter = data;

  if (waiter->cancelled_id != 0)
    g_cancellable_disconnect (g_task_get_cancellable (waiter->task),
                              waiter->cancelled_id);

  mwt_pool_reap (waiter->pool);

  if (waiter->error != NULL)
    g_task_return_error (waiter->task, waiter->error);
  else
    g_task_return_boolean (waiter->task, TRUE);

  g_object_unref (waiter->task);
  g_free (waiter);

  return G_SOURCE_REMOVE;
}

static void
mwt_waiter_attach_idle (MwtWaiter *waiter)
{
  GSource *source;

  source = g_idle_source_new ();
  g_source_set_priority (source, waiter->priority);
  g_source_set_static_name (source, "[mwt] waiter");
  g_source_set_callback (source, mwt_waiter_complete, waiter, NULL);
  g_source_attach (source, g_task_get_context (waiter->task));
  g_source_unref (source);
}

void
mwt_waiter_finish_locked (MwtWaiter *waiter,
                          GError    *error)
{
  if (waiter->queue != NULL)
    {
      g_queue_unlink (waiter->queue, &waiter->link);
      waiter->queue = NULL;
    }

  waiter->error = error;
  mwt_waiter_attach_idle (waiter);
}

static void
mwt_waiter_dispatch (MwtDispatchItem *item)
{
  mwt_waiter_attach_idle ((MwtWaiter *) item);
}

/* Finishes @waiter once @dispatcher has dispatched every item queued
 * before it: a task whose GTask defers its callback to an idle (it was
 * cancelled, say) attaches that idle first.
 */
void
mwt_waiter_finish_after_locked (MwtWaiter     *waiter,
                                MwtDispatcher *dispatcher)
{
  if (waiter->queue != NULL)
    {
      g_queue_unlink (waiter->queue, &waiter->link);
      waiter->queue = NULL;
    }

  waiter->item.func = mwt_waiter_dispatch;
  mwt_dispatcher_push_locked (dispatcher, &waiter->item);
}

static void
mwt_waiter_cancelled (GCancellable *cancellable,
                      MwtWaiter    *waiter)
{
  MwtPool *pool = waiter->pool;

  g_mutex_lock (&pool->mutex);
  if (waiter->queue != NULL)
    mwt_waiter_finish_locked (waiter,
                              g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                   "Operation was cancelled"));
  g_mutex_unlock (&pool->mutex);
}

MwtWaiter *
mwt_waiter_new (MwtPool *pool,
                GTask   *task)
{
  MwtWaiter *waiter = g_new0 (MwtWaiter, 1);

  waiter->link.data = waiter;
  waiter->pool = pool;
  waiter->task = task;
  waiter->priority = g_task_get_priority (task);

  return waiter;
}

/* Connect without the lock held: the handler runs at once if the
 * cancellable is already cancelled. It does nothing until the waiter is
 * queued, and mwt_waiter_wait_locked() checks again then.
 */
MwtWaiter *
mwt_waiter_new_cancellable (MwtPool *pool,
                            GTask   *task)
{
  MwtWaiter *waiter = mwt_waiter_new (pool, task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  if (cancellable != NULL)
    waiter->cancelled_id = g_cancellable_connect (cancellable,
                                                  G_CALLBACK (mwt_waiter_cancelled),
                                                  waiter, NULL);

  return waiter;
}

void
mwt_waiter_wait_locked (MwtWaiter *waiter,
                        GQueue    *queue)
{
  GCancellable *cancellable = g_task_get_cancellable (waiter->task);

  if (g_cancellable_is_cancelled (cancellable))
    {
      mwt_waiter_finish_locked (waiter,
                                g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                     "Operation was cancelled"));
      return;
    }

  waiter->queue = queue;
  g_queue_push_tail_link (queue, &waiter->link);
}

void
mwt_pool_finish_exit_waiters_locked (MwtPool *pool)
{
  while (!g_queue_is_empty (&pool->exit_waiters))
    {
      MwtWaiter *waiter = g_queue_peek_head (&pool->exit_waiters);

      mwt_waiter_finish_after_locked (waiter,
                                      mwt_pool_get_dispatcher_locked (pool, g_task_get_context (waiter->task)));
    }
}
