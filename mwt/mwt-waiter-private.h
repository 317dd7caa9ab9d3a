/* mwt-waiter-private.h
 *
 * SPDX-FileCopyrightText: 2026 The mwt authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#ifndef MWT_COMPILATION
# error "mwt-waiter-private.h is internal to mwt"
#endif

#include "mwt-pool.h"
#include "mwt-dispatcher-private.h"

G_BEGIN_DECLS

/* A caller waiting for the pool to reach a state: a close, a drain or a
 * creation, completed from an idle source on the caller's context.
 */
typedef struct _MwtWaiter
{
  /* Queued on a dispatcher to finish after the items before it. */
  MwtDispatchItem item;
  GList         link;
  MwtPool      *pool;
  GTask        *task;
  gulong        cancelled_id;
  /* Guarded by the pool's mutex: the queue the waiter sits in, if any. */
  GQueue       *queue;
  GError       *error;
  /* A drain waits for the n_remaining jobs submitted up to last_seq. */
  guint64       last_seq;
  guint         n_remaining;
  gint          priority;
} MwtWaiter;

MwtWaiter *mwt_waiter_new                      (MwtPool   *pool,
                                                GTask     *task);
MwtWaiter *mwt_waiter_new_cancellable          (MwtPool   *pool,
                                                GTask     *task);
void       mwt_waiter_wait_locked              (MwtWaiter *waiter,
                                                GQueue    *queue);
void       mwt_waiter_finish_locked            (MwtWaiter *waiter,
                                                GError    *error);
void       mwt_waiter_finish_after_locked      (MwtWaiter     *waiter,
                                                MwtDispatcher *dispatcher);
void       mwt_pool_finish_exit_waiters_locked (MwtPool   *pool);

G_END_DECLS
