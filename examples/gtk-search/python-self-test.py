#!/usr/bin/python3
# SPDX-FileCopyrightText: 2026 The mwt authors
# SPDX-License-Identifier: LGPL-2.1-or-later

"""The self-test of the C version (search-self-test.c), for the Python one.

Usage: python-self-test.py GTK-SEARCH.PY human|machine SCREENSHOT.PNG

Loads examples/python/gtk-search.py, types 200 keystrokes into its entry
with gtk_editable_set_text(), at a human's or a machine's speed, while the
frame clock's ticks are recorded; checks the list against a direct SQL
query, that every cancelled query completed with G_IO_ERROR_CANCELLED,
that the frame clock kept ticking, that rows shown over rows change them
in place, and, once the application has quit, that no pool thread is
left. Exits with 77 if GTK 4's typelib is missing.
"""

import ctypes
import importlib.util
import os
import random
import sqlite3
import statistics
import sys
import threading
import time

import gi

try:
    gi.require_version('Gtk', '4.0')
    gi.require_version('Gdk', '4.0')
except ValueError as error:
    print('SKIP: %s (Debian: apt-get install gir1.2-gtk-4.0)' % error, flush=True)
    sys.exit(77)

from gi.repository import Gdk, Gio, GLib, Gtk  # noqa: E402

N_KEYSTROKES = 200
FINAL_TEXT_LEN = 6
MAX_FRAME_GAP_MS = 50
TIMEOUT_S = 150

failures = []


def stolen_us():
    """On a virtual machine, the µs its CPUs were ready to run but the host
    ran something else ("steal" in /proc/stat), on average per CPU; None
    where Linux does not say."""
    try:
        with open('/proc/stat') as stat:
            fields = stat.readline().split()
        return int(fields[8]) * 1e6 / os.sysconf('SC_CLK_TCK') / os.sysconf('SC_NPROCESSORS_ONLN')
    except (OSError, IndexError, ValueError):
        return None


def check(condition, message):
    """Reports a failed check and goes on: one run shows every problem."""
    if not condition:
        print('FAIL: ' + message, flush=True)
        failures.append(message)


def render_to_png(widget, width, height, path):
    """The C self-test's screenshot: the widget's GtkWidgetPaintable,
    rendered by its GskRenderer. PyGObject 3.42 cannot wrap GSK's render
    nodes, so this calls GTK through ctypes."""
    gtk = ctypes.CDLL('libgtk-4.so.1')
    pointer = ctypes.c_void_p
    for name, restype, argtypes in (
            ('gtk_widget_paintable_new', pointer, [pointer]),
            ('gtk_snapshot_new', pointer, []),
            ('gdk_paintable_snapshot', None, [pointer, pointer, ctypes.c_double, ctypes.c_double]),
            ('gtk_snapshot_free_to_node', pointer, [pointer]),
            ('gtk_native_get_renderer', pointer, [pointer]),
            ('gsk_renderer_render_texture', pointer, [pointer, pointer, ctypes.c_float * 4]),
            ('gdk_texture_save_to_png', ctypes.c_int, [pointer, ctypes.c_char_p]),
            ('gsk_render_node_unref', None, [pointer]),
            ('g_object_unref', None, [pointer])):
        getattr(gtk, name).restype = restype
        getattr(gtk, name).argtypes = argtypes
    capsule_pointer = ctypes.pythonapi.PyCapsule_GetPointer
    capsule_pointer.restype, capsule_pointer.argtypes = pointer, [ctypes.py_object, ctypes.c_char_p]

    c_widget = capsule_pointer(widget.__gpointer__, None)
    paintable = gtk.gtk_widget_paintable_new(c_widget)
    snapshot = gtk.gtk_snapshot_new()
    gtk.gdk_paintable_snapshot(paintable, snapshot, width, height)
    node = gtk.gtk_snapshot_free_to_node(snapshot)
    gtk.g_object_unref(paintable)
    if not node:
        return False
    texture = gtk.gsk_renderer_render_texture(gtk.gtk_native_get_renderer(c_widget), node,
                                              (ctypes.c_float * 4)(0, 0, width, height))
    saved = gtk.gdk_texture_save_to_png(texture, os.fsencode(path))
    gtk.g_object_unref(texture)
    gtk.gsk_render_node_unref(node)
    return bool(saved)


