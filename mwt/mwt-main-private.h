/* mwt-main-private.h
 *
 * SPDX-FileCopyrightText: 2026 The mwt authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#ifndef MWT_COMPILATION
# error "mwt-main-private.h is internal to mwt"
#endif

#include <glib.h>

G_BEGIN_DECLS

void mwt_main_run_calls_blocking (GQueue *calls);

G_END_DECLS
