/* mwt-runner.c
 *
 * SPDX-FileCopyrightText: 2026 The mwt authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "mwt-runner-private.h"

/**
 * SECTION:mwt-runner
 * @title: MwtRunner
 * @short_description: one function for many items, for bindings and
 *   GThreadPool-style work
 *
 * An #MwtRunner holds, once for all, the function that a pool runs on
 * each item, and the function told on the main context once each item is
 * done. mwt_pool_push() then hands the pool an item: a pointer, nothing
 * more. No function, closure or #GTask is made per item, which makes it
 * the cheapest way to run many small tasks, in the shape of
 * g_thread_pool_push(), with the pool's per-thread state, priorities,
 * cancellation and closing.
 *
 * Language bindings run their tasks this way. A binding that hands a
 * function of its language to mwt_pool_run_async() makes a native closure
 * for each call, and some never free it (PyGObject before 3.44.2 keeps
 * about 125 bytes per callback): a long-running program would grow with
 * every task. With a runner made once, a task is an item, typically the
 * key under which the binding keeps the task's own function and result.
 *
 * |[<!-- language="C" -->
 * static void
 * hash_file (gpointer thread_state, gpointer item, GCancellable *cancellable,
 *            gpointer user_data)
 * {
 *   FileJob *job = item;
 *
 *   job->digest = hash_with (thread_state, job->path, cancellable);
 * }
 *
 * static void
 * file_hashed (gpointer item, const GError *error, gpointer user_data)
 * {
 *   FileJob *job = item;
 *
 *   if (error == NULL)
 *     record_digest (user_data, job->path, job->digest);
 *   file_job_free (job);
 * }
 *
 *   runner = mwt_runner_new (MWT_RUNNER_DEFAULT, hash_file, NULL, NULL,
 *                            file_hashed, table, NULL);
 *   for (GList *l = files; l != NULL; l = l->next)
 *     mwt_pool_push (pool, runner, file_job_new (l->data), G_PRIORITY_DEFAULT, cancellable);
 * ]|
 *
 * Since: 1.0
 */

G_DEFINE_FINAL_TYPE (MwtRunner, mwt_runner, G_TYPE_OBJECT)

static void
mwt_runner_finalize (GObject *object)
{
  MwtRunner *runner = MWT_RUNNER (object);

  if (runner->func_data_destroy != NULL)
    runner->func_data_destroy (runner->func_data);
  if (runner->done_data_destroy != NULL)
    runner->done_data_destroy (runner->done_data);

  G_OBJECT_CLASS (mwt_runner_parent_class)->finalize (object);
}

static void
mwt_runner_class_init (MwtRunnerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = mwt_runner_finalize;
}

static void
mwt_runner_init (MwtRunner *runner)
{
}

/**
 * mwt_runner_new:
 * @flags: how the items end
 * @func: (scope notified) (closure func_data) (destroy func_data_destroy):
 *   the function run on a pool thread for each item
 * @func_data: data for @func
 * @func_data_destroy: (nullable): frees @func_data once the runner is
 *   finalized
 * @done: (scope notified) (closure done_data) (destroy done_data_destroy) (nullable):
 *   the function called on the pusher's context once an item is done, or
 *   %NULL
 * @done_data: data for @done
 * @done_data_destroy: (nullable): frees @done_data once the runner is
 *   finalized
 *
 * Makes a runner, to hand items to pools with mwt_pool_push() and
 * mwt_pool_push_sync(). Each item pushed is run by @func on a pool thread,
 * unless it is cancelled while it waits or the pool closes first; then
 * @done, if any, is told on the pusher's thread-default main context.
 *
 * With %MWT_RUNNER_IN_PLACE, or without @done, an item pushed with
 * mwt_pool_push() needs no main context: it ends where it ends, on the
 * pool thread that ran it (after @func), or on the thread that closed the
 * pool or cancelled it. There, @done, if any, is told of an item that
 * never ran. Without @done, nothing tells that an item never ran.
 *
 * Every item in flight keeps a reference to the runner.
 *
 * Returns: (transfer full): a new #MwtRunner
 *
 * Since: 1.0
 */
MwtRunner *
mwt_runner_new (MwtRunnerFlags    flags,
                MwtRunnerFunc     func,
                gpointer          func_data,
                GDestroyNotify    func_data_destroy,
                MwtRunnerDoneFunc done,
                gpointer          done_data,
                GDestroyNotify    done_data_destroy)
{
  MwtRunner *runner;

  g_return_val_if_fail (func != NULL, NULL);

  runner = g_object_new (MWT_TYPE_RUNNER, NULL);
  runner->flags = flags;
  runner->func = func;
  runner->func_data = func_data;
  runner->func_data_destroy = func_data_destroy;
  runner->done = done;
  runner->done_data = done_data;
  runner->done_data_destroy = done_data_destroy;

  return runner;
}