class SelfTest:
    def __init__(self, example, speed, screenshot):
        self.example = example
        self.speed = speed
        self.screenshot = screenshot
        self.rand = random.Random(1 if speed == 'human' else 2)
        self.lock = threading.Lock()
        self.thread_ids = []      # of the pool threads, guarded by lock
        self.n_interrupted = 0    # guarded by lock
        self.frames = []          # (µs, ns on a CPU, ns waiting for one, µs stolen)
        self.texts = []
        self.n_typed = 0
        self.pending = {}         # serial → cancellable of a query in flight
        self.n_started = self.n_finished = self.n_cancelled = self.n_shown = 0
        self.burst_start = self.burst_end = None
        self.close_on_next_query = False
        self.last_outcome = None
        self.n_rows_built = 0     # rows of widgets the list view had set up
        self.replacing = None     # the text whose rows replace the final text's

        # The pool threads run these: record them, and the queries that
        # a cancellation stopped while they ran.
        open_writer, open_reader, search = example.open_writer, example.open_reader, example.search

        def record_thread():
            with self.lock:
                self.thread_ids.append(threading.get_native_id())

        def observed_writer(path):
            record_thread()
            return open_writer(path)

        def observed_reader(path):
            record_thread()
            return open_reader(path)

        def observed_search(db, text, cancellable):
            try:
                return search(db, text, cancellable)
            except GLib.Error:
                with self.lock:
                    self.n_interrupted += 1
                raise

        example.open_writer, example.open_reader, example.search = \
            observed_writer, observed_reader, observed_search

        # The rows of widgets the list view builds.
        setup_row = example.SearchWindow.setup_row

        def counted_setup_row(window, factory, item):
            self.n_rows_built += 1
            setup_row(window, factory, item)

        example.SearchWindow.setup_row = counted_setup_row

    def start(self, application):
        self.start_time = time.monotonic()
        self.window = self.example.SearchWindow(application)
        self.window.add_tick_callback(self.tick)
        self.window.connect('ready', self.ready)
        self.window.connect('query-started', self.query_started)
        self.window.connect('query-finished', self.query_finished)
        GLib.timeout_add_seconds(TIMEOUT_S, self.timed_out)
        self.window.present()

    def timed_out(self):
        print('FAIL: still running after %d s: %d of %d keystrokes, %d of %d queries finished'
              % (TIMEOUT_S, self.n_typed, len(self.texts), self.n_finished, self.n_started),
              flush=True)
        os._exit(1)

    # Frames

    def tick(self, widget, frame_clock):
        try:
            with open('/proc/thread-self/schedstat') as schedstat:
                on_cpu, waiting = (int(field) for field in schedstat.read().split()[:2])
        except OSError:
            on_cpu = waiting = None
        self.frames.append((GLib.get_monotonic_time(), on_cpu, waiting, stolen_us()))
        return GLib.SOURCE_CONTINUE

    def check_frames(self, what, start, end):
        """The check is on what the application answers for, as in the C
        self-test: each gap less the time its main thread was ready to run
        but waited for a CPU, which the kernel gave to others (the pool
        threads, at a lower priority, where the test has the machine to
        itself; other work on a shared machine, which can still lengthen
        the waits for an X server that waits for a CPU in turn). The rest
        is the main thread's own work and its waits (for the GIL, a lock,
        the X server), which a stall of the application lengthens, busy or
        blocked. So is, on a virtual machine, the time the hypervisor held
        its CPUs: the whole machine stands still, the X server too, and the
        main thread seems idle. The whole gap is reported all the same, and
        the longest the main thread ran between two frames, which depends
        little on the load."""
        clock = self.window.get_frame_clock()
        refresh = clock.get_refresh_info(clock.get_frame_time())[0] / 1000
        frames = [f for f in self.frames if f[0] <= end]
        first = max(0, next(i for i, f in enumerate(frames) if f[0] >= start) - 1)
        frames = frames[first:]
        # (ms between the frames, ms the main thread ran, ms it waited for
        # a CPU, ms the hypervisor held each CPU on average)
        gaps = [((b[0] - a[0]) / 1000,)
                + (((b[1] - a[1]) / 1e6, (b[2] - a[2]) / 1e6) if a[1] is not None else (0, 0))
                + (((b[3] - a[3]) / 1000) if a[3] is not None else 0,)
                for a, b in zip(frames, frames[1:])]
        gap, on_cpu, waiting, stolen = max(gaps)
        own_gap = max(interval - waited - held for interval, _, waited, held in gaps)
        where = runs = ''
        if frames[0][1] is not None:
            where = (' (in it the main thread ran %.1f ms, waited %.1f ms for a CPU, %.1f ms'
                     ' idle or waiting for the X server; the hypervisor held the CPUs %.1f ms)'
                     % (on_cpu, waiting, max(0, gap - on_cpu - waiting), stolen))
            longest_run = max(gaps, key=lambda g: g[1])
            runs = ('; less the main thread\'s waits for a CPU and the hypervisor\'s hold, at most'
                    ' %.1f ms; the main thread ran at most %.1f ms between two frames (in a gap'
                    ' of %.1f ms)' % (own_gap, longest_run[1], longest_run[0]))
        median = statistics.median(interval for interval, *_ in gaps)
        print('%s: %d frames in %.0f ms; largest gap between frames %.1f ms%s%s, median interval '
              '%.2f ms (display: %.2f ms, from the frame clock\'s refresh interval)'
              % (what, len(gaps), (end - start) / 1000, gap, where, runs, median, refresh),
              flush=True)
        check(len(gaps) >= 10, '%s: only %d frames' % (what, len(gaps)))
        check(own_gap < MAX_FRAME_GAP_MS, '%s: a gap of %.1f ms between frames, not counting the '
              'main thread\'s waits for a CPU and the hypervisor\'s hold on the CPUs (at most %d)'
              % (what, own_gap, MAX_FRAME_GAP_MS))
        check(abs(median - refresh) <= 0.1 * refresh,
              '%s: median frame interval %.2f ms, not the display\'s %.2f ms'
              % (what, median, refresh))

    # The keystrokes

    def ready(self, window):
        print('ready %.0f ms after the window was created%s' % (
            (time.monotonic() - self.start_time) * 1000,
            ', the database built on a pool thread' if len(self.thread_ids) > 2 else ''),
            flush=True)
        with sqlite3.connect('file:%s?mode=ro' % window.path, uri=True) as db:
            (n_rows,) = db.execute('SELECT count(*) FROM names').fetchone()
            print('database: %s, %d rows' % (window.path, n_rows), flush=True)
            check(n_rows == self.example.N_ROWS, 'the database has %d rows' % n_rows)

            def term(length):
                while True:
                    (name,) = db.execute('SELECT name FROM names WHERE id = ?',
                                         (self.rand.randint(1, n_rows),)).fetchone()
                    word = self.rand.choice(name.lower().split())
                    if len(word) >= length:
                        start = self.rand.randint(0, len(word) - length)
                        return word[start:start + length]

            final = term(FINAL_TEXT_LEN)
            remaining = N_KEYSTROKES - FINAL_TEXT_LEN
            while remaining > 0:  # each term costs twice its length
                length = min(self.rand.randint(3, 7), remaining // 2)
                text = term(length)
                self.texts += [text[:i] for i in range(1, length + 1)]
                self.texts += [text[:i] for i in range(length - 1, -1, -1)]
                remaining -= 2 * length
            self.texts += [final[:i] for i in range(1, FINAL_TEXT_LEN + 1)]
        self.n_queries_expected = sum(1 for text in self.texts if text)
        self.schedule_keystroke()

    def schedule_keystroke(self):
        delay = self.rand.randint(50, 150) if self.speed == 'human' else 1
        GLib.timeout_add(delay, self.type_next)

    def type_next(self):
        entry = self.window.entry
        if self.n_typed == 0:
            self.burst_start = GLib.get_monotonic_time()
        if not entry.get_text():
            check(all(c.is_cancelled() for c in self.pending.values()),
                  'a query goes on after the entry was emptied')
        entry.set_text(self.texts[self.n_typed])  # gtk_editable_set_text()
        entry.set_position(-1)
        self.n_typed += 1
        if self.n_typed < len(self.texts):
            self.schedule_keystroke()
        else:
            self.maybe_finish_burst()
        return GLib.SOURCE_REMOVE

    def query_started(self, window, serial, cancellable):
        check(serial == self.n_started + 1, 'query %d started after %d others'
              % (serial, self.n_started))
        check(all(c.is_cancelled() for c in self.pending.values()),
              'query %d started, the one before goes on' % serial)
        self.n_started += 1
        self.pending[serial] = cancellable
        if self.close_on_next_query:
            GLib.idle_add(self.close_window)

    def query_finished(self, window, serial, cancellable, error):
        check(self.pending.pop(serial, None) is not None, 'query %d finished twice' % serial)
        self.n_finished += 1
        if cancellable.is_cancelled():
            check(error is not None and
                  error.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED),
                  'cancelled query %d completed with %s instead of G_IO_ERROR_CANCELLED'
                  % (serial, error or 'its rows (stale results)'))
            self.n_cancelled += 1
        else:
            check(error is None, 'query %d failed: %s' % (serial, error))
            self.n_shown += error is None
        if self.close_on_next_query:
            self.last_outcome = 'cancelled' if cancellable.is_cancelled() else 'completed'
        if self.replacing is not None:
            GLib.idle_add(self.replaced)  # once the window has shown the rows
        self.maybe_finish_burst()

    def maybe_finish_burst(self):
        if (self.n_typed < len(self.texts) or self.n_started < self.n_queries_expected
                or self.n_finished < self.n_started or self.burst_end is not None):
            return
        self.burst_end = GLib.get_monotonic_time()
        GLib.idle_add(self.finish_burst)  # after the window has shown the last rows

    def finish_burst(self):
        print('%s speed: %d keystrokes in %.0f ms; %d queries, %d cancelled (%d of them stopped '
              'while running), %d shown' % (self.speed, self.n_typed,
                                            (self.burst_end - self.burst_start) / 1000,
                                            self.n_started, self.n_cancelled, self.n_interrupted,
                                            self.n_shown), flush=True)
        self.check_frames('while typing and searching', self.burst_start, self.burst_end)
        check(self.n_started == self.n_queries_expected,
              '%d queries started for %d keystrokes that left some text'
              % (self.n_started, self.n_queries_expected))
        check(self.n_cancelled > 0, 'no query was cancelled')
        check(self.n_interrupted > 0, 'no running query was stopped by its cancellation')
        self.check_results(self.texts[-1])
        # Once the window has drawn what it shows now.
        self.drawn_id = self.window.get_frame_clock().connect('after-paint', self.drawn)
        self.window.queue_draw()
        return GLib.SOURCE_REMOVE

    def check_results(self, text, which='final text'):
        """Against a query written independently of the example's LIKE."""
        with sqlite3.connect('file:%s?mode=ro' % self.window.path, uri=True) as db:
            (n_matches,) = db.execute('SELECT count(*) FROM names'
                                      ' WHERE instr(lower(name), lower(?)) > 0', (text,)).fetchone()
            expected = db.execute('SELECT id, name, place FROM names'
                                  ' WHERE instr(lower(name), lower(?)) > 0 ORDER BY id LIMIT ?',
                                  (text, self.example.MAX_RESULTS)).fetchall()
        shown = [(row.row_id, row.name, row.place) for row in self.window.results]
        print('%s "%s": %d names match, the list shows %d rows, the direct query %d'
              % (which, text, n_matches, len(shown), len(expected)), flush=True)
        check(n_matches > 0, 'no name matches the %s "%s"' % (which, text))
        check(self.window.entry.get_text() == text, 'the entry shows "%s", not "%s"'
              % (self.window.entry.get_text(), text))
        check(self.window.n_matches == n_matches, 'the window counts %d matches, the direct'
              ' query %d' % (self.window.n_matches, n_matches))
        check(shown == expected, 'the list differs from the direct query\'s rows')

    def drawn(self, frame_clock):
        frame_clock.disconnect(self.drawn_id)
        self.save_screenshot()
        # A keystroke less: its names include the final text's, and its rows
        # replace the rows shown, which change in place (new rows would cost
        # the main thread new widgets, set up and bound by Python).
        self.replacing = self.texts[-1][:-1]
        self.n_rows_built_before = self.n_rows_built
        self.window.entry.set_text(self.replacing)

    def replaced(self):
        built = self.n_rows_built - self.n_rows_built_before
        check(built == 0, 'the list built %d rows of widgets to show the rows of "%s" over the %d'
              ' it showed' % (built, self.replacing, self.example.MAX_RESULTS))
        self.check_results(self.replacing, 'then')
        self.replacing = None
        # One more keystroke, and the window closes as soon as its query is
        # submitted: closing must stop a query in flight.
        self.close_on_next_query = True
        self.window.entry.set_text('a')
        return GLib.SOURCE_REMOVE

    def save_screenshot(self):
        width, height = self.window.get_width(), self.window.get_height()
        check(render_to_png(self.window, width, height, self.screenshot),
              'could not write ' + self.screenshot)
        saved = Gdk.Texture.new_from_filename(self.screenshot)
        check((saved.get_width(), saved.get_height()) == (width, height),
              'the screenshot is %d×%d, the window %d×%d'
              % (saved.get_width(), saved.get_height(), width, height))
        print('screenshot: %s (%d×%d)' % (self.screenshot, width, height), flush=True)

    def close_window(self):
        self.close_time = time.monotonic()
        self.window.close()  # as the user would
        return GLib.SOURCE_REMOVE

    def finish(self):
        """Once the application has quit."""
        check(self.last_outcome is not None, 'the query in flight at closing never completed')
        check(self.n_finished == self.n_started, '%d queries started, %d finished'
              % (self.n_started, self.n_finished))
        left = [tid for tid in self.thread_ids if os.path.exists('/proc/self/task/%d' % tid)]
        check(not left, '%d pool threads are left' % len(left))
        print('closed %.1f ms after the window was, the query in flight %s; %d pool threads '
              'started and exited' % ((time.monotonic() - self.close_time) * 1000,
                                      self.last_outcome, len(self.thread_ids)), flush=True)


def main(example_path, speed, screenshot):
    spec = importlib.util.spec_from_file_location('gtk_search', example_path)
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)

    test = SelfTest(example, speed, screenshot)
    application = Gtk.Application(application_id='org.mwt.GtkSearchPython',
                                  flags=Gio.ApplicationFlags.NON_UNIQUE)
    application.connect('activate', test.start)
    status = application.run([example_path])
    test.finish()
    print('FAILED' if failures or status else 'PASSED', flush=True)
    return 1 if failures or status else 0


if __name__ == '__main__':
    sys.exit(main(*sys.argv[1:]))
