#!/usr/bin/python3
# SPDX-FileCopyrightText: 2026 The mwt authors
# SPDX-License-Identifier: LGPL-2.1-or-later

"""mwt from Python against concurrent.futures.ThreadPoolExecutor, side by side.

Each way runs the same tiny task on 2 threads that each carry a state (for
the standard executor, a threading.local that its initializer fills).

Results handed to a function on the GLib main loop:

  mwt        pool.run_async(task, None, done); done() calls run_finish()
  executor   executor.submit(task) + one GLib.idle_add() per result
  batched    executor.submit(task) + results put on a queue.SimpleQueue,
             one GLib.idle_add() per batch, which empties the queue

  burst       tasks/s: 10,000 tasks submitted at once from the loop, until
              the last result is in (ratio mwt/other: higher is better)
  round trip  us per task, one at a time: submit, result on the loop,
              submit the next (ratio mwt/other: lower is better)
  timer gap   the gaps between the runs of a 10 ms GLib.timeout on the
              same loop while 10,000 results arrive, submitted 100 at a
              time from an idle: p99 and max over every repetition, in ms

Futures, without a main loop (Mwt.Executor against ThreadPoolExecutor):

  submit      tasks/s: 10,000 submit() calls, then every result()
  submit rt   us per task: submit(...).result(), one at a time
  map         s: list(executor.map(task, range(100000)))

Memory: the growth of the resident set per task over 200,000 tasks, after
a warm-up of 120,000, for run_async() with a callback and for
Mwt.Executor.submit(). The resident set steps up by about 2.5 MB over the
first 100,000 tasks (allocator arenas, free lists, dictionaries at their
largest), then stays flat however many follow.

Figures are medians over the repetitions; each ratio is the median of the
ratios of the pairs measured back to back in one repetition, the order of
the ways alternating from one repetition to the next, and the range of
those ratios says how much they spread.

Run it from the source tree, after building into build/:

  PYTHONPATH=bindings/python GI_TYPELIB_PATH=build/mwt LD_LIBRARY_PATH=build/mwt \\
    /usr/bin/python3 bench/mwt-python-bench.py
"""

import argparse
import concurrent.futures
import gc
import os
import queue
import statistics
import threading
import time

import gi
gi.require_version('Mwt', '1')
from gi.repository import GLib, Mwt  # noqa: E402

N_THREADS = 2
# Rounds of memory_growth() before the one measured: 120,000 tasks.
WARM_UP_ROUNDS = 6


# The task, and the state of each thread -------------------------------------

def make_state():
    return {'count': 0}


def tiny(state, i):
    state['count'] += 1
    return i


# The three ways -------------------------------------------------------------
#
# submit(i, deliver) runs tiny(state, i) on a pool thread and then
# deliver(result) on the main loop.

def _deliver_result(pool, result, deliver):
    deliver(pool.run_finish(result))


class MwtWay:
    name = 'mwt'

    def __init__(self):
        self.pool = Mwt.Pool.new(N_THREADS, make_state)

    def submit(self, i, deliver):
        self.pool.run_async(tiny, None, _deliver_result, deliver, args=(i,))

    def close(self):
        self.pool.close()


_local = threading.local()


def _initializer():
    _local.state = make_state()


def _executor_task(i):
    return tiny(_local.state, i)


class ExecutorWay:
    name = 'executor'

    def __init__(self):
        self.executor = concurrent.futures.ThreadPoolExecutor(N_THREADS, initializer=_initializer)

    def submit(self, i, deliver):
        def on_main(future):
            deliver(future.result())
            return GLib.SOURCE_REMOVE

        future = self.executor.submit(_executor_task, i)
        future.add_done_callback(lambda future: GLib.idle_add(on_main, future))

    def close(self):
        self.executor.shutdown()


class BatchedWay(ExecutorWay):
    name = 'batched'

    def __init__(self):
        super().__init__()
        self.results = queue.SimpleQueue()
        self.lock = threading.Lock()
        self.scheduled = False

    def _empty_queue(self):
        with self.lock:
            self.scheduled = False
        while True:
            try:
                future, deliver = self.results.get_nowait()
            except queue.Empty:
                return GLib.SOURCE_REMOVE
            deliver(future.result())

    def submit(self, i, deliver):
        def done(future):
            self.results.put((future, deliver))
            with self.lock:
                if self.scheduled:
                    return
                self.scheduled = True
            GLib.idle_add(self._empty_queue)

        self.executor.submit(_executor_task, i).add_done_callback(done)


WAYS = [MwtWay, ExecutorWay, BatchedWay]


def _mwt_executor_task(i):
    return tiny(Mwt.get_thread_state(), i)


class MwtExecutorWay:
    name = 'mwt'

    def __init__(self):
        self.executor = Mwt.Executor(N_THREADS, initializer=make_state)
        self.task = _mwt_executor_task

    def close(self):
        self.executor.shutdown()


class ThreadPoolWay:
    name = 'executor'

    def __init__(self):
        self.executor = concurrent.futures.ThreadPoolExecutor(N_THREADS, initializer=_initializer)
        self.task = _executor_task

    def close(self):
        self.executor.shutdown()


