/* mwt-dispatcher-private.h: what other threads hand to one GMainContext
 *
 * SPDX-FileCopyrightText: 2026 The mwt authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#ifndef MWT_COMPILATION
# error "mwt-dispatcher-private.h is internal to mwt"
#endif

#include <glib.h>

#include "mwt-blocker-private.h"

G_BEGIN_DECLS

typedef struct _MwtDispatcher   MwtDispatcher;
typedef struct _MwtDispatchItem MwtDispatchItem;
typedef struct _MwtWakeup       MwtWakeup;

typedef void     (*MwtDispatchFunc)   (MwtDispatchItem *item);
typedef gboolean (*MwtDispatchFilter) (MwtDispatchItem *item,
                                       gpointer         data);

/* Embedded at the start of whatever a thread hands to a context. The
 * link may sit in another queue first (a run queue, say); its data is
 * the function that dispatches the item on the context, which may free
 * the item. An item still queued when the context is finalized is
 * dispatched then (see mwt_dispatcher_is_dead()).
 */
struct _MwtDispatchItem
{
  GList link;
};

static inline void
mwt_dispatch_item_init (MwtDispatchItem *item,
                        MwtDispatchFunc  func)
{
  item->link.data = (gpointer) func;
  item->link.next = item->link.prev = NULL;
}

MwtDispatcher *mwt_dispatcher_get_for_context    (GMainContext      *context);
MwtDispatcher *mwt_dispatcher_ref                (MwtDispatcher     *self);
void           mwt_dispatcher_unref              (MwtDispatcher     *self);
gboolean       mwt_dispatcher_serves             (MwtDispatcher     *self,
                                                  GMainContext      *context);
gboolean       mwt_dispatcher_is_dead            (MwtDispatcher     *self);

MwtWakeup     *mwt_dispatcher_push               (MwtDispatcher     *self,
                                                  MwtDispatchItem   *item) G_GNUC_WARN_UNUSED_RESULT;
void           mwt_dispatcher_push_call          (MwtDispatcher     *self,
                                                  MwtDispatchItem   *item);
void           mwt_dispatcher_take_calls         (MwtDispatcher     *self,
                                                  GQueue            *calls,
                                                  MwtDispatchFilter  take,
                                                  gpointer           data);

void           mwt_dispatcher_add_blocker        (MwtDispatcher     *self,
                                                  MwtBlocker        *blocker);
void           mwt_dispatcher_remove_blocker     (MwtDispatcher     *self,
                                                  MwtBlocker        *blocker);
void           mwt_dispatcher_wake_blockers      (MwtDispatcher     *self);

void           mwt_dispatcher_main_task_started  (MwtDispatcher     *self);
void           mwt_dispatcher_main_task_finished (MwtDispatcher     *self);
gboolean       mwt_dispatcher_has_main_tasks     (MwtDispatcher     *self);

void           mwt_wakeup_signal                 (MwtWakeup         *wakeup);

void           mwt_dispatch_items                (GQueue            *items);

void           mwt_context_unref_after_dispatch  (GMainContext      *context);

G_END_DECLS
