/* test-cancellable.c: one cancellable shared by many tasks
 *
 * SPDX-FileCopyrightText: 2026 The mwt authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "test-util.h"

#define N_SHARING 50

/* The "cancelled" handlers connected to @cancellable, whoever connected
 * them: each one found is blocked, so that the next search finds another,
 * then all are unblocked. (Blocking by signal alone matches nothing.)
 */
static guint
count_cancelled_handlers (GCancellable *cancellable)
{
  guint signal_id = g_signal_lookup ("cancelled", G_TYPE_CANCELLABLE);
  g_autoptr(GArray) found = g_array_new (FALSE, FALSE, sizeof (gulong));
  gulong handler_id;

  while ((handler_id = g_signal_handler_find (cancellable, G_SIGNAL_MATCH_ID | G_SIGNAL_MATCH_UNBLOCKED,
                                              signal_id, 0, NULL, NULL, NULL)) != 0)
    {
      g_signal_handler_block (cancellable, handler_id);
      g_array_append_val (found, handler_id);
    }
  for (guint i = 0; i < found->len; i++)
    g_signal_handler_unblock (cancellable, g_array_index (found, gulong, i));

  return found->len;
}

/* What one task saw and got. */
typedef struct
{
  gboolean      ran;
  GAsyncResult *result;
  GMainContext *completed_on;
} Outcome;

static gpointer
record_run (gpointer       thread_state,
            gpointer       func_data,
            GCancellable  *cancellable,
            GError       **error)
{
  Outcome *outcome = func_data;

  g_atomic_int_set (&outcome->ran, TRUE);

  return outcome;
}

static void
record_task_run (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable,
                 gpointer      thread_state)
{
  Outcome *outcome = task_data;

  g_atomic_int_set (&outcome->ran, TRUE);
  g_task_return_pointer (task, outcome, NULL);
}

static void
record_result (GObject      *source_object,
               GAsyncResult *result,
               gpointer      user_data)
{
  Outcome *outcome = user_data;

  g_assert_null (outcome->result);
  outcome->result = g_object_ref (result);
  outcome->completed_on = g_main_context_get_thread_default ();
}

/* Even tasks go through mwt_pool_run_async(), odd ones through
 * mwt_pool_run_task(), with a GTask whose source object is not the pool.
 */
static void
submit (MwtPool      *pool,
        guint         i,
        GCancellable *cancellable,
        Outcome      *outcome)
{
  g_autoptr(GTask) task = NULL;

  if (i % 2 == 0)
    {
      mwt_pool_run_async (pool, record_run, outcome, NULL, NULL, G_PRIORITY_DEFAULT, cancellable,
                          record_result, outcome);
      return;
    }

  task = g_task_new (NULL, cancellable, record_result, outcome);
  g_task_set_task_data (task, outcome, NULL);
  mwt_pool_run_task (pool, task, record_task_run);
}

/* Returns what the task's function returned, or NULL with @error set. */
static gpointer
outcome_finish (MwtPool  *pool,
                Outcome  *outcome,
                GError  **error)
{
  if (g_task_get_source_object (G_TASK (outcome->result)) == pool)
    return mwt_pool_run_finish (pool, outcome->result, error);

  return g_task_propagate_pointer (G_TASK (outcome->result), error);
}

static gboolean
all_completed (Outcome *outcomes,
               guint    n)
{
  for (guint i = 0; i < n; i++)
    if (outcomes[i].result == NULL)
      return FALSE;

  return TRUE;
}

static void
outcomes_clear (Outcome *outcomes,
                guint    n)
{
  for (guint i = 0; i < n; i++)
    g_clear_object (&outcomes[i].result);
}

/* A pool whose only thread is held at @gate, which this initializes, by
 * a task without a cancellable, whose outcome is @held; returns once the
 * thread is there.
 */
