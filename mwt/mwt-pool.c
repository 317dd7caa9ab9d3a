/* mwt-pool.c
 *
 * SPDX-FileCopyrightText: 2026 The mwt authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "mwt-job-private.h"
#include "mwt-main-private.h"
#include "mwt-pool-private.h"
#include "mwt-waiter-private.h"

/**
 * SECTION:mwt-pool
 * @title: MwtPool
 * @short_description: a pool of worker threads, each with its own state
 *
 * An #MwtPool owns a fixed set of threads. Each thread builds its own
 * state when it starts, with the pool's #MwtThreadInitFunc run inside that
 * thread, and hands it to every task it runs; the #MwtThreadExitFunc
 * releases it inside the same thread when the thread exits. This suits
 * work that needs a per-thread resource: a database connection, a
 * compression context, a library that is not thread-safe.
 *
 * Tasks wait in one queue, ordered by priority and first-in first-out
 * within a priority, until a thread is free. Results come back the GIO
 * way: a #GTask completed on the #GMainContext that was the thread-default
 * context of the caller, never on a worker.
 *
 * Closing the pool with mwt_pool_close_async() or mwt_pool_close() stops
 * the idle threads at once, fails every queued task with
 * %G_IO_ERROR_CLOSED, and completes once the busy threads have finished
 * their task, run their exit function and exited.
 *
 * A pool's threads can call back into the pool's own main context with
 * mwt_run_in_main().
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

static void mwt_pool_initable_iface_init       (GInitableIface      *iface);
static void mwt_pool_async_initable_iface_init (GAsyncInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (MwtPool, mwt_pool, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      mwt_pool_initable_iface_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_ASYNC_INITABLE,
                                                      mwt_pool_async_initable_iface_init))

static gboolean
mwt_pool_is_worker (MwtPool *pool)
{
  MwtWorker *worker = mwt_worker_get_current ();

  return worker != NULL && worker->pool == pool;
}

/* Property changes are announced on the owning context only, at most once
 * per property and dispatch, from the pool's dispatcher. The queued
 * notification must not keep the pool alive (a pool closed and dropped
 * would otherwise linger until its context is iterated again), so it
 * reaches the pool through a weak reference that outlives the pool.
 */
struct _MwtNotifier
{
  MwtDispatchItem item;
  GWeakRef        pool;
};

static void
mwt_notifier_clear (gpointer data)
{
  MwtNotifier *notifier = data;

  g_weak_ref_clear (&notifier->pool);
}

static void
mwt_pool_emit_notify (MwtPool *pool)
{
  static const struct { MwtNotifyFlags flag; guint prop; } map[] = {
    { MWT_NOTIFY_N_THREADS, PROP_N_THREADS },
    { MWT_NOTIFY_CLOSED, PROP_CLOSED },
    { MWT_NOTIFY_N_BUSY, PROP_N_BUSY },
    { MWT_NOTIFY_N_QUEUED, PROP_N_QUEUED },
  };
  MwtNotifyFlags flags;

  g_mutex_lock (&pool->mutex);
  flags = pool->pending_notify;
  pool->pending_notify = 0;
  g_mutex_unlock (&pool->mutex);

  g_object_freeze_notify (G_OBJECT (pool));
  for (guint i = 0; i < G_N_ELEMENTS (map); i++)
    if (flags & map[i].flag)
      g_object_notify_by_pspec (G_OBJECT (pool), properties[map[i].prop]);
  g_object_thaw_notify (G_OBJECT (pool));
}

static void
mwt_notifier_dispatch (MwtDispatchItem *item)
{
  MwtNotifier *notifier = (MwtNotifier *) item;
  MwtPool *pool = g_weak_ref_get (&notifier->pool);

  if (pool != NULL)
    {
      mwt_pool_emit_notify (pool);
      g_object_unref (pool);
    }

  g_atomic_rc_box_release_full (notifier, mwt_notifier_clear);
}

void
mwt_pool_queue_notify_locked (MwtPool        *pool,
                              MwtNotifyFlags  flags)
{
  if (pool->pending_notify == 0)
    mwt_pool_push_locked (pool, pool->dispatcher,
                          &g_atomic_rc_box_acquire (pool->notifier)->item);

  pool->pending_notify |= flags;
}

