/* test-extras.c: draining, the current pool, live counters and resizing
 *
 * SPDX-FileCopyrightText: 2026 The mwt authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "test-util.h"

typedef struct
{
  TestGate *gate;
  gint      ran;
} Held;

static gpointer
held_job (gpointer       thread_state,
          gpointer       func_data,
          GCancellable  *cancellable,
          GError       **error)
{
  Held *held = func_data;

  if (held->gate != NULL)
    test_gate_pass (held->gate);
  g_atomic_int_set (&held->ran, TRUE);

  return held;
}

static void
count_callback (GObject      *source_object,
                GAsyncResult *result,
                gpointer      user_data)
{
  guint *n_callbacks = user_data;

  (*n_callbacks)++;
}


/* Drain */

typedef struct
{
  guint  *n_callbacks;
  guint   seen;
  gboolean done;
} DrainProbe;

static void
drained (GObject      *source_object,
         GAsyncResult *result,
         gpointer      user_data)
{
  DrainProbe *probe = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (mwt_pool_drain_finish (MWT_POOL (source_object), result, &error));
  g_assert_no_error (error);
  probe->seen = *probe->n_callbacks;
  probe->done = TRUE;
}

static void
test_drain_waits_only_for_earlier_tasks (void)
{
  g_autoptr(MwtPool) pool = mwt_pool_new (2, NULL, NULL, NULL, NULL, NULL);
  TestGate gate;
  Held later = { &gate, 0 };
  guint n_callbacks = 0, n_later = 0;
  DrainProbe probe = { &n_callbacks, 0, FALSE };
  Held earlier = { NULL, 0 };

  test_gate_init (&gate);

  /* Earlier tasks of both kinds, on the same context as the drain. */
  for (guint i = 0; i < 200; i++)
    {
      g_autoptr(GTask) task = g_task_new (NULL, NULL, count_callback, &n_callbacks);

      mwt_pool_run_async (pool, held_job, &earlier, NULL, NULL, count_callback, &n_callbacks);
      g_task_set_task_data (task, &earlier, NULL);
      mwt_pool_run_task (pool, task, test_return_task_data);
    }
  mwt_pool_drain_async (pool, NULL, drained, &probe);

  /* A later task, held at a gate, does not hold the drain up. */
  mwt_pool_run_async (pool, held_job, &later, NULL, NULL, count_callback, &n_later);
  test_iterate_until (NULL, probe.done);
  g_assert_cmpuint (probe.seen, ==, 400);
  g_assert_cmpuint (n_later, ==, 0);
  g_assert_false (mwt_pool_is_closed (pool));

  test_gate_open (&gate);
  test_iterate_until (NULL, n_later == 1);
  test_gate_clear (&gate);
}

static void
test_drain_then_close_fails_nothing (void)
{
  g_autoptr(MwtPool) pool = mwt_pool_new (1, NULL, NULL, NULL, NULL, NULL);
  Held queued[20] = { { 0, }, };
  guint n_callbacks = 0;
  DrainProbe probe = { &n_callbacks, 0, FALSE };

  for (guint i = 0; i < G_N_ELEMENTS (queued); i++)
    mwt_pool_run_async (pool, held_job, &queued[i], NULL, NULL, count_callback, &n_callbacks);
  mwt_pool_drain_async (pool, NULL, drained, &probe);
  test_iterate_until (NULL, probe.done);
  g_assert_true (mwt_pool_close (pool, NULL, NULL));

  for (guint i = 0; i < G_N_ELEMENTS (queued); i++)
    g_assert_true (queued[i].ran);
  g_assert_cmpuint (n_callbacks, ==, G_N_ELEMENTS (queued));
}

