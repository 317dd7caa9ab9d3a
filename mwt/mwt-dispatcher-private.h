/* mwt-dispatcher-private.h
 *
 * SPDX-FileCopyrightText: 2026 The mwt authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _MwtDispatcher   MwtDispatcher;
typedef struct _MwtDispatchItem MwtDispatchItem;

typedef void (*MwtDispatchFunc) (MwtDispatchItem *item);

/* Embedded in whatever a thread hands to a main context: the link is free
 * while the item is not queued, so the same link can first sit in another
 * queue (a pool's run queue, say) under the same lock.
 */
struct _MwtDispatchItem
{
  GList           link;
  MwtDispatchFunc func;
};

/* The _locked functions are called with the owner's lock held, so that
 * items arrive in the order of the owner's events; the dispatcher's own
 * lock nests inside it.
 */
MwtDispatcher *mwt_dispatcher_new              (GMainContext    *context);
GMainContext  *mwt_dispatcher_get_context      (MwtDispatcher   *self);
void           mwt_dispatcher_push_locked      (MwtDispatcher   *self,
                                                MwtDispatchItem *item);
gboolean       mwt_dispatcher_push_unwoken_locked (MwtDispatcher   *self,
                                                   MwtDispatchItem *item);
void           mwt_dispatcher_wake             (MwtDispatcher   *self);
void           mwt_dispatcher_push_call_locked (MwtDispatcher   *self,
                                                MwtDispatchItem *item);
void           mwt_dispatcher_steal_locked     (MwtDispatcher   *self,
                                                GQueue          *items);
void           mwt_dispatcher_steal_calls_locked (MwtDispatcher *self,
                                                  GQueue        *calls);
void           mwt_dispatcher_destroy          (MwtDispatcher   *self);
void           mwt_dispatch_items              (GQueue          *items);

G_END_DECLS
