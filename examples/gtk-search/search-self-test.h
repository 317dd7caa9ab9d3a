/* search-self-test.h: drives the window from inside and checks it
 *
 * SPDX-FileCopyrightText: 2026 The mwt authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "search-window.h"

G_BEGIN_DECLS

typedef enum
{
  SEARCH_SELF_TEST_HUMAN,    /* a keystroke every 50 to 150 ms */
  SEARCH_SELF_TEST_MACHINE,  /* a keystroke every millisecond */
} SearchSelfTestSpeed;

gboolean      search_self_test_parse_speed (const char          *name,
                                           SearchSelfTestSpeed *speed);
SearchWindow *search_self_test_start       (GtkApplication      *application,
                                           SearchSelfTestSpeed  speed,
                                           const char          *screenshot_path);
gboolean      search_self_test_finish      (void);

G_END_DECLS
