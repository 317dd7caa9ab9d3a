/* stress.c: many submitters, random cancellations (of a task's own
 * cancellable, or of one that tasks of every submitter share), calls back
 * into the main context and a close or last unref at a random moment;
 * then checks that nothing was lost, run twice, or run with the wrong
 * state.
 *
 * Run with --long[=SECONDS] to repeat rounds for that long (600 s by
 * default); --seed from GTest makes a run reproducible.
 *
 * SPDX-FileCopyrightText: 2026 The mwt authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "test-util.h"

typedef enum {
  CANCEL_NEVER,
  CANCEL_BEFORE_SUBMIT,
  CANCEL_LATER,
} CancelMode;

typedef enum {
  CALL_NONE,
  CALL_RUN_IN_MAIN,
  CALL_RUN_IN_MAIN_TASK,
} MainCall;

typedef struct _Round Round;

/* One task's history; every field is checked once the round is over. */
typedef struct
{
  Round        *round;
  GThread      *submitter;
  GCancellable *cancellable;
  gboolean      use_run_task;
  /* A run_task task with the pool as its source object holds the pool. */
  gboolean      pool_is_source;
  CancelMode    cancel_mode;
  MainCall      main_call;
  guint         spin;

  gint          ran;
  gint          func_saw_cancel;
  gint          n_callbacks;
  gint          n_destroys;
  gint          error_code;
} Record;

typedef struct
{
  GThread *thread;
  gint     n_exits;
} State;

#define N_SHARED_CANCELLABLES 3

struct _Round
{
  GThread  *main_thread;
  guint     n_tasks_per_submitter;
  guint32   seed;

  /* Tasks of every submitter use them, besides cancellables of their own. */
  GCancellable *shared_cancellables[N_SHARED_CANCELLABLES];

  GMutex    mutex;
  GPtrArray *states;
  GPtrArray *records;

  gint      n_state_mismatches;
  gint      n_main_calls_off_main;
  gint      n_inits;
  gint      n_exits;
  gint      n_destroyed;
  gint      n_submitters_done;
  gint      close_done;
  gint      pool_finalized;
};

#define N_SUBMITTERS 4
#define N_THREADS 3

/* Pool callbacks */

static gpointer
stress_init (gpointer   user_data,
             GError   **error)
{
  Round *round = user_data;
  State *state = g_new0 (State, 1);

  state->thread = g_thread_self ();
  g_mutex_lock (&round->mutex);
  g_ptr_array_add (round->states, state);
  g_mutex_unlock (&round->mutex);
  g_atomic_int_inc (&round->n_inits);

  return state;
}

static void
stress_exit (gpointer thread_state,
             gpointer user_data)
{
  Round *round = user_data;
  State *state = thread_state;

  if (state->thread != g_thread_self ())
    g_atomic_int_inc (&round->n_state_mismatches);
  g_atomic_int_inc (&state->n_exits);
  g_atomic_int_inc (&round->n_exits);
}

static void
stress_destroy (gpointer user_data)
{
  Round *round = user_data;

  g_atomic_int_inc (&round->n_destroyed);
}

/* On the pool's context */

static gpointer
main_side (gpointer   user_data,
           GError   **error)
{
  Record *record = user_data;

  if (g_thread_self () != record->round->main_thread)
    g_atomic_int_inc (&record->round->n_main_calls_off_main);

  return record;
}

static gboolean
return_task_later (gpointer data)
{
  GTask *task = data;

  g_task_return_pointer (task, g_task_get_task_data (task), NULL);

  return G_SOURCE_REMOVE;
}

static void
main_side_task (GTask    *task,
                gpointer  user_data)
{
  Record *record = user_data;

  if (g_thread_self () != record->round->main_thread)
    g_atomic_int_inc (&record->round->n_main_calls_off_main);

  g_task_set_task_data (task, record, NULL);
  g_idle_add_full (G_PRIORITY_DEFAULT, return_task_later, g_object_ref (task), g_object_unref);
}

/* On a worker */

