/* mwt-scheduler.c: queueing jobs, handing them to a pool's threads, and
 * knowing when the pool is drained, idle or gone
 *
 * SPDX-FileCopyrightText: 2026 The mwt authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#ifdef HAVE_SCHED_GETAFFINITY
# define _GNU_SOURCE
# include <sched.h>
#endif

#include "mwt-scheduler-private.h"

/* A drain waits for the jobs queued before it: each drain closes the
 * current epoch and opens the next, and its notice goes out once its
 * epoch and every older one have no job left.
 */
typedef struct
{
  guint32 epoch;
  guint   n_jobs;
  GQueue  notices;
} MwtEpoch;

/* Dispatchers to wake once the lock is released, so that the woken
 * thread does not start by waiting for it; and jobs that complete where
 * they are, whose release may run user code.
 */
typedef struct
{
  MwtWakeup *wakeups[4];
  guint      n;
  GList     *in_place;
} MwtWakeups;

static void
mwt_wakeups_add (MwtWakeups *wakeups,
                 MwtWakeup  *wakeup)
{
  if (wakeup == NULL)
    return;

  if (wakeups->n < G_N_ELEMENTS (wakeups->wakeups))
    wakeups->wakeups[wakeups->n++] = wakeup;
  else
    mwt_wakeup_signal (wakeup);
}

static void
mwt_wakeups_signal (MwtWakeups *wakeups)
{
  for (guint i = 0; i < wakeups->n; i++)
    mwt_wakeup_signal (wakeups->wakeups[i]);
  wakeups->n = 0;

  mwt_job_complete_in_place (g_steal_pointer (&wakeups->in_place));
}

static MwtEpoch *
mwt_epoch_new (guint32 epoch)
{
  MwtEpoch *record = g_new0 (MwtEpoch, 1);

  record->epoch = epoch;
  g_queue_init (&record->notices);

  return record;
}

void
mwt_scheduler_init (MwtScheduler *self,
                    GMainContext *context,
                    MwtNotice    *changes_notice)
{
  self->context = context;
  g_mutex_init (&self->mutex);
  g_cond_init (&self->work_cond);
  mwt_queue_init (&self->queue);
  g_queue_init (&self->epochs);
  g_queue_push_tail (&self->epochs, mwt_epoch_new (0));
  g_queue_init (&self->exit_notices);
  self->max_priority = G_MININT;
  self->changes_notice = changes_notice;
}

/* Nothing may be in flight any more. */
void
mwt_scheduler_clear (MwtScheduler *self)
{
  g_assert (self->incoming == NULL);
  g_assert (self->n_members == 0);
  g_assert (g_queue_get_length (&self->epochs) == 1);
  g_assert (g_queue_is_empty (&self->exit_notices));

  g_free (g_queue_pop_head (&self->epochs));
  mwt_queue_clear (&self->queue);
  g_cond_clear (&self->work_cond);
  g_mutex_clear (&self->mutex);
}

static void
mwt_scheduler_push_locked (MwtNotice  *notice,
                           MwtWakeups *wakeups)
{
  notice->queue = NULL;
  mwt_wakeups_add (wakeups, mwt_dispatcher_push (notice->dispatcher, &notice->item));
}

static void
mwt_scheduler_hold_locked (MwtNotice *notice,
                           GQueue    *queue)
{
  notice->queue = queue;
  g_queue_push_tail_link (queue, &notice->item.link);
}

static void
mwt_scheduler_announce_locked (MwtScheduler *self,
                               MwtChanges    changes,
                               MwtWakeups   *wakeups)
{
  if (self->changes == 0 && self->changes_notice != NULL)
    mwt_scheduler_push_locked (self->changes_notice, wakeups);

  self->changes |= changes;
}

/* Hands out the notices of the drains whose epoch, and every older one,
 * has no job left, and wakes the threads blocked in a drain.
 */
static void
mwt_scheduler_settle_locked (MwtScheduler *self,
                             MwtWakeups   *wakeups)
{
  MwtEpoch *head;
  gboolean settled = FALSE;

  while ((head = g_queue_peek_head (&self->epochs)) != g_queue_peek_tail (&self->epochs) &&
         head->n_jobs == 0)
    {
      GList *link;

      while ((link = g_queue_pop_head_link (&head->notices)) != NULL)
        mwt_scheduler_push_locked ((MwtNotice *) link, wakeups);
      g_free (g_queue_pop_head (&self->epochs));
      settled = TRUE;
    }

  if (settled)
    mwt_blocker_wake_all (self->blockers);
}

