/* search-self-test.c: drives the window from inside and checks it
 *
 * Types 200 keystrokes into the search entry, at human or at machine
 * speed, while the frame clock's ticks are recorded; then checks that the
 * list shows what a direct SQL query gives for the final text, that every
 * superseded query completed with G_IO_ERROR_CANCELLED, that frames kept
 * coming, and, once the application has quit, that no pool thread is left
 * and that nothing the pools saw was finalized on one of their threads.
 *
 * SPDX-FileCopyrightText: 2026 The mwt authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define _GNU_SOURCE  /* gettid () */

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "search-db.h"
#include "search-item.h"
#include "search-self-test.h"

#define N_KEYSTROKES     200
#define FINAL_TEXT_LEN   6
#define MAX_FRAME_GAP_MS 50.0
#define TIMEOUT_S        150

typedef struct
{
  SearchWindow        *window;
  SearchSelfTestSpeed  speed;
  char                *screenshot_path;
  GThread             *main_thread;
  gboolean             failed;

  GArray              *frames;             /* of Frame */
  gint64               build_start;        /* when the writer's thread started, or 0 */
  gint64               build_end;

  GMutex               lock;
  GArray              *writer_tids;        /* guarded by lock */
  GArray              *reader_tids;        /* guarded by lock */

  GRand               *rand;
  GPtrArray           *texts;              /* the entry's text after each keystroke */
  guint                n_typed;
  gint64               burst_start;
  gint64               burst_end;

  guint                n_queries_expected; /* one per keystroke that leaves some text */
  gboolean             close_on_next_query;
  gint64               close_time;
  const char          *last_outcome;       /* of the query in flight at closing */
  GHashTable          *pending;            /* serial → GCancellable of a query in flight */
  GHashTable          *cancel_times;       /* serial → when a keystroke superseded it */
  GArray              *cancel_latencies;   /* double, ms, of the interrupted queries */
  guint                n_started;
  guint                n_finished;
  guint                n_cancelled;
  guint                n_interrupted;
  guint                n_shown;

  guint                n_watched;          /* objects that went through the pools */
  guint                n_finalized;
  guint                n_finalized_off_main;
} SelfTest;

static SelfTest *test;

static void
check (gboolean    condition,
       const char *format,
       ...) G_GNUC_PRINTF (2, 3);

/* Reports a failed check and goes on: one run shows every problem. */
static void
check (gboolean    condition,
       const char *format,
       ...)
{
  g_autofree char *message = NULL;
  va_list args;

  if (condition)
    return;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("FAIL: %s\n", message);
  test->failed = TRUE;
}

gboolean
search_self_test_parse_speed (const char          *name,
                              SearchSelfTestSpeed *speed)
{
  if (g_strcmp0 (name, "human") == 0)
    *speed = SEARCH_SELF_TEST_HUMAN;
  else if (g_strcmp0 (name, "machine") == 0)
    *speed = SEARCH_SELF_TEST_MACHINE;
  else
    return FALSE;

  return TRUE;
}

/* On the pool threads, as they start. */
static void
thread_started (gpointer role,
                gpointer user_data)
{
  pid_t tid = gettid ();

  g_mutex_lock (&test->lock);
  if (g_str_equal (role, "writer"))
    {
      g_array_append_val (test->writer_tids, tid);
      test->build_start = g_get_monotonic_time ();
    }
  else
    g_array_append_val (test->reader_tids, tid);
  g_mutex_unlock (&test->lock);
}

static guint
count_live_threads (GArray *tids)
{
  guint n_live = 0;

  g_mutex_lock (&test->lock);
  for (guint i = 0; i < tids->len; i++)
    {
      g_autofree char *path = g_strdup_printf ("/proc/self/task/%d", g_array_index (tids, pid_t, i));

      n_live += g_file_test (path, G_FILE_TEST_EXISTS);
    }
  g_mutex_unlock (&test->lock);

  return n_live;
}

