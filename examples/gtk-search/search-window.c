/* search-window.c: the search window and the pools behind it
 *
 * SPDX-FileCopyrightText: 2026 The mwt authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "search-db.h"
#include "search-item.h"
#include "search-window.h"

struct _SearchWindow
{
  GtkApplicationWindow  parent_instance;

  GtkSearchEntry       *entry;
  GtkProgressBar       *progress;
  GtkListView          *list_view;
  GtkLabel             *matches_label;
  GtkSpinner           *spinner;
  GtkLabel             *pool_label;

  char                 *db_path;
  GListStore           *results;            /* of SearchItem */
  guint                 n_matches;

  /* Cancelled when the window closes: stops whatever is under way. */
  GCancellable         *cancellable;
  /* Calls whose callback has not run yet: the window is destroyed only
   * once there are none left, so that no callback finds it gone.
   */
  guint                 n_pending;
  gboolean              closing;

  MwtPool              *writer;             /* while the database is built */
  int                   n_rows_built;       /* written by the writer's thread */
  guint                 progress_tick;

  MwtPool              *readers;            /* once the database exists */
  guint                 search_idle;
  GCancellable         *query_cancellable;  /* of the query for the current text */
  guint                 query_serial;
};

G_DEFINE_FINAL_TYPE (SearchWindow, search_window, GTK_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_READERS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  QUERY_STARTED,
  QUERY_FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void start_readers  (SearchWindow *self);
static void finish_closing (SearchWindow *self);

static void
show_message (SearchWindow *self,
              const char   *format,
              ...) G_GNUC_PRINTF (2, 3);

static void
show_message (SearchWindow *self,
              const char   *format,
              ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  gtk_label_set_label (self->matches_label, message);
}

/* Building the database, on a pool of one thread */

static gboolean
show_progress (GtkWidget     *widget,
               GdkFrameClock *frame_clock,
               gpointer       user_data)
{
  SearchWindow *self = user_data;
  int n_rows = g_atomic_int_get (&self->n_rows_built);
  g_autofree char *text = NULL;

  text = g_strdup_printf ("Building the database: %d of %d names", n_rows, SEARCH_DB_N_ROWS);
  gtk_progress_bar_set_text (self->progress, text);
  gtk_progress_bar_set_fraction (self->progress, (double) n_rows / SEARCH_DB_N_ROWS);

  return G_SOURCE_CONTINUE;
}

static void
pool_closed (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(SearchWindow) self = user_data;
  MwtPool *pool = MWT_POOL (source);
  g_autoptr(GError) error = NULL;
  gboolean was_writer = pool == self->writer;

  self->n_pending--;
  if (!mwt_pool_close_finish (pool, result, &error))
    g_warning ("Could not close a pool: %s", error->message);

  /* Here, on the main thread, the pool's last reference goes. */
  if (was_writer)
    g_clear_object (&self->writer);
  else
    g_clear_object (&self->readers);

  if (self->closing)
    finish_closing (self);
  else if (was_writer)
    start_readers (self);
}

static void
database_built (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(SearchWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean built;

  self->n_pending--;
  built = search_db_build_finish (self->writer, result, &error);
  gtk_widget_remove_tick_callback (GTK_WIDGET (self->progress), self->progress_tick);
  gtk_widget_set_visible (GTK_WIDGET (self->progress), FALSE);

  if (self->closing)
    {
      finish_closing (self);
      return;
    }
  if (!built)
    {
      show_message (self, "Could not build the database: %s", error->message);
      return;
    }

  /* Its thread closes the writing connection as it exits. */
  self->n_pending++;
  mwt_pool_close_async (self->writer, G_PRIORITY_DEFAULT, NULL, pool_closed, g_object_ref (self));
}

static void
writer_created (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(SearchWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  self->n_pending--;
  self->writer = mwt_pool_new_finish (result, &error);

  if (self->closing)
    {
      finish_closing (self);
      return;
    }
  if (self->writer == NULL)
    {
      show_message (self, "Could not create the database: %s", error->message);
      return;
    }

  self->n_pending++;
  search_db_build_async (self->writer, self->db_path, &self->n_rows_built,
                         self->cancellable, database_built, g_object_ref (self));
}

static void
start_writer (SearchWindow *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->progress), TRUE);
  self->progress_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self->progress),
                                                      show_progress, self, NULL);
  self->n_pending++;
  mwt_pool_new_async (1, search_db_writer_open, search_db_writer_close,
                      g_strdup (self->db_path), g_free,
                      G_PRIORITY_DEFAULT, self->cancellable,
                      writer_created, g_object_ref (self));
}