static gboolean
work (Record        *record,
      State         *state,
      GCancellable  *cancellable,
      GError       **error)
{
  gpointer echoed = NULL;

  g_atomic_int_set (&record->ran, TRUE);

  if (state->thread != g_thread_self () || mwt_pool_get_current () == NULL)
    g_atomic_int_inc (&record->round->n_state_mismatches);

  if (record->main_call == CALL_RUN_IN_MAIN)
    echoed = mwt_run_in_main (main_side, record, NULL);
  else if (record->main_call == CALL_RUN_IN_MAIN_TASK)
    echoed = mwt_run_in_main_task (main_side_task, record, NULL);
  if (record->main_call != CALL_NONE)
    g_assert_true (echoed == record);

  for (guint i = 0; i < record->spin; i++)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          g_atomic_int_set (&record->func_saw_cancel, TRUE);
          return FALSE;
        }
      g_thread_yield ();
    }

  return TRUE;
}

static gpointer
work_async (gpointer       thread_state,
            gpointer       func_data,
            GCancellable  *cancellable,
            GError       **error)
{
  return work (func_data, thread_state, cancellable, error) ? func_data : NULL;
}

static void
work_task (GTask        *task,
           gpointer      source_object,
           gpointer      task_data,
           GCancellable *cancellable,
           gpointer      thread_state)
{
  GError *error = NULL;

  if (work (task_data, thread_state, cancellable, &error))
    g_task_return_pointer (task, task_data, NULL);
  else
    g_task_return_error (task, error);
}

/* On the submitter's context */

/* Never on a worker. A mwt_pool_run_async() task's data goes on its
 * submitter's thread; a mwt_pool_run_task() task, and so its data, goes
 * there too unless the submitter stopped iterating its context right after
 * the callback: then the pool releases it when it is finalized.
 */
static void
record_destroyed (gpointer data)
{
  Record *record = data;

  g_assert_null (mwt_pool_get_current ());
  if (!record->use_run_task)
    g_assert_true (g_thread_self () == record->submitter);
  g_atomic_int_inc (&record->n_destroys);
}

static void
record_completed (GObject      *source_object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Record *record = user_data;
  g_autoptr(GError) error = NULL;
  gpointer value;

  g_assert_true (g_thread_self () == record->submitter);

  value = g_task_propagate_pointer (G_TASK (result), &error);
  if (error != NULL)
    record->error_code = error->code;
  else
    g_assert_true (value == record);

  /* Rejected: it must never have run, nor run later. A run_async task
   * also reports a cancellation that came after its function ran (GIO's
   * rule), which only its cancellable can explain.
   */
  if (error != NULL && !g_atomic_int_get (&record->func_saw_cancel))
    {
      if (record->use_run_task || error->code != G_IO_ERROR_CANCELLED)
        g_assert_false (g_atomic_int_get (&record->ran));
      else
        g_assert_true (g_cancellable_is_cancelled (record->cancellable));
    }

  g_atomic_int_inc (&record->n_callbacks);
}

static void
submit (MwtPool *pool,
        Record  *record)
{
  if (record->use_run_task)
    {
      g_autoptr(GTask) task = g_task_new (record->pool_is_source ? pool : NULL,
                                          record->cancellable, record_completed, record);

      /* Report what the function did, not a late cancellation. */
      g_task_set_check_cancellable (task, FALSE);
      g_task_set_task_data (task, record, record_destroyed);
      mwt_pool_run_task (pool, task, work_task);
    }
  else
    {
      mwt_pool_run_async (pool, work_async, record, record_destroyed, NULL, G_PRIORITY_DEFAULT,
                          record->cancellable, record_completed, record);
    }
}

static void
close_done (GObject      *source_object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Round *round = user_data;

  g_assert_true (mwt_pool_close_finish (MWT_POOL (source_object), result, NULL));
  g_atomic_int_set (&round->close_done, TRUE);
}

typedef struct
{
  Round   *round;
  MwtPool *pool;
  guint    index;
  gint     close_at;
} Submitter;

