/* test-queue.c: the run queue, on its own
 *
 * SPDX-FileCopyrightText: 2026 The mwt authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <glib.h>

#include "mwt-queue-private.h"

typedef struct
{
  GList link;
  gint  priority;
  guint order;
} Item;

static Item *
items_new (guint n)
{
  Item *items = g_new0 (Item, n);

  for (guint i = 0; i < n; i++)
    {
      items[i].link.data = &items[i];
      items[i].order = i;
    }

  return items;
}

static void
push (MwtQueue *queue,
      Item     *item,
      gint      priority)
{
  item->priority = priority;
  mwt_queue_push (queue, &item->link, priority);
}

static Item *
pop (MwtQueue *queue)
{
  GList *link = mwt_queue_pop (queue);

  return link != NULL ? link->data : NULL;
}

static void
test_queue_pops_by_priority_then_in_order (void)
{
  static const gint priorities[] = { 10, -10, 0, 10, -10, 0, 300, -100, 0 };
  static const guint expected[] = { 7, 1, 4, 2, 5, 8, 0, 3, 6 };
  MwtQueue queue;
  Item *items = items_new (G_N_ELEMENTS (priorities));

  mwt_queue_init (&queue);
  for (guint i = 0; i < G_N_ELEMENTS (priorities); i++)
    push (&queue, &items[i], priorities[i]);
  g_assert_cmpuint (mwt_queue_get_length (&queue), ==, G_N_ELEMENTS (priorities));

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmpuint (pop (&queue)->order, ==, expected[i]);
  g_assert_null (pop (&queue));
  g_assert_cmpuint (mwt_queue_get_length (&queue), ==, 0);

  mwt_queue_clear (&queue);
  g_free (items);
}

static void
test_queue_remove_keeps_the_order_of_the_rest (void)
{
  MwtQueue queue;
  Item *items = items_new (8);

  mwt_queue_init (&queue);
  /* Two priorities, four items each: 0 2 4 6 at -1, 1 3 5 7 at 1. */
  for (guint i = 0; i < 8; i++)
    push (&queue, &items[i], i % 2 == 0 ? -1 : 1);

  /* The head, the middle and the tail of a priority. */
  mwt_queue_remove (&queue, &items[0].link, -1);
  mwt_queue_remove (&queue, &items[3].link, 1);
  mwt_queue_remove (&queue, &items[7].link, 1);
  g_assert_cmpuint (mwt_queue_get_length (&queue), ==, 5);

  /* Then every item of the most urgent priority: the other comes first. */
  mwt_queue_remove (&queue, &items[2].link, -1);
  mwt_queue_remove (&queue, &items[4].link, -1);
  mwt_queue_remove (&queue, &items[6].link, -1);
  g_assert_cmpuint (pop (&queue)->order, ==, 1);

  /* An emptied priority comes back in its place. */
  push (&queue, &items[0], -1);
  push (&queue, &items[2], 1);
  g_assert_cmpuint (pop (&queue)->order, ==, 0);
  g_assert_cmpuint (pop (&queue)->order, ==, 5);
  g_assert_cmpuint (pop (&queue)->order, ==, 2);
  g_assert_null (pop (&queue));

  mwt_queue_clear (&queue);
  g_free (items);
}

static gint
compare_by_priority_then_order (gconstpointer a,
                                gconstpointer b)
{
  const Item *x = *(Item * const *) a, *y = *(Item * const *) b;

  if (x->priority != y->priority)
    return (x->priority > y->priority) - (x->priority < y->priority);

  return (x->order > y->order) - (x->order < y->order);
}

/* Against a model: random pushes, removals and pops over many priorities
 * give the order of a stable sort of what is left.
 */
static void
test_queue_matches_a_sorted_model (void)
{
  const guint n = 4000;
  Item *items = items_new (n);
  GPtrArray *model = g_ptr_array_new ();
  MwtQueue queue;
  guint next = 0;

  mwt_queue_init (&queue);

  while (next < n || model->len > 0)
    {
      guint action = g_test_rand_int_range (0, 10);

      if (next < n && (action < 6 || model->len == 0))
        {
          Item *item = &items[next++];

          push (&queue, item, g_test_rand_int_range (-50, 50));
          g_ptr_array_add (model, item);
        }
      else if (action < 8)
        {
          Item *item = g_ptr_array_steal_index (model, g_test_rand_int_range (0, model->len));

          mwt_queue_remove (&queue, &item->link, item->priority);
        }
      else
        {
          Item *item;

          g_ptr_array_sort (model, compare_by_priority_then_order);
          item = g_ptr_array_steal_index (model, 0);
          g_assert_true (pop (&queue) == item);
        }

      g_assert_cmpuint (mwt_queue_get_length (&queue), ==, model->len);
    }

  g_assert_null (pop (&queue));
  mwt_queue_clear (&queue);
  g_ptr_array_unref (model);
  g_free (items);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Mwt/Queue/pops-by-priority-then-in-order", test_queue_pops_by_priority_then_in_order);
  g_test_add_func ("/Mwt/Queue/remove-keeps-the-order-of-the-rest", test_queue_remove_keeps_the_order_of_the_rest);
  g_test_add_func ("/Mwt/Queue/matches-a-sorted-model", test_queue_matches_a_sorted_model);

  return g_test_run ();
}
