/* test-faults.c: failures on purpose, and the pool keeps its word
 *
 * SPDX-FileCopyrightText: 2026 The mwt authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "test-util.h"

#include <sys/resource.h>

typedef struct
{
  GMutex  mutex;
  guint   n_inits;
  guint   n_ok;
  guint   n_exits;
  guint   fail_at;
  GThread *main_thread;
} Counts;

static gpointer
counted_init (gpointer   user_data,
              GError   **error)
{
  Counts *counts = user_data;
  gboolean fail;

  g_mutex_lock (&counts->mutex);
  fail = ++counts->n_inits == counts->fail_at;
  counts->n_ok += !fail;
  g_mutex_unlock (&counts->mutex);

  if (fail)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE, "this one fails");
      return NULL;
    }

  return g_thread_self ();
}

static void
counted_exit (gpointer thread_state,
              gpointer user_data)
{
  Counts *counts = user_data;

  g_assert_true (thread_state == g_thread_self ());
  g_mutex_lock (&counts->mutex);
  counts->n_exits++;
  g_mutex_unlock (&counts->mutex);
}

/* Any thread's init may fail, in a pool of any size. */
static void
test_init_fails_on_a_random_thread (void)
{
  for (guint round = 0; round < 20; round++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GAsyncResult) result = NULL;
      guint n_threads = g_test_rand_int_range (1, 9);
      Counts counts = { .fail_at = g_test_rand_int_range (1, n_threads + 1) };
      MwtPool *pool;

      g_mutex_init (&counts.mutex);
      if (round % 2 == 0)
        {
          pool = mwt_pool_new (n_threads, counted_init, counted_exit, &counts, NULL, &error);
        }
      else
        {
          mwt_pool_new_async (n_threads, counted_init, counted_exit, &counts, NULL, G_PRIORITY_DEFAULT, NULL,
                              test_store_result, &result);
          test_iterate_until (NULL, result != NULL);
          pool = mwt_pool_new_finish (result, &error);
        }

      g_assert_null (pool);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE);
      g_assert_cmpuint (counts.n_inits, ==, n_threads);
      g_assert_cmpuint (counts.n_exits, ==, counts.n_ok);
      g_assert_cmpuint (counts.n_ok, ==, n_threads - 1);
      g_mutex_clear (&counts.mutex);
    }
}

/* More threads than the system gives: g_thread_try_new() fails once the
 * address space cannot hold another stack.
 */
