# SPDX-FileCopyrightText: 2026 The mwt authors
# SPDX-License-Identifier: LGPL-2.1-or-later

"""Mwt.Executor: an mwt pool behind concurrent.futures, as a drop-in for
ThreadPoolExecutor."""

import collections
import concurrent.futures
import functools
import heapq
import itertools
import operator
import os
import sys
import threading
import time
from concurrent.futures import _base
from concurrent.futures.thread import BrokenThreadPool
from typing import Any, Callable, Iterable, Iterator, Optional

from gi.repository import Gio, GLib

from . import pool as pools, tasks
from .mainloop import reraise


def _fail(future: concurrent.futures.Future, message: str) -> None:
    """Fails a call that will never run, unless it was cancelled."""
    if future.set_running_or_notify_cancel():
        future.set_exception(BrokenThreadPool(message))


class _Calls:
    """The calls submitted to an executor that wait to start: by priority,
    then in order; and the pool tasks that run them, its turns.

    A turn runs calls on its pool thread until none is left, keeping the
    GIL from one to the next as the workers of ThreadPoolExecutor do: with
    a pool task per call, each call waited for the GIL anew, and a burst of
    them ran at half the speed of ThreadPoolExecutor's. A turn is pushed
    when calls wait and no turn does: each pool thread that comes free
    takes one, however many threads the pool has.

    The lock is the executor's shutdown lock. Keeps no reference to the
    executor, which is collected even while its calls run.
    """

    __slots__ = ('lock', 'pool', 'waiting', 'order', 'turns_queued', 'turns_running')

    def __init__(self):
        self.lock = threading.Lock()
        # Once the pool has started.
        self.pool = None
        # A heap of calls: (priority, order, future, fn, args, kwargs),
        # tuples rather than objects, for speed.
        self.waiting = []
        self.order = itertools.count().__next__
        self.turns_queued = 0
        self.turns_running = 0

    def put(self, priority: int, future: concurrent.futures.Future, fn: Callable[..., Any],
            args: tuple, kwargs: dict) -> Optional[int]:
        """Queues a call, with the lock held. Returns the priority of the
        turn that the caller must push once it has released the lock, if
        any."""
        heapq.heappush(self.waiting, (priority, self.order(), future, fn, args, kwargs))
        return self.turn_needed() if self.pool is not None else None

    def turn_needed(self) -> Optional[int]:
        # With the lock held: calls wait and no turn does, the turn to push
        # has the priority of the first.
        if not self.waiting or self.turns_queued:
            return None
        self.turns_queued += 1
        return self.waiting[0][0]

    def push_turn(self, priority: int) -> None:
        # Without the lock: a closed pool calls _Turn.done() at once.
        tasks.push_in_place(self.pool, _Turn(self), priority)

    def run_turn(self) -> None:
        # Calls are taken without the lock, each heappop() being atomic
        # under the GIL: a thread that waited for the lock would give up
        # the GIL, and each call would cost two context switches. Every
        # call put has a turn queued after it, so none is left behind.
        lock, waiting, pop = self.lock, self.waiting, heapq.heappop
        with lock:
            self.turns_queued -= 1
            self.turns_running += 1
        while True:
            try:
                _priority, _order, future, fn, args, kwargs = pop(waiting)
            except IndexError:
                with lock:
                    if not waiting:
                        self.turns_running -= 1
                        return
                continue
            if waiting and not self.turns_queued:
                # Calls left over: a thread that comes free helps.
                with lock:
                    turn_priority = self.turn_needed()
                if turn_priority is not None:
                    self.push_turn(turn_priority)
            if not future.set_running_or_notify_cancel():
                continue
            try:
                result = fn(*args, **kwargs)
            except BaseException as exception:
                future.set_exception(exception)
            else:
                future.set_result(result)
            # No reference to the call once it ran, not even from the
            # traceback of its exception, which holds this frame.
            future = fn = args = kwargs = result = None

    def lose_turn(self, message: str) -> None:
        # A turn that will never run: once no other turn is left to run
        # them, the calls waiting never will either.
        with self.lock:
            self.turns_queued -= 1
            stranded = self.take() if not (self.turns_queued or self.turns_running) else []
        for future in stranded:
            _fail(future, message)

    def take(self) -> list:
        """Takes every waiting call out, with the lock held, and returns
        their futures. A turn may take one meanwhile: whoever comes second
        to its future, to run it or to cancel it, finds it taken."""
        # Their order numbers tell any two apart: no future is compared.
        futures = [call[2] for call in sorted(self.waiting)]
        self.waiting.clear()
        return futures


