/* test-util.h: helpers shared by the tests
 *
 * SPDX-FileCopyrightText: 2026 The mwt authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <mwt.h>

/* How long a test waits for something that must happen before it gives up
 * and fails: a hang detector, never a timing assertion.
 */
#define TEST_HANG_TIMEOUT_USEC (60 * G_TIME_SPAN_SECOND)

/* How long a test body run in a child process may take (see
 * test_ran_in_child()): a body that deadlocks is killed then and the test
 * fails. Sanitizers slow every thread down several times over, valgrind
 * (whose test setup sets MWT_TEST_TIMEOUT_SCALE) dozens of times.
 */
#if defined (__SANITIZE_THREAD__) || defined (__SANITIZE_ADDRESS__)
# define TEST_CHILD_TIMEOUT_USEC (30 * G_TIME_SPAN_SECOND)
#else
# define TEST_CHILD_TIMEOUT_USEC (5 * G_TIME_SPAN_SECOND)
#endif

static inline guint64
test_child_timeout_usec (void)
{
  const gchar *scale = g_getenv ("MWT_TEST_TIMEOUT_SCALE");

  return TEST_CHILD_TIMEOUT_USEC * (scale != NULL ? MAX (g_ascii_strtoull (scale, NULL, 10), 1) : 1);
}

/* For a test whose body may hang: in the test program, reruns the current
 * test in a child process with a deadline (g_test_trap_subprocess()),
 * asserts that the child passed, and returns TRUE; in the child, returns
 * FALSE, and the test goes on to its body:
 *
 *   if (test_ran_in_child ())
 *     return;
 *
 * A body that deadlocks is killed at the deadline and fails its test only.
 */
static inline gboolean
test_ran_in_child (void)
{
  if (g_test_subprocess ())
    return FALSE;

  g_test_trap_subprocess (NULL, test_child_timeout_usec (), G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();

  return TRUE;
}

/* A gate that pool threads wait at until the test opens it. */
typedef struct
{
  GMutex   mutex;
  GCond    cond;
  gboolean open;
  guint    n_waiting;
} TestGate;

static inline void
test_gate_init (TestGate *gate)
{
  g_mutex_init (&gate->mutex);
  g_cond_init (&gate->cond);
  gate->open = FALSE;
  gate->n_waiting = 0;
}

static inline void
test_gate_clear (TestGate *gate)
{
  g_mutex_clear (&gate->mutex);
  g_cond_clear (&gate->cond);
}

static inline void
test_gate_cond_wait (TestGate *gate)
{
  gint64 deadline = g_get_monotonic_time () + TEST_HANG_TIMEOUT_USEC;

  if (!g_cond_wait_until (&gate->cond, &gate->mutex, deadline))
    g_error ("test gate: nothing happened in %d s", (int) (TEST_HANG_TIMEOUT_USEC / G_TIME_SPAN_SECOND));
}

static inline void
test_gate_pass (TestGate *gate)
{
  g_mutex_lock (&gate->mutex);
  gate->n_waiting++;
  g_cond_broadcast (&gate->cond);
  while (!gate->open)
    test_gate_cond_wait (gate);
  gate->n_waiting--;
  g_mutex_unlock (&gate->mutex);
}

static inline void
test_gate_wait_for (TestGate *gate,
                    guint     n_waiting)
{
  g_mutex_lock (&gate->mutex);
  while (gate->n_waiting < n_waiting)
    test_gate_cond_wait (gate);
  g_mutex_unlock (&gate->mutex);
}

static inline void
test_gate_open (TestGate *gate)
{
  g_mutex_lock (&gate->mutex);
  gate->open = TRUE;
  g_cond_broadcast (&gate->cond);
  g_mutex_unlock (&gate->mutex);
}

/* A count of events that other threads report, and that a thread waits
 * for: an init or exit function ran, a helper got where it was going.
 */
typedef struct
{
  GMutex mutex;
  GCond  cond;
  guint  count;
} TestCounter;

static inline void
test_counter_init (TestCounter *counter)
{
  g_mutex_init (&counter->mutex);
  g_cond_init (&counter->cond);
  counter->count = 0;
}

static inline void
test_counter_clear (TestCounter *counter)
{
  g_mutex_clear (&counter->mutex);
  g_cond_clear (&counter->cond);
}

static inline void
test_counter_add (TestCounter *counter)
{
  g_mutex_lock (&counter->mutex);
  counter->count++;
  g_cond_broadcast (&counter->cond);
  g_mutex_unlock (&counter->mutex);
}

static inline guint
test_counter_get (TestCounter *counter)
{
  guint count;

  g_mutex_lock (&counter->mutex);
  count = counter->count;
  g_mutex_unlock (&counter->mutex);

  return count;
}

static inline void
test_counter_wait_for (TestCounter *counter,
                       guint        count)
{
  gint64 deadline = g_get_monotonic_time () + TEST_HANG_TIMEOUT_USEC;

  g_mutex_lock (&counter->mutex);
  while (counter->count < count)
    if (!g_cond_wait_until (&counter->cond, &counter->mutex, deadline))
      g_error ("test counter: still %u of %u after %d s", counter->count, count,
               (int) (TEST_HANG_TIMEOUT_USEC / G_TIME_SPAN_SECOND));
  g_mutex_unlock (&counter->mutex);
}

/* Waits, polling, until @condition holds: only for a state that no event
 * announces and that must come soon (a count another thread updates).
 */
#define test_poll_until(condition) \
  G_STMT_START { \
    gint64 test_poll_deadline = g_get_monotonic_time () + TEST_HANG_TIMEOUT_USEC; \
    while (!(condition)) \
      { \
        if (g_get_monotonic_time () > test_poll_deadline) \
          g_error ("still not true: %s", #condition); \
        g_usleep (1000); \
      } \
  } G_STMT_END

/* Dispatches what @context has ready, without blocking, until nothing is. */
static inline void
test_iterate_pending (GMainContext *context)
{
  while (g_main_context_iteration (context, FALSE))
    ;
}

/* Iterates @context until *@flag is set. */
#define test_iterate_until(context, condition) \
  G_STMT_START { \
    while (!(condition)) \
      g_main_context_iteration ((context), TRUE); \
  } G_STMT_END

static inline void
test_store_result (GObject      *source_object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GAsyncResult **result_out = user_data;

  g_assert_null (*result_out);
  *result_out = g_object_ref (result);
}

/* Pool functions that do nothing but return. */
static inline gpointer
test_return_func_data (gpointer       thread_state,
                       gpointer       func_data,
                       GCancellable  *cancellable,
                       GError       **error)
{
  return func_data;
}

/* Holds a pool thread at the TestGate @func_data until the gate opens. */
static inline gpointer
test_pass_gate (gpointer       thread_state,
                gpointer       func_data,
                GCancellable  *cancellable,
                GError       **error)
{
  test_gate_pass (func_data);

  return NULL;
}

static inline void
test_return_true (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable,
                  gpointer      thread_state)
{
  g_task_return_boolean (task, TRUE);
}

static inline void
test_return_task_data (GTask        *task,
                       gpointer      source_object,
                       gpointer      task_data,
                       GCancellable *cancellable,
                       gpointer      thread_state)
{
  g_task_return_pointer (task, task_data, NULL);
}
