# SPDX-FileCopyrightText: 2026 The mwt authors
# SPDX-License-Identifier: LGPL-2.1-or-later

"""Runs every Python example of README.md, as written there, each in an
interpreter of its own, and checks that each prints what it computes."""

import re
import subprocess
import sys

with open(sys.argv[1], encoding='utf-8') as readme:
    blocks = re.findall(r'^```python\n(.*?)^```', readme.read(), re.M | re.S)

if not blocks:
    sys.exit('README.md has no Python example')

# What each example prints, in the order the README gives them.
expected = [
    r"answer 42 from MwtPool-\d+_[01]\n",
    r"\[0, 1, 4, 9, 16\]\n",
    r"45\n",
    r"sum 45\n",
]
if len(blocks) != len(expected):
    sys.exit('README.md has %d Python examples, this test knows %d' % (len(blocks), len(expected)))

for number, (block, output) in enumerate(zip(blocks, expected), 1):
    result = subprocess.run([sys.executable, '-c', block], capture_output=True, text=True,
                            timeout=120)
    if result.returncode != 0 or result.stderr or not re.fullmatch(output, result.stdout):
        sys.exit('README.md\'s Python example %d: exit status %d, printed %r, then %r (expected %r)'
                 % (number, result.returncode, result.stdout, result.stderr, output))
    print('example %d: %s' % (number, result.stdout.strip()))
