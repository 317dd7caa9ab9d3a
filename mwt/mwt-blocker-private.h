/* mwt-blocker-private.h: a thread blocked in one of mwt's waits
 *
 * SPDX-FileCopyrightText: 2026 The mwt authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A blocked thread clears the flag with mwt_blocker_prepare(), checks
 * what it waits for, then waits: a wake in between is never lost. Whoever
 * may have changed what it waits for wakes it. While the thread iterates
 * a context instead of sleeping, a wake interrupts that context's poll.
 */
typedef struct _MwtBlocker
{
  GMutex        mutex;
  GCond         cond;
  gboolean      woken;
  GMainContext *iterating;
} MwtBlocker;

void     mwt_blocker_init          (MwtBlocker   *blocker);
void     mwt_blocker_clear         (MwtBlocker   *blocker);
void     mwt_blocker_prepare       (MwtBlocker   *blocker);
void     mwt_blocker_wait          (MwtBlocker   *blocker);
void     mwt_blocker_wake          (MwtBlocker   *blocker);
void     mwt_blocker_wake_all      (GList        *blockers);
void     mwt_blocker_finish        (MwtBlocker   *blocker,
                                    gboolean     *finished);
gboolean mwt_blocker_is_finished   (MwtBlocker   *blocker,
                                    gboolean     *finished);
void     mwt_blocker_set_iterating (MwtBlocker   *blocker,
                                    GMainContext *context);

G_END_DECLS