static void
test_drain_cancel_stops_only_the_wait (void)
{
  g_autoptr(MwtPool) pool = mwt_pool_new (1, NULL, NULL, NULL, NULL, NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  TestGate gate;
  Held held = { &gate, 0 };
  guint n_callbacks = 0;

  test_gate_init (&gate);
  mwt_pool_run_async (pool, held_job, &held, NULL, NULL, count_callback, &n_callbacks);
  mwt_pool_drain_async (pool, cancellable, test_store_result, &result);
  g_cancellable_cancel (cancellable);
  test_iterate_until (NULL, result != NULL);
  g_assert_false (mwt_pool_drain_finish (pool, result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (n_callbacks, ==, 0);

  test_gate_open (&gate);
  test_iterate_until (NULL, n_callbacks == 1);
  test_gate_clear (&gate);
}

static void
count_exit (gpointer thread_state,
            gpointer user_data)
{
  g_atomic_int_inc ((gint *) user_data);
}

static void
test_drain_on_idle_and_closed_pools (void)
{
  gint n_exits = 0;
  MwtPool *pool = mwt_pool_new (2, NULL, count_exit, &n_exits, NULL, NULL);
  guint n_callbacks = 0;
  DrainProbe idle = { &n_callbacks, 0, FALSE };
  DrainProbe closed = { &n_callbacks, 0, FALSE };
  TestGate gate;
  Held held = { &gate, 0 };

  mwt_pool_drain_async (pool, NULL, drained, &idle);
  test_iterate_until (NULL, idle.done);

  /* On a closed pool, the drain waits for the threads to exit. */
  test_gate_init (&gate);
  mwt_pool_run_async (pool, held_job, &held, NULL, NULL, count_callback, &n_callbacks);
  test_gate_wait_for (&gate, 1);
  mwt_pool_close_async (pool, NULL, NULL, NULL);
  mwt_pool_drain_async (pool, NULL, drained, &closed);
  test_gate_open (&gate);
  test_iterate_until (NULL, closed.done);
  g_assert_cmpint (g_atomic_int_get (&n_exits), ==, 2);

  g_object_unref (pool);
  test_gate_clear (&gate);
}

/* The current pool and its context */

static gpointer
current_in_init (gpointer   user_data,
                 GError   **error)
{
  g_assert_nonnull (mwt_pool_get_current ());
  return mwt_pool_get_current ();
}

static void
current_in_exit (gpointer thread_state,
                 gpointer user_data)
{
  g_assert_true (mwt_pool_get_current () == thread_state);
}

static gpointer
return_current (gpointer       thread_state,
                gpointer       func_data,
                GCancellable  *cancellable,
                GError       **error)
{
  g_assert_true (thread_state == mwt_pool_get_current ());
  return mwt_pool_get_current ();
}

static gpointer
plain_thread_current (gpointer data)
{
  return mwt_pool_get_current ();
}

static void
test_current_pool (void)
{
  MwtPool *pools[2];

  g_assert_null (mwt_pool_get_current ());
  g_assert_null (g_thread_join (g_thread_new ("plain", plain_thread_current, NULL)));

  for (guint i = 0; i < 2; i++)
    pools[i] = mwt_pool_new (2, current_in_init, current_in_exit, NULL, NULL, NULL);

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GAsyncResult) result = NULL;

      mwt_pool_run_async (pools[i], return_current, NULL, NULL, NULL, test_store_result, &result);
      test_iterate_until (NULL, result != NULL);
      g_assert_true (mwt_pool_run_finish (pools[i], result, NULL) == pools[i]);
    }

  for (guint i = 0; i < 2; i++)
    g_object_unref (pools[i]);
}

typedef struct
{
  GThread *owner;
  gint     ran_on_owner;
} Post;

static gboolean
posted (gpointer data)
{
  Post *post = data;

  g_atomic_int_set (&post->ran_on_owner, g_thread_self () == post->owner);
  g_main_context_wakeup (NULL);

  return G_SOURCE_REMOVE;
}

static gpointer
post_without_waiting (gpointer       thread_state,
                      gpointer       func_data,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_main_context_invoke_full (mwt_pool_get_context (mwt_pool_get_current ()),
                              G_PRIORITY_DEFAULT, posted, func_data, NULL);
  return NULL;
}

static void
test_post_to_pool_context (void)
{
  g_autoptr(MwtPool) pool = mwt_pool_new (1, NULL, NULL, NULL, NULL, NULL);
  Post post = { g_thread_self (), -1 };
  guint n_callbacks = 0;

  g_assert_true (mwt_pool_get_context (pool) == g_main_context_default ());
  g_assert_true (g_main_context_acquire (NULL));
  mwt_pool_run_async (pool, post_without_waiting, &post, NULL, NULL, count_callback, &n_callbacks);
  test_iterate_until (NULL, n_callbacks == 1 && g_atomic_int_get (&post.ran_on_owner) != -1);
  g_assert_cmpint (post.ran_on_owner, ==, TRUE);
  g_main_context_release (NULL);
}

/* Live counters */

typedef struct
{
  guint n_busy_notifies;
  guint n_queued_notifies;
  guint n_threads_notifies;
  guint n_closed_notifies;
} Notifies;

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              gpointer    user_data)
{
  Notifies *notifies = user_data;

  g_assert_true (g_main_context_is_owner (mwt_pool_get_context (MWT_POOL (object))));
  if (g_str_equal (pspec->name, "n-busy"))
    notifies->n_busy_notifies++;
  else if (g_str_equal (pspec->name, "n-queued"))
    notifies->n_queued_notifies++;
  else if (g_str_equal (pspec->name, "n-threads"))
    notifies->n_threads_notifies++;
  else if (g_str_equal (pspec->name, "closed"))
    notifies->n_closed_notifies++;
}

