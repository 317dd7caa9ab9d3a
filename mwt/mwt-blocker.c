/* mwt-blocker.c
 *
 * SPDX-FileCopyrightText: 2026 The mwt authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "mwt-blocker-private.h"

void
mwt_blocker_init (MwtBlocker *blocker)
{
  g_mutex_init (&blocker->mutex);
  g_cond_init (&blocker->cond);
  blocker->woken = FALSE;
  blocker->iterating = NULL;
}

void
mwt_blocker_clear (MwtBlocker *blocker)
{
  g_mutex_clear (&blocker->mutex);
  g_cond_clear (&blocker->cond);
}

void
mwt_blocker_prepare (MwtBlocker *blocker)
{
  g_mutex_lock (&blocker->mutex);
  blocker->woken = FALSE;
  g_mutex_unlock (&blocker->mutex);
}

/* Returns at once if woken since mwt_blocker_prepare(). */
void
mwt_blocker_wait (MwtBlocker *blocker)
{
  g_mutex_lock (&blocker->mutex);
  while (!blocker->woken)
    g_cond_wait (&blocker->cond, &blocker->mutex);
  g_mutex_unlock (&blocker->mutex);
}

/* The context being iterated is owned by the blocked thread, which keeps
 * it alive until it clears it here, under the same lock.
 */
void
mwt_blocker_wake (MwtBlocker *blocker)
{
  g_mutex_lock (&blocker->mutex);
  blocker->woken = TRUE;
  g_cond_signal (&blocker->cond);
  if (blocker->iterating != NULL)
    g_main_context_wakeup (blocker->iterating);
  g_mutex_unlock (&blocker->mutex);
}

/* Sets *@finished and wakes the blocked thread in one hold of its lock:
 * once the thread reads the flag with mwt_blocker_is_finished(), the
 * waker touches neither again, and the thread may free both.
 */
void
mwt_blocker_finish (MwtBlocker *blocker,
                    gboolean   *finished)
{
  g_mutex_lock (&blocker->mutex);
  *finished = TRUE;
  blocker->woken = TRUE;
  g_cond_signal (&blocker->cond);
  g_mutex_unlock (&blocker->mutex);
}

gboolean
mwt_blocker_is_finished (MwtBlocker *blocker,
                         gboolean   *finished)
{
  gboolean result;

  g_mutex_lock (&blocker->mutex);
  result = *finished;
  g_mutex_unlock (&blocker->mutex);

  return result;
}

void
mwt_blocker_wake_all (GList *blockers)
{
  for (GList *l = blockers; l != NULL; l = l->next)
    mwt_blocker_wake (l->data);
}

void
mwt_blocker_set_iterating (MwtBlocker   *blocker,
                           GMainContext *context)
{
  g_mutex_lock (&blocker->mutex);
  blocker->iterating = context;
  g_mutex_unlock (&blocker->mutex);
}
