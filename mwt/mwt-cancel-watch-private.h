/* mwt-cancel-watch-private.h: one cancellation handler per cancellable
 * that a pool's jobs use, however many share it
 *
 * SPDX-FileCopyrightText: 2026 The mwt authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#ifndef MWT_COMPILATION
# error "mwt-cancel-watch-private.h is internal to mwt"
#endif

#include "mwt-job-private.h"
#include "mwt-scheduler-private.h"

G_BEGIN_DECLS

/* The cancellables that a pool's jobs use, each with the jobs that use it
 * and one "cancelled" handler (see mwt-cancel-watch.c).
 */
typedef struct _MwtCancelWatches
{
  MwtScheduler *scheduler;

  /* Guards the table and the jobs of every watch in it. The scheduler's
   * lock nests inside it; never held while GLib's cancellable lock is
   * taken (connecting, disconnecting).
   */
  GMutex        mutex;
  /* GCancellable * -> MwtCancelWatch * */
  GHashTable   *watches;
} MwtCancelWatches;

void mwt_cancel_watches_init  (MwtCancelWatches *self,
                               MwtScheduler     *scheduler);
void mwt_cancel_watches_clear (MwtCancelWatches *self);

void mwt_cancel_watch_join    (MwtCancelWatches *watches,
                               MwtJobFull       *full);
void mwt_cancel_watch_leave   (MwtJobFull       *full);

G_END_DECLS