EXECUTOR_WAYS = [MwtExecutorWay, ThreadPoolWay]


# The figures ----------------------------------------------------------------

def run_loop(start):
    """Runs a main loop from start(loop), an idle, until it quits."""
    loop = GLib.MainLoop()
    GLib.idle_add(lambda: start(loop) and GLib.SOURCE_REMOVE)
    loop.run()


def burst(way, n):
    """Tasks per second, n submitted at once."""
    times = []
    received = [0]

    def deliver(value):
        received[0] += 1
        if received[0] == n:
            times.append(time.perf_counter())
            loop.quit()

    def start(main_loop):
        nonlocal loop
        loop = main_loop
        times.append(time.perf_counter())
        for i in range(n):
            way.submit(i, deliver)

    loop = None
    run_loop(start)
    return n / (times[1] - times[0])


def round_trip(way, n):
    """Microseconds per task, one at a time."""
    times = []
    left = [n]

    def deliver(value):
        left[0] -= 1
        if left[0] == 0:
            times.append(time.perf_counter())
            loop.quit()
        else:
            way.submit(left[0], deliver)

    def start(main_loop):
        nonlocal loop
        loop = main_loop
        times.append(time.perf_counter())
        way.submit(left[0], deliver)

    loop = None
    run_loop(start)
    return (times[1] - times[0]) / n * 1e6


def timer_gaps(way, n):
    """The gaps, in ms, between the runs of a 10 ms timeout while n results
    arrive."""
    ticks = []
    received = [0]
    submitted = [0]

    def tick():
        ticks.append(time.perf_counter())
        return GLib.SOURCE_CONTINUE

    def deliver(value):
        received[0] += 1
        if received[0] == n:
            loop.quit()

    def submit_some():
        for _ in range(min(100, n - submitted[0])):
            way.submit(submitted[0], deliver)
            submitted[0] += 1
        return submitted[0] < n

    def start(main_loop):
        nonlocal loop
        loop = main_loop
        ticks.append(time.perf_counter())
        timer_id = GLib.timeout_add(10, tick)
        sources.append(timer_id)
        GLib.idle_add(submit_some)

    loop = None
    sources = []
    run_loop(start)
    GLib.source_remove(sources[0])
    ticks.append(time.perf_counter())
    return [(b - a) * 1000 for a, b in zip(ticks, ticks[1:])]


def submit_burst(way, n):
    """Tasks per second: n submit() calls, then every result()."""
    executor, task = way.executor, way.task
    start = time.perf_counter()
    futures = [executor.submit(task, i) for i in range(n)]
    for future in futures:
        future.result()
    return n / (time.perf_counter() - start)


def submit_round_trip(way, n):
    """Microseconds per task: submit(...).result(), one at a time."""
    executor, task = way.executor, way.task
    start = time.perf_counter()
    for i in range(n):
        executor.submit(task, i).result()
    return (time.perf_counter() - start) / n * 1e6


def map_items(way, n):
    """Seconds for list(executor.map(task, range(n)))."""
    start = time.perf_counter()
    results = list(way.executor.map(way.task, range(n)))
    assert len(results) == n
    return time.perf_counter() - start


def rss_bytes():
    with open('/proc/self/statm') as statm:
        return int(statm.read().split()[1]) * os.sysconf('SC_PAGE_SIZE')