/* A job left the set a drain waits for: queued, then done or rejected. */
static void
mwt_scheduler_count_out_locked (MwtScheduler *self,
                                guint32       epoch,
                                MwtWakeups   *wakeups)
{
  for (GList *l = self->epochs.head; l != NULL; l = l->next)
    {
      MwtEpoch *record = l->data;

      if (record->epoch == epoch)
        {
          record->n_jobs--;
          break;
        }
    }

  mwt_scheduler_settle_locked (self, wakeups);
}

static void
mwt_scheduler_reject_locked (MwtScheduler   *self,
                             MwtJob         *job,
                             gint            code,
                             const gchar    *message,
                             MwtDispatcher **cache,
                             MwtWakeups     *wakeups)
{
  mwt_job_fail (job, code, message);
  /* A job that never ran completes on its task's context. */
  mwt_wakeups_add (wakeups, mwt_job_hand_back (job, NULL, cache, &wakeups->in_place));
}

/* Moves the submitted jobs to the queue, in submission order, or rejects
 * them if the pool is closed or they were cancelled before they got there.
 */
static void
mwt_scheduler_collect_locked (MwtScheduler *self,
                              MwtWakeups   *wakeups)
{
  MwtEpoch *current = g_queue_peek_tail (&self->epochs);
  MwtDispatcher *cache = NULL;
  GList *reversed = NULL;
  guint n_queued = 0;
  MwtJob *job;

  /* Read before taking: an exchange writes the submitters' cache line
   * even when the stack is empty.
   */
  if (g_atomic_pointer_get (&self->incoming) == NULL)
    return;

  job = g_atomic_pointer_exchange (&self->incoming, NULL);

  while (job != NULL)
    {
      MwtJob *next = (MwtJob *) job->item.link.next;

      job->item.link.next = reversed;
      reversed = &job->item.link;
      job = next;
    }

  while (reversed != NULL)
    {
      gint priority;

      job = (MwtJob *) reversed;
      reversed = reversed->next;
      job->item.link.next = NULL;

      if (self->closed)
        {
          mwt_scheduler_reject_locked (self, job, G_IO_ERROR_CLOSED, "The pool is closed", &cache, wakeups);
          continue;
        }

      if (g_cancellable_is_cancelled (mwt_job_get_cancellable (job)))
        {
          mwt_scheduler_reject_locked (self, job, G_IO_ERROR_CANCELLED, "Operation was cancelled", &cache, wakeups);
          continue;
        }

      priority = mwt_job_get_priority (job);
      self->max_priority = MAX (self->max_priority, priority);
      job->state = MWT_JOB_QUEUED;
      job->epoch = current->epoch;
      current->n_jobs++;
      mwt_queue_push (&self->queue, &job->item.link, priority);
      n_queued++;
    }

  g_clear_pointer (&cache, mwt_dispatcher_unref);

  if (n_queued > 0)
    mwt_scheduler_announce_locked (self, MWT_CHANGED_N_QUEUED, wakeups);
}

/* Submitting */

void
mwt_scheduler_submit (MwtScheduler *self,
                      MwtJob       *job)
{
  /* Valid until the submitter returns, even once the job is gone. */
  GCancellable *cancellable = mwt_job_get_cancellable (job);
  gpointer head;

  do
    {
      head = g_atomic_pointer_get (&self->incoming);
      job->item.link.next = head;
    }
  while (!g_atomic_pointer_compare_and_exchange (&self->incoming, head, job));

  /* From here on the job may already be done and freed. Only the first
   * job pushed on an empty stack wakes a thread, and only if none is
   * seeking work: until one collects the stack, later jobs join it there,
   * and a seeking thread checks the stack once more before it sleeps (see
   * mwt_scheduler_next_job()). Taking the lock once orders the push with
   * a thread going to sleep (it checks the stack with the lock held);
   * signalling after the unlock spares the woken thread, when it shares a
   * CPU with this one, a wait for the lock and two context switches.
   */
  if (head == NULL && g_atomic_int_get (&self->n_seeking) == 0 &&
      g_atomic_int_get (&self->n_idle) > 0)
    {
      g_mutex_lock (&self->mutex);
      g_mutex_unlock (&self->mutex);
      g_cond_signal (&self->work_cond);
    }

  /* A close that started meanwhile may have missed the job, and so may a
   * cancellation handler that ran before the push (it ignores a job that
   * is not queued): collecting rejects the job now rather than when a
   * thread is free.
   */
  if (g_atomic_int_get (&self->closed) || g_cancellable_is_cancelled (cancellable))
    {
      MwtWakeups wakeups = { 0, };

      g_mutex_lock (&self->mutex);
      mwt_scheduler_collect_locked (self, &wakeups);
      g_mutex_unlock (&self->mutex);
      mwt_wakeups_signal (&wakeups);
    }
}

