/* mwt-main.c: calling back into the main context from a worker
 *
 * SPDX-FileCopyrightText: 2026 The mwt authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "mwt-main.h"
#include "mwt-main-private.h"
#include "mwt-dispatcher-private.h"
#include "mwt-worker-private.h"

/**
 * SECTION:mwt-main
 * @title: Calling the main context
 * @short_description: run a function on the main context from a worker
 *
 * A task running on a pool thread sometimes needs the main context: to
 * read state that only the main thread may touch, or to ask the user
 * something. mwt_run_in_main() runs a function there and waits for its
 * result; mwt_run_in_main_task() lets that function take its time and
 * complete a #GTask later. mwt_run_in_main_dont_wait() posts a function
 * there and returns at once: to record a result or show progress, where
 * the worker has nothing to wait for.
 *
 * From a pool thread, all three target the pool's own context (see
 * mwt_pool_get_context()), and the function always runs on the thread
 * that iterates that context. Elsewhere, they target the global default
 * main context: the first two the way g_main_context_invoke() does.
 *
 * Since: 1.0
 */

/* A call shared by the thread that waits for it and the thread that runs
 * it; each holds a reference.
 */
typedef struct _MwtMainCall MwtMainCall;

struct _MwtMainCall
{
  MwtDispatchItem  item;
  MwtMainFunc      func;
  MwtMainTaskFunc  task_func;
  gpointer         user_data;
  GMainContext    *context;
  MwtDispatcher   *dispatcher;
  /* The pool whose thread made the call, or NULL: its own threads never
   * run it, even while blocked on the context.
   */
  MwtPool         *pool;

  gpointer         result;
  GError          *error;

  GMutex           mutex;
  GCond            cond;
  gboolean         done;

  /* The call that the running thread was running when it started this
   * one (main-side functions may nest).
   */
  MwtMainCall     *outer;

  gatomicrefcount  ref_count;
};

static GPrivate running_call;

static void
mwt_main_call_unref (MwtMainCall *call)
{
  if (!g_atomic_ref_count_dec (&call->ref_count))
    return;

  mwt_dispatcher_unref (call->dispatcher);
  g_mutex_clear (&call->mutex);
  g_cond_clear (&call->cond);
  g_slice_free (MwtMainCall, call);
}

/* Wakes the waiting thread and drops the reference of the side that ran
 * @call. The signal comes after the unlock, so that the woken thread does
 * not wake up only to wait for the lock; the reference keeps the
 * condition alive until then.
 */
static void
mwt_main_call_return (MwtMainCall *call)
{
  g_mutex_lock (&call->mutex);
  call->done = TRUE;
  g_mutex_unlock (&call->mutex);
  g_cond_signal (&call->cond);
  mwt_main_call_unref (call);
}

/* The task's own callback tells that it is complete, on the context,
 * whichever thread completed it.
 */
static void
mwt_main_call_task_ready (GObject      *source_object,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  MwtMainCall *call = user_data;

  call->result = g_task_propagate_pointer (G_TASK (result), &call->error);
  /* The reference kept since the task was handed to the function. */
  g_object_unref (result);
  mwt_dispatcher_main_task_finished (call->dispatcher);
  mwt_main_call_return (call);
}

/* Runs the main side of @call on the thread that owns its context. A
 * task keeps a reference of the call's until it is complete, so that the
 * function need not take one to complete it later.
 */
static void
mwt_main_call_run (MwtMainCall *call)
{
  GTask *task;

  call->outer = g_private_get (&running_call);
  g_private_set (&running_call, call);

  if (call->func != NULL)
    {
      call->result = call->func (call->user_data, &call->error);
      g_private_set (&running_call, call->outer);
      mwt_main_call_return (call);
      return;
    }

  g_main_context_push_thread_default (call->context);
  task = g_task_new (NULL, NULL, mwt_main_call_task_ready, call);
  g_task_set_source_tag (task, mwt_run_in_main_task);
  g_main_context_pop_thread_default (call->context);

  mwt_dispatcher_main_task_started (call->dispatcher);
  call->task_func (task, call->user_data);
  g_private_set (&running_call, call->outer);
}

static void
mwt_main_call_dispatch (MwtDispatchItem *item)
{
  mwt_main_call_run ((MwtMainCall *) item);
}