static gpointer
submitter_main (gpointer data)
{
  Submitter *submitter = data;
  Round *round = submitter->round;
  GMainContext *context = g_main_context_new ();
  GRand *rand = g_rand_new_with_seed (round->seed + submitter->index);
  MwtPool *pool = submitter->pool;
  GPtrArray *mine = g_ptr_array_new ();
  GPtrArray *to_cancel = g_ptr_array_new ();
  guint n_done;

  g_main_context_push_thread_default (context);

  for (guint i = 0; i < round->n_tasks_per_submitter; i++)
    {
      Record *record = g_new0 (Record, 1);
      guint dice = g_rand_int_range (rand, 0, 100);

      record->round = round;
      record->submitter = g_thread_self ();
      record->use_run_task = g_rand_boolean (rand);
      record->pool_is_source = record->use_run_task && g_rand_boolean (rand);
      record->spin = g_rand_int_range (rand, 0, 50);
      record->main_call = dice < 5 ? CALL_RUN_IN_MAIN : dice < 8 ? CALL_RUN_IN_MAIN_TASK : CALL_NONE;
      dice = g_rand_int_range (rand, 0, 100);
      record->cancel_mode = dice < 5 ? CANCEL_BEFORE_SUBMIT : dice < 35 ? CANCEL_LATER : CANCEL_NEVER;
      if (record->cancel_mode == CANCEL_LATER && g_rand_boolean (rand))
        record->cancellable =
          g_object_ref (round->shared_cancellables[g_rand_int_range (rand, 0, N_SHARED_CANCELLABLES)]);
      else if (record->cancel_mode != CANCEL_NEVER)
        record->cancellable = g_cancellable_new ();
      if (record->cancel_mode == CANCEL_BEFORE_SUBMIT)
        g_cancellable_cancel (record->cancellable);
      else if (record->cancel_mode == CANCEL_LATER)
        g_ptr_array_add (to_cancel, record);

      g_ptr_array_add (mine, record);
      submit (pool, record);

      if ((gint) i == submitter->close_at)
        mwt_pool_close_async (pool, G_PRIORITY_DEFAULT, NULL, close_done, round);

      /* Cancel one of the pending ones: queued, running or done. */
      if (to_cancel->len > 0 && g_rand_int_range (rand, 0, 4) == 0)
        {
          Record *victim = g_ptr_array_steal_index_fast (to_cancel,
                                                          g_rand_int_range (rand, 0, to_cancel->len));

          g_cancellable_cancel (victim->cancellable);
        }

      while (g_rand_int_range (rand, 0, 8) == 0 && g_main_context_iteration (context, FALSE))
        ;
    }

  for (guint i = 0; i < to_cancel->len; i++)
    if (g_rand_boolean (rand))
      g_cancellable_cancel (((Record *) to_cancel->pdata[i])->cancellable);

  g_object_unref (pool);

  do
    {
      n_done = 0;
      for (guint i = 0; i < mine->len; i++)
        n_done += g_atomic_int_get (&((Record *) mine->pdata[i])->n_callbacks) > 0;
      if (n_done < mine->len || (submitter->close_at >= 0 && !round->close_done))
        g_main_context_iteration (context, TRUE);
    }
  while (n_done < mine->len || (submitter->close_at >= 0 && !round->close_done));

  g_mutex_lock (&round->mutex);
  g_ptr_array_extend_and_steal (round->records, mine);
  g_mutex_unlock (&round->mutex);

  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);
  g_ptr_array_unref (to_cancel);
  g_rand_free (rand);
  g_atomic_int_inc (&round->n_submitters_done);
  g_main_context_wakeup (NULL);

  return NULL;
}

static void
pool_finalized (gpointer  data,
                GObject  *where_the_object_was)
{
  Round *round = data;

  g_atomic_int_set (&round->pool_finalized, TRUE);
  g_main_context_wakeup (NULL);
}

static void
record_free (gpointer data)
{
  Record *record = data;

  g_clear_object (&record->cancellable);
  g_free (record);
}