static void
test_thread_creation_fails (void)
{
#if defined (__SANITIZE_ADDRESS__) || defined (__SANITIZE_THREAD__)
  g_test_skip ("sanitizers reserve more address space than a limit allows");
#else
  if (g_test_subprocess ())
    {
      g_autoptr(GError) error = NULL;
      g_autofree gchar *statm = NULL;
      Counts counts = { 0, };
      struct rlimit limit;
      MwtPool *pool;
      guint64 pages;

      g_assert_true (g_file_get_contents ("/proc/self/statm", &statm, NULL, NULL));
      pages = g_ascii_strtoull (statm, NULL, 10);
      limit.rlim_cur = limit.rlim_max = pages * sysconf (_SC_PAGESIZE) + 64 * 1024 * 1024;
      g_assert_cmpint (setrlimit (RLIMIT_AS, &limit), ==, 0);

      g_mutex_init (&counts.mutex);
      pool = mwt_pool_new (2000, counted_init, counted_exit, &counts, NULL, &error);

      g_assert_null (pool);
      g_assert_error (error, G_THREAD_ERROR, G_THREAD_ERROR_AGAIN);
      g_assert_cmpuint (counts.n_ok, <, 2000);
      g_assert_cmpuint (counts.n_exits, ==, counts.n_ok);
      g_print ("%u threads started, then: %s\n", counts.n_ok, error->message);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("*threads started, then: *");
#endif
}

/* A mwt_pool_run_task() function that forgets to complete its task: the
 * task's callback never runs (as with g_task_run_in_thread()), the pool
 * drops its reference on its own context and goes on working.
 */
static void
forget_to_return (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable,
                  gpointer      thread_state)
{
}

static void
never_called (GObject      *source_object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_assert_not_reached ();
}

static void
record_finalize_thread (gpointer  data,
                        GObject  *where_the_object_was)
{
  *(GThread **) data = g_thread_self ();
}


static void
test_task_never_completed (void)
{
  g_autoptr(MwtPool) pool = mwt_pool_new (1, NULL, NULL, NULL, NULL, NULL);
  g_autoptr(GAsyncResult) result = NULL;
  GThread *finalized_on = NULL;
  GTask *task = g_task_new (NULL, NULL, never_called, NULL);

  g_object_weak_ref (G_OBJECT (task), record_finalize_thread, &finalized_on);
  mwt_pool_run_task (pool, task, forget_to_return);
  g_object_unref (task);
  test_iterate_until (NULL, finalized_on != NULL);
  g_assert_true (finalized_on == g_thread_self ());

  mwt_pool_run_async (pool, test_return_func_data, pool, NULL, NULL, G_PRIORITY_DEFAULT, NULL, test_store_result, &result);
  test_iterate_until (NULL, result != NULL);
  g_assert_true (mwt_pool_run_finish (pool, result, NULL) == pool);
}

/* The owner drops its reference to its context while tasks are in flight:
 * the pool keeps the context, and nothing is lost.
 */
typedef struct
{
  GThread *thread;
  guint    n_callbacks;
} Owner;

static void
owner_callback (GObject      *source_object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Owner *owner = user_data;

  g_assert_true (g_thread_self () == owner->thread);
  g_assert_true (g_task_propagate_pointer (G_TASK (result), NULL) == owner);
  owner->n_callbacks++;
}

static gpointer
owner_side (gpointer   user_data,
            GError   **error)
{
  Owner *owner = user_data;

  g_assert_true (g_thread_self () == owner->thread);
  return owner;
}

static gpointer
call_owner (gpointer       thread_state,
            gpointer       func_data,
            GCancellable  *cancellable,
            GError       **error)
{
  return mwt_run_in_main (owner_side, func_data, error);
}


static gpointer
owner_main (gpointer data)
{
  Owner owner = { g_thread_self (), 0 };
  GMainContext *context = g_main_context_new ();
  MwtPool *pool;

  g_main_context_push_thread_default (context);
  pool = mwt_pool_new (2, NULL, NULL, NULL, NULL, NULL);

  for (guint i = 0; i < 30; i++)
    {
      g_autoptr(GTask) task = g_task_new (NULL, NULL, owner_callback, &owner);

      g_task_set_task_data (task, &owner, NULL);
      mwt_pool_run_task (pool, task, test_return_task_data);
      mwt_pool_run_async (pool, test_return_func_data, &owner, NULL, NULL, G_PRIORITY_DEFAULT, NULL, owner_callback, &owner);
      mwt_pool_run_async (pool, call_owner, &owner, NULL, NULL, G_PRIORITY_DEFAULT, NULL, owner_callback, &owner);
    }

  /* Only the thread-default stack and the pool hold the context now. */
  g_main_context_unref (context);
  test_iterate_until (g_main_context_get_thread_default (), owner.n_callbacks == 90);

  g_object_unref (pool);
  g_main_context_pop_thread_default (g_main_context_get_thread_default ());

  return NULL;
}

static void
test_owner_drops_its_context (void)
{
  g_thread_join (g_thread_new ("owner", owner_main, NULL));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Mwt/Faults/init-fails-on-a-random-thread", test_init_fails_on_a_random_thread);
  g_test_add_func ("/Mwt/Faults/thread-creation-fails", test_thread_creation_fails);
  g_test_add_func ("/Mwt/Faults/task-never-completed-leaves-the-pool-working", test_task_never_completed);
  g_test_add_func ("/Mwt/Faults/owner-drops-its-context-in-flight", test_owner_drops_its_context);

  return g_test_run ();
}
