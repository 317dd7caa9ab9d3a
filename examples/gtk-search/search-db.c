/* search-db.c: the names database, built and searched on mwt pools
 *
 * SPDX-FileCopyrightText: 2026 The mwt authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define _GNU_SOURCE  /* gettid () */

#include <errno.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <unistd.h>

#include "search-db.h"

/* The same names on every machine, so that a screenshot can be redone. */
#define SEARCH_DB_SEED 20261

static GFunc thread_observer;
static gpointer thread_observer_data;

void
search_db_set_thread_observer (GFunc    func,
                               gpointer user_data)
{
  thread_observer = func;
  thread_observer_data = user_data;
}

static void
observe_thread (const char *role)
{
  if (thread_observer != NULL)
    thread_observer ((gpointer) role, thread_observer_data);
}

/* Pool threads do background work: they leave the CPU to the main thread,
 * which draws the frames, whenever it wants one. Linux keeps a nice value
 * per thread.
 */
static void
lower_thread_priority (void)
{
#ifdef __linux__
  setpriority (PRIO_PROCESS, gettid (), 10);
#endif
}

char *
search_db_get_default_path (void)
{
  g_autofree char *basename = g_strdup_printf ("names-%d.db", SEARCH_DB_N_ROWS);

  return g_build_filename (g_get_user_cache_dir (), "mwt-gtk-search", basename, NULL);
}

static void
set_sqlite_error (GError     **error,
                  sqlite3     *db,
                  const char  *path)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s",
               path, db != NULL ? sqlite3_errmsg (db) : "out of memory");
}

void
search_results_free (SearchResults *results)
{
  g_array_unref (results->rows);
  g_free (results);
}

static void
search_row_clear (SearchRow *row)
{
  g_free (row->name);
  g_free (row->place);
}

static SearchResults *
search_results_new (void)
{
  SearchResults *results = g_new0 (SearchResults, 1);

  results->rows = g_array_new (FALSE, FALSE, sizeof (SearchRow));
  g_array_set_clear_func (results->rows, (GDestroyNotify) search_row_clear);

  return results;
}

/* Building */

/* The database gets its real name only once it is complete: a build cut
 * short leaves a .part file that the next one starts afresh.
 */
static char *
part_path (const char *path)
{
  return g_strconcat (path, ".part", NULL);
}

gpointer
search_db_writer_open (gpointer   path,
                       GError   **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *part = part_path (path);
  sqlite3 *db = NULL;

  observe_thread ("writer");
  lower_thread_priority ();

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "%s: %s", dir, g_strerror (saved_errno));
      return NULL;
    }
  g_unlink (part);

  /* No journal: until it is renamed, nobody else looks at this file. */
  if (sqlite3_open_v2 (part, &db,
                       SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                       NULL) != SQLITE_OK ||
      sqlite3_exec (db,
                    "PRAGMA journal_mode = OFF;"
                    "PRAGMA synchronous = OFF;"
                    "CREATE TABLE names (id INTEGER PRIMARY KEY,"
                    "                    name TEXT NOT NULL,"
                    "                    place TEXT NOT NULL);",
                    NULL, NULL, NULL) != SQLITE_OK)
    {
      set_sqlite_error (error, db, part);
      sqlite3_close (db);
      return NULL;
    }

  return db;
}

void
search_db_writer_close (gpointer thread_state,
                        gpointer path)
{
  sqlite3_close (thread_state);
}

/* Made-up names from made-up syllables: enough variety for a search to
 * narrow down letter by letter.
 */
static void
append_word (GString *string,
             GRand   *rand,
             int      min_syllables,
             int      max_syllables)
{
  static const char *const onsets[] = {
    "b", "br", "ch", "d", "dr", "f", "g", "gr", "h", "j", "k", "kr", "l",
    "m", "n", "p", "r", "s", "sh", "st", "t", "th", "tr", "v", "w", "z",
  };
  static const char *const nuclei[] = { "a", "e", "i", "o", "u", "ai", "ea", "ou" };
  static const char *const codas[] = { "", "", "", "n", "r", "l", "s", "th" };
  gsize start = string->len;
  int n = g_rand_int_range (rand, min_syllables, max_syllables + 1);

  for (int i = 0; i < n; i++)
    {
      g_string_append (string, onsets[g_rand_int_range (rand, 0, G_N_ELEMENTS (onsets))]);
      g_string_append (string, nuclei[g_rand_int_range (rand, 0, G_N_ELEMENTS (nuclei))]);
    }
  g_string_append (string, codas[g_rand_int_range (rand, 0, G_N_ELEMENTS (codas))]);
  string->str[start] = g_ascii_toupper (string->str[start]);
}