/* From a cancellation handler, with @jobs linked by their cancel_link:
 * the queued ones leave the queue and complete at once, in one go; a
 * running one is its function's business, and one not queued yet is
 * rejected on its way there (see mwt_scheduler_submit()). Returns those
 * that end in place, for the caller to complete once it holds no lock.
 */
GList *
mwt_scheduler_cancel (MwtScheduler *self,
                      GList        *jobs)
{
  MwtWakeups wakeups = { 0, };
  MwtDispatcher *cache = NULL;
  gboolean any = FALSE;
  GList *in_place;

  g_mutex_lock (&self->mutex);
  mwt_scheduler_collect_locked (self, &wakeups);
  for (GList *link = jobs; link != NULL; link = link->next)
    {
      MwtJob *job = mwt_job_from_cancel_link (link);

      if (job->state != MWT_JOB_QUEUED)
        continue;

      mwt_queue_remove (&self->queue, &job->item.link, mwt_job_get_priority (job));
      mwt_scheduler_count_out_locked (self, job->epoch, &wakeups);
      mwt_scheduler_reject_locked (self, job, G_IO_ERROR_CANCELLED, "Operation was cancelled", &cache, &wakeups);
      any = TRUE;
    }
  if (any)
    mwt_scheduler_announce_locked (self, MWT_CHANGED_N_QUEUED, &wakeups);
  g_mutex_unlock (&self->mutex);

  in_place = g_steal_pointer (&wakeups.in_place);
  g_clear_pointer (&cache, mwt_dispatcher_unref);
  mwt_wakeups_signal (&wakeups);

  return in_place;
}

/* Running */

/* A thread that finished a job seeks more before it sleeps: it yields a
 * few times in case more work comes, which spares the submitter a wake-up
 * (a system call, and on another CPU a slow one) and itself a sleep. While
 * a thread seeks, submitters wake nobody else. Yielding, not spinning,
 * leaves the CPU to others. A thread seeks once per stretch of work, so
 * idle pools cost nothing.
 */
#define MWT_SEEK_YIELDS 32

static void
mwt_scheduler_seek_unlocked (MwtScheduler *self)
{
  for (guint i = 0; i < MWT_SEEK_YIELDS; i++)
    {
      if (g_atomic_pointer_get (&self->incoming) != NULL || g_atomic_int_get (&self->closed))
        return;
      g_thread_yield ();
    }
}

/* Yielding pays only if the submitter can run meanwhile on another CPU.
 * On one CPU shared with it, sleeping at once is cheaper: a round trip
 * took 12 us with yields and 7 us without, pinned with taskset. The
 * thread's affinity is read again at most every 100 ms: a system call on
 * every round trip cost more than it saved.
 */
static gboolean
mwt_seat_has_cpus_to_share (MwtSchedulerSeat *seat)
{
  gint64 now = g_get_monotonic_time ();

  if (seat->cpus_read_at != 0 && now - seat->cpus_read_at < 100 * G_TIME_SPAN_MILLISECOND)
    return seat->has_cpus_to_share;

  seat->cpus_read_at = now;
  seat->has_cpus_to_share = g_get_num_processors () > 1;

#ifdef HAVE_SCHED_GETAFFINITY
  {
    cpu_set_t cpus;

    if (sched_getaffinity (0, sizeof cpus, &cpus) == 0)
      seat->has_cpus_to_share = CPU_COUNT (&cpus) > 1;
  }
#endif

  return seat->has_cpus_to_share;
}

static void
mwt_seat_stop_seeking (MwtScheduler     *self,
                       MwtSchedulerSeat *seat)
{
  if (!seat->seeking)
    return;

  seat->seeking = FALSE;
  g_atomic_int_dec_and_test (&self->n_seeking);
}

/* Called by a thread that finished a job, before it asks for the next:
 * from then on, submitters leave their jobs to it (see
 * mwt_scheduler_submit()).
 */
void
mwt_scheduler_start_seeking (MwtScheduler     *self,
                             MwtSchedulerSeat *seat)
{
  seat->seeking = TRUE;
  g_atomic_int_inc (&self->n_seeking);
}

