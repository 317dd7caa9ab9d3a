/* mwt-queue.c
 *
 * SPDX-FileCopyrightText: 2026 The mwt authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "mwt-queue-private.h"

struct _MwtQueueBucket
{
  GQueue items;
  gint   priority;
};

static gint
compare_priorities (gconstpointer a,
                    gconstpointer b,
                    gpointer      user_data)
{
  gint x = GPOINTER_TO_INT (a), y = GPOINTER_TO_INT (b);

  return (x > y) - (x < y);
}

void
mwt_queue_init (MwtQueue *queue)
{
  queue->buckets = g_tree_new_full (compare_priorities, NULL, NULL, NULL);
  queue->first = NULL;
  queue->spare = NULL;
  queue->length = 0;
}

/* The queue must be empty. */
void
mwt_queue_clear (MwtQueue *queue)
{
  g_assert (queue->length == 0);

  g_clear_pointer (&queue->buckets, g_tree_unref);
  g_clear_pointer (&queue->spare, g_free);
}

static MwtQueueBucket *
mwt_queue_lookup (MwtQueue *queue,
                  gint      priority)
{
  /* The tree holds only less urgent priorities than the first. */
  if (queue->first == NULL || priority < queue->first->priority)
    return NULL;
  if (priority == queue->first->priority)
    return queue->first;

  return g_tree_lookup (queue->buckets, GINT_TO_POINTER (priority));
}

static MwtQueueBucket *
mwt_queue_take_bucket (MwtQueue *queue,
                       gint      priority)
{
  MwtQueueBucket *bucket = g_steal_pointer (&queue->spare);

  if (bucket == NULL)
    bucket = g_new0 (MwtQueueBucket, 1);
  bucket->priority = priority;

  return bucket;
}

static void
mwt_queue_insert (MwtQueue       *queue,
                  MwtQueueBucket *bucket)
{
  g_tree_insert (queue->buckets, GINT_TO_POINTER (bucket->priority), bucket);
}

void
mwt_queue_push (MwtQueue *queue,
                GList    *link,
                gint      priority)
{
  MwtQueueBucket *bucket = mwt_queue_lookup (queue, priority);

  if (bucket == NULL)
    {
      bucket = mwt_queue_take_bucket (queue, priority);

      if (queue->first == NULL)
        queue->first = bucket;
      else if (priority < queue->first->priority)
        {
          mwt_queue_insert (queue, queue->first);
          queue->first = bucket;
        }
      else
        mwt_queue_insert (queue, bucket);
    }

  g_queue_push_tail_link (&bucket->items, link);
  queue->length++;
}

static void
mwt_queue_unlink (MwtQueue       *queue,
                  MwtQueueBucket *bucket,
                  GList          *link)
{
  g_queue_unlink (&bucket->items, link);
  queue->length--;

  if (!g_queue_is_empty (&bucket->items))
    return;

  if (bucket == queue->first)
    {
      GTreeNode *node = g_tree_node_first (queue->buckets);

      queue->first = node != NULL ? g_tree_node_value (node) : NULL;
      if (queue->first != NULL)
        g_tree_remove (queue->buckets, GINT_TO_POINTER (queue->first->priority));
    }
  else
    g_tree_remove (queue->buckets, GINT_TO_POINTER (bucket->priority));

  if (queue->spare == NULL)
    queue->spare = bucket;
  else
    g_free (bucket);
}

/* Takes the oldest item of the most urgent priority, or NULL. */
GList *
mwt_queue_pop (MwtQueue *queue)
{
  GList *link;

  if (queue->first == NULL)
    return NULL;

  link = queue->first->items.head;
  mwt_queue_unlink (queue, queue->first, link);

  return link;
}

/* Takes out @link, which was pushed with @priority. */
void
mwt_queue_remove (MwtQueue *queue,
                  GList    *link,
                  gint      priority)
{
  MwtQueueBucket *bucket = mwt_queue_lookup (queue, priority);

  g_assert (bucket != NULL);
  mwt_queue_unlink (queue, bucket, link);
}

guint
mwt_queue_get_length (MwtQueue *queue)
{
  return queue->length;
}
