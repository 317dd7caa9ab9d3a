/* mwt-waiter-private.h: completing a pool's creation, drains and closes
 *
 * SPDX-FileCopyrightText: 2026 The mwt authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#ifndef MWT_COMPILATION
# error "mwt-waiter-private.h is internal to mwt"
#endif

#include "mwt-pool-private.h"

G_BEGIN_DECLS

typedef struct _MwtWaiter MwtWaiter;

MwtWaiter *mwt_waiter_new          (MwtPool        *pool,
                                    GTask          *task);
void       mwt_waiter_drain        (MwtWaiter      *waiter);
void       mwt_waiter_close        (MwtWaiter      *waiter);
void       mwt_waiter_start        (MwtWaiter      *waiter,
                                    guint           n_threads);

G_END_DECLS