static void
object_finalized (gpointer  data,
                  GObject  *where_the_object_was)
{
  test->n_finalized++;
  if (g_thread_self () != test->main_thread)
    test->n_finalized_off_main++;
}

static void
watch_finalization (gpointer object)
{
  test->n_watched++;
  g_object_weak_ref (object, object_finalized, NULL);
}

/* Frames */

typedef struct
{
  gint64 time;     /* µs, when the frame clock ticked */
  gint64 on_cpu;   /* ns the main thread had run so far, or -1 if unknown */
  gint64 waiting;  /* ns it had waited for a CPU while runnable */
  gint64 stolen;   /* µs the hypervisor had held the machine's CPUs, on
                    * average per CPU, or -1 if unknown */
} Frame;

/* Where a gap between frames went: the main thread's own work, other
 * threads and processes holding the CPUs, or neither (waiting for the X
 * server, say). Linux counts it in schedstat.
 */
static void
read_schedstat (Frame *frame)
{
  g_autofree char *contents = NULL;

  frame->on_cpu = frame->waiting = -1;
  if (g_file_get_contents ("/proc/thread-self/schedstat", &contents, NULL, NULL))
    sscanf (contents, "%" G_GINT64_FORMAT " %" G_GINT64_FORMAT, &frame->on_cpu, &frame->waiting);
}

/* On a virtual machine, the time its virtual CPUs were ready to run but
 * the host ran something else ("steal" in /proc/stat): the whole machine
 * stands still then, the X server with it.
 */
static void
read_stolen (Frame *frame)
{
  g_autofree char *contents = NULL;
  gint64 steal_ticks;

  frame->stolen = -1;
  if (g_file_get_contents ("/proc/stat", &contents, NULL, NULL) &&
      sscanf (contents, "cpu %*d %*d %*d %*d %*d %*d %*d %" G_GINT64_FORMAT, &steal_ticks) == 1)
    frame->stolen = steal_ticks * G_USEC_PER_SEC / sysconf (_SC_CLK_TCK) /
                    sysconf (_SC_NPROCESSORS_ONLN);
}

static gboolean
frame_tick (GtkWidget     *widget,
            GdkFrameClock *frame_clock,
            gpointer       user_data)
{
  Frame frame = { .time = g_get_monotonic_time () };

  read_schedstat (&frame);
  read_stolen (&frame);
  g_array_append_val (test->frames, frame);

  return G_SOURCE_CONTINUE;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
median (GArray *values)
{
  g_array_sort (values, compare_doubles);

  return values->len > 0 ? g_array_index (values, double, values->len / 2) : 0;
}

/* The interval the frame clock aims at: the monitor's refresh rate, or
 * what GDK assumes where the display does not say (Xvfb).
 */
static double
refresh_interval_ms (const char **source)
{
  GtkWidget *widget = GTK_WIDGET (test->window);
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (widget));
  GdkMonitor *monitor = gdk_display_get_monitor_at_surface (gtk_widget_get_display (widget), surface);
  GdkFrameClock *frame_clock = gtk_widget_get_frame_clock (widget);
  gint64 refresh_interval = 0;

  if (monitor != NULL && gdk_monitor_get_refresh_rate (monitor) > 0)
    {
      *source = "the monitor's refresh rate";
      return 1e6 / gdk_monitor_get_refresh_rate (monitor);
    }

  gdk_frame_clock_get_refresh_info (frame_clock, gdk_frame_clock_get_frame_time (frame_clock),
                                    &refresh_interval, NULL);
  *source = "the frame clock's refresh interval; the display gives no rate";
  return refresh_interval / 1000.0;
}

/* Where the main thread's time between two frames went, in ms; FALSE
 * where Linux does not say.
 */
static gboolean
split_gap (const Frame *before,
           const Frame *after,
           double      *on_cpu,
           double      *waiting)
{
  if (before->on_cpu < 0 || after->on_cpu < 0)
    return FALSE;

  *on_cpu = (after->on_cpu - before->on_cpu) / 1e6;
  *waiting = (after->waiting - before->waiting) / 1e6;

  return TRUE;
}

