# SPDX-FileCopyrightText: 2026 The mwt authors
# SPDX-License-Identifier: LGPL-2.1-or-later

"""The Python API of mwt, through PyGObject and the Mwt override."""

import gc
import os
import pydoc
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import traceback
import typing
import unittest
import weakref

import gi
gi.require_version('Mwt', '1')
from gi.repository import Gio, GLib, Mwt  # noqa: E402

from mwt_testing import HANG_TIMEOUT, run_until  # noqa: E402

def collected_until(predicate, timeout=HANG_TIMEOUT):
    """Like run_until(), collecting garbage before each check."""
    def check():
        gc.collect()
        return predicate()
    # The collection itself may queue work on the context: check often.
    ticker = GLib.timeout_add(10, lambda: True)
    try:
        run_until(check, timeout)
    finally:
        GLib.source_remove(ticker)


class Recorder:
    """init and at_exit functions that remember what they saw."""

    def __init__(self):
        self.lock = threading.Lock()
        self.states = []
        self.exited = []

    def init(self):
        state = {'thread': threading.get_ident(), 'seen': set()}
        with self.lock:
            self.states.append(state)
        return state

    def at_exit(self, state):
        assert state['thread'] == threading.get_ident()
        with self.lock:
            self.exited.append(state)


def collect(results):
    """A run_async callback that appends what run_finish gives, or raises."""
    def done(source, result):
        try:
            results.append(('value', source.run_finish(result)))
        except BaseException as exception:
            results.append(('raised', exception))
    return done


def run(pool, func, cancellable=None):
    """Runs func on the pool and returns what run_finish gives."""
    outcome = []
    pool.run_async(func, cancellable, collect(outcome))
    run_until(lambda: outcome)
    kind, value = outcome[0]
    if kind == 'raised':
        raise value
    return value


class CaughtHooks:
    """Records what reaches sys.excepthook and sys.unraisablehook (PyGObject
    prints the exceptions of callbacks through sys.excepthook)."""

    def __enter__(self):
        self.caught = []
        self.saved = sys.excepthook, sys.unraisablehook
        sys.excepthook = lambda *args: self.caught.append(args[1])
        sys.unraisablehook = lambda unraisable: self.caught.append(unraisable.exc_value)
        return self.caught

    def __exit__(self, *_exc_info):
        sys.excepthook, sys.unraisablehook = self.saved
        return False


