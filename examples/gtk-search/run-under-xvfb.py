#!/usr/bin/env python3
# SPDX-FileCopyrightText: 2026 The mwt authors
# SPDX-License-Identifier: LGPL-2.1-or-later

"""Runs a command in a display server of its own, as on a first run.

Usage: run-under-xvfb.py COMMAND [ARGUMENT...]

Starts Xvfb on a free display (it picks the number and reports it through
-displayfd once it accepts connections), runs COMMAND there with an empty
user cache directory, stops the server and exits with COMMAND's status.
Exits with 77, the status meson reads as "skipped", when Xvfb is not
installed.
"""

import os
import shutil
import subprocess
import sys
import tempfile


def main():
    command = sys.argv[1:]
    xvfb = shutil.which('Xvfb')
    if xvfb is None:
        print('SKIP: Xvfb is not installed (Debian: apt-get install xvfb), '
              'and this test needs a display server', flush=True)
        return 77

    with tempfile.TemporaryDirectory(prefix='mwt-xvfb-') as home:
        ready_read, ready_write = os.pipe()
        server = subprocess.Popen(
            [xvfb, '-displayfd', str(ready_write), '-nolisten', 'tcp', '-noreset',
             '-screen', '0', '1280x800x24'],
            pass_fds=[ready_write], stdin=subprocess.DEVNULL)
        os.close(ready_write)
        try:
            with os.fdopen(ready_read) as ready:
                display = ready.readline().strip()
            if not display:
                print('FAIL: Xvfb exited with status %s before it accepted connections'
                      % server.wait(), flush=True)
                return 1

            env = dict(os.environ,
                       DISPLAY=':' + display,
                       GDK_BACKEND='x11',
                       XDG_CACHE_HOME=os.path.join(home, 'cache'),
                       XDG_RUNTIME_DIR=home)
            env.pop('WAYLAND_DISPLAY', None)
            print('Xvfb on display :%s; running %s' % (display, ' '.join(command)), flush=True)
            return subprocess.run(command, env=env).returncode
        finally:
            server.terminate()
            server.wait()


if __name__ == '__main__':
    sys.exit(main())
