# SPDX-FileCopyrightText: 2026 The mwt authors
# SPDX-License-Identifier: LGPL-2.1-or-later

"""Writes the first C example of README.md to a file, as written there."""

import re
import sys

with open(sys.argv[1], encoding='utf-8') as readme:
    blocks = re.findall(r'^```c\n(.*?)^```', readme.read(), re.M | re.S)

if not blocks:
    sys.exit('README.md has no C example')
with open(sys.argv[2], 'w', encoding='utf-8') as out:
    out.write(blocks[0])