class _Turn:
    """A pool task that runs an executor's waiting calls."""

    __slots__ = ('calls',)

    def __init__(self, calls: _Calls):
        self.calls = calls

    def run(self) -> None:
        self.calls.run_turn()

    def done(self, error: GLib.Error) -> None:
        # The pool closed, or was finalized, before the turn ran.
        self.calls.lose_turn('The pool closed before the call ran: %s' % error.message)


class _Cancel:
    """Set by shutdown(cancel_futures=True): from then on, the chunks of the
    executor's map() calls run no other item. Shared by those chunks, which
    keep no reference to the executor: an executor dropped while one of its
    map() iterators lives is still collected."""

    __slots__ = ('is_set',)

    def __init__(self):
        self.is_set = False


class _Chunk:
    """Items of map() that one task runs in order, on one pool thread.

    Each result is kept as it comes, for the iterator to take as soon as it
    is there: results come one by one, as with a future per item. The first
    exception is kept with its item's index, where the iterator raises it.
    Once the iterator stops early (an exception, a timeout, closed,
    cancelled), the items that have not started never run, as queued
    futures would be cancelled.
    """

    __slots__ = ('fn', 'items', 'cancel', 'size', 'results', 'failed_at', 'failure', 'stopped',
                 'waiter')

    def __init__(self, fn: Callable[..., Any], items: list, cancel: _Cancel):
        self.fn = fn
        self.items = items
        self.cancel = cancel
        self.size = len(items)
        # Results not taken yet, in order: None for an item that raised.
        self.results = collections.deque()
        self.failed_at = None
        self.failure = None
        self.stopped = False
        # A held lock that the iterator waits on; released at the next result.
        self.waiter = None

    def __call__(self) -> None:
        fn = self.fn
        append = self.results.append
        cancel = self.cancel
        for index, args in enumerate(self.items):
            if self.stopped or cancel.is_set:
                break
            try:
                append(fn(*args))
            except BaseException as exception:
                # The iterator never gets past the first.
                if self.failure is None:
                    self.failure = exception
                    self.failed_at = index
                append(None)
            if self.waiter is not None:
                self.wake()
        self.items = None
        # The traceback of the exception kept holds this frame.
        self = fn = append = cancel = args = None

    def wake(self, *_future) -> None:
        waiter = self.waiter
        if waiter is not None:
            self.waiter = None
            waiter.release()

    def wait(self, future: concurrent.futures.Future, end_time: Optional[float]) -> None:
        """Waits for the next result; raises TimeoutError at end_time, and
        what the chunk's future raises if the chunk ended without it."""
        results = self.results
        while not results:
            if future.done():
                # Cancelled or failed before it started, or stopped by
                # shutdown(cancel_futures=True) before this item.
                future.result(0)
                raise _base.CancelledError()
            waiter = threading.Lock()
            waiter.acquire()
            self.waiter = waiter
            # A result or the end may have come before the waiter was set.
            if results or future.done():
                self.waiter = None
                continue
            if end_time is None:
                waiter.acquire()
            elif not waiter.acquire(timeout=max(0, end_time - time.monotonic())):
                self.waiter = None
                raise _base.TimeoutError()

    def raise_failure(self) -> None:
        exception, self.failure = self.failure, None
        reraise(exception)


# Guarded by pools.exit_lock: the threads that start pools.
_starters = set()


def _join_starters() -> None:
    # At exit, before the pools drain: by then, every call submitted while
    # a pool started is in its queue.
    with pools.exit_lock:
        starters = list(_starters)
    for starter in starters:
        starter.join()


pools.before_pools_drain(_join_starters)


