/* mwt-queue-private.h: the run queue, ordered by priority, first-in
 * first-out within a priority
 *
 * SPDX-FileCopyrightText: 2026 The mwt authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _MwtQueueBucket MwtQueueBucket;

/* Items are GList links owned by the caller, one bucket (a GQueue) per
 * priority that has items. Pushing, popping and removing cost O(1) when
 * the priority already has items, or when no other priority has any, and
 * O(log P) otherwise, with P the number of priorities that have items.
 */
typedef struct _MwtQueue
{
  /* The bucket of the most urgent (numerically lowest) priority, kept out
   * of the tree: a queue that holds one priority at a time, as most do,
   * never touches the tree, which allocates and frees a node per insert
   * and removal.
   */
  MwtQueueBucket *first;
  /* The buckets of the other priorities that have items. */
  GTree          *buckets;
  /* A bucket kept back for the next priority that gets items, so that a
   * queue that empties and fills one task at a time allocates nothing.
   */
  MwtQueueBucket *spare;
  guint           length;
} MwtQueue;

void   mwt_queue_init       (MwtQueue *queue);
void   mwt_queue_clear      (MwtQueue *queue);
void   mwt_queue_push       (MwtQueue *queue,
                             GList    *link,
                             gint      priority);
GList *mwt_queue_pop        (MwtQueue *queue);
void   mwt_queue_remove     (MwtQueue *queue,
                             GList    *link,
                             gint      priority);
guint  mwt_queue_get_length (MwtQueue *queue);

G_END_DECLS
