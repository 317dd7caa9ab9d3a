/* mwt-pool.c
 *
 * SPDX-FileCopyrightText: 2026 The mwt authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "mwt-main-private.h"
#include "mwt-pool-private.h"
#include "mwt-runner-private.h"
#include "mwt-waiter-private.h"

/**
 * SECTION:mwt-pool
 * @title: MwtPool
 * @short_description: a pool of worker threads, each with its own state
 *
 * An #MwtPool owns a set of threads. Each thread builds its own state when
 * it starts, with the pool's #MwtThreadInitFunc run inside that thread,
 * and hands it to every task it runs; the #MwtThreadExitFunc releases it
 * inside the same thread when the thread exits. This suits work that
 * needs a per-thread resource: a database connection, a compression
 * context, a library that is not thread-safe.
 *
 * Tasks wait in one queue until a thread is free, ordered by priority
 * (lower values first, as everywhere in GLib: %G_PRIORITY_HIGH before
 * %G_PRIORITY_DEFAULT) and first-in first-out within a priority. Results
 * come back the GIO way: a #GTask completed on the #GMainContext that was
 * the thread-default context of the caller, never on a worker.
 *
 * The pool holds a reference to each task, to itself, and to what the
 * caller gave with the task (the function's data, its result) until the
 * task's completion has been delivered on the task's context, and drops
 * them there, never on a pool thread (a mwt_pool_run_task() task that ran
 * is let go of on the pool's own context instead). No completion needs
 * any other context to be iterated; a context that submitted work and is
 * never iterated again keeps those alive, the pool included, as a #GTask
 * would. [Thread Safety][thread-safety-completions] tells what is
 * released where.
 *
 * Closing the pool with mwt_pool_close_async() or mwt_pool_close() stops
 * the idle threads at once, fails every queued task with
 * %G_IO_ERROR_CLOSED, and completes once the busy threads have finished
 * their task, run their exit function and exited.
 *
 * The API follows OCaml mwt, the OCaml library of the same name: see
 * [Coming from OCaml mwt][ocaml-mapping].
 *
 * A pool's threads can call back into the pool's own main context with
 * mwt_run_in_main(), or post a function there without waiting with
 * mwt_run_in_main_dont_wait().
 *
 * Since: 1.0
 */

enum {
  PROP_0,
  PROP_CLOSED,
  PROP_N_BUSY,
  PROP_N_QUEUED,
  PROP_N_THREADS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];
static guint notify_signal_id;

static void mwt_pool_initable_iface_init       (GInitableIface      *iface);
static void mwt_pool_async_initable_iface_init (GAsyncInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (MwtPool, mwt_pool, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      mwt_pool_initable_iface_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_ASYNC_INITABLE,
                                                      mwt_pool_async_initable_iface_init))

static gboolean
mwt_pool_is_own_thread (MwtPool *pool)
{
  return mwt_pool_get_current () == pool;
}

/* Property changes are announced on the pool's context only, at most once
 * per property and dispatch, by a notice that the scheduler hands to that
 * context's dispatcher. The notice must not keep the pool alive (a pool
 * closed and dropped would otherwise linger until its context is iterated
 * again), so it reaches the pool through a weak reference; it keeps the
 * context alive while it is on its way there.
 */
struct _MwtNotifier
{
  MwtNotice     notice;
  GWeakRef      pool;
  GMainContext *context;
};

static void
mwt_notifier_free (MwtNotifier *notifier)
{
  g_weak_ref_clear (&notifier->pool);
  mwt_dispatcher_unref (notifier->notice.dispatcher);
  mwt_context_unref_after_dispatch (notifier->context);
  g_free (notifier);
}

static void
mwt_pool_emit_changes (MwtPool    *pool,
                       MwtChanges  changes)
{
  static const struct { MwtChanges change; guint prop; } map[] = {
    { MWT_CHANGED_N_THREADS, PROP_N_THREADS },
    { MWT_CHANGED_CLOSED, PROP_CLOSED },
    { MWT_CHANGED_N_BUSY, PROP_N_BUSY },
    { MWT_CHANGED_N_QUEUED, PROP_N_QUEUED },
  };

  /* GLib before 2.76 runs its whole notification machinery even when
   * nobody listens: 1,800 instructions on the context's thread per
   * announcement, which one task at a time costs once or twice a round
   * trip. Newer GLib skips it for an object without a notify handler,
   * and so does the pool.
   */
  if (g_signal_handler_find (pool, G_SIGNAL_MATCH_ID, notify_signal_id, 0, NULL, NULL, NULL) == 0)
    return;

  g_object_freeze_notify (G_OBJECT (pool));
  for (guint i = 0; i < G_N_ELEMENTS (map); i++)
    if (changes & map[i].change)
      g_object_notify_by_pspec (G_OBJECT (pool), properties[map[i].prop]);
  g_object_thaw_notify (G_OBJECT (pool));
}

/* A notice whose pool is gone was left to its dispatch to free (see
 * mwt_scheduler_detach_changes()).
 */
static void
mwt_notifier_dispatch (MwtDispatchItem *item)
{
  MwtNotifier *notifier = (MwtNotifier *) item;
  MwtPool *pool = g_weak_ref_get (&notifier->pool);

  if (pool == NULL)
    {
      mwt_notifier_free (notifier);
      return;
    }

  mwt_pool_emit_changes (pool, mwt_scheduler_take_changes (&pool->scheduler));
  g_object_unref (pool);
}

static MwtNotifier *
mwt_notifier_new (MwtPool *pool)
{
  MwtNotifier *notifier = g_new0 (MwtNotifier, 1);

  mwt_dispatch_item_init (&notifier->notice.item, mwt_notifier_dispatch);
  notifier->notice.dispatcher = mwt_dispatcher_get_for_context (pool->context);
  g_weak_ref_init (&notifier->pool, pool);
  notifier->context = g_main_context_ref (pool->context);

  return notifier;
}

/* Stops the notices; the notifier goes now or with its last dispatch. */
static void
mwt_pool_detach_notifier (MwtPool *pool)
{
  MwtNotifier *notifier = g_steal_pointer (&pool->notifier);

  if (notifier != NULL && !mwt_scheduler_detach_changes (&pool->scheduler))
    mwt_notifier_free (notifier);
}

/* Blocking waits */

static void
mwt_pool_wake_blocker (GCancellable *cancellable,
                       MwtBlocker   *blocker)
{
  mwt_blocker_wake (blocker);
}

typedef struct
{
  MwtScheduler *scheduler;
  GCancellable *cancellable;
} MwtExitWait;

static gboolean
mwt_pool_has_no_threads (gpointer data)
{
  MwtExitWait *wait = data;

  return !mwt_scheduler_has_members (wait->scheduler) ||
         g_cancellable_is_cancelled (wait->cancellable);
}

/* Blocks until every thread has left, or @cancellable is cancelled, then
 * joins the threads that left. Returns whether every thread did.
 */