class TestPool(unittest.TestCase):

    def test_state_is_any_object_per_thread(self):
        recorder = Recorder()
        pool = Mwt.Pool.new(4, recorder.init, recorder.at_exit)
        self.assertEqual(len(recorder.states), 4)

        def note(state):
            state['seen'].add(threading.get_ident())
            return state

        for _ in range(200):
            state = run(pool, note)
            self.assertIn(state, recorder.states)

        pool.close(None)
        # Each state saw only its own thread, and went back to it at exit.
        for state in recorder.states:
            self.assertLessEqual(state['seen'], {state['thread']})
        self.assertEqual(sorted(map(id, recorder.exited)), sorted(map(id, recorder.states)))

    def test_four_tasks_run_at_the_same_time(self):
        pool = Mwt.Pool.new(4)
        barrier = threading.Barrier(4, timeout=HANG_TIMEOUT)
        results = []

        def meet(state):
            return barrier.wait()

        for _ in range(4):
            pool.run_async(meet, None, lambda source, result: results.append(source.run_finish(result)))
        run_until(lambda: len(results) == 4)
        self.assertEqual(sorted(results), [0, 1, 2, 3])
        pool.close(None)

    def test_exception_in_task_is_raised_by_run_finish(self):
        pool = Mwt.Pool.new(1)

        def fail(state):
            raise KeyError('missing')

        with self.assertRaises(KeyError):
            run(pool, fail)
        # The pool goes on working.
        self.assertEqual(run(pool, lambda state: 42), 42)
        pool.close(None)

    def test_failing_init_fails_creation(self):
        recorder = Recorder()
        calls = []

        def init():
            with recorder.lock:
                calls.append(None)
                if len(calls) == 2:
                    raise RuntimeError('no connection')
            return recorder.init()

        with CaughtHooks() as caught:
            with self.assertRaises(RuntimeError) as raised:
                Mwt.Pool.new(3, init, recorder.at_exit)
        self.assertEqual(str(raised.exception), 'no connection')
        self.assertEqual(len(recorder.states), 2)
        self.assertEqual(len(recorder.exited), 2)
        self.assertEqual(caught, [])

    def test_new_async(self):
        recorder = Recorder()
        pools = []

        Mwt.Pool.new_async(2, recorder.init, recorder.at_exit, None,
                           lambda source, result: pools.append(Mwt.Pool.new_finish(result)))
        run_until(lambda: pools)
        self.assertEqual(len(recorder.states), 2)
        self.assertIn(run(pools[0], lambda state: state), recorder.states)
        pools[0].close(None)
        self.assertEqual(len(recorder.exited), 2)

    def test_new_async_with_a_failing_init(self):
        outcomes = []

        def init():
            raise ValueError('bad configuration')

        def created(source, result):
            try:
                outcomes.append(Mwt.Pool.new_finish(result))
            except ValueError as exception:
                outcomes.append(exception)

        Mwt.Pool.new_async(2, init, None, None, created)
        run_until(lambda: outcomes)
        self.assertIsInstance(outcomes[0], ValueError)
        self.assertEqual(str(outcomes[0]), 'bad configuration')

    def test_run_in_main_returns_the_value(self):
        pool = Mwt.Pool.new(2)
        main_thread = threading.get_ident()

        def ask_main(state):
            return Mwt.run_in_main(lambda: ('main', threading.get_ident()))

        self.assertEqual(run(pool, ask_main), ('main', main_thread))

        def ask_main_to_fail(state):
            return Mwt.run_in_main(lambda: 1 / 0)

        with self.assertRaises(ZeroDivisionError):
            run(pool, ask_main_to_fail)
        pool.close(None)

    def test_close_async_and_closed_errors(self):
        recorder = Recorder()
        pool = Mwt.Pool.new(2, recorder.init, recorder.at_exit)
        closed = []

        pool.close_async(None, lambda source, result: closed.append(source.close_finish(result)))
        self.assertTrue(pool.is_closed())
        run_until(lambda: closed)
        self.assertEqual(closed, [True])
        self.assertEqual(len(recorder.exited), 2)

        with self.assertRaises(GLib.Error) as caught:
            run(pool, lambda state: None)
        self.assertTrue(caught.exception.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CLOSED))

    def test_drain_and_close_async_without_a_callback(self):
        pool = Mwt.Pool.new(2)
        pool.close_async()
        self.assertTrue(pool.is_closed())
        # Nothing to call back: user data without a callback is ignored,
        # and not kept (valgrind's pass of this suite checks).
        pool = Mwt.Pool.new(1)
        pool.drain_async(None, None, 'ignored')
        self.assertTrue(pool.drain())
        pool.close_async(None, None, 'ignored')
        self.assertTrue(pool.is_closed())

    def test_cancelled_while_queued(self):
        pool = Mwt.Pool.new(1)
        gate = threading.Event()
        cancellable = Gio.Cancellable()
        outcomes = []

        def done(source, result):
            try:
                outcomes.append(source.run_finish(result))
            except GLib.Error as error:
                outcomes.append(error.code)

        pool.run_async(lambda state: gate.wait(HANG_TIMEOUT), None, done)
        pool.run_async(lambda state: 'ran', cancellable, done)
        cancellable.cancel()
        run_until(lambda: outcomes)
        self.assertEqual(outcomes, [Gio.IOErrorEnum.CANCELLED])
        gate.set()
        run_until(lambda: len(outcomes) == 2)
        pool.close(None)

    def test_many_tasks_nothing_lost_no_leak(self):
        recorder = Recorder()
        pool = Mwt.Pool.new(2, recorder.init, recorder.at_exit)
        results = []
        marker = object()
        state_refs = [sys.getrefcount(state) for state in recorder.states]
        marker_refs = sys.getrefcount(marker)

        def task(state):
            return (marker, state['thread'])

        def done(source, result):
            results.append(source.run_finish(result))

        for _ in range(10000):
            pool.run_async(task, None, done)
        run_until(lambda: len(results) == 10000)
        self.assertTrue(all(value[0] is marker for value in results))
        del results[:]
        gc.collect()
        self.assertEqual(sys.getrefcount(marker), marker_refs)
        self.assertEqual([sys.getrefcount(state) for state in recorder.states], state_refs)
        pool.close(None)


