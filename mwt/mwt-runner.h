/* mwt-runner.h
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
 * MWT_TYPE_RUNNER:
 *
 * The #GType of #MwtRunner.
 *
 * Since: 1.0
 */
#define MWT_TYPE_RUNNER (mwt_runner_get_type ())

/**
 * MwtRunner:
 *
 * A function to run on pool threads for each item pushed with
 * mwt_pool_push(), and one to call on the pusher's context once each item
 * is done. The structure is opaque.
 *
 * Since: 1.0
 */
MWT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (MwtRunner, mwt_runner, MWT, RUNNER, GObject)

/**
 * MwtRunnerFlags:
 * @MWT_RUNNER_DEFAULT: the done function runs on the thread-default main
 *   context of the thread that pushed the item, as a #GTask's callback
 *   would
 * @MWT_RUNNER_IN_PLACE: items need no main context: an item that ran ends
 *   with the runner's function, on the pool thread that ran it, and the
 *   done function is called only for an item that never ran, where that
 *   was decided (on the thread that cancelled it or closed the pool). For
 *   pushers that do their own synchronization (a future, a binding's own
 *   queue) and may never iterate a main context.
 *
 * How the items of a runner end.
 *
 * Since: 1.0
 */
typedef enum /*< flags >*/
{
  MWT_RUNNER_DEFAULT       = 0,
  MWT_RUNNER_IN_PLACE      = 1 << 0,
} MwtRunnerFlags;

/**
 * MwtRunnerFunc:
 * @thread_state: (nullable): the state of the pool thread running the function
 * @item: (nullable): the item given to mwt_pool_push() or mwt_pool_push_sync()
 * @cancellable: (nullable): the #GCancellable given with @item
 * @user_data: (closure): the data given to mwt_runner_new() with the function
 *
 * The function of a #MwtRunner: runs @item on a pool thread.
 *
 * Since: 1.0
 */
typedef void (*MwtRunnerFunc) (gpointer      thread_state,
                               gpointer      item,
                               GCancellable *cancellable,
                               gpointer      user_data);

/**
 * MwtRunnerDoneFunc:
 * @item: (nullable): the item given to mwt_pool_push()
 * @error: (nullable): why @item never ran (%G_IO_ERROR_CANCELLED or
 *   %G_IO_ERROR_CLOSED), or %NULL once the runner's function ran it
 * @user_data: (closure): the data given to mwt_runner_new() with the function
 *
 * The done function of a #MwtRunner: called once for each item pushed with
 * mwt_pool_push(), on the thread-default main context of the thread that
 * pushed it; with %MWT_RUNNER_IN_PLACE, only for an item that never ran,
 * where that was decided.
 *
 * Since: 1.0
 */
typedef void (*MwtRunnerDoneFunc) (gpointer      item,
                                   const GError *error,
                                   gpointer      user_data);

MWT_AVAILABLE_IN_ALL
MwtRunner *mwt_runner_new (MwtRunnerFlags    flags,
                           MwtRunnerFunc     func,
                           gpointer          func_data,
                           GDestroyNotify    func_data_destroy,
                           MwtRunnerDoneFunc done,
                           gpointer          done_data,
                           GDestroyNotify    done_data_destroy) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
