/* test-run-task.c: what mwt_pool_run_task() keeps of g_task_run_in_thread(),
 * and the differences it documents
 *
 * SPDX-FileCopyrightText: 2026 The mwt authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "test-util.h"

static GThread *main_thread;

typedef struct
{
  TestGate  gate;
  /* Atomic: set by the function on the pool thread, last thing before it
   * returns.
   */
  gint      returned;
  gboolean  returned_before_callback;
  guint     n_callbacks;
  gboolean  value;
  GError   *error;
  GTask    *task;
} Probe;

static void
probe_init (Probe *probe)
{
  memset (probe, 0, sizeof *probe);
  test_gate_init (&probe->gate);
}

static void
probe_clear (Probe *probe)
{
  g_clear_error (&probe->error);
  test_gate_clear (&probe->gate);
}

static void
record_callback (GObject      *source_object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Probe *probe = user_data;

  g_assert_true (g_thread_self () == main_thread);
  probe->returned_before_callback = g_atomic_int_get (&probe->returned);
  probe->n_callbacks++;
  probe->value = g_task_propagate_boolean (G_TASK (result), &probe->error);
}

/* Submits a task whose only owner, once this returns, is the pool; its
 * weak pointer tells when the pool has let go of it.
 */
static void
submit_probe (MwtPool           *pool,
              Probe             *probe,
              GCancellable      *cancellable,
              gboolean           return_on_cancel,
              MwtPoolThreadFunc  func)
{
  GTask *task = g_task_new (NULL, cancellable, record_callback, probe);

  g_task_set_task_data (task, probe, NULL);
  if (return_on_cancel)
    g_assert_true (g_task_set_return_on_cancel (task, TRUE));
  probe->task = task;
  g_object_add_weak_pointer (G_OBJECT (task), (gpointer *) &probe->task);
  mwt_pool_run_task (pool, task, func);
  g_object_unref (task);
}

/* The callback runs as soon as the function has completed the task,
 * possibly before the function returns: unlike g_task_run_in_thread(),
 * whose callback waits for the function.
 */
static void
return_then_wait (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable,
                  gpointer      thread_state)
{
  Probe *probe = task_data;

  g_task_return_boolean (task, TRUE);
  test_gate_pass (&probe->gate);
  g_atomic_int_set (&probe->returned, TRUE);
}

static void
test_callback_may_run_before_the_function_returns (void)
{
  g_autoptr(MwtPool) pool = NULL;
  g_autoptr(GError) error = NULL;
  Probe probe;

  if (test_ran_in_child ())
    return;

  probe_init (&probe);
  pool = mwt_pool_new (1, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  submit_probe (pool, &probe, NULL, FALSE, return_then_wait);
  test_iterate_until (NULL, probe.n_callbacks == 1);
  g_assert_no_error (probe.error);
  g_assert_true (probe.value);
  g_assert_false (probe.returned_before_callback);

  /* The function is still at the gate; once it returns, the pool drops
   * the task, and the callback never runs again.
   */
  g_assert_false (g_atomic_int_get (&probe.returned));
  test_gate_open (&probe.gate);
  test_iterate_until (NULL, probe.task == NULL);
  g_assert_true (g_atomic_int_get (&probe.returned));
  g_assert_cmpuint (probe.n_callbacks, ==, 1);

  probe_clear (&probe);
}

/* g_task_set_return_on_cancel() is a no-op for run_task: a cancelled task
 * that is running still completes only when the function completes it.
 */
static void
wait_then_return (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable,
                  gpointer      thread_state)
{
  Probe *probe = task_data;

  test_gate_pass (&probe->gate);
  g_atomic_int_set (&probe->returned, TRUE);
  g_task_return_boolean (task, TRUE);
}

static void
test_return_on_cancel_is_a_no_op (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(MwtPool) pool = NULL;
  g_autoptr(GError) error = NULL;
  Probe probe;

  if (test_ran_in_child ())
    return;

  probe_init (&probe);
  pool = mwt_pool_new (1, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  submit_probe (pool, &probe, cancellable, TRUE, wait_then_return);
  test_gate_wait_for (&probe.gate, 1);
  g_cancellable_cancel (cancellable);

  /* Everything the context has to dispatch, and no callback among it. */
  test_iterate_pending (NULL);
  g_assert_cmpuint (probe.n_callbacks, ==, 0);
  g_assert_nonnull (probe.task);

  test_gate_open (&probe.gate);
  test_iterate_until (NULL, probe.n_callbacks == 1 && probe.task == NULL);
  g_assert_true (probe.returned_before_callback);
  /* GTask itself reports a task whose cancellable was cancelled so. */
  g_assert_error (probe.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  test_iterate_pending (NULL);
  g_assert_cmpuint (probe.n_callbacks, ==, 1);

  probe_clear (&probe);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  main_thread = g_thread_self ();

  g_test_add_func ("/Mwt/Pool/run-task/callback-may-run-before-the-function-returns",
                   test_callback_may_run_before_the_function_returns);
  g_test_add_func ("/Mwt/Pool/run-task/return-on-cancel-is-a-no-op",
                   test_return_on_cancel_is_a_no_op);

  return g_test_run ();
}