class TestExtras(unittest.TestCase):

    def test_drain_waits_for_earlier_tasks(self):
        pool = Mwt.Pool.new(2)
        results = []
        drained = []

        for i in range(100):
            pool.run_async(lambda state, i=i: i, None,
                           lambda source, result: results.append(source.run_finish(result)))
        pool.drain_async(None, lambda source, result: drained.append((source.drain_finish(result), len(results))))
        run_until(lambda: drained)
        self.assertEqual(drained, [(True, 100)])
        self.assertFalse(pool.is_closed())
        pool.close(None)

    def test_current_pool_and_context(self):
        pool = Mwt.Pool.new(1)
        self.assertIsNone(Mwt.Pool.get_current())
        self.assertEqual(pool.get_context(), GLib.MainContext.default())
        self.assertIs(run(pool, lambda state: Mwt.Pool.get_current()), pool)

        posted = []

        def post(state):
            context = Mwt.Pool.get_current().get_context()
            context.invoke_full(GLib.PRIORITY_DEFAULT, lambda: posted.append(threading.get_ident()))

        # Owned, as under GLib.MainLoop.run(): invoke_full() then always
        # queues the function instead of running it on the caller.
        context = GLib.MainContext.default()
        self.assertTrue(context.acquire())
        run(pool, post)
        run_until(lambda: posted)
        context.release()
        self.assertEqual(posted, [threading.get_ident()])
        pool.close(None)

    def test_counters_and_notify(self):
        pool = Mwt.Pool.new(2)
        gate = threading.Event()
        notified = []
        results = []

        pool.connect('notify::n-busy', lambda pool, pspec: notified.append(threading.get_ident()))
        for _ in range(5):
            pool.run_async(lambda state: gate.wait(HANG_TIMEOUT), None,
                           lambda source, result: results.append(source.run_finish(result)))
        run_until(lambda: pool.props.n_busy == 2 and notified)
        self.assertEqual(pool.props.n_queued, 3)
        gate.set()
        run_until(lambda: len(results) == 5)
        run_until(lambda: pool.props.n_busy == 0)
        self.assertEqual(set(notified), {threading.get_ident()})
        pool.close(None)

    def test_resize(self):
        recorder = Recorder()
        failing = threading.Event()

        def init():
            if failing.is_set():
                raise OSError('no more')
            return recorder.init()

        pool = Mwt.Pool.new(1, init, recorder.at_exit)

        pool.set_n_threads(3)
        self.assertEqual(pool.props.n_threads, 3)
        self.assertEqual(len(recorder.states), 3)

        failing.set()
        with self.assertRaises(OSError):
            pool.set_n_threads(5)
        self.assertEqual(pool.props.n_threads, 3)

        pool.set_n_threads(1)
        self.assertEqual(pool.props.n_threads, 1)
        pool.close(None)
        self.assertEqual(len(recorder.exited), 3)