static void
run_round (guint32 seed,
           guint   n_tasks_per_submitter)
{
  Round round = { 0, };
  Submitter submitters[N_SUBMITTERS];
  GThread *threads[N_SUBMITTERS];
  GRand *rand = g_rand_new_with_seed (seed);
  gboolean close_it = g_rand_boolean (rand);
  guint closer = g_rand_int_range (rand, 0, N_SUBMITTERS);
  guint unref_after = g_rand_int_range (rand, 0, 200);
  g_autoptr(GError) error = NULL;
  guint n_ran = 0, n_rejected = 0;
  MwtPool *pool;

  round.main_thread = g_thread_self ();
  round.n_tasks_per_submitter = n_tasks_per_submitter;
  round.seed = seed;
  g_mutex_init (&round.mutex);
  round.states = g_ptr_array_new_with_free_func (g_free);
  round.records = g_ptr_array_new_with_free_func (record_free);
  for (guint i = 0; i < N_SHARED_CANCELLABLES; i++)
    round.shared_cancellables[i] = g_cancellable_new ();

  pool = mwt_pool_new (N_THREADS, stress_init, stress_exit, &round, stress_destroy, &error);
  g_assert_no_error (error);
  g_object_weak_ref (G_OBJECT (pool), pool_finalized, &round);

  for (guint i = 0; i < N_SUBMITTERS; i++)
    {
      submitters[i].round = &round;
      submitters[i].pool = g_object_ref (pool);
      submitters[i].index = i;
      submitters[i].close_at = close_it && i == closer
        ? (gint) g_rand_int_range (rand, 0, n_tasks_per_submitter) : -1;
      threads[i] = g_thread_new ("submitter", submitter_main, &submitters[i]);
    }

  /* Serve the workers' calls; drop this reference at some point: the
   * last one goes wherever it goes.
   */
  for (guint i = 0;
       !g_atomic_int_get (&round.pool_finalized) ||
       (guint) g_atomic_int_get (&round.n_submitters_done) < N_SUBMITTERS;
       i++)
    {
      if (i == unref_after)
        g_object_unref (pool);
      g_main_context_iteration (NULL, i > unref_after);
    }

  for (guint i = 0; i < N_SUBMITTERS; i++)
    g_thread_join (threads[i]);
  g_assert_cmpint (round.close_done, ==, close_it);

  /* Every thread built its state on itself and cleaned it up once. */
  g_assert_cmpint (round.n_inits, ==, N_THREADS);
  g_assert_cmpint (round.n_exits, ==, N_THREADS);
  g_assert_cmpint (round.n_destroyed, ==, 1);
  for (guint i = 0; i < round.states->len; i++)
    g_assert_cmpint (((State *) round.states->pdata[i])->n_exits, ==, 1);
  g_assert_cmpint (round.n_state_mismatches, ==, 0);
  g_assert_cmpint (round.n_main_calls_off_main, ==, 0);

  /* Every task was completed once and released once. */
  g_assert_cmpuint (round.records->len, ==, N_SUBMITTERS * n_tasks_per_submitter);
  for (guint i = 0; i < round.records->len; i++)
    {
      Record *record = round.records->pdata[i];

      g_assert_cmpint (record->n_callbacks, ==, 1);
      g_assert_cmpint (record->n_destroys, ==, 1);
      if (record->error_code == G_IO_ERROR_CLOSED)
        {
          g_assert_true (close_it);
          g_assert_false (record->ran);
        }
      if (record->ran)
        n_ran++;
      else
        n_rejected++;
    }

  g_test_message ("seed %u: %u ran, %u never ran, %s",
                  seed, n_ran, n_rejected, close_it ? "closed" : "last unref");

  g_ptr_array_unref (round.records);

  /* The pool let go of them with its last task that used them. */
  for (guint i = 0; i < N_SHARED_CANCELLABLES; i++)
    {
      g_assert_false (g_signal_has_handler_pending (round.shared_cancellables[i],
                                                    g_signal_lookup ("cancelled", G_TYPE_CANCELLABLE),
                                                    0, FALSE));
      g_object_unref (round.shared_cancellables[i]);
    }
  g_ptr_array_unref (round.states);
  g_mutex_clear (&round.mutex);
  g_rand_free (rand);
}

static gint64 long_seconds;

static void
test_stress (void)
{
  gint64 end = g_get_monotonic_time () + long_seconds * G_TIME_SPAN_SECOND;
  guint n_rounds = 0;

  do
    {
      run_round (g_test_rand_int (), long_seconds > 0 ? 5000 : 1000);
      n_rounds++;
    }
  while (n_rounds < 4 || g_get_monotonic_time () < end);

  g_test_message ("%u rounds", n_rounds);
}

int
main (int   argc,
      char *argv[])
{
  for (int i = 1; i < argc; i++)
    if (g_str_has_prefix (argv[i], "--long"))
      {
        long_seconds = argv[i][6] == '=' ? g_ascii_strtoll (argv[i] + 7, NULL, 10) : 600;
        memmove (&argv[i], &argv[i + 1], (argc - i) * sizeof (char *));
        argc--;
        i--;
      }

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Mwt/Stress/nothing-lost-twice-or-misplaced", test_stress);

  return g_test_run ();
}