/* The ms the hypervisor held each CPU between two frames, on average; 0
 * where Linux does not say, or on a machine of its own.
 */
static double
stolen_in_gap (const Frame *before,
               const Frame *after)
{
  if (before->stolen < 0 || after->stolen < 0)
    return 0;

  return (after->stolen - before->stolen) / 1000.0;
}

/* The intervals between the frames from @start to @end, and the gap from
 * the last of them to @end.
 *
 * The check is on what the application answers for: each gap less the
 * time its main thread was ready to run but waited for a CPU. The rest
 * is the main thread's own work and its waits for a lock or the X
 * server, which a stall of the application lengthens, busy or blocked.
 * Waiting for a CPU is the kernel giving the CPUs to others: where the
 * test has the machine to itself, to the pool threads, which run at a
 * lower priority and cost the main thread a few ms; on a machine shared
 * with other work, to that work, whose load says nothing about the
 * application (though it can still lengthen the waits for an X server
 * that waits for a CPU in turn). So is, on a virtual machine, the time
 * the hypervisor held its CPUs: the whole machine stands still, the X
 * server too, and the main thread seems idle. The whole gap is reported
 * all the same, and the longest the main thread ran between two frames,
 * which depends little on the load.
 */
static void
check_frames (const char *what,
              gint64      start,
              gint64      end,
              gboolean    strict)
{
  g_autoptr(GArray) intervals = g_array_new (FALSE, FALSE, sizeof (double));
  const char *refresh_source = NULL;
  double refresh = refresh_interval_ms (&refresh_source);
  const Frame *previous = NULL;
  const Frame *largest_gap_end = NULL;
  double largest_gap = 0;
  double largest_own_gap = 0;    /* less the waits for a CPU */
  double longest_run = 0;
  double longest_run_gap = 0;
  double median_interval;
  g_autofree char *where = NULL;
  g_autofree char *runs = NULL;

  for (guint i = 0; i < test->frames->len; i++)
    {
      const Frame *frame = &g_array_index (test->frames, Frame, i);
      double interval, on_cpu, waiting;

      if (frame->time > end)
        break;
      if (frame->time >= start && previous != NULL)
        {
          interval = (frame->time - previous->time) / 1000.0;
          g_array_append_val (intervals, interval);
          if (interval > largest_gap)
            {
              largest_gap = interval;
              largest_gap_end = frame;
            }
          if (!split_gap (previous, frame, &on_cpu, &waiting))
            on_cpu = waiting = 0;
          largest_own_gap = MAX (largest_own_gap,
                                 interval - waiting - stolen_in_gap (previous, frame));
          if (on_cpu > longest_run)
            {
              longest_run = on_cpu;
              longest_run_gap = interval;
            }
        }
      previous = frame;  /* the frame before @start too: its interval counts */
    }
  /* From the last frame to @end: not split, it counts whole. */
  if (previous != NULL)
    {
      double last_gap = (end - previous->time) / 1000.0;

      if (last_gap > largest_gap)
        {
          largest_gap = last_gap;
          largest_gap_end = NULL;
        }
      largest_own_gap = MAX (largest_own_gap, last_gap);
    }
  median_interval = median (intervals);

  if (largest_gap_end != NULL)
    {
      double on_cpu, waiting;

      if (split_gap (largest_gap_end - 1, largest_gap_end, &on_cpu, &waiting))
        where = g_strdup_printf (" (in it the main thread ran %.1f ms, waited %.1f ms for a CPU, "
                                 "%.1f ms idle or waiting for the X server; the hypervisor held "
                                 "the CPUs %.1f ms)",
                                 on_cpu, waiting, MAX (0, largest_gap - on_cpu - waiting),
                                 stolen_in_gap (largest_gap_end - 1, largest_gap_end));
    }
  if (longest_run > 0)
    runs = g_strdup_printf ("; less the main thread's waits for a CPU and the hypervisor's "
                            "hold, at most %.1f ms; "
                            "the main thread ran at most %.1f ms between two frames "
                            "(in a gap of %.1f ms)",
                            largest_own_gap, longest_run, longest_run_gap);

  g_print ("%s: %u frames in %.0f ms; largest gap between frames %.1f ms%s%s, "
           "median interval %.2f ms (display: %.2f ms, from %s)\n",
           what, intervals->len, (end - start) / 1000.0, largest_gap, where ? where : "",
           runs ? runs : "", median_interval, refresh, refresh_source);
  if (!strict)
    return;

  check (intervals->len >= 10, "%s: only %u frames", what, intervals->len);
  check (largest_own_gap < MAX_FRAME_GAP_MS,
         "%s: a gap of %.1f ms between frames, not counting the main thread's waits for a CPU "
         "and the hypervisor's hold on the CPUs (at most %.0f)",
         what, largest_own_gap, MAX_FRAME_GAP_MS);
  check (ABS (median_interval - refresh) <= 0.1 * refresh,
         "%s: median frame interval %.2f ms, not the display's %.2f ms",
         what, median_interval, refresh);
}

