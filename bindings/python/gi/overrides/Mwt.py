# SPDX-FileCopyrightText: 2026 The mwt authors
# SPDX-License-Identifier: LGPL-2.1-or-later

"""Pythonic access to mwt pools.

The C API hands thread states, task results and main-side results around
as untyped pointers, which cannot carry Python objects; this override keeps
those objects on the Python side, and hands C no callback per task (the
modules in gi/overrides/_mwt say how):

* ``Mwt.Pool(n_threads, init=None, at_exit=None)``: ``init()`` runs on each
  new thread and may return any Python object, that thread's state;
  ``at_exit(state)`` gets the same object on the same thread.
  ``pool.run_async(func, cancellable, callback, *user_data)`` runs
  ``func(state)`` on a pool thread and ``callback(pool, result,
  *user_data)`` on the main loop, where ``pool.run_finish(result)`` returns
  what ``func`` returned or raises its exception; ``pool.run_sync()`` is the
  blocking form. ``with Mwt.Pool(...) as pool:`` waits for the tasks
  submitted in it, then closes the pool.
* ``Mwt.Executor``: the same threads behind ``concurrent.futures``, a
  drop-in for ``ThreadPoolExecutor`` (``asyncio``'s ``run_in_executor()``
  included), whose initializer's return value is each thread's state.
* ``Mwt.run_in_main(func, *args)`` from a pool thread runs ``func`` on the
  pool's main context and returns its value; ``Mwt.run_in_main_dont_wait()``
  posts it without waiting, and ``Mwt.in_main(func)`` wraps ``func`` so:
  ``future.add_done_callback(Mwt.in_main(show))``.
* ``Mwt.get_thread_state()``: the calling pool thread's state.

One convention for every method: required arguments, then ``cancellable``,
then ``callback`` and ``*user_data``; the priority is the keyword
``priority=`` (lower values run first, as in GLib).
"""

from ..overrides import override
from ._mwt.executor import Executor
from ._mwt.mainloop import in_main, run_in_main, run_in_main_dont_wait
from ._mwt.pool import Pool
from ._mwt.threads import get_thread_state

# Registered under this module's name, as PyGObject requires of an override.
Pool.__module__ = __name__
Pool = override(Pool)
Executor.__module__ = __name__

__all__ = ['Executor', 'Pool', 'get_thread_state', 'in_main', 'run_in_main',
           'run_in_main_dont_wait']
