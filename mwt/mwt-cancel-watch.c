/* mwt-cancel-watch.c: one cancellation handler per cancellable that a
 * pool's jobs use, however many share it
 *
 * SPDX-FileCopyrightText: 2026 The mwt authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "mwt-cancel-watch-private.h"

/* A handler per job would make every other user of a cancellable that
 * many jobs share pay for them: GIO connects and disconnects handlers of
 * its own, GTask finds its own by walking the list, and cancelling walks
 * it too. A watch is the one handler of a (pool, cancellable) pair and
 * the jobs that use it, from their submission to their completion; it
 * goes with its last job.
 */
typedef struct
{
  MwtCancelWatches *watches;
  /* A reference of its own, for the table's key and the disconnection:
   * the watch does not count on its jobs to hold one that long.
   */
  GCancellable     *cancellable;
  /* Set once the handler is connected, before the job that made the
   * watch is submitted: 0 if the cancellable was cancelled by then.
   */
  gulong            handler_id;
  /* Linked by their cancel_link, whose data is this watch. */
  GQueue            jobs;
} MwtCancelWatch;

void
mwt_cancel_watches_init (MwtCancelWatches *self,
                         MwtScheduler     *scheduler)
{
  self->scheduler = scheduler;
  g_mutex_init (&self->mutex);
  self->watches = g_hash_table_new (NULL, NULL);
}

/* Every job has left: each holds a reference to the pool. */
void
mwt_cancel_watches_clear (MwtCancelWatches *self)
{
  g_assert (g_hash_table_size (self->watches) == 0);

  g_hash_table_unref (self->watches);
  g_mutex_clear (&self->mutex);
}

/* Runs on whichever thread cancels, at any moment, or at once in
 * g_cancellable_connect() if the cancellable was cancelled already. The
 * jobs are alive as long as they are in the watch, which lives until the
 * handler is disconnected, which waits for the handler to return.
 */
static void
mwt_cancel_watch_cancelled (GCancellable   *cancellable,
                            MwtCancelWatch *watch)
{
  MwtCancelWatches *watches = watch->watches;
  GList *in_place;

  g_mutex_lock (&watches->mutex);
  in_place = mwt_scheduler_cancel (watches->scheduler, watch->jobs.head);
  g_mutex_unlock (&watches->mutex);

  /* They leave the watch within this handler: the last must not wait for
   * it (see mwt_cancel_watch_leave()).
   */
  for (GList *link = in_place; link != NULL; link = link->next)
    if (mwt_job_get_cancellable ((MwtJob *) link) == cancellable)
      ((MwtJob *) link)->flags |= MWT_JOB_IN_HANDLER;
  mwt_job_complete_in_place (in_place);
}

/* Called before @full is submitted: its watch's handler ignores it until
 * it is queued, and the queueing checks the cancellable. The job that
 * makes the watch connects the handler; the jobs that join meanwhile are
 * cancelled by it, at once if the cancellable was cancelled by then.
 *
 * A job whose cancellable is cancelled already never gets queued (a
 * cancellable in use is never reset), and joins nothing: submitted from
 * a "cancelled" handler, it could otherwise be the last to leave, and
 * disconnect, during that very emission, which would wait for itself.
 */
void
mwt_cancel_watch_join (MwtCancelWatches *watches,
                       MwtJobFull       *full)
{
  MwtCancelWatch *watch;
  gulong handler_id;

  if (g_cancellable_is_cancelled (full->cancellable))
    return;

  g_mutex_lock (&watches->mutex);

  watch = g_hash_table_lookup (watches->watches, full->cancellable);
  if (watch != NULL)
    {
      full->cancel_link.data = watch;
      g_queue_push_tail_link (&watch->jobs, &full->cancel_link);
      g_mutex_unlock (&watches->mutex);
      return;
    }

  watch = g_new0 (MwtCancelWatch, 1);
  watch->watches = watches;
  watch->cancellable = g_object_ref (full->cancellable);
  g_hash_table_insert (watches->watches, watch->cancellable, watch);
  full->cancel_link.data = watch;
  g_queue_push_tail_link (&watch->jobs, &full->cancel_link);

  g_mutex_unlock (&watches->mutex);

  /* @full keeps the watch alive: it has not been submitted yet. */
  handler_id = g_cancellable_connect (watch->cancellable, G_CALLBACK (mwt_cancel_watch_cancelled),
                                      watch, NULL);

  g_mutex_lock (&watches->mutex);
  watch->handler_id = handler_id;
  g_mutex_unlock (&watches->mutex);
}

/* Called once @full is done, on whichever thread completes it. The last
 * job to leave disconnects the handler, waiting for it if another thread
 * runs it; a job that ends within the handler, which cannot wait for
 * itself, does not.
 */
void
mwt_cancel_watch_leave (MwtJobFull *full)
{
  MwtCancelWatch *watch;
  MwtCancelWatches *watches;
  gboolean last;

  /* Without a cancellable, a job has no cancel_link at all. */
  if (full->cancellable == NULL || full->cancel_link.data == NULL)
    return;

  watch = full->cancel_link.data;
  watches = watch->watches;

  g_mutex_lock (&watches->mutex);
  g_queue_unlink (&watch->jobs, &full->cancel_link);
  last = g_queue_is_empty (&watch->jobs);
  if (last)
    g_hash_table_remove (watches->watches, watch->cancellable);
  g_mutex_unlock (&watches->mutex);

  if (!last)
    return;

  if (!(full->job.flags & MWT_JOB_IN_HANDLER))
    g_cancellable_disconnect (watch->cancellable, watch->handler_id);
  else if (watch->handler_id != 0)
    g_signal_handler_disconnect (watch->cancellable, watch->handler_id);
  g_object_unref (watch->cancellable);
  g_free (watch);
}