/* What a direct SQL query gives */

static sqlite3 *
open_database (void)
{
  sqlite3 *db = NULL;

  if (sqlite3_open_v2 (search_window_get_db_path (test->window), &db,
                       SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
    g_error ("%s: %s", search_window_get_db_path (test->window), sqlite3_errmsg (db));

  return db;
}

static sqlite3_stmt *
prepare (sqlite3    *db,
         const char *sql)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    g_error ("%s: %s", sql, sqlite3_errmsg (db));

  return stmt;
}

static gint64
count_rows (sqlite3    *db,
            const char *sql,
            const char *text)
{
  sqlite3_stmt *stmt = prepare (db, sql);
  gint64 count = -1;

  if (text != NULL)
    sqlite3_bind_text (stmt, 1, text, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    count = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);

  return count;
}

/* Written independently of the application's LIKE pattern. */
static void
check_results (const char *text)
{
  sqlite3 *db = open_database ();
  sqlite3_stmt *rows;
  GListModel *results = search_window_get_results (test->window);
  gint64 n_matches;
  guint n_rows = 0;
  guint n_wrong = 0;

  n_matches = count_rows (db, "SELECT count(*) FROM names WHERE instr(lower(name), lower(?1)) > 0", text);
  rows = prepare (db, "SELECT id, name, place FROM names"
                      " WHERE instr(lower(name), lower(?1)) > 0 ORDER BY id LIMIT ?2");
  sqlite3_bind_text (rows, 1, text, -1, SQLITE_STATIC);
  sqlite3_bind_int (rows, 2, SEARCH_DB_MAX_RESULTS);
  for (; sqlite3_step (rows) == SQLITE_ROW; n_rows++)
    {
      g_autoptr(SearchItem) item = g_list_model_get_item (results, n_rows);

      if (item == NULL ||
          search_item_get_id (item) != sqlite3_column_int64 (rows, 0) ||
          g_strcmp0 (search_item_get_name (item), (const char *) sqlite3_column_text (rows, 1)) != 0 ||
          g_strcmp0 (search_item_get_place (item), (const char *) sqlite3_column_text (rows, 2)) != 0)
        n_wrong++;
    }
  sqlite3_finalize (rows);
  sqlite3_close (db);

  g_print ("final text \"%s\": %" G_GINT64_FORMAT " names match, the list shows %u rows, "
           "the direct query %u\n",
           text, n_matches, g_list_model_get_n_items (results), n_rows);
  check (n_matches > 0, "no name matches the final text \"%s\"", text);
  check (g_strcmp0 (gtk_editable_get_text (search_window_get_entry (test->window)), text) == 0,
         "the entry shows \"%s\", not \"%s\"",
         gtk_editable_get_text (search_window_get_entry (test->window)), text);
  check (search_window_get_n_matches (test->window) == n_matches,
         "the window counts %u matches, the direct query %" G_GINT64_FORMAT,
         search_window_get_n_matches (test->window), n_matches);
  check (g_list_model_get_n_items (results) == n_rows,
         "the list shows %u rows, the direct query gives %u",
         g_list_model_get_n_items (results), n_rows);
  check (n_wrong == 0, "%u rows of the list differ from the direct query's", n_wrong);
}

/* Screenshot */

static void
save_screenshot (void)
{
  GtkWidget *widget = GTK_WIDGET (test->window);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GdkTexture) saved = NULL;
  g_autoptr(GError) error = NULL;

  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  if (node == NULL)
    {
      check (FALSE, "the window drew nothing to take a screenshot of");
      return;
    }

  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (widget)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  check (gdk_texture_save_to_png (texture, test->screenshot_path),
         "could not write %s", test->screenshot_path);

  /* Read it back: a PNG of the window's size. */
  saved = gdk_texture_new_from_filename (test->screenshot_path, &error);
  check (saved != NULL, "%s: %s", test->screenshot_path, error ? error->message : "");
  if (saved != NULL)
    check (gdk_texture_get_width (saved) == width && gdk_texture_get_height (saved) == height,
           "the screenshot is %d×%d, the window %d×%d",
           gdk_texture_get_width (saved), gdk_texture_get_height (saved), width, height);
  g_print ("screenshot: %s (%d×%d)\n", test->screenshot_path, width, height);
}