static MwtPool *
new_held_pool (TestGate *gate,
               Outcome  *held)
{
  g_autoptr(GError) error = NULL;
  MwtPool *pool = mwt_pool_new (1, NULL, NULL, NULL, NULL, &error);

  g_assert_no_error (error);
  test_gate_init (gate);
  mwt_pool_run_async (pool, test_pass_gate, gate, NULL, NULL, G_PRIORITY_DEFAULT, NULL, record_result, held);
  test_gate_wait_for (gate, 1);

  return pool;
}

/* Lets the held task of new_held_pool() end, if it has not, and frees
 * the pool, the gate and the held task's result.
 */
static void
free_held_pool (MwtPool  *pool,
                TestGate *gate,
                Outcome  *held)
{
  test_gate_open (gate);
  test_iterate_until (NULL, held->result != NULL);
  g_clear_object (&held->result);
  g_object_unref (pool);
  test_gate_clear (gate);
}

/* Returns once every task submitted so far has completed and the pool
 * has let go of it: a mwt_pool_run_task() job that ran does so on the
 * pool's context, after the task's callback, before the drain's.
 */
static void
drain (MwtPool *pool)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  mwt_pool_drain_async (pool, G_PRIORITY_DEFAULT, NULL, test_store_result, &result);
  test_iterate_until (NULL, result != NULL);
  g_assert_true (mwt_pool_drain_finish (pool, result, &error));
  g_assert_no_error (error);
}

/* A blocking call that shares the cancellable, from a thread of its own. */
typedef struct
{
  MwtPool      *pool;
  GCancellable *cancellable;
  Outcome       outcome;
  GError       *error;
} SyncCall;

static gpointer
run_sync_call (gpointer data)
{
  SyncCall *call = data;

  return mwt_pool_run_sync (call->pool, record_run, &call->outcome, NULL, G_PRIORITY_DEFAULT,
                            call->cancellable, &call->error);
}

static void
test_queued_tasks_share_one_handler (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Outcome outcomes[N_SHARING] = { { 0, }, };
  Outcome held = { 0, };
  SyncCall call = { .cancellable = cancellable };
  GThread *caller;
  TestGate gate;
  MwtPool *pool;

  if (test_ran_in_child ())
    return;

  pool = new_held_pool (&gate, &held);

  for (guint i = 0; i < N_SHARING; i++)
    submit (pool, i, cancellable, &outcomes[i]);
  call.pool = pool;
  caller = g_thread_new ("run-sync", run_sync_call, &call);
  test_poll_until (mwt_pool_get_n_queued (pool) == N_SHARING + 1);

  g_assert_cmpuint (count_cancelled_handlers (cancellable), ==, 1);

  test_gate_open (&gate);
  g_assert_true (g_thread_join (caller) == &call.outcome);
  g_assert_no_error (call.error);
  test_iterate_until (NULL, held.result != NULL && all_completed (outcomes, N_SHARING));
  for (guint i = 0; i < N_SHARING; i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (outcome_finish (pool, &outcomes[i], &error) == &outcomes[i]);
      g_assert_no_error (error);
    }
  drain (pool);
  g_assert_cmpuint (count_cancelled_handlers (cancellable), ==, 0);

  outcomes_clear (outcomes, N_SHARING);
  free_held_pool (pool, &gate, &held);
}

static void
test_two_pools_have_one_handler_each (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Outcome outcomes[2][N_SHARING] = { { { 0, }, }, };
  Outcome held[2] = { { 0, }, };
  TestGate gates[2];
  MwtPool *pools[2];

  for (guint p = 0; p < 2; p++)
    {
      pools[p] = new_held_pool (&gates[p], &held[p]);
      for (guint i = 0; i < N_SHARING; i++)
        submit (pools[p], i, cancellable, &outcomes[p][i]);
    }

  g_assert_cmpuint (count_cancelled_handlers (cancellable), ==, 2);

  /* Cancelling empties both queues while their threads are held. */
  g_cancellable_cancel (cancellable);
  for (guint p = 0; p < 2; p++)
    g_assert_cmpuint (mwt_pool_get_n_queued (pools[p]), ==, 0);
  test_iterate_until (NULL, all_completed (outcomes[0], N_SHARING) && all_completed (outcomes[1], N_SHARING));
  g_assert_cmpuint (count_cancelled_handlers (cancellable), ==, 0);

  for (guint p = 0; p < 2; p++)
    {
      for (guint i = 0; i < N_SHARING; i++)
        {
          g_autoptr(GError) error = NULL;

          g_assert_null (outcome_finish (pools[p], &outcomes[p][i], &error));
          g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
          g_assert_false (outcomes[p][i].ran);
        }
      outcomes_clear (outcomes[p], N_SHARING);
      free_held_pool (pools[p], &gates[p], &held[p]);
    }
}