MwtDispatcher *
mwt_pool_get_dispatcher_locked (MwtPool      *pool,
                                GMainContext *context)
{
  MwtDispatcher *dispatcher;

  for (guint i = 0; i < pool->dispatchers->len; i++)
    {
      dispatcher = g_ptr_array_index (pool->dispatchers, i);
      if (mwt_dispatcher_get_context (dispatcher) == context)
        return dispatcher;
    }

  dispatcher = mwt_dispatcher_new (context);
  g_ptr_array_add (pool->dispatchers, dispatcher);

  return dispatcher;
}

/* Joins the threads that have exited. Never called by a worker of the
 * pool with itself among them: a worker is in the exited queue only once
 * it has nothing left to do but return.
 */
void
mwt_pool_reap (MwtPool *pool)
{
  GQueue exited;
  GList *link;

  g_mutex_lock (&pool->mutex);
  exited = pool->exited;
  g_queue_init (&pool->exited);
  g_mutex_unlock (&pool->mutex);

  while ((link = g_queue_pop_head_link (&exited)) != NULL)
    {
      MwtWorker *worker = link->data;

      g_thread_join (worker->thread);
      g_free (worker);
    }
}

gboolean
mwt_pool_has_no_threads (MwtPool  *pool,
                         gpointer  data)
{
  return g_queue_is_empty (&pool->workers);
}

/* Waits on state_cond until @done holds. If the calling thread owns the
 * pool's context, or can acquire it, nobody else can iterate that context
 * meanwhile, so it runs the workers' mwt_run_in_main() calls itself:
 * otherwise a worker waiting for the main context would never finish.
 * A pool thread never does: those calls must not run on a worker.
 */
void
mwt_pool_wait_locked (MwtPool          *pool,
                      MwtPoolPredicate  done,
                      gpointer          data,
                      GCancellable     *cancellable)
{
  gboolean owner = mwt_worker_get_current () == NULL &&
                   g_main_context_acquire (pool->context);

  if (owner)
    pool->n_blocked_owners++;

  while (!done (pool, data) && !g_cancellable_is_cancelled (cancellable))
    {
      GQueue calls;

      if (owner)
        {
          mwt_dispatcher_steal_calls_locked (pool->dispatcher, &calls);
          if (!g_queue_is_empty (&calls))
            {
              g_mutex_unlock (&pool->mutex);
              mwt_main_run_calls_blocking (&calls);
              g_mutex_lock (&pool->mutex);
              continue;
            }
        }

      g_cond_wait (&pool->state_cond, &pool->mutex);
    }

  if (owner)
    {
      pool->n_blocked_owners--;
      g_main_context_release (pool->context);
    }
}

/* Queues @item on @dispatcher. A pool thread wakes the context only once
 * it has released the lock (see mwt_worker_defer_wake()), so that the
 * woken thread does not start with a wait for it; anyone else wakes it at
 * once, with the lock held, which keeps the dispatcher alive meanwhile.
 */
void
mwt_pool_push_locked (MwtPool         *pool,
                      MwtDispatcher   *dispatcher,
                      MwtDispatchItem *item)
{
  MwtWorker *worker;

  if (!mwt_dispatcher_push_unwoken_locked (dispatcher, item))
    return;

  worker = mwt_worker_get_current ();
  if (worker == NULL || worker->pool != pool || !mwt_worker_defer_wake (worker, dispatcher))
    mwt_dispatcher_wake (dispatcher);
}

/* Hands a job back to its dispatcher, which releases it on that context. */
void
mwt_pool_hand_back_locked (MwtPool  *pool,
                           gpointer  data)
{
  MwtJob *job = data;
  guint64 seq = job->seq;
  GList *link = pool->drain_waiters.head;

  /* Once pushed, the job may be released on its context at once. */
  job->state = MWT_JOB_DONE;
  mwt_pool_push_locked (pool, job->dispatcher, &job->item);

  /* After the push: a drain on the same context completes after the job. */
  while (link != NULL)
    {
      MwtWaiter *waiter = link->data;

      link = link->next;
      if (seq > waiter->last_seq)
        continue;

      if (--waiter->n_remaining == 0)
        mwt_waiter_finish_after_locked (waiter,
                                        mwt_pool_get_dispatcher_locked (pool, g_task_get_context (waiter->task)));
    }
}