static gboolean
close_window (gpointer user_data)
{
  /* As the user would: the window hides, the pools close, the
   * application quits; search_self_test_finish() checks the rest.
   */
  test->close_time = g_get_monotonic_time ();
  gtk_window_close (GTK_WINDOW (test->window));

  return G_SOURCE_REMOVE;
}

static void
drawn (GdkFrameClock *frame_clock,
       gpointer       user_data)
{
  g_signal_handlers_disconnect_by_func (frame_clock, drawn, user_data);

  if (test->screenshot_path != NULL)
    save_screenshot ();

  /* One more keystroke, and the window closes as soon as its query is
   * submitted: closing must stop a query in flight.
   */
  test->close_on_next_query = TRUE;
  gtk_editable_set_text (search_window_get_entry (test->window), "a");
}

/* The keystrokes */

static void
finish_burst (void)
{
  const char *final_text = g_ptr_array_index (test->texts, test->texts->len - 1);
  double cancel_latency = median (test->cancel_latencies);

  g_print ("%s speed: %u keystrokes in %.0f ms; %u queries, %u cancelled "
           "(%u of them stopped while running, a median %.1f ms after the keystroke), "
           "%u shown\n",
           test->speed == SEARCH_SELF_TEST_HUMAN ? "human" : "machine",
           test->n_typed, (test->burst_end - test->burst_start) / 1000.0,
           test->n_started, test->n_cancelled, test->n_interrupted, cancel_latency,
           test->n_shown);
  check_frames ("while typing and searching", test->burst_start, test->burst_end, TRUE);

  check (test->n_started == test->n_queries_expected,
         "%u queries started for %u keystrokes that left some text",
         test->n_started, test->n_queries_expected);
  check (test->n_finished == test->n_started, "%u queries started, %u finished",
         test->n_started, test->n_finished);
  check (test->n_cancelled > 0, "no query was cancelled");
  check (test->n_interrupted > 0, "no running query was stopped by its cancellation");
  check (test->n_shown >= 1, "the final query's rows were not shown");
  check_results (final_text);

  /* Once the window has drawn what it shows now. */
  g_signal_connect (gtk_widget_get_frame_clock (GTK_WIDGET (test->window)), "after-paint",
                    G_CALLBACK (drawn), NULL);
  gtk_widget_queue_draw (GTK_WIDGET (test->window));
}

