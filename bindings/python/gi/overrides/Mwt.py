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
* ``pool.run_async(func, cancellable=None, callback=None, *user_data,
  priority=GLib.PRIORITY_DEFAULT)``: ``func(state)`` runs on a pool thread
  with that thread's state; ``pool.run_finish(result)``, in the callback on
  the main loop, returns what ``func`` returned, or raises the very
  exception ``func`` raised, with its traceback. Cancellation and closing
  raise ``GLib.Error`` (``Gio.IOErrorEnum.CANCELLED``,
  ``Gio.IOErrorEnum.CLOSED``). ``pool.run_sync(func, cancellable=None)`` is
  the blocking form.
* ``Mwt.run_in_main(func)``: from a pool thread, runs ``func()`` on the
  pool's main context and returns its value, or raises its exception.
* ``pool.set_n_threads(n)``: new threads run ``init``; if one raises, the
  pool keeps its old size and the exception is raised.
* ``pool.close()``, or leaving ``with Mwt.Pool.new(...) as pool:``, closes
  the pool and waits for its threads; a closed pool lets go of ``init`` and
  ``at_exit``. A pool that nobody references any more is closed without
  waiting; pools still open when the interpreter exits are closed (and
  waited for) from an ``atexit`` handler.
* ``KeyboardInterrupt`` and ``SystemExit`` raised on the main thread while
  it runs a pool's work (the functions given to ``Mwt.run_in_main()``, or a
  Ctrl-C during ``close()``, ``new()``, ``set_n_threads()`` or
  ``run_sync()``) are raised on the main thread once the blocking call
  returns, never handed to a task.
* ``pool.close_async()``, ``pool.drain_async()``, ``Mwt.Pool.get_current()``,
  ``pool.get_context()`` and the ``n-busy``, ``n-queued`` and ``n-threads``
  properties are the C API's, unchanged.
"""

import atexit
import ctypes
import itertools
import signal
import sys
import threading
import weakref
import _thread

from gi.repository import Gio, GLib

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
_run_sync = Mwt.Pool.run_sync
_set_n_threads = Mwt.Pool.set_n_threads
_close = Mwt.Pool.close
_close_async = Mwt.Pool.close_async
_close_finish = Mwt.Pool.close_finish
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
    """What a pool's threads run: the user's init and at_exit.

    The pool's wrapper holds it, and the C side only through a _ThreadsRef:
    a strong reference from C would hide a reference cycle from the garbage
    collector (an object that owns the pool and whose methods are init and
    at_exit would never be freed, and its threads never stop).
    """

    __slots__ = ('init', 'at_exit', 'ref', '_failures', '_keys', '__weakref__')

    def __init__(self, init, at_exit):
        self.init = init
        self.at_exit = at_exit
        self.ref = _ThreadsRef(self)
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


class _ThreadsRef:
    """The C side's reference to a _Threads: weak while the pool's wrapper
    lives, strong while a pool whose wrapper went away closes (the garbage
    collector clears weak references to a cycle before it finalizes it)."""

    __slots__ = ('weak', 'strong')

    def __init__(self, threads):
        self.weak = weakref.ref(threads)
        self.strong = None

    def __call__(self):
        return self.strong if self.strong is not None else self.weak()


def _thread_init(threads_ref):
    threads = threads_ref()
    init = threads.init if threads is not None else None
    try:
        state = init() if init is not None else None
    except BaseException as exception:
        raise threads.failed(exception) from None
    _worker.state = state
    _worker.gilstate = _PyGILState_Ensure()


def _thread_exit(_thread_state, threads_ref):
    try:
        state = _worker.__dict__.pop('state', None)
        threads = threads_ref()
        if threads is not None and threads.at_exit is not None:
            threads.at_exit(state)
    finally:
        gilstate = _worker.__dict__.pop('gilstate', None)
        if gilstate is not None:
            _PyGILState_Release(gilstate)


# Tasks ----------------------------------------------------------------------
#
# PyGObject makes a C closure for every Python function it hands to C, and
# a Python closure per call would come on top: the functions given to C are
# the same few module functions, and the task travels as their data.

class _Job:
    """A task: what to run, where to report, and what came of it."""

    __slots__ = ('func', 'callback', 'user_data', 'cancellable', 'ran', 'value', 'exception')

    def __init__(self, func, callback, user_data, cancellable=None):
        self.func = func
        self.callback = callback
        self.user_data = user_data
        self.cancellable = cancellable
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


def _run_sync_with(pool, job, cancellable):
    # No result_destroy: the result stays on the Python side.
    _run_sync(pool, _run_job, job, None, GLib.PRIORITY_DEFAULT, cancellable)


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


# The main thread ------------------------------------------------------------
#
# A Ctrl-C is seen by Python on the main thread, in whatever Python code runs
# there next. While the main thread waits in a pool's blocking call, that
# code is a function given to Mwt.run_in_main(): the KeyboardInterrupt would
# land in a worker's call. Blocking calls defer SIGINT instead, and
# KeyboardInterrupt and SystemExit raised on the thread that runs a pool's
# context wait there until its blocking call returns.

_calls = threading.local()


def _defer_sigint(_signum, _frame):
    _calls.__dict__.setdefault('pending', []).append(KeyboardInterrupt())


def _blocking(call, *args):
    """Makes a blocking call, then raises what was deferred meanwhile."""
    state = _calls.__dict__
    depth = state.get('depth', 0)
    restore = None
    if depth == 0 and threading.current_thread() is threading.main_thread() and \
            signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        restore = signal.signal(signal.SIGINT, _defer_sigint)
    state['depth'] = depth + 1
    try:
        return call(*args)
    finally:
        state['depth'] = depth
        if restore is not None:
            signal.signal(signal.SIGINT, restore)
        if depth == 0 and state.get('pending'):
            pending = state.pop('pending')
            try:
                raise pending[0]
            finally:
                del pending


def _interrupted(interrupt):
    """Sends an exception that must reach this thread's top to it."""
    state = _calls.__dict__
    if state.get('depth', 0) > 0:
        state.setdefault('pending', []).append(interrupt)
    elif isinstance(interrupt, KeyboardInterrupt) and \
            threading.current_thread() is threading.main_thread():
        # Raised again by the SIGINT handler, at the first Python code of
        # the main thread outside this callback (a GLib.MainLoop.run()
        # quits and raises it).
        _thread.interrupt_main()
    else:
        raise interrupt