/* Whether the calling thread is running a main-side function of a call
 * made by one of @pool's threads, which waits for it meanwhile.
 */
gboolean
mwt_main_is_running_call_of (MwtPool *pool)
{
  for (MwtMainCall *call = g_private_get (&running_call); call != NULL; call = call->outer)
    if (call->pool == pool)
      return TRUE;

  return FALSE;
}

static gboolean
mwt_main_call_is_not_from (MwtDispatchItem *item,
                           gpointer         pool)
{
  return pool == NULL || ((MwtMainCall *) item)->pool != pool;
}

/* Blocks the calling thread until @done returns TRUE. @blocker must be
 * woken by whatever may change what @done checks.
 *
 * Meanwhile, if the thread owns @context or can acquire it, nobody else
 * can iterate that context, so it runs the mwt_run_in_main() calls made
 * into it, by any pool's threads but its own: otherwise a thread waiting
 * for the context would never finish. While a mwt_run_in_main_task()
 * task started on the context is incomplete, it iterates the context
 * instead of sleeping, so that the task can complete. A context released
 * by a thread in mwt_run_in_main() wakes it to try acquiring it again.
 * A pool thread only serves a context it owns already: acquiring one
 * would hold off the thread that iterates it.
 */
void
mwt_main_wait (GMainContext     *context,
               MwtBlocker       *blocker,
               MwtWaitPredicate  done,
               gpointer          data)
{
  MwtWorker *worker = mwt_worker_get_current ();
  MwtPool *own_pool = worker != NULL ? worker->workers->pool : NULL;
  MwtDispatcher *dispatcher = mwt_dispatcher_get_for_context (context);
  gboolean owner = g_main_context_is_owner (context);
  gboolean acquired = FALSE;

  mwt_dispatcher_add_blocker (dispatcher, blocker);

  for (;;)
    {
      GQueue calls = G_QUEUE_INIT;

      mwt_blocker_prepare (blocker);
      if (done (data))
        break;

      if (!owner && worker == NULL)
        owner = acquired = g_main_context_acquire (context);

      if (owner)
        {
          mwt_dispatcher_take_calls (dispatcher, &calls, mwt_main_call_is_not_from, own_pool);
          if (!g_queue_is_empty (&calls))
            {
              mwt_dispatch_items (&calls);
              continue;
            }

          if (mwt_dispatcher_has_main_tasks (dispatcher))
            {
              mwt_blocker_set_iterating (blocker, context);
              g_main_context_iteration (context, TRUE);
              mwt_blocker_set_iterating (blocker, NULL);
              continue;
            }
        }

      mwt_blocker_wait (blocker);
    }

  mwt_dispatcher_remove_blocker (dispatcher, blocker);
  if (acquired)
    g_main_context_release (context);
  mwt_dispatcher_unref (dispatcher);
}

