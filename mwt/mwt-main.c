/* mwt-main.c: calling back into the main context from a worker
 *
 * SPDX-FileCopyrightText: 2026 The mwt authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "mwt-main.h"
#include "mwt-main-private.h"
#include "mwt-pool-private.h"

/**
 * SECTION:mwt-main
 * @title: Calling the main context
 * @short_description: run a function on the main context from a worker
 *
 * A task running on a pool thread sometimes needs the main context: to
 * read state that only the main thread may touch, or to ask the user
 * something. mwt_run_in_main() runs a function there and waits for its
 * result; mwt_run_in_main_task() lets that function take its time and
 * complete a #GTask later.
 *
 * From a pool thread, both target the pool's own context (see
 * mwt_pool_get_context()), and the function always runs on the thread
 * that iterates that context. Elsewhere, both target the global default
 * main context the way g_main_context_invoke() does.
 *
 * Since: 1.0
 */

typedef struct
{
  MwtDispatchItem  item;
  MwtMainFunc      func;
  MwtMainTaskFunc  task_func;
  gpointer         user_data;
  GMainContext    *context;

  gpointer         result;
  GError          *error;

  /* The waiting thread's lock and condition: the pool's mutex for a pool
   * thread, a lock of its own for any other thread.
   */
  GMutex          *lock;
  GCond            cond;
  gboolean         done;
} MwtMainCall;

static void
mwt_main_call_clear (gpointer data)
{
  MwtMainCall *call = data;

  g_cond_clear (&call->cond);
}

/* Wakes the waiting thread and drops the reference of the side that ran
 * @call. The signal comes after the unlock, so that the woken thread does
 * not wake up only to wait for the lock; the reference keeps the
 * condition alive until then.
 */
static void
mwt_main_call_return (MwtMainCall *call)
{
  g_mutex_lock (call->lock);
  call->done = TRUE;
  g_mutex_unlock (call->lock);
  g_cond_signal (&call->cond);
  g_atomic_rc_box_release_full (call, mwt_main_call_clear);
}

static void
mwt_main_call_task_ready (GObject      *source_object,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  MwtMainCall *call = user_data;

  call->result = g_task_propagate_pointer (G_TASK (result), &call->error);
  mwt_main_call_return (call);
}

/* Runs @call on the thread that owns its context. When that thread could
 * not go back to its main loop afterwards (it is the waiting thread
 * itself, or it is blocked on the pool), a task that is not complete yet
 * is waited for by iterating the context here.
 */
static void
mwt_main_call_run (MwtMainCall *call,
                   gboolean     nested)
{
  g_autoptr(GTask) task = NULL;

  if (call->func != NULL)
    {
      call->result = call->func (call->user_data, &call->error);
      mwt_main_call_return (call);
      return;
    }

  g_main_context_push_thread_default (call->context);
  task = g_task_new (NULL, NULL, mwt_main_call_task_ready, call);
  g_task_set_source_tag (task, mwt_run_in_main_task);
  g_main_context_pop_thread_default (call->context);

  call->task_func (task, call->user_data);

  while (nested && !g_task_get_completed (task))
    g_main_context_iteration (call->context, TRUE);
}

static void
mwt_main_call_dispatch (MwtDispatchItem *item)
{
  mwt_main_call_run ((MwtMainCall *) item, FALSE);
}

static gboolean
mwt_main_call_idle (gpointer data)
{
  mwt_main_call_run (data, FALSE);

  return G_SOURCE_REMOVE;
}

void
mwt_main_run_calls_blocking (GQueue *calls)
{
  GList *link;

  while ((link = g_queue_pop_head_link (calls)) != NULL)
    mwt_main_call_run (link->data, TRUE);
}

static void
mwt_main_call_wait_locked (MwtMainCall *call)
{
  while (!call->done)
    g_cond_wait (&call->cond, call->lock);
}

/* Runs @func or @task_func on the target context and waits for it. The
 * call is shared with the side that runs it, which holds a reference of
 * its own and drops it once it has signalled.
 */
