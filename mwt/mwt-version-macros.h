/* mwt-version-macros.h
 *
 * SPDX-FileCopyrightText: 2026 The mwt authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (MWT_INSIDE) && !defined (MWT_COMPILATION)
# error "Only <mwt.h> can be included directly."
#endif

#include <glib.h>

#include "mwt-version.h"

/**
 * SECTION:mwt-version-macros
 * @title: Availability macros
 * @short_description: which version added a symbol
 *
 * Every public symbol of mwt carries one of these macros. They export the
 * symbol from the library, which is built with hidden visibility, and tell
 * in which version it appeared.
 */

#ifndef _MWT_EXTERN
# define _MWT_EXTERN __attribute__((visibility ("default"))) extern
#endif

/**
 * MWT_AVAILABLE_IN_ALL:
 *
 * Marks a symbol that every version of mwt exports. The library is built
 * with hidden visibility, so only symbols marked this way are public.
 *
 * Since: 1.0
 */
#define MWT_AVAILABLE_IN_ALL _MWT_EXTERN

/**
 * MWT_AVAILABLE_IN_1_0:
 *
 * Marks a symbol added in mwt 1.0.
 *
 * Since: 1.0
 */
#define MWT_AVAILABLE_IN_1_0 _MWT_EXTERN
