/* mwt-dispatcher.c: delivers, in batches, what other threads hand back to
 * one GMainContext
 *
 * SPDX-FileCopyrightText: 2026 The mwt authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <unistd.h>
#ifdef HAVE_EVENTFD
# include <sys/eventfd.h>
#else
# include <glib-unix.h>
#endif

#include "mwt-dispatcher-private.h"

/* One dispatcher per GMainContext, shared by every pool: a source that
 * replaces GTask's idle source per completed task. A thread hands an item
 * back by queueing it; only the first item of a batch wakes the context.
 *
 * A dispatcher lives as long as its context and holds no reference to
 * it, so that a context dropped by its thread goes away with everything
 * it owns. Threads that push never touch the context: they wake it
 * through a file descriptor of the dispatcher's own, which they keep
 * open with a reference while they signal after their locks are
 * released, even if the context is finalized meanwhile.
 */

/* The longest a dispatch delivers completions before it lets the other
 * sources of the context run: a tenth of a 60 Hz frame.
 */
#define MWT_DISPATCH_BUDGET_USEC 1500
#define MWT_DISPATCH_CLOCK_EVERY 16

struct _MwtWakeup
{
  gint ref_count;
  gint fds[2];
};

struct _MwtDispatcher
{
  gint          ref_count;

  /* Not owned, and valid only while the dispatcher is alive (!dead). */
  GMainContext *context;
  /* Dropped, under the lock, once the context is gone. */
  MwtWakeup    *wakeup;

  /* Guards the queues and the blockers. Taken by pushing threads and by
   * the dispatch; never held while an item runs.
   */
  GMutex        mutex;
  GQueue        calls;
  GQueue        done;
  GList        *blockers;

  /* Atomic. */
  gint          pending;
  gint          dead;
  gint          n_main_tasks;

  /* Touched only by the thread that iterates the context. */
  gint64        busy_since;
  gboolean      yield;
};

typedef struct
{
  GSource        source;
  MwtDispatcher *dispatcher;
  gpointer       tag;
} MwtDispatchSource;

static GMutex      registry_lock;
static GHashTable *registry;

/* Wake-ups */

static MwtWakeup *
mwt_wakeup_new (void)
{
  MwtWakeup *wakeup = g_new (MwtWakeup, 1);
  GError *error = NULL;

  wakeup->ref_count = 1;
#ifdef HAVE_EVENTFD
  wakeup->fds[0] = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);
  wakeup->fds[1] = -1;
  if (wakeup->fds[0] < 0)
    g_error ("mwt: cannot create an eventfd: %s", g_strerror (errno));
#else
  if (!g_unix_open_pipe (wakeup->fds, FD_CLOEXEC, &error) ||
      !g_unix_set_fd_nonblocking (wakeup->fds[0], TRUE, &error) ||
      !g_unix_set_fd_nonblocking (wakeup->fds[1], TRUE, &error))
    g_error ("mwt: cannot create a pipe: %s", error->message);
#endif
  g_clear_error (&error);

  return wakeup;
}

static MwtWakeup *
mwt_wakeup_ref (MwtWakeup *wakeup)
{
  g_atomic_int_inc (&wakeup->ref_count);

  return wakeup;
}

static void
mwt_wakeup_unref (MwtWakeup *wakeup)
{
  if (!g_atomic_int_dec_and_test (&wakeup->ref_count))
    return;

  close (wakeup->fds[0]);
  if (wakeup->fds[1] >= 0)
    close (wakeup->fds[1]);
  g_free (wakeup);
}

/* Wakes the context (if it still exists) and drops the reference that
 * mwt_dispatcher_push() returned, if it returned one.
 */