/* Runs @func or @task_func on the target context and waits for it. */
static gpointer
mwt_main_call_invoke (MwtMainFunc       func,
                      MwtMainTaskFunc   task_func,
                      gpointer          user_data,
                      GError          **error)
{
  MwtWorker *worker = mwt_worker_get_current ();
  /* GSlice, like GTask itself: before GLib 2.76 a per-thread cache, 40
   * to 60 ns faster than g_malloc0() and g_free() for a call.
   */
  MwtMainCall *call = g_slice_new0 (MwtMainCall);
  gboolean owner;
  gboolean acquired = FALSE;
  gpointer result;

  mwt_dispatch_item_init (&call->item, mwt_main_call_dispatch);
  call->func = func;
  call->task_func = task_func;
  call->user_data = user_data;
  call->context = worker != NULL ? worker->workers->context : g_main_context_default ();
  /* A pool thread's is at hand: no look-up under the registry's lock. */
  call->dispatcher = worker != NULL ? mwt_dispatcher_ref (worker->workers->dispatcher)
                                    : mwt_dispatcher_get_for_context (call->context);
  call->pool = worker != NULL ? worker->workers->pool : NULL;
  g_mutex_init (&call->mutex);
  g_cond_init (&call->cond);
  g_atomic_ref_count_init (&call->ref_count);
  g_atomic_ref_count_inc (&call->ref_count);

  /* A pool thread hands the call to the context even when nobody owns it
   * at that moment, where g_main_context_invoke() would run it at once:
   * the function runs on the thread that iterates the context.
   */
  owner = g_main_context_is_owner (call->context);
  if (!owner && worker == NULL)
    acquired = g_main_context_acquire (call->context);

  if (owner || acquired)
    {
      mwt_main_call_run (call);
      while (!call->done)
        g_main_context_iteration (call->context, TRUE);

      if (acquired)
        {
          g_main_context_release (call->context);
          mwt_dispatcher_wake_blockers (call->dispatcher);
        }
    }
  else
    {
      mwt_dispatcher_push_call (call->dispatcher, &call->item);

      g_mutex_lock (&call->mutex);
      while (!call->done)
        g_cond_wait (&call->cond, &call->mutex);
      g_mutex_unlock (&call->mutex);
    }

  if (call->error != NULL)
    g_propagate_error (error, call->error);
  result = call->result;
  mwt_main_call_unref (call);

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
 * context must be iterated for the call to complete; a thread that owns
 * it while blocked in mwt_pool_close(), mwt_pool_new(),
 * mwt_pool_set_n_threads() or mwt_pool_run_sync() runs the call itself,
 * unless the call comes from one of its own pool's threads.
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
 * result. It may return at once and complete the task later, with
 * g_task_return_pointer() or g_task_return_error(), from a source of the
 * main context or from any other thread. The pool keeps a reference to
 * the task until it is complete, so @func need not take one. The calling
 * thread waits until the task's completion has been delivered on the main
 * context. This is the asynchronous form of mwt_run_in_main(), for main
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

/* Posting */

/* A function posted to a context. It keeps no reference to the context:
 * if the context goes first, the post is dropped there (see
 * mwt_dispatcher_is_dead()).
 */
typedef struct
{
  MwtDispatchItem  item;
  MwtDispatcher   *dispatcher;
  GSourceOnceFunc  func;
  gpointer         user_data;
  GDestroyNotify   notify;
} MwtMainPost;

static void
mwt_main_post_dispatch (MwtDispatchItem *item)
{
  MwtMainPost *post = (MwtMainPost *) item;

  if (!mwt_dispatcher_is_dead (post->dispatcher))
    post->func (post->user_data);
  if (post->notify != NULL)
    post->notify (post->user_data);
  g_slice_free (MwtMainPost, post);
}

/* The global default context is never finalized: its dispatcher is kept
 * for good, which spares a look-up per post.
 */
static MwtDispatcher *
mwt_main_get_default_dispatcher (void)
{
  static MwtDispatcher *dispatcher;

  if (g_once_init_enter (&dispatcher))
    g_once_init_leave (&dispatcher, mwt_dispatcher_get_for_context (g_main_context_default ()));

  return dispatcher;
}

/**
 * mwt_run_in_main_dont_wait: (skip)
 * @func: (scope notified) (closure user_data) (destroy notify): the
 *   function to run on the main context
 * @user_data: data for @func
 * @notify: (nullable): frees @user_data once @func has run, or once it
 *   never will
 *
 * Queues @func to run on the main context, and returns at once. This is
 * the form of mwt_run_in_main() for a pool thread that hands something
 * over (a result to record in a table of the main thread, progress to
 * show) and has nothing to wait for: OCaml Lwt's
 * <literal>run_in_main_dont_wait</literal>. It makes no #GSource per call,
 * as g_main_context_invoke() and g_idle_add_once() do: posts reach the
 * context in batches, through the source that delivers the completions of
 * the pools' tasks there, and within the same time budget (see
 * <link linkend="thread-safety-dispatch">Completions and the main
 * loop</link>).
 *
 * Called from a pool thread, @func runs on the thread that iterates the
 * pool's own context (mwt_pool_get_context()), never on the pool thread,
 * also when the post was made from the pool's init or exit function,
 * after the pool was closed or while it is finalized. The context must be
 * iterated for @func to run.
 *
 * Called from any other thread, @func goes to g_main_context_default() in
 * the same way. Unlike mwt_run_in_main() and g_main_context_invoke(), it
 * never runs at once, even when the calling thread owns that context: it
 * would then run in the middle of whatever the caller is doing, and
 * before the posts queued ahead of it.
 *
 * On a context, posts run in the order they were queued (so each thread's
 * in the order it made them), and in order with the completions that
 * pools deliver there: a post that a mwt_pool_run_async() function made
 * runs before that task's callback, when the callback runs on the same
 * context, and before the callback of a mwt_pool_drain_async() or
 * mwt_pool_close_async() made there that waits for the task (or, for a
 * close, for the thread that posted from its exit function). The callback
 * of a mwt_pool_run_task() task is GTask's own idle, ordered by its
 * priority only.
 *
 * A post is never lost. It runs, and then @notify frees @user_data, on the
 * context's thread. A context that is finalized first (the global default
 * one never is) drops the posts it still holds: the thread that finalizes
 * it runs their @notify, and never @func.
 *
 * @func may post again: the new post runs in a later dispatch.
 *
 * Since: 1.0
 */
void
mwt_run_in_main_dont_wait (GSourceOnceFunc func,
                           gpointer        user_data,
                           GDestroyNotify  notify)
{
  MwtWorker *worker = mwt_worker_get_current ();
  MwtMainPost *post;

  g_return_if_fail (func != NULL);

  post = g_slice_new (MwtMainPost);
  mwt_dispatch_item_init (&post->item, mwt_main_post_dispatch);
  post->dispatcher = worker != NULL ? worker->workers->dispatcher : mwt_main_get_default_dispatcher ();
  post->func = func;
  post->user_data = user_data;
  post->notify = notify;

  mwt_wakeup_signal (mwt_dispatcher_push (post->dispatcher, &post->item));
}

/* For a C closure: GLib's own marshallers all expect an instance. */
static void
mwt_main_marshal_void (GClosure     *closure,
                       GValue       *return_value,
                       guint         n_param_values,
                       const GValue *param_values,
                       gpointer      invocation_hint,
                       gpointer      marshal_data)
{
  void (*callback) (gpointer) = marshal_data != NULL ? marshal_data : ((GCClosure *) closure)->callback;

  callback (closure->data);
}

static void
mwt_main_invoke_closure (gpointer closure)
{
  g_closure_invoke (closure, NULL, 0, NULL, NULL);
}

/* Binds @closure to mwt's calls: a reference of its own, sunk, and a
 * marshaller if it has none.
 */
static GClosure *
mwt_main_take_closure (GClosure *closure)
{
  g_closure_ref (closure);
  g_closure_sink (closure);
  if (G_CLOSURE_NEEDS_MARSHAL (closure))
    g_closure_set_marshal (closure, mwt_main_marshal_void);

  return closure;
}

static gpointer
mwt_main_call_closure (gpointer   closure,
                       GError   **error)
{
  mwt_main_invoke_closure (closure);

  return NULL;
}

/**
 * mwt_run_in_main_closure:
 * @closure: the closure to invoke on the main context, with no parameter
 *
 * The form of mwt_run_in_main() for language bindings, with a #GClosure
 * (see mwt_run_in_main_dont_wait_closure() for why): invokes @closure on
 * the main context and waits until it has returned. Its return value is
 * ignored: the binding keeps the function's result, or its exception, on
 * its own side. @closure is released on the calling thread.
 *
 * Since: 1.0
 */
void
mwt_run_in_main_closure (GClosure *closure)
{
  g_return_if_fail (closure != NULL);

  mwt_run_in_main (mwt_main_call_closure, mwt_main_take_closure (closure), NULL);
  g_closure_unref (closure);
}

/**
 * mwt_run_in_main_dont_wait_closure: (rename-to mwt_run_in_main_dont_wait)
 * @closure: the closure to invoke on the main context, with no parameter
 *
 * The form of mwt_run_in_main_dont_wait() for language bindings, with a
 * #GClosure. A binding hands a function of its language to a C callback
 * through a native closure made per call, which some never free
 * (PyGObject before 3.44.2); a #GClosure is reference-counted, and freed
 * once invoked. @closure is invoked with no parameter and its return value
 * ignored (a #GCClosure's callback gets its data only), and is released on
 * the main context.
 *
 * Since: 1.0
 */
void
mwt_run_in_main_dont_wait_closure (GClosure *closure)
{
  g_return_if_fail (closure != NULL);

  mwt_run_in_main_dont_wait (mwt_main_invoke_closure, mwt_main_take_closure (closure),
                             (GDestroyNotify) g_closure_unref);
}