static gboolean
finish_burst_cb (gpointer user_data)
{
  finish_burst ();

  return G_SOURCE_REMOVE;
}

static void
maybe_finish_burst (void)
{
  if (test->n_typed < test->texts->len || test->n_started < test->n_queries_expected ||
      test->n_finished < test->n_started || test->burst_end != 0)
    return;

  test->burst_end = g_get_monotonic_time ();
  /* After the window has shown the last rows. */
  g_idle_add (finish_burst_cb, NULL);
}

static gboolean type_next (gpointer user_data);

static void
schedule_keystroke (void)
{
  if (test->speed == SEARCH_SELF_TEST_HUMAN)
    g_timeout_add (g_rand_int_range (test->rand, 50, 151), type_next, NULL);
  else
    g_timeout_add (1, type_next, NULL);
}

/* Whether every query in flight has been cancelled. */
static gboolean
all_pending_cancelled (void)
{
  GHashTableIter iter;
  gpointer cancellable;

  g_hash_table_iter_init (&iter, test->pending);
  while (g_hash_table_iter_next (&iter, NULL, &cancellable))
    if (!g_cancellable_is_cancelled (cancellable))
      return FALSE;

  return TRUE;
}

static gboolean
type_next (gpointer user_data)
{
  GtkEditable *entry = search_window_get_entry (test->window);
  const char *text = g_ptr_array_index (test->texts, test->n_typed);
  gint64 now = g_get_monotonic_time ();
  GHashTableIter iter;
  gpointer serial;

  if (test->n_typed == 0)
    test->burst_start = now;

  /* Emptying the entry cancelled what was in flight. */
  if (gtk_editable_get_text (entry)[0] == '\0')
    check (all_pending_cancelled (), "a query goes on after the entry was emptied");

  /* This keystroke supersedes the queries in flight: from now on, they
   * should stop.
   */
  g_hash_table_iter_init (&iter, test->pending);
  while (g_hash_table_iter_next (&iter, &serial, NULL))
    if (!g_hash_table_contains (test->cancel_times, serial))
      g_hash_table_insert (test->cancel_times, serial, g_memdup2 (&now, sizeof now));

  /* What a keystroke does to the entry. */
  gtk_editable_set_text (entry, text);
  gtk_editable_set_position (entry, -1);
  test->n_typed++;

  if (test->n_typed < test->texts->len)
    schedule_keystroke ();
  else
    maybe_finish_burst ();

  return G_SOURCE_REMOVE;
}

static void
query_started (SearchWindow *window,
               guint         serial,
               GCancellable *cancellable,
               gpointer      user_data)
{
  check (serial == test->n_started + 1, "query %u started after %u others", serial, test->n_started);
  check (all_pending_cancelled (), "query %u started, the one before goes on", serial);
  test->n_started++;
  g_hash_table_insert (test->pending, GUINT_TO_POINTER (serial), cancellable);
  watch_finalization (cancellable);

  if (test->close_on_next_query)
    g_idle_add (close_window, NULL);
}

static void
query_finished (SearchWindow *window,
                guint         serial,
                GCancellable *cancellable,
                GError       *error,
                gboolean      interrupted,
                gpointer      user_data)
{
  gboolean cancelled = g_cancellable_is_cancelled (cancellable);

  check (g_hash_table_remove (test->pending, GUINT_TO_POINTER (serial)),
         "query %u finished twice", serial);
  test->n_finished++;
  if (cancelled)
    {
      check (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED),
             "cancelled query %u completed with %s instead of G_IO_ERROR_CANCELLED",
             serial, error != NULL ? error->message : "its rows (stale results)");
      test->n_cancelled++;
    }
  else
    {
      check (error == NULL, "query %u failed: %s", serial, error != NULL ? error->message : "");
      test->n_shown += error == NULL;
    }

  check (!interrupted || cancelled, "query %u was interrupted without being cancelled", serial);
  if (test->close_on_next_query)
    test->last_outcome = interrupted ? "stopped while it ran" : cancelled ? "cancelled" : "completed";
  if (interrupted)
    {
      gint64 *cancelled_at = g_hash_table_lookup (test->cancel_times, GUINT_TO_POINTER (serial));

      test->n_interrupted++;
      if (cancelled_at != NULL)
        {
          double latency = (g_get_monotonic_time () - *cancelled_at) / 1000.0;

          g_array_append_val (test->cancel_latencies, latency);
        }
    }

  maybe_finish_burst ();
}