/* Searching, on a pool of readers */

static void
show_results (SearchWindow  *self,
              SearchResults *results)
{
  GListModel *model = G_LIST_MODEL (self->results);
  guint n_shown = g_list_model_get_n_items (model);
  guint n_rows = results != NULL ? results->rows->len : 0;
  g_autoptr(GPtrArray) added = g_ptr_array_new_with_free_func (g_object_unref);
  GtkAdjustment *adjustment;

  /* GTK 4.8's list view builds a row for each new item it shows, up to
   * 200 at once; the items it already shows are changed in place.
   */
  for (guint i = 0; i < n_rows; i++)
    {
      SearchRow *row = &g_array_index (results->rows, SearchRow, i);

      if (i < n_shown)
        {
          g_autoptr(SearchItem) item = g_list_model_get_item (model, i);

          search_item_update (item, row->id, row->name, row->place);
        }
      else
        g_ptr_array_add (added, search_item_new (row->id, row->name, row->place));
    }
  if (n_rows < n_shown)
    g_list_store_splice (self->results, n_rows, n_shown - n_rows, NULL, 0);
  else
    g_list_store_splice (self->results, n_shown, 0, added->pdata, added->len);

  adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->list_view));
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_lower (adjustment));

  self->n_matches = results != NULL ? results->n_matches : 0;
  if (results == NULL)
    show_message (self, "Type to search %d names", SEARCH_DB_N_ROWS);
  else if (results->n_matches == 0)
    show_message (self, "No name matches");
  else if (results->n_matches == n_rows)
    show_message (self, "%u %s", results->n_matches,
                  results->n_matches == 1 ? "name matches" : "names match");
  else
    show_message (self, "%u names match, the first %u are shown", results->n_matches, n_rows);
}

typedef struct
{
  SearchWindow *self;
  guint         serial;
} QueryCall;

static void
query_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autofree QueryCall *call = user_data;
  g_autoptr(SearchWindow) self = call->self;
  g_autoptr(SearchResults) results = NULL;
  g_autoptr(GError) error = NULL;

  self->n_pending--;
  results = search_db_query_finish (MWT_POOL (source), result, &error);
  g_signal_emit (self, signals[QUERY_FINISHED], 0, call->serial,
                 g_task_get_cancellable (G_TASK (result)), error,
                 search_db_query_was_interrupted (result));

  if (self->closing)
    finish_closing (self);
  else if (results != NULL)
    show_results (self, results);
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    show_message (self, "The search failed: %s", error->message);
  /* else a later keystroke superseded it: nothing to show. */
}

static gboolean
search_now (gpointer user_data)
{
  SearchWindow *self = user_data;
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->entry));
  QueryCall *call;

  self->search_idle = 0;
  if (self->closing || self->readers == NULL)
    return G_SOURCE_REMOVE;

  /* Each keystroke supersedes the query before it, queued or running. */
  g_cancellable_cancel (self->query_cancellable);
  g_clear_object (&self->query_cancellable);

  if (text[0] == '\0')
    {
      show_results (self, NULL);
      return G_SOURCE_REMOVE;
    }

  self->query_cancellable = g_cancellable_new ();
  call = g_new (QueryCall, 1);
  call->self = g_object_ref (self);
  call->serial = ++self->query_serial;
  self->n_pending++;
  g_signal_emit (self, signals[QUERY_STARTED], 0, call->serial, self->query_cancellable);
  search_db_query_async (self->readers, text, self->query_cancellable, query_done, call);

  return G_SOURCE_REMOVE;
}

