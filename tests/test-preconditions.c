/* test-preconditions.c: programmer errors get a critical, never a crash
 *
 * SPDX-FileCopyrightText: 2026 The mwt authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "test-util.h"



/* A result that belongs to the pool but to none of its operations. */
static GAsyncResult *
foreign_result (MwtPool *pool)
{
  GTask *task = g_task_new (pool, NULL, NULL, NULL);

  g_task_return_boolean (task, TRUE);
  return G_ASYNC_RESULT (task);
}

static MwtPool *
new_pool (void)
{
  return mwt_pool_new (1, NULL, NULL, NULL, NULL, NULL);
}

static void new_without_threads (void) { g_assert_null (mwt_pool_new (0, NULL, NULL, NULL, NULL, NULL)); }
static void new_async_without_threads (void) { mwt_pool_new_async (0, NULL, NULL, NULL, NULL, G_PRIORITY_DEFAULT, NULL, NULL, NULL); }
static void new_finish_without_result (void) { g_assert_null (mwt_pool_new_finish (NULL, NULL)); }
static void new_with_set_error (void)
{
  GError *error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "already set");

  g_assert_null (mwt_pool_new (1, NULL, NULL, NULL, NULL, &error));
}
static void get_n_threads_without_pool (void) { g_assert_cmpuint (mwt_pool_get_n_threads (NULL), ==, 0); }
static void set_n_threads_to_zero (void) { g_assert_false (mwt_pool_set_n_threads (new_pool (), 0, NULL)); }
static void is_closed_without_pool (void) { g_assert_false (mwt_pool_is_closed (NULL)); }
static void get_n_busy_without_pool (void) { g_assert_cmpuint (mwt_pool_get_n_busy (NULL), ==, 0); }
static void get_n_queued_without_pool (void) { g_assert_cmpuint (mwt_pool_get_n_queued (NULL), ==, 0); }
static void get_context_without_pool (void) { g_assert_null (mwt_pool_get_context (NULL)); }
static void run_task_without_pool (void)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, NULL, NULL);

  mwt_pool_run_task (NULL, task, test_return_true);
}
static void run_task_without_task (void) { mwt_pool_run_task (new_pool (), NULL, test_return_true); }
static void run_task_without_func (void)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, NULL, NULL);

  mwt_pool_run_task (new_pool (), task, NULL);
}
static void run_async_without_pool (void) { mwt_pool_run_async (NULL, test_return_func_data, NULL, NULL, NULL, G_PRIORITY_DEFAULT, NULL, NULL, NULL); }
static void run_async_without_func (void) { mwt_pool_run_async (new_pool (), NULL, NULL, NULL, NULL, G_PRIORITY_DEFAULT, NULL, NULL, NULL); }
static void run_finish_with_foreign_result (void)
{
  MwtPool *pool = new_pool ();

  g_assert_null (mwt_pool_run_finish (pool, foreign_result (pool), NULL));
}
static void run_finish_with_other_pools_result (void)
{
  MwtPool *pool = new_pool ();

  g_assert_null (mwt_pool_run_finish (new_pool (), foreign_result (pool), NULL));
}
/* Results of other operations of a pool, for mwt_pool_new_finish(). */
static GAsyncResult *
run_result (MwtPool *pool)
{
  GAsyncResult *result = NULL;

  mwt_pool_run_async (pool, test_return_func_data, NULL, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                      test_store_result, &result);
  test_iterate_until (NULL, result != NULL);

  return result;
}

static GAsyncResult *
close_result (MwtPool *pool)
{
  GAsyncResult *result = NULL;

  mwt_pool_close_async (pool, G_PRIORITY_DEFAULT, NULL, test_store_result, &result);
  test_iterate_until (NULL, result != NULL);

  return result;
}