/* Wakes a sleeping thread if work is left for it in the queue. */
static void
mwt_scheduler_wake_another_locked (MwtScheduler *self)
{
  if (self->n_idle > 0 && mwt_queue_get_length (&self->queue) > 0)
    g_cond_signal (&self->work_cond);
}

/* Called by a pool thread: hands back @done, the job it ran last, if
 * any, then waits for the next job. Returns NULL when the thread must
 * leave the pool.
 */
MwtJob *
mwt_scheduler_next_job (MwtScheduler     *self,
                        MwtSchedulerSeat *seat,
                        MwtJob           *done)
{
  MwtWakeups wakeups = { 0, };
  MwtJob *job = NULL;
  gboolean ran_one = done != NULL;
  guint32 epoch = done != NULL ? done->epoch : 0;

  /* A job that ends in place ends here, before it counts as done: a drain
   * then follows its done function.
   */
  if (done != NULL && mwt_job_ends_in_place (done))
    {
      done->item.link.next = NULL;
      mwt_job_complete_in_place (&done->item.link);
      done = NULL;
    }

  g_mutex_lock (&self->mutex);

  /* The counters are exact by the time the job's callback runs, and a
   * drain's notice on the same context follows the job's completion.
   */
  if (ran_one)
    {
      self->n_busy--;
      if (done != NULL)
        mwt_wakeups_add (&wakeups, mwt_job_hand_back (done, self->context, &seat->dispatcher,
                                                      &wakeups.in_place));
      mwt_scheduler_count_out_locked (self, epoch, &wakeups);
      mwt_scheduler_announce_locked (self, MWT_CHANGED_N_BUSY, &wakeups);
    }

  for (;;)
    {
      GList *link;

      mwt_scheduler_collect_locked (self, &wakeups);

      if (self->closed)
        break;

      if (self->n_excess > 0)
        {
          self->n_excess--;
          /* A submitter may have left its job to this thread. */
          mwt_scheduler_wake_another_locked (self);
          break;
        }

      link = mwt_queue_pop (&self->queue);
      if (link != NULL)
        {
          job = (MwtJob *) link;
          mwt_seat_stop_seeking (self, seat);
          job->state = MWT_JOB_RUNNING;
          self->n_busy++;
          /* Each woken thread wakes the next while work is left. */
          mwt_scheduler_wake_another_locked (self);
          mwt_scheduler_announce_locked (self, MWT_CHANGED_N_BUSY | MWT_CHANGED_N_QUEUED, &wakeups);
          break;
        }

      /* Submitters that saw this thread seeking did not wake anyone:
       * stopping before the stack is checked again, with the lock held,
       * makes sure that it sees their jobs.
       */
      if (seat->seeking)
        {
          g_mutex_unlock (&self->mutex);
          mwt_wakeups_signal (&wakeups);
          if (mwt_seat_has_cpus_to_share (seat))
            mwt_scheduler_seek_unlocked (self);
          mwt_seat_stop_seeking (self, seat);
          g_mutex_lock (&self->mutex);
          continue;
        }

      /* Jobs that complete in place may run user code: not under the
       * lock.
       */
      if (wakeups.in_place != NULL)
        {
          g_mutex_unlock (&self->mutex);
          mwt_wakeups_signal (&wakeups);
          g_mutex_lock (&self->mutex);
          continue;
        }

      /* Submitters read n_idle after pushing: either they see this thread
       * idle and signal, or it sees their job here.
       */
      mwt_wakeups_signal (&wakeups);
      g_atomic_int_inc (&self->n_idle);
      if (g_atomic_pointer_get (&self->incoming) == NULL)
        g_cond_wait (&self->work_cond, &self->mutex);
      g_atomic_int_dec_and_test (&self->n_idle);
    }

  if (job == NULL)
    mwt_seat_stop_seeking (self, seat);

  g_mutex_unlock (&self->mutex);
  mwt_wakeups_signal (&wakeups);

  return job;
}

/* Closing and waiting */

