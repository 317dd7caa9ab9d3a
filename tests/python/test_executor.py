# SPDX-FileCopyrightText: 2026 The mwt authors
# SPDX-License-Identifier: LGPL-2.1-or-later

"""Mwt.Executor as a drop-in for concurrent.futures.ThreadPoolExecutor.

ExecutorBehaviour holds the behaviour that the documentation of
concurrent.futures promises, and that CPython's own tests of
ThreadPoolExecutor check, written against the public interface only: it
runs once against ThreadPoolExecutor, which shows that each test holds for
the standard executor, and once against Mwt.Executor. TestMwtExecutorExtras
tests what only Mwt.Executor has.

Tests wait on events and barriers, each bounded by HANG_TIMEOUT, never on
a sleep that hopes something happened meanwhile.
"""

import asyncio
import concurrent.futures
import gc
import itertools
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
import traceback
import unittest
import warnings
import weakref
from concurrent.futures import (ALL_COMPLETED, FIRST_COMPLETED, FIRST_EXCEPTION, BrokenExecutor,
                                CancelledError, Future, ThreadPoolExecutor, TimeoutError)
from concurrent.futures.thread import BrokenThreadPool

import gi
gi.require_version('Mwt', '1')
from gi.repository import GLib, Mwt  # noqa: E402

from mwt_testing import HANG_TIMEOUT, TIME_SCALE, run_until  # noqa: E402

# Calls ------------------------------------------------------------------------

def mul(x, y):
    return x * y


def capture(*args, **kwargs):
    return args, kwargs


def thread_name():
    return threading.current_thread().name


def fail(message):
    raise ValueError(message)


def fail_with(exception_type):
    raise exception_type()


def wait_for(event: threading.Event, what: str = 'an event') -> bool:
    """Waits for event; raises AssertionError once HANG_TIMEOUT has passed."""
    if not event.wait(HANG_TIMEOUT):
        raise AssertionError('still waiting for %s after %d s' % (what, HANG_TIMEOUT))
    return True


class Object:
    def method(self):
        pass


class Recorder:
    """Calls that note their argument, in the order they ran."""

    def __init__(self):
        self.lock = threading.Lock()
        self.seen = []

    def __call__(self, value):
        with self.lock:
            self.seen.append(value)
        return value


# Futures in each state, for wait() and as_completed().

def finished_future(result=42):
    future = Future()
    future.set_result(result)
    return future


def failed_future():
    future = Future()
    future.set_exception(OSError())
    return future


def cancelled_future():
    """Cancelled, and not yet notified: wait() counts it as not done."""
    future = Future()
    future.cancel()
    return future


def cancelled_and_notified_future():
    future = Future()
    future.cancel()
    future.set_running_or_notify_cancel()
    return future


# The behaviour of ThreadPoolExecutor ------------------------------------------

