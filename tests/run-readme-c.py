# SPDX-FileCopyrightText: 2026 The mwt authors
# SPDX-License-Identifier: LGPL-2.1-or-later

"""Runs the C example of README.md as a reader would: in an empty
directory, twice (the second run finds the database that the first made),
and checks that it prints the number of rows of its database each time.

Usage: run-readme-c.py EXAMPLE
"""

import os
import sqlite3
import subprocess
import sys
import tempfile

example = os.path.abspath(sys.argv[1])
with tempfile.TemporaryDirectory(prefix='mwt-readme-c-') as directory:
    for run in ('first run', 'second run'):
        result = subprocess.run([example], cwd=directory, capture_output=True, text=True,
                                timeout=60)
        sys.stdout.write(result.stdout)
        sys.stderr.write(result.stderr)
        if result.returncode != 0:
            sys.exit('%s: exit status %d' % (run, result.returncode))
        db = sqlite3.connect(os.path.join(directory, 'items.db'))
        expected = '%d rows\n' % db.execute('SELECT count(*) FROM items').fetchone()[0]
        db.close()
        if result.stdout != expected:
            sys.exit('%s: printed %r, expected %r' % (run, result.stdout, expected))
