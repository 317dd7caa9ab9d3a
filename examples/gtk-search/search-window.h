/* search-window.h: the search window and the pools behind it
 *
 * SPDX-FileCopyrightText: 2026 The mwt authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gtk/gtk.h>
#include <mwt.h>

G_BEGIN_DECLS

#define SEARCH_TYPE_WINDOW (search_window_get_type ())

G_DECLARE_FINAL_TYPE (SearchWindow, search_window, SEARCH, WINDOW, GtkApplicationWindow)

SearchWindow *search_window_new           (GtkApplication *application) G_GNUC_WARN_UNUSED_RESULT;

/* What the self-test looks at. */
GtkEditable  *search_window_get_entry     (SearchWindow   *self);
GListModel   *search_window_get_results   (SearchWindow   *self);
guint         search_window_get_n_matches (SearchWindow   *self);
MwtPool      *search_window_get_readers   (SearchWindow   *self);
const char   *search_window_get_db_path   (SearchWindow   *self);

G_END_DECLS