static void
test_counters_exact_while_held (void)
{
  g_autoptr(MwtPool) pool = mwt_pool_new (2, NULL, NULL, NULL, NULL, NULL);
  TestGate gate;
  Held held[5] = { { 0, }, };
  guint n_callbacks = 0;
  guint n_busy, n_queued;

  test_gate_init (&gate);
  for (guint i = 0; i < G_N_ELEMENTS (held); i++)
    {
      held[i].gate = &gate;
      mwt_pool_run_async (pool, held_job, &held[i], NULL, NULL, count_callback, &n_callbacks);
    }
  test_gate_wait_for (&gate, 2);

  g_assert_cmpuint (mwt_pool_get_n_busy (pool), ==, 2);
  g_assert_cmpuint (mwt_pool_get_n_queued (pool), ==, 3);
  g_object_get (pool, "n-busy", &n_busy, "n-queued", &n_queued, NULL);
  g_assert_cmpuint (n_busy, ==, 2);
  g_assert_cmpuint (n_queued, ==, 3);

  test_gate_open (&gate);
  test_iterate_until (NULL, n_callbacks == G_N_ELEMENTS (held));
  g_assert_cmpuint (mwt_pool_get_n_busy (pool), ==, 0);
  g_assert_cmpuint (mwt_pool_get_n_queued (pool), ==, 0);
  test_gate_clear (&gate);
}


static void
test_counters_notify_coalesced (void)
{
  g_autoptr(MwtPool) pool = mwt_pool_new (2, NULL, NULL, NULL, NULL, NULL);
  Notifies notifies = { 0, };
  guint n_callbacks = 0, n_iterations = 0;
  const guint n_tasks = 10000;

  g_signal_connect (pool, "notify", G_CALLBACK (count_notify), &notifies);
  for (guint i = 0; i < n_tasks; i++)
    mwt_pool_run_async (pool, test_return_func_data, NULL, NULL, NULL, count_callback, &n_callbacks);
  while (n_callbacks < n_tasks)
    {
      g_main_context_iteration (NULL, TRUE);
      n_iterations++;
    }
  /* The last changes are announced too. */
  while (g_main_context_iteration (NULL, FALSE))
    n_iterations++;

  g_test_message ("%u iterations, %u n-busy and %u n-queued notifications",
                  n_iterations, notifies.n_busy_notifies, notifies.n_queued_notifies);
  g_assert_cmpuint (notifies.n_busy_notifies, >, 0);
  g_assert_cmpuint (notifies.n_queued_notifies, >, 0);
  g_assert_cmpuint (notifies.n_busy_notifies, <=, n_iterations);
  g_assert_cmpuint (notifies.n_queued_notifies, <=, n_iterations);
  g_assert_cmpuint (mwt_pool_get_n_busy (pool), ==, 0);
  g_assert_cmpuint (mwt_pool_get_n_queued (pool), ==, 0);

  g_assert_true (mwt_pool_set_n_threads (pool, 3, NULL));
  mwt_pool_close_async (pool, NULL, NULL, NULL);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (notifies.n_threads_notifies, ==, 1);
  g_assert_cmpuint (notifies.n_closed_notifies, ==, 1);
}

