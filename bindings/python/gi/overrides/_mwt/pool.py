# SPDX-FileCopyrightText: 2026 The mwt authors
# SPDX-License-Identifier: LGPL-2.1-or-later

"""Mwt.Pool: a pool of threads, each with its own state, driven from a GLib
main loop, and what happens to pools when their wrapper or the interpreter
goes away."""

import sys
import threading
import weakref
from typing import Any, Callable, Optional, Tuple

from gi.repository import Gio, GLib, GObject

from ...module import get_introspection_module
from . import tasks, threads
from .mainloop import blocking, cancelled_error, reraise

Mwt = get_introspection_module('Mwt')

_new = Mwt.Pool.new
_new_async = Mwt.Pool.new_async
_new_finish = Mwt.Pool.new_finish
_set_n_threads = Mwt.Pool.set_n_threads
_drain = Mwt.Pool.drain
_drain_async = Mwt.Pool.drain_async
_drain_finish = Mwt.Pool.drain_finish
_close = Mwt.Pool.close
_close_async = Mwt.Pool.close_async
_close_finish = Mwt.Pool.close_finish
_get_n_busy = Mwt.Pool.get_n_busy
_get_n_queued = Mwt.Pool.get_n_queued
_is_closed = Mwt.Pool.is_closed

DEFAULT = GLib.PRIORITY_DEFAULT
# Looked up once: each look-up through gi.repository costs a microsecond.
_Cancellable = Gio.Cancellable


def _check_n_threads(n_threads: int) -> None:
    if n_threads < 1:
        raise ValueError('a pool needs at least 1 thread, not %r' % (n_threads,))


def _callback_args(callback: Optional[Callable[..., None]], user_data: tuple) -> tuple:
    # PyGObject 3.42 keeps user data given without a callback for good.
    return (callback, *user_data) if callback is not None else (None,)


def _check_cancellable(cancellable, method: str) -> None:
    # The one convention: a priority is the keyword priority=, never the
    # first positional argument as in some of Gio's methods.
    if cancellable is not None and not isinstance(cancellable, _Cancellable):
        raise TypeError('%s(): cancellable must be a Gio.Cancellable or None, not %r '
                        '(the priority is a keyword argument: priority=)' % (method, cancellable))


class Task:
    """A task of ``run_async()`` or ``run_sync()``: its function, and what
    came of it. ``run_async()`` hands it to the callback as the result, for
    ``run_finish()``."""

    __slots__ = ('pool', 'func', 'args', 'kwargs', 'cancellable', 'callback', 'user_data',
                 'ran', 'value', 'exception', 'error', 'finished')

    def __init__(self, pool, func, args, kwargs, cancellable=None, callback=None, user_data=()):
        self.pool = pool
        self.func = func
        self.args = args
        self.kwargs = kwargs if kwargs is not None else {}
        self.cancellable = cancellable
        self.callback = callback
        self.user_data = user_data
        self.ran = False
        self.value = None
        self.exception = None
        self.error = None
        self.finished = False

    def run(self) -> None:
        try:
            self.value = self.func(threads.get_thread_state(), *self.args, **self.kwargs)
        except BaseException as exception:  # handed to run_finish()
            self.exception = exception
        self.ran = True

    def done(self, error: Optional[GLib.Error]) -> None:
        self.error = error
        if self.callback is not None:
            self.callback(self.pool, self, *self.user_data)

    def get_source_object(self):
        """The pool, as for a Gio.AsyncResult."""
        return self.pool

    def outcome(self) -> Any:
        """What the function returned, or raises why there is nothing."""
        if self.finished:
            raise RuntimeError('the outcome of this task was already taken by run_finish()')
        self.finished = True
        if self.error is not None:
            reraise(self.error)
        if self.cancellable is not None and self.cancellable.is_cancelled():
            raise cancelled_error('Operation was cancelled')
        exception, self.exception = self.exception, None
        if exception is not None:
            reraise(exception)
        value, self.value = self.value, None
        return value


class _GTaskRun:
    """A Gio.Task run by run_task()."""

    __slots__ = ('task', 'func')

    def __init__(self, task, func):
        self.task = task
        self.func = func

    def run(self) -> None:
        task = self.task
        self.func(task, task.get_source_object(), None, task.get_cancellable(),
                  threads.get_thread_state())

    def done(self, error: Optional[GLib.Error]) -> None:
        if error is not None:
            self.task.return_error(error)


# Lifetimes --------------------------------------------------------------------