static gboolean
mwt_pool_wait_for_threads (MwtPool      *pool,
                           GCancellable *cancellable)
{
  MwtExitWait wait = { &pool->scheduler, cancellable };
  MwtBlocker blocker;
  gulong cancelled_id = 0;
  gboolean gone;

  mwt_blocker_init (&blocker);
  mwt_scheduler_add_blocker (&pool->scheduler, &blocker);
  if (cancellable != NULL)
    cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (mwt_pool_wake_blocker),
                                          &blocker, NULL);

  mwt_main_wait (pool->context, &blocker, mwt_pool_has_no_threads, &wait);

  g_cancellable_disconnect (cancellable, cancelled_id);
  mwt_scheduler_remove_blocker (&pool->scheduler, &blocker);
  mwt_blocker_clear (&blocker);

  gone = !mwt_scheduler_has_members (&pool->scheduler);
  mwt_workers_join_exited (&pool->workers);

  return gone;
}

typedef struct
{
  MwtScheduler *scheduler;
  guint32       epoch;
  GCancellable *cancellable;
} MwtDrainWait;

static gboolean
mwt_pool_has_drained (gpointer data)
{
  MwtDrainWait *wait = data;

  return mwt_scheduler_is_drained (wait->scheduler, wait->epoch) ||
         g_cancellable_is_cancelled (wait->cancellable);
}

/* Blocks until every job submitted so far is done, or @cancellable is
 * cancelled. Returns whether they all are.
 */
static gboolean
mwt_pool_wait_for_drain (MwtPool      *pool,
                         GCancellable *cancellable)
{
  MwtDrainWait wait = { &pool->scheduler, 0, cancellable };
  MwtBlocker blocker;
  gulong cancelled_id = 0;

  mwt_blocker_init (&blocker);
  mwt_scheduler_add_blocker (&pool->scheduler, &blocker);
  if (cancellable != NULL)
    cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (mwt_pool_wake_blocker),
                                          &blocker, NULL);

  wait.epoch = mwt_scheduler_drain (&pool->scheduler, NULL);
  mwt_main_wait (pool->context, &blocker, mwt_pool_has_drained, &wait);

  g_cancellable_disconnect (cancellable, cancelled_id);
  mwt_scheduler_remove_blocker (&pool->scheduler, &blocker);
  mwt_blocker_clear (&blocker);

  return mwt_scheduler_is_drained (&pool->scheduler, wait.epoch);
}

/* Starts @n_threads threads and blocks until every init has returned.
 * Returns the first error, if any; the threads of a failed batch leave
 * on their own.
 */
static GError *
mwt_pool_start_threads (MwtPool *pool,
                        guint    n_threads)
{
  MwtThreadBatch *batch;
  MwtBlocker blocker;
  GError *error;

  mwt_blocker_init (&blocker);
  mwt_workers_start (&pool->workers, n_threads, &blocker, NULL, &batch);
  mwt_main_wait (pool->context, &blocker, mwt_thread_batch_has_settled, batch);
  mwt_blocker_clear (&blocker);

  error = mwt_thread_batch_dup_error (batch);
  mwt_thread_batch_unref (batch);

  return error;
}

/* GObject */

static void
mwt_pool_constructed (GObject *object)
{
  MwtPool *pool = MWT_POOL (object);

  G_OBJECT_CLASS (mwt_pool_parent_class)->constructed (object);

  pool->context = g_main_context_ref_thread_default ();
  pool->notifier = mwt_notifier_new (pool);
  mwt_scheduler_init (&pool->scheduler, pool->context, &pool->notifier->notice);
  mwt_cancel_watches_init (&pool->cancel_watches, &pool->scheduler);
  mwt_workers_init (&pool->workers, &pool->scheduler, &pool->funcs, pool, pool->context);
}

static gboolean
mwt_pool_unref_later (gpointer data)
{
  g_object_unref (data);

  return G_SOURCE_REMOVE;
}

/* The last reference dropped on one of the pool's own threads: finalizing
 * there would wait for that very thread. The pool closes, lives on, and
 * goes on its own context instead, if that context is ever iterated
 * again: its threads detach rather than wait for a join that may never
 * come.
 */
static void
mwt_pool_dispose (GObject *object)
{
  MwtPool *pool = MWT_POOL (object);

  if (mwt_pool_is_own_thread (pool))
    {
      GSource *source = g_idle_source_new ();

      g_critical ("The last reference to an MwtPool was dropped on one of its own threads; "
                  "the pool is closed and will be finalized on its context");

      mwt_scheduler_close (&pool->scheduler);
      mwt_pool_detach_notifier (pool);
      mwt_workers_detach (&pool->workers);

      g_source_set_static_name (source, "[mwt] unref pool");
      g_source_set_callback (source, mwt_pool_unref_later, g_object_ref (pool), NULL);
      g_source_attach (source, pool->context);
      g_source_unref (source);
      return;
    }

  G_OBJECT_CLASS (mwt_pool_parent_class)->dispose (object);
}

static void
mwt_pool_finalize (GObject *object)
{
  MwtPool *pool = MWT_POOL (object);

  /* Nothing is in flight: every job and waiter holds a reference. Only
   * idle threads remain, if the pool is still open.
   */
  mwt_scheduler_close (&pool->scheduler);
  mwt_pool_wait_for_threads (pool, NULL);
  mwt_pool_detach_notifier (pool);

  mwt_workers_clear (&pool->workers);
  mwt_cancel_watches_clear (&pool->cancel_watches);
  mwt_scheduler_clear (&pool->scheduler);

  if (pool->init_data_destroy != NULL)
    pool->init_data_destroy (pool->funcs.init_data);
  if (pool->at_exit_data_destroy != NULL)
    pool->at_exit_data_destroy (pool->funcs.at_exit_data);

  /* The pool may be finalized in a dispatch of its own context, which
   * GLib goes on using after the dispatch returns.
   */
  mwt_context_unref_after_dispatch (pool->context);
  g_mutex_clear (&pool->mutex);

  G_OBJECT_CLASS (mwt_pool_parent_class)->finalize (object);
}

