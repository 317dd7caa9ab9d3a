/* mwt-bench.c: mwt against GLib's own ways of running work on threads,
 * measured side by side in one run.
 *
 * SPDX-FileCopyrightText: 2026 The mwt authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define _GNU_SOURCE
#include <mwt.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static gint n_threads = 2;
static gint n_repeats = 5;
static gboolean json;
static gboolean smoke;
static gchar *only;
static gdouble max_seconds = 2;
static gchar *plain;
static gint n_plain = 100000;
static gboolean plain_cancellable;

static GMainLoop *loop;
static MwtPool *pool;
static GThreadPool *thread_pool;
static gint n_done;
static gint n_target;
/* The cancellable of every mwt_pool_run_async() task submitted, if any. */
static GCancellable *run_async_cancellable;

static gdouble
now_us (void)
{
  return (gdouble) g_get_monotonic_time ();
}

static int
compare_doubles (const void *a,
                 const void *b)
{
  gdouble x = *(const gdouble *) a, y = *(const gdouble *) b;

  return (x > y) - (x < y);
}

static gdouble
median (gdouble *values,
        gint     n)
{
  qsort (values, n, sizeof *values, compare_doubles);

  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

static void
one_done (void)
{
  if (++n_done == n_target)
    g_main_loop_quit (loop);
}

/* The four ways to run a trivial task */

static gpointer
mwt_trivial (gpointer       thread_state,
             gpointer       func_data,
             GCancellable  *cancellable,
             GError       **error)
{
  return func_data;
}

static void
mwt_async_done (GObject      *source_object,
                GAsyncResult *result,
                gpointer      user_data)
{
  mwt_pool_run_finish (pool, result, NULL);
  one_done ();
}

static void
task_trivial (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable,
              gpointer      thread_state)
{
  g_task_return_pointer (task, task_data, NULL);
}

static void
gtask_trivial (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  g_task_return_pointer (task, task_data, NULL);
}

static void
task_done (GObject      *source_object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_task_propagate_pointer (G_TASK (result), NULL);
  one_done ();
}

static gboolean
thread_pool_back (gpointer data)
{
  one_done ();

  return G_SOURCE_REMOVE;
}

static void
thread_pool_trivial (gpointer data,
                     gpointer user_data)
{
  g_main_context_invoke (NULL, thread_pool_back, data);
}

typedef enum {
  WAY_MWT_RUN_ASYNC,
  WAY_MWT_RUN_TASK,
  WAY_G_TASK,
  WAY_THREAD_POOL,
  N_WAYS
} Way;

static const gchar *way_names[N_WAYS] = {
  "mwt_pool_run_async",
  "mwt_pool_run_task",
  "g_task_run_in_thread",
  "GThreadPool + invoke",
};

/* For --plain */
static const gchar *way_ids[N_WAYS + 1] = {
  "run_async",
  "run_task",
  "g_task",
  "thread_pool",
  NULL,
};

static void
submit (Way way)
{
  GTask *task;

  switch (way)
    {
    case WAY_MWT_RUN_ASYNC:
      mwt_pool_run_async (pool, mwt_trivial, NULL, NULL, NULL, G_PRIORITY_DEFAULT, run_async_cancellable,
                          mwt_async_done, NULL);
      break;
    case WAY_MWT_RUN_TASK:
      task = g_task_new (NULL, NULL, task_done, NULL);
      mwt_pool_run_task (pool, task, task_trivial);
      g_object_unref (task);
      break;
    case WAY_G_TASK:
      task = g_task_new (NULL, NULL, task_done, NULL);
      g_task_run_in_thread (task, gtask_trivial);
      g_object_unref (task);
      break;
    case WAY_THREAD_POOL:
      g_thread_pool_push (thread_pool, GINT_TO_POINTER (1), NULL);
      break;
    case N_WAYS:
      g_assert_not_reached ();
    }
}

/* Burst: n tasks submitted at once from a main loop callback; the time
 * until the last callback ran.
 */
typedef struct { Way way; gint n; } Burst;

static gboolean
burst_submit (gpointer data)
{
  Burst *burst = data;

  for (gint i = 0; i < burst->n; i++)
    submit (burst->way);

  return G_SOURCE_REMOVE;
}

static gdouble
burst_seconds (Way  way,
               gint n)
{
  Burst burst = { way, n };
  gdouble start = now_us ();

  n_done = 0;
  n_target = n;
  g_idle_add (burst_submit, &burst);
  g_main_loop_run (loop);

  return (now_us () - start) / 1e6;
}

/* Latency: one task at a time, the next one submitted from the callback
 * of the previous one.
 */
static Way latency_way;

static void
latency_next (void)
{
  if (n_done < n_target)
    submit (latency_way);
}

static gboolean
latency_start (gpointer data)
{
  latency_next ();

  return G_SOURCE_REMOVE;
}

static gdouble
latency_us (Way  way,
            gint n)
{
  gdouble start = now_us ();

  latency_way = way;
  n_done = 0;
  n_target = n;
  g_idle_add (latency_start, NULL);
  while (n_done < n_target)
    {
      gint before = n_done;

      g_main_context_iteration (NULL, TRUE);
      if (n_done != before)
        latency_next ();
    }

  return (now_us () - start) / n;
}

/* run_in_main: a worker calls back into the main context n times. */
typedef struct
{
  GMutex   mutex;
  GCond    cond;
  gboolean done;
  gint     n;
} NaiveCall;

static gpointer
main_side (gpointer   user_data,
           GError   **error)
{
  return user_data;
}

static gboolean
naive_main_side (gpointer data)
{
  NaiveCall *call = data;

  g_mutex_lock (&call->mutex);
  call->done = TRUE;
  g_cond_signal (&call->cond);
  g_mutex_unlock (&call->mutex);

  return G_SOURCE_REMOVE;
}

static gpointer
mwt_calls_main (gpointer       thread_state,
                gpointer       func_data,
                GCancellable  *cancellable,
                GError       **error)
{
  gint n = GPOINTER_TO_INT (func_data);

  for (gint i = 0; i < n; i++)
    mwt_run_in_main (main_side, NULL, NULL);

  return NULL;
}

static gpointer
naive_calls_main (gpointer       thread_state,
                  gpointer       func_data,
                  GCancellable  *cancellable,
                  GError       **error)
{
  NaiveCall call = { .n = GPOINTER_TO_INT (func_data) };

  for (gint i = 0; i < call.n; i++)
    {
      call.done = FALSE;
      g_main_context_invoke (NULL, naive_main_side, &call);
      g_mutex_lock (&call.mutex);
      while (!call.done)
        g_cond_wait (&call.cond, &call.mutex);
      g_mutex_unlock (&call.mutex);
    }

  return NULL;
}

typedef struct { MwtPoolFunc func; gint n; } CallsMain;

/* Started from the running loop, so that the main thread owns the context
 * throughout: g_main_context_invoke() would otherwise run some calls right
 * on the worker.
 */
static gboolean
calls_main_start (gpointer data)
{
  CallsMain *calls = data;

  mwt_pool_run_async (pool, calls->func, GINT_TO_POINTER (calls->n), NULL, NULL, G_PRIORITY_DEFAULT, NULL, mwt_async_done, NULL);

  return G_SOURCE_REMOVE;
}

static gdouble
run_in_main_us (MwtPoolFunc func,
                gint        n)
{
  CallsMain calls = { func, n };
  gdouble start = now_us ();

  n_done = 0;
  n_target = 1;
  g_idle_add (calls_main_start, &calls);
  g_main_loop_run (loop);

  return (now_us () - start) / n;
}

/* Posting: functions queued to the main context from the pool's threads,
 * with mwt_run_in_main_dont_wait() or g_main_context_invoke(); the time
 * until the last one ran.
 */
static void
posted (gpointer data)
{
  one_done ();
}

static gboolean
invoked (gpointer data)
{
  one_done ();

  return G_SOURCE_REMOVE;
}

static gpointer
mwt_posts (gpointer       thread_state,
           gpointer       func_data,
           GCancellable  *cancellable,
           GError       **error)
{
  gint n = GPOINTER_TO_INT (func_data);

  for (gint i = 0; i < n; i++)
    mwt_run_in_main_dont_wait (posted, NULL, NULL);

  return NULL;
}

static gpointer
invoke_posts (gpointer       thread_state,
              gpointer       func_data,
              GCancellable  *cancellable,
              GError       **error)
{
  gint n = GPOINTER_TO_INT (func_data);

  for (gint i = 0; i < n; i++)
    g_main_context_invoke (NULL, invoked, NULL);

  return NULL;
}

/* For --plain */
static const gchar *post_ids[] = { "post", "invoke", NULL };

/* From the running loop, as calls_main_start(): the main thread owns the
 * context throughout, so that no invoke runs on a worker. One task per
 * thread shares out the posts.
 */
static gboolean
posts_start (gpointer data)
{
  CallsMain *posts = data;

  for (gint i = 0; i < n_threads; i++)
    mwt_pool_run_async (pool, posts->func, GINT_TO_POINTER (posts->n / n_threads + (i < posts->n % n_threads)),
                        NULL, NULL, G_PRIORITY_DEFAULT, NULL, NULL, NULL);

  return G_SOURCE_REMOVE;
}

static gdouble
posts_seconds (MwtPoolFunc func,
               gint        n)
{
  CallsMain posts = { func, n };
  gdouble start = now_us ();

  n_done = 0;
  n_target = n;
  g_idle_add (posts_start, &posts);
  g_main_loop_run (loop);

  return (now_us () - start) / 1e6;
}

/* The floor: two threads handing a token back and forth with GMutex/GCond,
 * each signalling after it unlocked, so that the woken thread never waits
 * for the lock.
 */
typedef struct
{
  GMutex mutex;
  GCond  cond;
  gint   turn;
  gint   n;
} PingPong;

static void
hand_over (PingPong *pp,
           gint      to)
{
  pp->turn = to;
  g_mutex_unlock (&pp->mutex);
  g_cond_signal (&pp->cond);
  g_mutex_lock (&pp->mutex);
}

static gpointer
pong (gpointer data)
{
  PingPong *pp = data;

  g_mutex_lock (&pp->mutex);
  for (gint i = 0; i < pp->n; i++)
    {
      while (pp->turn != 1)
        g_cond_wait (&pp->cond, &pp->mutex);
      hand_over (pp, 0);
    }
  g_mutex_unlock (&pp->mutex);

  return NULL;
}

static gdouble
ping_pong_us (gint n)
{
  PingPong pp = { .n = n };
  GThread *thread = g_thread_new ("pong", pong, &pp);
  gdouble start = now_us ();

  g_mutex_lock (&pp.mutex);
  for (gint i = 0; i < n; i++)
    {
      hand_over (&pp, 1);
      while (pp.turn != 0)
        g_cond_wait (&pp.cond, &pp.mutex);
    }
  g_mutex_unlock (&pp.mutex);
  g_thread_join (thread);

  return (now_us () - start) / n;
}

/* Memory: peak RSS growth per task queued behind busy threads, measured in
 * a child process per way so that the figures do not pollute each other.
 */
static glong
rss_kib (void)
{
  g_autofree gchar *status = NULL;
  const gchar *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) ||
      (line = strstr (status, "VmRSS:")) == NULL)
    return 0;

  return strtol (line + 6, NULL, 10);
}

