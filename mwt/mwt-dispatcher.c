/* mwt-dispatcher.c: completes, in batches, the work that other threads hand
 * back to one GMainContext
 *
 * SPDX-FileCopyrightText: 2026 The mwt authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "mwt-dispatcher-private.h"

/* One source per (pool, context) replaces GTask's idle source per completed
 * task: a thread hands an item back by queueing it, and only the first item
 * of a batch wakes the context up.
 *
 * The queues have a lock of their own, taken inside the owner's lock by
 * the threads that push: the dispatch then needs only the source, which
 * GLib keeps alive while it runs, and never the owner, which another
 * thread may be finalizing meanwhile.
 */
struct _MwtDispatcher
{
  GSource       source;

  /* Owned: the pool keeps every context it completes work on alive until
   * it is finalized, so a wake-up never races with the context's end.
   */
  GMainContext *context;

  /* Calls run before completions, and a thread blocked on the owner's
   * behalf may run them too (see mwt_pool_wait_locked()).
   */
  GMutex        mutex;
  GQueue        calls;
  GQueue        done;

  /* Atomic: read by prepare and check with the context's lock held, where
   * taking another lock would invert the lock order.
   */
  gint          pending;
};

static gboolean
mwt_dispatcher_prepare (GSource *source,
                        gint    *timeout)
{
  MwtDispatcher *self = (MwtDispatcher *) source;

  *timeout = -1;

  return g_atomic_int_get (&self->pending);
}

static gboolean
mwt_dispatcher_check (GSource *source)
{
  MwtDispatcher *self = (MwtDispatcher *) source;

  return g_atomic_int_get (&self->pending);
}

void
mwt_dispatch_items (GQueue *items)
{
  GList *link = items->head;

  /* An item may free itself, or be queued again, with the same link. */
  while (link != NULL)
    {
      MwtDispatchItem *item = link->data;

      link = link->next;
      item->link.prev = item->link.next = NULL;
      item->func (item);
    }
}

static gboolean
mwt_dispatcher_dispatch (GSource     *source,
                         GSourceFunc  callback,
                         gpointer     user_data)
{
  MwtDispatcher *self = (MwtDispatcher *) source;
  GQueue calls;
  GQueue done;

  g_mutex_lock (&self->mutex);
  g_atomic_int_set (&self->pending, FALSE);
  calls = self->calls;
  done = self->done;
  g_queue_init (&self->calls);
  g_queue_init (&self->done);
  g_mutex_unlock (&self->mutex);

  /* The last item may drop the last reference to the owner, which then
   * destroys this source; GLib keeps it alive until this returns.
   */
  mwt_dispatch_items (&calls);
  mwt_dispatch_items (&done);

  return G_SOURCE_CONTINUE;
}

static void
mwt_dispatcher_finalize (GSource *source)
{
  MwtDispatcher *self = (MwtDispatcher *) source;

  g_assert (g_queue_is_empty (&self->calls));
  g_assert (g_queue_is_empty (&self->done));
  g_mutex_clear (&self->mutex);
}

static GSourceFuncs mwt_dispatcher_funcs = {
  .prepare = mwt_dispatcher_prepare,
  .check = mwt_dispatcher_check,
  .dispatch = mwt_dispatcher_dispatch,
  .finalize = mwt_dispatcher_finalize,
};

MwtDispatcher *
mwt_dispatcher_new (GMainContext *context)
{
  MwtDispatcher *self;

  self = (MwtDispatcher *) g_source_new (&mwt_dispatcher_funcs, sizeof *self);
  g_mutex_init (&self->mutex);
  self->context = g_main_context_ref (context);
  g_source_set_static_name ((GSource *) self, "[mwt] dispatcher");
  g_source_set_can_recurse ((GSource *) self, TRUE);
  g_source_attach ((GSource *) self, context);

  return self;
}

GMainContext *
mwt_dispatcher_get_context (MwtDispatcher *self)
{
  return self->context;
}

/* The thread iterating the context calls prepare before it polls again,
 * so only other threads need to interrupt the poll (a syscall), and only
 * for the first item of a batch. Returns whether the context needs that.
 */
static gboolean
mwt_dispatcher_push_to (MwtDispatcher   *self,
                        GQueue          *queue,
                        MwtDispatchItem *item)
{
  gboolean first;

  item->link.data = item;

  g_mutex_lock (&self->mutex);
  g_queue_push_tail_link (queue, &item->link);
  first = !g_atomic_int_get (&self->pending);
  if (first)
    g_atomic_int_set (&self->pending, TRUE);
  g_mutex_unlock (&self->mutex);

  return first && !g_main_context_is_owner (self->context);
}

/* Waking with the owner's lock held keeps the source alive meanwhile; the
 * owner's lock comes first, then the dispatcher's or the context's.
 */
void
mwt_dispatcher_push_locked (MwtDispatcher   *self,
                            MwtDispatchItem *item)
{
  if (mwt_dispatcher_push_unwoken_locked (self, item))
    mwt_dispatcher_wake (self);
}

/* Like mwt_dispatcher_push_locked(), for a caller that wakes the context
 * itself once it has released the owner's lock, so that the woken thread
 * does not wait for it. It must know that the owner, and so the
 * dispatcher, lives on meanwhile. Returns whether mwt_dispatcher_wake()
 * is due.
 */
gboolean
mwt_dispatcher_push_unwoken_locked (MwtDispatcher   *self,
                                    MwtDispatchItem *item)
{
  return mwt_dispatcher_push_to (self, &self->done, item);
}

void
mwt_dispatcher_wake (MwtDispatcher *self)
{
  g_main_context_wakeup (self->context);
}

void
mwt_dispatcher_push_call_locked (MwtDispatcher   *self,
                                 MwtDispatchItem *item)
{
  if (mwt_dispatcher_push_to (self, &self->calls, item))
    mwt_dispatcher_wake (self);
}

void
mwt_dispatcher_steal_calls_locked (MwtDispatcher *self,
                                   GQueue        *calls)
{
  g_mutex_lock (&self->mutex);
  *calls = self->calls;
  g_queue_init (&self->calls);
  g_mutex_unlock (&self->mutex);
}

/* Appends every pending item to @items, calls first. */
void
mwt_dispatcher_steal_locked (MwtDispatcher *self,
                             GQueue        *items)
{
  GList *link;

  g_mutex_lock (&self->mutex);
  while ((link = g_queue_pop_head_link (&self->calls)) != NULL)
    g_queue_push_tail_link (items, link);
  while ((link = g_queue_pop_head_link (&self->done)) != NULL)
    g_queue_push_tail_link (items, link);
  g_mutex_unlock (&self->mutex);
}

/* The context goes last: GLib takes the context's lock again after a
 * source's finalize, so a source must not drop its context's last
 * reference from there.
 */
void
mwt_dispatcher_destroy (MwtDispatcher *self)
{
  GMainContext *context = self->context;

  g_source_destroy ((GSource *) self);
  g_source_unref ((GSource *) self);
  g_main_context_unref (context);
}