typedef struct
{
  char *path;
  int  *n_rows_done;
} SearchBuild;

static void
search_build_free (SearchBuild *build)
{
  g_free (build->path);
  g_free (build);
}

static gboolean
insert_rows (sqlite3       *db,
             SearchBuild   *build,
             GCancellable  *cancellable,
             GError       **error)
{
  static const char *const suffixes[] = { "", "", "ton", "by", "ford", "mouth", "stead", "wick" };
  g_autoptr(GRand) rand = g_rand_new_with_seed (SEARCH_DB_SEED);
  g_autoptr(GString) name = g_string_new (NULL);
  g_autoptr(GString) place = g_string_new (NULL);
  sqlite3_stmt *insert = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (db, "INSERT INTO names (id, name, place) VALUES (?1, ?2, ?3)",
                           -1, &insert, NULL);
  for (int id = 1; rc == SQLITE_OK && id <= SEARCH_DB_N_ROWS; id++)
    {
      g_string_truncate (name, 0);
      append_word (name, rand, 1, 3);
      g_string_append_c (name, ' ');
      append_word (name, rand, 2, 3);

      g_string_truncate (place, 0);
      append_word (place, rand, 1, 2);
      g_string_append (place, suffixes[g_rand_int_range (rand, 0, G_N_ELEMENTS (suffixes))]);

      sqlite3_bind_int (insert, 1, id);
      sqlite3_bind_text (insert, 2, name->str, name->len, SQLITE_STATIC);
      sqlite3_bind_text (insert, 3, place->str, place->len, SQLITE_STATIC);
      rc = sqlite3_step (insert) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode (db);
      sqlite3_reset (insert);

      /* The progress bar reads this on every frame. */
      if (id % 4096 == 0 || id == SEARCH_DB_N_ROWS)
        {
          g_atomic_int_set (build->n_rows_done, id);
          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            break;
        }
    }
  if (rc != SQLITE_OK)
    set_sqlite_error (error, db, build->path);
  sqlite3_finalize (insert);

  return rc == SQLITE_OK && !g_cancellable_is_cancelled (cancellable);
}