/* The gate: tasks that hold their threads until it opens. */
static GMutex hold_mutex;
static GCond hold_cond;
static gboolean hold_open;
static gint n_held;

static void
hold (void)
{
  g_mutex_lock (&hold_mutex);
  n_held++;
  g_cond_broadcast (&hold_cond);
  while (!hold_open)
    g_cond_wait (&hold_cond, &hold_mutex);
  n_held--;
  g_mutex_unlock (&hold_mutex);
}

static void
gate_close (void)
{
  g_mutex_lock (&hold_mutex);
  hold_open = FALSE;
  g_mutex_unlock (&hold_mutex);
}

/* Waits until @n threads are held at the gate, or, with @settle, until
 * none arrived for 50 ms; gives up after 5 s, so that a pool smaller than
 * expected slows the run down but does not hang it. Returns how many
 * threads are held.
 */
static gint
gate_wait_held (gint     n,
                gboolean settle)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_TIME_SPAN_SECOND;
  gint held;

  g_mutex_lock (&hold_mutex);
  while (n_held < n)
    {
      gint before = n_held;
      gint64 until = deadline;

      if (settle && before > 0)
        until = MIN (until, g_get_monotonic_time () + 50 * G_TIME_SPAN_MILLISECOND);
      while (n_held == before && g_cond_wait_until (&hold_cond, &hold_mutex, until))
        ;
      if (n_held == before && g_get_monotonic_time () >= until)
        break;
    }
  held = n_held;
  g_mutex_unlock (&hold_mutex);

  return held;
}

static void
gate_open (void)
{
  g_mutex_lock (&hold_mutex);
  hold_open = TRUE;
  g_cond_broadcast (&hold_cond);
  g_mutex_unlock (&hold_mutex);
}

static gpointer
mwt_hold (gpointer thread_state, gpointer func_data, GCancellable *cancellable, GError **error)
{
  hold ();
  return NULL;
}

static void
gtask_hold (GTask *task, gpointer source_object, gpointer task_data, GCancellable *cancellable)
{
  hold ();
  g_task_return_pointer (task, NULL, NULL);
}

