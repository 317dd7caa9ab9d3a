/* search-db.h: the names database, built and searched on mwt pools
 *
 * SPDX-FileCopyrightText: 2026 The mwt authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <mwt.h>

G_BEGIN_DECLS

/* How many names the database holds, and how many of those matching a
 * search the list shows: a screenful and more, few enough that a new list
 * costs GTK a fraction of a frame to build.
 */
#define SEARCH_DB_N_ROWS       1000000
#define SEARCH_DB_MAX_RESULTS  50

typedef struct
{
  gint64  id;
  char   *name;
  char   *place;
} SearchRow;

typedef struct
{
  guint   n_matches;  /* in the whole database */
  GArray *rows;       /* of SearchRow: the first matches, by id */
} SearchResults;

char          *search_db_get_default_path      (void);

/* The thread functions of the pool that builds the database: its one
 * thread owns the only connection that writes.
 */
gpointer       search_db_writer_open           (gpointer        path,
                                                GError        **error);
void           search_db_writer_close          (gpointer        thread_state,
                                                gpointer        path);
void           search_db_build_async           (MwtPool        *writer,
                                                const char     *path,
                                                int            *n_rows_done,
                                                GCancellable   *cancellable,
                                                GAsyncReadyCallback callback,
                                                gpointer        user_data);
gboolean       search_db_build_finish          (MwtPool        *writer,
                                                GAsyncResult   *result,
                                                GError        **error);

/* The thread functions of the pool that searches it: a read-only
 * connection and its prepared statements per thread.
 */
gpointer       search_db_reader_open           (gpointer        path,
                                                GError        **error);
void           search_db_reader_close          (gpointer        thread_state,
                                                gpointer        path);
void           search_db_query_async           (MwtPool        *readers,
                                                const char     *text,
                                                GCancellable   *cancellable,
                                                GAsyncReadyCallback callback,
                                                gpointer        user_data);
SearchResults *search_db_query_finish          (MwtPool        *readers,
                                                GAsyncResult   *result,
                                                GError        **error);
gboolean       search_db_query_was_interrupted (GAsyncResult   *result);

void           search_results_free             (SearchResults  *results);

/* For the self-test: called on each pool thread as it starts, with
 * "writer" or "reader".
 */
void           search_db_set_thread_observer   (GFunc           func,
                                                gpointer        user_data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SearchResults, search_results_free)

G_END_DECLS