static void
mwt_pool_reject_locked (MwtPool *pool,
                        MwtJob  *job,
                        gint     code,
                        const gchar *message)
{
  job->error = g_error_new_literal (G_IO_ERROR, code, message);
  mwt_pool_hand_back_locked (pool, job);
}

/* Keeps the queue ordered by priority, first-in first-out within one.
 * Searching from the tail makes the common case, a burst of tasks of one
 * priority, constant time.
 */
static void
mwt_pool_enqueue_locked (MwtPool *pool,
                         MwtJob  *job)
{
  gint priority = g_task_get_priority (job->task);
  GList *sibling = pool->queue.tail;

  while (sibling != NULL && g_task_get_priority (((MwtJob *) sibling->data)->task) > priority)
    sibling = sibling->prev;

  job->item.link.data = job;
  if (sibling != NULL)
    g_queue_insert_after_link (&pool->queue, sibling, &job->item.link);
  else
    g_queue_push_head_link (&pool->queue, &job->item.link);
}

/* Moves the submitted jobs to the queue, in submission order, or rejects
 * them if the pool is closed or they were cancelled before they got there.
 */
void
mwt_pool_collect_incoming_locked (MwtPool *pool)
{
  MwtJob *job = g_atomic_pointer_exchange (&pool->incoming, NULL);
  GList *reversed = NULL;
  guint n_queued = 0;

  if (job == NULL)
    return;

  while (job != NULL)
    {
      MwtJob *next = (MwtJob *) job->item.link.next;

      job->item.link.next = reversed;
      reversed = &job->item.link;
      job = next;
    }

  while (reversed != NULL)
    {
      job = (MwtJob *) reversed;
      reversed = reversed->next;
      job->item.link.next = NULL;

      job->dispatcher = job->task_func != NULL
        ? pool->dispatcher
        : mwt_pool_get_dispatcher_locked (pool, g_task_get_context (job->task));
      job->seq = ++pool->n_submitted;
      pool->max_priority = MAX (pool->max_priority, g_task_get_priority (job->task));

      if (pool->closed)
        mwt_pool_reject_locked (pool, job, G_IO_ERROR_CLOSED, "The pool is closed");
      else if (g_cancellable_is_cancelled (g_task_get_cancellable (job->task)))
        mwt_pool_reject_locked (pool, job, G_IO_ERROR_CANCELLED, "Operation was cancelled");
      else
        {
          job->state = MWT_JOB_QUEUED;
          mwt_pool_enqueue_locked (pool, job);
          n_queued++;
        }
    }

  if (n_queued > 0)
    mwt_pool_queue_notify_locked (pool, MWT_NOTIFY_N_QUEUED);
}

void
mwt_pool_begin_close_locked (MwtPool *pool)
{
  GList *link;

  if (pool->closed)
    return;

  g_atomic_int_set (&pool->closed, TRUE);
  mwt_pool_collect_incoming_locked (pool);

  while ((link = g_queue_pop_head_link (&pool->queue)) != NULL)
    mwt_pool_reject_locked (pool, link->data, G_IO_ERROR_CLOSED, "The pool was closed");

  g_cond_broadcast (&pool->work_cond);
  mwt_pool_queue_notify_locked (pool, MWT_NOTIFY_CLOSED | MWT_NOTIFY_N_QUEUED);
}

/* Submitting */

static void
mwt_pool_job_cancelled (GCancellable *cancellable,
                        MwtJob       *job)
{
  MwtPool *pool = job->pool;

  g_mutex_lock (&pool->mutex);
  mwt_pool_collect_incoming_locked (pool);
  if (job->state == MWT_JOB_QUEUED)
    {
      g_queue_unlink (&pool->queue, &job->item.link);
      mwt_pool_reject_locked (pool, job, G_IO_ERROR_CANCELLED, "Operation was cancelled");
      mwt_pool_queue_notify_locked (pool, MWT_NOTIFY_N_QUEUED);
    }
  g_mutex_unlock (&pool->mutex);
}

