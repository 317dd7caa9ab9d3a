/* test-run-in-main.c: calling back into the main context
 *
 * SPDX-FileCopyrightText: 2026 The mwt authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "test-util.h"

static GThread *main_thread;

static gpointer
on_main_thread (gpointer   user_data,
                GError   **error)
{
  g_assert_true (g_thread_self () == main_thread);

  if (user_data == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED, "no");
      return NULL;
    }

  return g_strdup (user_data);
}

static gboolean
return_later (gpointer data)
{
  GTask *task = data;
  const gchar *value = g_task_get_task_data (task);

  g_assert_true (g_thread_self () == main_thread);
  if (value != NULL)
    g_task_return_pointer (task, g_strdup (value), g_free);
  else
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED, "no");

  return G_SOURCE_REMOVE;
}

/* Completes the task from a later main loop iteration. */
static void
on_main_thread_later (GTask    *task,
                      gpointer  user_data)
{
  GSource *source = g_idle_source_new ();

  g_assert_true (g_thread_self () == main_thread);
  g_task_set_task_data (task, user_data, NULL);
  g_source_set_callback (source, return_later, g_object_ref (task), g_object_unref);
  g_source_attach (source, g_main_context_get_thread_default ());
  g_source_unref (source);
}

typedef struct
{
  gboolean     task_form;
  const gchar *value;
  TestGate    *gate;
} Call;

static gpointer
call_main_from_worker (gpointer       thread_state,
                       gpointer       func_data,
                       GCancellable  *cancellable,
                       GError       **error)
{
  Call *call = func_data;

  g_assert_true (g_thread_self () != main_thread);

  if (call->gate != NULL)
    test_gate_pass (call->gate);

  if (call->task_form)
    return mwt_run_in_main_task (on_main_thread_later, (gpointer) call->value, error);

  return mwt_run_in_main (on_main_thread, (gpointer) call->value, error);
}

static gchar *
run_call (MwtPool  *pool,
          Call     *call,
          GError  **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  mwt_pool_run_async (pool, call_main_from_worker, call, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                      test_store_result, &result);
  test_iterate_until (NULL, result != NULL);

  return mwt_pool_run_finish (pool, result, error);
}

