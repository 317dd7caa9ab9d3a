/* test-contexts.c: the contexts of submitters and of the pool, and how long
 * the pool holds on to them
 *
 * SPDX-FileCopyrightText: 2026 The mwt authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "test-util.h"

static guint
count_open_fds (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, &error);
  guint n_fds = 0;

  g_assert_no_error (error);
  while (g_dir_read_name (dir) != NULL)
    n_fds++;

  return n_fds;
}

/* Short-lived submitters: a thread pushes a context of its own, submits
 * one task, waits for its callback, and exits. Whatever the pool keeps for
 * such a context (the context, its wake-up descriptor) must go with it:
 * the descriptors after 300 threads are those after 50.
 *
 * A run_async task is released on its own context, in the dispatch that
 * runs its callback. A run_task task is completed by its function, GTask
 * runs the callback, and the pool lets go of the task on the pool's
 * context once the function has returned: the main thread iterates that
 * context, and nothing is left pending on the submitter's.
 */
typedef struct
{
  MwtPool  *pool;
  gboolean  task_form;
  gboolean  done;
  /* Weak: cleared once the task, and the context it holds, is released. */
  GTask    *task;
} OneShot;

static void
one_shot_done (GObject      *source_object,
               GAsyncResult *result,
               gpointer      user_data)
{
  OneShot *shot = user_data;

  if (shot->task_form)
    {
      g_assert_true (g_task_propagate_boolean (G_TASK (result), NULL));
    }
  else
    {
      g_assert_true (mwt_pool_run_finish (MWT_POOL (source_object), result, NULL) == shot);
      shot->task = G_TASK (result);
      g_object_add_weak_pointer (G_OBJECT (result), (gpointer *) &shot->task);
    }
  shot->done = TRUE;
}

static gpointer
submit_once_and_leave (gpointer data)
{
  OneShot *shot = data;
  GMainContext *context = g_main_context_new ();

  g_main_context_push_thread_default (context);

  if (shot->task_form)
    {
      GTask *task = g_task_new (NULL, NULL, one_shot_done, shot);

      shot->task = task;
      g_object_add_weak_pointer (G_OBJECT (task), (gpointer *) &shot->task);
      mwt_pool_run_task (shot->pool, task, test_return_true);
      g_object_unref (task);
      test_iterate_until (context, shot->done);
    }
  else
    {
      mwt_pool_run_async (shot->pool, test_return_func_data, shot, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                          one_shot_done, shot);
      /* Released in the very dispatch that ran the callback. */
      test_iterate_until (context, shot->done);
      g_assert_null (shot->task);
    }

  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);

  return NULL;
}

#define N_WARM_UP_SUBMITTERS 50
#define N_SUBMITTERS 300
#define N_POOL_THREADS 2

static void
submit_from_short_lived_threads (gboolean task_form)
{
  g_autoptr(GError) error = NULL;
  guint n_fds_after_warm_up = 0;
  MwtPool *pool;

  pool = mwt_pool_new (N_POOL_THREADS, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < N_SUBMITTERS; i++)
    {
      OneShot shot = { pool, task_form, FALSE, NULL };

      g_thread_join (g_thread_new ("one-shot", submit_once_and_leave, &shot));
      /* A run_task task goes on the pool's context, which this thread
       * iterates; a run_async one is gone already.
       */
      test_iterate_until (NULL, shot.task == NULL);
      if (i + 1 == N_WARM_UP_SUBMITTERS)
        n_fds_after_warm_up = count_open_fds ();
    }

  /* Each pool thread may still hold the wake-up of the last context it
   * signalled for a moment, whatever the number of submitters.
   */
  g_assert_cmpuint (count_open_fds (), <=, n_fds_after_warm_up + N_POOL_THREADS);

  g_assert_true (mwt_pool_close (pool, NULL, &error));
  g_assert_no_error (error);
  g_object_unref (pool);
}

static void
test_short_lived_run_async_submitters (void)
{
  if (test_ran_in_child ())
    return;

  submit_from_short_lived_threads (FALSE);
}

static void
test_short_lived_run_task_submitters (void)
{
  if (test_ran_in_child ())
    return;

  submit_from_short_lived_threads (TRUE);
}

/* A context that submitted work and is never iterated keeps what the work
 * holds, GIO's rule: the callback, the func_data, and the pool, after the
 * caller dropped its own reference. Iterating it releases them all.
 */
typedef struct
{
  TestCounter ran;
  GThread    *destroyed_on;
  guint       n_destroyed;
} Kept;

static gpointer
signal_ran (gpointer       thread_state,
            gpointer       func_data,
            GCancellable  *cancellable,
            GError       **error)
{
  Kept *kept = func_data;

  test_counter_add (&kept->ran);

  return kept;
}