static void new_finish_with_run_result (void) { g_assert_null (mwt_pool_new_finish (run_result (new_pool ()), NULL)); }
static void new_finish_with_close_result (void) { g_assert_null (mwt_pool_new_finish (close_result (new_pool ()), NULL)); }
static void drain_async_without_pool (void) { mwt_pool_drain_async (NULL, G_PRIORITY_DEFAULT, NULL, NULL, NULL); }
static void drain_finish_with_foreign_result (void)
{
  MwtPool *pool = new_pool ();

  g_assert_false (mwt_pool_drain_finish (pool, foreign_result (pool), NULL));
}
static void close_async_without_pool (void) { mwt_pool_close_async (NULL, G_PRIORITY_DEFAULT, NULL, NULL, NULL); }
static void close_finish_with_foreign_result (void)
{
  MwtPool *pool = new_pool ();

  g_assert_false (mwt_pool_close_finish (pool, foreign_result (pool), NULL));
}
static void close_without_pool (void) { g_assert_false (mwt_pool_close (NULL, NULL, NULL)); }
/* Made with g_object_new() and never initialized: no thread would ever
 * run what it is given.
 */
static MwtPool *
uninitialized_pool (void)
{
  return g_object_new (MWT_TYPE_POOL, NULL);
}
static void run_async_on_uninitialized_pool (void) { mwt_pool_run_async (uninitialized_pool (), test_return_func_data, NULL, NULL, NULL, G_PRIORITY_DEFAULT, NULL, NULL, NULL); }
static void run_sync_on_uninitialized_pool (void) { g_assert_null (mwt_pool_run_sync (uninitialized_pool (), test_return_func_data, NULL, NULL, G_PRIORITY_DEFAULT, NULL, NULL)); }
static void run_task_on_uninitialized_pool (void)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, NULL, NULL);

  mwt_pool_run_task (uninitialized_pool (), task, test_return_true);
}
static void drain_on_uninitialized_pool (void) { g_assert_false (mwt_pool_drain (uninitialized_pool (), NULL, NULL)); }
static void set_n_threads_on_uninitialized_pool (void) { g_assert_false (mwt_pool_set_n_threads (uninitialized_pool (), 2, NULL)); }
static void push_without_runner (void) { mwt_pool_push (new_pool (), NULL, NULL, G_PRIORITY_DEFAULT, NULL); }
static void push_sync_without_runner (void) { g_assert_false (mwt_pool_push_sync (new_pool (), NULL, NULL, G_PRIORITY_DEFAULT, NULL, NULL)); }
static void runner_without_func (void) { g_assert_null (mwt_runner_new (MWT_RUNNER_DEFAULT, NULL, NULL, NULL, NULL, NULL, NULL)); }
static void drain_without_pool (void) { g_assert_false (mwt_pool_drain (NULL, NULL, NULL)); }
static void run_in_main_without_func (void) { g_assert_null (mwt_run_in_main (NULL, NULL, NULL)); }
static void run_in_main_task_without_func (void) { g_assert_null (mwt_run_in_main_task (NULL, NULL, NULL)); }
static void run_in_main_dont_wait_without_func (void) { mwt_run_in_main_dont_wait (NULL, NULL, NULL); }

typedef struct
{
  const gchar *path;
  void       (*call) (void);
  const gchar *stderr_pattern;
} Case;