void
mwt_wakeup_signal (MwtWakeup *wakeup)
{
  guint64 one = 1;
  gint fd;
  gssize written;

  if (wakeup == NULL)
    return;

  fd = wakeup->fds[1] >= 0 ? wakeup->fds[1] : wakeup->fds[0];

  do
    written = write (fd, &one, wakeup->fds[1] >= 0 ? 1 : sizeof one);
  while (written < 0 && errno == EINTR);

  mwt_wakeup_unref (wakeup);
}

/* One read empties an eventfd, as GLib's own GWakeup knows: reading
 * again to see it empty was a system call more on every round trip. A
 * pipe is read until it is empty.
 */
static void
mwt_wakeup_acknowledge (MwtWakeup *wakeup)
{
  guint64 value;
  gssize n_read;

  do
    n_read = read (wakeup->fds[0], &value, sizeof value);
  while ((n_read > 0 && wakeup->fds[1] >= 0) || (n_read < 0 && errno == EINTR));
}

/* Dispatching */

void
mwt_dispatch_items (GQueue *items)
{
  GList *link;

  while ((link = g_queue_pop_head_link (items)) != NULL)
    ((MwtDispatchFunc) link->data) ((MwtDispatchItem *) link);
}

/* Moves every link of @front to the head of @queue, in constant time. */
static void
mwt_dispatcher_prepend_items (GQueue *queue,
                         GQueue *front)
{
  if (g_queue_is_empty (front))
    return;

  front->tail->next = queue->head;
  if (queue->head != NULL)
    queue->head->prev = front->tail;
  else
    queue->tail = front->tail;
  queue->head = front->head;
  queue->length += front->length;
  g_queue_init (front);
}

/* Runs items until the budget is spent; returns whether some are left. */
static gboolean
mwt_dispatch_items_within (GQueue *items,
                           gint64  deadline)
{
  guint n = 0;
  GList *link;

  while ((link = g_queue_pop_head_link (items)) != NULL)
    {
      ((MwtDispatchFunc) link->data) ((MwtDispatchItem *) link);

      if (++n % MWT_DISPATCH_CLOCK_EVERY == 0 && !g_queue_is_empty (items) &&
          g_get_monotonic_time () >= deadline)
        return TRUE;
    }

  return FALSE;
}

/* Completions keep their priority over the context's lower-priority
 * sources (redraws, idles) for at most one budget at a time: once a
 * dispatch left work behind, or work kept coming for longer than that,
 * the next iteration lets every source that is ready run beside it.
 */
static gboolean
mwt_dispatch_source_prepare (GSource *source,
                             gint    *timeout)
{
  MwtDispatcher *self = ((MwtDispatchSource *) source)->dispatcher;

  *timeout = -1;

  if (!g_atomic_int_get (&self->pending))
    {
      self->busy_since = 0;
      return FALSE;
    }

  if (self->yield)
    {
      self->yield = FALSE;
      *timeout = 0;
      return FALSE;
    }

  return TRUE;
}

static gboolean
mwt_dispatch_source_check (GSource *source)
{
  MwtDispatcher *self = ((MwtDispatchSource *) source)->dispatcher;

  return g_atomic_int_get (&self->pending);
}

static gboolean
mwt_dispatch_source_dispatch (GSource     *source,
                              GSourceFunc  callback,
                              gpointer     user_data)
{
  MwtDispatchSource *dispatch_source = (MwtDispatchSource *) source;
  MwtDispatcher *self = dispatch_source->dispatcher;
  gint64 start = g_get_monotonic_time ();
  GQueue calls;
  GQueue done;

  if (g_source_query_unix_fd (source, dispatch_source->tag) != 0)
    mwt_wakeup_acknowledge (self->wakeup);

  g_mutex_lock (&self->mutex);
  calls = self->calls;
  done = self->done;
  g_queue_init (&self->calls);
  g_queue_init (&self->done);
  g_atomic_int_set (&self->pending, FALSE);
  g_mutex_unlock (&self->mutex);

  /* Calls first: each one is a worker waiting. */
  mwt_dispatch_items (&calls);

  if (self->busy_since == 0)
    self->busy_since = start;

  if (mwt_dispatch_items_within (&done, start + MWT_DISPATCH_BUDGET_USEC))
    {
      g_mutex_lock (&self->mutex);
      mwt_dispatcher_prepend_items (&self->done, &done);
      g_atomic_int_set (&self->pending, TRUE);
      g_mutex_unlock (&self->mutex);
      self->yield = TRUE;
    }
  else if (g_get_monotonic_time () - self->busy_since >= MWT_DISPATCH_BUDGET_USEC)
    self->yield = TRUE;

  if (self->yield)
    self->busy_since = 0;

  return G_SOURCE_CONTINUE;
}

