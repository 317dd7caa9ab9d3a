# SPDX-FileCopyrightText: 2026 The mwt authors
# SPDX-License-Identifier: LGPL-2.1-or-later

"""What the Python tests share."""

import os

from gi.repository import GLib

# Valgrind runs the suites with a scale: everything takes longer there.
TIME_SCALE = float(os.environ.get('MWT_TEST_TIMEOUT_SCALE', '1'))
# How long a test waits for what must happen before it calls it a hang.
HANG_TIMEOUT = 60 * TIME_SCALE


def run_until(predicate, timeout=HANG_TIMEOUT):
    """Iterates the global default main context until predicate() holds;
    fails once timeout seconds have passed."""
    context = GLib.MainContext.default()
    expired = []
    # Wakes the context at the deadline even if nothing else happens.
    source = GLib.timeout_source_new(int(timeout * 1000))
    source.set_callback(lambda *_: expired.append(True) and False)
    source.attach(context)
    try:
        while not predicate():
            if expired:
                raise AssertionError('still waiting after %g s' % timeout)
            context.iteration(True)
    finally:
        source.destroy()
