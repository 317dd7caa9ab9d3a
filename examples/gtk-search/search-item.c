/* search-item.c: one row of the results, as the list view shows it
 *
 * SPDX-FileCopyrightText: 2026 The mwt authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "search-item.h"

struct _SearchItem
{
  GObject parent_instance;

  gint64 id;
  char *name;
  char *place;
};

G_DEFINE_FINAL_TYPE (SearchItem, search_item, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_PLACE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
search_item_finalize (GObject *object)
{
  SearchItem *self = SEARCH_ITEM (object);

  g_free (self->name);
  g_free (self->place);

  G_OBJECT_CLASS (search_item_parent_class)->finalize (object);
}

static void
search_item_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  SearchItem *self = SEARCH_ITEM (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_PLACE:
      g_value_set_string (value, self->place);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
search_item_class_init (SearchItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = search_item_finalize;
  object_class->get_property = search_item_get_property;

  /**
   * SearchItem:id:
   *
   * The row's id in the database.
   */
  properties[PROP_ID] =
    g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * SearchItem:name:
   *
   * The name that matched.
   */
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * SearchItem:place:
   *
   * Where that name lives.
   */
  properties[PROP_PLACE] =
    g_param_spec_string ("place", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
search_item_init (SearchItem *self)
{
}

SearchItem *
search_item_new (gint64      id,
                 const char *name,
                 const char *place)
{
  SearchItem *self = g_object_new (SEARCH_TYPE_ITEM, NULL);

  self->id = id;
  self->name = g_strdup (name);
  self->place = g_strdup (place);

  return self;
}

static gboolean
set_string (char       **field,
            const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;

  g_free (*field);
  *field = g_strdup (value);

  return TRUE;
}

/* Makes the item another row: the list redraws the widgets that show it
 * instead of building new ones.
 */
void
search_item_update (SearchItem *self,
                    gint64      id,
                    const char *name,
                    const char *place)
{
  g_return_if_fail (SEARCH_IS_ITEM (self));

  g_object_freeze_notify (G_OBJECT (self));
  if (self->id != id)
    {
      self->id = id;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ID]);
    }
  if (set_string (&self->name, name))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
  if (set_string (&self->place, place))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PLACE]);
  g_object_thaw_notify (G_OBJECT (self));
}

gint64
search_item_get_id (SearchItem *self)
{
  g_return_val_if_fail (SEARCH_IS_ITEM (self), 0);

  return self->id;
}

const char *
search_item_get_name (SearchItem *self)
{
  g_return_val_if_fail (SEARCH_IS_ITEM (self), NULL);

  return self->name;
}

const char *
search_item_get_place (SearchItem *self)
{
  g_return_val_if_fail (SEARCH_IS_ITEM (self), NULL);

  return self->place;
}
