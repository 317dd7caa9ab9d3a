/* mwt-sqlite-demo.c: read queries on per-thread SQLite connections, driven
 * from a GLib main loop, against the two usual alternatives.
 *
 * SPDX-FileCopyrightText: 2026 The mwt authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <glib/gstdio.h>
#include <mwt.h>
#include <sqlite3.h>
#include <stdio.h>
#include <unistd.h>

#define IN_FLIGHT 64

static gchar *db_path;
static gint n_rows = 200000;
static gint n_queries = 20000;
static gint n_threads = 4;

typedef enum {
  MODE_MWT,
  MODE_SHARED,
  MODE_PER_QUERY,
  N_MODES
} Mode;

static const gchar *mode_names[N_MODES] = {
  "mwt pool, a connection per thread",
  "g_task_run_in_thread, one shared connection",
  "g_task_run_in_thread, a connection per query",
};

/* One query: a point lookup, then a small range aggregate. */
typedef struct
{
  gint64 id;
  gint64 sum;
} Query;

static gboolean
run_query (sqlite3  *db,
           Query    *query,
           GError  **error)
{
  static const gchar *sql =
    "SELECT (SELECT category FROM items WHERE id = ?1),"
    " (SELECT sum(value) FROM items WHERE id BETWEEN ?1 AND ?1 + 20)";
  sqlite3_stmt *stmt = NULL;
  gboolean ok;

  ok = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) == SQLITE_OK;
  if (ok)
    {
      sqlite3_bind_int64 (stmt, 1, query->id);
      ok = sqlite3_step (stmt) == SQLITE_ROW;
      if (ok)
        query->sum = sqlite3_column_int64 (stmt, 0) + sqlite3_column_int64 (stmt, 1);
    }
  if (!ok)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "query failed: %s", sqlite3_errmsg (db));
  sqlite3_finalize (stmt);

  return ok;
}

static sqlite3 *
open_read_only (GError **error)
{
  sqlite3 *db = NULL;

  /* Connections opened at the same time take turns to read the WAL's
   * index for the first time: the others wait instead of failing with
   * "database is locked". */
  if (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
      sqlite3_busy_timeout (db, 5000) != SQLITE_OK ||
      sqlite3_exec (db, "SELECT count(*) FROM items", NULL, NULL, NULL) != SQLITE_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "%s is not a demo database: %s", db_path, sqlite3_errmsg (db));
      sqlite3_close (db);
      return NULL;
    }

  return db;
}

/* The three ways of running a query */

static gpointer
thread_open (gpointer   user_data,
             GError   **error)
{
  return open_read_only (error);
}

static void
thread_close (gpointer thread_state,
              gpointer user_data)
{
  sqlite3_close (thread_state);
}

static gpointer
query_on_thread_connection (gpointer       thread_state,
                            gpointer       func_data,
                            GCancellable  *cancellable,
                            GError       **error)
{
  return run_query (thread_state, func_data, error) ? func_data : NULL;
}

static GMutex shared_lock;
static sqlite3 *shared_db;

static void
query_on_shared_connection (GTask        *task,
                            gpointer      source_object,
                            gpointer      task_data,
                            GCancellable *cancellable)
{
  GError *error = NULL;
  gboolean ok;

  g_mutex_lock (&shared_lock);
  ok = run_query (shared_db, task_data, &error);
  g_mutex_unlock (&shared_lock);

  if (ok)
    g_task_return_pointer (task, task_data, NULL);
  else
    g_task_return_error (task, error);
}

static void
query_on_new_connection (GTask        *task,
                         gpointer      source_object,
                         gpointer      task_data,
                         GCancellable *cancellable)
{
  GError *error = NULL;
  sqlite3 *db = open_read_only (&error);

  if (db != NULL && run_query (db, task_data, &error))
    g_task_return_pointer (task, task_data, NULL);
  else
    g_task_return_error (task, error);
  sqlite3_close (db);
}

/* A run: IN_FLIGHT queries at a time, the next one submitted from the
 * callback of the previous one, progress shown from a timeout.
 */
typedef struct
{
  Mode       mode;
  MwtPool   *pool;
  GMainLoop *loop;
  Query     *queries;
  gint       n_queries;
  gint       n_submitted;
  gint       n_done;
  gint64     start;
  GError    *error;
} Run;

