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
