/* mwt-main-private.h
 *
 * SPDX-FileCopyrightText: 2026 The mwt authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#ifndef MWT_COMPILATION
# error "mwt-main-private.h is internal to mwt"
#endif

#include "mwt-pool.h"
#include "mwt-blocker-private.h"

G_BEGIN_DECLS

typedef gboolean (*MwtWaitPredicate) (gpointer data);

void     mwt_main_wait                (GMainContext     *context,
                                       MwtBlocker       *blocker,
                                       MwtWaitPredicate  done,
                                       gpointer          data);
gboolean mwt_main_is_running_call_of  (MwtPool          *pool);

G_END_DECLS
