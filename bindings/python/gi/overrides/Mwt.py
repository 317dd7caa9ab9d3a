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
  pool keeps its old size and the exception is raised.
* ``pool.close()``, ``pool.close_async(cancellable, callback)`` and
  ``pool.close_finish(result)``, ``pool.drain_async()``, ``Mwt.Pool.get_current()``,
  ``pool.get_context()`` and the ``n-busy`` and ``n-queued`` properties are
  the C API's, unchanged.
"""

import ctypes
import itertools
import threading

from gi.repository import GLib

from ..module import get_introspection_module
from ..overrides import override

Mwt = get_introspection_module('Mwt')

__all__ = []

# The introspected functions, called directly on the hot paths.
_new = Mwt.Pool.new
_new_async = Mwt.Pool.new_async
_new_finish = Mwt.Pool.new_finish
_run_async = Mwt.Pool.run_async
_run_finish = Mwt.Pool.run_finish
_set_n_threads = Mwt.Pool.set_n_threads
_run_in_main = Mwt.run_in_main

# The error domain that carries a Python exception raised by init through
# the C side: PyGObject turns a GLib.Error raised in a callback that throws
# into that callback's GError, and only a GLib.Error.
_INIT_FAILED = 'mwt-python-init-failed-quark'


# Pool threads ---------------------------------------------------------------
#
# A pool thread is a C thread. Without a Python thread state of its own,
# every call into Python (one per task) would create one and destroy it
# again, which costs ten times as much as running a tiny task: each pool
# thread keeps one from its init to its at_exit instead.

_PyGILState_Ensure = ctypes.pythonapi.PyGILState_Ensure
_PyGILState_Ensure.restype = ctypes.c_int
_PyGILState_Release = ctypes.pythonapi.PyGILState_Release
_PyGILState_Release.argtypes = (ctypes.c_int,)
_PyGILState_Release.restype = None

# On a pool thread: .state, the thread's state, and .gilstate, the handle of
# the thread state it keeps.
_worker = threading.local()


class _Threads:
    """What a pool's threads run: the user's init and at_exit."""

    __slots__ = ('init', 'at_exit', '_failures', '_keys')

    def __init__(self, init, at_exit):
        self.init = init
        self.at_exit = at_exit
        self._failures = {}
        self._keys = itertools.count(1)

    def failed(self, exception):
        """Keeps the exception of an init; returns the GLib.Error for C."""
        key = next(self._keys) & 0x7fffffff
        self._failures[key] = exception
        return GLib.Error('%s: %s' % (type(exception).__name__, exception), _INIT_FAILED, key)

    def take_failure(self, error):
        """The exception that a GLib.Error from the C side stands for."""
        failures, self._failures = self._failures, {}
        if error.domain != _INIT_FAILED:
            return None
        return failures.get(error.code)


def _thread_init(threads):
    try:
        state = threads.init() if threads.init is not None else None
    except BaseException as exception:
        # The C side then knows that this thread did not start.
        raise threads.failed(exception) from None
    _worker.state = state
    _worker.gilstate = _PyGILState_Ensure()


def _thread_exit(_thread_state, threads):
    try:
        state = _worker.__dict__.pop('state', None)
        if threads.at_exit is not None:
            threads.at_exit(state)
    finally:
        _PyGILState_Release(_worker.__dict__.pop('gilstate'))


# Tasks ----------------------------------------------------------------------
#
# PyGObject makes a C closure for every Python function it hands to C, and
# a Python closure per call would come on top: the functions given to C are
# the same few module functions, and the task travels as their data.

class _Job:
    """A task: what to run, where to report, and what came of it."""

    __slots__ = ('func', 'callback', 'user_data', 'ran', 'value', 'exception')

    def __init__(self, func, callback, user_data):
        self.func = func
        self.callback = callback
        self.user_data = user_data
        self.ran = False
        self.value = None
        self.exception = None

    def result(self):
        exception = self.exception
        if exception is not None:
            self.exception = None
            try:
                raise exception
            finally:
                del exception
        value, self.value = self.value, None
        return value


def _run_job(_thread_state, job, _cancellable):
    try:
        job.value = job.func(_worker.state)
    except BaseException as exception:  # handed to run_finish()
        job.exception = exception
    job.ran = True


# The jobs whose results are being handed to their callbacks, by the id of
# the result's wrapper; a result kept past its callback carries its job as
# an attribute instead.
_finishing = {}


def _job_done(source, result, job):
    key = id(result)
    _finishing[key] = job
    try:
        job.callback(source, result, *job.user_data)
    finally:
        if _finishing.pop(key, None) is not None:
            result._mwt_job = job


class _MainCall:
    __slots__ = ('func', 'value', 'exception')

    def __init__(self, func):
        self.func = func
        self.value = None
        self.exception = None


def _run_main_call(call):
    try:
        call.value = call.func()
    except BaseException as exception:  # raised again on the worker
        call.exception = exception


def run_in_main(func):
    call = _MainCall(func)
    _run_in_main(_run_main_call, call)
    exception = call.exception
    if exception is not None:
        call.exception = None
        try:
            raise exception
        finally:
            del exception
    return call.value


__all__.append('run_in_main')


class Pool(Mwt.Pool):

    @classmethod
    def new(cls, n_threads, init=None, at_exit=None):
        threads = _Threads(init, at_exit)
        try:
            pool = _new(n_threads, _thread_init, (threads,), _thread_exit, threads)
        except GLib.Error as error:
            failure = threads.take_failure(error)
            if failure is None:
                raise
        else:
            pool._mwt_threads = threads
            return pool
        try:
            raise failure
        finally:
            del failure

    @classmethod
    def new_async(cls, n_threads, init, at_exit, cancellable, callback, *user_data):
        threads = _Threads(init, at_exit)

        def created(source, result, *_data):
            result._mwt_threads = threads
            callback(source, result, *user_data)

        _new_async(n_threads, _thread_init, (threads,), _thread_exit, (threads,),
                   GLib.PRIORITY_DEFAULT, cancellable, created)

    @classmethod
    def new_finish(cls, result):
        threads = result._mwt_threads
        try:
            pool = _new_finish(result)
        except GLib.Error as error:
            failure = threads.take_failure(error)
            if failure is None:
                raise
        else:
            pool._mwt_threads = threads
            return pool
        try:
            raise failure
        finally:
            del failure

    def run_async(self, func, cancellable, callback, *user_data):
        if callback is None:
            _run_async(self, _run_job, (_Job(func, None, ()),), None, GLib.PRIORITY_DEFAULT,
                       cancellable, None)
        else:
            job = _Job(func, callback, user_data)
            _run_async(self, _run_job, (job,), None, GLib.PRIORITY_DEFAULT,
                       cancellable, _job_done, job)

    def run_finish(self, result):
        job = _finishing.pop(id(result), None)
        if job is None:
            job = getattr(result, '_mwt_job', None)
            if job is not None:
                del result._mwt_job
        if job is None or not job.ran:
            # Checks the result, and raises why the task never ran. The
            # result itself is the task's, kept on the Python side.
            _run_finish(self, result)
            if job is None:
                return None
        return job.result()

    def __del__(self):
        # Finalizing an open pool waits for its threads, whose exit
        # functions need the GIL this thread holds while it deallocates:
        # close it here instead, in a call that lets go of the GIL. The
        # wrapper only goes once the pool has no task in flight.
        if not self.is_closed():
            self.close(None)

    def set_n_threads(self, n_threads):
        """Resizes the pool; if a new thread's init raises, the pool keeps
        its old size and the exception is raised here."""
        threads = getattr(self, '_mwt_threads', None)
        try:
            return _set_n_threads(self, n_threads)
        except GLib.Error as error:
            failure = threads.take_failure(error) if threads is not None else None
            if failure is None:
                raise
        try:
            raise failure
        finally:
            del failure

Pool = override(Pool)
__all__.append('Pool')
