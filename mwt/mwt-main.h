/* mwt-main.h
 *
 * SPDX-FileCopyrightText: 2026 The mwt authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (MWT_INSIDE) && !defined (MWT_COMPILATION)
# error "Only <mwt.h> can be included directly."
#endif

#include <gio/gio.h>

#include "mwt-version-macros.h"

G_BEGIN_DECLS

/**
 * MwtMainFunc:
 * @user_data: (closure): the data given to mwt_run_in_main()
 * @error: return location for a #GError
 *
 * A function that mwt_run_in_main() runs on the main context.
 *
 * Returns: (nullable) (transfer full): the result handed back to the
 *   caller of mwt_run_in_main(), or %NULL with @error set on failure
 *
 * Since: 1.0
 */
typedef gpointer (*MwtMainFunc) (gpointer   user_data,
                                 GError   **error);

/**
 * MwtMainTaskFunc:
 * @task: a #GTask to complete, now or later, with g_task_return_pointer()
 *   or g_task_return_error()
 * @user_data: (closure): the data given to mwt_run_in_main_task()
 *
 * A function that mwt_run_in_main_task() runs on the main context. It
 * may return before @task is completed; the waiting thread resumes once
 * it is.
 *
 * Since: 1.0
 */
typedef void (*MwtMainTaskFunc) (GTask    *task,
                                 gpointer  user_data);

MWT_AVAILABLE_IN_ALL
gpointer mwt_run_in_main                   (MwtMainFunc       func,
                                            gpointer          user_data,
                                            GError          **error);
MWT_AVAILABLE_IN_ALL
void     mwt_run_in_main_closure           (GClosure         *closure);
MWT_AVAILABLE_IN_ALL
gpointer mwt_run_in_main_task              (MwtMainTaskFunc   func,
                                            gpointer          user_data,
                                            GError          **error);
MWT_AVAILABLE_IN_ALL
void     mwt_run_in_main_dont_wait         (GSourceOnceFunc   func,
                                            gpointer          user_data,
                                            GDestroyNotify    notify);
MWT_AVAILABLE_IN_ALL
void     mwt_run_in_main_dont_wait_closure (GClosure         *closure);

G_END_DECLS
