/* test-post.c: mwt_run_in_main_dont_wait(), posting to the main context
 * without waiting
 *
 * SPDX-FileCopyrightText: 2026 The mwt authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "test-util.h"

#define N_POSTS 1000

static GThread *main_thread;

/* Posts that count how often they ran and were freed. */
typedef struct
{
  gint n_run;
  gint n_freed;
} Tally;

static void
tally_run (gpointer data)
{
  Tally *tally = data;

  g_assert_true (g_thread_self () == main_thread);
  /* Freed after it ran, never before. */
  g_assert_cmpint (g_atomic_int_get (&tally->n_run), ==, g_atomic_int_get (&tally->n_freed));
  g_atomic_int_inc (&tally->n_run);
}

static void
tally_free (gpointer data)
{
  Tally *tally = data;

  g_assert_true (g_thread_self () == main_thread);
  g_atomic_int_inc (&tally->n_freed);
}

static void
post_tally (Tally *tally)
{
  mwt_run_in_main_dont_wait (tally_run, tally, tally_free);
}

/* A stream of numbered posts from one task, checked on the main thread:
 * they come in order, all of them before the task's callback.
 */
typedef struct
{
  guint    next;
  gboolean done;
} Stream;

typedef struct
{
  Stream *stream;
  guint   number;
} Post;

static void
check_post (gpointer data)
{
  Post *post = data;

  g_assert_true (g_thread_self () == main_thread);
  g_assert_false (post->stream->done);
  g_assert_cmpuint (post->number, ==, post->stream->next);
  post->stream->next++;
}

static gpointer
post_stream (gpointer       thread_state,
             gpointer       func_data,
             GCancellable  *cancellable,
             GError       **error)
{
  Stream *stream = func_data;

  for (guint i = 0; i < N_POSTS; i++)
    {
      Post *post = g_new (Post, 1);

      post->stream = stream;
      post->number = i;
      mwt_run_in_main_dont_wait (check_post, post, g_free);
    }

  return stream;
}