static void
mwt_pool_submit (MwtPool *pool,
                 MwtJob  *job)
{
  GCancellable *cancellable = g_task_get_cancellable (job->task);
  gpointer head;

  /* Connected first: the handler ignores a job that is not queued yet,
   * and the queueing checks the cancellable.
   */
  if (cancellable != NULL)
    job->cancelled_id = g_cancellable_connect (cancellable,
                                               G_CALLBACK (mwt_pool_job_cancelled),
                                               job, NULL);

  do
    {
      head = g_atomic_pointer_get (&pool->incoming);
      job->item.link.next = head;
    }
  while (!g_atomic_pointer_compare_and_exchange (&pool->incoming, head, job));

  /* From here on the job may already be done and freed. Only the first
   * job pushed on an empty stack wakes a thread, and only if none is
   * seeking work: until one collects the stack, later jobs join it there,
   * and a seeking thread checks the stack once more before it sleeps (see
   * mwt_pool_next_job_locked()). Taking the lock once orders the push
   * with a thread going to sleep (it checks the stack with the lock held);
   * signalling after the unlock spares the woken thread, when it shares a
   * CPU with this one, a wait for the lock and two context switches.
   */
  if (head == NULL && g_atomic_int_get (&pool->n_seeking) == 0 &&
      g_atomic_int_get (&pool->n_idle) > 0)
    {
      g_mutex_lock (&pool->mutex);
      g_mutex_unlock (&pool->mutex);
      g_cond_signal (&pool->work_cond);
    }

  /* A close that started meanwhile may have missed the job. */
  if (g_atomic_int_get (&pool->closed))
    {
      g_mutex_lock (&pool->mutex);
      mwt_pool_collect_incoming_locked (pool);
      g_mutex_unlock (&pool->mutex);
    }
}

/* GObject */

static void
mwt_pool_constructed (GObject *object)
{
  MwtPool *pool = MWT_POOL (object);

  G_OBJECT_CLASS (mwt_pool_parent_class)->constructed (object);

  pool->context = g_main_context_ref_thread_default ();
  pool->dispatcher = mwt_pool_get_dispatcher_locked (pool, pool->context);
}