static void
search_changed (SearchWindow *self)
{
  /* gtk_editable_set_text(), or a paste over a selection, changes the
   * text twice: search once the entry has settled, in the next main loop
   * iteration.
   */
  if (self->search_idle == 0)
    self->search_idle = g_idle_add_full (G_PRIORITY_DEFAULT, search_now, self, NULL);
}

static char *
describe_pool (MwtPool  *pool,
               guint     n_busy,
               guint     n_queued,
               gpointer  user_data)
{
  if (n_busy == 0 && n_queued == 0)
    return g_strdup ("idle");

  return g_strdup_printf ("%u busy, %u queued", n_busy, n_queued);
}

static gboolean
pool_has_work (MwtPool  *pool,
               guint     n_busy,
               guint     n_queued,
               gpointer  user_data)
{
  return n_busy > 0 || n_queued > 0;
}

/* An expression of the pool's n-busy and n-queued, which it notifies on
 * the main thread: what @func makes of them follows every change.
 */
static GtkExpression *
pool_expression (GType     value_type,
                 GCallback func)
{
  GtkExpression *counts[] = {
    gtk_property_expression_new (MWT_TYPE_POOL, NULL, "n-busy"),
    gtk_property_expression_new (MWT_TYPE_POOL, NULL, "n-queued"),
  };

  return gtk_cclosure_expression_new (value_type, NULL, G_N_ELEMENTS (counts), counts,
                                      func, NULL, NULL);
}

static void
readers_created (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(SearchWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  self->n_pending--;
  self->readers = mwt_pool_new_finish (result, &error);

  if (self->closing)
    {
      finish_closing (self);
      return;
    }
  if (self->readers == NULL)
    {
      show_message (self, "Could not open the database: %s", error->message);
      return;
    }

  gtk_expression_bind (pool_expression (G_TYPE_STRING, G_CALLBACK (describe_pool)),
                       self->pool_label, "label", self->readers);
  gtk_expression_bind (pool_expression (G_TYPE_BOOLEAN, G_CALLBACK (pool_has_work)),
                       self->spinner, "spinning", self->readers);

  gtk_widget_set_sensitive (GTK_WIDGET (self->entry), TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->entry));
  show_results (self, NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_READERS]);
}

static void
start_readers (SearchWindow *self)
{
  /* Queries are short and cancelled often: one thread per processor. */
  guint n_threads = MAX (2, g_get_num_processors ());

  self->n_pending++;
  mwt_pool_new_async (n_threads, search_db_reader_open, search_db_reader_close,
                      g_strdup (self->db_path), g_free,
                      G_PRIORITY_DEFAULT, self->cancellable,
                      readers_created, g_object_ref (self));
}

/* The rows of the list. GTK 4.8's list view makes a row for each of up to
 * 200 items at once, whenever the model changes: rows built in code, of a
 * few widgets each, keep that within a frame.
 */
static GtkWidget *
add_cell (GtkWidget *row,
          float      xalign,
          guint      n_chars)
{
  GtkWidget *cell = gtk_inscription_new (NULL);

  gtk_inscription_set_xalign (GTK_INSCRIPTION (cell), xalign);
  gtk_inscription_set_min_chars (GTK_INSCRIPTION (cell), n_chars);
  gtk_inscription_set_nat_chars (GTK_INSCRIPTION (cell), n_chars);
  gtk_inscription_set_text_overflow (GTK_INSCRIPTION (cell), GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END);
  gtk_box_append (GTK_BOX (row), cell);

  return cell;
}

/* GtkInscription, not GtkLabel: its size does not depend on its text, so
 * new rows cost no size negotiation.
 */