static void
mwt_pool_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  MwtPool *pool = MWT_POOL (object);

  switch (prop_id)
    {
    case PROP_CLOSED:
      g_value_set_boolean (value, mwt_pool_is_closed (pool));
      break;

    case PROP_N_BUSY:
      g_value_set_uint (value, mwt_pool_get_n_busy (pool));
      break;

    case PROP_N_QUEUED:
      g_value_set_uint (value, mwt_pool_get_n_queued (pool));
      break;

    case PROP_N_THREADS:
      g_value_set_uint (value, mwt_pool_get_n_threads (pool));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mwt_pool_set_property (GObject      *object,
                       guint         prop_id,
                       const GValue *value,
                       GParamSpec   *pspec)
{
  MwtPool *pool = MWT_POOL (object);

  switch (prop_id)
    {
    case PROP_N_THREADS:
      pool->n_threads = g_value_get_uint (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mwt_pool_class_init (MwtPoolClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = mwt_pool_constructed;
  object_class->dispose = mwt_pool_dispose;
  object_class->finalize = mwt_pool_finalize;
  object_class->get_property = mwt_pool_get_property;
  object_class->set_property = mwt_pool_set_property;

  /* GLib 2.74 caches G_IO_ERROR's quark in a plain static that its first
   * callers fill in: fill it here, before any pool thread can race its
   * tasks for it.
   */
  (void) G_IO_ERROR;

  notify_signal_id = g_signal_lookup ("notify", G_TYPE_OBJECT);

  /* Each property has a blurb, for tools that show it at run time (and
   * because gtk-doc warns about a property without one, doc comment or
   * not); the manual shows the doc comment.
   */

  /**
   * MwtPool:closed:
   *
   * Whether the pool was closed. Once it is, every task submitted fails
   * with %G_IO_ERROR_CLOSED. Notified on the pool's context, like
   * #MwtPool:n-busy.
   *
   * Since: 1.0
   */
  properties[PROP_CLOSED] =
    g_param_spec_boolean ("closed", NULL, "Whether the pool is closed",
                          FALSE,
                          (G_PARAM_READABLE |
                           G_PARAM_EXPLICIT_NOTIFY |
                           G_PARAM_STATIC_STRINGS));

  /**
   * MwtPool:n-busy:
   *
   * The number of threads running a task. Change notifications are
   * emitted on the pool's context, at most once per main loop iteration,
   * so binding the property to a label is cheap even under a burst.
   *
   * Since: 1.0
   */
  properties[PROP_N_BUSY] =
    g_param_spec_uint ("n-busy", NULL, "The number of threads running a task",
                       0, G_MAXUINT, 0,
                       (G_PARAM_READABLE |
                        G_PARAM_EXPLICIT_NOTIFY |
                        G_PARAM_STATIC_STRINGS));

  /**
   * MwtPool:n-queued:
   *
   * The number of tasks waiting for a free thread. Notified like
   * #MwtPool:n-busy.
   *
   * Since: 1.0
   */
  properties[PROP_N_QUEUED] =
    g_param_spec_uint ("n-queued", NULL, "The number of tasks waiting for a thread",
                       0, G_MAXUINT, 0,
                       (G_PARAM_READABLE |
                        G_PARAM_EXPLICIT_NOTIFY |
                        G_PARAM_STATIC_STRINGS));

  /**
   * MwtPool:n-threads:
   *
   * The number of threads of the pool. It is set when the pool is
   * constructed and changes only through mwt_pool_set_n_threads(). Notified
   * on the pool's context, like #MwtPool:n-busy.
   *
   * Since: 1.0
   */
  properties[PROP_N_THREADS] =
    g_param_spec_uint ("n-threads", NULL, "The number of threads of the pool",
                       1, G_MAXUINT, 1,
                       (G_PARAM_READWRITE |
                        G_PARAM_CONSTRUCT_ONLY |
                        G_PARAM_EXPLICIT_NOTIFY |
                        G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
mwt_pool_init (MwtPool *pool)
{
  g_mutex_init (&pool->mutex);
  pool->n_threads = 1;
}

/* Construction */

/* Marks the pool initialized; returns FALSE if it was already: a pool
 * starts once.
 */
static gboolean
mwt_pool_mark_initialized (MwtPool *pool)
{
  return g_atomic_int_compare_and_exchange (&pool->initialized, FALSE, TRUE);
}

/* A pool made with g_object_new() and never initialized has no thread: a
 * task handed to it would wait forever, and so would its caller.
 */
static gboolean
mwt_pool_is_initialized (MwtPool *pool)
{
  return g_atomic_int_get (&pool->initialized);
}

static gboolean
mwt_pool_initable_init (GInitable     *initable,
                        GCancellable  *cancellable,
                        GError       **error)
{
  MwtPool *pool = MWT_POOL (initable);
  gboolean first_start = mwt_pool_mark_initialized (pool);
  GError *local_error;

  g_return_val_if_fail (first_start, FALSE);

  local_error = mwt_pool_start_threads (pool, pool->n_threads);

  if (local_error == NULL && mwt_scheduler_is_closed (&pool->scheduler))
    local_error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CLOSED,
                                       "The pool was closed while its threads were starting");
  if (local_error == NULL)
    g_cancellable_set_error_if_cancelled (cancellable, &local_error);

  if (local_error != NULL)
    {
      mwt_scheduler_close (&pool->scheduler);
      mwt_pool_wait_for_threads (pool, NULL);
      g_propagate_error (error, local_error);
      return FALSE;
    }

  return TRUE;
}

static void
mwt_pool_initable_iface_init (GInitableIface *iface)
{
  iface->init = mwt_pool_initable_init;
}

static void
mwt_pool_init_async (GAsyncInitable      *initable,
                     int                  io_priority,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  MwtPool *pool = MWT_POOL (initable);
  gboolean first_start = mwt_pool_mark_initialized (pool);
  GTask *task;

  g_return_if_fail (first_start);

  task = g_task_new (pool, cancellable, callback, user_data);
  g_task_set_source_tag (task, mwt_pool_init_async);
  g_task_set_priority (task, io_priority);

  mwt_waiter_start (mwt_waiter_new (pool, task), pool->n_threads);
}

static gboolean
mwt_pool_init_finish (GAsyncInitable  *initable,
                      GAsyncResult    *result,
                      GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, initable), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
mwt_pool_async_initable_iface_init (GAsyncInitableIface *iface)
{
  iface->init_async = mwt_pool_init_async;
  iface->init_finish = mwt_pool_init_finish;
}

static MwtPool *
mwt_pool_new_unstarted (guint             n_threads,
                        MwtThreadInitFunc init,
                        gpointer          init_data,
                        GDestroyNotify    init_data_destroy,
                        MwtThreadExitFunc at_exit,
                        gpointer          at_exit_data,
                        GDestroyNotify    at_exit_data_destroy)
{
  MwtPool *pool = g_object_new (MWT_TYPE_POOL, "n-threads", n_threads, NULL);

  pool->funcs.init = init;
  pool->funcs.init_data = init_data;
  pool->funcs.at_exit = at_exit;
  pool->funcs.at_exit_data = at_exit_data;
  pool->init_data_destroy = init_data_destroy;
  pool->at_exit_data_destroy = at_exit_data_destroy;

  return pool;
}

/**
 * mwt_pool_new_async: (skip)
 * @n_threads: the number of threads, at least 1
 * @init: (nullable): the function that builds each thread's state, run
 *   inside each new thread, or %NULL for a %NULL state
 * @at_exit: (nullable): the function that releases a thread's state, run
 *   inside that thread before it exits, or %NULL
 * @user_data: data for @init and @at_exit
 * @user_data_destroy: (nullable): frees @user_data once no thread of the
 *   pool will run @init or @at_exit again
 * @io_priority: the I/O priority of the request: that of @callback's
 *   dispatch
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure callback_data): called once every
 *   @init has returned, or once creation failed
 * @callback_data: data for @callback
 *
 * Starts a pool of @n_threads threads. Each thread runs @init and keeps
 * what it returns as its state. Once every @init has returned, @callback
 * runs on the thread-default main context of the caller; call
 * mwt_pool_new_finish() there to get the pool.
 *
 * If any @init fails, or a thread cannot be started, creation fails with
 * that error: the threads whose @init succeeded run @at_exit and exit
 * before @callback runs.
 *
 * The pool's own context, the one mwt_run_in_main() calls into from its
 * threads, is the thread-default main context of the caller.
 *
 * Bindings use mwt_pool_new_full_async(), which gives each function its
 * own data.
 *
 * Since: 1.0
 */
void
mwt_pool_new_async (guint               n_threads,
                    MwtThreadInitFunc   init,
                    MwtThreadExitFunc   at_exit,
                    gpointer            user_data,
                    GDestroyNotify      user_data_destroy,
                    int                 io_priority,
                    GCancellable       *cancellable,
                    GAsyncReadyCallback callback,
                    gpointer            callback_data)
{
  g_return_if_fail (n_threads >= 1);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  mwt_pool_new_full_async (n_threads, init, user_data, user_data_destroy, at_exit, user_data, NULL,
                           io_priority, cancellable, callback, callback_data);
}

/**
 * mwt_pool_new_full_async: (rename-to mwt_pool_new_async)
 * @n_threads: the number of threads, at least 1
 * @init: (scope notified) (closure init_data) (destroy init_data_destroy) (nullable):
 *   the function that builds each thread's state, run inside each new
 *   thread, or %NULL for a %NULL state
 * @init_data: data for @init
 * @init_data_destroy: (nullable): frees @init_data once no thread of the
 *   pool will run @init again
 * @at_exit: (scope notified) (closure at_exit_data) (destroy at_exit_data_destroy) (nullable):
 *   the function that releases a thread's state, run inside that thread
 *   before it exits, or %NULL
 * @at_exit_data: data for @at_exit
 * @at_exit_data_destroy: (nullable): frees @at_exit_data once no thread of
 *   the pool will run @at_exit again
 * @io_priority: the I/O priority of the request: that of @callback's
 *   dispatch
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure callback_data): called once every
 *   @init has returned, or once creation failed
 * @callback_data: data for @callback
 *
 * Like mwt_pool_new_async(), with data of its own for each function: the
 * form that language bindings use.
 *
 * Since: 1.0
 */
void
mwt_pool_new_full_async (guint               n_threads,
                         MwtThreadInitFunc   init,
                         gpointer            init_data,
                         GDestroyNotify      init_data_destroy,
                         MwtThreadExitFunc   at_exit,
                         gpointer            at_exit_data,
                         GDestroyNotify      at_exit_data_destroy,
                         int                 io_priority,
                         GCancellable       *cancellable,
                         GAsyncReadyCallback callback,
                         gpointer            callback_data)
{
  g_autoptr(MwtPool) pool = NULL;

  g_return_if_fail (n_threads >= 1);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  pool = mwt_pool_new_unstarted (n_threads, init, init_data, init_data_destroy,
                                 at_exit, at_exit_data, at_exit_data_destroy);
  g_async_initable_init_async (G_ASYNC_INITABLE (pool), io_priority,
                               cancellable, callback, callback_data);
}

/**
 * mwt_pool_new_finish:
 * @result: the #GAsyncResult given to the callback of mwt_pool_new_async()
 *   or mwt_pool_new_full_async()
 * @error: return location for a #GError
 *
 * Finishes mwt_pool_new_async() or mwt_pool_new_full_async().
 *
 * Returns: (transfer full): the new pool, or %NULL with @error set
 *
 * Since: 1.0
 */
MwtPool *
mwt_pool_new_finish (GAsyncResult  *result,
                     GError       **error)
{
  g_autoptr(GObject) source = NULL;

  g_return_val_if_fail (G_IS_TASK (result), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == mwt_pool_init_async, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  source = g_async_result_get_source_object (result);
  g_return_val_if_fail (MWT_IS_POOL (source), NULL);

  return MWT_POOL (g_async_initable_new_finish (G_ASYNC_INITABLE (source), result, error));
}

/**
 * mwt_pool_new: (skip)
 * @n_threads: the number of threads, at least 1
 * @init: (nullable): the function that builds each thread's state, run
 *   inside each new thread, or %NULL
 * @at_exit: (nullable): the function that releases a thread's state, run
 *   inside that thread before it exits, or %NULL
 * @user_data: data for @init and @at_exit
 * @user_data_destroy: (nullable): frees @user_data once no thread of the
 *   pool will run @init or @at_exit again
 * @error: return location for a #GError
 *
 * The blocking form of mwt_pool_new_async(): returns once every @init has
 * returned. While it waits, the calling thread runs the mwt_run_in_main()
 * calls that the new threads make into its context, if it owns that
 * context or can acquire it.
 *
 * Bindings use mwt_pool_new_full(), which gives each function its own
 * data.
 *
 * Returns: (transfer full): the new pool, or %NULL with @error set
 *
 * Since: 1.0
 */
MwtPool *
mwt_pool_new (guint               n_threads,
              MwtThreadInitFunc   init,
              MwtThreadExitFunc   at_exit,
              gpointer            user_data,
              GDestroyNotify      user_data_destroy,
              GError            **error)
{
  g_return_val_if_fail (n_threads >= 1, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return mwt_pool_new_full (n_threads, init, user_data, user_data_destroy, at_exit, user_data, NULL, error);
}

/**
 * mwt_pool_new_full: (rename-to mwt_pool_new)
 * @n_threads: the number of threads, at least 1
 * @init: (scope notified) (closure init_data) (destroy init_data_destroy) (nullable):
 *   the function that builds each thread's state, run inside each new
 *   thread, or %NULL
 * @init_data: data for @init
 * @init_data_destroy: (nullable): frees @init_data once no thread of the
 *   pool will run @init again
 * @at_exit: (scope notified) (closure at_exit_data) (destroy at_exit_data_destroy) (nullable):
 *   the function that releases a thread's state, run inside that thread
 *   before it exits, or %NULL
 * @at_exit_data: data for @at_exit
 * @at_exit_data_destroy: (nullable): frees @at_exit_data once no thread of
 *   the pool will run @at_exit again
 * @error: return location for a #GError
 *
 * Like mwt_pool_new(), with data of its own for each function: the form
 * that language bindings use.
 *
 * Returns: (transfer full): the new pool, or %NULL with @error set
 *
 * Since: 1.0
 */
MwtPool *
mwt_pool_new_full (guint               n_threads,
                   MwtThreadInitFunc   init,
                   gpointer            init_data,
                   GDestroyNotify      init_data_destroy,
                   MwtThreadExitFunc   at_exit,
                   gpointer            at_exit_data,
                   GDestroyNotify      at_exit_data_destroy,
                   GError            **error)
{
  g_autoptr(MwtPool) pool = NULL;

  g_return_val_if_fail (n_threads >= 1, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  pool = mwt_pool_new_unstarted (n_threads, init, init_data, init_data_destroy,
                                 at_exit, at_exit_data, at_exit_data_destroy);
  if (!g_initable_init (G_INITABLE (pool), NULL, error))
    return NULL;

  return g_steal_pointer (&pool);
}

/* Accessors */

/**
 * mwt_pool_get_n_threads:
 * @pool: a #MwtPool
 *
 * Gets the number of threads the pool is made of. After a shrink with
 * mwt_pool_set_n_threads(), surplus threads may still be finishing their
 * task.
 *
 * Returns: the number of threads
 *
 * Since: 1.0
 */
guint
mwt_pool_get_n_threads (MwtPool *pool)
{
  guint n_threads;

  g_return_val_if_fail (MWT_IS_POOL (pool), 0);

  g_mutex_lock (&pool->mutex);
  n_threads = pool->n_threads;
  g_mutex_unlock (&pool->mutex);

  return n_threads;
}

/**
 * mwt_pool_is_closed:
 * @pool: a #MwtPool
 *
 * Gets whether @pool was closed, with mwt_pool_close_async(),
 * mwt_pool_close(), or because its creation failed.
 *
 * Returns: %TRUE if the pool is closed
 *
 * Since: 1.0
 */
gboolean
mwt_pool_is_closed (MwtPool *pool)
{
  g_return_val_if_fail (MWT_IS_POOL (pool), FALSE);

  return mwt_scheduler_is_closed (&pool->scheduler);
}

/**
 * mwt_pool_get_n_busy:
 * @pool: a #MwtPool
 *
 * Gets the number of threads running a task right now. Safe to call from
 * any thread.
 *
 * Returns: the number of busy threads
 *
 * Since: 1.0
 */
guint
mwt_pool_get_n_busy (MwtPool *pool)
{
  g_return_val_if_fail (MWT_IS_POOL (pool), 0);

  return mwt_scheduler_get_n_busy (&pool->scheduler);
}

/**
 * mwt_pool_get_n_queued:
 * @pool: a #MwtPool
 *
 * Gets the number of tasks waiting for a free thread. Safe to call from
 * any thread.
 *
 * Returns: the number of queued tasks
 *
 * Since: 1.0
 */
guint
mwt_pool_get_n_queued (MwtPool *pool)
{
  g_return_val_if_fail (MWT_IS_POOL (pool), 0);

  return mwt_scheduler_get_n_queued (&pool->scheduler);
}

/**
 * mwt_pool_get_context:
 * @pool: a #MwtPool
 *
 * Gets the pool's own main context: the thread-default main context of
 * the thread that created it. From the pool's threads, mwt_run_in_main()
 * calls into it and mwt_run_in_main_dont_wait() posts to it without
 * waiting; property notifications are emitted on it.
 *
 * Returns: (transfer none): the pool's #GMainContext
 *
 * Since: 1.0
 */
GMainContext *
mwt_pool_get_context (MwtPool *pool)
{
  g_return_val_if_fail (MWT_IS_POOL (pool), NULL);

  return pool->context;
}

/**
 * mwt_pool_get_current:
 *
 * Gets the pool whose thread is calling, from a task, an init or an exit
 * function.
 *
 * Returns: (transfer none) (nullable): the pool of the calling thread, or
 *   %NULL if the calling thread belongs to no pool
 *
 * Since: 1.0
 */
MwtPool *
mwt_pool_get_current (void)
{
  MwtWorker *worker = mwt_worker_get_current ();

  return worker != NULL ? worker->workers->pool : NULL;
}

/* Running */

/* A job with a cancellable joins the pool's watch of it first: the
 * watch's handler ignores a job that is not queued yet, and the queueing
 * checks the cancellable.
 */
static void
mwt_pool_submit (MwtPool *pool,
                 MwtJob  *job)
{
  if (mwt_job_get_cancellable (job) != NULL)
    mwt_cancel_watch_join (&pool->cancel_watches, mwt_job_get_full (job));

  mwt_scheduler_submit (&pool->scheduler, job);
}

/**
 * mwt_pool_run_task:
 * @pool: a #MwtPool
 * @task: a #GTask
 * @func: (scope async): the function to run on a pool thread
 *
 * The pool's g_task_run_in_thread(): runs @func on one of @pool's threads
 * with that thread's state, and @func completes @task with one of the
 * g_task_return_*() functions.
 *
 * While every thread is busy, @task waits in the pool's queue, ordered by
 * g_task_get_priority() (lower values first, as everywhere in GLib) and
 * first-in first-out within a priority. If the task's #GCancellable is
 * cancelled while it waits, it leaves the queue at once, completes with
 * %G_IO_ERROR_CANCELLED and never runs; once @func runs, cancelling is up
 * to @func. If the pool is closed, or closes while the task waits, the
 * task completes with %G_IO_ERROR_CLOSED. Either way the task completes
 * on its own context, which need not be the pool's.
 *
 * Any number of tasks may share one cancellable at no extra cost to its
 * other users: the pool connects a single handler to it, however many of
 * its tasks use it, and disconnects it once the last of them is done.
 *
 * Where it differs from g_task_run_in_thread(): the task's callback runs
 * on its context as soon as @func calls a g_task_return_*() function,
 * possibly before @func has returned, as for any #GTask that is not run
 * by GLib's own pool; and g_task_set_return_on_cancel() has no effect.
 *
 * The pool keeps a reference to itself and to @task until @func has
 * returned, and drops both on the pool's own context (see
 * mwt_pool_get_context()), the next time that context is iterated after
 * @func returned; never on a worker. A task that never ran (cancelled
 * while queued, or rejected by a closed pool) is released on its own
 * context, where it completes. If @func returns without completing @task,
 * the callback never runs; the pool still releases its reference and goes
 * on working.
 *
 * Since: 1.0
 */
void
mwt_pool_run_task (MwtPool           *pool,
                   GTask             *task,
                   MwtPoolThreadFunc  func)
{
  g_return_if_fail (MWT_IS_POOL (pool));
  g_return_if_fail (mwt_pool_is_initialized (pool));
  g_return_if_fail (G_IS_TASK (task));
  g_return_if_fail (func != NULL);

  mwt_pool_submit (pool, mwt_job_new (MWT_JOB_TASK, pool, g_object_ref (task), func,
                                      g_task_get_cancellable (task), NULL));
}

/* @result_destroy is typed GFreeFunc for introspection: the scanner
 * would take any GDestroyNotify that follows @func for @func's own.
 */
/**
 * mwt_pool_run_async:
 * @pool: a #MwtPool
 * @func: (scope notified) (closure func_data) (destroy func_data_destroy):
 *   the function to run on a pool thread
 * @func_data: data for @func, gone by the time @callback runs
 * @func_data_destroy: (nullable): frees @func_data, on the caller's
 *   context before @callback runs
 * @result_destroy: (nullable) (type GLib.FreeFunc) (scope async): frees a
 *   result of @func that nobody collected with mwt_pool_run_finish()
 * @io_priority: the I/O priority of the request: its place in the queue
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data) (nullable): called on the
 *   caller's thread-default main context once @func has returned, or once
 *   the call was cancelled or rejected; %NULL to run @func without
 *   waiting for it
 * @user_data: data for @callback
 *
 * Runs @func on one of @pool's threads with that thread's state, and hands
 * what it returns to @callback; call mwt_pool_run_finish() there.
 *
 * Queueing, with @io_priority in place of the task's priority (lower
 * values run first, as everywhere in GLib: %G_PRIORITY_HIGH before
 * %G_PRIORITY_DEFAULT), cancellation and closing follow
 * mwt_pool_run_task(). Once @func has
 * started, stopping early is up to @func, which gets @cancellable. As with
 * any #GTask, a call whose @cancellable is cancelled before @callback runs
 * completes with %G_IO_ERROR_CANCELLED, even if @func returned a result:
 * that result is then freed with @result_destroy. mwt_pool_run_sync()
 * follows the same rule.
 *
 * On the caller's context, @func_data_destroy runs first, then @callback:
 * @callback cannot reach @func_data, so pass what it needs as @user_data
 * (with a reference of its own to an object that @func_data holds too).
 * A result that nobody collects (there is no @callback, or it does not
 * call mwt_pool_run_finish()) is freed with @result_destroy once the
 * #GAsyncResult is finalized, which is on the caller's context too unless
 * the callback kept a reference to it.
 *
 * Since: 1.0
 */
void
mwt_pool_run_async (MwtPool             *pool,
                    MwtPoolFunc          func,
                    gpointer             func_data,
                    GDestroyNotify       func_data_destroy,
                    GDestroyNotify       result_destroy,
                    int                  io_priority,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  GTask *task;
  MwtJob *job;

  g_return_if_fail (MWT_IS_POOL (pool));
  g_return_if_fail (mwt_pool_is_initialized (pool));
  g_return_if_fail (func != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (pool, cancellable, callback, user_data);
  /* Not the macro: before GLib 2.76 it names the task with a copy of the
   * tag's name, an allocation per task on the hot path.
   */
  (g_task_set_source_tag) (task, mwt_pool_run_async);
  if (io_priority != G_PRIORITY_DEFAULT)
    g_task_set_priority (task, io_priority);
  if (func_data != NULL || func_data_destroy != NULL)
    g_task_set_task_data (task, func_data, func_data_destroy);

  job = mwt_job_new (MWT_JOB_ASYNC, pool, task, func, cancellable, result_destroy);
  if (func_data_destroy != NULL)
    job->flags |= MWT_JOB_FREES_DATA;
  mwt_pool_submit (pool, job);
}

/**
 * mwt_pool_run_finish:
 * @pool: a #MwtPool
 * @result: the #GAsyncResult given to the callback of mwt_pool_run_async()
 * @error: return location for a #GError
 *
 * Finishes mwt_pool_run_async().
 *
 * Returns: (transfer full) (nullable): what the function returned, or
 *   %NULL with @error set
 *
 * Since: 1.0
 */
gpointer
mwt_pool_run_finish (MwtPool       *pool,
                     GAsyncResult  *result,
                     GError       **error)
{
  g_return_val_if_fail (MWT_IS_POOL (pool), NULL);
  g_return_val_if_fail (g_task_is_valid (result, pool), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == mwt_pool_run_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static gboolean
mwt_pool_sync_job_finished (gpointer data)
{
  MwtSyncJob *sync = data;

  return mwt_blocker_is_finished (sync->blocker, &sync->finished);
}

/* Runs @func on one of @pool's threads and blocks until it has returned,
 * or until it can be known that it never will. A cancellation wins over
 * the outcome, as in g_task_propagate_pointer(): the result then goes to
 * @result_destroy.
 */
static gpointer
mwt_pool_wait_for_call (MwtPool        *pool,
                        MwtPoolFunc     func,
                        gpointer        func_data,
                        GDestroyNotify  result_destroy,
                        gint            priority,
                        GCancellable   *cancellable,
                        GError        **error)
{
  gboolean own_thread = mwt_pool_is_own_thread (pool);
  MwtBlocker blocker;
  MwtSyncJob sync;
  MwtJob *job = &sync.full.job;

  if (own_thread && !mwt_scheduler_begin_sync_wait (&pool->scheduler))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK,
                           "Every other thread of the pool waits for the pool too: "
                           "no thread would ever run the function");
      return NULL;
    }

  mwt_blocker_init (&blocker);
  mwt_job_init_sync (&sync, pool, func, func_data, priority, cancellable, &blocker);
  mwt_pool_submit (pool, job);
  mwt_main_wait (pool->context, &blocker, mwt_pool_sync_job_finished, &sync);
  mwt_cancel_watch_leave (&sync.full);
  mwt_blocker_clear (&blocker);

  if (own_thread)
    mwt_scheduler_end_sync_wait (&pool->scheduler);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    {
      if (job->flags & MWT_JOB_FAILED)
        g_error_free (job->u.error);
      else if (job->u.result != NULL && result_destroy != NULL)
        result_destroy (job->u.result);
      return NULL;
    }

  if (job->flags & MWT_JOB_FAILED)
    {
      g_propagate_error (error, job->u.error);
      return NULL;
    }

  return job->u.result;
}

/* @result_destroy is typed GFreeFunc for the reason given at
 * mwt_pool_run_async().
 */
/**
 * mwt_pool_run_sync:
 * @pool: a #MwtPool
 * @func: (scope call) (closure func_data): the function to run on a pool
 *   thread
 * @func_data: data for @func
 * @result_destroy: (nullable) (type GLib.FreeFunc) (scope call): frees a
 *   result of @func that is not returned, because the call was cancelled
 * @io_priority: the I/O priority of the request: its place in the queue
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * The blocking form of mwt_pool_run_async(), the pool's
 * g_task_run_in_thread_sync(): runs @func on one of @pool's threads with
 * that thread's state, and returns what it returned to the calling
 * thread. Queueing, with @io_priority (lower values run first), and
 * closing follow mwt_pool_run_async(): a call from a thread without a
 * main loop waits its turn behind the more urgent tasks and those of the
 * same priority queued before it.
 *
 * Cancellation follows mwt_pool_run_async() too, which is GIO's rule for
 * g_task_run_in_thread_sync() and g_task_propagate_pointer(): if
 * @cancellable is cancelled before this returns, it fails with
 * %G_IO_ERROR_CANCELLED, even if @func returned a result, which is then
 * freed with @result_destroy (or an error, which is dropped). Cancelled
 * while queued, @func never runs; once it runs, stopping early is up to
 * @func, which gets @cancellable.
 *
 * While it waits, the calling thread runs the mwt_run_in_main() calls made
 * into the pool's context if it owns that context or can acquire it, as
 * mwt_pool_close() does: a task may call back into the main thread that
 * waits for it.
 *
 * Called from one of @pool's own threads, it waits for another thread of
 * the pool; if every other thread already waits so, nobody would ever run
 * @func, and it fails at once with %G_IO_ERROR_WOULD_BLOCK. A fixed pool
 * does not grow to avoid this, as GLib's does: see
 * [Thread Safety][thread-safety-starvation].
 *
 * Returns: (transfer full) (nullable): what @func returned, or %NULL with
 *   @error set
 *
 * Since: 1.0
 */
gpointer
mwt_pool_run_sync (MwtPool         *pool,
                   MwtPoolFunc      func,
                   gpointer         func_data,
                   GDestroyNotify   result_destroy,
                   int              io_priority,
                   GCancellable    *cancellable,
                   GError         **error)
{
  g_return_val_if_fail (MWT_IS_POOL (pool), NULL);
  g_return_val_if_fail (mwt_pool_is_initialized (pool), NULL);
  g_return_val_if_fail (func != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return mwt_pool_wait_for_call (pool, func, func_data, result_destroy, io_priority, cancellable,
                                 error);
}

/* Pushing items */

/**
 * mwt_pool_push:
 * @pool: a #MwtPool
 * @runner: the #MwtRunner whose functions take @item
 * @item: (nullable): what to hand to @runner's functions
 * @io_priority: the I/O priority of the request: its place in the queue
 *   (lower values run first)
 * @cancellable: (nullable): a #GCancellable
 *
 * Hands @item to @pool: @runner's function runs it on one of the pool's
 * threads, with that thread's state, then @runner's done function, if it
 * has one, gets it on the thread-default main context of the caller, as a
 * #GTask's callback would. This is mwt_pool_run_async() without a
 * function, a closure or a #GTask per call: see #MwtRunner.
 *
 * Queueing, cancellation and closing follow mwt_pool_run_async(): an item
 * cancelled while it waits, or queued when the pool closes, never runs,
 * and the done function gets it with %G_IO_ERROR_CANCELLED or
 * %G_IO_ERROR_CLOSED. Once the function has started, stopping early is up
 * to it; the done function then gets no error, even if @cancellable was
 * cancelled meanwhile: whether that result still matters is the caller's
 * business.
 *
 * Until the done function has run, the pool keeps a reference to itself,
 * to @runner and to the caller's context. An item that ends where it ends
 * (see mwt_runner_new()) only keeps @runner: a pool finalized with such
 * items queued fails them with %G_IO_ERROR_CLOSED.
 *
 * Since: 1.0
 */
void
mwt_pool_push (MwtPool      *pool,
               MwtRunner    *runner,
               gpointer      item,
               int           io_priority,
               GCancellable *cancellable)
{
  g_return_if_fail (MWT_IS_POOL (pool));
  g_return_if_fail (mwt_pool_is_initialized (pool));
  g_return_if_fail (MWT_IS_RUNNER (runner));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  mwt_pool_submit (pool, mwt_job_new_item (pool, runner, item, io_priority, cancellable));
}

typedef struct
{
  MwtRunner *runner;
  gpointer   item;
} MwtPushedItem;

static gpointer
mwt_pool_run_pushed_item (gpointer       thread_state,
                          gpointer       data,
                          GCancellable  *cancellable,
                          GError       **error)
{
  MwtPushedItem *pushed = data;
  MwtRunner *runner = pushed->runner;

  runner->func (thread_state, pushed->item, cancellable, runner->func_data);

  return NULL;
}

/**
 * mwt_pool_push_sync:
 * @pool: a #MwtPool
 * @runner: the #MwtRunner whose function runs @item
 * @item: (nullable): what to hand to @runner's function
 * @io_priority: the I/O priority of the request: its place in the queue
 *   (lower values run first)
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * The blocking form of mwt_pool_push(), as mwt_pool_run_sync() is of
 * mwt_pool_run_async(): runs @item with @runner's function on one of
 * @pool's threads and returns once it has. @runner's done function is not
 * called: this returns why the item never ran instead. Waiting and
 * cancellation follow mwt_pool_run_sync(), mwt_run_in_main() calls served
 * and %G_IO_ERROR_WOULD_BLOCK included: if @cancellable is cancelled
 * before this returns, it fails with %G_IO_ERROR_CANCELLED even if @item
 * ran.
 *
 * Returns: %TRUE once @item has run, or %FALSE with @error set
 *
 * Since: 1.0
 */
gboolean
mwt_pool_push_sync (MwtPool       *pool,
                    MwtRunner     *runner,
                    gpointer       item,
                    int            io_priority,
                    GCancellable  *cancellable,
                    GError       **error)
{
  MwtPushedItem pushed = { runner, item };
  GError *local_error = NULL;

  g_return_val_if_fail (MWT_IS_POOL (pool), FALSE);
  g_return_val_if_fail (mwt_pool_is_initialized (pool), FALSE);
  g_return_val_if_fail (MWT_IS_RUNNER (runner), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  mwt_pool_wait_for_call (pool, mwt_pool_run_pushed_item, &pushed, NULL, io_priority, cancellable,
                          &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }

  return TRUE;
}

/* Draining and closing */

/**
 * mwt_pool_drain_async:
 * @pool: a #MwtPool
 * @io_priority: the I/O priority of the request: that of @callback's
 *   dispatch
 * @cancellable: (nullable): a #GCancellable, which only stops the wait
 * @callback: (scope async) (closure user_data): called on the caller's
 *   thread-default main context once the pool is drained
 * @user_data: data for @callback
 *
 * Waits until every task submitted to @pool before this call has
 * completed; tasks submitted later do not hold it up, and the pool stays
 * open. On the caller's context, @callback runs after the callbacks of
 * those tasks. Draining and then closing shuts a pool down without
 * failing its queued tasks.
 *
 * On a closed pool, the drain completes once the pool's threads have
 * exited.
 *
 * Since: 1.0
 */
void
mwt_pool_drain_async (MwtPool             *pool,
                      int                  io_priority,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (MWT_IS_POOL (pool));
  g_return_if_fail (mwt_pool_is_initialized (pool));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (pool, cancellable, callback, user_data);
  g_task_set_source_tag (task, mwt_pool_drain_async);
  g_task_set_priority (task, io_priority);

  mwt_waiter_drain (mwt_waiter_new (pool, task));
}

/**
 * mwt_pool_drain_finish:
 * @pool: a #MwtPool
 * @result: the #GAsyncResult given to the callback of mwt_pool_drain_async()
 * @error: return location for a #GError
 *
 * Finishes mwt_pool_drain_async().
 *
 * Returns: %TRUE once drained, or %FALSE with @error set (to
 *   %G_IO_ERROR_CANCELLED)
 *
 * Since: 1.0
 */
gboolean
mwt_pool_drain_finish (MwtPool       *pool,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (MWT_IS_POOL (pool), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, pool), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == mwt_pool_drain_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Whether the calling thread may block until @pool is done with @what
 * ("drain", "close"): not one of its threads, which would wait for itself,
 * nor the main side of a mwt_run_in_main() call, whose pool thread waits for
 * it. If not, sets %G_IO_ERROR_WOULD_BLOCK, with @outcome appended.
 */
static gboolean
mwt_pool_may_wait (MwtPool     *pool,
                   const char  *what,
                   const char  *outcome,
                   GError     **error)
{
  if (mwt_pool_is_own_thread (pool))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK,
                   "A pool thread cannot wait for its own pool to %s%s", what, outcome);
      return FALSE;
    }

  if (mwt_main_is_running_call_of (pool))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK,
                   "A mwt_run_in_main() function cannot wait for the pool whose thread "
                   "waits for it to return%s", outcome);
      return FALSE;
    }

  return TRUE;
}

/**
 * mwt_pool_drain:
 * @pool: a #MwtPool
 * @cancellable: (nullable): a #GCancellable, which only stops the wait
 * @error: return location for a #GError
 *
 * The blocking form of mwt_pool_drain_async(): returns once every task
 * submitted to @pool before this call has run, or will never run
 * (cancelled, or failed by a close). Their completions are then on their
 * way to their contexts: a callback runs the next time its context is
 * iterated, which this does not wait for. Tasks submitted meanwhile do not
 * hold it up, and the pool stays open: draining and then closing shuts a
 * pool down without failing its queued tasks.
 *
 * While it waits, the calling thread runs the mwt_run_in_main() calls made
 * into the pool's context, as mwt_pool_close() does. Where the wait could
 * never end, it fails at once with %G_IO_ERROR_WOULD_BLOCK: called from
 * one of @pool's own threads, whose task would wait for itself, or from
 * the main-side function of a mwt_run_in_main() call made by one of
 * @pool's threads.
 *
 * Returns: %TRUE once drained, or %FALSE with @error set
 *
 * Since: 1.0
 */
gboolean
mwt_pool_drain (MwtPool       *pool,
                GCancellable  *cancellable,
                GError       **error)
{
  g_return_val_if_fail (MWT_IS_POOL (pool), FALSE);
  g_return_val_if_fail (mwt_pool_is_initialized (pool), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!mwt_pool_may_wait (pool, "drain", "", error))
    return FALSE;

  if (!mwt_pool_wait_for_drain (pool, cancellable))
    {
      g_cancellable_set_error_if_cancelled (cancellable, error);
      return FALSE;
    }

  return TRUE;
}

/**
 * mwt_pool_close_async:
 * @pool: a #MwtPool
 * @io_priority: the I/O priority of the request: that of @callback's
 *   dispatch
 * @cancellable: (nullable): a #GCancellable, which only stops the wait
 * @callback: (scope async) (closure user_data) (nullable): called on the
 *   caller's thread-default main context once every thread has exited, or
 *   %NULL to close without waiting (the fire-and-forget close of OCaml
 *   mwt, see [Coming from OCaml mwt][ocaml-mapping]; the threads are then
 *   joined by mwt_pool_close() or when the pool is finalized)
 * @user_data: data for @callback
 *
 * Closes @pool: marks it closed at once, stops the idle threads, and fails
 * every queued task with %G_IO_ERROR_CLOSED. Busy threads finish their
 * current task, run the exit function and exit; then @callback runs, and
 * every thread has been joined. On the caller's context, the callbacks of
 * the tasks that the close failed (and of the busy ones) run before
 * @callback, as they do before a drain's. Closing a closed pool is
 * harmless.
 *
 * The pool is closed in any case: cancelling @cancellable only makes the
 * wait end early, with %G_IO_ERROR_CANCELLED. May be called from any
 * thread, including from a task running on @pool.
 *
 * Since: 1.0
 */
void
mwt_pool_close_async (MwtPool             *pool,
                      int                  io_priority,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (MWT_IS_POOL (pool));
  g_return_if_fail (mwt_pool_is_initialized (pool));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  mwt_scheduler_close (&pool->scheduler);

  /* Nobody waits: nothing may keep the pool alive meanwhile. */
  if (callback == NULL)
    return;

  task = g_task_new (pool, cancellable, callback, user_data);
  g_task_set_source_tag (task, mwt_pool_close_async);
  g_task_set_priority (task, io_priority);

  mwt_waiter_close (mwt_waiter_new (pool, task));
}

/**
 * mwt_pool_close_finish:
 * @pool: a #MwtPool
 * @result: the #GAsyncResult given to the callback of mwt_pool_close_async()
 * @error: return location for a #GError
 *
 * Finishes mwt_pool_close_async().
 *
 * Returns: %TRUE once every thread has exited, or %FALSE with @error set
 *   if the wait was cancelled
 *
 * Since: 1.0
 */
gboolean
mwt_pool_close_finish (MwtPool       *pool,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (MWT_IS_POOL (pool), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, pool), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == mwt_pool_close_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * mwt_pool_close:
 * @pool: a #MwtPool
 * @cancellable: (nullable): a #GCancellable, which only stops the wait
 * @error: return location for a #GError
 *
 * The blocking form of mwt_pool_close_async(): closes @pool and returns
 * once every thread has exited and been joined.
 *
 * While it waits, the calling thread runs the mwt_run_in_main() calls that
 * busy threads make into the pool's context, if it owns that context or
 * can acquire it (also later, once another thread releases it), so that
 * it does not deadlock with them; while a mwt_run_in_main_task() task is
 * incomplete, it iterates that context until the task completes.
 *
 * Where the wait could never end, it fails at once with
 * %G_IO_ERROR_WOULD_BLOCK, after closing the pool as
 * mwt_pool_close_async() does: called from one of @pool's own threads,
 * which would wait for itself, or from the main-side function of a
 * mwt_run_in_main() call made by one of @pool's threads, which waits for
 * that function to return.
 *
 * Returns: %TRUE once every thread has exited, or %FALSE with @error set
 *
 * Since: 1.0
 */
gboolean
mwt_pool_close (MwtPool       *pool,
                GCancellable  *cancellable,
                GError       **error)
{
  g_return_val_if_fail (MWT_IS_POOL (pool), FALSE);
  g_return_val_if_fail (mwt_pool_is_initialized (pool), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  mwt_scheduler_close (&pool->scheduler);

  if (!mwt_pool_may_wait (pool, "close", "; the pool was closed without waiting", error))
    return FALSE;

  if (!mwt_pool_wait_for_threads (pool, cancellable))
    {
      g_cancellable_set_error_if_cancelled (cancellable, error);
      return FALSE;
    }

  return TRUE;
}

/* Resizing */

/**
 * mwt_pool_set_n_threads:
 * @pool: a #MwtPool
 * @n_threads: the new number of threads, at least 1
 * @error: return location for a #GError
 *
 * Resizes @pool. Growing starts new threads and returns once their init
 * functions have returned; if one fails, its error is returned, the new
 * threads that did start run the exit function and exit (possibly after
 * this returns), and the pool keeps its old size.
 * Shrinking returns at once: surplus threads finish their current task,
 * run the exit function on their own thread and exit. Queued and running
 * tasks are never lost. Blocks like mwt_pool_new() while growing.
 *
 * Fails with %G_IO_ERROR_CLOSED on a closed pool and with
 * %G_IO_ERROR_PENDING while another thread is growing the pool.
 *
 * Returns: %TRUE if the pool was resized, or %FALSE with @error set
 *
 * Since: 1.0
 */
gboolean
mwt_pool_set_n_threads (MwtPool  *pool,
                        guint     n_threads,
                        GError  **error)
{
  GError *local_error = NULL;
  guint n_old;

  g_return_val_if_fail (MWT_IS_POOL (pool), FALSE);
  g_return_val_if_fail (mwt_pool_is_initialized (pool), FALSE);
  g_return_val_if_fail (n_threads >= 1, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_mutex_lock (&pool->mutex);

  if (mwt_scheduler_is_closed (&pool->scheduler) || pool->resizing)
    {
      gboolean closed = mwt_scheduler_is_closed (&pool->scheduler);

      g_mutex_unlock (&pool->mutex);
      g_set_error_literal (error, G_IO_ERROR,
                           closed ? G_IO_ERROR_CLOSED : G_IO_ERROR_PENDING,
                           closed ? "The pool is closed" : "The pool is already growing");
      return FALSE;
    }

  n_old = pool->n_threads;
  pool->resizing = TRUE;
  g_mutex_unlock (&pool->mutex);

  if (n_threads < n_old)
    mwt_scheduler_shrink (&pool->scheduler, n_old - n_threads);
  else if (n_threads > n_old)
    {
      /* Threads still due to leave after a shrink stay instead. */
      guint n_kept = mwt_scheduler_keep_leaving (&pool->scheduler, n_threads - n_old);
      guint n_new = n_threads - n_old - n_kept;

      if (n_new > 0)
        local_error = mwt_pool_start_threads (pool, n_new);
      if (local_error == NULL && mwt_scheduler_is_closed (&pool->scheduler))
        local_error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CLOSED, "The pool is closed");
      if (local_error != NULL)
        mwt_scheduler_shrink (&pool->scheduler, n_kept);
    }

  g_mutex_lock (&pool->mutex);
  pool->resizing = FALSE;
  if (local_error == NULL)
    pool->n_threads = n_threads;
  g_mutex_unlock (&pool->mutex);

  if (local_error == NULL && n_threads != n_old)
    mwt_scheduler_announce (&pool->scheduler, MWT_CHANGED_N_THREADS);

  mwt_workers_join_exited (&pool->workers);

  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }

  return TRUE;
}
