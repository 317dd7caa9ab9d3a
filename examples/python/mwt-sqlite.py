#!/usr/bin/python3
# SPDX-FileCopyrightText: 2026 The mwt authors
# SPDX-License-Identifier: LGPL-2.1-or-later

"""Per-thread SQLite connections from Python: each pool thread opens its
own connection to a database file this script creates, and the answers of
the queries are printed from the GLib main loop."""

import os
import sqlite3
import sys
import tempfile
import threading

import gi
gi.require_version('Mwt', '1')
from gi.repository import GLib, Mwt  # noqa: E402

N_ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
N_QUERIES = 20


def create_database(path):
    with sqlite3.connect(path) as db:
        db.execute('CREATE TABLE items (id INTEGER PRIMARY KEY, value INTEGER)')
        db.executemany('INSERT INTO items VALUES (?, ?)',
                       ((i, i * 7 % 1000) for i in range(1, N_ROWS + 1)))


def main():
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, 'items.db')
        create_database(path)

        # Runs on each new pool thread: the connection belongs to it.
        def open_connection():
            return sqlite3.connect('file:%s?mode=ro' % path, uri=True)

        def close_connection(db):
            db.close()

        loop = GLib.MainLoop()
        answers = []

        def make_query(low):
            def query(db):
                (total,) = db.execute('SELECT sum(value) FROM items WHERE id BETWEEN ? AND ?',
                                      (low, low + 99)).fetchone()
                return low, total, threading.current_thread().name
            return query

        def answered(pool, result):
            low, total, thread = pool.run_finish(result)
            print('rows %5d-%5d: sum %6d (on %s)' % (low, low + 99, total, thread))
            answers.append(total)
            if len(answers) == N_QUERIES:
                loop.quit()

        with Mwt.Pool.new(4, open_connection, close_connection) as pool:
            for i in range(N_QUERIES):
                pool.run_async(make_query(1 + i * (N_ROWS // N_QUERIES)), callback=answered)
            loop.run()
        print('%d answers, total %d' % (len(answers), sum(answers)))


if __name__ == '__main__':
    main()
