/* mwt-worker.c: the life of one pool thread
 *
 * SPDX-FileCopyrightText: 2026 The mwt authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "mwt-job-private.h"
#include "mwt-pool-private.h"

static GPrivate current_worker;

/* The worker whose thread is calling, or NULL on any other thread. */
MwtWorker *
mwt_worker_get_current (void)
{
  return g_private_get (&current_worker);
}

gpointer
mwt_worker_main (gpointer data)
{
  MwtWorker *worker = data;
  MwtPool *pool = worker->pool;
  GError *error = NULL;
  gboolean init_failed;
  MwtJob *job;

  g_private_set (&current_worker, worker);

  if (pool->init != NULL)
    worker->state = pool->init (pool->user_data, &error);

  init_failed = error != NULL;

  g_mutex_lock (&pool->mutex);

  if (mwt_pool_report_init_locked (pool, worker, g_steal_pointer (&error)))
    {
      while ((job = mwt_pool_next_job_locked (pool, worker)) != NULL)
        {
          g_mutex_unlock (&pool->mutex);
          mwt_job_run (job, worker->state);
          g_mutex_lock (&pool->mutex);
          mwt_pool_job_done_locked (pool, job);
        }
    }

  g_mutex_unlock (&pool->mutex);

  /* A thread whose init succeeded always cleans up, even when another
   * thread's init failed and the pool never opened.
   */
  if (!init_failed && pool->at_exit != NULL)
    pool->at_exit (worker->state, pool->user_data);

  g_mutex_lock (&pool->mutex);
  mwt_pool_worker_exited_locked (pool, worker);
  g_mutex_unlock (&pool->mutex);

  g_private_set (&current_worker, NULL);

  return NULL;
}