def _cancelled(message):
    return GLib.Error(message, 'g-io-error-quark', Gio.IOErrorEnum.CANCELLED)


class _MainCall:
    __slots__ = ('func', 'ran', 'value', 'exception')

    def __init__(self, func):
        self.func = func
        self.ran = False
        self.value = None
        self.exception = None


def _run_main_call(call):
    call.ran = True
    try:
        call.value = call.func()
    except Exception as exception:  # raised again on the worker
        call.exception = exception
    except BaseException as interrupt:
        call.exception = _cancelled('Interrupted on the main thread: %r' % (interrupt,))
        _interrupted(interrupt)


def run_in_main(func):
    """Runs ``func()`` on the main context of the calling thread's pool.

    Called from a pool thread (in a task, an init or an at_exit function),
    it waits until ``func`` has run on the thread that runs the pool's main
    context, and returns what it returned or raises the exception it
    raised. ``KeyboardInterrupt`` and ``SystemExit`` raised there go to that
    thread, and this raises ``GLib.Error`` (``Gio.IOErrorEnum.CANCELLED``).
    """
    call = _MainCall(func)
    _run_in_main(_run_main_call, call)
    if not call.ran:
        # A Ctrl-C that Python saw as it entered the call, outside any
        # blocking call of a pool, went to PyGObject instead.
        call.exception = _cancelled('Interrupted on the main thread')
    exception = call.exception
    if exception is not None:
        call.exception = None
        try:
            raise exception
        finally:
            del exception
    return call.value


__all__.append('run_in_main')


# Lifetimes ------------------------------------------------------------------

# Every open pool's wrapper, for the atexit handler; and the pools whose
# last wrapper went away while they were open, until they are closed.
_pools = weakref.WeakSet()
_closing = set()


def _closed_without_wrapper(pool, result):
    try:
        pool.close_finish(result)
    except GLib.Error:
        pass