static GSourceFuncs mwt_dispatch_source_funcs = {
  .prepare = mwt_dispatch_source_prepare,
  .check = mwt_dispatch_source_check,
  .dispatch = mwt_dispatch_source_dispatch,
};

/* Never called: the source's callback only carries the reference whose
 * release tells that the source was destroyed.
 */
static gboolean
mwt_dispatch_source_callback (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* The context is going away (or the source was destroyed): the callback
 * data is dropped before the context is freed, so the entry leaves the
 * registry before another context can take its address.
 */
static void
mwt_dispatcher_detach (gpointer data)
{
  MwtDispatcher *self = data;
  MwtWakeup *wakeup;
  GQueue left;

  g_mutex_lock (&registry_lock);
  if (g_hash_table_lookup (registry, self->context) == self)
    g_hash_table_remove (registry, self->context);
  g_atomic_int_set (&self->dead, TRUE);
  g_mutex_unlock (&registry_lock);

  /* Only items that keep no reference to the context can be left (see
   * mwt_dispatcher_is_dead()), and nobody can queue more: every thread
   * that could holds the context.
   */
  g_mutex_lock (&self->mutex);
  left = self->done;
  g_queue_init (&self->done);
  /* Its descriptor goes now: pool threads may keep the dispatcher of
   * their last job for a while (see mwt_job_hand_back()).
   */
  wakeup = g_steal_pointer (&self->wakeup);
  g_mutex_unlock (&self->mutex);
  mwt_dispatch_items (&left);

  mwt_wakeup_unref (wakeup);
  mwt_dispatcher_unref (self);
}

/* Called with the registry lock held. The reference it returns belongs to
 * the source, which drops it once destroyed.
 */
static MwtDispatcher *
mwt_dispatcher_new (GMainContext *context)
{
  MwtDispatcher *self = g_new0 (MwtDispatcher, 1);
  MwtDispatchSource *source;

  self->ref_count = 1;
  self->context = context;
  self->wakeup = mwt_wakeup_new ();
  g_mutex_init (&self->mutex);

  source = (MwtDispatchSource *) g_source_new (&mwt_dispatch_source_funcs, sizeof *source);
  source->dispatcher = self;
  source->tag = g_source_add_unix_fd ((GSource *) source, self->wakeup->fds[0], G_IO_IN);
  g_source_set_static_name ((GSource *) source, "[mwt] dispatcher");
  g_source_set_can_recurse ((GSource *) source, TRUE);
  g_source_set_callback ((GSource *) source, mwt_dispatch_source_callback,
                         self, mwt_dispatcher_detach);
  g_source_attach ((GSource *) source, context);
  g_source_unref ((GSource *) source);

  return self;
}

/* The dispatcher of @context, created if need be. @context must stay
 * alive meanwhile.
 */
MwtDispatcher *
mwt_dispatcher_get_for_context (GMainContext *context)
{
  MwtDispatcher *self;

  g_mutex_lock (&registry_lock);

  if (registry == NULL)
    registry = g_hash_table_new (NULL, NULL);

  self = g_hash_table_lookup (registry, context);
  if (self == NULL)
    {
      self = mwt_dispatcher_new (context);
      g_hash_table_insert (registry, context, self);
    }
  mwt_dispatcher_ref (self);

  g_mutex_unlock (&registry_lock);

  return self;
}

MwtDispatcher *
mwt_dispatcher_ref (MwtDispatcher *self)
{
  g_atomic_int_inc (&self->ref_count);

  return self;
}

void
mwt_dispatcher_unref (MwtDispatcher *self)
{
  if (!g_atomic_int_dec_and_test (&self->ref_count))
    return;

  g_assert (g_queue_is_empty (&self->calls));
  g_assert (g_queue_is_empty (&self->done));
  g_assert (self->blockers == NULL);
  g_clear_pointer (&self->wakeup, mwt_wakeup_unref);
  g_mutex_clear (&self->mutex);
  g_free (self);
}

/* Whether @self is the live dispatcher of @context: a dispatcher kept
 * from an earlier push may belong to a context that is gone, whose
 * address a new context took.
 */
gboolean
mwt_dispatcher_serves (MwtDispatcher *self,
                       GMainContext  *context)
{
  return self->context == context && !g_atomic_int_get (&self->dead);
}

/* Whether the context of @self is gone. Items still queued then are
 * dispatched all the same, by the thread that finalizes the context,
 * while it does: an item that keeps no reference to its context (a
 * posted function) checks this to drop itself instead of running.
 */
gboolean
mwt_dispatcher_is_dead (MwtDispatcher *self)
{
  return g_atomic_int_get (&self->dead);
}

/* Queues @item on @queue; the first item of a batch takes a reference to
 * the wake-up, which the caller signals.
 */
static MwtWakeup *
mwt_dispatcher_enqueue_locked (MwtDispatcher   *self,
                               GQueue          *queue,
                               MwtDispatchItem *item)
{
  g_queue_push_tail_link (queue, &item->link);
  if (g_atomic_int_get (&self->pending))
    return NULL;

  g_atomic_int_set (&self->pending, TRUE);

  /* Gone with its context, which nobody is left to wake. */
  return self->wakeup != NULL ? mwt_wakeup_ref (self->wakeup) : NULL;
}

/* Queues @item. Returns the wake-up to signal with mwt_wakeup_signal(),
 * once the caller has released its locks, or NULL when an earlier item
 * of the same batch did.
 */
MwtWakeup *
mwt_dispatcher_push (MwtDispatcher   *self,
                     MwtDispatchItem *item)
{
  MwtWakeup *wakeup;

  g_mutex_lock (&self->mutex);
  wakeup = mwt_dispatcher_enqueue_locked (self, &self->done, item);
  g_mutex_unlock (&self->mutex);

  return wakeup;
}

/* Queues a call from a thread that waits for it: it runs before the
 * completions, and a thread blocked in one of mwt's waits on the
 * context's thread may run it instead (see mwt_main_wait()).
 */
void
mwt_dispatcher_push_call (MwtDispatcher   *self,
                          MwtDispatchItem *item)
{
  MwtWakeup *wakeup;

  g_mutex_lock (&self->mutex);
  wakeup = mwt_dispatcher_enqueue_locked (self, &self->calls, item);
  mwt_blocker_wake_all (self->blockers);
  g_mutex_unlock (&self->mutex);

  mwt_wakeup_signal (wakeup);
}

/* Moves to @calls the queued calls that @take accepts. */
void
mwt_dispatcher_take_calls (MwtDispatcher     *self,
                           GQueue            *calls,
                           MwtDispatchFilter  take,
                           gpointer           data)
{
  GList *link;

  g_mutex_lock (&self->mutex);
  link = self->calls.head;
  while (link != NULL)
    {
      GList *next = link->next;

      if (take ((MwtDispatchItem *) link, data))
        {
          g_queue_unlink (&self->calls, link);
          g_queue_push_tail_link (calls, link);
        }
      link = next;
    }
  g_mutex_unlock (&self->mutex);
}

/* Blocked threads that serve this context hear of new calls, and of the
 * context being released by mwt's own g_main_context_invoke()-like path.
 */
void
mwt_dispatcher_add_blocker (MwtDispatcher *self,
                            MwtBlocker    *blocker)
{
  g_mutex_lock (&self->mutex);
  self->blockers = g_list_prepend (self->blockers, blocker);
  g_mutex_unlock (&self->mutex);
}

void
mwt_dispatcher_remove_blocker (MwtDispatcher *self,
                               MwtBlocker    *blocker)
{
  g_mutex_lock (&self->mutex);
  self->blockers = g_list_remove (self->blockers, blocker);
  g_mutex_unlock (&self->mutex);
}

void
mwt_dispatcher_wake_blockers (MwtDispatcher *self)
{
  g_mutex_lock (&self->mutex);
  mwt_blocker_wake_all (self->blockers);
  g_mutex_unlock (&self->mutex);
}

/* mwt_run_in_main_task() tasks whose main-side function ran on this
 * context and whose completion has not been delivered yet: a thread
 * blocked on the context must iterate it until they are.
 */
void
mwt_dispatcher_main_task_started (MwtDispatcher *self)
{
  g_atomic_int_inc (&self->n_main_tasks);
}

void
mwt_dispatcher_main_task_finished (MwtDispatcher *self)
{
  g_atomic_int_dec_and_test (&self->n_main_tasks);
  mwt_dispatcher_wake_blockers (self);
}

gboolean
mwt_dispatcher_has_main_tasks (MwtDispatcher *self)
{
  return g_atomic_int_get (&self->n_main_tasks) > 0;
}

/* Contexts whose last reference must outlive a dispatch running on this
 * thread: GLib still uses a context after its sources' dispatch returns.
 * A dispatch may release many references to its own context (one per
 * item job, say): each context has one entry, with a count.
 */
typedef struct
{
  GMainContext *context;
  guint         n_refs;
} MwtDeferredUnref;

static void
mwt_deferred_unrefs_release (GArray *deferred,
                             guint   index)
{
  MwtDeferredUnref entry = g_array_index (deferred, MwtDeferredUnref, index);

  g_array_remove_index_fast (deferred, index);
  while (entry.n_refs-- > 0)
    g_main_context_unref (entry.context);
}

static void
mwt_deferred_unrefs_free (gpointer data)
{
  GArray *deferred = data;

  while (deferred->len > 0)
    mwt_deferred_unrefs_release (deferred, deferred->len - 1);
  g_array_unref (deferred);
}

static GPrivate deferred_unrefs = G_PRIVATE_INIT (mwt_deferred_unrefs_free);

static gboolean
mwt_context_is_dispatching (GMainContext *context)
{
  return g_main_depth () > 0 && g_main_context_is_owner (context);
}

/* Drops a reference to @context, after the dispatch that the calling
 * thread runs on it, if any: then at the calling thread's next call here
 * outside of it, or when the thread exits.
 */
void
mwt_context_unref_after_dispatch (GMainContext *context)
{
  GArray *deferred = g_private_get (&deferred_unrefs);
  gboolean kept = FALSE;

  if (deferred == NULL)
    {
      deferred = g_array_new (FALSE, FALSE, sizeof (MwtDeferredUnref));
      g_private_set (&deferred_unrefs, deferred);
    }

  for (guint i = deferred->len; i-- > 0;)
    {
      MwtDeferredUnref *entry = &g_array_index (deferred, MwtDeferredUnref, i);

      if (!mwt_context_is_dispatching (entry->context))
        mwt_deferred_unrefs_release (deferred, i);
      else if (entry->context == context)
        {
          entry->n_refs++;
          kept = TRUE;
        }
    }

  if (kept)
    return;

  if (mwt_context_is_dispatching (context))
    {
      MwtDeferredUnref entry = { context, 1 };

      g_array_append_val (deferred, entry);
    }
  else
    g_main_context_unref (context);
}
