#!/usr/bin/python3
# SPDX-FileCopyrightText: 2026 The mwt authors
# SPDX-License-Identifier: LGPL-2.1-or-later

"""Search-as-you-type over a million names, with GTK 4 and mwt's Python
override: the Python version of examples/gtk-search/.

On first run, a pool of one thread, whose thread owns the writing
connection, builds the database in the user cache directory behind a
progress bar. Then a pool of readers, each thread with a read-only
connection of its own, runs a query per keystroke; each keystroke cancels
the query before it, which stops even while it runs."""

import os
import random
import sqlite3
import sys
import threading

import gi
gi.require_version('Gtk', '4.0')
gi.require_version('Mwt', '1')
from gi.repository import Gio, GLib, GObject, Gtk, Mwt  # noqa: E402

N_ROWS = 1_000_000
MAX_RESULTS = 50
SYLLABLES = [onset + nucleus
             for onset in 'b br ch d dr f g gr h j k kr l m n p r s sh st t th tr v w z'.split()
             for nucleus in 'a e i o u ai ea ou'.split()]
CODAS = ['', '', '', 'n', 'r', 'l', 's', 'th']
SEARCH = ("SELECT id, name, place FROM names WHERE name LIKE ? ESCAPE '\\'"
          " ORDER BY id LIMIT %d" % MAX_RESULTS)
COUNT = "SELECT count(*) FROM names WHERE name LIKE ? ESCAPE '\\'"


def word(rand, low, high):
    return (''.join(rand.choices(SYLLABLES, k=rand.randint(low, high)))
            + rand.choice(CODAS)).capitalize()


def background_thread():
    """Pool threads leave the CPU to the main thread, which draws the frames,
    whenever it wants one: Linux keeps a nice value per thread."""
    if sys.platform == 'linux':
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)


def open_writer(path):
    """Init of the writer's thread: the one connection that writes."""
    background_thread()
    if os.path.exists(path + '.part'):
        os.remove(path + '.part')  # a build cut short
    db = sqlite3.connect(path + '.part')
    db.execute('CREATE TABLE names (id INTEGER PRIMARY KEY, name TEXT, place TEXT)')
    return db


def open_reader(path):
    """Init of each reader's thread: a read-only connection of its own."""
    background_thread()
    return sqlite3.connect('file:%s?mode=ro' % path, uri=True)


def build(db, path, progress, cancellable):
    """On the writer's thread: the rows, then the file's real name."""
    rand = random.Random(20261)

    def rows():
        for i in range(1, N_ROWS + 1):
            if i % 4096 == 0:
                progress[0] = i  # the progress bar reads it on every frame
                cancellable.set_error_if_cancelled()
            yield i, word(rand, 1, 3) + ' ' + word(rand, 2, 3), word(rand, 1, 2)

    with db:
        db.executemany('INSERT INTO names VALUES (?, ?, ?)', rows())
    os.replace(path + '.part', path)


def search(db, text, cancellable):
    """On a reader's thread, with its connection."""
    pattern = '%' + text.replace('\\', '\\\\').replace('%', '\\%').replace('_', '\\_') + '%'
    # SQLite asks every 10000 instructions: cancelling stops the query.
    db.set_progress_handler(cancellable.is_cancelled, 10000)
    try:
        return db.execute(SEARCH, (pattern,)).fetchall(), db.execute(COUNT, (pattern,)).fetchone()[0]
    except sqlite3.OperationalError:
        cancellable.set_error_if_cancelled()  # "interrupted": raise the cancellation
        raise
    finally:
        db.set_progress_handler(None, 0)


class Row(GObject.Object):
    """An item of the list, which show_rows() changes in place."""

    __gsignals__ = {'changed': (GObject.SignalFlags.RUN_LAST, None, ())}

    def __init__(self, row_id, name, place):
        super().__init__()
        self.row_id, self.name, self.place = row_id, name, place

    def update(self, row_id, name, place):
        if (row_id, name, place) != (self.row_id, self.name, self.place):
            self.row_id, self.name, self.place = row_id, name, place
            self.emit('changed')