static const Case cases[] = {
  { "new-needs-a-thread", new_without_threads, "*CRITICAL*mwt_pool_new*n_threads >= 1*" },
  { "new-async-needs-a-thread", new_async_without_threads, "*CRITICAL*mwt_pool_new_async*n_threads >= 1*" },
  { "new-finish-needs-a-result", new_finish_without_result, "*CRITICAL*mwt_pool_new_finish*G_IS_TASK*" },
  { "new-finish-rejects-a-run-result", new_finish_with_run_result, "*CRITICAL*mwt_pool_new_finish*" },
  { "new-finish-rejects-a-close-result", new_finish_with_close_result, "*CRITICAL*mwt_pool_new_finish*" },
  { "new-needs-an-unset-error", new_with_set_error, "*CRITICAL*mwt_pool_new*error == NULL*" },
  { "get-n-threads-needs-a-pool", get_n_threads_without_pool, "*CRITICAL*mwt_pool_get_n_threads*MWT_IS_POOL*" },
  { "set-n-threads-needs-a-thread", set_n_threads_to_zero, "*CRITICAL*mwt_pool_set_n_threads*n_threads >= 1*" },
  { "is-closed-needs-a-pool", is_closed_without_pool, "*CRITICAL*mwt_pool_is_closed*MWT_IS_POOL*" },
  { "get-n-busy-needs-a-pool", get_n_busy_without_pool, "*CRITICAL*mwt_pool_get_n_busy*MWT_IS_POOL*" },
  { "get-n-queued-needs-a-pool", get_n_queued_without_pool, "*CRITICAL*mwt_pool_get_n_queued*MWT_IS_POOL*" },
  { "get-context-needs-a-pool", get_context_without_pool, "*CRITICAL*mwt_pool_get_context*MWT_IS_POOL*" },
  { "run-task-needs-a-pool", run_task_without_pool, "*CRITICAL*mwt_pool_run_task*MWT_IS_POOL*" },
  { "run-task-needs-a-task", run_task_without_task, "*CRITICAL*mwt_pool_run_task*G_IS_TASK*" },
  { "run-task-needs-a-func", run_task_without_func, "*CRITICAL*mwt_pool_run_task*func != NULL*" },
  { "run-async-needs-a-pool", run_async_without_pool, "*CRITICAL*mwt_pool_run_async*MWT_IS_POOL*" },
  { "run-async-needs-a-func", run_async_without_func, "*CRITICAL*mwt_pool_run_async*func != NULL*" },
  { "run-finish-needs-its-own-result", run_finish_with_foreign_result, "*CRITICAL*mwt_pool_run_finish*source_tag*" },
  { "run-finish-needs-the-same-pool", run_finish_with_other_pools_result, "*CRITICAL*mwt_pool_run_finish*g_task_is_valid*" },
  { "drain-async-needs-a-pool", drain_async_without_pool, "*CRITICAL*mwt_pool_drain_async*MWT_IS_POOL*" },
  { "drain-finish-needs-its-own-result", drain_finish_with_foreign_result, "*CRITICAL*mwt_pool_drain_finish*source_tag*" },
  { "close-async-needs-a-pool", close_async_without_pool, "*CRITICAL*mwt_pool_close_async*MWT_IS_POOL*" },
  { "close-finish-needs-its-own-result", close_finish_with_foreign_result, "*CRITICAL*mwt_pool_close_finish*source_tag*" },
  { "close-needs-a-pool", close_without_pool, "*CRITICAL*mwt_pool_close*MWT_IS_POOL*" },
  { "run-async-needs-an-initialized-pool", run_async_on_uninitialized_pool, "*CRITICAL*mwt_pool_run_async*mwt_pool_is_initialized*" },
  { "run-sync-needs-an-initialized-pool", run_sync_on_uninitialized_pool, "*CRITICAL*mwt_pool_run_sync*mwt_pool_is_initialized*" },
  { "run-task-needs-an-initialized-pool", run_task_on_uninitialized_pool, "*CRITICAL*mwt_pool_run_task*mwt_pool_is_initialized*" },
  { "drain-needs-an-initialized-pool", drain_on_uninitialized_pool, "*CRITICAL*mwt_pool_drain*mwt_pool_is_initialized*" },
  { "set-n-threads-needs-an-initialized-pool", set_n_threads_on_uninitialized_pool, "*CRITICAL*mwt_pool_set_n_threads*mwt_pool_is_initialized*" },
  { "drain-needs-a-pool", drain_without_pool, "*CRITICAL*mwt_pool_drain*MWT_IS_POOL*" },
  { "push-needs-a-runner", push_without_runner, "*CRITICAL*mwt_pool_push*MWT_IS_RUNNER*" },
  { "push-sync-needs-a-runner", push_sync_without_runner, "*CRITICAL*mwt_pool_push_sync*MWT_IS_RUNNER*" },
  { "runner-needs-a-func", runner_without_func, "*CRITICAL*mwt_runner_new*func != NULL*" },
  { "run-in-main-needs-a-func", run_in_main_without_func, "*CRITICAL*mwt_run_in_main*func != NULL*" },
  { "run-in-main-task-needs-a-func", run_in_main_task_without_func, "*CRITICAL*mwt_run_in_main_task*func != NULL*" },
  { "run-in-main-dont-wait-needs-a-func", run_in_main_dont_wait_without_func,
    "*CRITICAL*mwt_run_in_main_dont_wait*func != NULL*" },
};

static void
test_precondition (gconstpointer data)
{
  const Case *test_case = data;

  if (g_test_subprocess ())
    {
      test_case->call ();
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr (test_case->stderr_pattern);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree gchar *path = g_strconcat ("/Mwt/Preconditions/", cases[i].path, NULL);

      g_test_add_data_func (path, &cases[i], test_precondition);
    }

  return g_test_run ();
}