@atexit.register
def _close_pools_at_exit():
    # Before the interpreter finalizes: a thread that wants the GIL after
    # that is stopped dead, and a pool waiting for it would never return.
    for pool in list(_pools) + list(_closing):
        try:
            pool.close(None)
        except Exception:  # nothing to report to at exit
            pass


def _closing_later(pool):
    return pool in _closing


def _check_n_threads(n_threads):
    if n_threads < 1:
        raise ValueError('a pool needs at least 1 thread, not %r' % (n_threads,))


class Pool(Mwt.Pool):
    """A pool of threads, each with its own state, driven from a main loop.

    Create one with ``Mwt.Pool.new(n_threads, init, at_exit)``: ``init()``
    runs on each new thread and returns its state, any Python object;
    ``at_exit(state)`` runs on the same thread before it exits. Run work on
    it with ``run_async()`` (result on the main loop) or ``run_sync()``;
    close it with ``close()`` or a ``with`` block.
    """

    @classmethod
    def new(cls, n_threads, init=None, at_exit=None):
        """Starts a pool of ``n_threads`` threads and returns it.

        Each thread runs ``init()`` and keeps what it returns as its state;
        ``at_exit(state)`` runs on that thread before it exits. Returns once
        every ``init`` has returned. If one raises, the threads that did
        start run ``at_exit`` and exit, and the exception is raised here.
        """
        _check_n_threads(n_threads)
        threads = _Threads(init, at_exit)
        try:
            pool = _blocking(_new, n_threads, _thread_init, (threads.ref,), _thread_exit, threads.ref)
        except GLib.Error as error:
            failure = threads.take_failure(error)
            if failure is None:
                raise
        else:
            return pool._adopt(threads)
        try:
            raise failure
        finally:
            del failure

    @classmethod
    def new_async(cls, n_threads, init=None, at_exit=None, cancellable=None, callback=None,
                  *user_data, priority=GLib.PRIORITY_DEFAULT):
        """Starts a pool like ``new()``, without blocking.

        ``callback(None, result, *user_data)`` runs on the caller's
        thread-default main context once every ``init`` has returned; call
        ``Mwt.Pool.new_finish(result)`` there to get the pool.
        """
        _check_n_threads(n_threads)
        threads = _Threads(init, at_exit)

        def created(source, result, *_data):
            # Finished here, so that the threads' functions stay alive with
            # the pool even if the callback never calls new_finish().
            try:
                result._mwt_outcome = (_new_finish(result)._adopt(threads), None)
            except GLib.Error as error:
                failure = threads.take_failure(error)
                result._mwt_outcome = (None, failure if failure is not None else error)
            if callback is not None:
                callback(source, result, *user_data)

        _new_async(n_threads, _thread_init, (threads.ref,), _thread_exit, (threads.ref,),
                   priority, cancellable, created)

    @classmethod
    def new_finish(cls, result):
        """Returns the pool of ``new_async()``, or raises why it failed."""
        outcome = getattr(result, '_mwt_outcome', None)
        if outcome is None:
            return _new_finish(result)
        pool, exception = outcome
        result._mwt_outcome = (None, None)
        if exception is not None:
            try:
                raise exception
            finally:
                del exception
        return pool

    def _adopt(self, threads):
        # Kept by the wrapper, which PyGObject then keeps alive as long as
        # the pool itself.
        self._mwt_threads = threads
        _pools.add(self)
        return self

    def run_async(self, func, cancellable=None, callback=None, *user_data,
                  priority=GLib.PRIORITY_DEFAULT):
        """Runs ``func(state)`` on a pool thread, with that thread's state.

        Once it has returned, ``callback(pool, result, *user_data)`` runs on
        the caller's thread-default main context; call
        ``pool.run_finish(result)`` there. Tasks wait in one queue while
        every thread is busy, ordered by ``priority`` (lower first) and
        first-in first-out within a priority. Cancelling ``cancellable``
        takes a waiting task out of the queue; once ``func`` has started,
        it runs to its end, and ``run_finish()`` still raises the
        cancellation if it came before the callback, as for any GTask.
        """
        if callback is None:
            _run_async(self, _run_job, (_Job(func, None, ()),), None, priority, cancellable, None)
        else:
            job = _Job(func, callback, user_data, cancellable)
            _run_async(self, _run_job, (job,), None, priority, cancellable, _job_done, job)

    def run_finish(self, result):
        """Returns what the task's function returned, or raises its exception.

        The exception is the one the function raised, with its traceback. A
        task that never ran raises ``GLib.Error``: ``Gio.IOErrorEnum.CANCELLED``
        if it was cancelled, ``Gio.IOErrorEnum.CLOSED`` if the pool closed;
        so does a task cancelled after it ran, before its callback.
        """
        job = _finishing.pop(id(result), None)
        if job is None:
            job = getattr(result, '_mwt_job', None)
            if job is not None:
                del result._mwt_job
        if job is None or not job.ran or (job.cancellable is not None and
                                          job.cancellable.is_cancelled()):
            # Checks the result, and raises why the task never ran or that
            # it was cancelled. The result itself is the task's, kept on
            # the Python side.
            _run_finish(self, result)
            if job is None:
                return None
        return job.result()

    def run_sync(self, func, cancellable=None):
        """Runs ``func(state)`` on a pool thread and returns its result.

        The blocking form of ``run_async()``: returns what ``func`` returned
        or raises its exception.
        """
        job = _Job(func, None, ())
        _blocking(_run_sync_with, self, job, cancellable)
        return job.result()

    def set_n_threads(self, n_threads):
        """Resizes the pool.

        Growing starts new threads, which run ``init``, and returns once
        every new ``init`` has returned; if one raises, the pool keeps its
        old size, the new threads that did start run ``at_exit`` and exit,
        and the exception is raised here. Shrinking returns at once:
        surplus threads finish their task, run ``at_exit`` and exit. Queued
        tasks are never lost.
        """
        _check_n_threads(n_threads)
        threads = getattr(self, '_mwt_threads', None)
        try:
            return _blocking(_set_n_threads, self, n_threads)
        except GLib.Error as error:
            failure = threads.take_failure(error) if threads is not None else None
            if failure is None:
                raise
        try:
            raise failure
        finally:
            del failure

    def close(self, cancellable=None):
        """Closes the pool and waits until every thread has exited.

        Idle threads stop at once and queued tasks fail with
        ``Gio.IOErrorEnum.CLOSED``; busy threads finish their task, run
        ``at_exit`` and exit. Meanwhile the calling thread runs the
        ``Mwt.run_in_main()`` calls of the pool's threads. Cancelling
        ``cancellable`` only ends the wait early.
        """
        closed = _blocking(_close, self, cancellable)
        if closed:
            self._forget_threads()
        return closed

    def close_finish(self, result):
        """Finishes ``close_async()``: True once every thread has exited."""
        closed = _close_finish(self, result)
        if closed:
            self._forget_threads()
        return closed

    def _forget_threads(self):
        # No thread will run init or at_exit again: let go of them, and of
        # everything they hold.
        threads = getattr(self, '_mwt_threads', None)
        if threads is not None:
            threads.init = threads.at_exit = None
            threads.ref.strong = None
        _pools.discard(self)
        _closing.discard(self)

    def __enter__(self):
        return self

    def __exit__(self, *_exc_info):
        self.close(None)
        return False

    def __del__(self, _is_finalizing=sys.is_finalizing):
        # Only for the wrapper that holds the last reference (the others,
        # say from Mwt.Pool.get_current() on a pool thread, come and go while
        # the pool lives on). Closing must not wait: finalizing an open pool
        # with the GIL held would wait for threads that need it, and a pool
        # thread cannot wait for itself. Once the threads have exited, the
        # wrapper, kept alive by the close meanwhile, goes too. At
        # interpreter exit the atexit handler has closed every pool already.
        if _is_finalizing() or self.__grefcount__ != 1 or _closing_later(self):
            return
        if getattr(self, '_mwt_threads', None) is None or self.is_closed():
            return
        _closing.add(self)
        threads = self._mwt_threads
        threads.ref.strong = threads
        context = self.get_context()
        context.push_thread_default()
        try:
            _close_async(self, GLib.PRIORITY_DEFAULT, None, _closed_without_wrapper)
        finally:
            context.pop_thread_default()


Pool = override(Pool)
__all__.append('Pool')