/* With @shared_cancellable, every task measured has the same cancellable. */
static gdouble
bytes_per_queued_task (Way      way,
                       gint     n,
                       gboolean shared_cancellable)
{
  int fds[2];
  pid_t pid;
  gdouble bytes = 0;

  /* Called before any thread exists, so the child can fork safely. */
  if (pipe (fds) != 0 || (pid = fork ()) < 0)
    return -1;

  if (pid == 0)
    {
      glong before;

      close (fds[0]);
      pool = mwt_pool_new (n_threads, NULL, NULL, NULL, NULL, NULL);
      /* GLib's GTask pool grows to 10 threads: hold more than that. */
      for (gint i = 0; i < 16; i++)
        {
          if (way == WAY_G_TASK)
            {
              g_autoptr(GTask) task = g_task_new (NULL, NULL, NULL, NULL);
              g_task_run_in_thread (task, gtask_hold);
            }
          else
            mwt_pool_run_async (pool, mwt_hold, NULL, NULL, NULL, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
        }
      if (shared_cancellable)
        run_async_cancellable = g_cancellable_new ();
      before = rss_kib ();
      for (gint i = 0; i < n; i++)
        submit (way);
      bytes = (rss_kib () - before) * 1024.0 / n;
      if (write (fds[1], &bytes, sizeof bytes) != sizeof bytes)
        _exit (1);
      _exit (0);
    }

  close (fds[1]);
  if (read (fds[0], &bytes, sizeof bytes) != sizeof bytes)
    bytes = -1;
  close (fds[0]);
  waitpid (pid, NULL, 0);

  return bytes;
}

/* Holds every thread of the pool at the gate, then queues @n trivial
 * run_async tasks behind them, the i-th with cancellables[i % n_cancellables].
 * Every task counts in n_done once its callback ran.
 */
static void
queue_behind_held_threads (gint           n,
                           GCancellable **cancellables,
                           gint           n_cancellables)
{
  gate_close ();
  n_done = 0;
  n_target = n + n_threads;
  for (gint i = 0; i < n_threads; i++)
    mwt_pool_run_async (pool, mwt_hold, NULL, NULL, NULL, G_PRIORITY_DEFAULT, NULL, mwt_async_done, NULL);
  for (gint i = 0; i < n; i++)
    mwt_pool_run_async (pool, mwt_trivial, NULL, NULL, NULL, G_PRIORITY_DEFAULT,
                        cancellables[i % n_cancellables], mwt_async_done, NULL);
}

static void
release_held_threads (void)
{
  gate_open ();
  while (n_done < n_target)
    g_main_context_iteration (NULL, TRUE);
}

/* Cancel: n tasks queued behind busy threads, then cancelled at once; the
 * time until every callback ran. With @one_each, each task has a
 * cancellable of its own, and they are cancelled one after the other.
 */
static gdouble
cancel_seconds (gint     n,
                gboolean one_each)
{
  gint n_cancellables = one_each ? n : 1;
  GCancellable **cancellables = g_new (GCancellable *, n_cancellables);
  gdouble start;

  for (gint i = 0; i < n_cancellables; i++)
    cancellables[i] = g_cancellable_new ();
  queue_behind_held_threads (n, cancellables, n_cancellables);

  start = now_us ();
  for (gint i = 0; i < n_cancellables; i++)
    g_cancellable_cancel (cancellables[i]);
  while (n_done < n)
    g_main_context_iteration (NULL, TRUE);
  start = (now_us () - start) / 1e6;

  release_held_threads ();
  for (gint i = 0; i < n_cancellables; i++)
    g_object_unref (cancellables[i]);
  g_free (cancellables);

  return start;
}

/* One cancellable for many tasks: what the tasks queued with it cost its
 * other users, who connect to it and disconnect from it as GIO does.
 */
static void
ignore_cancelled (GCancellable *cancellable,
                  gpointer      user_data)
{
}

/* The mean time of a g_cancellable_connect() and
 * g_cancellable_disconnect() pair, in us.
 */
static gdouble
connect_pair_us (GCancellable *cancellable,
                 gint          n)
{
  gdouble start = now_us ();

  for (gint i = 0; i < n; i++)
    g_cancellable_disconnect (cancellable,
                              g_cancellable_connect (cancellable, G_CALLBACK (ignore_cancelled), NULL, NULL));

  return (now_us () - start) / n;
}

/* The mean time of a g_task_run_in_thread_sync() with @cancellable, in
 * us: GTask connects a handler of its own for the call, and disconnects
 * it by walking the cancellable's handlers.
 */
static gdouble
run_in_thread_sync_us (GCancellable *cancellable,
                       gint          n)
{
  gdouble start = now_us ();

  for (gint i = 0; i < n; i++)
    {
      g_autoptr(GTask) task = g_task_new (NULL, cancellable, NULL, NULL);

      g_task_run_in_thread_sync (task, gtask_trivial);
      g_task_propagate_pointer (task, NULL);
    }

  return (now_us () - start) / n;
}

/* Priorities: n tasks of mwt_pool_run_task() (or g_task_run_in_thread())
 * queued at once, with one priority, two alternating (-10, 10) or a
 * hundred in turn; the time from the first submission to the last
 * callback. The pool's threads are held at the gate before the first task
 * is submitted and released after the last, so that every task goes
 * through the queue behind busy threads.
 *
 * The order is checked as the tasks run. A thread takes its tasks from
 * the queue one at a time, so the tasks that one thread runs come in the
 * queue's order: by priority, then in the order submitted. Each thread
 * counts the tasks that come before the one it ran previously in that
 * order. (When the threads start their tasks proves nothing: a thread may
 * be preempted between taking a task and starting it.)
 */

/* GLib's GTask pool runs 10 threads, and adds one every 100 ms or so while
 * all are busy: spare gate tasks, queued ahead of the measured ones, hold
 * the threads it adds while the tasks are submitted.
 */
#define GTASK_POOL_SIZE 10
#define GTASK_GATE_TASKS 40
#define GATE_PRIORITY (-1000)

typedef struct
{
  guint run;
  gint  priority;
  guint index;
} OrderSeen;

static GPrivate order_seen = G_PRIVATE_INIT (g_free);
static guint order_generation;
static guint order_run;  /* order_generation, or 0 while the order is not checked */
static gint n_priority_errors;
static gint n_fifo_errors;

static void
check_order (gint  priority,
             guint index)
{
  OrderSeen *seen = g_private_get (&order_seen);
  guint run = g_atomic_int_get (&order_run);

  if (run == 0)
    return;

  if (seen == NULL)
    {
      seen = g_new0 (OrderSeen, 1);
      g_private_set (&order_seen, seen);
    }

  if (seen->run == run)
    {
      if (priority < seen->priority)
        g_atomic_int_inc (&n_priority_errors);
      else if (priority == seen->priority && index < seen->index)
        g_atomic_int_inc (&n_fifo_errors);
    }

  seen->run = run;
  seen->priority = priority;
  seen->index = index;
}

static void
task_ordered (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable,
              gpointer      thread_state)
{
  check_order (g_task_get_priority (task), GPOINTER_TO_UINT (task_data));
  g_task_return_pointer (task, NULL, NULL);
}

static void
gtask_ordered (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  check_order (g_task_get_priority (task), GPOINTER_TO_UINT (task_data));
  g_task_return_pointer (task, NULL, NULL);
}

static gint
mix_priority (gint n_priorities,
              gint i)
{
  if (n_priorities == 1)
    return G_PRIORITY_DEFAULT;
  if (n_priorities == 2)
    return i % 2 ? 10 : -10;

  return i % n_priorities - n_priorities / 2;
}

typedef struct
{
  gboolean gtask;
  gint     n_priorities;
  gint     n;
} PriorityRun;

static gboolean
priorities_submit (gpointer data)
{
  PriorityRun *run = data;

  for (gint i = 0; i < run->n; i++)
    {
      GTask *task = g_task_new (NULL, NULL, task_done, NULL);

      g_task_set_priority (task, mix_priority (run->n_priorities, i));
      g_task_set_task_data (task, GUINT_TO_POINTER (i), NULL);
      if (run->gtask)
        g_task_run_in_thread (task, gtask_ordered);
      else
        mwt_pool_run_task (pool, task, task_ordered);
      g_object_unref (task);
    }
  gate_open ();

  return G_SOURCE_REMOVE;
}

/* GLib's pool manager can leave its pool with fewer threads than 10 for
 * good: after a burst, it may set the largest number of threads to those
 * running at the time plus one, and grows it again only once 10 run.
 */
static gint gtask_fewest_held = G_MAXINT;

/* Order errors of the runs so far, by way: 0 for mwt, 1 for GTask. */
static gint order_errors[2][2];

/* Without @held, the tasks are submitted to running threads, as an
 * application would, and their order is not checked.
 */
static gdouble
priorities_seconds (gboolean gtask,
                    gint     n_priorities,
                    gint     n,
                    gboolean held)
{
  PriorityRun run = { gtask, n_priorities, n };
  gint n_gate = !held ? 0 : gtask ? GTASK_GATE_TASKS : n_threads;
  gdouble start;

  gate_close ();
  n_done = 0;
  n_target = n_gate + n;
  for (gint i = 0; i < n_gate; i++)
    {
      if (gtask)
        {
          g_autoptr(GTask) task = g_task_new (NULL, NULL, task_done, NULL);

          g_task_set_priority (task, GATE_PRIORITY);
          g_task_run_in_thread (task, gtask_hold);
        }
      else
        mwt_pool_run_async (pool, mwt_hold, NULL, NULL, NULL, GATE_PRIORITY, NULL, mwt_async_done, NULL);
    }
  if (held && gtask)
    gtask_fewest_held = MIN (gtask_fewest_held, gate_wait_held (GTASK_POOL_SIZE, TRUE));
  else if (held && gate_wait_held (n_threads, FALSE) < n_threads)
    g_printerr ("mwt-bench: only %d of the pool's %d threads reached the gate\n", n_held, n_threads);

  g_atomic_int_set (&order_run, held ? ++order_generation : 0);
  g_atomic_int_set (&n_priority_errors, 0);
  g_atomic_int_set (&n_fifo_errors, 0);

  start = now_us ();
  g_idle_add (priorities_submit, &run);
  g_main_loop_run (loop);
  start = (now_us () - start) / 1e6;

  if (held)
    {
      order_errors[gtask][0] += g_atomic_int_get (&n_priority_errors);
      order_errors[gtask][1] += g_atomic_int_get (&n_fifo_errors);
    }

  return start;
}

/* Frame gap: n tasks of about 1 us of work (a busy loop calibrated at
 * start) submitted FRAME_BATCH at a time from an idle on the loop, again
 * until all are, while a 5 ms timeout on the same loop records when it
 * ticks. The gaps between its ticks, from the start of the run to the last
 * callback (the first gap counts from the start, the last ends with the
 * run), are how long the loop left other sources waiting: a GTK
 * application's frame clock, say.
 */
#define FRAME_BATCH 2000
#define FRAME_TICK_MS 5

static guint64 spin_per_us = 1;

static void
spin (guint64 n)
{
  volatile guint64 sink = 0;

  for (guint64 i = 0; i < n; i++)
    sink += i;
}

/* The fastest of a few tries: preemption only ever slows one down. */
static void
calibrate_spin (void)
{
  const guint64 n = 2000000;
  gdouble fastest = G_MAXDOUBLE;

  for (gint i = 0; i < 7; i++)
    {
      gdouble start = now_us ();

      spin (n);
      fastest = MIN (fastest, now_us () - start);
    }

  spin_per_us = MAX (n / MAX (fastest, 1), 1);
}

static gpointer
mwt_spin (gpointer       thread_state,
          gpointer       func_data,
          GCancellable  *cancellable,
          GError       **error)
{
  spin (spin_per_us);

  return func_data;
}

static void
gtask_spin (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  spin (spin_per_us);
  g_task_return_pointer (task, task_data, NULL);
}

/* The same, each also handing a function to the main context. */
static gpointer
mwt_spin_post (gpointer       thread_state,
               gpointer       func_data,
               GCancellable  *cancellable,
               GError       **error)
{
  spin (spin_per_us);
  mwt_run_in_main_dont_wait (posted, NULL, NULL);

  return func_data;
}

static void
gtask_spin_invoke (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  spin (spin_per_us);
  g_main_context_invoke (NULL, invoked, NULL);
  g_task_return_pointer (task, task_data, NULL);
}

typedef struct
{
  Way      way;
  gboolean posts;
  gint     n;
  gint     n_submitted;
  GArray  *ticks;
} FrameRun;

static gboolean
frame_tick (gpointer data)
{
  FrameRun *run = data;
  gdouble now = now_us ();

  g_array_append_val (run->ticks, now);

  return G_SOURCE_CONTINUE;
}

static gboolean
frame_submit (gpointer data)
{
  FrameRun *run = data;
  gint end = MIN (run->n_submitted + FRAME_BATCH, run->n);

  for (; run->n_submitted < end; run->n_submitted++)
    {
      if (run->way == WAY_G_TASK)
        {
          g_autoptr(GTask) task = g_task_new (NULL, NULL, task_done, NULL);

          g_task_run_in_thread (task, run->posts ? gtask_spin_invoke : gtask_spin);
        }
      else
        mwt_pool_run_async (pool, run->posts ? mwt_spin_post : mwt_spin, NULL, NULL, NULL,
                            G_PRIORITY_DEFAULT, NULL, mwt_async_done, NULL);
    }

  return run->n_submitted < run->n ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

/* The p-th percentile of sorted values, interpolated between the two
 * nearest ranks: with fewer than 100 gaps, the 99th is not the largest.
 */
static gdouble
percentile (const gdouble *sorted,
            guint          n,
            gdouble        p)
{
  gdouble rank = p / 100 * (n - 1);
  guint below = (guint) rank;

  if (below + 1 >= n)
    return sorted[n - 1];

  return sorted[below] + (rank - below) * (sorted[below + 1] - sorted[below]);
}

/* One run: the largest gap and the 99th percentile in ms, and the tasks
 * per second. With @posts, each task also hands a function to the main
 * context, and the run ends once those ran too.
 */
static void
frame_gap_run (Way       way,
               gboolean  posts,
               gint      n,
               gdouble  *largest,
               gdouble  *p99,
               gdouble  *rate)
{
  FrameRun run = { way, posts, n, 0, g_array_new (FALSE, FALSE, sizeof (gdouble)) };
  g_autofree gdouble *gaps = NULL;
  gdouble start, end;
  guint tick_id, n_gaps;

  n_done = 0;
  n_target = posts ? 2 * n : n;
  start = now_us ();
  g_array_append_val (run.ticks, start);
  tick_id = g_timeout_add (FRAME_TICK_MS, frame_tick, &run);
  g_idle_add (frame_submit, &run);
  g_main_loop_run (loop);
  end = now_us ();
  g_source_remove (tick_id);
  g_array_append_val (run.ticks, end);

  n_gaps = run.ticks->len - 1;
  gaps = g_new (gdouble, n_gaps);
  for (guint i = 0; i < n_gaps; i++)
    gaps[i] = (g_array_index (run.ticks, gdouble, i + 1) - g_array_index (run.ticks, gdouble, i)) / 1000;
  qsort (gaps, n_gaps, sizeof *gaps, compare_doubles);

  *largest = gaps[n_gaps - 1];
  *p99 = percentile (gaps, n_gaps, 99);
  *rate = n / ((end - start) / 1e6);
  g_array_unref (run.ticks);
}

/* Output */

static GString *json_out;

/* Prints one figure: the medians of mwt's values and of the alternative's,
 * and the median of the ratios of the pairs measured back to back, which
 * drifts of the machine between repetitions do not skew. Without an
 * alternative, @other is NULL.
 */
static void
report (const gchar   *name,
        const gchar   *unit,
        const gdouble *mwt,
        const gchar   *other_name,
        const gdouble *other,
        gint           n,
        const gchar   *target)
{
  gdouble mwt_sorted[32], other_sorted[32], ratios[32];
  gdouble mwt_median, other_median = 0, ratio = 0;

  for (gint i = 0; i < n; i++)
    {
      mwt_sorted[i] = mwt[i];
      other_sorted[i] = other != NULL ? other[i] : 0;
      ratios[i] = other != NULL && other[i] != 0 ? mwt[i] / other[i] : 0;
    }
  mwt_median = median (mwt_sorted, n);
  if (other != NULL)
    {
      other_median = median (other_sorted, n);
      ratio = median (ratios, n);
    }

  if (json)
    {
      g_string_append_printf (json_out,
                              "%s\n  {\"figure\": \"%s\", \"unit\": \"%s\", \"mwt\": %.3f, "
                              "\"other\": \"%s\", \"other_value\": %.3f, \"ratio\": %.3f}",
                              json_out->len > 1 ? "," : "", name, unit, mwt_median,
                              other_name, other_median, ratio);
      return;
    }

  g_print ("%-34s %12.2f %-6s %-24s %12.2f %6.2fx  %s\n",
           name, mwt_median, unit, other_name, other_median, ratio, target);
}

/* Prints a count of events, which should be @target. */
static void
report_count (const gchar *name,
              const gchar *unit,
              gint         mwt,
              const gchar *other_name,
              gint         other,
              const gchar *target)
{
  if (json)
    {
      g_string_append_printf (json_out,
                              "%s\n  {\"figure\": \"%s\", \"unit\": \"%s\", \"mwt\": %d, "
                              "\"other\": \"%s\", \"other_value\": %d}",
                              json_out->len > 1 ? "," : "", name, unit, mwt, other_name, other);
      return;
    }

  g_print ("%-34s %12d %-6s %-24s %12d %7s  %s\n", name, mwt, unit, other_name, other, "", target);
}

/* Prints a figure that was not measured: the largest run, at @size, took
 * @seconds, and the full size would take @estimate if the time grows with
 * the square of the size (more if it grows faster, as it can once the
 * queue outgrows the caches).
 */
static void
report_skipped (const gchar *name,
                gint         size,
                gdouble      seconds,
                gdouble      estimate,
                const gchar *target)
{
  if (json)
    {
      g_string_append_printf (json_out,
                              "%s\n  {\"figure\": \"%s\", \"skipped\": true, \"largest_size\": %d, "
                              "\"largest_seconds\": %.3f, \"quadratic_estimate\": %.3f}",
                              json_out->len > 1 ? "," : "", name, size, seconds, estimate);
      return;
    }

  g_print ("%-34s %12s %-6s ~%.0f s if time grows as n^2 (> --max-seconds)  %s\n",
           name, "skipped", "", estimate, target);
}

/* "100k", "12.5k", "1562" */
static gchar *
size_label (gint n)
{
  if (n >= 1000000 && n % 1000000 == 0)
    return g_strdup_printf ("%dM", n / 1000000);
  if (n >= 1000 && n % 1000 == 0)
    return g_strdup_printf ("%dk", n / 1000);
  if (n >= 1000 && n % 100 == 0)
    return g_strdup_printf ("%.1fk", n / 1000.0);

  return g_strdup_printf ("%d", n);
}

/* Pins every thread of the process, the pools' included, to CPU 0, or
 * lets them all run anywhere again.
 */
static void
pin_to_one_cpu (gboolean pin)
{
  g_autoptr(GDir) tasks = g_dir_open ("/proc/self/task", 0, NULL);
  const gchar *tid;
  cpu_set_t set;

  CPU_ZERO (&set);
  for (guint i = 0; i < g_get_num_processors (); i++)
    if (!pin || i == 0)
      CPU_SET (i, &set);

  while (tasks != NULL && (tid = g_dir_read_name (tasks)) != NULL)
    sched_setaffinity (atoi (tid), sizeof set, &set);
}

/* Burst, each way in turn within a repetition, so that all see the same
 * machine.
 */
static void
measure_burst (gint small,
               gint large)
{
  gdouble rate[N_WAYS][2][32];
  gdouble scaling[N_WAYS][32];

  for (gint size = 0; size < 2; size++)
    for (gint r = 0; r < n_repeats; r++)
      for (Way way = 0; way < N_WAYS; way++)
        rate[way][size][r] = (size ? large : small) / burst_seconds (way, size ? large : small);
  for (Way way = 0; way < N_WAYS; way++)
    for (gint r = 0; r < n_repeats; r++)
      scaling[way][r] = (gdouble) large / small * rate[way][0][r] / rate[way][1][r];

  report ("burst 100k run_async (tasks/s)", "1/s", rate[WAY_MWT_RUN_ASYNC][0],
          way_names[WAY_G_TASK], rate[WAY_G_TASK][0], n_repeats, ">= 4x");
  report ("burst 100k run_task (tasks/s)", "1/s", rate[WAY_MWT_RUN_TASK][0],
          way_names[WAY_G_TASK], rate[WAY_G_TASK][0], n_repeats, ">= 1x");
  report ("burst 100k run_async (tasks/s)", "1/s", rate[WAY_MWT_RUN_ASYNC][0],
          way_names[WAY_THREAD_POOL], rate[WAY_THREAD_POOL][0], n_repeats, "");
  report ("burst 1M run_async (tasks/s)", "1/s", rate[WAY_MWT_RUN_ASYNC][1],
          way_names[WAY_G_TASK], rate[WAY_G_TASK][1], n_repeats, ">= 4x");
  report ("burst 1M run_task (tasks/s)", "1/s", rate[WAY_MWT_RUN_TASK][1],
          way_names[WAY_G_TASK], rate[WAY_G_TASK][1], n_repeats, ">= 1x");
  report ("burst 1M/100k time, run_async", "", scaling[WAY_MWT_RUN_ASYNC],
          way_names[WAY_G_TASK], scaling[WAY_G_TASK], n_repeats, "mwt <= 11");
}

/* Latency, unpinned then pinned to one CPU. */
static void
measure_latency (gint rounds)
{
  static const Way ways[3] = { WAY_MWT_RUN_ASYNC, WAY_MWT_RUN_TASK, WAY_G_TASK };

  for (gint pinned = 0; pinned < 2; pinned++)
    {
      gdouble lat[3][32];

      pin_to_one_cpu (pinned);
      for (gint r = 0; r < n_repeats; r++)
        for (gint w = 0; w < 3; w++)
          lat[w][r] = latency_us (ways[w], rounds);
      report (pinned ? "latency pinned run_async (us)" : "latency run_async (us)", "us",
              lat[0], way_names[WAY_G_TASK], lat[2], n_repeats, pinned ? "<= 0.5x" : "");
      report (pinned ? "latency pinned run_task (us)" : "latency run_task (us)", "us",
              lat[1], way_names[WAY_G_TASK], lat[2], n_repeats, pinned ? "<= 0.8x" : "");
    }
  pin_to_one_cpu (FALSE);
}

/* run_in_main round trips, pinned, and the hand-off floor. */
static void
measure_run_in_main (gint rounds)
{
  gdouble mwt[32], naive[32], floor_[32];

  pin_to_one_cpu (TRUE);
  for (gint r = 0; r < n_repeats; r++)
    {
      mwt[r] = run_in_main_us (mwt_calls_main, rounds);
      naive[r] = run_in_main_us (naive_calls_main, rounds);
      floor_[r] = ping_pong_us (rounds);
    }
  pin_to_one_cpu (FALSE);
  report ("run_in_main pinned (us)", "us", mwt, "invoke + GCond", naive, n_repeats, "<= 0.6x");
  report ("run_in_main pinned (us)", "us", mwt, "GMutex/GCond ping-pong", floor_, n_repeats, "(floor)");
}

static void
measure_cancel (gint n)
{
  gdouble cancel[32];

  for (gint r = 0; r < n_repeats; r++)
    cancel[r] = cancel_seconds (n, FALSE);
  report ("cancel 100k queued (s)", "s", cancel, "", NULL, n_repeats, "");
}

#define MEASURE_TURNS 10

/* One cancellable shared by @n_queued queued tasks against a fresh one,
 * by @n_pairs connect/disconnect pairs and @n_syncs calls; the run_async
 * burst of @n_burst with one cancellable against none; @n_cancel tasks
 * with a cancellable each, cancelled, against one shared, and against a
 * tenth as many. @memory holds the bytes per queued task, with a shared
 * cancellable and with none.
 */
static void
measure_cancellable (gint           n_queued,
                     gint           n_pairs,
                     gint           n_syncs,
                     gint           n_burst,
                     gint           n_cancel,
                     const gdouble *memory)
{
  gdouble pair_shared[32], pair_fresh[32], sync_shared[32], sync_fresh[32];
  gdouble rate_shared[32], rate_none[32];
  gdouble cancel_each[32], cancel_shared[32], cancel_scaling[32];
  g_autofree gchar *queued_label = size_label (n_queued);
  g_autofree gchar *burst_label = size_label (n_burst);
  g_autofree gchar *cancel_label = size_label (n_cancel);
  g_autofree gchar *small_label = size_label (n_cancel / 10);
  g_autofree gchar *pair_name = g_strdup_printf ("connect/disconnect %s queued (us)", queued_label);
  g_autofree gchar *sync_name = g_strdup_printf ("run_in_thread_sync %s queued (us)", queued_label);
  g_autofree gchar *burst_name = g_strdup_printf ("run_async %s, shared (tasks/s)", burst_label);
  g_autofree gchar *cancel_name = g_strdup_printf ("cancel %s queued, own each (s)", cancel_label);
  g_autofree gchar *scaling_name = g_strdup_printf ("cancel %s/%s time, own each", cancel_label, small_label);

  for (gint r = 0; r < n_repeats; r++)
    {
      g_autoptr(GCancellable) shared = g_cancellable_new ();
      g_autoptr(GCancellable) fresh = g_cancellable_new ();

      queue_behind_held_threads (n_queued, &shared, 1);
      /* In turns, so that both see the same machine; GLib's pool warmed
       * up first.
       */
      run_in_thread_sync_us (fresh, 10);
      pair_shared[r] = pair_fresh[r] = sync_shared[r] = sync_fresh[r] = 0;
      for (gint turn = 0; turn < MEASURE_TURNS; turn++)
        {
          pair_shared[r] += connect_pair_us (shared, n_pairs / MEASURE_TURNS) / MEASURE_TURNS;
          pair_fresh[r] += connect_pair_us (fresh, n_pairs / MEASURE_TURNS) / MEASURE_TURNS;
          sync_shared[r] += run_in_thread_sync_us (shared, n_syncs / MEASURE_TURNS) / MEASURE_TURNS;
          sync_fresh[r] += run_in_thread_sync_us (fresh, n_syncs / MEASURE_TURNS) / MEASURE_TURNS;
        }
      release_held_threads ();

      rate_none[r] = n_burst / burst_seconds (WAY_MWT_RUN_ASYNC, n_burst);
      run_async_cancellable = shared;
      rate_shared[r] = n_burst / burst_seconds (WAY_MWT_RUN_ASYNC, n_burst);
      run_async_cancellable = NULL;

      cancel_each[r] = cancel_seconds (n_cancel, TRUE);
      cancel_shared[r] = cancel_seconds (n_cancel, FALSE);
      cancel_scaling[r] = cancel_each[r] / cancel_seconds (n_cancel / 10, TRUE);
    }

  report (pair_name, "us", pair_shared, "a fresh cancellable", pair_fresh, n_repeats, "<= 2x");
  report (sync_name, "us", sync_shared, "a fresh cancellable", sync_fresh, n_repeats, "<= 2x");
  report (burst_name, "1/s", rate_shared, "no cancellable", rate_none, n_repeats, ">= 0.9x");
  report ("memory per task, shared (bytes)", "B", &memory[0], "no cancellable", &memory[1], 1, "");
  report (cancel_name, "s", cancel_each, "one shared", cancel_shared, n_repeats, "");
  report (scaling_name, "", cancel_scaling, "", NULL, n_repeats, "(10 = linear)");
}

/* Priorities: @n tasks with each mix, each ratio against one priority at
 * the same size; two priorities at @n_against against GTask, held at the
 * gate and unheld (submitted to running threads, as an application would).
 *
 * A queue that inserts in linear time when priorities are mixed makes a
 * run quadratic (issue 13 measured 34 s and 317 s at 100k): the sizes
 * double up to @n, and stop where the next run could take longer than
 * --max-seconds if its time grows with the square of the size. A figure
 * not measured at @n says so, and the largest size that was follows it.
 */
#define PRIORITY_LADDER 6

static void
measure_priorities (gint n,
                    gint n_against)
{
  static const gint mixes[3] = { 1, 2, 100 };
  gint size[3];
  gdouble last[3];
  gdouble one[3][32], mixed[3][32];
  gdouble mwt_against[32], gtask_against[32], mwt_unheld[32], gtask_unheld[32];
  gint n_cmp = n_against;
  g_autofree gchar *n_label = size_label (n);
  g_autofree gchar *cmp_label = NULL;

  for (gint m = 0; m < 3; m++)
    for (gint shift = PRIORITY_LADDER; shift >= 0; shift--)
      {
        size[m] = MAX (n >> shift, 1);
        last[m] = priorities_seconds (FALSE, mixes[m], size[m], TRUE);
        if (shift > 0 && last[m] * 4 > max_seconds)
          break;
      }
  if (size[1] < n_against &&
      last[1] * ((gdouble) n_against / size[1]) * ((gdouble) n_against / size[1]) > max_seconds)
    n_cmp = size[1];
  cmp_label = size_label (n_cmp);

  /* Each mixed run right after a run of one priority at its size. */
  for (gint r = 0; r < n_repeats; r++)
    {
      one[0][r] = mixed[0][r] = priorities_seconds (FALSE, 1, size[0], TRUE);
      for (gint m = 1; m < 3; m++)
        {
          one[m][r] = size[m] == size[0] ? one[0][r] : priorities_seconds (FALSE, 1, size[m], TRUE);
          mixed[m][r] = priorities_seconds (FALSE, mixes[m], size[m], TRUE);
        }
      gtask_against[r] = priorities_seconds (TRUE, 2, n_cmp, TRUE);
      mwt_against[r] = priorities_seconds (FALSE, 2, n_cmp, TRUE);
      gtask_unheld[r] = priorities_seconds (TRUE, 2, n_cmp, FALSE);
      mwt_unheld[r] = priorities_seconds (FALSE, 2, n_cmp, FALSE);
    }

  for (gint m = 0; m < 3; m++)
    {
      g_autofree gchar *name = g_strdup_printf ("priorities %s x%d run_task (s)", n_label, mixes[m]);

      if (size[m] < n)
        {
          g_autofree gchar *label = size_label (size[m]);
          g_autofree gchar *smaller = g_strdup_printf ("priorities %s x%d run_task (s)", label, mixes[m]);
          gdouble growth = (gdouble) n / size[m];

          report_skipped (name, size[m], last[m], last[m] * growth * growth, m ? "<= 2x" : "");
          if (m == 0)
            report (smaller, "s", mixed[m], "", NULL, n_repeats, "");
          else
            report (smaller, "s", mixed[m], "1 priority, same size", one[m], n_repeats, "(target at full size)");
        }
      else if (m == 0)
        report (name, "s", mixed[m], "", NULL, n_repeats, "");
      else
        report (name, "s", mixed[m], "1 priority, same size", one[m], n_repeats, "<= 2x");
    }

  {
    g_autofree gchar *name = g_strdup_printf ("priorities %s x2 run_task (s)", cmp_label);
    g_autofree gchar *unheld = g_strdup_printf ("priorities %s x2 unheld (s)", cmp_label);
    g_autofree gchar *other = g_strdup_printf ("%s x2", way_names[WAY_G_TASK]);

    report (name, "s", mwt_against, other, gtask_against, n_repeats, "");
    report (unheld, "s", mwt_unheld, other, gtask_unheld, n_repeats, "");
  }

  if (gtask_fewest_held < GTASK_POOL_SIZE)
    g_printerr ("mwt-bench: GLib's GTask pool ran only %d threads in some runs, not %d: "
                "its manager can shrink it after a burst\n", gtask_fewest_held, GTASK_POOL_SIZE);
  report_count ("priorities out of order (tasks)", "tasks", order_errors[0][0],
                way_names[WAY_G_TASK], order_errors[1][0], "mwt 0");
  report_count ("priorities not FIFO (tasks)", "tasks", order_errors[0][1],
                way_names[WAY_G_TASK], order_errors[1][1], "mwt 0");
}

/* Frame gap, mwt_pool_run_async() then g_task_run_in_thread() in each
 * repetition; the medians of the runs' largest and 99th percentile gaps.
 */
static void
measure_frame_gap (gint n)
{
  gdouble largest[2][32], p99[2][32], rate[2][32];
  g_autofree gchar *label = size_label (n);
  g_autofree gchar *largest_name = g_strdup_printf ("frame-gap %s largest gap (ms)", label);
  g_autofree gchar *p99_name = g_strdup_printf ("frame-gap %s p99 gap (ms)", label);
  g_autofree gchar *rate_name = g_strdup_printf ("frame-gap %s run_async (tasks/s)", label);
  gdouble work[32];

  calibrate_spin ();
  for (gint r = 0; r < n_repeats; r++)
    {
      gdouble start = now_us ();

      for (gint i = 0; i < 1000; i++)
        spin (spin_per_us);
      work[r] = (now_us () - start) / 1000;
      frame_gap_run (WAY_MWT_RUN_ASYNC, FALSE, n, &largest[0][r], &p99[0][r], &rate[0][r]);
      frame_gap_run (WAY_G_TASK, FALSE, n, &largest[1][r], &p99[1][r], &rate[1][r]);
    }

  report ("frame-gap work of a task (us)", "us", work, "", NULL, n_repeats, "(calibrated to 1)");
  report (largest_name, "ms", largest[0], way_names[WAY_G_TASK], largest[1], n_repeats, "mwt <= 20 ms");
  report (p99_name, "ms", p99[0], way_names[WAY_G_TASK], p99[1], n_repeats, "mwt <= 12 ms");
  report (rate_name, "1/s", rate[0], way_names[WAY_G_TASK], rate[1], n_repeats, ">= 3x");
}

/* Posting: @n posts from the pool's threads against as many
 * g_main_context_invoke() calls; then the frame gap of @frame_tasks tasks
 * that each post, against GTask's with an invoke each.
 */
static void
measure_post (gint n,
              gint frame_tasks)
{
  gdouble mwt[32], invoke[32];
  gdouble largest[2][32], p99[2][32], rate[2][32];
  g_autofree gchar *n_label = size_label (n);
  g_autofree gchar *label = size_label (frame_tasks);
  g_autofree gchar *post_name = g_strdup_printf ("post %s from pool threads (ms)", n_label);
  g_autofree gchar *largest_name = g_strdup_printf ("frame-gap %s+posts largest (ms)", label);
  g_autofree gchar *p99_name = g_strdup_printf ("frame-gap %s+posts p99 (ms)", label);
  g_autofree gchar *rate_name = g_strdup_printf ("frame-gap %s+posts (tasks/s)", label);
  const gchar *gtask_invoke = "g_task_run + invoke";

  calibrate_spin ();
  for (gint r = 0; r < n_repeats; r++)
    {
      mwt[r] = posts_seconds (mwt_posts, n) * 1e3;
      invoke[r] = posts_seconds (invoke_posts, n) * 1e3;
      frame_gap_run (WAY_MWT_RUN_ASYNC, TRUE, frame_tasks, &largest[0][r], &p99[0][r], &rate[0][r]);
      frame_gap_run (WAY_G_TASK, TRUE, frame_tasks, &largest[1][r], &p99[1][r], &rate[1][r]);
    }

  report (post_name, "ms", mwt, "g_main_context_invoke", invoke, n_repeats, "<= 0.2x");
  report (largest_name, "ms", largest[0], gtask_invoke, largest[1], n_repeats, "mwt <= 20 ms");
  report (p99_name, "ms", p99[0], gtask_invoke, p99[1], n_repeats, "mwt <= 12 ms");
  report (rate_name, "1/s", rate[0], gtask_invoke, rate[1], n_repeats, "");
}

static const gchar *groups[] = {
  "burst", "latency", "run-in-main", "memory", "cancel", "cancellable", "priorities", "frame-gap",
  "post", NULL
};

static gboolean
wanted (const gchar *group)
{
  return plain == NULL && (only == NULL || g_str_equal (only, group));
}

int
main (int   argc,
      char *argv[])
{
  const GOptionEntry entries[] = {
    { "threads", 0, 0, G_OPTION_ARG_INT, &n_threads, "Worker threads of mwt and GThreadPool (2)", "N" },
    { "repeats", 0, 0, G_OPTION_ARG_INT, &n_repeats, "Repetitions per figure; the medians are shown (5)", "N" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON", NULL },
    { "smoke", 0, 0, G_OPTION_ARG_NONE, &smoke, "A tiny run that only shows it works", NULL },
    { "only", 0, 0, G_OPTION_ARG_STRING, &only, "Measure one group of figures, to profile it: "
      "burst, latency, run-in-main, memory, cancel, cancellable, priorities, frame-gap or post",
      "GROUP" },
    { "plain", 0, 0, G_OPTION_ARG_STRING, &plain, "Only run one burst of --tasks tasks, one way, and "
      "print nothing, to count what it costs (see count-syscalls.sh): "
      "run_async, run_task, g_task or thread_pool; or post or invoke, --tasks functions "
      "handed to the main context from the pool's threads", "WAY" },
    { "tasks", 0, 0, G_OPTION_ARG_INT, &n_plain, "Tasks of the --plain burst (100000)", "N" },
    { "shared-cancellable", 0, 0, G_OPTION_ARG_NONE, &plain_cancellable, "Give every run_async task of "
      "the --plain burst one cancellable", NULL },
    { "max-seconds", 0, 0, G_OPTION_ARG_DOUBLE, &max_seconds, "Skip the priorities runs that could "
      "take longer than S seconds each, measuring smaller ones instead (2)", "S" },
    { NULL }
  };
  g_autoptr(GOptionContext) options = g_option_context_new ("- mwt against GLib's thread pools");
  g_autoptr(GError) error = NULL;
  gint small = 100000, large = 1000000, rounds = 20000;
  gint queued = 100000, queued_against = 20000, frame_tasks = 300000;
  gint sharing = 50000, pairs = 20000, syncs = 1000;
  gdouble memory[2] = { 0, 0 }, memory_shared[2] = { 0, 0 };

  g_option_context_add_main_entries (options, entries, NULL);
  if (!g_option_context_parse (options, &argc, &argv, &error) ||
      n_threads < 1 || n_repeats < 1 || n_repeats > 32 ||
      (only != NULL && !g_strv_contains (groups, only)) ||
      (plain != NULL && ((!g_strv_contains (way_ids, plain) && !g_strv_contains (post_ids, plain)) ||
                         n_plain < 0)))
    {
      g_printerr ("mwt-bench: %s\n", error ? error->message : "bad --threads, --repeats (1-32), --only, --plain or --tasks");
      return 1;
    }
  if (smoke)
    {
      small = 1000;
      large = 10000;
      rounds = 200;
      queued = 2000;
      queued_against = 400;
      frame_tasks = 3 * 2000;
      sharing = 500;
      pairs = 20;
      syncs = 10;
      n_repeats = 1;
    }

  /* Measured first, in child processes forked before any thread exists. */
  if (wanted ("memory"))
    {
      memory[0] = bytes_per_queued_task (WAY_MWT_RUN_ASYNC, large, FALSE);
      memory[1] = bytes_per_queued_task (WAY_G_TASK, large, FALSE);
    }
  if (wanted ("cancellable"))
    {
      memory_shared[0] = bytes_per_queued_task (WAY_MWT_RUN_ASYNC, large, TRUE);
      memory_shared[1] = bytes_per_queued_task (WAY_MWT_RUN_ASYNC, large, FALSE);
    }

  loop = g_main_loop_new (NULL, FALSE);
  pool = mwt_pool_new (n_threads, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  thread_pool = g_thread_pool_new (thread_pool_trivial, NULL, n_threads, FALSE, NULL);
  json_out = g_string_new ("[");

  if (plain != NULL)
    {
      if (plain_cancellable)
        run_async_cancellable = g_cancellable_new ();
      for (Way way = 0; way < N_WAYS; way++)
        if (n_plain > 0 && g_str_equal (plain, way_ids[way]))
          burst_seconds (way, n_plain);
      if (n_plain > 0 && g_str_equal (plain, post_ids[0]))
        posts_seconds (mwt_posts, n_plain);
      if (n_plain > 0 && g_str_equal (plain, post_ids[1]))
        posts_seconds (invoke_posts, n_plain);
    }
  else if (!json)
    {
      g_print ("mwt %s, GLib %u.%u.%u, %d worker threads (g_task_run_in_thread uses GLib's own "
               "pool of up to 10), %u CPUs, median of %d; a ratio is the median of\nthe ratios of pairs measured back to back\n\n",
               MWT_VERSION_S, glib_major_version, glib_minor_version, glib_micro_version,
               n_threads, g_get_num_processors (), n_repeats);
      g_print ("%-34s %12s %-6s %-24s %12s %7s  %s\n", "figure", "mwt", "unit", "against", "value", "ratio", "target");
    }

  if (wanted ("burst"))
    measure_burst (small, large);
  if (wanted ("latency"))
    measure_latency (rounds);
  if (wanted ("run-in-main"))
    measure_run_in_main (rounds);
  if (wanted ("memory"))
    report ("memory per queued task (bytes)", "B", &memory[0],
            way_names[WAY_G_TASK], &memory[1], 1, "<= 1x");
  if (wanted ("cancel"))
    measure_cancel (small);
  if (wanted ("cancellable"))
    measure_cancellable (sharing, pairs, syncs, small, small, memory_shared);
  if (wanted ("priorities"))
    measure_priorities (queued, queued_against);
  if (wanted ("frame-gap"))
    measure_frame_gap (frame_tasks);
  if (wanted ("post"))
    measure_post (small, frame_tasks);

  if (json && plain == NULL)
    g_print ("%s\n]\n", json_out->str);

  g_clear_object (&run_async_cancellable);
  g_string_free (json_out, TRUE);
  g_thread_pool_free (thread_pool, FALSE, TRUE);
  g_object_unref (pool);
  g_main_loop_unref (loop);

  return 0;
}