static gpointer
mwt_main_call_invoke (MwtMainFunc       func,
                      MwtMainTaskFunc   task_func,
                      gpointer          user_data,
                      GError          **error)
{
  MwtMainCall *call = g_atomic_rc_box_new0 (MwtMainCall);
  MwtWorker *worker = mwt_worker_get_current ();
  MwtPool *pool = worker != NULL ? worker->pool : NULL;
  GMutex lock;
  gpointer result;

  call->item.func = mwt_main_call_dispatch;
  call->func = func;
  call->task_func = task_func;
  call->user_data = user_data;
  call->context = pool != NULL ? pool->context : g_main_context_default ();
  g_cond_init (&call->cond);
  g_mutex_init (&lock);
  g_atomic_rc_box_acquire (call);

  if (pool != NULL && !g_main_context_is_owner (call->context))
    {
      /* Never run on the worker, even when nobody owns the context right
       * now: that is where g_main_context_invoke() would run it.
       */
      call->lock = &pool->mutex;
      g_mutex_lock (call->lock);
      mwt_dispatcher_push_call_locked (pool->dispatcher, &call->item);
      if (pool->n_blocked_owners > 0)
        g_cond_broadcast (&pool->state_cond);
      mwt_main_call_wait_locked (call);
      g_mutex_unlock (call->lock);
    }
  else if (pool != NULL || g_main_context_acquire (call->context))
    {
      call->lock = &lock;
      mwt_main_call_run (call, TRUE);
      if (pool == NULL)
        g_main_context_release (call->context);
    }
  else
    {
      GSource *source = g_idle_source_new ();

      call->lock = &lock;
      g_source_set_static_name (source, "[mwt] run in main");
      g_source_set_callback (source, mwt_main_call_idle, call, NULL);

      g_mutex_lock (&lock);
      g_source_attach (source, call->context);
      mwt_main_call_wait_locked (call);
      g_mutex_unlock (&lock);

      g_source_unref (source);
    }

  g_mutex_clear (&lock);

  if (call->error != NULL)
    g_propagate_error (error, call->error);
  result = call->result;
  g_atomic_rc_box_release_full (call, mwt_main_call_clear);

  return result;
}

/**
 * mwt_run_in_main:
 * @func: (scope call) (closure user_data): the function to run on the main
 *   context
 * @user_data: data for @func
 * @error: return location for a #GError
 *
 * Runs @func on the main context and waits for it to return. This is the
 * way for a task on a pool thread to reach state that belongs to the main
 * thread.
 *
 * Called from a pool thread, @func runs on the thread that iterates the
 * pool's own context (mwt_pool_get_context()), never on the pool thread:
 * the call is handed to that context, and the pool thread waits. The
 * context must be iterated for the call to complete; a thread blocked in
 * mwt_pool_close(), mwt_pool_new() or mwt_pool_set_n_threads() on that
 * context runs the call itself.
 *
 * Called from any other thread, it targets g_main_context_default() and
 * behaves like g_main_context_invoke(): if the calling thread owns that
 * context or can acquire it, @func runs at once on the calling thread;
 * otherwise the call is handed to the context and the caller waits.
 *
 * Returns: (transfer full) (nullable): what @func returned, or %NULL with
 *   @error set
 *
 * Since: 1.0
 */
gpointer
mwt_run_in_main (MwtMainFunc   func,
                 gpointer      user_data,
                 GError      **error)
{
  g_return_val_if_fail (func != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return mwt_main_call_invoke (func, NULL, user_data, error);
}

/**
 * mwt_run_in_main_task:
 * @func: (scope call) (closure user_data): the function to run on the main
 *   context
 * @user_data: data for @func
 * @error: return location for a #GError
 *
 * Like mwt_run_in_main(), but @func gets a #GTask instead of returning a
 * result. It may return at once and complete the task later, from a
 * callback of the main loop, with g_task_return_pointer() or
 * g_task_return_error(). The calling thread waits until the task is
 * complete. This is the asynchronous form of mwt_run_in_main(), for main
 * side work that itself waits for something.
 *
 * On the thread that owns the target context (or can acquire it), there
 * is no other thread to wait on: @func runs at once and the context is
 * iterated, as a nested main loop, until the task is complete. Other
 * sources of that context may be dispatched meanwhile.
 *
 * Returns: (transfer full) (nullable): the pointer the task was completed
 *   with, or %NULL with @error set
 *
 * Since: 1.0
 */
gpointer
mwt_run_in_main_task (MwtMainTaskFunc   func,
                      gpointer          user_data,
                      GError          **error)
{
  g_return_val_if_fail (func != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return mwt_main_call_invoke (NULL, func, user_data, error);
}
