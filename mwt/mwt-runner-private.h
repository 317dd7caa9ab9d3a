/* mwt-runner-private.h
 *
 * SPDX-FileCopyrightText: 2026 The mwt authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#ifndef MWT_COMPILATION
# error "mwt-runner-private.h is internal to mwt"
#endif

#include "mwt-runner.h"

G_BEGIN_DECLS

/* Read-only once created: jobs read it on any thread. */
struct _MwtRunner
{
  GObject           parent_instance;

  MwtRunnerFlags    flags;

  MwtRunnerFunc     func;
  gpointer          func_data;
  GDestroyNotify    func_data_destroy;
  MwtRunnerDoneFunc done;
  gpointer          done_data;
  GDestroyNotify    done_data_destroy;
};

G_END_DECLS