static void
test_from_worker (void)
{
  g_autoptr(MwtPool) pool = mwt_pool_new (2, NULL, NULL, NULL, NULL, NULL);

  for (guint task_form = 0; task_form < 2; task_form++)
    {
      Call call = { task_form, "hello", NULL };
      Call failing = { task_form, NULL, NULL };
      g_autoptr(GError) error = NULL;
      g_autofree gchar *result = NULL;

      result = run_call (pool, &call, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (result, ==, "hello");

      g_assert_null (run_call (pool, &failing, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
    }
}

/* Between two iterations nobody owns the context; the call must still run
 * on the iterating thread, never on the worker.
 */
static void
test_from_worker_between_iterations (void)
{
  g_autoptr(MwtPool) pool = mwt_pool_new (2, NULL, NULL, NULL, NULL, NULL);
  Call call = { FALSE, "x", NULL };
  guint n_done = 0;

  for (guint i = 0; i < 200; i++)
    {
      GAsyncResult *result = NULL;

      mwt_pool_run_async (pool, call_main_from_worker, &call, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                          test_store_result, &result);
      while (result == NULL)
        g_main_context_iteration (NULL, FALSE);
      g_free (mwt_pool_run_finish (pool, result, NULL));
      g_object_unref (result);
      n_done++;
    }

  g_assert_cmpuint (n_done, ==, 200);
}

typedef struct
{
  GMainContext *context;
  GThread      *thread;
} OwnContext;

static gpointer
on_own_context (gpointer   user_data,
                GError   **error)
{
  OwnContext *own = user_data;

  g_assert_true (g_thread_self () == own->thread);
  g_assert_true (g_main_context_is_owner (own->context));

  return own;
}

static gpointer
call_own_context (gpointer       thread_state,
                  gpointer       func_data,
                  GCancellable  *cancellable,
                  GError       **error)
{
  return mwt_run_in_main (on_own_context, func_data, error);
}

static gpointer
pool_on_own_context (gpointer data)
{
  OwnContext own = { g_main_context_new (), g_thread_self () };
  g_autoptr(GAsyncResult) result = NULL;
  MwtPool *pool;

  g_main_context_push_thread_default (own.context);
  pool = mwt_pool_new (1, NULL, NULL, NULL, NULL, NULL);
  g_assert_true (mwt_pool_get_context (pool) == own.context);

  mwt_pool_run_async (pool, call_own_context, &own, NULL, NULL, G_PRIORITY_DEFAULT, NULL, test_store_result, &result);
  test_iterate_until (own.context, result != NULL);
  g_assert_true (mwt_pool_run_finish (pool, result, NULL) == &own);

  g_object_unref (pool);
  g_main_context_pop_thread_default (own.context);
  g_main_context_unref (own.context);

  return NULL;
}

static void
test_targets_pool_context (void)
{
  g_thread_join (g_thread_new ("pool-owner", pool_on_own_context, NULL));
}

static void
test_outside_pool_on_owner_runs_at_once (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *result = NULL;
  g_autofree gchar *later = NULL;

  /* The main thread can acquire the default context: no hand-off. */
  result = mwt_run_in_main (on_main_thread, "now", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (result, ==, "now");

  /* The task form iterates the context until the task is complete. */
  later = mwt_run_in_main_task (on_main_thread_later, "later", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (later, ==, "later");
}

static gpointer
call_from_plain_thread (gpointer data)
{
  gboolean *done = data;
  g_autofree gchar *result = NULL;
  g_autofree gchar *later = NULL;

  result = mwt_run_in_main (on_main_thread, "plain", NULL);
  g_assert_cmpstr (result, ==, "plain");
  later = mwt_run_in_main_task (on_main_thread_later, "plain later", NULL);
  g_assert_cmpstr (later, ==, "plain later");

  g_atomic_int_set (done, TRUE);
  g_main_context_wakeup (NULL);

  return NULL;
}

static void
test_outside_pool_from_other_thread (void)
{
  gboolean done = FALSE;
  GThread *thread;

  g_assert_true (g_main_context_acquire (NULL));
  thread = g_thread_new ("plain", call_from_plain_thread, &done);
  test_iterate_until (NULL, g_atomic_int_get (&done));
  g_thread_join (thread);
  g_main_context_release (NULL);
}

/* mwt_pool_close() on the owning thread while a worker waits in
 * mwt_run_in_main(): the closing thread serves the call.
 */
static void
test_blocking_close_serves_calls (void)
{
  for (guint task_form = 0; task_form < 2; task_form++)
    for (guint i = 0; i < 20; i++)
      {
        MwtPool *pool = mwt_pool_new (2, NULL, NULL, NULL, NULL, NULL);
        g_autoptr(GAsyncResult) result = NULL;
        g_autofree gchar *value = NULL;
        TestGate gate;
        Call call = { task_form, "served", &gate };

        test_gate_init (&gate);
        mwt_pool_run_async (pool, call_main_from_worker, &call, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                            test_store_result, &result);
        test_gate_wait_for (&gate, 1);
        test_gate_open (&gate);

        g_assert_true (mwt_pool_close (pool, NULL, NULL));

        test_iterate_until (NULL, result != NULL);
        value = mwt_pool_run_finish (pool, result, NULL);
        g_assert_cmpstr (value, ==, "served");
        g_object_unref (pool);
        test_gate_clear (&gate);
      }
}

static gpointer
init_calls_main (gpointer   user_data,
                 GError   **error)
{
  return mwt_run_in_main (on_main_thread, "from init", error);
}

static void
free_state (gpointer thread_state,
            gpointer user_data)
{
  g_assert_cmpstr (thread_state, ==, "from init");
  g_free (thread_state);
}

static void
test_blocking_new_serves_init_calls (void)
{
  g_autoptr(GError) error = NULL;
  MwtPool *pool;

  pool = mwt_pool_new (3, init_calls_main, free_state, NULL, NULL, &error);
  g_assert_no_error (error);
  g_object_unref (pool);
}

/* A task of pool A pushes a context of its own and creates pool B there
 * with the blocking constructor: the creator owns B's context, so it runs
 * the calls of B's init itself, as mwt_pool_new() promises.
 */
typedef struct
{
  GMainContext *context;
  GThread      *creator;
} OwnCreator;

static gpointer
return_current_thread (gpointer   user_data,
                       GError   **error)
{
  return g_thread_self ();
}

static gpointer
init_calls_creators_context (gpointer   user_data,
                             GError   **error)
{
  OwnCreator *creator = user_data;
  GThread *served_on = mwt_run_in_main (return_current_thread, NULL, error);

  g_assert_true (served_on == creator->creator);

  return NULL;
}

static gpointer
create_pool_on_own_context (gpointer       thread_state,
                            gpointer       func_data,
                            GCancellable  *cancellable,
                            GError       **error)
{
  OwnCreator creator = { g_main_context_new (), g_thread_self () };
  MwtPool *created;

  g_main_context_push_thread_default (creator.context);
  created = mwt_pool_new (2, init_calls_creators_context, NULL, &creator, NULL, error);
  if (created != NULL)
    {
      g_assert_true (mwt_pool_get_context (created) == creator.context);
      g_object_unref (created);
    }
  g_main_context_pop_thread_default (creator.context);
  g_main_context_unref (creator.context);

  return created != NULL ? "created" : NULL;
}

static void
test_blocking_new_on_a_worker_serves_init_calls (void)
{
  g_autoptr(MwtPool) pool = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  if (test_ran_in_child ())
    return;

  pool = mwt_pool_new (1, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  mwt_pool_run_async (pool, create_pool_on_own_context, NULL, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                      test_store_result, &result);
  test_iterate_until (NULL, result != NULL);
  g_assert_cmpstr (mwt_pool_run_finish (pool, result, &error), ==, "created");
  g_assert_no_error (error);
}

/* The main side hands its task to a helper thread, which completes it: a
 * legitimate use, and the case ThreadSanitizer must find clean (the waiting
 * side may not read the task's completion from another thread).
 */
static gpointer
complete_on_helper (gpointer data)
{
  GTask *task = data;

  g_assert_true (g_thread_self () != main_thread);
  g_task_return_pointer (task, g_strdup ("from a helper"), g_free);
  g_object_unref (task);

  return NULL;
}

static void
hand_task_to_helper (GTask    *task,
                     gpointer  user_data)
{
  GThread **helper = user_data;

  g_assert_true (g_thread_self () == main_thread);
  g_assert_null (*helper);
  *helper = g_thread_new ("helper", complete_on_helper, g_object_ref (task));
}

/* How the main side of a call is served: by the main loop, by a blocking
 * close of the calling worker's pool, or at once, when the caller is the
 * main thread itself.
 */
typedef enum
{
  SERVED_BY_MAIN_LOOP,
  SERVED_BY_BLOCKING_CLOSE,
  SERVED_BY_OWNER,
  N_SERVED_BY
} ServedBy;

typedef struct
{
  MwtMainTaskFunc main_side;
  gpointer        data;
  TestCounter     started;
} WorkerCall;

static gpointer
worker_calls_main_task (gpointer       thread_state,
                        gpointer       func_data,
                        GCancellable  *cancellable,
                        GError       **error)
{
  WorkerCall *call = func_data;

  test_counter_add (&call->started);

  return mwt_run_in_main_task (call->main_side, call->data, error);
}

static gchar *
run_main_task_served_by (ServedBy          served_by,
                         MwtMainTaskFunc   main_side,
                         gpointer          data,
                         GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  WorkerCall call = { main_side, data };
  gchar *value;
  MwtPool *pool;

  if (served_by == SERVED_BY_OWNER)
    return mwt_run_in_main_task (main_side, data, error);

  test_counter_init (&call.started);
  pool = mwt_pool_new (1, NULL, NULL, NULL, NULL, NULL);
  mwt_pool_run_async (pool, worker_calls_main_task, &call, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                      test_store_result, &result);

  if (served_by == SERVED_BY_BLOCKING_CLOSE)
    {
      test_counter_wait_for (&call.started, 1);
      g_assert_true (mwt_pool_close (pool, NULL, NULL));
    }

  test_iterate_until (NULL, result != NULL);
  value = mwt_pool_run_finish (pool, result, error);

  g_object_unref (pool);
  test_counter_clear (&call.started);

  return value;
}

static void
test_task_completed_from_helper_thread (void)
{
  if (test_ran_in_child ())
    return;

  for (ServedBy served_by = 0; served_by < N_SERVED_BY; served_by++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree gchar *value = NULL;
      GThread *helper = NULL;

      value = run_main_task_served_by (served_by, hand_task_to_helper, &helper, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (value, ==, "from a helper");
      g_thread_join (helper);
    }
}

/* The main side keeps the task without a reference of its own and
 * completes it from a later source: the task lives until it is complete.
 */
static gboolean
complete_kept_task (gpointer data)
{
  GTask **kept = data;

  g_assert_true (g_thread_self () == main_thread);
  g_task_return_pointer (*kept, g_strdup ("kept"), g_free);
  *kept = NULL;

  return G_SOURCE_REMOVE;
}

static void
keep_task_without_reference (GTask    *task,
                             gpointer  user_data)
{
  GTask **kept = user_data;

  g_assert_true (g_thread_self () == main_thread);
  *kept = task;
  g_timeout_add (1, complete_kept_task, kept);
}

static void
test_task_func_needs_no_reference (void)
{
  if (test_ran_in_child ())
    return;

  for (ServedBy served_by = 0; served_by < N_SERVED_BY; served_by++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree gchar *value = NULL;
      GTask *kept = NULL;

      value = run_main_task_served_by (served_by, keep_task_without_reference, &kept, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (value, ==, "kept");
      g_assert_null (kept);
    }
}

/* The form for bindings: the closure runs on the main context before the
 * call returns, and is released on the calling thread.
 */
typedef struct
{
  gboolean ran_on_main;
  GThread *released_on;
} ClosureCall;

static void
record_closure_call (gpointer data)
{
  ((ClosureCall *) data)->ran_on_main = g_thread_self () == main_thread;
}

static void
record_closure_release (gpointer  data,
                        GClosure *closure)
{
  ((ClosureCall *) data)->released_on = g_thread_self ();
}

static gpointer
call_closure_in_main (gpointer       thread_state,
                      gpointer       func_data,
                      GCancellable  *cancellable,
                      GError       **error)
{
  ClosureCall *call = func_data;

  mwt_run_in_main_closure (g_cclosure_new (G_CALLBACK (record_closure_call), call, record_closure_release));
  g_assert_true (call->ran_on_main);
  g_assert_true (call->released_on == g_thread_self ());

  return NULL;
}

static void
test_closure_runs_on_main_and_is_released_by_the_caller (void)
{
  g_autoptr(MwtPool) pool = NULL;
  g_autoptr(GError) error = NULL;
  ClosureCall call = { FALSE, NULL };

  if (test_ran_in_child ())
    return;

  pool = mwt_pool_new (1, NULL, NULL, NULL, NULL, NULL);
  mwt_pool_run_sync (pool, call_closure_in_main, &call, NULL, G_PRIORITY_DEFAULT, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (call.ran_on_main);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  main_thread = g_thread_self ();

  g_test_add_func ("/Mwt/RunInMain/from-worker-runs-on-main-thread", test_from_worker);
  g_test_add_func ("/Mwt/RunInMain/never-on-worker-between-iterations", test_from_worker_between_iterations);
  g_test_add_func ("/Mwt/RunInMain/targets-the-pool-context", test_targets_pool_context);
  g_test_add_func ("/Mwt/RunInMain/outside-pool-runs-at-once-on-owner", test_outside_pool_on_owner_runs_at_once);
  g_test_add_func ("/Mwt/RunInMain/outside-pool-hands-off-from-other-thread", test_outside_pool_from_other_thread);
  g_test_add_func ("/Mwt/RunInMain/blocking-close-serves-waiting-calls", test_blocking_close_serves_calls);
  g_test_add_func ("/Mwt/RunInMain/closure-runs-on-main-and-is-released-by-the-caller",
                   test_closure_runs_on_main_and_is_released_by_the_caller);
  g_test_add_func ("/Mwt/RunInMain/blocking-new-serves-init-calls", test_blocking_new_serves_init_calls);
  g_test_add_func ("/Mwt/RunInMain/blocking-new-on-a-worker-serves-init-calls-on-its-own-context",
                   test_blocking_new_on_a_worker_serves_init_calls);
  g_test_add_func ("/Mwt/RunInMain/task-completed-from-a-helper-thread",
                   test_task_completed_from_helper_thread);
  g_test_add_func ("/Mwt/RunInMain/task-func-needs-no-reference-to-complete-later",
                   test_task_func_needs_no_reference);

  return g_test_run ();
}