static void
mwt_pool_finalize (GObject *object)
{
  MwtPool *pool = MWT_POOL (object);
  GQueue leftovers = G_QUEUE_INIT;

  /* Nothing is in flight: every job and waiter holds a reference (a job
   * through its task, when the pool is the task's source object). Only
   * idle threads remain, if the pool is still open.
   */
  g_mutex_lock (&pool->mutex);
  mwt_pool_begin_close_locked (pool);
  mwt_pool_wait_locked (pool, mwt_pool_has_no_threads, NULL, NULL);
  for (guint i = 0; i < pool->dispatchers->len; i++)
    mwt_dispatcher_steal_locked (g_ptr_array_index (pool->dispatchers, i), &leftovers);
  g_mutex_unlock (&pool->mutex);

  /* Every job holds a reference: only a notification can be left, and it
   * finds no pool any more.
   */
  mwt_dispatch_items (&leftovers);
  g_atomic_rc_box_release_full (pool->notifier, mwt_notifier_clear);
  mwt_pool_reap (pool);

  g_ptr_array_unref (pool->dispatchers);
  g_main_context_unref (pool->context);

  if (pool->init_data_destroy != NULL)
    pool->init_data_destroy (pool->init_data);
  if (pool->at_exit_data_destroy != NULL)
    pool->at_exit_data_destroy (pool->at_exit_data);

  g_cond_clear (&pool->state_cond);
  g_cond_clear (&pool->work_cond);
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
  object_class->finalize = mwt_pool_finalize;
  object_class->get_property = mwt_pool_get_property;
  object_class->set_property = mwt_pool_set_property;

  /* GLib 2.74 caches G_IO_ERROR's quark in a plain static that its first
   * callers fill in: fill it here, before any pool thread can race its
   * tasks for it.
   */
  (void) G_IO_ERROR;

  /**
   * MwtPool:closed:
   *
   * Whether the pool was closed. Once it is, every task submitted fails
   * with %G_IO_ERROR_CLOSED.
   *
   * Since: 1.0
   */
  properties[PROP_CLOSED] =
    g_param_spec_boolean ("closed", NULL, NULL,
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
    g_param_spec_uint ("n-busy", NULL, NULL,
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
    g_param_spec_uint ("n-queued", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READABLE |
                        G_PARAM_EXPLICIT_NOTIFY |
                        G_PARAM_STATIC_STRINGS));

  /**
   * MwtPool:n-threads:
   *
   * The number of threads of the pool. It is set when the pool is
   * constructed and changes only through mwt_pool_set_n_threads().
   *
   * Since: 1.0
   */
  properties[PROP_N_THREADS] =
    g_param_spec_uint ("n-threads", NULL, NULL,
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
  g_cond_init (&pool->work_cond);
  g_cond_init (&pool->state_cond);
  g_queue_init (&pool->queue);
  g_queue_init (&pool->workers);
  g_queue_init (&pool->exited);
  g_queue_init (&pool->exit_waiters);
  g_queue_init (&pool->drain_waiters);
  pool->dispatchers = g_ptr_array_new_with_free_func ((GDestroyNotify) mwt_dispatcher_destroy);
  pool->notifier = g_atomic_rc_box_new0 (MwtNotifier);
  pool->notifier->item.func = mwt_notifier_dispatch;
  g_weak_ref_init (&pool->notifier->pool, pool);
  pool->n_threads = 1;
  pool->max_priority = G_MININT;
}

/* Construction */

static gboolean
mwt_pool_initable_init (GInitable     *initable,
                        GCancellable  *cancellable,
                        GError       **error)
{
  MwtPool *pool = MWT_POOL (initable);
  MwtThreadBatch *batch;
  GError *local_error = NULL;

  g_return_val_if_fail (!pool->started, FALSE);

  g_mutex_lock (&pool->mutex);
  pool->started = TRUE;
  batch = mwt_pool_start_threads_locked (pool, pool->n_threads, NULL);
  mwt_pool_wait_locked (pool, mwt_thread_batch_is_settled, batch, NULL);

  if (batch->error != NULL)
    local_error = g_error_copy (batch->error);
  else
    g_cancellable_set_error_if_cancelled (cancellable, &local_error);

  mwt_thread_batch_unref_locked (batch);

  if (local_error != NULL)
    {
      mwt_pool_begin_close_locked (pool);
      mwt_pool_wait_locked (pool, mwt_pool_has_no_threads, NULL, NULL);
    }

  g_mutex_unlock (&pool->mutex);

  if (local_error != NULL)
    {
      mwt_pool_reap (pool);
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
  GTask *task;

  g_return_if_fail (!pool->started);

  task = g_task_new (pool, cancellable, callback, user_data);
  g_task_set_source_tag (task, mwt_pool_init_async);
  g_task_set_priority (task, io_priority);

  g_mutex_lock (&pool->mutex);
  pool->started = TRUE;
  mwt_thread_batch_unref_locked (mwt_pool_start_threads_locked (pool, pool->n_threads, task));
  g_mutex_unlock (&pool->mutex);
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

  pool->init = init;
  pool->init_data = init_data;
  pool->init_data_destroy = init_data_destroy;
  pool->at_exit = at_exit;
  pool->at_exit_data = at_exit_data;
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
  gboolean closed;

  g_return_val_if_fail (MWT_IS_POOL (pool), FALSE);

  g_mutex_lock (&pool->mutex);
  closed = pool->closed;
  g_mutex_unlock (&pool->mutex);

  return closed;
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
  guint n_busy;

  g_return_val_if_fail (MWT_IS_POOL (pool), 0);

  g_mutex_lock (&pool->mutex);
  n_busy = pool->n_busy;
  g_mutex_unlock (&pool->mutex);

  return n_busy;
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
  guint n_queued;

  g_return_val_if_fail (MWT_IS_POOL (pool), 0);

  g_mutex_lock (&pool->mutex);
  mwt_pool_collect_incoming_locked (pool);
  n_queued = pool->queue.length;
  g_mutex_unlock (&pool->mutex);

  return n_queued;
}

/**
 * mwt_pool_get_context:
 * @pool: a #MwtPool
 *
 * Gets the pool's own main context: the thread-default main context of
 * the thread that created it. mwt_run_in_main() calls into it, and property
 * notifications are emitted on it. A worker can post work there without
 * waiting by attaching an idle source to it. (g_main_context_invoke_full()
 * runs the function at once on the worker if the context is the global
 * default one and nobody owns it at that moment.)
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

  return worker != NULL ? worker->pool : NULL;
}

/* Running */

/**
 * mwt_pool_run_task:
 * @pool: a #MwtPool
 * @task: a #GTask
 * @func: (scope async): the function to run on a pool thread
 *
 * The pool's g_task_run_in_thread(): runs @func on one of @pool's threads
 * with that thread's state, and @func completes @task with one of the
 * g_task_return_*() functions. The task's callback runs on the task's own
 * context, as with any #GTask.
 *
 * While every thread is busy, @task waits in the pool's queue, ordered by
 * g_task_get_priority() and first-in first-out within a priority. If the
 * task's #GCancellable is cancelled while it waits, it leaves the queue at
 * once, completes with %G_IO_ERROR_CANCELLED and never runs; once @func
 * runs, cancelling is up to @func. If the pool is closed, or closes while
 * the task waits, the task completes with %G_IO_ERROR_CLOSED.
 *
 * The pool keeps a reference to itself and to @task until @func has
 * returned, and drops both on the pool's own context (see
 * mwt_pool_get_context()), never on a worker. If @func returns without
 * completing @task, the callback never runs; the pool still releases its
 * reference and goes on working.
 *
 * Since: 1.0
 */
void
mwt_pool_run_task (MwtPool           *pool,
                   GTask             *task,
                   MwtPoolThreadFunc  func)
{
  MwtJob *job;

  g_return_if_fail (MWT_IS_POOL (pool));
  g_return_if_fail (G_IS_TASK (task));
  g_return_if_fail (func != NULL);

  job = mwt_job_new (pool, g_object_ref (task));
  job->task_func = func;
  mwt_pool_submit (pool, job);
}

/* @result_destroy is typed GFreeFunc for introspection: the scanner
 * would take any GDestroyNotify that follows @func for @func's own.
 */
/**
 * mwt_pool_run_async:
 * @pool: a #MwtPool
 * @func: (scope notified) (closure func_data) (destroy func_data_destroy):
 *   the function to run on a pool thread
 * @func_data: data for @func
 * @func_data_destroy: (nullable): frees @func_data
 * @result_destroy: (nullable) (type GLib.FreeFunc) (scope async): frees a result of @func
 *   that nobody collected with mwt_pool_run_finish()
 * @io_priority: the I/O priority of the request: its place in the queue
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (closure user_data): called on the caller's
 *   thread-default main context once @func has returned, or once the call
 *   was cancelled or rejected
 * @user_data: data for @callback
 *
 * Runs @func on one of @pool's threads with that thread's state, and hands
 * what it returns to @callback; call mwt_pool_run_finish() there.
 *
 * Queueing, priority (%G_PRIORITY_DEFAULT), cancellation and closing
 * follow mwt_pool_run_task(). Once @func has started, its own result is
 * delivered even if @cancellable is cancelled meanwhile: @func decides
 * whether to stop. @func_data_destroy runs once, on the caller's context,
 * before @callback.
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
  g_return_if_fail (func != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (pool, cancellable, callback, user_data);
  /* Not the macro: before GLib 2.76 it names the task with a copy of the
   * tag's name, an allocation per task on the hot path.
   */
  (g_task_set_source_tag) (task, mwt_pool_run_async);
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_priority (task, io_priority);

  job = mwt_job_new (pool, task);
  job->func = func;
  job->func_data = func_data;
  job->func_data_destroy = func_data_destroy;
  job->result_destroy = result_destroy;
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

static void
mwt_pool_store_result (GObject      *source_object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/**
 * mwt_pool_run_sync:
 * @pool: a #MwtPool
 * @func: (scope call) (closure func_data): the function to run on a pool
 *   thread
 * @func_data: data for @func
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * The blocking form of mwt_pool_run_async(), the pool's
 * g_task_run_in_thread_sync(): runs @func on one of @pool's threads with
 * that thread's state and returns what it returned.
 *
 * Returns: (transfer full) (nullable): what @func returned, or %NULL with
 *   @error set
 *
 * Since: 1.0
 */
gpointer
mwt_pool_run_sync (MwtPool       *pool,
                   MwtPoolFunc    func,
                   gpointer       func_data,
                   GCancellable  *cancellable,
                   GError       **error)
{
  g_autoptr(GMainContext) context = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  g_return_val_if_fail (MWT_IS_POOL (pool), NULL);
  g_return_val_if_fail (func != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  context = g_main_context_new ();
  g_main_context_push_thread_default (context);
  mwt_pool_run_async (pool, func, func_data, NULL, NULL, G_PRIORITY_DEFAULT, cancellable,
                      mwt_pool_store_result, &result);
  while (result == NULL)
    g_main_context_iteration (context, TRUE);
  g_main_context_pop_thread_default (context);

  return mwt_pool_run_finish (pool, result, error);
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
  MwtWaiter *waiter;
  GTask *task;

  g_return_if_fail (MWT_IS_POOL (pool));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (pool, cancellable, callback, user_data);
  g_task_set_source_tag (task, mwt_pool_drain_async);
  g_task_set_priority (task, io_priority);
  waiter = mwt_waiter_new_cancellable (pool, task);

  g_mutex_lock (&pool->mutex);

  mwt_pool_collect_incoming_locked (pool);
  waiter->last_seq = pool->n_submitted;
  /* Their callbacks may still be on their way, at their own priority. */
  waiter->priority = MAX (waiter->priority, pool->max_priority);
  waiter->n_remaining = pool->queue.length + pool->n_busy;

  if (pool->closed && !g_queue_is_empty (&pool->workers))
    mwt_waiter_wait_locked (waiter, &pool->exit_waiters);
  else if (!pool->closed && waiter->n_remaining > 0)
    mwt_waiter_wait_locked (waiter, &pool->drain_waiters);
  else if (!pool->closed)
    mwt_waiter_finish_after_locked (waiter,
                                    mwt_pool_get_dispatcher_locked (pool, g_task_get_context (task)));
  else
    mwt_waiter_finish_locked (waiter, NULL);

  g_mutex_unlock (&pool->mutex);
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

/**
 * mwt_pool_close_async:
 * @pool: a #MwtPool
 * @io_priority: the I/O priority of the request: that of @callback's
 *   dispatch
 * @cancellable: (nullable): a #GCancellable, which only stops the wait
 * @callback: (scope async) (closure user_data) (nullable): called on the
 *   caller's thread-default main context once every thread has exited, or
 *   %NULL to close without waiting (the seed's fire-and-forget close; the
 *   threads are then joined by mwt_pool_close() or when the pool is
 *   finalized)
 * @user_data: data for @callback
 *
 * Closes @pool: marks it closed at once, stops the idle threads, and fails
 * every queued task with %G_IO_ERROR_CLOSED. Busy threads finish their
 * current task, run the exit function and exit; then @callback runs, and
 * every thread has been joined. Closing a closed pool is harmless.
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
  MwtWaiter *waiter;
  GTask *task;

  g_return_if_fail (MWT_IS_POOL (pool));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  /* Nobody waits: nothing may keep the pool alive meanwhile. */
  if (callback == NULL)
    {
      g_mutex_lock (&pool->mutex);
      mwt_pool_begin_close_locked (pool);
      g_mutex_unlock (&pool->mutex);
      return;
    }

  task = g_task_new (pool, cancellable, callback, user_data);
  g_task_set_source_tag (task, mwt_pool_close_async);
  g_task_set_priority (task, io_priority);
  waiter = mwt_waiter_new_cancellable (pool, task);

  g_mutex_lock (&pool->mutex);

  mwt_pool_begin_close_locked (pool);
  waiter->priority = MAX (waiter->priority, pool->max_priority);

  if (g_queue_is_empty (&pool->workers))
    mwt_waiter_finish_locked (waiter, NULL);
  else
    mwt_waiter_wait_locked (waiter, &pool->exit_waiters);

  g_mutex_unlock (&pool->mutex);
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

static void
mwt_pool_wake_blocked (GCancellable *cancellable,
                       MwtPool      *pool)
{
  g_mutex_lock (&pool->mutex);
  g_cond_broadcast (&pool->state_cond);
  g_mutex_unlock (&pool->mutex);
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
 * Called on the thread that runs the pool's context (or on any thread
 * while nobody runs it), it also runs the mwt_run_in_main() calls that
 * busy threads make meanwhile, so it does not deadlock with them.
 *
 * Called from one of @pool's own threads, it would wait for itself: it
 * closes the pool as mwt_pool_close_async() does and fails with
 * %G_IO_ERROR_WOULD_BLOCK.
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
  gulong cancelled_id = 0;
  gboolean exited;

  g_return_val_if_fail (MWT_IS_POOL (pool), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (mwt_pool_is_worker (pool))
    {
      g_mutex_lock (&pool->mutex);
      mwt_pool_begin_close_locked (pool);
      g_mutex_unlock (&pool->mutex);

      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK,
                           "A pool thread cannot wait for its own pool to close; "
                           "the pool was closed without waiting");
      return FALSE;
    }

  if (cancellable != NULL)
    cancelled_id = g_cancellable_connect (cancellable,
                                          G_CALLBACK (mwt_pool_wake_blocked),
                                          pool, NULL);

  g_mutex_lock (&pool->mutex);
  mwt_pool_begin_close_locked (pool);
  mwt_pool_wait_locked (pool, mwt_pool_has_no_threads, NULL, cancellable);
  exited = g_queue_is_empty (&pool->workers);
  g_mutex_unlock (&pool->mutex);

  g_cancellable_disconnect (cancellable, cancelled_id);

  if (!exited)
    {
      g_cancellable_set_error_if_cancelled (cancellable, error);
      return FALSE;
    }

  mwt_pool_reap (pool);

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
  MwtThreadBatch *batch;
  GError *local_error = NULL;

  g_return_val_if_fail (MWT_IS_POOL (pool), FALSE);
  g_return_val_if_fail (n_threads >= 1, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_mutex_lock (&pool->mutex);

  if (pool->closed || pool->resizing)
    {
      g_set_error_literal (error, G_IO_ERROR,
                           pool->closed ? G_IO_ERROR_CLOSED : G_IO_ERROR_PENDING,
                           pool->closed ? "The pool is closed" : "The pool is already growing");
      g_mutex_unlock (&pool->mutex);
      return FALSE;
    }

  if (n_threads <= pool->n_threads)
    {
      pool->n_excess += pool->n_threads - n_threads;
      g_cond_broadcast (&pool->work_cond);
    }
  else
    {
      /* Threads still due to leave after a shrink stay instead. */
      guint n_kept = MIN (n_threads - pool->n_threads, pool->n_excess);
      guint n_new = n_threads - pool->n_threads - n_kept;

      pool->n_excess -= n_kept;

      if (n_new > 0)
        {
          pool->resizing = TRUE;
          batch = mwt_pool_start_threads_locked (pool, n_new, NULL);
          mwt_pool_wait_locked (pool, mwt_thread_batch_is_settled, batch, NULL);
          if (batch->error != NULL)
            local_error = g_error_copy (batch->error);
          else if (pool->closed)
            local_error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CLOSED, "The pool is closed");
          mwt_thread_batch_unref_locked (batch);
          pool->resizing = FALSE;
        }

      if (local_error != NULL)
        pool->n_excess += n_kept;
    }

  if (local_error == NULL && pool->n_threads != n_threads)
    {
      pool->n_threads = n_threads;
      mwt_pool_queue_notify_locked (pool, MWT_NOTIFY_N_THREADS);
    }

  g_mutex_unlock (&pool->mutex);

  mwt_pool_reap (pool);

  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }

  return TRUE;
}