void
mwt_scheduler_close (MwtScheduler *self)
{
  MwtWakeups wakeups = { 0, };
  MwtDispatcher *cache = NULL;
  GList *link;

  g_mutex_lock (&self->mutex);

  if (self->closed)
    {
      g_mutex_unlock (&self->mutex);
      return;
    }

  g_atomic_int_set (&self->closed, TRUE);
  mwt_scheduler_collect_locked (self, &wakeups);

  while ((link = mwt_queue_pop (&self->queue)) != NULL)
    {
      MwtJob *job = (MwtJob *) link;

      mwt_scheduler_count_out_locked (self, job->epoch, &wakeups);
      mwt_scheduler_reject_locked (self, job, G_IO_ERROR_CLOSED, "The pool was closed", &cache, &wakeups);
    }

  g_cond_broadcast (&self->work_cond);
  mwt_scheduler_announce_locked (self, MWT_CHANGED_CLOSED | MWT_CHANGED_N_QUEUED, &wakeups);

  g_mutex_unlock (&self->mutex);

  g_clear_pointer (&cache, mwt_dispatcher_unref);
  mwt_wakeups_signal (&wakeups);
}

gboolean
mwt_scheduler_is_closed (MwtScheduler *self)
{
  return g_atomic_int_get (&self->closed);
}

/* Hands @notice, if any, to its dispatcher once every job queued so far
 * is done, after their own completions. Returns the epoch that closed,
 * for mwt_scheduler_is_drained().
 */
guint32
mwt_scheduler_drain (MwtScheduler *self,
                     MwtNotice    *notice)
{
  MwtWakeups wakeups = { 0, };
  MwtEpoch *current;
  guint32 epoch;

  g_mutex_lock (&self->mutex);
  mwt_scheduler_collect_locked (self, &wakeups);

  current = g_queue_peek_tail (&self->epochs);
  epoch = current->epoch;
  if (notice != NULL)
    mwt_scheduler_hold_locked (notice, &current->notices);
  g_queue_push_tail (&self->epochs, mwt_epoch_new (epoch + 1));
  mwt_scheduler_settle_locked (self, &wakeups);

  g_mutex_unlock (&self->mutex);
  mwt_wakeups_signal (&wakeups);

  return epoch;
}

/* Whether every job of @epoch, and of every older one, is done. The
 * scheduler's blockers are woken when that changes.
 */
gboolean
mwt_scheduler_is_drained (MwtScheduler *self,
                          guint32       epoch)
{
  MwtEpoch *head;
  gboolean drained;

  g_mutex_lock (&self->mutex);
  head = g_queue_peek_head (&self->epochs);
  drained = (gint32) (head->epoch - epoch) > 0;
  g_mutex_unlock (&self->mutex);

  return drained;
}

/* Hands @notice to its dispatcher once every thread has left. */
void
mwt_scheduler_notify_exit (MwtScheduler *self,
                           MwtNotice    *notice)
{
  MwtWakeups wakeups = { 0, };

  g_mutex_lock (&self->mutex);
  if (self->n_members == 0)
    mwt_scheduler_push_locked (notice, &wakeups);
  else
    mwt_scheduler_hold_locked (notice, &self->exit_notices);
  g_mutex_unlock (&self->mutex);

  mwt_wakeups_signal (&wakeups);
}

/* Takes back a notice that still waits: the caller owns it again. */
gboolean
mwt_scheduler_withdraw (MwtScheduler *self,
                        MwtNotice    *notice)
{
  gboolean withdrawn;

  g_mutex_lock (&self->mutex);
  withdrawn = notice->queue != NULL;
  if (withdrawn)
    {
      g_queue_unlink (notice->queue, &notice->item.link);
      notice->queue = NULL;
    }
  g_mutex_unlock (&self->mutex);

  return withdrawn;
}

/* Threads */

/* Counts threads about to start: the pool has members from then on. */
void
mwt_scheduler_add_members (MwtScheduler *self,
                           guint         n_members)
{
  g_mutex_lock (&self->mutex);
  self->n_members += n_members;
  g_mutex_unlock (&self->mutex);
}

/* Called by a thread on its way out, as the last thing it does here. */
void
mwt_scheduler_leave (MwtScheduler *self)
{
  MwtWakeups wakeups = { 0, };

  g_mutex_lock (&self->mutex);

  if (--self->n_members == 0)
    {
      GList *link;

      while ((link = g_queue_pop_head_link (&self->exit_notices)) != NULL)
        mwt_scheduler_push_locked ((MwtNotice *) link, &wakeups);
      mwt_blocker_wake_all (self->blockers);
    }

  g_mutex_unlock (&self->mutex);
  mwt_wakeups_signal (&wakeups);
}

gboolean
mwt_scheduler_has_members (MwtScheduler *self)
{
  gboolean has_members;

  g_mutex_lock (&self->mutex);
  has_members = self->n_members > 0;
  g_mutex_unlock (&self->mutex);

  return has_members;
}