static void submit_next (Run *run);

static void
query_done (GObject      *source_object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Run *run = user_data;
  GError *error = NULL;
  Query *query;

  if (run->mode == MODE_MWT)
    query = mwt_pool_run_finish (run->pool, result, &error);
  else
    query = g_task_propagate_pointer (G_TASK (result), &error);

  if (query == NULL && run->error == NULL)
    run->error = error;
  else
    g_clear_error (&error);

  run->n_done++;
  if (run->n_done == run->n_queries)
    g_main_loop_quit (run->loop);
  else
    submit_next (run);
}

static void
submit_next (Run *run)
{
  Query *query;

  if (run->n_submitted == run->n_queries)
    return;

  query = &run->queries[run->n_submitted++];
  if (run->mode == MODE_MWT)
    {
      mwt_pool_run_async (run->pool, query_on_thread_connection, query, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                          query_done, run);
    }
  else
    {
      g_autoptr(GTask) task = g_task_new (NULL, NULL, query_done, run);

      g_task_set_task_data (task, query, NULL);
      g_task_run_in_thread (task, run->mode == MODE_SHARED
                                  ? query_on_shared_connection
                                  : query_on_new_connection);
    }
}

static gboolean
show_progress (gpointer data)
{
  Run *run = data;
  gdouble seconds = (g_get_monotonic_time () - run->start) / (gdouble) G_TIME_SPAN_SECOND;

  g_print ("%s  %6d/%d queries  %8.0f queries/s",
           isatty (STDOUT_FILENO) ? "\r" : "",
           run->n_done, run->n_queries, run->n_done / MAX (seconds, 1e-6));
  if (!isatty (STDOUT_FILENO))
    g_print ("\n");
  fflush (stdout);

  return G_SOURCE_CONTINUE;
}

/* Runs the first @count of @queries; returns queries per second. */
static gdouble
run_mode (Mode      mode,
          MwtPool  *pool,
          Query    *queries,
          gint      count,
          GError  **error)
{
  Run run = { mode, pool, g_main_loop_new (NULL, FALSE), queries, count, };
  guint progress;
  gdouble seconds;

  g_print ("%s\n", mode_names[mode]);
  run.start = g_get_monotonic_time ();
  progress = g_timeout_add (isatty (STDOUT_FILENO) ? 200 : 1000, show_progress, &run);
  for (gint i = 0; i < IN_FLIGHT; i++)
    submit_next (&run);
  g_main_loop_run (run.loop);
  g_source_remove (progress);
  seconds = (g_get_monotonic_time () - run.start) / (gdouble) G_TIME_SPAN_SECOND;
  show_progress (&run);
  if (isatty (STDOUT_FILENO))
    g_print ("\n");

  if (run.error != NULL)
    g_propagate_error (error, run.error);
  g_main_loop_unref (run.loop);

  return count / seconds;
}

/* The database */

static gboolean
create_database (GError **error)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gboolean ok;

  g_print ("Creating %s with %d rows\n", db_path, n_rows);
  ok = sqlite3_open (db_path, &db) == SQLITE_OK &&
       sqlite3_exec (db,
                     "PRAGMA journal_mode = WAL;"
                     "CREATE TABLE items (id INTEGER PRIMARY KEY, category INTEGER, value INTEGER);"
                     "CREATE INDEX items_category ON items (category);"
                     "BEGIN;", NULL, NULL, NULL) == SQLITE_OK &&
       sqlite3_prepare_v2 (db, "INSERT INTO items VALUES (?, ?, ?)", -1, &stmt, NULL) == SQLITE_OK;

  for (gint i = 1; ok && i <= n_rows; i++)
    {
      sqlite3_bind_int (stmt, 1, i);
      sqlite3_bind_int (stmt, 2, i % 97);
      sqlite3_bind_int (stmt, 3, (i * 7919) % 1000);
      ok = sqlite3_step (stmt) == SQLITE_DONE && sqlite3_reset (stmt) == SQLITE_OK;
    }

  ok = ok && sqlite3_exec (db, "COMMIT;", NULL, NULL, NULL) == SQLITE_OK;
  if (!ok)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot create %s: %s",
                 db_path, sqlite3_errmsg (db));

  sqlite3_finalize (stmt);
  sqlite3_close (db);

  return ok;
}