# Every open pool's wrapper, for the exit handler; and the pools that a
# thread of ours drains and closes before it lets them go.
_open = weakref.WeakSet()
_closing = set()

# Set, with the lock held, once the interpreter exits: from then on no
# call is taken.
exit_lock = threading.Lock()
exiting = False


def _drain_and_close(pool: 'Pool') -> None:
    try:
        pool.drain()
        pool.close()
    except Exception:  # nobody to report to
        pass


def _drain_close_and_release(pool: 'Pool') -> None:
    _drain_and_close(pool)
    _closing.discard(pool)


def close_later(pool: 'Pool') -> None:
    """Drains and closes pool on a thread of its own, then lets it go:
    without blocking the caller, and never on one of the pool's threads.
    Once the interpreter exits, the exit handler does it instead: a thread
    started then would never be waited for."""
    if exiting or sys.is_finalizing():
        return
    funcs = pool.__dict__.get('_mwt_funcs')
    if funcs is not None:
        funcs.ref.strong = funcs
    _closing.add(pool)
    threading.Thread(target=_drain_close_and_release, args=(pool,),
                     name='mwt-pool-closer').start()


# Called at exit once no call is taken any more, before the pools drain:
# for whatever still has calls to hand them.
_before_drain = []


def before_pools_drain(hook: Callable[[], None]) -> None:
    """Has hook() called at exit, before the open pools drain."""
    _before_drain.append(hook)


def _finish_at_exit() -> None:
    # Work submitted before exit runs, as with concurrent.futures: every
    # open pool drains, then closes, before the interpreter finalizes (a
    # thread that wants the GIL after that is stopped dead, and a pool
    # waiting for it would never return).
    global exiting
    with exit_lock:
        exiting = True
    for hook in _before_drain:
        hook()
    for pool in list(_open) + list(_closing):
        _drain_and_close(pool)


# Before the threads are joined, as ThreadPoolExecutor's own handler.
threading._register_atexit(_finish_at_exit)


# GObject's own descriptor of props.
_gobject_props = next(cls.__dict__['props'] for cls in GObject.Object.__mro__
                      if 'props' in cls.__dict__)


class _PropsDescriptor:
    """``pool.props``: the pool's GObject properties, where setting
    ``n_threads`` resizes the pool; on the class, their GParamSpecs."""

    def __get__(self, pool, owner=None):
        props = _gobject_props.__get__(pool, owner)
        return props if pool is None else _PoolProps(pool, props)


class _PoolProps:
    """pool.props, where setting n_threads resizes the pool."""

    __slots__ = ('_pool', '_props')

    def __init__(self, pool, props):
        object.__setattr__(self, '_pool', pool)
        object.__setattr__(self, '_props', props)

    def __getattr__(self, name):
        return getattr(self._props, name)

    def __setattr__(self, name, value):
        if name.replace('-', '_') == 'n_threads':
            self._pool.set_n_threads(value)
        else:
            setattr(self._props, name, value)

    def __dir__(self):
        return dir(self._props)

    def __iter__(self):
        return iter(self._props)

    def __len__(self):
        return len(self._props)