class Executor(concurrent.futures.ThreadPoolExecutor):
    """An ``Mwt.Pool`` behind ``concurrent.futures``: a drop-in for ``ThreadPoolExecutor``.

    Same constructor, defaults and behaviour as ``ThreadPoolExecutor``:
    ``submit()``, ``map()``, ``shutdown()``, the ``with`` block, a failing
    ``initializer`` (logged; ``BrokenThreadPool`` for pending and later
    calls), calls submitted after shutdown or during interpreter exit
    (``RuntimeError``), thread names from ``thread_name_prefix``. Also what
    ``ThreadPoolExecutor`` lacks:

    * the ``initializer``'s return value is its thread's state, which a
      call reaches with ``Mwt.get_thread_state()``; ``at_exit(state)``
      releases it on that same thread when the executor shuts down;
    * ``submit_with_priority()``: lower values run first, as in GLib;
    * ``map()`` runs chunks of items per task: on tiny items, tens of times
      as fast;
    * ``Mwt.run_in_main()`` and ``Mwt.run_in_main_dont_wait()`` from calls,
      and ``Mwt.in_main()`` to get a future's outcome to the main loop;
    * ``executor.pool``, the ``Mwt.Pool`` behind it: resize it with
      ``executor.pool.set_n_threads()``, watch its ``n-busy``, or run
      ``run_async()`` tasks on the same threads. The executor's calls wait
      in a queue of their own, not in the pool's: a pool thread that takes
      one runs the calls waiting, one after the other, until none is left,
      as a thread of ``ThreadPoolExecutor`` does.

    The threads start, all ``max_workers`` of them, at the first call
    submitted, from a thread of their own: as with ``ThreadPoolExecutor``,
    ``submit()`` never waits for an initializer. The calls submitted
    meanwhile wait, by priority, until every initializer has returned. The
    pool's main context, where ``Mwt.run_in_main()`` calls from its threads
    run, is the global default one.
    """

    _counter = itertools.count().__next__

    def __init__(self, max_workers: Optional[int] = None, thread_name_prefix: str = '',
                 initializer: Optional[Callable[..., Any]] = None, initargs: tuple = (), *,
                 at_exit: Optional[Callable[[Any], None]] = None):
        """Makes an executor of ``max_workers`` threads (by default, as
        ``ThreadPoolExecutor``: the CPUs plus 4, at most 32), named
        ``thread_name_prefix`` and a number. Each thread runs
        ``initializer(*initargs)`` first; what it returns is the thread's
        state, which ``at_exit(state)``, if given, releases on that thread
        when the executor shuts down."""
        if max_workers is None:
            max_workers = min(32, (os.cpu_count() or 1) + 4)
        if max_workers <= 0:
            raise ValueError('max_workers must be greater than 0')
        if initializer is not None and not callable(initializer):
            raise TypeError('initializer must be a callable')
        if at_exit is not None and not callable(at_exit):
            raise TypeError('at_exit must be a callable')

        self._max_workers = max_workers
        self._thread_name_prefix = thread_name_prefix or ('MwtExecutor-%d' % self._counter())
        self._initializer = initializer
        self._initargs = initargs
        self._at_exit = at_exit
        self._calls = _Calls()
        # What follows is guarded by _shutdown_lock, the lock of _calls,
        # taken after pools.exit_lock. The thread that starts the pool, and
        # whether it closes the pool once started, for a
        # shutdown(wait=False) that came first.
        self._shutdown_lock = self._calls.lock
        self._starter = None
        self._close_when_started = False
        self._cancel = _Cancel()
        self._broken = False
        self._shutdown = False

    def _start(self) -> None:
        # With the exit lock held. Pool.new() returns once every
        # initializer has: on a thread of its own, so that the caller does
        # not wait for code that may wait for the caller.
        self._starter = threading.Thread(target=self._start_pool, name='mwt-executor-starter')
        self._starter.start()
        _starters.add(self._starter)

    def _start_pool(self) -> None:
        calls = self._calls
        try:
            # Not a method of the executor: the pool would keep it alive,
            # in a cycle that only the collector breaks.
            init = (None if self._initializer is None
                    else functools.partial(self._initializer, *self._initargs))
            pool = pools.Pool.new(self._max_workers, init, self._at_exit,
                                  name=self._thread_name_prefix)
        except BaseException:
            _base.LOGGER.critical('Exception in initializer:', exc_info=True)
            with calls.lock:
                self._broken = 'A thread initializer failed, the thread pool is not usable anymore'
                waiting = calls.take()
            for future in waiting:
                _fail(future, self._broken)
            with pools.exit_lock:
                _starters.discard(threading.current_thread())
            return

        # With the exit lock, as a submit(): the exit handler drains the
        # pool once the turn is in its queue.
        with pools.exit_lock:
            with calls.lock:
                calls.pool = pool
                turn_priority = calls.turn_needed()
                close = self._close_when_started
            if turn_priority is not None:
                calls.push_turn(turn_priority)
            _starters.discard(threading.current_thread())
        if close:
            pools.close_later(pool)

    @property
    def pool(self) -> pools.Pool:
        """The ``Mwt.Pool`` that runs the calls, started if need be."""
        with pools.exit_lock, self._shutdown_lock:
            if self._starter is None and not self._shutdown and not pools.exiting:
                self._start()
            starter = self._starter
        if starter is not None:
            starter.join()
        with self._shutdown_lock:
            if self._broken:
                raise BrokenThreadPool(self._broken)
            if self._calls.pool is None:
                raise RuntimeError('the executor was shut down before it started')
            return self._calls.pool

    def submit(self, fn: Callable[..., Any], /, *args, **kwargs) -> concurrent.futures.Future:
        return self._submit(pools.DEFAULT, fn, args, kwargs)
    submit.__doc__ = _base.Executor.submit.__doc__

    def submit_with_priority(self, priority: int, fn: Callable[..., Any], /, *args,
                             **kwargs) -> concurrent.futures.Future:
        """Like ``submit()``, at ``priority``: while every thread is busy,
        waiting calls run by priority (lower first), then in order."""
        return self._submit(operator.index(priority), fn, args, kwargs)

    def _submit(self, priority, fn, args, kwargs):
        calls = self._calls
        future = _base.Future()
        with pools.exit_lock:
            with calls.lock:
                if self._broken:
                    raise BrokenThreadPool(self._broken)
                if self._shutdown:
                    raise RuntimeError('cannot schedule new futures after shutdown')
                if pools.exiting:
                    raise RuntimeError('cannot schedule new futures after interpreter shutdown')
                turn_priority = calls.put(priority, future, fn, args, kwargs)
                if self._starter is None:
                    self._start()
            if turn_priority is not None:
                calls.push_turn(turn_priority)
        return future

    def map(self, fn: Callable[..., Any], *iterables: Iterable, timeout: Optional[float] = None,
            chunksize: int = 1) -> Iterator:
        """Returns an iterator of ``fn`` applied to the items of ``iterables``, in order.

        As ``ThreadPoolExecutor.map()``: the iterables are read at once,
        each result comes as soon as it is ready, in order, the iterator
        raises the exception of an item when it gets to that item, and
        ``timeout`` counts from this call; once the iterator stops early
        (an exception, a timeout, or closed), the items that have not
        started never run. Unlike it, items run in chunks, one task each:
        ``chunksize`` items if it is more than 1, otherwise a size chosen to
        keep every thread busy. A chunk runs its items in order, each
        whatever the others raised.
        """
        end_time = None if timeout is None else timeout + time.monotonic()
        items = list(zip(*iterables))
        size = chunksize if chunksize > 1 else max(1, len(items) // (16 * self._max_workers))
        chunks = []
        for start in range(0, len(items), size):
            chunk = _Chunk(fn, items[start:start + size], self._cancel)
            future = self._submit(pools.DEFAULT, chunk, (), {})
            # Wakes the iterator if the chunk ends without the item it waits for.
            future.add_done_callback(chunk.wake)
            chunks.append((future, chunk))

        def result_iterator():
            try:
                # Reversed, to pop them in order.
                chunks.reverse()
                while chunks:
                    future, chunk = chunks[-1]
                    results = chunk.results
                    for index in range(chunk.size):
                        if not results:
                            chunk.wait(future, end_time)
                        if index == chunk.failed_at:
                            chunk.raise_failure()
                        # Taken out: the iterator keeps no reference to it.
                        yield results.popleft()
                    chunks.pop()
            finally:
                for future, chunk in chunks:
                    chunk.stopped = True
                    future.cancel()
        return result_iterator()

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Stops taking calls, and lets the threads go once the calls submitted have run.

        As ``ThreadPoolExecutor.shutdown()``. With ``wait``, returns once
        every call submitted has run and every thread has run ``at_exit``
        and exited. ``cancel_futures`` cancels the calls that have not
        started, and the items of ``map()`` that have not. Called from one
        of the executor's own threads, ``wait`` raises ``RuntimeError``: the
        thread would wait for itself.
        """
        cancelled = []
        with self._shutdown_lock:
            self._shutdown = True
            if cancel_futures:
                cancelled = self._calls.take()
                # The chunks of map() that run: the rest of their items.
                self._cancel.is_set = True
            pool = self._calls.pool
            starter = self._starter
            if pool is None and not wait:
                self._close_when_started = True
        # Outside the lock: a future's callbacks may call the executor.
        for future in cancelled:
            future.cancel()
        if pool is None:
            if starter is None or not wait:
                return
            starter.join()
            with self._shutdown_lock:
                pool = self._calls.pool
            if pool is None:  # broken
                return
        if not wait:
            pools.close_later(pool)
            return
        try:
            pool.drain()
            pool.close()
        except GLib.Error as error:
            if error.matches(Gio.io_error_quark(), Gio.IOErrorEnum.WOULD_BLOCK):
                raise RuntimeError('an executor cannot wait for itself from one of its own threads: '
                                   + error.message) from None
            raise

    def __del__(self, _is_finalizing=sys.is_finalizing):
        # Never shut down: the calls submitted still run, and the threads
        # then go, as ThreadPoolExecutor's do once it is collected. Once
        # the interpreter finalizes, the exit handler has closed the pool,
        # and no thread could start.
        if not self.__dict__.get('_shutdown', True) and not _is_finalizing():
            self.shutdown(wait=False)