/* Resizing */

typedef struct
{
  GMutex     mutex;
  GPtrArray *threads;
  guint      n_exits;
  guint      fail_from;
} Sizes;

static gpointer
sized_init (gpointer   user_data,
            GError   **error)
{
  Sizes *sizes = user_data;
  gboolean fail;

  g_mutex_lock (&sizes->mutex);
  fail = sizes->fail_from > 0 && sizes->threads->len + 1 >= sizes->fail_from;
  if (!fail)
    g_ptr_array_add (sizes->threads, g_thread_self ());
  g_mutex_unlock (&sizes->mutex);

  if (fail)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, "no more");

  return fail ? NULL : g_thread_self ();
}

static void
sized_exit (gpointer thread_state,
            gpointer user_data)
{
  Sizes *sizes = user_data;

  g_assert_true (thread_state == g_thread_self ());
  g_mutex_lock (&sizes->mutex);
  sizes->n_exits++;
  g_mutex_unlock (&sizes->mutex);
}

/* Holds @n tasks at a gate; they all start only if @n threads run them. */
static void
assert_runs_at_once (MwtPool *pool,
                     guint    n)
{
  TestGate gate;
  Held held[16] = { { 0, }, };
  guint n_callbacks = 0;

  test_gate_init (&gate);
  for (guint i = 0; i < n; i++)
    {
      held[i].gate = &gate;
      mwt_pool_run_async (pool, held_job, &held[i], NULL, NULL, count_callback, &n_callbacks);
    }
  test_gate_wait_for (&gate, n);
  g_assert_cmpuint (mwt_pool_get_n_busy (pool), ==, n);
  test_gate_open (&gate);
  test_iterate_until (NULL, n_callbacks == n);
  test_gate_clear (&gate);
}