/* A few letters from the name of a random row, in lower case. */
static char *
random_term (sqlite3      *db,
             sqlite3_stmt *name_of_row,
             int           length)
{
  g_autofree char *name = NULL;
  g_auto(GStrv) words = NULL;
  const char *word;

  do
    {
      sqlite3_bind_int (name_of_row, 1, g_rand_int_range (test->rand, 1, SEARCH_DB_N_ROWS + 1));
      if (sqlite3_step (name_of_row) != SQLITE_ROW)
        g_error ("%s", sqlite3_errmsg (db));
      g_free (name);
      name = g_ascii_strdown ((const char *) sqlite3_column_text (name_of_row, 0), -1);
      sqlite3_reset (name_of_row);
      g_strfreev (words);
      words = g_strsplit (name, " ", -1);
      word = words[g_rand_int_range (test->rand, 0, g_strv_length (words))];
    }
  while ((int) strlen (word) < length);

  return g_strndup (word + g_rand_int_range (test->rand, 0, strlen (word) - length + 1), length);
}

/* Terms typed letter by letter and erased again, then the final one: a
 * query per keystroke, many of them superseded while they run.
 */
static void
write_keystrokes (sqlite3 *db)
{
  sqlite3_stmt *name_of_row = prepare (db, "SELECT name FROM names WHERE id = ?1");
  g_autofree char *final_text = random_term (db, name_of_row, FINAL_TEXT_LEN);
  int remaining = N_KEYSTROKES - FINAL_TEXT_LEN;

  /* Each term costs twice its length: @remaining stays even. */
  while (remaining > 0)
    {
      int length = MIN (g_rand_int_range (test->rand, 3, 8), remaining / 2);
      g_autofree char *term = random_term (db, name_of_row, length);

      for (int i = 1; i <= length; i++)
        g_ptr_array_add (test->texts, g_strndup (term, i));
      for (int i = length - 1; i >= 0; i--)
        g_ptr_array_add (test->texts, g_strndup (term, i));
      remaining -= 2 * length;
    }
  for (int i = 1; i <= FINAL_TEXT_LEN; i++)
    g_ptr_array_add (test->texts, g_strndup (final_text, i));
  sqlite3_finalize (name_of_row);

  for (guint i = 0; i < test->texts->len; i++)
    test->n_queries_expected += ((char *) g_ptr_array_index (test->texts, i))[0] != '\0';

  g_assert (test->texts->len == N_KEYSTROKES);
}

static void
readers_ready (SearchWindow *window,
               GParamSpec   *pspec,
               gpointer      user_data)
{
  MwtPool *readers = search_window_get_readers (window);
  sqlite3 *db;
  gint64 n_rows;

  if (readers == NULL || test->texts->len > 0)
    return;

  if (test->build_start != 0)
    {
      test->build_end = g_get_monotonic_time ();
      check_frames ("while the database was built", test->build_start, test->build_end, FALSE);
    }

  watch_finalization (readers);
  check (count_live_threads (test->writer_tids) == 0, "the writer's thread is still there");
  check (count_live_threads (test->reader_tids) == mwt_pool_get_n_threads (readers),
         "%u reader threads running, the pool has %u",
         count_live_threads (test->reader_tids), mwt_pool_get_n_threads (readers));

  db = open_database ();
  n_rows = count_rows (db, "SELECT count(*) FROM names", NULL);
  g_print ("database: %s, %" G_GINT64_FORMAT " rows%s\n", search_window_get_db_path (window),
           n_rows, test->build_start != 0 ? ", built by this run" : "");
  check (n_rows == SEARCH_DB_N_ROWS, "the database has %" G_GINT64_FORMAT " rows, not %d",
         n_rows, SEARCH_DB_N_ROWS);
  write_keystrokes (db);
  sqlite3_close (db);

  schedule_keystroke ();
}

