/* mwt-pool.h
 *
 * SPDX-FileCopyrightText: 2026 The mwt authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (MWT_INSIDE) && !defined (MWT_COMPILATION)
# error "Only <mwt.h> can be included directly."
#endif

#include <gio/gio.h>

#include "mwt-runner.h"
#include "mwt-version-macros.h"

G_BEGIN_DECLS

/**
 * MWT_TYPE_POOL:
 *
 * The #GType of #MwtPool.
 *
 * Since: 1.0
 */
#define MWT_TYPE_POOL (mwt_pool_get_type ())

/**
 * MwtPool:
 *
 * A pool of worker threads, each with its own state. The structure is
 * opaque; use the functions below.
 *
 * Since: 1.0
 */
MWT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (MwtPool, mwt_pool, MWT, POOL, GObject)

/**
 * MwtThreadInitFunc:
 * @user_data: (closure): the user data given when the pool was created
 * @error: return location for a #GError
 *
 * Builds the state of one pool thread. It runs inside the new thread,
 * once per thread, before that thread runs any task.
 *
 * Returns: (nullable) (transfer full): the thread's state, or %NULL with
 *   @error set if the thread cannot be set up. %NULL without an error is a
 *   valid state.
 *
 * Since: 1.0
 */
typedef gpointer (*MwtThreadInitFunc) (gpointer   user_data,
                                       GError   **error);

/**
 * MwtThreadExitFunc:
 * @thread_state: (nullable) (transfer full): the state returned by the
 *   thread's #MwtThreadInitFunc
 * @user_data: (closure): the user data given when the pool was created
 *
 * Releases the state of one pool thread. It runs inside that thread, just
 * before the thread exits, and only for threads whose init succeeded.
 *
 * Since: 1.0
 */
typedef void (*MwtThreadExitFunc) (gpointer thread_state,
                                   gpointer user_data);

/**
 * MwtPoolThreadFunc:
 * @task: the #GTask given to mwt_pool_run_task()
 * @source_object: (type GObject) (nullable): @task's source object
 * @task_data: (nullable): @task's task data
 * @cancellable: (nullable): @task's #GCancellable
 * @thread_state: (nullable): the state of the pool thread running the function
 *
 * The function run on a pool thread by mwt_pool_run_task(). Like a
 * #GTaskThreadFunc, it completes @task with one of the g_task_return_*()
 * functions; the task's callback then runs on the task's own context.
 *
 * Since: 1.0
 */
typedef void (*MwtPoolThreadFunc) (GTask        *task,
                                   gpointer      source_object,
                                   gpointer      task_data,
                                   GCancellable *cancellable,
                                   gpointer      thread_state);

/**
 * MwtPoolFunc:
 * @thread_state: (nullable): the state of the pool thread running the function
 * @func_data: (closure): the data given to mwt_pool_run_async() or
 *   mwt_pool_run_sync()
 * @cancellable: (nullable): the #GCancellable given with @func_data
 * @error: return location for a #GError
 *
 * The function run on a pool thread by mwt_pool_run_async() and
 * mwt_pool_run_sync().
 *
 * Returns: (nullable) (transfer full): the result handed to
 *   mwt_pool_run_finish() or returned by mwt_pool_run_sync(), or %NULL
 *   with @error set on failure
 *
 * Since: 1.0
 */
typedef gpointer (*MwtPoolFunc) (gpointer       thread_state,
                                 gpointer       func_data,
                                 GCancellable  *cancellable,
                                 GError       **error);

MWT_AVAILABLE_IN_ALL
void          mwt_pool_new_async      (guint                 n_threads,
                                       MwtThreadInitFunc     init,
                                       MwtThreadExitFunc     at_exit,
                                       gpointer              user_data,
                                       GDestroyNotify        user_data_destroy,
                                       int                   io_priority,
                                       GCancellable         *cancellable,
                                       GAsyncReadyCallback   callback,
                                       gpointer              callback_data);
MWT_AVAILABLE_IN_ALL
void          mwt_pool_new_full_async (guint                 n_threads,
                                       MwtThreadInitFunc     init,
                                       gpointer              init_data,
                                       GDestroyNotify        init_data_destroy,
                                       MwtThreadExitFunc     at_exit,
                                       gpointer              at_exit_data,
                                       GDestroyNotify        at_exit_data_destroy,
                                       int                   io_priority,
                                       GCancellable         *cancellable,
                                       GAsyncReadyCallback   callback,
                                       gpointer              callback_data);
MWT_AVAILABLE_IN_ALL
MwtPool      *mwt_pool_new_finish     (GAsyncResult         *result,
                                       GError              **error) G_GNUC_WARN_UNUSED_RESULT;