class Pool(Mwt.Pool):
    """A pool of threads, each with its own state, driven from a main loop.

    ``Mwt.Pool(n_threads, init=None, at_exit=None)`` starts ``n_threads``
    threads: ``init()`` runs on each and returns that thread's state, any
    Python object; ``at_exit(state)`` runs on the same thread before it
    exits. Run work with ``run_async()`` (result on the main loop) or
    ``run_sync()``; close with ``close()`` or a ``with`` block, which first
    waits for the tasks submitted in it. ``Mwt.Executor`` offers the same
    threads behind ``concurrent.futures``.

    Every method follows one convention: required arguments first, then
    ``cancellable=None``, then ``callback=None`` and its ``*user_data``;
    the priority is always the keyword ``priority=`` (lower values run
    first, as in GLib).
    """

    def __new__(cls, n_threads: int, init: Optional[Callable[[], Any]] = None,
                at_exit: Optional[Callable[[Any], None]] = None, *, name: Optional[str] = None):
        return cls.new(n_threads, init, at_exit, name=name)

    def __init__(self, *args, **kwargs):
        # Made by __new__(), through new().
        pass

    def __repr__(self):
        if self.is_closed():
            return '<Mwt.Pool closed>'
        return '<Mwt.Pool n_threads=%d n_busy=%d n_queued=%d>' % (
            self.get_n_threads(), self.get_n_busy(), self.get_n_queued())

    # Creating --------------------------------------------------------------

    @classmethod
    def new(cls, n_threads: int, init: Optional[Callable[[], Any]] = None,
            at_exit: Optional[Callable[[Any], None]] = None, *,
            name: Optional[str] = None) -> 'Pool':
        """Starts a pool of ``n_threads`` threads and returns it.

        Each thread runs ``init()`` and keeps what it returns as its state;
        ``at_exit(state)`` runs on that thread before it exits. Returns once
        every ``init`` has returned. If one raises, the threads that did
        start run ``at_exit`` and exit, and the exception is raised here.
        Threads are named ``name_0``, ``name_1``...; ``name`` defaults to
        ``MwtPool-N``. ``Mwt.Pool(...)`` is the same call.
        """
        _check_n_threads(n_threads)
        funcs = threads.ThreadFuncs(init, at_exit, name)
        try:
            pool = blocking(_new, n_threads, threads.thread_init, (funcs.ref,), threads.thread_exit,
                            funcs.ref)
        except GLib.Error as error:
            reraise(funcs.exception_for(error))
        return pool._adopt(funcs)

    @classmethod
    def new_async(cls, n_threads: int, init: Optional[Callable[[], Any]] = None,
                  at_exit: Optional[Callable[[Any], None]] = None,
                  cancellable: Optional[Gio.Cancellable] = None,
                  callback: Optional[Callable[..., None]] = None, *user_data,
                  priority: int = DEFAULT, name: Optional[str] = None) -> None:
        """Starts a pool like ``new()``, without blocking.

        Once every ``init`` has returned, ``callback(pool, result,
        *user_data)`` runs on the caller's thread-default main context,
        with the new pool as source even when its creation failed; call
        ``Mwt.Pool.new_finish(result)`` there to get it, or the exception
        of the ``init`` that failed.
        """
        _check_n_threads(n_threads)
        _check_cancellable(cancellable, 'new_async')
        funcs = threads.ThreadFuncs(init, at_exit, name)

        def created(source, result, *_data):
            # Finished here, so that the threads' functions stay alive with
            # the pool even if the callback never calls new_finish().
            try:
                result._mwt_outcome = (_new_finish(result)._adopt(funcs), None)
            except GLib.Error as error:
                result._mwt_outcome = (None, funcs.exception_for(error))
            if callback is not None:
                callback(source, result, *user_data)

        _new_async(n_threads, threads.thread_init, (funcs.ref,), threads.thread_exit, (funcs.ref,),
                   priority, cancellable, created)

    @classmethod
    def new_finish(cls, result) -> 'Pool':
        """Returns the pool of ``new_async()``, or raises why it failed."""
        outcome = getattr(result, '_mwt_outcome', None)
        if outcome is None:
            return _new_finish(result)
        pool, exception = outcome
        result._mwt_outcome = (None, None)
        if exception is not None:
            reraise(exception)
        return pool

    def _adopt(self, funcs: threads.ThreadFuncs) -> 'Pool':
        # Kept by the wrapper, which PyGObject then keeps alive as long as
        # the pool itself.
        self._mwt_funcs = funcs
        _open.add(self)
        return self

    @staticmethod
    def get_current() -> Optional['Pool']:
        """The pool whose thread calls (in a task, an init or an at_exit
        function), or None."""
        return Mwt.Pool.get_current()

    # Running ---------------------------------------------------------------

    def run_async(self, func: Callable[..., Any], cancellable: Optional[Gio.Cancellable] = None,
                  callback: Optional[Callable[..., None]] = None, *user_data,
                  priority: int = DEFAULT, args: Tuple = (), kwargs: Optional[dict] = None) -> None:
        """Runs ``func(state, *args, **kwargs)`` on a pool thread, with that thread's state.

        Once it has returned, ``callback(pool, result, *user_data)`` runs on
        the caller's thread-default main context; call
        ``pool.run_finish(result)`` there. Tasks wait in one queue while
        every thread is busy, ordered by ``priority`` (lower first) and
        first-in first-out within a priority. Cancelling ``cancellable``
        takes a waiting task out of the queue; once ``func`` has started,
        it runs to its end, and ``run_finish()`` still raises the
        cancellation if it came before it, as for any GTask.
        Without a callback, the task needs no main context at all, and its
        outcome is dropped.
        """
        _check_cancellable(cancellable, 'run_async')
        if callback is None:
            tasks.push_in_place(self, Task(self, func, args, kwargs), priority, cancellable)
        else:
            task = Task(self, func, args, kwargs, cancellable, callback, user_data)
            tasks.push(self, task, priority, cancellable)

    def run_finish(self, result: Task) -> Any:
        """Returns what the task's function returned, or raises its exception.

        The exception is the one the function raised, with its traceback. A
        task that never ran raises ``GLib.Error``: ``Gio.IOErrorEnum.CANCELLED``
        if it was cancelled, ``Gio.IOErrorEnum.CLOSED`` if the pool closed;
        so does a task cancelled after it ran, before this call. A result
        gives its outcome once: calling this again raises ``RuntimeError``.
        """
        if not isinstance(result, Task) or result.pool is not self:
            raise TypeError('run_finish() takes the result that this pool handed to the callback '
                            'of run_async(), not %r' % (result,))
        return result.outcome()

    def run_sync(self, func: Callable[..., Any], cancellable: Optional[Gio.Cancellable] = None, *,
                 priority: int = DEFAULT, args: Tuple = (), kwargs: Optional[dict] = None) -> Any:
        """Runs ``func(state, *args, **kwargs)`` on a pool thread and returns its result.

        The blocking form of ``run_async()``, with the same rule for
        cancellation: if ``cancellable`` is cancelled before this returns,
        it raises ``GLib.Error`` (``Gio.IOErrorEnum.CANCELLED``), even if
        ``func`` ran. Otherwise it returns what ``func`` returned or raises
        its exception. Meanwhile the calling thread runs the
        ``Mwt.run_in_main()`` calls of the pool's threads.
        """
        _check_cancellable(cancellable, 'run_sync')
        task = Task(self, func, args, kwargs)
        blocking(tasks.push_sync, self, task, priority, cancellable)
        return task.outcome()

    def run_task(self, task: Gio.Task, func: Callable[..., None]) -> None:
        """Runs ``func(task, source_object, None, cancellable, state)`` on a pool thread.

        The pool's ``Gio.Task.run_in_thread()``: ``func`` completes ``task``
        with one of its ``return_*()`` methods. A task cancelled while it
        waits, or failed by a close, completes with that error instead.
        """
        tasks.push_in_place(self, _GTaskRun(task, func), task.get_priority(),
                            task.get_cancellable())

    def push(self, runner, item: int, cancellable: Optional[Gio.Cancellable] = None, *,
             priority: int = DEFAULT) -> None:
        """Hands ``item``, an integer, to ``runner``'s function on a pool thread.

        The C API for bindings, as is: ``run_async()`` is the Python way.
        """
        _check_cancellable(cancellable, 'push')
        Mwt.Pool.push(self, runner, item, priority, cancellable)

    def push_sync(self, runner, item: int, cancellable: Optional[Gio.Cancellable] = None, *,
                  priority: int = DEFAULT) -> bool:
        """The blocking form of ``push()``: the C API for bindings, as is."""
        _check_cancellable(cancellable, 'push_sync')
        return blocking(Mwt.Pool.push_sync, self, runner, item, priority, cancellable)

    # Draining and closing --------------------------------------------------

    def drain(self, cancellable: Optional[Gio.Cancellable] = None) -> bool:
        """Waits until every task submitted so far has run, and returns True.

        Their callbacks then run the next time their main context is
        iterated. The pool stays open. Meanwhile the calling thread runs the
        ``Mwt.run_in_main()`` calls of the pool's threads. Cancelling
        ``cancellable`` only ends the wait early, with ``GLib.Error``.
        """
        _check_cancellable(cancellable, 'drain')
        return blocking(_drain, self, cancellable)

    def drain_async(self, cancellable: Optional[Gio.Cancellable] = None,
                    callback: Optional[Callable[..., None]] = None,
                    *user_data, priority: int = DEFAULT) -> None:
        """Waits, without blocking, until every task submitted so far is done.

        ``callback(pool, result, *user_data)`` runs on the caller's
        thread-default main context after the callbacks of those tasks;
        call ``pool.drain_finish(result)`` there.
        """
        _check_cancellable(cancellable, 'drain_async')
        _drain_async(self, priority, cancellable, *_callback_args(callback, user_data))

    def drain_finish(self, result) -> bool:
        """Finishes ``drain_async()``: True once drained."""
        return _drain_finish(self, result)

    def close(self, cancellable: Optional[Gio.Cancellable] = None) -> bool:
        """Closes the pool and waits until every thread has exited.

        Idle threads stop at once and queued tasks fail with
        ``Gio.IOErrorEnum.CLOSED``; busy threads finish their task, run
        ``at_exit`` and exit. Meanwhile the calling thread runs the
        ``Mwt.run_in_main()`` calls of the pool's threads. Cancelling
        ``cancellable`` only ends the wait early. To let queued tasks run
        first, ``drain()`` before, as a ``with`` block does.
        """
        _check_cancellable(cancellable, 'close')
        closed = blocking(_close, self, cancellable)
        if closed:
            self._forget_funcs()
        return closed

    def close_async(self, cancellable: Optional[Gio.Cancellable] = None,
                    callback: Optional[Callable[..., None]] = None,
                    *user_data, priority: int = DEFAULT) -> None:
        """Closes the pool, and calls back once every thread has exited.

        The pool is closed at once, as by ``close()``; then
        ``callback(pool, result, *user_data)`` runs on the caller's
        thread-default main context, after the callbacks of the tasks the
        close failed; call ``pool.close_finish(result)`` there. Without a
        callback, nothing waits.
        """
        _check_cancellable(cancellable, 'close_async')
        _close_async(self, priority, cancellable, *_callback_args(callback, user_data))

    def close_finish(self, result) -> bool:
        """Finishes ``close_async()``: True once every thread has exited."""
        closed = _close_finish(self, result)
        if closed:
            self._forget_funcs()
        return closed

    def _forget_funcs(self) -> None:
        funcs = self.__dict__.get('_mwt_funcs')
        if funcs is not None:
            funcs.forget()
        _open.discard(self)

    def __enter__(self) -> 'Pool':
        return self

    def __exit__(self, *_exc_info) -> bool:
        """Waits for the tasks submitted before, then closes the pool."""
        self.drain()
        self.close()
        return False

    # Size and state --------------------------------------------------------

    def set_n_threads(self, n_threads: int) -> bool:
        """Resizes the pool; ``pool.props.n_threads = n`` does the same.

        Growing starts new threads, which run ``init``, and returns once
        every new ``init`` has returned; if one raises, the pool keeps its
        old size, the new threads that did start run ``at_exit`` and exit,
        and the exception is raised here. Shrinking returns at once:
        surplus threads finish their task, run ``at_exit`` and exit. Queued
        tasks are never lost.
        """
        _check_n_threads(n_threads)
        funcs = self.__dict__.get('_mwt_funcs')
        try:
            return blocking(_set_n_threads, self, n_threads)
        except GLib.Error as error:
            if funcs is None:
                raise
            reraise(funcs.exception_for(error))

    def get_n_threads(self) -> int:
        """The number of threads of the pool (the ``n-threads`` property)."""
        return Mwt.Pool.get_n_threads(self)

    def get_n_busy(self) -> int:
        """The number of threads running a task (``n-busy``, notified on the
        pool's main context: bind it to a label)."""
        return _get_n_busy(self)

    def get_n_queued(self) -> int:
        """The number of tasks waiting for a thread (``n-queued``)."""
        return _get_n_queued(self)

    def is_closed(self) -> bool:
        """Whether the pool was closed (the ``closed`` property)."""
        return _is_closed(self)

    def get_context(self) -> GLib.MainContext:
        """The pool's main context: where ``Mwt.run_in_main()`` calls from its
        threads run, and its properties are notified."""
        return Mwt.Pool.get_context(self)

    props = _PropsDescriptor()

    def set_property(self, name: str, value) -> None:
        """Sets a GObject property; ``n-threads`` resizes the pool."""
        if name.replace('_', '-') == 'n-threads':
            self.set_n_threads(value)
        else:
            super().set_property(name, value)

    # Lifetime --------------------------------------------------------------

    def __del__(self, _is_finalizing=sys.is_finalizing):
        # For the wrapper that holds the last reference to a pool Python
        # made (others, say from Mwt.Pool.get_current() on a pool thread,
        # come and go while the pool lives on). An idle pool closes here,
        # or waits for a close already made to end: its threads only have
        # at_exit left to run. A busy one, or one dropped on its own
        # thread, which cannot wait for itself, goes to a thread of ours
        # that drains and closes it, then lets it go: finalizing it here,
        # with the GIL held, would wait for threads that need the GIL.
        funcs = self.__dict__.get('_mwt_funcs')
        if funcs is None or _is_finalizing() or self.__grefcount__ != 1 or self in _closing:
            return
        # The collector clears weak references to a cycle before it
        # finalizes it: the threads reach their functions through this.
        funcs.ref.strong = funcs
        idle = not self.get_n_busy() and not self.get_n_queued()
        if idle and threads.current_funcs() is not funcs:
            try:
                self.close()
            except Exception:  # nobody to report to
                pass
            return
        close_later(self)
