# SPDX-FileCopyrightText: 2026 The mwt authors
# SPDX-License-Identifier: LGPL-2.1-or-later

"""Pythonic access to mwt pools.

The C API hands thread states, task results and main-side results around
as untyped pointers, which cannot carry Python objects. This override keeps
those objects on the Python side instead:

* ``Mwt.Pool.new(n_threads, init=None, at_exit=None)`` and
  ``Mwt.Pool.new_async(n_threads, init, at_exit, cancellable, callback)``
  with ``Mwt.Pool.new_finish(result)``: ``init()`` runs on each new thread
  and may return any Python object, that thread's state; ``at_exit(state)``
  gets the same object on the same thread. An exception raised by ``init``
  makes creation fail with that exception, after the other threads exited.
* ``pool.run_async(func, cancellable, callback)``: ``func(state)`` runs on a
  pool thread with that thread's state; ``pool.run_finish(result)``, in the
  callback on the main loop, returns what ``func`` returned, or raises the
  very exception ``func`` raised. Cancellation and closing raise
  ``GLib.Error`` (``Gio.IOErrorEnum.CANCELLED``, ``Gio.IOErrorEnum.CLOSED``).
* ``Mwt.run_in_main(func)``: from a pool thread, runs ``func()`` on the
  pool's main context and returns its value, or raises its exception.
* ``pool.set_n_threads(n)``: new threads run ``init``; if one raises, the
  pool goes back to its old size and the exception is raised.
* ``pool.close()``, ``pool.close_async(cancellable, callback)`` and
  ``pool.close_finish(result)``, ``pool.drain_async()``, ``Mwt.Pool.get_current()``,
  ``pool.get_context()`` and the ``n-busy`` and ``n-queued`` properties are
  the C API's, unchanged.
"""

import threading

from gi.repository import GLib

from ..module import get_introspection_module
from ..overrides import override

Mwt = get_introspection_module('Mwt')

__all__ = []


class _Outcome:
    """What a Python function gave back: a value or an exception."""

    __slots__ = ('value', 'exception')

    def __init__(self):
        self.value = None
        self.exception = None

    def run(self, func, *args):
        try:
            self.value = func(*args)
        except BaseException as exception:  # handed back to the caller
            self.exception = exception

    def result(self):
        if self.exception is not None:
            exception, self.exception = self.exception, None
            raise exception
        value, self.value = self.value, None
        return value


class _ThreadStates:
    """The states of a pool's threads, each kept by the thread that made it."""

    def __init__(self, init, at_exit):
        self._init = init
        self._at_exit = at_exit
        self._states = {}
        self._lock = threading.Lock()
        self.failure = None

    def init(self, *_args):
        outcome = _Outcome()
        if self._init is not None:
            outcome.run(self._init)
        with self._lock:
            if outcome.exception is not None:
                if self.failure is None:
                    self.failure = outcome.exception
            else:
                self._states[threading.get_ident()] = outcome.value
        return None

    def at_exit(self, *_args):
        with self._lock:
            if threading.get_ident() not in self._states:
                return  # its init raised: there is nothing to clean up
            state = self._states.pop(threading.get_ident())
        if self._at_exit is not None:
            self._at_exit(state)

    def current(self):
        with self._lock:
            return self._states[threading.get_ident()]

    def raise_failure(self, pool):
        """An init raised: close the pool (the others clean up), raise it."""
        if self.failure is None:
            return
        pool.close(None)
        failure, self.failure = self.failure, None
        raise failure


class Pool(Mwt.Pool):

    @classmethod
    def new(cls, n_threads, init=None, at_exit=None):
        states = _ThreadStates(init, at_exit)
        pool = Mwt.Pool.new(n_threads, states.init, (), states.at_exit, ())
        states.raise_failure(pool)
        pool._mwt_states = states
        return pool

    @classmethod
    def new_async(cls, n_threads, init, at_exit, cancellable, callback, *user_data):
        states = _ThreadStates(init, at_exit)

        def created(source, result, *_data):
            result._mwt_states = states
            callback(source, result, *user_data)

        Mwt.Pool.new_async(n_threads, states.init, (), states.at_exit, (),
                           GLib.PRIORITY_DEFAULT, cancellable, created)

    @classmethod
    def new_finish(cls, result):
        states = result._mwt_states
        pool = Mwt.Pool.new_finish(result)
        states.raise_failure(pool)
        pool._mwt_states = states
        return pool

    def run_async(self, func, cancellable, callback, *user_data):
        states = getattr(self, '_mwt_states', None)
        outcome = _Outcome()

        def on_thread(*_args):
            state = states.current() if states is not None else None
            outcome.run(func, state)
            return None

        def done(source, result, *_data):
            result._mwt_outcome = outcome
            if callback is not None:
                callback(source, result, *user_data)

        Mwt.Pool.run_async(self, on_thread, (), None, GLib.PRIORITY_DEFAULT,
                           cancellable, done)

    def run_finish(self, result):
        Mwt.Pool.run_finish(self, result)
        return result._mwt_outcome.result()

    def __del__(self):
        # Finalizing an open pool waits for its threads, whose exit
        # functions need the GIL this thread holds while it deallocates:
        # close it here instead, in a call that lets go of the GIL. The
        # wrapper only goes once the pool has no task in flight.
        if not self.is_closed():
            self.close(None)

    def set_n_threads(self, n_threads):
        """Resizes the pool; if a new thread's init raises, the pool goes
        back to its old size and the exception is raised here."""
        states = getattr(self, '_mwt_states', None)
        old_n_threads = self.get_n_threads()
        Mwt.Pool.set_n_threads(self, n_threads)
        if states is not None and states.failure is not None:
            Mwt.Pool.set_n_threads(self, old_n_threads)
            failure, states.failure = states.failure, None
            raise failure
        return True


Pool = override(Pool)
__all__.append('Pool')


def run_in_main(func):
    outcome = _Outcome()

    def on_main(*_args):
        outcome.run(func)
        return None

    Mwt.run_in_main(on_main)
    return outcome.result()


__all__.append('run_in_main')