static void
stream_done (GObject      *source_object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  Stream *stream = mwt_pool_run_finish (MWT_POOL (source_object), result, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (stream->next, ==, N_POSTS);
  stream->done = TRUE;
}

typedef struct
{
  Stream   streams[4];
  gboolean drained;
} Streams;

static void
drained (GObject      *source_object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Streams *streams = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (mwt_pool_drain_finish (MWT_POOL (source_object), result, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (streams->streams); i++)
    g_assert_true (streams->streams[i].done);
  streams->drained = TRUE;
}

static void
test_in_order_before_callbacks_and_drain (void)
{
  g_autoptr(MwtPool) pool = NULL;
  g_autoptr(GError) error = NULL;
  Streams streams = { 0, };

  if (test_ran_in_child ())
    return;

  /* Four streams on two threads. */
  pool = mwt_pool_new (2, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (streams.streams); i++)
    mwt_pool_run_async (pool, post_stream, &streams.streams[i], NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                        stream_done, NULL);
  mwt_pool_drain_async (pool, G_PRIORITY_DEFAULT, NULL, drained, &streams);

  test_iterate_until (NULL, streams.drained);
}

/* Posts made after the pool was closed, by a task that the close waits
 * for and by the exit function, run before the close callback.
 */
typedef struct
{
  TestGate gate;
  Tally    tally;
} Gated;

static gpointer
post_after_gate (gpointer       thread_state,
                 gpointer       func_data,
                 GCancellable  *cancellable,
                 GError       **error)
{
  Gated *gated = func_data;

  test_gate_pass (&gated->gate);
  g_assert_true (mwt_pool_is_closed (mwt_pool_get_current ()));
  post_tally (&gated->tally);

  return NULL;
}

static void
post_at_exit (gpointer thread_state,
              gpointer user_data)
{
  post_tally (user_data);
}

static void
closed (GObject      *source_object,
        GAsyncResult *result,
        gpointer      user_data)
{
  Tally *tally = user_data;

  g_assert_true (mwt_pool_close_finish (MWT_POOL (source_object), result, NULL));
  /* The task's post and the exit function's. */
  g_assert_cmpint (g_atomic_int_get (&tally->n_run), ==, 2);
  g_atomic_int_inc (&tally->n_run);
}

static void
test_after_close_before_close_callback (void)
{
  g_autoptr(MwtPool) pool = NULL;
  g_autoptr(GError) error = NULL;
  Gated gated = { 0, };

  if (test_ran_in_child ())
    return;

  test_gate_init (&gated.gate);
  pool = mwt_pool_new (1, NULL, post_at_exit, &gated.tally, NULL, &error);
  g_assert_no_error (error);

  mwt_pool_run_async (pool, post_after_gate, &gated, NULL, NULL, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
  test_gate_wait_for (&gated.gate, 1);
  mwt_pool_close_async (pool, G_PRIORITY_DEFAULT, NULL, closed, &gated.tally);
  test_gate_open (&gated.gate);

  test_iterate_until (NULL, g_atomic_int_get (&gated.tally.n_run) == 3);
  g_assert_cmpint (g_atomic_int_get (&gated.tally.n_freed), ==, 2);
  test_gate_clear (&gated.gate);
}

/* Posts made by the init and exit functions of a pool that is gone by the
 * time its context is iterated: they wait for it, and run.
 */
static gpointer
post_at_init (gpointer   user_data,
              GError   **error)
{
  post_tally (user_data);

  return NULL;
}

static void
test_after_the_pool_is_gone (void)
{
  MwtPool *pool;
  Tally tally = { 0, };
  g_autoptr(GError) error = NULL;

  if (test_ran_in_child ())
    return;

  pool = mwt_pool_new (3, post_at_init, post_at_exit, &tally, NULL, &error);
  g_assert_no_error (error);
  g_object_unref (pool);

  /* Neither creating nor finalizing the pool dispatched them. */
  g_assert_cmpint (g_atomic_int_get (&tally.n_run), ==, 0);
  test_iterate_until (NULL, g_atomic_int_get (&tally.n_freed) == 6);
  g_assert_cmpint (g_atomic_int_get (&tally.n_run), ==, 6);
}

/* A context finalized with posts pending drops them: their destroy
 * notify runs on the thread that finalizes it, and never their function.
 * To get there, the pool's context must have delivered everything else
 * (a pending notice keeps it alive) before the posts come: the exit
 * function posts once the close was announced.
 */
static void
post_at_exit_after_gate (gpointer thread_state,
                         gpointer user_data)
{
  Gated *gated = user_data;

  test_gate_pass (&gated->gate);
  for (guint i = 0; i < N_POSTS; i++)
    post_tally (&gated->tally);
}

static void
test_context_finalized_first_drops_posts (void)
{
  GMainContext *context = g_main_context_new ();
  g_autoptr(GError) error = NULL;
  Gated gated = { 0, };
  MwtPool *pool;

  if (test_ran_in_child ())
    return;

  test_gate_init (&gated.gate);
  g_main_context_push_thread_default (context);
  pool = mwt_pool_new (1, NULL, post_at_exit_after_gate, &gated, NULL, &error);
  g_assert_no_error (error);

  mwt_pool_close_async (pool, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
  test_gate_wait_for (&gated.gate, 1);
  test_iterate_pending (context);
  test_gate_open (&gated.gate);
  g_object_unref (pool);
  g_main_context_pop_thread_default (context);

  g_assert_cmpint (g_atomic_int_get (&gated.tally.n_freed), ==, 0);
  g_main_context_unref (context);
  g_assert_cmpint (g_atomic_int_get (&gated.tally.n_freed), ==, N_POSTS);
  g_assert_cmpint (g_atomic_int_get (&gated.tally.n_run), ==, 0);
  test_gate_clear (&gated.gate);
}

/* From a thread of no pool, posts go to the global default context, in
 * order.
 */
static gpointer
post_stream_from_plain_thread (gpointer data)
{
  return post_stream (NULL, data, NULL, NULL);
}

static void
test_from_another_thread (void)
{
  Stream stream = { 0, };
  GThread *thread;

  if (test_ran_in_child ())
    return;

  thread = g_thread_new ("plain", post_stream_from_plain_thread, &stream);
  test_iterate_until (NULL, stream.next == N_POSTS);
  g_thread_join (thread);
}

/* On the thread that owns the default context, a post waits for a
 * dispatch of that context, whatever the thread-default context is.
 */
static void
test_on_the_owner_waits_for_a_dispatch (void)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  Tally tally = { 0, };

  if (test_ran_in_child ())
    return;

  g_assert_true (g_main_context_acquire (NULL));
  g_main_context_push_thread_default (context);

  post_tally (&tally);
  g_assert_cmpint (g_atomic_int_get (&tally.n_run), ==, 0);
  test_iterate_pending (context);
  g_assert_cmpint (g_atomic_int_get (&tally.n_run), ==, 0);

  g_main_context_pop_thread_default (context);
  test_iterate_until (NULL, g_atomic_int_get (&tally.n_freed) == 1);
  g_assert_cmpint (g_atomic_int_get (&tally.n_run), ==, 1);
  g_main_context_release (NULL);
}

/* The form for bindings: a GClosure, invoked on the main context and
 * released there.
 */
static void
count_closure_call (gpointer data)
{
  g_assert_true (g_thread_self () == main_thread);
  g_atomic_int_inc (&((Tally *) data)->n_run);
}

static void
count_closure_release (gpointer  data,
                       GClosure *closure)
{
  g_assert_true (g_thread_self () == main_thread);
  g_atomic_int_inc (&((Tally *) data)->n_freed);
}

static gpointer
post_closure (gpointer       thread_state,
              gpointer       func_data,
              GCancellable  *cancellable,
              GError       **error)
{
  mwt_run_in_main_dont_wait_closure (g_cclosure_new (G_CALLBACK (count_closure_call), func_data,
                                                     count_closure_release));
  return NULL;
}

static void
test_a_closure_runs_and_is_released_on_the_main_context (void)
{
  g_autoptr(MwtPool) pool = NULL;
  Tally tally = { 0, };

  if (test_ran_in_child ())
    return;

  pool = mwt_pool_new (2, NULL, NULL, NULL, NULL, NULL);
  for (guint i = 0; i < 10; i++)
    mwt_pool_run_async (pool, post_closure, &tally, NULL, NULL, G_PRIORITY_DEFAULT, NULL, NULL, NULL);

  test_iterate_until (NULL, g_atomic_int_get (&tally.n_freed) == 10);
  g_assert_cmpint (g_atomic_int_get (&tally.n_run), ==, 10);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  main_thread = g_thread_self ();

  g_test_add_func ("/Mwt/RunInMainDontWait/runs-each-tasks-posts-in-order-before-its-callback-and-a-drain",
                   test_in_order_before_callbacks_and_drain);
  g_test_add_func ("/Mwt/RunInMainDontWait/posts-after-close-run-before-the-close-callback",
                   test_after_close_before_close_callback);
  g_test_add_func ("/Mwt/RunInMainDontWait/posts-of-a-pool-that-is-gone-still-run",
                   test_after_the_pool_is_gone);
  g_test_add_func ("/Mwt/RunInMainDontWait/a-context-finalized-first-drops-posts-with-their-notify",
                   test_context_finalized_first_drops_posts);
  g_test_add_func ("/Mwt/RunInMainDontWait/from-another-thread-runs-in-order-on-the-default-context",
                   test_from_another_thread);
  g_test_add_func ("/Mwt/RunInMainDontWait/a-closure-runs-and-is-released-on-the-main-context",
                   test_a_closure_runs_and_is_released_on_the_main_context);
  g_test_add_func ("/Mwt/RunInMainDontWait/on-the-owner-of-the-default-context-waits-for-a-dispatch",
                   test_on_the_owner_waits_for_a_dispatch);

  return g_test_run ();
}