class TestPythonic(unittest.TestCase):

    def test_run_async_takes_keywords_and_a_priority(self):
        pool = Mwt.Pool.new(1)
        gate = threading.Event()
        order = []

        pool.run_async(lambda state: gate.wait(HANG_TIMEOUT))
        run_until(lambda: pool.props.n_busy == 1)
        for name, priority in [('low', GLib.PRIORITY_LOW), ('default', GLib.PRIORITY_DEFAULT),
                               ('high', GLib.PRIORITY_HIGH), ('default 2', GLib.PRIORITY_DEFAULT)]:
            pool.run_async(lambda state, name=name: order.append(name),
                           callback=lambda source, result: source.run_finish(result),
                           priority=priority)
        gate.set()
        run_until(lambda: len(order) == 4)
        self.assertEqual(order, ['high', 'default', 'default 2', 'low'])

        results = []
        pool.run_async(lambda state: 'extra', None, lambda source, result, *data: results.append(
            (source.run_finish(result),) + data), 'a', 'b')
        run_until(lambda: results)
        self.assertEqual(results, [('extra', 'a', 'b')])
        pool.close()

    def test_cancelled_after_it_ran_raises_cancelled(self):
        # GIO's rule, as run_finish() in C: a cancellation that comes
        # before the callback wins over the function's result.
        pool = Mwt.Pool.new(1)
        cancellable = Gio.Cancellable()
        returned = threading.Event()
        outcome = []

        pool.run_async(lambda state: returned.set() or 'stale', cancellable, collect(outcome))
        self.assertTrue(returned.wait(HANG_TIMEOUT))
        cancellable.cancel()
        run_until(lambda: outcome)
        kind, value = outcome[0]
        self.assertEqual(kind, 'raised')
        self.assertTrue(value.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED))
        pool.close()

    def test_with_closes_the_pool(self):
        recorder = Recorder()
        with Mwt.Pool.new(2, recorder.init, recorder.at_exit) as pool:
            self.assertEqual(run(pool, lambda state: 7), 7)
            self.assertFalse(pool.is_closed())
        self.assertTrue(pool.is_closed())
        self.assertEqual(len(recorder.exited), 2)

        with self.assertRaises(ZeroDivisionError):
            with Mwt.Pool.new(1, recorder.init, recorder.at_exit) as pool:
                1 / 0
        self.assertTrue(pool.is_closed())
        self.assertEqual(len(recorder.exited), 3)

    def test_exception_keeps_the_task_traceback(self):
        pool = Mwt.Pool.new(1)

        def innermost(state):
            raise LookupError('deep down')

        def task(state):
            return innermost(state)

        def names_in_traceback(call):
            try:
                call()
            except LookupError as exception:
                return [frame.name for frame in traceback.extract_tb(exception.__traceback__)]
            self.fail('LookupError not raised')

        self.assertEqual(names_in_traceback(lambda: run(pool, task))[-2:], ['task', 'innermost'])
        self.assertEqual(names_in_traceback(lambda: pool.run_sync(task))[-2:], ['task', 'innermost'])
        pool.close()

    def test_run_sync(self):
        recorder = Recorder()
        pool = Mwt.Pool.new(2, recorder.init, recorder.at_exit)
        state = pool.run_sync(lambda state: state)
        self.assertIn(state, recorder.states)
        self.assertNotEqual(state['thread'], threading.get_ident())
        pool.close()

    def test_run_finish_after_the_callback(self):
        pool = Mwt.Pool.new(1)
        kept = []
        pool.run_async(lambda state: 'later', None, lambda source, result: kept.append(result))
        run_until(lambda: kept)
        gc.collect()
        self.assertEqual(pool.run_finish(kept[0]), 'later')
        pool.close()

    def test_help_shows_docstrings(self):
        text = pydoc.render_doc(Mwt.Pool, renderer=pydoc.plaintext)
        for name in ['new', 'new_async', 'new_finish', 'run_async', 'run_finish', 'run_sync',
                     'set_n_threads', 'close', 'close_finish']:
            self.assertTrue(getattr(Mwt.Pool, name).__doc__, name)
            self.assertIn(getattr(Mwt.Pool, name).__doc__.splitlines()[0], text)
        self.assertIn('each with its own state', text)
        self.assertIn('main context', Mwt.run_in_main.__doc__)