MWT_AVAILABLE_IN_ALL
MwtPool      *mwt_pool_new            (guint                 n_threads,
                                       MwtThreadInitFunc     init,
                                       MwtThreadExitFunc     at_exit,
                                       gpointer              user_data,
                                       GDestroyNotify        user_data_destroy,
                                       GError              **error) G_GNUC_WARN_UNUSED_RESULT;
MWT_AVAILABLE_IN_ALL
MwtPool      *mwt_pool_new_full       (guint                 n_threads,
                                       MwtThreadInitFunc     init,
                                       gpointer              init_data,
                                       GDestroyNotify        init_data_destroy,
                                       MwtThreadExitFunc     at_exit,
                                       gpointer              at_exit_data,
                                       GDestroyNotify        at_exit_data_destroy,
                                       GError              **error) G_GNUC_WARN_UNUSED_RESULT;

MWT_AVAILABLE_IN_ALL
guint         mwt_pool_get_n_threads  (MwtPool              *pool);
MWT_AVAILABLE_IN_ALL
gboolean      mwt_pool_set_n_threads  (MwtPool              *pool,
                                       guint                 n_threads,
                                       GError              **error);
MWT_AVAILABLE_IN_ALL
gboolean      mwt_pool_is_closed      (MwtPool              *pool);
MWT_AVAILABLE_IN_ALL
guint         mwt_pool_get_n_busy     (MwtPool              *pool);
MWT_AVAILABLE_IN_ALL
guint         mwt_pool_get_n_queued   (MwtPool              *pool);
MWT_AVAILABLE_IN_ALL
GMainContext *mwt_pool_get_context    (MwtPool              *pool);
MWT_AVAILABLE_IN_ALL
MwtPool      *mwt_pool_get_current    (void);

MWT_AVAILABLE_IN_ALL
void          mwt_pool_run_task       (MwtPool              *pool,
                                       GTask                *task,
                                       MwtPoolThreadFunc     func);
MWT_AVAILABLE_IN_ALL
void          mwt_pool_run_async      (MwtPool              *pool,
                                       MwtPoolFunc           func,
                                       gpointer              func_data,
                                       GDestroyNotify        func_data_destroy,
                                       GDestroyNotify        result_destroy,
                                       int                   io_priority,
                                       GCancellable         *cancellable,
                                       GAsyncReadyCallback   callback,
                                       gpointer              user_data);
MWT_AVAILABLE_IN_ALL
gpointer      mwt_pool_run_finish     (MwtPool              *pool,
                                       GAsyncResult         *result,
                                       GError              **error);
MWT_AVAILABLE_IN_ALL
gpointer      mwt_pool_run_sync       (MwtPool              *pool,
                                       MwtPoolFunc           func,
                                       gpointer              func_data,
                                       GDestroyNotify        result_destroy,
                                       int                   io_priority,
                                       GCancellable         *cancellable,
                                       GError              **error);

MWT_AVAILABLE_IN_ALL
void          mwt_pool_push           (MwtPool              *pool,
                                       MwtRunner            *runner,
                                       gpointer              item,
                                       int                   io_priority,
                                       GCancellable         *cancellable);
MWT_AVAILABLE_IN_ALL
gboolean      mwt_pool_push_sync      (MwtPool              *pool,
                                       MwtRunner            *runner,
                                       gpointer              item,
                                       int                   io_priority,
                                       GCancellable         *cancellable,
                                       GError              **error);

MWT_AVAILABLE_IN_ALL
void          mwt_pool_drain_async    (MwtPool              *pool,
                                       int                   io_priority,
                                       GCancellable         *cancellable,
                                       GAsyncReadyCallback   callback,
                                       gpointer              user_data);
MWT_AVAILABLE_IN_ALL
gboolean      mwt_pool_drain_finish   (MwtPool              *pool,
                                       GAsyncResult         *result,
                                       GError              **error);
MWT_AVAILABLE_IN_ALL
gboolean      mwt_pool_drain          (MwtPool              *pool,
                                       GCancellable         *cancellable,
                                       GError              **error);

MWT_AVAILABLE_IN_ALL
void          mwt_pool_close_async    (MwtPool              *pool,
                                       int                   io_priority,
                                       GCancellable         *cancellable,
                                       GAsyncReadyCallback   callback,
                                       gpointer              user_data);
MWT_AVAILABLE_IN_ALL
gboolean      mwt_pool_close_finish   (MwtPool              *pool,
                                       GAsyncResult         *result,
                                       GError              **error);
MWT_AVAILABLE_IN_ALL
gboolean      mwt_pool_close          (MwtPool              *pool,
                                       GCancellable         *cancellable,
                                       GError              **error);

G_END_DECLS