/* Runs on the writer pool's thread, with its connection. */
static void
build_in_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable,
                 gpointer      thread_state)
{
  sqlite3 *db = thread_state;
  SearchBuild *build = task_data;
  g_autofree char *part = part_path (build->path);
  GError *error = NULL;

  if (sqlite3_exec (db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
    set_sqlite_error (&error, db, part);
  else if (!insert_rows (db, build, cancellable, &error))
    sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
  else if (sqlite3_exec (db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
    set_sqlite_error (&error, db, part);
  else if (g_rename (part, build->path) != 0)
    {
      int saved_errno = errno;

      g_set_error (&error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "%s: %s", build->path, g_strerror (saved_errno));
    }

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/* Builds the database at @path on @writer, a pool of one thread made
 * with search_db_writer_open(); *@n_rows_done counts the rows written so
 * far (read it with g_atomic_int_get()).
 */
void
search_db_build_async (MwtPool             *writer,
                       const char          *path,
                       int                 *n_rows_done,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (writer, cancellable, callback, user_data);
  SearchBuild *build = g_new0 (SearchBuild, 1);

  build->path = g_strdup (path);
  build->n_rows_done = n_rows_done;
  g_task_set_source_tag (task, search_db_build_async);
  g_task_set_task_data (task, build, (GDestroyNotify) search_build_free);
  mwt_pool_run_task (writer, task, build_in_thread);
}

gboolean
search_db_build_finish (MwtPool       *writer,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, writer), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Searching */

typedef struct
{
  sqlite3      *db;
  sqlite3_stmt *search;       /* the first matches, by id */
  sqlite3_stmt *count;        /* how many match in all */
  GCancellable *cancellable;  /* of the query this thread is running */
} SearchReader;

/* SQLite calls this every thousand virtual machine instructions while a
 * statement runs: non-zero makes sqlite3_step() stop with
 * SQLITE_INTERRUPT, so a superseded query gives its thread back at once.
 */
static int
reader_check_cancelled (gpointer data)
{
  SearchReader *reader = data;

  return reader->cancellable != NULL && g_cancellable_is_cancelled (reader->cancellable);
}

void
search_db_reader_close (gpointer thread_state,
                        gpointer path)
{
  SearchReader *reader = thread_state;

  sqlite3_finalize (reader->search);
  sqlite3_finalize (reader->count);
  sqlite3_close (reader->db);
  g_free (reader);
}

gpointer
search_db_reader_open (gpointer   path,
                       GError   **error)
{
  SearchReader *reader = g_new0 (SearchReader, 1);

  observe_thread ("reader");
  lower_thread_priority ();

  /* NOMUTEX: the connection never leaves this thread. */
  if (sqlite3_open_v2 (path, &reader->db,
                       SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
      sqlite3_prepare_v3 (reader->db,
                          "SELECT id, name, place FROM names"
                          " WHERE name LIKE ?1 ESCAPE '\\' ORDER BY id LIMIT ?2",
                          -1, SQLITE_PREPARE_PERSISTENT, &reader->search, NULL) != SQLITE_OK ||
      sqlite3_prepare_v3 (reader->db,
                          "SELECT count(*) FROM names WHERE name LIKE ?1 ESCAPE '\\'",
                          -1, SQLITE_PREPARE_PERSISTENT, &reader->count, NULL) != SQLITE_OK)
    {
      set_sqlite_error (error, reader->db, path);
      search_db_reader_close (reader, path);
      return NULL;
    }
  sqlite3_progress_handler (reader->db, 1000, reader_check_cancelled, reader);

  return reader;
}

typedef struct
{
  char     *pattern;
  gboolean  interrupted;  /* set on the worker, read once the task is done */
} SearchQuery;

static void
search_query_free (SearchQuery *query)
{
  g_free (query->pattern);
  g_free (query);
}

/* "%text%", with LIKE's own wildcards in @text taken literally. */
static char *
like_pattern (const char *text)
{
  GString *pattern = g_string_new ("%");

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '%' || *p == '_' || *p == '\\')
        g_string_append_c (pattern, '\\');
      g_string_append_c (pattern, *p);
    }
  g_string_append_c (pattern, '%');

  return g_string_free (pattern, FALSE);
}

/* Runs on a reader pool thread, with that thread's connection. */
static void
query_in_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable,
                 gpointer      thread_state)
{
  SearchReader *reader = thread_state;
  SearchQuery *query = task_data;
  g_autoptr(SearchResults) results = search_results_new ();
  GError *error = NULL;
  int rc;

  reader->cancellable = cancellable;
  sqlite3_bind_text (reader->search, 1, query->pattern, -1, SQLITE_STATIC);
  sqlite3_bind_int (reader->search, 2, SEARCH_DB_MAX_RESULTS);
  while ((rc = sqlite3_step (reader->search)) == SQLITE_ROW)
    {
      SearchRow row = {
        .id = sqlite3_column_int64 (reader->search, 0),
        .name = g_strdup ((const char *) sqlite3_column_text (reader->search, 1)),
        .place = g_strdup ((const char *) sqlite3_column_text (reader->search, 2)),
      };

      g_array_append_val (results->rows, row);
    }
  if (rc == SQLITE_DONE)
    {
      sqlite3_bind_text (reader->count, 1, query->pattern, -1, SQLITE_STATIC);
      rc = sqlite3_step (reader->count);
      if (rc == SQLITE_ROW)
        results->n_matches = sqlite3_column_int64 (reader->count, 0);
    }
  reader->cancellable = NULL;

  if (rc == SQLITE_INTERRUPT)
    {
      query->interrupted = TRUE;
      g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "The search was cancelled");
    }
  else if (rc != SQLITE_ROW)
    set_sqlite_error (&error, reader->db, sqlite3_db_filename (reader->db, NULL));

  sqlite3_reset (reader->search);
  sqlite3_reset (reader->count);
  sqlite3_clear_bindings (reader->search);
  sqlite3_clear_bindings (reader->count);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_steal_pointer (&results), (GDestroyNotify) search_results_free);
}

/* Looks for @text anywhere in the names, on one of @readers' threads (a
 * pool made with search_db_reader_open()). Cancelling @cancellable stops
 * the query even while it runs.
 */
void
search_db_query_async (MwtPool             *readers,
                       const char          *text,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (readers, cancellable, callback, user_data);
  SearchQuery *query = g_new0 (SearchQuery, 1);

  query->pattern = like_pattern (text);
  g_task_set_source_tag (task, search_db_query_async);
  g_task_set_task_data (task, query, (GDestroyNotify) search_query_free);
  mwt_pool_run_task (readers, task, query_in_thread);
}

/* Like any GTask's, a result fails with G_IO_ERROR_CANCELLED once
 * @cancellable is cancelled, even if the rows had already come back.
 */
SearchResults *
search_db_query_finish (MwtPool       *readers,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, readers), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Whether the query was running when it was cancelled, and stopped. */
gboolean
search_db_query_was_interrupted (GAsyncResult *result)
{
  SearchQuery *query = g_task_get_task_data (G_TASK (result));

  return query->interrupted;
}