static void
destroy_kept (gpointer data)
{
  Kept *kept = data;

  kept->destroyed_on = g_thread_self ();
  kept->n_destroyed++;
}

static void
collect_value (GObject      *source_object,
               GAsyncResult *result,
               gpointer      user_data)
{
  gpointer *value = user_data;

  g_assert_null (*value);
  *value = mwt_pool_run_finish (MWT_POOL (source_object), result, NULL);
}

static void
test_never_iterated_context_keeps_pool_and_data (void)
{
  g_autoptr(GError) error = NULL;
  GMainContext *context = g_main_context_new ();
  gpointer value = NULL;
  MwtPool *pool;
  Kept kept = { 0, };

  test_counter_init (&kept.ran);
  pool = mwt_pool_new (1, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_object_add_weak_pointer (G_OBJECT (pool), (gpointer *) &pool);

  g_main_context_push_thread_default (context);
  mwt_pool_run_async (pool, signal_ran, &kept, destroy_kept, NULL, G_PRIORITY_DEFAULT, NULL,
                      collect_value, &value);
  g_main_context_pop_thread_default (context);

  /* The task is done and handed back; the caller lets go of the pool. */
  test_counter_wait_for (&kept.ran, 1);
  test_poll_until (mwt_pool_get_n_busy (pool) == 0);
  g_object_unref (pool);

  /* The pool's own context cannot release them. */
  test_iterate_pending (NULL);
  g_assert_nonnull (pool);
  g_assert_cmpuint (kept.n_destroyed, ==, 0);
  g_assert_null (value);

  test_iterate_until (context, pool == NULL);
  g_assert_true (value == &kept);
  g_assert_cmpuint (kept.n_destroyed, ==, 1);
  g_assert_true (kept.destroyed_on == g_thread_self ());

  g_main_context_unref (context);
  test_counter_clear (&kept.ran);
}

/* The pool holds the last reference to its context, and the last
 * reference to the pool goes inside a dispatch of that very context: the
 * context must outlive its dispatch. The test touches the context only
 * through mwt_pool_get_context(), and not once the pool is gone.
 */
static gboolean
drop_pool (gpointer data)
{
  g_object_unref (data);

  return G_SOURCE_REMOVE;
}

static void
drop_pool_in_callback (GObject      *source_object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  MwtPool *pool = user_data;

  g_assert_true (mwt_pool_run_finish (pool, result, NULL) == pool);
  g_object_unref (pool);
}

static void
pool_holds_last_context_reference (gboolean from_run_callback)
{
  g_autoptr(GError) error = NULL;
  GMainContext *context = g_main_context_new ();
  MwtPool *pool;

  g_main_context_push_thread_default (context);
  pool = mwt_pool_new (1, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_object_add_weak_pointer (G_OBJECT (pool), (gpointer *) &pool);

  /* From a task's callback, the task drops the last reference after it. */
  if (from_run_callback)
    mwt_pool_run_async (pool, test_return_func_data, pool, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                        drop_pool_in_callback, pool);

  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);

  if (!from_run_callback)
    {
      GSource *source = g_idle_source_new ();

      g_source_set_callback (source, drop_pool, pool, NULL);
      g_source_attach (source, mwt_pool_get_context (pool));
      g_source_unref (source);
    }

  context = mwt_pool_get_context (pool);
  while (pool != NULL)
    g_main_context_iteration (context, TRUE);
}

static void
pool_holds_last_context_references (void)
{
  pool_holds_last_context_reference (FALSE);
  pool_holds_last_context_reference (TRUE);
}

static void
test_pool_holds_last_context_reference (void)
{
  if (test_ran_in_child ())
    return;

  pool_holds_last_context_references ();
}

static gpointer
pool_holds_last_context_references_thread (gpointer data)
{
  pool_holds_last_context_references ();

  return NULL;
}

static void
test_pool_holds_last_context_reference_in_thread (void)
{
  if (test_ran_in_child ())
    return;

  g_thread_join (g_thread_new ("pool-owner", pool_holds_last_context_references_thread, NULL));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Mwt/Pool/contexts/short-lived-run-async-submitters-leave-no-descriptors",
                   test_short_lived_run_async_submitters);
  g_test_add_func ("/Mwt/Pool/contexts/short-lived-run-task-submitters-leave-no-descriptors",
                   test_short_lived_run_task_submitters);
  g_test_add_func ("/Mwt/Pool/contexts/never-iterated-keeps-the-pool-and-func-data",
                   test_never_iterated_context_keeps_pool_and_data);
  g_test_add_func ("/Mwt/Pool/contexts/pool-may-hold-the-last-reference-to-its-context",
                   test_pool_holds_last_context_reference);
  g_test_add_func ("/Mwt/Pool/contexts/pool-may-hold-the-last-reference-to-its-context-in-a-thread",
                   test_pool_holds_last_context_reference_in_thread);

  return g_test_run ();
}
