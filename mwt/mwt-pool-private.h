/* mwt-pool-private.h
 *
 * SPDX-FileCopyrightText: 2026 The mwt authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#ifndef MWT_COMPILATION
# error "mwt-pool-private.h is internal to mwt"
#endif

#include "mwt-pool.h"
#include "mwt-cancel-watch-private.h"
#include "mwt-scheduler-private.h"
#include "mwt-worker-private.h"

G_BEGIN_DECLS

typedef struct _MwtNotifier MwtNotifier;

struct _MwtPool
{
  GObject          parent_instance;

  /* Set before the first thread starts, then read-only. */
  MwtThreadFuncs   funcs;
  GDestroyNotify   init_data_destroy;
  GDestroyNotify   at_exit_data_destroy;
  GMainContext    *context;

  /* Guards n_threads and resizing. */
  GMutex           mutex;
  guint            n_threads;
  guint            resizing : 1;

  /* Atomic: set once GInitable or GAsyncInitable started the pool. */
  gint             initialized;

  MwtScheduler     scheduler;
  MwtWorkers       workers;
  MwtNotifier     *notifier;

  /* Away from the scheduler, whose lock and counters the pool's threads
   * write all the time: submitters and completions take this lock.
   */
  MwtCancelWatches cancel_watches;
};

G_END_DECLS