static void
setup_row (GtkSignalListItemFactory *factory,
           GtkListItem              *list_item,
           gpointer                  user_data)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);

  gtk_widget_set_margin_top (row, 6);
  gtk_widget_set_margin_bottom (row, 6);
  gtk_widget_set_margin_start (row, 12);
  gtk_widget_set_margin_end (row, 12);
  gtk_widget_set_hexpand (add_cell (row, 0, 24), TRUE);     /* name */
  gtk_widget_add_css_class (add_cell (row, 0, 16), "dim-label");  /* place */
  gtk_widget_add_css_class (add_cell (row, 1, 8), "dim-label");   /* id */
  gtk_list_item_set_child (list_item, row);
}

static void
show_item (GtkListItem *list_item)
{
  SearchItem *item = gtk_list_item_get_item (list_item);
  GtkWidget *name = gtk_widget_get_first_child (gtk_list_item_get_child (list_item));
  GtkWidget *place = gtk_widget_get_next_sibling (name);
  GtkWidget *id = gtk_widget_get_next_sibling (place);
  char id_text[24];

  g_snprintf (id_text, sizeof id_text, "%" G_GINT64_FORMAT, search_item_get_id (item));
  gtk_inscription_set_text (GTK_INSCRIPTION (name), search_item_get_name (item));
  gtk_inscription_set_text (GTK_INSCRIPTION (place), search_item_get_place (item));
  gtk_inscription_set_text (GTK_INSCRIPTION (id), id_text);
}

/* The row follows its item as show_results() changes it. */
static void
bind_row (GtkSignalListItemFactory *factory,
          GtkListItem              *list_item,
          gpointer                  user_data)
{
  show_item (list_item);
  g_signal_connect_swapped (gtk_list_item_get_item (list_item), "notify",
                            G_CALLBACK (show_item), list_item);
}

static void
unbind_row (GtkSignalListItemFactory *factory,
            GtkListItem              *list_item,
            gpointer                  user_data)
{
  g_signal_handlers_disconnect_by_func (gtk_list_item_get_item (list_item), show_item, list_item);
}

/* Closing: the window goes away at once, the process once the pools have */

static void
finish_closing (SearchWindow *self)
{
  MwtPool *pools[] = { self->writer, self->readers };

  for (guint i = 0; i < G_N_ELEMENTS (pools); i++)
    if (pools[i] != NULL && !mwt_pool_is_closed (pools[i]))
      {
        self->n_pending++;
        mwt_pool_close_async (pools[i], G_PRIORITY_DEFAULT, NULL, pool_closed, g_object_ref (self));
      }

  if (self->n_pending == 0)
    gtk_window_destroy (GTK_WINDOW (self));
}

static gboolean
search_window_close_request (GtkWindow *window)
{
  SearchWindow *self = SEARCH_WINDOW (window);

  if (!self->closing)
    {
      self->closing = TRUE;
      g_cancellable_cancel (self->cancellable);
      g_cancellable_cancel (self->query_cancellable);
      gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
      finish_closing (self);
    }

  /* finish_closing() destroys the window once nothing is pending. */
  return TRUE;
}

static void
search_window_dispose (GObject *object)
{
  SearchWindow *self = SEARCH_WINDOW (object);

  g_clear_handle_id (&self->search_idle, g_source_remove);
  g_clear_object (&self->query_cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->readers);
  g_clear_object (&self->writer);
  g_clear_object (&self->results);

  G_OBJECT_CLASS (search_window_parent_class)->dispose (object);
}

static void
search_window_finalize (GObject *object)
{
  SearchWindow *self = SEARCH_WINDOW (object);

  g_free (self->db_path);

  G_OBJECT_CLASS (search_window_parent_class)->finalize (object);
}

