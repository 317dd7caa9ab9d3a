# SPDX-FileCopyrightText: 2026 The mwt authors
# SPDX-License-Identifier: LGPL-2.1-or-later

"""Runs the Python example of README.md, as written there."""

import re
import sys

with open(sys.argv[1], encoding='utf-8') as readme:
    blocks = re.findall(r'^```python\n(.*?)^```', readme.read(), re.M | re.S)

if not blocks:
    sys.exit('README.md has no Python example')
exec(compile(blocks[0], 'README.md', 'exec'), {'__name__': '__main__'})
