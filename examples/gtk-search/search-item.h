/* search-item.h: one row of the results, as the list view shows it
 *
 * SPDX-FileCopyrightText: 2026 The mwt authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define SEARCH_TYPE_ITEM (search_item_get_type ())

G_DECLARE_FINAL_TYPE (SearchItem, search_item, SEARCH, ITEM, GObject)

SearchItem *search_item_new       (gint64      id,
                                   const char *name,
                                   const char *place) G_GNUC_WARN_UNUSED_RESULT;
void        search_item_update    (SearchItem *self,
                                   gint64      id,
                                   const char *name,
                                   const char *place);
gint64      search_item_get_id    (SearchItem *self);
const char *search_item_get_name  (SearchItem *self);
const char *search_item_get_place (SearchItem *self);

G_END_DECLS