class TestIssue11(unittest.TestCase):
    """The defects of issue 11, each of which the override of commit e44e80a
    showed."""

    def test_failing_init_while_growing_keeps_the_queued_tasks(self):
        recorder = Recorder()
        calls = []

        def init():
            with recorder.lock:
                calls.append(None)
                if len(calls) == 3:  # the second new thread
                    raise OSError('no more connections')
            return recorder.init()

        with CaughtHooks() as caught:
            pool = Mwt.Pool.new(1, init, recorder.at_exit)
            gate = threading.Event()
            results = []
            pool.run_async(lambda state: gate.wait(HANG_TIMEOUT), None, collect(results))
            run_until(lambda: pool.props.n_busy == 1)
            for _ in range(30):
                pool.run_async(lambda state: state, None, collect(results))

            with self.assertRaises(OSError) as raised:
                pool.set_n_threads(3)
            self.assertEqual(str(raised.exception), 'no more connections')
            self.assertEqual(pool.props.n_threads, 1)

            gate.set()
            run_until(lambda: len(results) == 31)
            pool.close(None)

        # Every task ran, with the state of the one thread left.
        self.assertEqual(len(recorder.states), 2)
        self.assertEqual([r for r in results if r != ('value', True)],
                         [('value', recorder.states[0])] * 30)
        # The new thread whose init succeeded cleaned up.
        self.assertEqual(sorted(map(id, recorder.exited)), sorted(map(id, recorder.states)))
        self.assertEqual(caught, [])

    def test_get_current_in_init_leaves_the_pool_open(self):
        seen = []

        def init():
            seen.append(Mwt.Pool.get_current() is not None)
            return 'state'

        with CaughtHooks() as caught:
            pool = Mwt.Pool.new(2, init, None)
            gc.collect()
            self.assertEqual(seen, [True, True])
            self.assertFalse(pool.is_closed())
            self.assertEqual(run(pool, lambda state: state), 'state')
            pool.close(None)
        self.assertEqual(caught, [])

    def test_closed_pools_let_go_of_init_and_at_exit(self):
        recorders = []
        pools = []
        for _ in range(50):
            recorder = Recorder()
            pool = Mwt.Pool.new(1, recorder.init, recorder.at_exit)
            pool.close(None)
            pools.append(pool)
            recorders.append(weakref.ref(recorder))
        del recorder
        gc.collect()
        self.assertEqual(sum(ref() is not None for ref in recorders), 0)

    def test_an_owner_dropped_without_close_stops_its_threads(self):
        exits = []

        class Owner:
            def __init__(self):
                self.pool = Mwt.Pool.new(2, self.open, self.shut)

            def open(self):
                return 'connection'

            def shut(self, state):
                exits.append(threading.get_ident())

        Owner()
        collected_until(lambda: len(exits) == 2)
        collected_until(lambda: not any(isinstance(o, Owner) for o in gc.get_objects()))

    def test_scripts_exit_silently(self):
        scripts = {
            'closed pool in a module': ('helper', '''
                from gi.repository import Mwt
                pool = Mwt.Pool.new(2)
            ''', '''
                import helper
                helper.pool.close(None)
            '''),
            'closed pool in the script': (None, None, '''
                from gi.repository import GLib, Mwt
                pool = Mwt.Pool.new(2, dict, lambda state: None)
                loop = GLib.MainLoop()
                pool.run_async(lambda state: 1, None, lambda pool, result: loop.quit())
                loop.run()
                pool.close(None)
            '''),
            'open pool in a module': ('helper', '''
                from gi.repository import Mwt
                pool = Mwt.Pool.new(2)
            ''', '''
                import helper
            '''),
        }
        for name, (module, module_text, text) in scripts.items():
            with self.subTest(name):
                result = run_script(text, module, module_text)
                self.assertEqual((result.returncode, result.stderr), (0, ''))

    def test_ctrl_c_during_close_reaches_the_main_thread(self):
        pool = Mwt.Pool.new(1)
        results = []
        started = threading.Event()

        def task(state):
            # Once the main thread waits in close(), a Ctrl-C, which Python
            # sees in the next Python code that runs there: the function
            # given to run_in_main().
            started.set()
            deadline = time.monotonic() + HANG_TIMEOUT
            while not pool.is_closed() and time.monotonic() < deadline:
                time.sleep(0.001)
            signal.raise_signal(signal.SIGINT)
            return Mwt.run_in_main(lambda: 'ran on main')

        pool.run_async(task, None, collect(results))
        self.assertTrue(started.wait(HANG_TIMEOUT))
        with self.assertRaises(KeyboardInterrupt):
            pool.close(None)
        self.assertIs(signal.getsignal(signal.SIGINT), signal.default_int_handler)
        run_until(lambda: results)
        self.assertEqual(results, [('value', 'ran on main')])

    def test_sys_exit_in_run_in_main_reaches_the_main_thread(self):
        pool = Mwt.Pool.new(1)
        results = []
        gate = threading.Event()

        def task(state):
            gate.set()
            return Mwt.run_in_main(lambda: sys.exit(3))

        pool.run_async(task, None, collect(results))
        self.assertTrue(gate.wait(HANG_TIMEOUT))
        with self.assertRaises(SystemExit) as raised:
            pool.close(None)
        self.assertEqual(raised.exception.code, 3)
        run_until(lambda: results)
        kind, error = results[0]
        self.assertEqual(kind, 'raised')
        self.assertIsInstance(error, GLib.Error)
        self.assertTrue(error.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED))