def memory_growth(n, rounds):
    """Bytes of resident set gained per task, over rounds of n tasks after
    WARM_UP_ROUNDS of them: run_async() with a callback, and
    Mwt.Executor.submit()."""
    pool = Mwt.Pool.new(N_THREADS, make_state)
    executor = Mwt.Executor(N_THREADS, initializer=make_state)
    loop = GLib.MainLoop()
    left = [0]

    def done(pool, result):
        pool.run_finish(result)
        left[0] -= 1
        if left[0] == 0:
            loop.quit()

    def run_async_round():
        left[0] = n
        for i in range(n):
            pool.run_async(tiny, None, done, args=(i,))
        loop.run()

    def executor_round():
        for future in [executor.submit(_mwt_executor_task, i) for i in range(n)]:
            future.result()

    growth = {}
    for name, run_round in (('run_async', run_async_round), ('executor', executor_round)):
        for _ in range(WARM_UP_ROUNDS):
            run_round()
        gc.collect()
        before = rss_bytes()
        for _ in range(rounds):
            run_round()
        gc.collect()
        growth[name] = (rss_bytes() - before) / (n * rounds)
    executor.shutdown()
    pool.close()
    return growth


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p / 100))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--tasks', type=int, default=10000, help='tasks per burst and per timer run')
    parser.add_argument('--round-trips', type=int, default=2000, help='tasks per round-trip run')
    parser.add_argument('--map-items', type=int, default=100000, help='items of a map() run')
    parser.add_argument('--memory-tasks', type=int, default=200000,
                        help='tasks over which memory growth is measured, each way')
    parser.add_argument('--repeats', type=int, default=7, help='repetitions of every figure')
    parser.add_argument('--only', choices=['memory', 'burst', 'round-trip', 'timer', 'submit',
                                           'submit-round-trip', 'map'],
                        help='measure one group of figures (to profile it)')
    parser.add_argument('--smoke', action='store_true', help='tiny sizes, one repetition')
    args = parser.parse_args()
    if args.smoke:
        args.tasks, args.round_trips, args.map_items, args.memory_tasks, args.repeats = \
            300, 30, 3000, 3000, 1

    all_groups = ['burst', 'round-trip', 'timer', 'submit', 'submit-round-trip', 'map']
    groups = [args.only] if args.only else all_groups
    figures = {'burst': burst, 'round-trip': round_trip, 'timer': timer_gaps,
               'submit': submit_burst, 'submit-round-trip': submit_round_trip, 'map': map_items}
    sizes = {'burst': args.tasks, 'round-trip': args.round_trips, 'timer': args.tasks,
             'submit': args.tasks, 'submit-round-trip': args.round_trips, 'map': args.map_items}
    ways = {'submit': EXECUTOR_WAYS, 'submit-round-trip': EXECUTOR_WAYS, 'map': EXECUTOR_WAYS}

    # First, in a process that has run nothing else yet.
    growth = None
    if args.only in (None, 'memory'):
        rounds = 10
        growth = memory_growth(max(1, args.memory_tasks // rounds), rounds)
        groups = [group for group in groups if group != 'memory']

    # measured[group][repetition][way name]
    measured = {group: [] for group in groups}
    for repetition in range(args.repeats):
        for group in groups:
            group_ways = ways.get(group, WAYS)
            order = group_ways if repetition % 2 == 0 else group_ways[::-1]
            values = {}
            for way_class in order:
                way = way_class()
                gc.collect()
                values[way.name] = figures[group](way, sizes[group])
                way.close()
            measured[group].append(values)

    load = os.getloadavg()
    print('mwt-python-bench: %d threads, %d repetitions, load average %.2f %.2f %.2f (%d CPUs)'
          % (N_THREADS, args.repeats, *load, os.cpu_count()))
    print('%-34s %12s %-5s %-10s %12s %8s %-13s %s'
          % ('figure', 'mwt', 'unit', 'against', 'value', 'ratio', 'ratio range', 'target'))

    def row(figure, unit, key, other, target, at_least):
        ours = statistics.median(values['mwt'] for values in measured[key])
        theirs = statistics.median(values[other] for values in measured[key])
        ratios = [values['mwt'] / values[other] for values in measured[key]]
        ratio = statistics.median(ratios)
        met = '' if at_least is None else ('met' if ratio >= at_least else 'NOT MET')
        print(('%-34s %12.1f %-5s %-10s %12.1f %7.2fx %-13s %s %s'
               % (figure, ours, unit, other, theirs, ratio,
                  '%.2f-%.2fx' % (min(ratios), max(ratios)), target, met)).rstrip())

    if growth is not None:
        for name, value in growth.items():
            print('%-34s %12.1f %-5s %-10s %12s %8s %-13s %s %s'
                  % ('memory growth, %s (B/task)' % name, value, 'B', '', '', '', '',
                     '<= 10 B', 'met' if value <= 10 else 'NOT MET'))
    if 'burst' in measured:
        row('burst 10k tasks (tasks/s)', '1/s', 'burst', 'executor', '>= 2x', 2.0)
        row('burst 10k tasks (tasks/s)', '1/s', 'burst', 'batched', '>= 1.5x', 1.5)
    if 'round-trip' in measured:
        for other in ('executor', 'batched'):
            row('round trip (us)', 'us', 'round-trip', other, '', None)
    if 'timer' in measured:
        for name in ('mwt', 'executor', 'batched'):
            gaps = [gap for values in measured['timer'] for gap in values[name]]
            p99 = percentile(gaps, 99)
            target = ('<= 20 ms ' + ('met' if p99 <= 20 else 'NOT MET')) if name == 'mwt' else ''
            print(('%-34s %12.1f %-5s %-10s %12s %8s %-13s %s'
                   % ('timer gap p99, %s (ms)' % name, p99, 'ms', '(max)', '%.1f' % max(gaps),
                      '%d gaps' % len(gaps), '', target)).rstrip())
    if 'submit' in measured:
        row('Executor submit+result (tasks/s)', '1/s', 'submit', 'executor', '>= 1x', 1.0)
    if 'submit-round-trip' in measured:
        row('Executor submit().result() (us)', 'us', 'submit-round-trip', 'executor', '', None)
    if 'map' in measured:
        ratios = [values['executor'] / values['mwt'] for values in measured['map']]
        ours = statistics.median(values['mwt'] for values in measured['map'])
        theirs = statistics.median(values['executor'] for values in measured['map'])
        ratio = statistics.median(ratios)
        print('%-34s %12.3f %-5s %-10s %12.3f %7.1fx %-13s %s %s'
              % ('Executor map %dk items (s)' % (args.map_items // 1000), ours, 's', 'executor',
                 theirs, ratio, '%.1f-%.1fx' % (min(ratios), max(ratios)),
                 '>= 10x as fast', 'met' if ratio >= 10 else 'NOT MET'))


if __name__ == '__main__':
    main()