static void
search_window_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  SearchWindow *self = SEARCH_WINDOW (object);

  switch (prop_id)
    {
    case PROP_READERS:
      g_value_set_object (value, self->readers);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
search_window_class_init (SearchWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = search_window_dispose;
  object_class->finalize = search_window_finalize;
  object_class->get_property = search_window_get_property;
  window_class->close_request = search_window_close_request;

  /**
   * SearchWindow:readers:
   *
   * The pool that runs the searches, once the database is open.
   */
  properties[PROP_READERS] =
    g_param_spec_object ("readers", NULL, NULL, MWT_TYPE_POOL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * SearchWindow::query-started:
   * @self: the window
   * @serial: the query's number, counting from 1
   * @cancellable: what the next keystroke cancels
   *
   * A keystroke has submitted a query.
   */
  signals[QUERY_STARTED] =
    g_signal_new ("query-started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_CANCELLABLE);
  /**
   * SearchWindow::query-finished:
   * @self: the window
   * @serial: the query's number
   * @cancellable: the query's cancellable
   * @error: (nullable): how it failed, or %NULL if its rows are shown
   * @interrupted: whether it was running when cancelled, and stopped
   *
   * A query has completed, before its rows are shown.
   */
  signals[QUERY_FINISHED] =
    g_signal_new ("query-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 4, G_TYPE_UINT, G_TYPE_CANCELLABLE,
                  G_TYPE_ERROR | G_SIGNAL_TYPE_STATIC_SCOPE, G_TYPE_BOOLEAN);

  /* The row template looks the item type up by name. */
  g_type_ensure (SEARCH_TYPE_ITEM);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/mwt/GtkSearch/search-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SearchWindow, entry);
  gtk_widget_class_bind_template_child (widget_class, SearchWindow, progress);
  gtk_widget_class_bind_template_child (widget_class, SearchWindow, list_view);
  gtk_widget_class_bind_template_child (widget_class, SearchWindow, matches_label);
  gtk_widget_class_bind_template_child (widget_class, SearchWindow, spinner);
  gtk_widget_class_bind_template_child (widget_class, SearchWindow, pool_label);
  gtk_widget_class_bind_template_callback (widget_class, search_changed);
  gtk_widget_class_bind_template_callback (widget_class, setup_row);
  gtk_widget_class_bind_template_callback (widget_class, bind_row);
  gtk_widget_class_bind_template_callback (widget_class, unbind_row);
}

static void
search_window_init (SearchWindow *self)
{
  g_autoptr(GtkNoSelection) selection = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->results = g_list_store_new (SEARCH_TYPE_ITEM);
  selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->results)));
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (selection));

  self->cancellable = g_cancellable_new ();
  self->db_path = search_db_get_default_path ();
  show_message (self, "Opening %s", self->db_path);

  /* Built once, into the user's cache directory. */
  if (g_file_test (self->db_path, G_FILE_TEST_EXISTS))
    start_readers (self);
  else
    start_writer (self);
}

SearchWindow *
search_window_new (GtkApplication *application)
{
  return g_object_new (SEARCH_TYPE_WINDOW, "application", application, NULL);
}

GtkEditable *
search_window_get_entry (SearchWindow *self)
{
  g_return_val_if_fail (SEARCH_IS_WINDOW (self), NULL);

  return GTK_EDITABLE (self->entry);
}

GListModel *
search_window_get_results (SearchWindow *self)
{
  g_return_val_if_fail (SEARCH_IS_WINDOW (self), NULL);

  return G_LIST_MODEL (self->results);
}

guint
search_window_get_n_matches (SearchWindow *self)
{
  g_return_val_if_fail (SEARCH_IS_WINDOW (self), 0);

  return self->n_matches;
}

MwtPool *
search_window_get_readers (SearchWindow *self)
{
  g_return_val_if_fail (SEARCH_IS_WINDOW (self), NULL);

  return self->readers;
}

const char *
search_window_get_db_path (SearchWindow *self)
{
  g_return_val_if_fail (SEARCH_IS_WINDOW (self), NULL);

  return self->db_path;
}