class ExecutorBehaviour:
    """What concurrent.futures promises of ThreadPoolExecutor, for executor_type."""

    executor_type = None
    # Python code that binds Executor to executor_type, for the scripts.
    import_executor = None

    def setUp(self):
        self._gates = []
        self._executors = []
        self.addCleanup(self._release_everything)

    def _release_everything(self):
        for gate in self._gates:
            gate.set()
        for executor in self._executors:
            executor.shutdown(wait=True)

    def gate(self) -> threading.Event:
        """An event that calls wait for; set at the latest when the test ends."""
        event = threading.Event()
        self._gates.append(event)
        return event

    def executor(self, *args, **kwargs):
        """A new executor, shut down when the test ends."""
        executor = self.executor_type(*args, **kwargs)
        self._executors.append(executor)
        return executor

    def held_executor(self, max_workers=1):
        """An executor whose every thread runs a call that waits for the
        gate returned; returns once they all run."""
        executor = self.executor(max_workers)
        gate = self.gate()
        barrier = threading.Barrier(max_workers + 1, timeout=HANG_TIMEOUT)

        def hold():
            barrier.wait()
            return wait_for(gate, 'the gate')
        holders = [executor.submit(hold) for _ in range(max_workers)]
        barrier.wait()
        return executor, gate, holders

    def finishes(self, func, *args, **kwargs):
        """Calls func on a thread of its own; fails if it has not returned
        after HANG_TIMEOUT. Returns its value or raises its exception."""
        outcome = []

        def call():
            try:
                outcome.append((True, func(*args, **kwargs)))
            except BaseException as exception:
                outcome.append((False, exception))
        thread = threading.Thread(target=call)
        thread.start()
        thread.join(HANG_TIMEOUT)
        self.assertFalse(thread.is_alive(), '%s() still runs after %d s' % (func.__name__,
                                                                            HANG_TIMEOUT))
        succeeded, value = outcome[0]
        if not succeeded:
            raise value
        return value

    # Constructor -------------------------------------------------------------

    def test_is_an_executor(self):
        executor = self.executor(1)
        self.assertIsInstance(executor, concurrent.futures.Executor)
        self.assertIsInstance(executor.submit(int), Future)

    def test_default_max_workers_run_at_once_and_no_more(self):
        executor = self.executor()
        n_workers = min(32, (os.cpu_count() or 1) + 4)
        lock = threading.Lock()
        running = []
        most = []
        # A barrier of n_workers: each round needs that many at once.
        barrier = threading.Barrier(n_workers, timeout=HANG_TIMEOUT)

        def call():
            with lock:
                running.append(1)
                most.append(len(running))
            barrier.wait()
            with lock:
                running.pop()
            return thread_name()
        futures = [executor.submit(call) for _ in range(3 * n_workers)]
        names = {future.result(HANG_TIMEOUT) for future in futures}
        self.assertEqual(len(names), n_workers)
        self.assertEqual(max(most), n_workers)

    def test_max_workers_must_be_positive(self):
        for max_workers in (0, -1, -10):
            with self.subTest(max_workers=max_workers):
                with self.assertRaisesRegex(ValueError, 'max_workers must be greater than 0'):
                    self.executor_type(max_workers=max_workers)
                with self.assertRaisesRegex(ValueError, 'max_workers must be greater than 0'):
                    self.executor_type(max_workers)

    def test_initializer_must_be_callable(self):
        with self.assertRaisesRegex(TypeError, 'initializer must be a callable'):
            self.executor_type(1, initializer=42)

    def test_keyword_arguments_of_the_constructor(self):
        executor = self.executor(max_workers=2, thread_name_prefix='Keywords',
                                 initializer=int, initargs=('3',))
        self.assertRegex(executor.submit(thread_name).result(HANG_TIMEOUT), r'^Keywords_[01]$')

    # submit() ----------------------------------------------------------------

    def test_submit_returns_the_result(self):
        executor = self.executor(2)
        self.assertEqual(executor.submit(pow, 2, 8).result(HANG_TIMEOUT), 256)
        self.assertIsNone(executor.submit(print, end='').result(HANG_TIMEOUT))

    def test_submit_passes_keyword_arguments(self):
        executor = self.executor(2)
        self.assertEqual(executor.submit(mul, 2, y=8).result(HANG_TIMEOUT), 16)
        self.assertEqual(executor.submit(capture, 1, self=2, fn=3).result(HANG_TIMEOUT),
                         ((1,), {'self': 2, 'fn': 3}))
        with self.assertRaises(TypeError):
            executor.submit(fn=capture, arg=1)
        with self.assertRaises(TypeError):
            executor.submit(arg=1)
        with self.assertRaises(TypeError):
            executor.submit()

    def test_exception_of_a_call_reaches_its_future(self):
        executor = self.executor(2)
        future = executor.submit(fail, 'in the call')
        exception = future.exception(HANG_TIMEOUT)
        self.assertIsInstance(exception, ValueError)
        self.assertEqual(str(exception), 'in the call')
        # With the traceback of the call.
        frames = traceback.extract_tb(exception.__traceback__)
        self.assertIn('fail', [frame.name for frame in frames])
        with self.assertRaisesRegex(ValueError, 'in the call'):
            future.result()

    def test_base_exceptions_reach_the_future_and_the_thread_goes_on(self):
        executor = self.executor(1)
        exit_future = executor.submit(sys.exit, 3)
        interrupt_future = executor.submit(fail_with, KeyboardInterrupt)
        self.assertIsInstance(exit_future.exception(HANG_TIMEOUT), SystemExit)
        self.assertEqual(exit_future.exception().code, 3)
        self.assertIsInstance(interrupt_future.exception(HANG_TIMEOUT), KeyboardInterrupt)
        self.assertEqual(executor.submit(mul, 6, 7).result(HANG_TIMEOUT), 42)

    def test_states_of_a_future(self):
        executor = self.executor(1)
        started = threading.Event()
        gate = self.gate()

        def call():
            started.set()
            wait_for(gate, 'the gate')
            return 'ran'
        future = executor.submit(call)
        wait_for(started, 'the call')
        self.assertTrue(future.running())
        self.assertFalse(future.done())
        self.assertFalse(future.cancel())
        with self.assertRaises(TimeoutError):
            future.result(timeout=0)
        with self.assertRaises(TimeoutError):
            future.exception(timeout=0)
        gate.set()
        self.assertEqual(future.result(HANG_TIMEOUT), 'ran')
        self.assertTrue(future.done())
        self.assertFalse(future.running())
        self.assertFalse(future.cancelled())

    def test_done_callbacks_get_the_future(self):
        executor = self.executor(2)
        done = threading.Event()
        seen = []
        future = executor.submit(mul, 3, 5)

        def callback(finished):
            seen.append((finished, finished.result()))
            done.set()
        future.add_done_callback(callback)
        wait_for(done, 'the done callback')
        self.assertEqual(seen, [(future, 15)])

    def test_no_reference_to_a_call_after_it_ran(self):
        executor = self.executor(2)
        collected = threading.Event()
        thing = Object()
        reference = weakref.ref(thing, lambda _: collected.set())
        # The future is dropped at once.
        executor.submit(thing.method)
        del thing
        wait_for(collected, 'the object of the call to be collected')
        self.assertIsNone(reference())

    def test_many_calls_from_many_threads(self):
        executor = self.executor(3)
        futures = []

        def submitter(base):
            futures.extend(executor.submit(mul, base, i) for i in range(200))
        submitters = [threading.Thread(target=submitter, args=(base,)) for base in range(4)]
        for thread in submitters:
            thread.start()
        for thread in submitters:
            thread.join(HANG_TIMEOUT)
        self.assertEqual(sorted(future.result(HANG_TIMEOUT) for future in futures),
                         sorted(base * i for base in range(4) for i in range(200)))

    # Cancelled futures -------------------------------------------------------

    def test_cancel_a_queued_call(self):
        executor, gate, holders = self.held_executor(1)
        record = Recorder()
        future = executor.submit(record, 'cancelled')
        kept = executor.submit(record, 'kept')
        called = []
        self.assertTrue(future.cancel())
        self.assertTrue(future.cancelled())
        self.assertTrue(future.done())
        self.assertFalse(future.running())
        future.add_done_callback(called.append)
        self.assertEqual(called, [future])
        with self.assertRaises(CancelledError):
            future.result()
        with self.assertRaises(CancelledError):
            future.exception()
        gate.set()
        self.assertEqual(kept.result(HANG_TIMEOUT), 'kept')
        self.assertTrue(holders[0].result(HANG_TIMEOUT))
        executor.shutdown(wait=True)
        self.assertEqual(record.seen, ['kept'])

    def test_shutdown_after_a_cancel_does_not_hang(self):
        executor = self.executor(1)
        executor.submit(int).result(HANG_TIMEOUT)
        executor.submit(int).cancel()
        self.finishes(executor.shutdown, wait=True)

    # map() ---------------------------------------------------------------------

    def test_map_gives_what_map_gives(self):
        executor = self.executor(3)
        expected = list(map(pow, range(100), range(100)))
        self.assertEqual(list(executor.map(pow, range(100), range(100))), expected)
        for chunksize in (1, 3, 7, 100, 1000):
            with self.subTest(chunksize=chunksize):
                self.assertEqual(list(executor.map(pow, range(100), range(100),
                                                   chunksize=chunksize)), expected)
        # Stops at the shortest iterable.
        self.assertEqual(list(executor.map(mul, 'abc', range(1, 10))), ['a', 'bb', 'ccc'])
        self.assertEqual(list(executor.map(mul, [], [])), [])
        self.assertEqual(list(executor.map(abs, iter(range(-5, 5)), timeout=HANG_TIMEOUT)),
                         [5, 4, 3, 2, 1, 0, 1, 2, 3, 4])

    def test_map_runs_everything_without_iteration(self):
        executor = self.executor(2)
        record = Recorder()
        executor.map(record, range(300))
        executor.shutdown(wait=True)
        self.assertCountEqual(record.seen, range(300))

    def test_map_raises_at_the_failing_item(self):
        executor = self.executor(2)
        results = executor.map(divmod, [1, 1, 1, 1], [2, 3, 0, 5])
        self.assertEqual(next(results), (0, 1))
        self.assertEqual(next(results), (1 // 3, 1))
        with self.assertRaises(ZeroDivisionError):
            next(results)
        # The iterator has ended.
        with self.assertRaises(StopIteration):
            next(results)

    def test_map_cancels_what_has_not_started_once_an_item_failed(self):
        for chunksize in (1, 8):
            with self.subTest(chunksize=chunksize):
                executor = self.executor(1)
                record = Recorder()
                consumer_saw_it = self.gate()

                def call(i):
                    record(i)
                    if i == 1:
                        raise ValueError('item 1')
                    if i == 2:
                        wait_for(consumer_saw_it, 'the consumer')
                    return i
                # Many items: an executor may run them in chunks.
                results = executor.map(call, range(200), chunksize=chunksize)
                self.assertEqual(next(results), 0)
                with self.assertRaisesRegex(ValueError, 'item 1'):
                    next(results)
                consumer_saw_it.set()
                executor.shutdown(wait=True)
                self.assertIn(record.seen, ([0, 1], [0, 1, 2]))

    def test_map_closed_early_cancels_what_has_not_started(self):
        executor = self.executor(1)
        record = Recorder()
        closed = self.gate()

        def call(i):
            record(i)
            if i == 1:
                wait_for(closed, 'the iterator to be closed')
            return i
        results = executor.map(call, range(200))
        self.assertEqual(next(results), 0)
        results.close()
        closed.set()
        executor.shutdown(wait=True)
        self.assertIn(record.seen, ([0], [0, 1]))

    def test_map_yields_each_result_once_it_is_ready(self):
        for chunksize in (1, 8):
            with self.subTest(chunksize=chunksize):
                executor = self.executor(1)
                got_the_first = self.gate()

                def call(i):
                    if i == 1:
                        wait_for(got_the_first, 'the consumer to get the first result')
                    return i * 2
                results = executor.map(call, range(200), chunksize=chunksize)
                self.assertEqual(next(results), 0)
                got_the_first.set()
                self.assertEqual(list(results), [i * 2 for i in range(1, 200)])

    def test_map_timeout_counts_from_the_call(self):
        executor = self.executor(1)
        executor.submit(int).result(HANG_TIMEOUT)
        # One thread: item i is ready 0.2 * (i + 1) s after the call at the
        # earliest, the third after the deadline. An iterator that counted
        # the timeout from each next() would wait for each item in turn.
        results = executor.map(time.sleep, [0.2 * TIME_SCALE] * 10, timeout=0.5 * TIME_SCALE)
        received = []
        with self.assertRaises(TimeoutError):
            for result in results:
                received.append(result)
        self.assertLess(len(received), 10)

    def test_map_timeout_gives_the_results_before_it(self):
        executor = self.executor(2)
        executor.submit(int).result(HANG_TIMEOUT)
        gate = self.gate()
        # The first two are ready long before the deadline.
        results = executor.map(lambda wait: wait and wait_for(gate, 'the gate'),
                               [False, False, True], timeout=TIME_SCALE)
        self.assertEqual(next(results), False)
        self.assertEqual(next(results), False)
        with self.assertRaises(TimeoutError):
            next(results)

    def test_map_timeout_cancels_what_has_not_started(self):
        executor, gate, holders = self.held_executor(1)
        record = Recorder()
        results = executor.map(record, range(200), timeout=0)
        with self.assertRaises(TimeoutError):
            next(results)
        gate.set()
        self.assertTrue(holders[0].result(HANG_TIMEOUT))
        executor.shutdown(wait=True)
        self.assertEqual(record.seen, [])

    def test_map_keeps_no_reference_to_results(self):
        executor = self.executor(2)
        for result in executor.map(lambda _: Object(), range(20)):
            reference = weakref.ref(result)
            del result
            gc.collect()
            self.assertIsNone(reference())

    def test_map_after_shutdown_raises(self):
        executor = self.executor(1)
        executor.shutdown()
        with self.assertRaisesRegex(RuntimeError, 'cannot schedule new futures after shutdown'):
            executor.map(abs, range(3))

    # shutdown() and the with block ----------------------------------------------

    def test_shutdown_waits_for_every_call(self):
        executor = self.executor(2)
        gate = self.gate()
        record = Recorder()

        def call(i):
            wait_for(gate, 'the gate')
            return record(i)
        futures = [executor.submit(call, i) for i in range(20)]
        states = []

        def shut_down():
            executor.shutdown(wait=True)
            states.extend(future.done() for future in futures)
        thread = threading.Thread(target=shut_down)
        thread.start()
        gate.set()
        thread.join(HANG_TIMEOUT)
        self.assertFalse(thread.is_alive())
        self.assertEqual(states, [True] * 20)
        self.assertCountEqual(record.seen, range(20))

    def test_shutdown_without_wait_returns_and_the_calls_still_run(self):
        executor, gate, holders = self.held_executor(1)
        record = Recorder()
        futures = [executor.submit(record, i) for i in range(20)]
        self.finishes(executor.shutdown, wait=False)
        self.assertFalse(any(future.done() for future in futures))
        with self.assertRaises(RuntimeError):
            executor.submit(int)
        gate.set()
        self.assertEqual([future.result(HANG_TIMEOUT) for future in futures], list(range(20)))
        self.assertEqual(record.seen, list(range(20)))

    def test_shutdown_cancel_futures_without_wait(self):
        executor, gate, holders = self.held_executor(1)
        record = Recorder()
        futures = [executor.submit(record, i) for i in range(20)]
        executor.shutdown(wait=False, cancel_futures=True)
        self.assertTrue(all(future.cancelled() for future in futures))
        self.assertFalse(holders[0].cancelled())
        gate.set()
        self.assertTrue(holders[0].result(HANG_TIMEOUT))
        self.finishes(executor.shutdown, wait=True)
        self.assertEqual(record.seen, [])

    def test_shutdown_cancel_futures_then_wait(self):
        executor, gate, (holder,) = self.held_executor(1)
        record = Recorder()
        futures = [executor.submit(record, i) for i in range(20)]
        # The held call returns once every other one is cancelled: a
        # shutdown that waited before it cancelled would never return.
        cancelled = []

        def count_cancelled(future):
            cancelled.append(future.cancelled())
            if len(cancelled) == len(futures):
                gate.set()
        for future in futures:
            future.add_done_callback(count_cancelled)
        self.finishes(executor.shutdown, wait=True, cancel_futures=True)
        self.assertTrue(holder.result(0))
        self.assertEqual(cancelled, [True] * 20)
        self.assertEqual(record.seen, [])

    def test_shutdown_cancel_futures_cancels_the_rest_of_map(self):
        executor = self.executor(1)
        gate = self.gate()
        started = threading.Event()
        record = Recorder()

        def call(i):
            if i == 0:
                started.set()
                wait_for(gate, 'the gate')
            return record(i)
        results = executor.map(call, range(200))
        wait_for(started, 'the first item')
        executor.shutdown(wait=False, cancel_futures=True)
        gate.set()
        self.assertEqual(next(results), 0)
        with self.assertRaises(CancelledError):
            next(results)
        self.finishes(executor.shutdown, wait=True)
        self.assertEqual(record.seen, [0])

    def test_shutdown_twice_and_unused(self):
        executor = self.executor(2)
        executor.shutdown()
        executor.shutdown()
        executor.shutdown(wait=False, cancel_futures=True)
        used = self.executor(2)
        self.assertEqual(used.submit(mul, 2, 2).result(HANG_TIMEOUT), 4)
        used.shutdown()
        used.shutdown(wait=False)

    def test_submit_after_shutdown_raises(self):
        for wait in (True, False):
            with self.subTest(wait=wait):
                executor = self.executor(2)
                executor.submit(int).result(HANG_TIMEOUT)
                executor.shutdown(wait=wait)
                with self.assertRaisesRegex(RuntimeError,
                                            'cannot schedule new futures after shutdown'):
                    executor.submit(int)

    def test_with_block_runs_everything_submitted_in_it(self):
        record = Recorder()
        with self.executor(2) as executor:
            self.assertIsInstance(executor, self.executor_type)
            futures = [executor.submit(record, i) for i in range(300)]
            mapped = executor.map(abs, range(-5, 5))
        self.assertTrue(all(future.done() and not future.cancelled() for future in futures))
        self.assertCountEqual(record.seen, range(300))
        self.assertEqual(list(mapped), [5, 4, 3, 2, 1, 0, 1, 2, 3, 4])
        with self.assertRaises(RuntimeError):
            executor.submit(int)

    def test_with_block_lets_exceptions_through(self):
        with self.assertRaisesRegex(KeyError, 'inside'):
            with self.executor(1) as executor:
                future = executor.submit(mul, 2, 3)
                raise KeyError('inside')
        self.assertEqual(future.result(0), 6)

    def test_shutdown_from_a_call(self):
        executor = self.executor(1)
        # Waiting from the executor's own thread would wait for itself.
        future = executor.submit(executor.shutdown, wait=True)
        self.assertIsInstance(future.exception(HANG_TIMEOUT), RuntimeError)
        with self.assertRaises(RuntimeError):
            executor.submit(int)

    def test_shutdown_without_wait_from_a_call(self):
        executor = self.executor(1)
        gate = self.gate()
        record = Recorder()

        def call():
            wait_for(gate, 'the gate')
            executor.shutdown(wait=False)
        first = executor.submit(call)
        later = [executor.submit(record, i) for i in range(10)]
        gate.set()
        self.assertIsNone(first.result(HANG_TIMEOUT))
        self.assertEqual([future.result(HANG_TIMEOUT) for future in later], list(range(10)))

    # The initializer -----------------------------------------------------------

    def test_initializer_runs_in_each_thread_before_its_calls(self):
        local = threading.local()

        def initializer(tag, number):
            local.value = (tag, number, threading.get_ident())
        executor = self.executor(3, initializer=initializer, initargs=('tag', 7))
        barrier = threading.Barrier(3, timeout=HANG_TIMEOUT)

        def call():
            barrier.wait()
            return local.value
        values = [future.result(HANG_TIMEOUT) for future in
                  [executor.submit(call) for _ in range(3)]]
        self.assertEqual({value[:2] for value in values}, {('tag', 7)})
        self.assertEqual(len({value[2] for value in values}), 3)

    def test_submit_does_not_wait_for_the_initializer(self):
        may_start = self.gate()
        executor = self.executor(2, initializer=wait_for, initargs=(may_start, 'submit()'))
        future = self.finishes(executor.submit, mul, 2, 3)
        may_start.set()
        self.assertEqual(future.result(HANG_TIMEOUT), 6)

    def test_shutdown_while_the_initializer_runs(self):
        for wait in (True, False):
            with self.subTest(wait=wait):
                may_start = self.gate()
                executor = self.executor(2, initializer=wait_for, initargs=(may_start, 'the gate'))
                record = Recorder()
                futures = [executor.submit(record, i) for i in range(20)]
                thread = threading.Thread(target=executor.shutdown, kwargs={'wait': wait})
                thread.start()
                may_start.set()
                thread.join(HANG_TIMEOUT)
                self.assertFalse(thread.is_alive())
                self.assertEqual([future.result(HANG_TIMEOUT) for future in futures],
                                 list(range(20)))
                with self.assertRaises(RuntimeError):
                    executor.submit(int)

    def test_failing_initializer_breaks_the_executor(self):
        may_fail = self.gate()

        def initializer():
            wait_for(may_fail, 'the gate')
            raise ValueError('initializer failed')
        executor = self.executor(2, initializer=initializer)
        with self.assertLogs('concurrent.futures', 'CRITICAL') as logs:
            futures = [self.finishes(executor.submit, mul, 2, 3) for _ in range(5)]
            may_fail.set()
            for future in futures:
                with self.assertRaises(BrokenThreadPool):
                    future.result(HANG_TIMEOUT)
            self.assertTrue(issubclass(BrokenThreadPool, BrokenExecutor))
            with self.assertRaises(BrokenThreadPool):
                executor.submit(mul, 2, 3)
            with self.assertRaises(BrokenThreadPool):
                executor.map(abs, range(3))
            # Every thread has logged its failure once they are gone.
            self.finishes(executor.shutdown, wait=True)
        records = [record for record in logs.records
                   if record.getMessage() == 'Exception in initializer:']
        self.assertTrue(records, logs.output)
        for record in records:
            self.assertEqual(record.name, 'concurrent.futures')
            self.assertIs(record.exc_info[0], ValueError)
            self.assertEqual(str(record.exc_info[1]), 'initializer failed')

    def test_initializer_failing_at_once(self):
        executor = self.executor(2, initializer=fail, initargs=('at once',))
        with self.assertLogs('concurrent.futures', 'CRITICAL') as logs:
            try:
                future = executor.submit(int)
            except BrokenThreadPool:
                pass    # may be broken already
            else:
                with self.assertRaises(BrokenThreadPool):
                    future.result(HANG_TIMEOUT)
            with self.assertRaises(BrokenThreadPool):
                executor.submit(int)
            self.finishes(executor.shutdown, wait=True)
        self.assertIn('ValueError: at once', '\n'.join(logs.output))

    # wait() and as_completed() -------------------------------------------------

    def test_wait_first_completed(self):
        executor = self.executor(2)
        gate = self.gate()
        pending = cancelled_future()
        quick = executor.submit(mul, 21, 2)
        held = executor.submit(wait_for, gate, 'the gate')
        done, not_done = concurrent.futures.wait([pending, quick, held],
                                                 timeout=HANG_TIMEOUT,
                                                 return_when=FIRST_COMPLETED)
        self.assertEqual(done, {quick})
        self.assertEqual(not_done, {pending, held})

    def test_wait_first_completed_with_some_done_already(self):
        executor = self.executor(1)
        gate = self.gate()
        ready = [cancelled_and_notified_future(), finished_future()]
        held = executor.submit(wait_for, gate, 'the gate')
        done, not_done = concurrent.futures.wait(ready + [held], timeout=HANG_TIMEOUT,
                                                 return_when=FIRST_COMPLETED)
        self.assertEqual(done, set(ready))
        self.assertEqual(not_done, {held})

    def test_wait_first_exception(self):
        executor = self.executor(3)
        may_raise = self.gate()
        gate = self.gate()
        quick = executor.submit(mul, 2, 21)

        def raise_after_quick():
            wait_for(may_raise, 'the first call')
            raise OSError('second')
        raising = executor.submit(raise_after_quick)
        held = executor.submit(wait_for, gate, 'the gate')
        quick.add_done_callback(lambda _: may_raise.set())
        done, not_done = concurrent.futures.wait([quick, raising, held], timeout=HANG_TIMEOUT,
                                                 return_when=FIRST_EXCEPTION)
        self.assertEqual(done, {quick, raising})
        self.assertEqual(not_done, {held})

    def test_wait_first_exception_with_some_done_already(self):
        executor = self.executor(2)
        gate = self.gate()
        ready = [finished_future(), cancelled_and_notified_future()]
        pending = cancelled_future()
        raising = executor.submit(divmod, 21, 0)
        held = executor.submit(wait_for, gate, 'the gate')
        done, not_done = concurrent.futures.wait(ready + [pending, raising, held],
                                                 timeout=HANG_TIMEOUT,
                                                 return_when=FIRST_EXCEPTION)
        self.assertEqual(done, set(ready) | {raising})
        self.assertEqual(not_done, {pending, held})

    def test_wait_first_exception_with_one_failed_already(self):
        executor = self.executor(1)
        gate = self.gate()
        failed = failed_future()
        held = executor.submit(wait_for, gate, 'the gate')
        done, not_done = concurrent.futures.wait([failed, held], timeout=HANG_TIMEOUT,
                                                 return_when=FIRST_EXCEPTION)
        self.assertEqual(done, {failed})
        self.assertEqual(not_done, {held})

    def test_wait_all_completed(self):
        executor = self.executor(2)
        ready = [finished_future(), cancelled_and_notified_future(), failed_future()]
        submitted = [executor.submit(divmod, 2, 0), executor.submit(mul, 2, 21)]
        done, not_done = concurrent.futures.wait(ready + submitted, timeout=HANG_TIMEOUT,
                                                 return_when=ALL_COMPLETED)
        self.assertEqual(done, set(ready + submitted))
        self.assertEqual(not_done, set())
        # The default is ALL_COMPLETED; a future given twice counts once.
        future = executor.submit(mul, 1, 2)
        done, not_done = concurrent.futures.wait([future, future], timeout=HANG_TIMEOUT)
        self.assertEqual((done, not_done), ({future}, set()))

    def test_wait_timeout(self):
        executor = self.executor(1)
        gate = self.gate()
        ready = [finished_future(), failed_future(), cancelled_and_notified_future()]
        held = executor.submit(wait_for, gate, 'the gate')
        done, not_done = concurrent.futures.wait(ready + [held], timeout=0.05,
                                                 return_when=ALL_COMPLETED)
        self.assertEqual(done, set(ready))
        self.assertEqual(not_done, {held})

    def test_wait_for_many_calls_ending_together(self):
        executor = self.executor(4)
        gate = self.gate()
        futures = {executor.submit(wait_for, gate, 'the gate') for _ in range(100)}
        gate.set()
        done, not_done = concurrent.futures.wait(futures, timeout=HANG_TIMEOUT)
        self.assertEqual((done, not_done), (futures, set()))

    def test_as_completed_gives_every_future(self):
        executor = self.executor(2)
        ready = [cancelled_and_notified_future(), failed_future(), finished_future()]
        submitted = [executor.submit(mul, 2, 21), executor.submit(mul, 7, 6)]
        self.assertEqual(set(concurrent.futures.as_completed(ready + submitted,
                                                             timeout=HANG_TIMEOUT)),
                         set(ready + submitted))

    def test_as_completed_in_the_order_they_complete(self):
        executor = self.executor(2)
        first_gate = self.gate()
        second_gate = self.gate()
        first = executor.submit(wait_for, first_gate, 'the first gate')
        second = executor.submit(wait_for, second_gate, 'the second gate')
        ready = finished_future()
        completed = concurrent.futures.as_completed([first, second, ready], timeout=HANG_TIMEOUT)
        self.assertIs(next(completed), ready)
        second_gate.set()
        self.assertIs(next(completed), second)
        first_gate.set()
        self.assertIs(next(completed), first)
        with self.assertRaises(StopIteration):
            next(completed)

    def test_as_completed_timeout(self):
        executor = self.executor(1)
        gate = self.gate()
        ready = {cancelled_and_notified_future(), failed_future(), finished_future()}
        held = executor.submit(wait_for, gate, 'the gate')
        for timeout in (0, 0.05):
            with self.subTest(timeout=timeout):
                seen = set()
                with self.assertRaisesRegex(TimeoutError, r'^1 \(of 4\) futures unfinished$'):
                    for future in concurrent.futures.as_completed(ready | {held}, timeout):
                        seen.add(future)
                self.assertEqual(seen, ready)

    def test_as_completed_gives_a_future_once(self):
        executor = self.executor(1)
        future = executor.submit(mul, 3, 3)
        self.assertEqual(list(concurrent.futures.as_completed(itertools.repeat(future, 3),
                                                              timeout=HANG_TIMEOUT)),
                         [future])

    # Threads -------------------------------------------------------------------

    def test_thread_names_from_the_prefix(self):
        executor = self.executor(3, thread_name_prefix='SpecialPool')
        barrier = threading.Barrier(3, timeout=HANG_TIMEOUT)

        def call():
            barrier.wait()
            return thread_name()
        names = {future.result(HANG_TIMEOUT) for future in
                 [executor.submit(call) for _ in range(3)]}
        self.assertEqual(names, {'SpecialPool_0', 'SpecialPool_1', 'SpecialPool_2'})

    def test_default_thread_names(self):
        prefixes = set()
        for _ in range(2):
            executor = self.executor(2)
            barrier = threading.Barrier(2, timeout=HANG_TIMEOUT)

            def call():
                barrier.wait()
                return thread_name()
            names = {future.result(HANG_TIMEOUT) for future in
                     [executor.submit(call) for _ in range(2)]}
            # prefix-N_i: unique to the executor, then the thread's number.
            for name in names:
                self.assertRegex(name, r'^\w+-\d+_[01]$')
            self.assertEqual({name[-1] for name in names}, {'0', '1'})
            prefixes |= {name[:-2] for name in names}
        self.assertEqual(len(prefixes), 2)

    def test_calls_run_on_threads_that_threading_knows(self):
        executor = self.executor(2)

        def call():
            thread = threading.current_thread()
            return (thread is not threading.main_thread(), thread in threading.enumerate(),
                    thread.ident == threading.get_ident())
        self.assertEqual(executor.submit(call).result(HANG_TIMEOUT), (True, True, True))

    # Garbage collection ----------------------------------------------------------

    def wait_until_gone(self, threads, baseline):
        deadline = time.monotonic() + HANG_TIMEOUT
        while (set(threading.enumerate()) & threads or threading.active_count() > baseline):
            self.assertLess(time.monotonic(), deadline,
                            'threads left: %r' % (set(threading.enumerate()) & threads))
            gc.collect()
            time.sleep(0.01)    # polling for threads to end, bounded above

    def test_collected_executor_runs_its_calls_and_its_threads_go(self):
        baseline = threading.active_count()
        gate = self.gate()
        executor = self.executor_type(3)
        reference = weakref.ref(executor)

        def call(i):
            wait_for(gate, 'the gate')
            return i, threading.current_thread()
        futures = [executor.submit(call, i) for i in range(10)]
        del executor
        gc.collect()
        gate.set()
        outcomes = [future.result(HANG_TIMEOUT) for future in futures]
        self.assertEqual([i for i, _ in outcomes], list(range(10)))
        self.wait_until_gone({thread for _, thread in outcomes}, baseline)
        self.assertIsNone(reference())

    def test_dropped_executor_goes_without_the_collector(self):
        # As a ThreadPoolExecutor does: nothing of the executor's own holds
        # it in a cycle.
        gc.disable()
        try:
            executor = self.executor_type(2, initializer=int, initargs=('3',))
            self.assertEqual(executor.submit(int, '4').result(HANG_TIMEOUT), 4)
            reference = weakref.ref(executor)
            del executor
            deadline = time.monotonic() + HANG_TIMEOUT
            # Its starting thread may hold it a moment longer.
            while reference() is not None and time.monotonic() < deadline:
                time.sleep(0.01)
            self.assertIsNone(reference())
        finally:
            gc.enable()

    def test_collected_executor_with_a_map_iterator_left(self):
        baseline = threading.active_count()
        executor = self.executor_type(3)
        reference = weakref.ref(executor)
        results = executor.map(lambda i: (abs(i), threading.current_thread()), range(-50, 50))
        del executor
        deadline = time.monotonic() + HANG_TIMEOUT
        while reference() is not None:
            self.assertLess(time.monotonic(), deadline, 'the executor is still alive')
            gc.collect()
            time.sleep(0.01)    # polling for the calls to end, bounded above
        outcomes = list(results)
        self.assertEqual([value for value, _ in outcomes], [abs(i) for i in range(-50, 50)])
        self.wait_until_gone({thread for _, thread in outcomes}, baseline)

    def test_collected_idle_executor_lets_its_threads_go(self):
        baseline = threading.active_count()
        executor = self.executor_type(2)
        threads = {executor.submit(threading.current_thread).result(HANG_TIMEOUT)}
        reference = weakref.ref(executor)
        del executor
        gc.collect()
        self.wait_until_gone(threads, baseline)
        self.assertIsNone(reference())

    # Interpreter exit --------------------------------------------------------------

    def run_script(self, body):
        """Runs body in a child after import_executor; returns its output.
        A child still running after HANG_TIMEOUT is made to print where
        its threads are, then fails the test."""
        script = self.import_executor + textwrap.dedent(body)
        env = dict(os.environ, PYTHONFAULTHANDLER='1')
        with subprocess.Popen([sys.executable, '-c', script], env=env, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
            try:
                out, err = process.communicate(timeout=HANG_TIMEOUT)
            except subprocess.TimeoutExpired:
                # faulthandler prints every thread's stack on SIGABRT.
                process.send_signal(signal.SIGABRT)
                out, err = process.communicate()
                self.fail('the script still ran after %d s:\n%s' % (HANG_TIMEOUT, err))
        self.assertEqual(process.returncode, 0, err)
        return out, err

    def test_calls_queued_at_exit_run_to_completion(self):
        for shutdown in ('', 'executor.shutdown(wait=False)'):
            with self.subTest(shutdown=shutdown):
                out, err = self.run_script('''
                    import threading
                    exiting = threading.Event()
                    # Called as the interpreter starts to exit, before the
                    # executors' own handlers (handlers run last first).
                    threading._register_atexit(exiting.set)
                    executor = Executor(1)
                    executor.submit(exiting.wait)
                    for i in range(50):
                        executor.submit(print, i, flush=True)
                    %s
                    ''' % shutdown)
                self.assertEqual(err, '')
                self.assertEqual(out.split(), [str(i) for i in range(50)])

    def test_submit_during_interpreter_exit_raises(self):
        for use in ('', 'executor.submit(id, 42).result()'):
            with self.subTest(use=use):
                out, err = self.run_script('''
                    import atexit

                    @atexit.register
                    def late():
                        try:
                            executor.submit(print, 'ran')
                        except RuntimeError as error:
                            print(error)

                    executor = Executor(2)
                    %s
                    ''' % use)
                # An executor whose threads stopped at exit may say 'after
                # shutdown' instead, as ThreadPoolExecutor does.
                self.assertRegex(out.strip(),
                                 r'^cannot schedule new futures after (interpreter )?shutdown$')
                self.assertEqual(err, '')

    # asyncio ------------------------------------------------------------------------

    def test_run_in_executor(self):
        executor = self.executor(2, thread_name_prefix='Asyncio')

        async def main():
            loop = asyncio.get_running_loop()
            value = await loop.run_in_executor(executor, mul, 6, 7)
            name = await loop.run_in_executor(executor, thread_name)
            with self.assertRaises(ZeroDivisionError):
                await loop.run_in_executor(executor, divmod, 1, 0)
            results = await asyncio.gather(*[loop.run_in_executor(executor, mul, i, i)
                                             for i in range(50)])
            return value, name, results
        value, name, results = asyncio.run(asyncio.wait_for(main(), HANG_TIMEOUT))
        self.assertEqual(value, 42)
        self.assertRegex(name, r'^Asyncio_[01]$')
        self.assertEqual(results, [i * i for i in range(50)])

    def test_default_executor_and_to_thread(self):
        executor = self.executor(2, thread_name_prefix='Default')

        async def main():
            loop = asyncio.get_running_loop()
            with warnings.catch_warnings():
                warnings.simplefilter('error')
                loop.set_default_executor(executor)
            return (await asyncio.to_thread(thread_name),
                    await asyncio.to_thread(mul, 3, y=4),
                    await loop.run_in_executor(None, mul, 5, 6))
        name, product, other = asyncio.run(asyncio.wait_for(main(), HANG_TIMEOUT))
        self.assertRegex(name, r'^Default_[01]$')
        self.assertEqual((product, other), (12, 30))
        # asyncio.run() shuts its default executor down.
        with self.assertRaises(RuntimeError):
            executor.submit(int)

    def test_wrap_future(self):
        executor, gate, holders = self.held_executor(1)
        record = Recorder()

        async def main():
            queued = executor.submit(record, 'cancelled')
            wrapped = asyncio.wrap_future(queued)
            wrapped.cancel()
            cancelled = asyncio.Event()
            loop = asyncio.get_running_loop()
            queued.add_done_callback(lambda _: loop.call_soon_threadsafe(cancelled.set))
            await cancelled.wait()
            gate.set()
            with self.assertRaises(ZeroDivisionError):
                await asyncio.wrap_future(executor.submit(divmod, 1, 0))
            return await asyncio.wrap_future(executor.submit(mul, 3, 4)), queued
        value, queued = asyncio.run(asyncio.wait_for(main(), HANG_TIMEOUT))
        self.assertEqual(value, 12)
        self.assertTrue(queued.cancelled())
        executor.shutdown(wait=True)
        self.assertEqual(record.seen, [])


class TestThreadPoolExecutor(ExecutorBehaviour, unittest.TestCase):
    """The tests hold for the standard executor."""

    executor_type = ThreadPoolExecutor
    import_executor = 'from concurrent.futures import ThreadPoolExecutor as Executor\n'


class TestMwtExecutor(ExecutorBehaviour, unittest.TestCase):
    """And for Mwt.Executor."""

    executor_type = Mwt.Executor
    import_executor = ('import gi\n'
                       'gi.require_version("Mwt", "1")\n'
                       'from gi.repository import Mwt\n'
                       'Executor = Mwt.Executor\n')


# What only Mwt.Executor has ------------------------------------------------------

class StateRecorder:
    """An initializer and an at_exit that note the thread of each state."""

    def __init__(self):
        self.lock = threading.Lock()
        self.states = []
        self.exits = []

    def initializer(self, tag):
        state = {'tag': tag, 'thread': threading.get_ident()}
        with self.lock:
            self.states.append(state)
        return state

    def at_exit(self, state):
        with self.lock:
            self.exits.append((state, threading.get_ident()))


class TestMwtExecutorExtras(unittest.TestCase):

    def setUp(self):
        self.gates = []
        self.addCleanup(lambda: [gate.set() for gate in self.gates])

    def gate(self):
        event = threading.Event()
        self.gates.append(event)
        return event

    def test_a_thread_pool_executor_for_asyncio(self):
        self.assertTrue(issubclass(Mwt.Executor, ThreadPoolExecutor))

    def test_at_exit_must_be_callable(self):
        with self.assertRaisesRegex(TypeError, 'at_exit must be a callable'):
            Mwt.Executor(1, at_exit=42)

    def test_thread_state_is_what_the_initializer_returned(self):
        recorder = StateRecorder()
        with Mwt.Executor(3, initializer=recorder.initializer, initargs=('tag',),
                          at_exit=recorder.at_exit) as executor:
            barrier = threading.Barrier(3, timeout=HANG_TIMEOUT)

            def call():
                barrier.wait()
                return Mwt.get_thread_state(), threading.get_ident()
            seen = [future.result(HANG_TIMEOUT) for future in
                    [executor.submit(call) for _ in range(3)]]
            for state, thread in seen:
                self.assertEqual(state, {'tag': 'tag', 'thread': thread})
            self.assertEqual(sorted(id(state) for state, _ in seen),
                             sorted(id(state) for state in recorder.states))
        with self.assertRaises(RuntimeError):
            Mwt.get_thread_state()

    def test_at_exit_releases_each_state_in_its_thread(self):
        recorder = StateRecorder()
        executor = Mwt.Executor(3, initializer=recorder.initializer, initargs=('tag',),
                                at_exit=recorder.at_exit)
        executor.submit(int).result(HANG_TIMEOUT)
        self.assertEqual(recorder.exits, [])
        executor.shutdown(wait=True)
        self.assertEqual(len(recorder.exits), len(recorder.states))
        self.assertEqual(sorted(id(state) for state, _ in recorder.exits),
                         sorted(id(state) for state in recorder.states))
        for state, thread in recorder.exits:
            self.assertEqual(state['thread'], thread)

    def test_at_exit_without_initializer_gets_none(self):
        exits = []
        with Mwt.Executor(2, at_exit=exits.append) as executor:
            self.assertIsNone(executor.submit(Mwt.get_thread_state).result(HANG_TIMEOUT))
        self.assertEqual(exits, [None, None])

    def test_submit_with_priority(self):
        gate = self.gate()
        record = Recorder()
        with Mwt.Executor(1) as executor:
            started = threading.Event()

            def hold():
                started.set()
                wait_for(gate, 'the gate')
            executor.submit(hold)
            wait_for(started, 'the held call')
            priorities = [5, GLib.PRIORITY_DEFAULT, -3, 5, GLib.PRIORITY_HIGH, 0, -3, 5, 2]
            futures = [executor.submit_with_priority(priority, record, (priority, i))
                       for i, priority in enumerate(priorities)]
            futures.append(executor.submit(record, (GLib.PRIORITY_DEFAULT, len(priorities))))
            gate.set()
        self.assertTrue(all(future.done() for future in futures))
        # Lower first, first in first out within a priority.
        self.assertEqual(record.seen, sorted(record.seen))
        self.assertEqual(len(record.seen), len(priorities) + 1)

    def test_priority_of_calls_submitted_while_the_threads_start(self):
        may_start = self.gate()
        record = Recorder()
        priorities = [5, GLib.PRIORITY_DEFAULT, -3, 5, GLib.PRIORITY_HIGH, 0, -3, 5, 2]
        with Mwt.Executor(1, initializer=wait_for, initargs=(may_start, 'the gate')) as executor:
            futures = [executor.submit_with_priority(priority, record, (priority, i))
                       for i, priority in enumerate(priorities)]
            may_start.set()
        self.assertTrue(all(future.done() for future in futures))
        self.assertEqual(record.seen, sorted(record.seen))
        self.assertEqual(len(record.seen), len(priorities))

    def test_pool_of_a_broken_or_shut_down_executor(self):
        broken = Mwt.Executor(1, initializer=fail, initargs=('broken',))
        with self.assertLogs('concurrent.futures', 'CRITICAL'):
            with self.assertRaises(BrokenThreadPool):
                broken.pool
        broken.shutdown()
        unused = Mwt.Executor(1)
        unused.shutdown()
        with self.assertRaises(RuntimeError):
            unused.pool

    def test_resizing_through_the_pool(self):
        recorder = StateRecorder()
        with Mwt.Executor(1, thread_name_prefix='Resized', initializer=recorder.initializer,
                          initargs=('tag',), at_exit=recorder.at_exit) as executor:
            self.assertEqual(executor.submit(mul, 2, 2).result(HANG_TIMEOUT), 4)
            executor.pool.set_n_threads(3)
            self.assertEqual(executor.pool.get_n_threads(), 3)
            barrier = threading.Barrier(3, timeout=HANG_TIMEOUT)

            def call():
                barrier.wait()
                return thread_name(), Mwt.get_thread_state()['thread'] == threading.get_ident()
            seen = [future.result(HANG_TIMEOUT) for future in
                    [executor.submit(call) for _ in range(3)]]
            self.assertEqual({name for name, _ in seen}, {'Resized_0', 'Resized_1', 'Resized_2'})
            self.assertTrue(all(own_state for _, own_state in seen))
            executor.pool.props.n_threads = 1
            self.assertEqual(executor.pool.get_n_threads(), 1)
            self.assertEqual(executor.submit(mul, 3, 3).result(HANG_TIMEOUT), 9)
        self.assertEqual(len(recorder.states), 3)
        self.assertEqual(len(recorder.exits), 3)
        for state, thread in recorder.exits:
            self.assertEqual(state['thread'], thread)

    def test_run_in_main_from_a_call(self):
        loop = GLib.MainLoop()
        with Mwt.Executor(2) as executor:
            def on_main(value):
                return value, threading.current_thread() is threading.main_thread()

            def call():
                return Mwt.run_in_main(on_main, 'value')
            future = executor.submit(call)
            future.add_done_callback(Mwt.in_main(lambda _: loop.quit()))
            run_until(future.done)
            self.assertEqual(future.result(0), ('value', True))

    def test_done_callback_in_main(self):
        seen = []
        with Mwt.Executor(2) as executor:
            def show(future):
                on_main = threading.current_thread() is threading.main_thread()
                seen.append((future.result(), on_main))
            futures = [executor.submit(mul, i, 2) for i in range(20)]
            for future in futures:
                future.add_done_callback(Mwt.in_main(show))
            run_until(lambda: len(seen) == len(futures))
        self.assertCountEqual(seen, [(i * 2, True) for i in range(20)])

    def test_calls_fail_once_the_pool_closed(self):
        with Mwt.Executor(2) as executor:
            self.assertEqual(executor.submit(mul, 2, 3).result(HANG_TIMEOUT), 6)
            executor.pool.close()
            futures = [executor.submit(mul, i, 2) for i in range(3)]
            for future in futures:
                with self.assertRaises(BrokenThreadPool):
                    future.result(HANG_TIMEOUT)
            # The calls that come later too, each of them.
            with self.assertRaises(BrokenThreadPool):
                executor.submit(mul, 1, 1).result(HANG_TIMEOUT)

    def test_pool_is_an_mwt_pool(self):
        with Mwt.Executor(2) as executor:
            self.assertIsInstance(executor.pool, Mwt.Pool)
            self.assertEqual(executor.pool.get_n_threads(), 2)
        with self.assertRaises(RuntimeError):
            executor.submit(int)


if __name__ == '__main__':
    unittest.main()