/* Half the tasks come from the default context, half from another one;
 * each completes on its own, and none runs.
 */
static void
test_cancel_completes_every_sharer_on_its_context (void)
{
  GCancellable *cancellable = g_cancellable_new ();
  g_autoptr(GMainContext) other = g_main_context_new ();
  Outcome outcomes[N_SHARING] = { { 0, }, };
  Outcome held = { 0, };
  TestGate gate;
  MwtPool *pool;

  pool = new_held_pool (&gate, &held);

  for (guint i = 0; i < N_SHARING; i++)
    {
      if (i >= N_SHARING / 2)
        g_main_context_push_thread_default (other);
      submit (pool, i, cancellable, &outcomes[i]);
      if (i >= N_SHARING / 2)
        g_main_context_pop_thread_default (other);
    }

  g_cancellable_cancel (cancellable);
  g_assert_cmpuint (mwt_pool_get_n_queued (pool), ==, 0);

  test_iterate_until (NULL, all_completed (outcomes, N_SHARING / 2));
  g_assert_null (outcomes[N_SHARING / 2].result);
  g_main_context_push_thread_default (other);
  test_iterate_until (other, all_completed (outcomes, N_SHARING));
  g_main_context_pop_thread_default (other);

  for (guint i = 0; i < N_SHARING; i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (outcomes[i].completed_on == (i < N_SHARING / 2 ? NULL : other));
      g_assert_null (outcome_finish (pool, &outcomes[i], &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_assert_false (outcomes[i].ran);
    }
  outcomes_clear (outcomes, N_SHARING);

  /* The pool let go of the cancellable, still under a busy thread. */
  test_iterate_pending (NULL);
  test_iterate_pending (other);
  g_assert_cmpuint (count_cancelled_handlers (cancellable), ==, 0);
  g_assert_finalize_object (cancellable);

  free_held_pool (pool, &gate, &held);
}

/* The handler stays while one task still uses the cancellable. */
static void
test_handler_goes_with_the_last_sharer (void)
{
  GCancellable *cancellable = g_cancellable_new ();
  Outcome outcomes[N_SHARING] = { { 0, }, };
  Outcome held = { 0, }, last = { 0, };
  TestGate gate, last_gate;
  MwtPool *pool;

  test_gate_init (&last_gate);
  pool = new_held_pool (&gate, &held);

  for (guint i = 0; i < N_SHARING; i++)
    submit (pool, i, cancellable, &outcomes[i]);
  mwt_pool_run_async (pool, test_pass_gate, &last_gate, NULL, NULL, G_PRIORITY_DEFAULT, cancellable,
                      record_result, &last);

  test_gate_open (&gate);
  test_gate_wait_for (&last_gate, 1);
  test_iterate_until (NULL, held.result != NULL && all_completed (outcomes, N_SHARING));
  test_iterate_pending (NULL);
  g_assert_cmpuint (count_cancelled_handlers (cancellable), ==, 1);

  test_gate_open (&last_gate);
  test_iterate_until (NULL, last.result != NULL);
  g_assert_cmpuint (count_cancelled_handlers (cancellable), ==, 0);

  outcomes_clear (outcomes, N_SHARING);
  g_clear_object (&last.result);
  g_assert_finalize_object (cancellable);

  free_held_pool (pool, &gate, &held);
  test_gate_clear (&last_gate);
}

/* Tasks running when the cancellable is cancelled are their functions'
 * business, as before; those queued behind them leave at once.
 */
typedef struct
{
  TestGate     *gate;
  GCancellable *cancellable;
  gboolean      saw_cancelled;
} Runner;

static gpointer
run_until_gate (gpointer       thread_state,
                gpointer       func_data,
                GCancellable  *cancellable,
                GError       **error)
{
  Runner *runner = func_data;

  g_assert_true (cancellable == runner->cancellable);
  test_gate_pass (runner->gate);
  runner->saw_cancelled = g_cancellable_is_cancelled (cancellable);

  return runner;
}

static void
run_task_until_gate (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable,
                     gpointer      thread_state)
{
  Runner *runner = task_data;

  test_gate_pass (runner->gate);
  runner->saw_cancelled = g_cancellable_is_cancelled (cancellable);
  g_task_return_pointer (task, runner, NULL);
}

static void
test_running_sharers_run_on (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GTask) task = NULL;
  Outcome outcomes[N_SHARING] = { { 0, }, };
  Outcome running[2] = { { 0, }, };
  TestGate gate;
  Runner runners[2] = { { &gate, cancellable }, { &gate, cancellable } };
  MwtPool *pool;

  test_gate_init (&gate);
  pool = mwt_pool_new (2, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  mwt_pool_run_async (pool, run_until_gate, &runners[0], NULL, NULL, G_PRIORITY_DEFAULT, cancellable,
                      record_result, &running[0]);
  task = g_task_new (NULL, cancellable, record_result, &running[1]);
  g_task_set_task_data (task, &runners[1], NULL);
  mwt_pool_run_task (pool, task, run_task_until_gate);
  test_gate_wait_for (&gate, 2);
  for (guint i = 0; i < N_SHARING; i++)
    submit (pool, i, cancellable, &outcomes[i]);

  g_cancellable_cancel (cancellable);
  test_iterate_until (NULL, all_completed (outcomes, N_SHARING));
  g_assert_null (running[0].result);
  g_assert_null (running[1].result);
  g_assert_cmpuint (count_cancelled_handlers (cancellable), ==, 1);
  for (guint i = 0; i < N_SHARING; i++)
    g_assert_false (outcomes[i].ran);

  test_gate_open (&gate);
  test_iterate_until (NULL, running[0].result != NULL && running[1].result != NULL);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GError) cancelled = NULL;

      g_assert_true (runners[i].saw_cancelled);
      /* As for any GTask whose cancellable was cancelled before it returned. */
      g_assert_null (outcome_finish (pool, &running[i], &cancelled));
      g_assert_error (cancelled, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    }
  drain (pool);
  g_assert_cmpuint (count_cancelled_handlers (cancellable), ==, 0);

  outcomes_clear (outcomes, N_SHARING);
  outcomes_clear (running, 2);
  g_object_unref (pool);
  test_gate_clear (&gate);
}

/* Submitted with a cancellable cancelled already: no handler at all. */
static void
test_cancelled_before_sharing (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Outcome outcomes[N_SHARING] = { { 0, }, };
  Outcome held = { 0, };
  TestGate gate;
  MwtPool *pool;

  pool = new_held_pool (&gate, &held);

  g_cancellable_cancel (cancellable);
  for (guint i = 0; i < N_SHARING; i++)
    submit (pool, i, cancellable, &outcomes[i]);
  g_assert_cmpuint (count_cancelled_handlers (cancellable), ==, 0);
  g_assert_cmpuint (mwt_pool_get_n_queued (pool), ==, 0);

  test_iterate_until (NULL, all_completed (outcomes, N_SHARING));
  for (guint i = 0; i < N_SHARING; i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_null (outcome_finish (pool, &outcomes[i], &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_assert_false (outcomes[i].ran);
    }

  outcomes_clear (outcomes, N_SHARING);
  free_held_pool (pool, &gate, &held);
}

/* Threads submit tasks that share one cancellable, each from a context of
 * its own, while the main thread cancels it: every task completes, none
 * submitted after the cancellation runs, and the pool lets go of the
 * cancellable once all are done. Rounds cancel at different moments.
 */
#define N_SUBMITTERS 3
#define N_PER_SUBMITTER 300
#define N_ROUNDS 10

typedef struct
{
  MwtPool      *pool;
  GCancellable *cancellable;
  TestCounter  *submitted;
  Outcome       outcomes[N_PER_SUBMITTER];
  gboolean      after_cancel[N_PER_SUBMITTER];
} Submitter;

static gpointer
submit_while_cancelled (gpointer data)
{
  Submitter *submitter = data;
  g_autoptr(GMainContext) context = g_main_context_new ();

  g_main_context_push_thread_default (context);
  for (guint i = 0; i < N_PER_SUBMITTER; i++)
    {
      submitter->after_cancel[i] = g_cancellable_is_cancelled (submitter->cancellable);
      submit (submitter->pool, i, submitter->cancellable, &submitter->outcomes[i]);
      test_counter_add (submitter->submitted);
    }
  test_iterate_until (context, all_completed (submitter->outcomes, N_PER_SUBMITTER));

  for (guint i = 0; i < N_PER_SUBMITTER; i++)
    {
      g_autoptr(GError) error = NULL;
      Outcome *outcome = &submitter->outcomes[i];

      if (outcome_finish (submitter->pool, outcome, &error) == NULL)
        g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      if (submitter->after_cancel[i])
        g_assert_false (g_atomic_int_get (&outcome->ran));
    }
  outcomes_clear (submitter->outcomes, N_PER_SUBMITTER);
  test_iterate_pending (context);
  g_main_context_pop_thread_default (context);

  return NULL;
}

static void
test_cancel_during_submission_loses_no_task (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MwtPool) pool = mwt_pool_new (2, NULL, NULL, NULL, NULL, &error);

  g_assert_no_error (error);

  for (guint round = 0; round < N_ROUNDS; round++)
    {
      GCancellable *cancellable = g_cancellable_new ();
      g_autofree Submitter *submitters = g_new0 (Submitter, N_SUBMITTERS);
      GThread *threads[N_SUBMITTERS];
      TestCounter submitted;

      test_counter_init (&submitted);
      for (guint t = 0; t < N_SUBMITTERS; t++)
        {
          submitters[t].pool = pool;
          submitters[t].cancellable = cancellable;
          submitters[t].submitted = &submitted;
          threads[t] = g_thread_new ("submitter", submit_while_cancelled, &submitters[t]);
        }

      test_counter_wait_for (&submitted, round * N_SUBMITTERS * N_PER_SUBMITTER / N_ROUNDS);
      g_cancellable_cancel (cancellable);

      for (guint t = 0; t < N_SUBMITTERS; t++)
        g_thread_join (threads[t]);
      test_counter_clear (&submitted);

      drain (pool);
      g_assert_cmpuint (count_cancelled_handlers (cancellable), ==, 0);
      g_assert_finalize_object (cancellable);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Mwt/Pool/cancellable/queued-tasks-that-share-it-have-one-handler",
                   test_queued_tasks_share_one_handler);
  g_test_add_func ("/Mwt/Pool/cancellable/two-pools-have-one-handler-each",
                   test_two_pools_have_one_handler_each);
  g_test_add_func ("/Mwt/Pool/cancellable/cancelling-completes-every-task-sharing-it-on-its-own-context",
                   test_cancel_completes_every_sharer_on_its_context);
  g_test_add_func ("/Mwt/Pool/cancellable/handler-goes-with-the-last-task-sharing-it",
                   test_handler_goes_with_the_last_sharer);
  g_test_add_func ("/Mwt/Pool/cancellable/running-tasks-run-on-when-it-is-cancelled",
                   test_running_sharers_run_on);
  g_test_add_func ("/Mwt/Pool/cancellable/cancelled-before-tasks-share-it-has-no-handler",
                   test_cancelled_before_sharing);
  g_test_add_func ("/Mwt/Pool/cancellable/cancelled-during-submission-loses-no-task",
                   test_cancel_during_submission_loses_no_task);

  return g_test_run ();
}