def rss_bytes():
    """The resident set size of this process."""
    with open('/proc/self/statm') as statm:
        return int(statm.read().split()[1]) * os.sysconf('SC_PAGE_SIZE')


# Under valgrind, memory is valgrind's, and every task is much slower.
UNDER_VALGRIND = 'MWT_TEST_TIMEOUT_SCALE' in os.environ


class TestIssue17(unittest.TestCase):
    """The defects of issue 17, each shown by the override before it."""

    @unittest.skipIf(UNDER_VALGRIND, 'memory is valgrind\'s')
    def test_tasks_do_not_grow_native_memory(self):
        # PyGObject 3.42 kept the native closure of every callback passed
        # to C: about 256 bytes per run_async() with a callback. The exact
        # figure is bench/mwt-python-bench.py's; this bound is generous.
        pool = Mwt.Pool.new(2)
        executor = Mwt.Executor(2)
        n_tasks = 20000
        pending = []
        loop = GLib.MainLoop()

        def done(source, result):
            source.run_finish(result)
            pending.pop()
            if not pending:
                loop.quit()

        def tiny(state, value):
            return value

        def run_round():
            pending.extend(range(n_tasks))
            for _ in range(n_tasks):
                pool.run_async(tiny, None, done, args=(-1,))
            loop.run()
            for future in [executor.submit(abs, -1) for _ in range(n_tasks)]:
                future.result()

        for _ in range(2):  # warm-up: caches, free lists, dictionaries
            run_round()
        gc.collect()
        before = rss_bytes()
        for _ in range(5):
            run_round()
        gc.collect()
        growth = (rss_bytes() - before) / (5 * 2 * n_tasks)
        self.assertLess(growth, 40, 'native memory grows by %.1f bytes per task' % growth)
        executor.shutdown()
        pool.close()

    def test_the_constructor_gives_a_working_pool(self):
        recorder = Recorder()
        with CaughtHooks() as caught:
            pool = Mwt.Pool(n_threads=3)
            self.assertEqual(pool.get_n_threads(), 3)
            self.assertEqual(pool.run_sync(lambda state: 'ran'), 'ran')
            pool.close()
            pool = Mwt.Pool(2, recorder.init, recorder.at_exit)
            self.assertIn(run(pool, lambda state: state), recorder.states)
            pool.close()
            with self.assertRaises(TypeError):
                Mwt.Pool()
            gc.collect()
        self.assertEqual(caught, [])

    def test_with_runs_every_task_submitted_in_it(self):
        ran = []
        with Mwt.Pool.new(2) as pool:
            for i in range(600):
                pool.run_async(lambda state, i=i: ran.append(i))
        self.assertTrue(pool.is_closed())
        self.assertEqual(sorted(ran), list(range(600)))

    def test_tasks_queued_at_exit_run(self):
        result = run_script(r"""
            import os, threading
            from gi.repository import Mwt
            gate = threading.Event()
            pool = Mwt.Pool.new(2)
            pool.run_async(lambda state: gate.wait())
            for i in range(50):
                pool.run_async(lambda state, i=i: os.write(1, b'%d\n' % i))
            gate.set()
        """)
        self.assertEqual((result.returncode, result.stderr), (0, ''))
        self.assertEqual(sorted(map(int, result.stdout.split())), list(range(50)))

    def test_pools_dropped_without_a_main_loop_are_released(self):
        result = run_script(r"""
            import gc, threading
            from gi.repository import Mwt
            threads = threading.active_count()
            for _ in range(%d):
                pool = Mwt.Pool.new(2, dict, lambda state: None)
                pool.run_sync(lambda state: None)
                del pool
            gc.collect()
            print(sum(isinstance(o, Mwt.Pool) for o in gc.get_objects()),
                  threading.active_count() - threads)
        """ % (20 if UNDER_VALGRIND else 300))
        self.assertEqual((result.returncode, result.stderr), (0, ''))
        self.assertEqual(result.stdout.split(), ['0', '0'])

    def test_a_busy_pool_dropped_drains_then_goes(self):
        result = run_script(r"""
            import gc, os, threading
            from gi.repository import Mwt
            gate = threading.Event()
            pool = Mwt.Pool.new(1, None, lambda state: os.write(1, b'exit\n'))
            pool.run_async(lambda state: gate.wait())
            pool.run_async(lambda state: os.write(1, b'queued ran\n'))
            del pool
            gc.collect()
            gate.set()
        """)
        self.assertEqual((result.returncode, result.stderr), (0, ''))
        self.assertEqual(result.stdout, 'queued ran\nexit\n')

    def test_a_pool_dropped_as_it_closes_waits_for_its_threads(self):
        # Its last reference went while its threads still had at_exit to
        # run: finalized there, with the GIL held, it waited for them.
        result = run_script(r"""
            import os
            from gi.repository import Mwt
            for _ in range(20):
                pool = Mwt.Pool.new(2, None, lambda state: os.write(1, b'exit\n'))
                pool.close_async()
                del pool
            print('dropped')
        """)
        self.assertEqual((result.returncode, result.stderr), (0, ''))
        self.assertEqual(result.stdout, 'exit\n' * 40 + 'dropped\n')

    def test_setting_n_threads_resizes(self):
        pool = Mwt.Pool.new(1)
        pool.props.n_threads = 3
        self.assertEqual(pool.get_n_threads(), 3)
        pool.set_property('n-threads', 2)
        self.assertEqual(pool.props.n_threads, 2)
        self.assertEqual(Mwt.Pool.props.n_threads.name, 'n-threads')
        pool.close()

    def test_a_second_run_finish_raises(self):
        pool = Mwt.Pool.new(1)
        kept = []
        pool.run_async(lambda state: 'once', None, lambda source, result: kept.append(result))
        run_until(lambda: kept)
        self.assertEqual(pool.run_finish(kept[0]), 'once')
        with self.assertRaises(RuntimeError):
            pool.run_finish(kept[0])
        pool.close()

    def test_run_task_hands_the_thread_state(self):
        pool = Mwt.Pool.new(1, lambda: {'name': 'state'})
        outcome = []

        def in_thread(task, source_object, task_data, cancellable, state):
            task.return_boolean(state == {'name': 'state'})

        task = Gio.Task.new(None, None, lambda source, result, *data: outcome.append(
            result.propagate_boolean()))
        pool.run_task(task, in_thread)
        run_until(lambda: outcome)
        self.assertEqual(outcome, [True])
        pool.close()

    def test_new_async_calls_back_with_the_pool_as_source(self):
        sources = []
        Mwt.Pool.new_async(1, None, None, None, lambda source, result: sources.append(
            (source, Mwt.Pool.new_finish(result))))
        run_until(lambda: sources)
        source, pool = sources[0]
        self.assertIs(source, pool)
        self.assertIn('pool', Mwt.Pool.new_async.__doc__.split('callback(')[1].split(')')[0])
        pool.close()

    def test_pool_threads_have_names(self):
        pool = Mwt.Pool.new(2, name='readers')
        names = {pool.run_sync(lambda state: threading.current_thread().name) for _ in range(20)}
        self.assertLessEqual(names, {'readers_0', 'readers_1'})
        self.assertLessEqual({'readers_0', 'readers_1'}, {t.name for t in threading.enumerate()})
        self.assertFalse([t.name for t in threading.enumerate() if t.name.startswith('Dummy')])
        pool.close()
        self.assertFalse([t.name for t in threading.enumerate() if t.name.startswith('readers')])

    def test_run_sync_and_run_async_report_a_cancellation_during_the_run(self):
        pool = Mwt.Pool.new(1)
        cancellable = Gio.Cancellable()

        def cancel_while_running(state):
            cancellable.cancel()
            return 'stale'

        for call in (lambda: pool.run_sync(cancel_while_running, cancellable),
                     lambda: run(pool, cancel_while_running, cancellable)):
            cancellable.reset()
            with self.assertRaises(GLib.Error) as raised:
                call()
            self.assertTrue(raised.exception.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED))
        pool.close()