static gboolean
timed_out (gpointer user_data)
{
  g_printerr ("FAIL: the self-test is still running after %d s: %u of %u keystrokes typed, "
              "%u of %u queries finished\n",
              TIMEOUT_S, test->n_typed, test->texts->len, test->n_finished, test->n_started);
  exit (EXIT_FAILURE);
}

/* Creates the window to test: the pool threads it starts are watched
 * from their first.
 */
SearchWindow *
search_self_test_start (GtkApplication      *application,
                        SearchSelfTestSpeed  speed,
                        const char          *screenshot_path)
{
  SearchWindow *window;

  g_return_val_if_fail (test == NULL, NULL);

  test = g_new0 (SelfTest, 1);
  test->speed = speed;
  test->screenshot_path = g_strdup (screenshot_path);
  test->main_thread = g_thread_self ();
  test->frames = g_array_new (FALSE, FALSE, sizeof (Frame));
  g_mutex_init (&test->lock);
  test->writer_tids = g_array_new (FALSE, FALSE, sizeof (pid_t));
  test->reader_tids = g_array_new (FALSE, FALSE, sizeof (pid_t));
  test->rand = g_rand_new_with_seed (speed == SEARCH_SELF_TEST_HUMAN ? 1 : 2);
  test->texts = g_ptr_array_new_with_free_func (g_free);
  test->pending = g_hash_table_new (NULL, NULL);
  test->cancel_times = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  test->cancel_latencies = g_array_new (FALSE, FALSE, sizeof (double));
  search_db_set_thread_observer (thread_started, NULL);

  test->window = window = search_window_new (application);
  gtk_widget_add_tick_callback (GTK_WIDGET (window), frame_tick, NULL, NULL);
  g_signal_connect (window, "query-started", G_CALLBACK (query_started), NULL);
  g_signal_connect (window, "query-finished", G_CALLBACK (query_finished), NULL);
  g_signal_connect (window, "notify::readers", G_CALLBACK (readers_ready), NULL);
  g_timeout_add_seconds (TIMEOUT_S, timed_out, NULL);

  return window;
}

/* Once the application has quit. */
gboolean
search_self_test_finish (void)
{
  g_return_val_if_fail (test != NULL, FALSE);

  check (test->close_on_next_query, "the application quit before the self-test was done");
  check (test->n_finished == test->n_started, "%u queries started, %u finished before the end",
         test->n_started, test->n_finished);
  check (count_live_threads (test->reader_tids) + count_live_threads (test->writer_tids) == 0,
         "%u pool threads are left",
         count_live_threads (test->reader_tids) + count_live_threads (test->writer_tids));
  check (test->n_finalized == test->n_watched,
         "%u of the %u cancellables and pools were not finalized",
         test->n_watched - test->n_finalized, test->n_watched);
  check (test->n_finalized_off_main == 0, "%u cancellables or pools were finalized on a worker",
         test->n_finalized_off_main);
  check (test->last_outcome != NULL, "the query in flight at closing never completed");
  g_print ("closed %.1f ms after the window was, the query in flight %s; %u pool threads "
           "started and exited, %u cancellables and pools finalized on the main thread\n",
           (g_get_monotonic_time () - test->close_time) / 1000.0, test->last_outcome,
           test->writer_tids->len + test->reader_tids->len,
           test->n_finalized - test->n_finalized_off_main);
  g_print ("%s\n", test->failed ? "FAILED" : "PASSED");

  return !test->failed;
}
