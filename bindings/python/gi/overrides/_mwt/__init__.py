# SPDX-FileCopyrightText: 2026 The mwt authors
# SPDX-License-Identifier: LGPL-2.1-or-later

"""The modules behind gi.overrides.Mwt: pool threads (threads), tasks
handed to C (tasks), the main thread's side (mainloop), Mwt.Pool (pool) and
Mwt.Executor (executor)."""