class TestConvention(unittest.TestCase):
    """One convention for every call, and help() that explains."""

    def test_every_method_takes_cancellable_callback_and_the_keyword_priority(self):
        pool = Mwt.Pool.new(1)
        done = []
        pool.drain_async(callback=lambda source, result: done.append(source.drain_finish(result)),
                         priority=GLib.PRIORITY_HIGH)
        run_until(lambda: done)
        results = []
        pool.run_async(lambda state, a, b=0: a + b, callback=collect(results), priority=GLib.PRIORITY_LOW,
                       args=(1,), kwargs={'b': 2})
        run_until(lambda: results)
        self.assertEqual(results, [('value', 3)])
        self.assertEqual(pool.run_sync(lambda state, a: a, priority=GLib.PRIORITY_HIGH, args=('x',)), 'x')
        for method in (pool.close_async, pool.drain_async):
            with self.assertRaises(TypeError) as raised:
                method(GLib.PRIORITY_DEFAULT, None, None)
            self.assertIn('priority=', str(raised.exception))
            with self.assertRaises(TypeError):
                method(io_priority=GLib.PRIORITY_DEFAULT)
        pool.close_async(callback=lambda source, result: done.append(source.close_finish(result)),
                         priority=GLib.PRIORITY_DEFAULT)
        run_until(lambda: len(done) == 2)
        self.assertEqual(done, [True, True])

    def test_help_explains_every_public_method(self):
        introspected = Mwt.Pool.__mro__[1]
        public = [name for name in vars(introspected) if not name.startswith('_')]
        self.assertIn('close_async', public)
        for name in public:
            method = vars(Mwt.Pool).get(name)
            self.assertIsNotNone(method, '%s is the introspected one' % name)
            self.assertTrue(getattr(Mwt.Pool, name).__doc__, name)
        text = pydoc.render_doc(Mwt.Pool.close_async, renderer=pydoc.plaintext)
        self.assertIn('close_async(self, cancellable: Optional[gi.repository.Gio.Cancellable] = None, '
                      'callback', text)
        self.assertIn('every thread has exited', text)

    def test_type_hints(self):
        hints = typing.get_type_hints(Mwt.Pool.run_async)
        self.assertEqual(hints['priority'], int)
        self.assertIn('fn', typing.get_type_hints(Mwt.Executor.submit))