int
main (int   argc,
      char *argv[])
{
  const GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, "Use this demo database instead of a new one", "PATH" },
    { "rows", 0, 0, G_OPTION_ARG_INT, &n_rows, "Rows of a new database (200000)", "N" },
    { "queries", 0, 0, G_OPTION_ARG_INT, &n_queries, "Queries per mode (20000)", "N" },
    { "threads", 0, 0, G_OPTION_ARG_INT, &n_threads, "Threads of the pool (4)", "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) options = g_option_context_new ("- per-thread SQLite connections with mwt");
  g_autoptr(GError) error = NULL;
  g_autofree gchar *tmpdir = NULL;
  g_autoptr(MwtPool) pool = NULL;
  gdouble throughput[N_MODES];
  Query *queries[N_MODES];
  gint counts[N_MODES];
  gboolean same = TRUE;
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);

  g_option_context_add_main_entries (options, entries, NULL);
  if (!g_option_context_parse (options, &argc, &argv, &error))
    goto fail;
  if (n_rows < 100 || n_queries < 1 || n_threads < 1)
    {
      g_set_error_literal (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "--rows must be at least 100, --queries and --threads at least 1");
      goto fail;
    }

  if (db_path == NULL)
    {
      tmpdir = g_dir_make_tmp ("mwt-demo-XXXXXX", &error);
      if (tmpdir == NULL)
        goto fail;
      db_path = g_build_filename (tmpdir, "demo.db", NULL);
      if (!create_database (&error))
        goto fail;
    }
  else if (!g_file_test (db_path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (&error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "%s: no such file", db_path);
      goto fail;
    }
  else
    {
      sqlite3 *db = open_read_only (&error);
      sqlite3_stmt *stmt = NULL;

      if (db == NULL)
        goto fail;
      sqlite3_prepare_v2 (db, "SELECT max(id) FROM items", -1, &stmt, NULL);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        n_rows = MAX (sqlite3_column_int (stmt, 0), 1);
      sqlite3_finalize (stmt);
      sqlite3_close (db);
    }

  pool = mwt_pool_new (n_threads, thread_open, thread_close, NULL, NULL, &error);
  if (pool == NULL)
    goto fail;
  shared_db = open_read_only (&error);
  if (shared_db == NULL)
    goto fail;

  /* The same queries in every mode; opening a connection per query is so
   * slow that it runs only the first tenth of them.
   */
  for (Mode mode = 0; mode < N_MODES; mode++)
    {
      g_rand_set_seed (rand, 42);
      counts[mode] = mode == MODE_PER_QUERY ? MAX (n_queries / 10, 1) : n_queries;
      queries[mode] = g_new0 (Query, counts[mode]);
      for (gint i = 0; i < counts[mode]; i++)
        queries[mode][i].id = g_rand_int_range (rand, 1, n_rows + 1);

      throughput[mode] = run_mode (mode, pool, queries[mode], counts[mode], &error);
      if (error != NULL)
        goto fail;

      for (gint i = 0; i < counts[mode]; i++)
        same &= queries[mode][i].sum == queries[MODE_MWT][i].sum;
    }

  g_print ("\n%d rows, %d pool threads, %d queries (%d with a connection per query), "
           "answers %s\n", n_rows, n_threads, n_queries, counts[MODE_PER_QUERY],
           same ? "identical in every mode" : "DIFFERENT between modes");
  for (Mode mode = 0; mode < N_MODES; mode++)
    {
      g_print ("  %-46s %9.0f queries/s  mwt is %.2fx\n", mode_names[mode], throughput[mode],
               throughput[MODE_MWT] / throughput[mode]);
      g_free (queries[mode]);
    }

  mwt_pool_close (pool, NULL, NULL);
  sqlite3_close (shared_db);
  if (tmpdir != NULL)
    {
      g_autofree gchar *wal = g_strconcat (db_path, "-wal", NULL);
      g_autofree gchar *shm = g_strconcat (db_path, "-shm", NULL);

      g_unlink (wal);
      g_unlink (shm);
      g_unlink (db_path);
      g_rmdir (tmpdir);
    }
  g_free (db_path);

  return same ? 0 : 1;

fail:
  g_printerr ("mwt-sqlite-demo: %s\n", error->message);
  return 1;
}