/* @n_threads threads leave once they have finished their current job. */
void
mwt_scheduler_shrink (MwtScheduler *self,
                      guint         n_threads)
{
  g_mutex_lock (&self->mutex);
  self->n_excess += n_threads;
  g_cond_broadcast (&self->work_cond);
  g_mutex_unlock (&self->mutex);
}

/* Keeps up to @n_threads of the threads still due to leave after a
 * shrink; returns how many it kept.
 */
guint
mwt_scheduler_keep_leaving (MwtScheduler *self,
                            guint         n_threads)
{
  guint n_kept;

  g_mutex_lock (&self->mutex);
  n_kept = MIN (n_threads, self->n_excess);
  self->n_excess -= n_kept;
  g_mutex_unlock (&self->mutex);

  return n_kept;
}

/* A pool thread is about to wait for a job of its own pool. Returns FALSE
 * if every other thread already waits so: nobody would ever run the job.
 */
gboolean
mwt_scheduler_begin_sync_wait (MwtScheduler *self)
{
  gboolean starves;

  g_mutex_lock (&self->mutex);
  starves = self->n_sync_waiting + 1 >= self->n_members - MIN (self->n_excess, self->n_members);
  if (!starves)
    self->n_sync_waiting++;
  g_mutex_unlock (&self->mutex);

  return !starves;
}

void
mwt_scheduler_end_sync_wait (MwtScheduler *self)
{
  g_mutex_lock (&self->mutex);
  self->n_sync_waiting--;
  g_mutex_unlock (&self->mutex);
}

/* Counters and changes */

guint
mwt_scheduler_get_n_busy (MwtScheduler *self)
{
  guint n_busy;

  g_mutex_lock (&self->mutex);
  n_busy = self->n_busy;
  g_mutex_unlock (&self->mutex);

  return n_busy;
}

guint
mwt_scheduler_get_n_queued (MwtScheduler *self)
{
  MwtWakeups wakeups = { 0, };
  guint n_queued;

  g_mutex_lock (&self->mutex);
  mwt_scheduler_collect_locked (self, &wakeups);
  n_queued = mwt_queue_get_length (&self->queue);
  g_mutex_unlock (&self->mutex);
  mwt_wakeups_signal (&wakeups);

  return n_queued;
}

gint
mwt_scheduler_get_max_priority (MwtScheduler *self)
{
  gint max_priority;

  g_mutex_lock (&self->mutex);
  max_priority = self->max_priority;
  g_mutex_unlock (&self->mutex);

  return max_priority;
}

/* Hands the changes notice to its dispatcher, unless it is on its way. */
void
mwt_scheduler_announce (MwtScheduler *self,
                        MwtChanges    changes)
{
  MwtWakeups wakeups = { 0, };

  g_mutex_lock (&self->mutex);
  mwt_scheduler_announce_locked (self, changes, &wakeups);
  g_mutex_unlock (&self->mutex);
  mwt_wakeups_signal (&wakeups);
}

/* Called by the changes notice once dispatched: returns what changed
 * since, and lets the notice be handed out again.
 */
MwtChanges
mwt_scheduler_take_changes (MwtScheduler *self)
{
  MwtChanges changes;

  g_mutex_lock (&self->mutex);
  changes = self->changes;
  self->changes = 0;
  g_mutex_unlock (&self->mutex);

  return changes;
}

/* Stops handing out the changes notice. Returns whether it is on its way
 * meanwhile: whoever dispatches it must then free it.
 */
gboolean
mwt_scheduler_detach_changes (MwtScheduler *self)
{
  gboolean on_its_way;

  g_mutex_lock (&self->mutex);
  on_its_way = self->changes_notice != NULL && self->changes != 0;
  self->changes_notice = NULL;
  g_mutex_unlock (&self->mutex);

  return on_its_way;
}

/* Threads blocked until the pool has no member left, or until a drain
 * settles.
 */
void
mwt_scheduler_add_blocker (MwtScheduler *self,
                           MwtBlocker   *blocker)
{
  g_mutex_lock (&self->mutex);
  self->blockers = g_list_prepend (self->blockers, blocker);
  g_mutex_unlock (&self->mutex);
}

void
mwt_scheduler_remove_blocker (MwtScheduler *self,
                              MwtBlocker   *blocker)
{
  g_mutex_lock (&self->mutex);
  self->blockers = g_list_remove (self->blockers, blocker);
  g_mutex_unlock (&self->mutex);
}
