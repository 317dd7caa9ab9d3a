/* mwt.h: the one header to include
 *
 * SPDX-FileCopyrightText: 2026 The mwt authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define MWT_INSIDE
# include "mwt-version.h"
# include "mwt-version-macros.h"
# include "mwt-enums.h"
# include "mwt-main.h"
# include "mwt-pool.h"
# include "mwt-runner.h"
#undef MWT_INSIDE

G_END_DECLS