class TestMainLoopGlue(unittest.TestCase):

    def test_run_in_main_dont_wait_runs_before_the_tasks_callback(self):
        pool = Mwt.Pool.new(1)
        order = []

        def task(state):
            Mwt.run_in_main_dont_wait(lambda: order.append(('post', threading.get_ident())))
            return 'result'

        pool.run_async(task, None, lambda source, result: order.append(source.run_finish(result)))
        run_until(lambda: len(order) == 2)
        self.assertEqual(order, [('post', threading.get_ident()), 'result'])
        pool.close()

    def test_in_main_delivers_a_future_on_the_main_thread(self):
        executor = Mwt.Executor(2)
        seen = []
        future = executor.submit(lambda: 'rows')
        future.add_done_callback(Mwt.in_main(lambda f: seen.append((f.result(), threading.get_ident()))))
        run_until(lambda: seen)
        self.assertEqual(seen, [('rows', threading.get_ident())])
        executor.shutdown()


class TestExit(unittest.TestCase):

    def test_open_pools_are_closed_at_exit(self):
        result = run_script('''
            import sys
            from gi.repository import GLib, Mwt
            pool = Mwt.Pool.new(2, lambda: 'state', lambda state: sys.stdout.write('exit %s\\n' % state))
            loop = GLib.MainLoop()
            pool.run_async(lambda state: 'ran', None,
                           lambda pool, result: (print(pool.run_finish(result)), loop.quit()))
            loop.run()
        ''')
        self.assertEqual((result.returncode, result.stderr), (0, ''))
        self.assertEqual(result.stdout, 'ran\nexit state\nexit state\n')


def run_script(text, module=None, module_text=None):
    """Runs a Python script in a new interpreter, with Mwt importable."""
    prologue = 'import gi\ngi.require_version("Mwt", "1")\n'
    with tempfile.TemporaryDirectory() as directory:
        if module is not None:
            with open(os.path.join(directory, module + '.py'), 'w') as file:
                file.write(prologue + textwrap.dedent(module_text))
        path = os.path.join(directory, 'script.py')
        with open(path, 'w') as file:
            file.write(prologue + textwrap.dedent(text))
        env = dict(os.environ)
        env['PYTHONPATH'] = os.pathsep.join([directory, env.get('PYTHONPATH', '')])
        return subprocess.run([sys.executable, path], env=env, capture_output=True, text=True,
                              timeout=HANG_TIMEOUT)


if __name__ == '__main__':
    unittest.main(verbosity=2)