def show_row(row, item):
    name = item.get_child().get_first_child()
    name.set_text(row.name)
    name.get_next_sibling().set_text(row.place)
    name.get_next_sibling().get_next_sibling().set_text(str(row.row_id))


class SearchWindow(Gtk.ApplicationWindow):
    __gsignals__ = {  # for the self-test
        'query-started': (GObject.SignalFlags.RUN_LAST, None, (int, Gio.Cancellable)),
        'query-finished': (GObject.SignalFlags.RUN_LAST, None, (int, Gio.Cancellable, object)),
        'ready': (GObject.SignalFlags.RUN_LAST, None, ()),
    }

    def __init__(self, application):
        super().__init__(application=application, title='Names',
                         default_width=640, default_height=560)
        self.entry = Gtk.SearchEntry(placeholder_text='Search a million names',
                                     hexpand=True, sensitive=False)
        self.entry.connect('changed', self.changed)
        self.set_titlebar(Gtk.HeaderBar(title_widget=self.entry))
        self.progress = Gtk.ProgressBar(show_text=True, visible=False, margin_top=12,
                                        margin_start=12, margin_end=12)
        self.results = Gio.ListStore(item_type=Row)
        factory = Gtk.SignalListItemFactory()
        factory.connect('setup', self.setup_row)
        factory.connect('bind', self.bind_row)
        factory.connect('unbind', self.unbind_row)
        rows = Gtk.ListView(model=Gtk.NoSelection(model=self.results), factory=factory)
        self.message = Gtk.Label(xalign=0, hexpand=True)
        self.spinner = Gtk.Spinner()
        self.busy = Gtk.Label(css_classes=['dim-label'])
        self.queued = Gtk.Label(css_classes=['dim-label'])
        status = Gtk.Box(spacing=6, margin_top=6, margin_bottom=6, margin_start=12, margin_end=12)
        for widget in (self.message, self.spinner, self.busy, self.queued):
            status.append(widget)
        box = Gtk.Box(orientation=Gtk.Orientation.VERTICAL)
        box.append(self.progress)
        box.append(Gtk.ScrolledWindow(child=rows, vexpand=True))
        box.append(status)
        self.set_child(box)
        self.connect('close-request', self.close_request)

        self.cancellable = Gio.Cancellable()  # cancelled when the window closes
        self.query = None                     # the cancellable of the current query
        self.serial = self.pending = 0
        self.closing = False
        self.writer = self.readers = None
        self.path = os.path.join(GLib.get_user_cache_dir(), 'mwt-gtk-search-py',
                                 'names-%d.db' % N_ROWS)
        if os.path.exists(self.path):
            self.open_readers()
        else:
            self.build_database()

    def setup_row(self, factory, item):
        box = Gtk.Box(spacing=12, margin_top=6, margin_bottom=6, margin_start=12, margin_end=12)
        for xalign, chars, classes in ((0, 24, []), (0, 16, ['dim-label']), (1, 8, ['dim-label'])):
            box.append(Gtk.Inscription(xalign=xalign, min_chars=chars, nat_chars=chars,
                                       hexpand=not classes, css_classes=classes))
        item.set_child(box)

    def bind_row(self, factory, item):
        # The widgets follow their item as show_rows() changes it.
        row = item.get_item()
        show_row(row, item)
        row.connect('changed', show_row, item)

    def unbind_row(self, factory, item):
        item.get_item().disconnect_by_func(show_row)

    def build_database(self):
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        progress = [0]
        self.writer = Mwt.Pool.new(1, lambda: open_writer(self.path), lambda db: db.close())
        self.progress.set_visible(True)
        self.progress.add_tick_callback(lambda bar, clock: bar.set_fraction(progress[0] / N_ROWS)
                                        or bar.get_visible())
        self.pending += 1
        self.writer.run_async(lambda db: build(db, self.path, progress, self.cancellable),
                              None, self.built)

    def built(self, writer, result):
        self.pending -= 1
        self.progress.set_visible(False)
        try:
            writer.run_finish(result)
        except Exception as error:
            return self.finish_closing() if self.closing else self.message.set_text(str(error))
        self.close_pool(writer)  # its thread closes the writing connection as it exits

    def open_readers(self):
        self.readers = Mwt.Pool.new(max(2, os.cpu_count()), lambda: open_reader(self.path),
                                    lambda db: db.close())
        # The status line follows the pool, which notifies on this thread.
        # The spinner needs n-busy alone: tasks queue only while every thread is busy.
        sync = GObject.BindingFlags.SYNC_CREATE
        self.readers.bind_property('n-busy', self.busy, 'label', sync, lambda _, n: '%d busy,' % n)
        self.readers.bind_property('n-queued', self.queued, 'label', sync, lambda _, n: '%d queued' % n)
        self.readers.bind_property('n-busy', self.spinner, 'spinning', sync, lambda _, n: n > 0)
        self.entry.set_sensitive(True)
        self.entry.grab_focus()
        self.show_rows([], None)
        self.emit('ready')

    def changed(self, entry):
        # Each keystroke supersedes the query before it, queued or running.
        if self.query is not None:
            self.query.cancel()
        self.query = None
        GLib.idle_add(self.search_now, priority=GLib.PRIORITY_DEFAULT)

    def search_now(self):
        # gtk_editable_set_text() changes the text twice: search once it has settled.
        text = self.entry.get_text()
        if self.closing or self.query is not None or not text:
            if not text and not self.closing:
                self.show_rows([], None)
            return GLib.SOURCE_REMOVE
        self.query = cancellable = Gio.Cancellable()
        self.serial += 1
        self.pending += 1
        self.emit('query-started', self.serial, cancellable)
        self.readers.run_async(lambda db: search(db, text, cancellable), cancellable,
                               self.query_done, self.serial, cancellable)
        return GLib.SOURCE_REMOVE

    def query_done(self, readers, result, serial, cancellable):
        self.pending -= 1
        error = rows = None
        try:
            rows, count = readers.run_finish(result)  # cancelled, even after it ran: raises
        except GLib.Error as e:
            error = e
        self.emit('query-finished', serial, cancellable, error)
        if self.closing:
            self.finish_closing()
        elif error is None:
            self.show_rows(rows, count)
        elif not error.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED):
            self.message.set_text(error.message)

    def show_rows(self, rows, count):
        # GTK 4.8's list view builds a row of widgets for each new item it
        # shows, with a call of setup_row() and of bind_row() each: on the
        # main thread, up to a frame's time for 50 items. The items it
        # already shows are changed in place, as in the C version.
        n_shown = self.results.get_n_items()
        for i, row in enumerate(rows[:n_shown]):
            self.results.get_item(i).update(*row)
        if len(rows) < n_shown:
            self.results.splice(len(rows), n_shown - len(rows), [])
        else:
            self.results.splice(n_shown, 0, [Row(*row) for row in rows[n_shown:]])
        self.n_matches = count or 0
        self.message.set_text('Type to search %d names' % N_ROWS if count is None else
                              '%d names match, the first %d are shown' % (count, len(rows))
                              if count > len(rows) else '%d names match' % count)

    def close_request(self, window):
        if not self.closing:
            self.closing = True
            self.cancellable.cancel()
            if self.query is not None:
                self.query.cancel()
            self.set_visible(False)
            self.finish_closing()
        return True  # destroyed once the pools have closed

    def close_pool(self, pool):
        self.pending += 1
        pool.close_async(callback=self.pool_closed)

    def pool_closed(self, pool, result):
        self.pending -= 1
        pool.close_finish(result)
        if pool is self.writer:
            self.writer = None
            if not self.closing:
                self.open_readers()
        else:
            self.readers = None
        self.finish_closing()

    def finish_closing(self):
        if not self.closing:
            return
        for pool in (self.writer, self.readers):
            if pool is not None and not pool.is_closed():
                self.close_pool(pool)
        if self.pending == 0:
            self.destroy()


def main(argv):
    application = Gtk.Application(application_id='org.mwt.GtkSearchPython')
    application.connect('activate', lambda app: (app.get_active_window()
                                                 or SearchWindow(app)).present())
    return application.run(argv)


if __name__ == '__main__':
    sys.exit(main(sys.argv))
