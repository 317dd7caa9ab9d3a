# SPDX-FileCopyrightText: 2026 The mwt authors
# SPDX-License-Identifier: LGPL-2.1-or-later

"""The main thread's side: calls from pool threads into the main context,
and what a Ctrl-C does while the main thread waits for a pool.

A Ctrl-C is seen by Python on the main thread, in whatever Python code runs
there next. While the main thread waits in a pool's blocking call, that code
is a function given to Mwt.run_in_main(): the KeyboardInterrupt would land in
a worker's call. Blocking calls defer SIGINT instead, and KeyboardInterrupt
and SystemExit raised on the thread that runs a pool's context wait there
until its blocking call returns.
"""

import functools
import signal
import sys
import threading
import _thread
from typing import Any, Callable, TypeVar

from gi.repository import Gio, GLib, GObject

from ...module import get_introspection_module

Mwt = get_introspection_module('Mwt')

# The GClosure forms: PyGObject frees a GClosure, unlike the native closure
# it makes for a callback.
_run_in_main = Mwt.run_in_main_closure
_run_in_main_dont_wait = Mwt.run_in_main_dont_wait

T = TypeVar('T')

_calls = threading.local()


def _defer_sigint(_signum, _frame):
    _calls.__dict__.setdefault('pending', []).append(KeyboardInterrupt())


def blocking(call: Callable[..., T], *args) -> T:
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
            reraise(state.pop('pending')[0])


def _interrupted(interrupt: BaseException) -> None:
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


def cancelled_error(message: str) -> GLib.Error:
    return GLib.Error(message, 'g-io-error-quark', Gio.IOErrorEnum.CANCELLED)


def reraise(exception: BaseException):
    """Raises exception, without keeping a reference to it here."""
    try:
        raise exception
    finally:
        del exception


class _MainCall:
    """A call of run_in_main(), as the callable of its GClosure."""

    # Not a GType: spares PyGObject a failed attribute look-up per call.
    __gtype__ = GObject.TYPE_INVALID
    __slots__ = ('func', 'args', 'kwargs', 'ran', 'value', 'exception')

    def __init__(self, func, args, kwargs):
        self.func = func
        self.args = args
        self.kwargs = kwargs
        self.ran = False
        self.value = None
        self.exception = None

    def __call__(self, *_data):
        self.ran = True
        try:
            self.value = self.func(*self.args, **self.kwargs)
        except Exception as exception:  # raised again on the worker
            self.exception = exception
        except BaseException as interrupt:
            self.exception = cancelled_error('Interrupted on the main thread: %r' % (interrupt,))
            _interrupted(interrupt)


def run_in_main(func: Callable[..., T], *args, **kwargs) -> T:
    """Runs ``func(*args, **kwargs)`` on the main context and returns its value.

    Called from a pool thread (in a task, an init or an at_exit function),
    it waits until ``func`` has run on the thread that runs the pool's main
    context, and returns what it returned or raises the exception it
    raised. From another thread, it targets the global default main
    context. ``KeyboardInterrupt`` and ``SystemExit`` raised there go to that
    thread, and this raises ``GLib.Error`` (``Gio.IOErrorEnum.CANCELLED``).
    """
    call = _MainCall(func, args, kwargs)
    _run_in_main(call)
    if not call.ran:
        # A Ctrl-C that Python saw as it entered the call, outside any
        # blocking call of a pool, went to PyGObject instead.
        call.exception = cancelled_error('Interrupted on the main thread')
    exception, call.exception = call.exception, None
    if exception is not None:
        reraise(exception)
    return call.value


class _Post:
    """A function posted to the main context, as the callable of the
    GClosure that carries it there."""

    __gtype__ = GObject.TYPE_INVALID
    __slots__ = ('func', 'args', 'kwargs')

    def __init__(self, func, args, kwargs):
        self.func = func
        self.args = args
        self.kwargs = kwargs

    def __call__(self, *_params):
        try:
            self.func(*self.args, **self.kwargs)
        except Exception:
            # Nobody waits for it: report it as PyGObject does the
            # exceptions of its callbacks.
            sys.excepthook(*sys.exc_info())
        except BaseException as interrupt:
            _interrupted(interrupt)


def run_in_main_dont_wait(func: Callable[..., Any], *args, **kwargs) -> None:
    """Queues ``func(*args, **kwargs)`` to run on the main context, and returns at once.

    The main context is the pool's when called from a pool thread, the
    global default one otherwise, as for ``run_in_main()``. Calls reach the
    context in batches, in the order each thread made them, and in order
    with the results of the tasks that made them: a call posted by a task
    runs before the task's ``run_async()`` callback. An exception that
    ``func`` raises is reported through ``sys.excepthook``.
    """
    _run_in_main_dont_wait(_Post(func, args, kwargs))


def in_main(func: Callable[..., Any]) -> Callable[..., None]:
    """Returns a function that runs ``func`` on the main context, without waiting.

    Calling the returned function, from any thread, posts ``func`` with the
    same arguments through ``run_in_main_dont_wait()``. The way to get a
    ``concurrent.futures.Future``'s outcome to a GTK user interface::

        future = executor.submit(search, text)
        future.add_done_callback(Mwt.in_main(show_results))

    ``show_results(future)`` then runs on the main loop, never on a worker.
    """
    @functools.wraps(func)
    def post(*args, **kwargs):
        run_in_main_dont_wait(func, *args, **kwargs)
    return post