static void
test_resize_grow_and_shrink (void)
{
  Sizes sizes = { .threads = g_ptr_array_new () };
  g_autoptr(GError) error = NULL;
  MwtPool *pool;
  TestGate gate;
  Held held[4] = { { 0, }, };
  guint n_callbacks = 0;

  g_mutex_init (&sizes.mutex);
  pool = mwt_pool_new (2, sized_init, sized_exit, &sizes, NULL, &error);
  g_assert_no_error (error);

  g_assert_true (mwt_pool_set_n_threads (pool, 4, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (mwt_pool_get_n_threads (pool), ==, 4);
  g_assert_cmpuint (sizes.threads->len, ==, 4);
  assert_runs_at_once (pool, 4);

  /* Shrink while four tasks run: they finish, two threads leave. */
  test_gate_init (&gate);
  for (guint i = 0; i < 4; i++)
    {
      held[i].gate = &gate;
      mwt_pool_run_async (pool, held_job, &held[i], NULL, NULL, count_callback, &n_callbacks);
    }
  test_gate_wait_for (&gate, 4);
  g_assert_true (mwt_pool_set_n_threads (pool, 2, &error));
  g_assert_cmpuint (mwt_pool_get_n_threads (pool), ==, 2);
  test_gate_open (&gate);
  test_iterate_until (NULL, n_callbacks == 4);
  test_gate_clear (&gate);
  assert_runs_at_once (pool, 2);

  g_assert_true (mwt_pool_close (pool, NULL, NULL));
  g_assert_cmpuint (sizes.n_exits, ==, 4);
  g_object_unref (pool);
  g_ptr_array_unref (sizes.threads);
  g_mutex_clear (&sizes.mutex);
}

static void
test_resize_failing_init_keeps_the_size (void)
{
  Sizes sizes = { .threads = g_ptr_array_new () };
  g_autoptr(GError) error = NULL;
  MwtPool *pool;

  g_mutex_init (&sizes.mutex);
  pool = mwt_pool_new (2, sized_init, sized_exit, &sizes, NULL, &error);
  g_assert_no_error (error);

  /* The fourth thread's init fails: the third one leaves again. */
  sizes.fail_from = 4;
  g_assert_false (mwt_pool_set_n_threads (pool, 5, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
  g_assert_cmpuint (mwt_pool_get_n_threads (pool), ==, 2);
  assert_runs_at_once (pool, 2);
  g_assert_cmpuint (mwt_pool_get_n_busy (pool), ==, 0);

  g_assert_true (mwt_pool_close (pool, NULL, NULL));
  g_assert_cmpuint (sizes.n_exits, ==, sizes.threads->len);
  g_object_unref (pool);
  g_ptr_array_unref (sizes.threads);
  g_mutex_clear (&sizes.mutex);
}

static void
test_resize_closed_pool_fails (void)
{
  g_autoptr(MwtPool) pool = mwt_pool_new (1, NULL, NULL, NULL, NULL, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (mwt_pool_close (pool, NULL, NULL));
  g_assert_false (mwt_pool_set_n_threads (pool, 3, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
}

static void
test_resize_loses_no_task (void)
{
  g_autoptr(MwtPool) pool = mwt_pool_new (2, NULL, NULL, NULL, NULL, NULL);
  const guint sizes[] = { 4, 1, 3, 2, 5, 1 };
  guint n_callbacks = 0;

  for (guint i = 0; i < 2000; i++)
    {
      mwt_pool_run_async (pool, test_return_func_data, NULL, NULL, NULL, count_callback, &n_callbacks);
      if (i % 300 == 0)
        g_assert_true (mwt_pool_set_n_threads (pool, sizes[(i / 300) % G_N_ELEMENTS (sizes)], NULL));
      if (i % 7 == 0)
        g_main_context_iteration (NULL, FALSE);
    }
  test_iterate_until (NULL, n_callbacks == 2000);
  g_assert_cmpuint (mwt_pool_get_n_queued (pool), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Mwt/Pool/drain/waits-only-for-earlier-tasks", test_drain_waits_only_for_earlier_tasks);
  g_test_add_func ("/Mwt/Pool/drain/then-close-fails-nothing", test_drain_then_close_fails_nothing);
  g_test_add_func ("/Mwt/Pool/drain/cancel-stops-only-the-wait", test_drain_cancel_stops_only_the_wait);
  g_test_add_func ("/Mwt/Pool/drain/on-idle-and-closed-pools", test_drain_on_idle_and_closed_pools);
  g_test_add_func ("/Mwt/Pool/current/is-the-pool-of-the-calling-thread", test_current_pool);
  g_test_add_func ("/Mwt/Pool/current/workers-post-to-the-pool-context", test_post_to_pool_context);
  g_test_add_func ("/Mwt/Pool/counters/exact-while-tasks-are-held", test_counters_exact_while_held);
  g_test_add_func ("/Mwt/Pool/counters/notify-coalesced-on-the-owner", test_counters_notify_coalesced);
  g_test_add_func ("/Mwt/Pool/resize/grows-and-shrinks", test_resize_grow_and_shrink);
  g_test_add_func ("/Mwt/Pool/resize/failing-init-keeps-the-size", test_resize_failing_init_keeps_the_size);
  g_test_add_func ("/Mwt/Pool/resize/closed-pool-fails", test_resize_closed_pool_fails);
  g_test_add_func ("/Mwt/Pool/resize/loses-no-task", test_resize_loses_no_task);

  return g_test_run ();
}
