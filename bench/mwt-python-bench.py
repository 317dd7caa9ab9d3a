#!/usr/bin/python3
# SPDX-FileCopyrightText: 2026 The mwt authors
# SPDX-License-Identifier: LGPL-2.1-or-later

"""mwt from Python against concurrent.futures.ThreadPoolExecutor, side by side.

Each way runs the same tiny task on 2 threads that each carry a state (for
the executor, a threading.local that its initializer fills) and hands each
result to a function on the GLib main loop:

  mwt        pool.run_async(task, None, done); done() calls run_finish()
  executor   executor.submit(task) + one GLib.idle_add() per result
  batched    executor.submit(task) + results put on a queue.SimpleQueue,
             one GLib.idle_add() per batch, which empties the queue

Figures (medians over the repetitions; each ratio is the median of the
ratios of the pairs measured back to back in one repetition, the order of
the ways alternating from one repetition to the next):

  burst       tasks/s: 10,000 tasks submitted at once from the loop, until
              the last result is in (ratio mwt/other: higher is better)
  round trip  us per task, one at a time: submit, result on the loop,
              submit the next (ratio mwt/other: lower is better)
  timer gap   the gaps between the runs of a 10 ms GLib.timeout on the
              same loop while 10,000 results arrive, submitted 100 at a
              time from an idle: p99 and max over every repetition, in ms

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

class MwtWay:
    name = 'mwt'

    def __init__(self):
        self.pool = Mwt.Pool.new(N_THREADS, make_state)

    def submit(self, i, deliver):
        self.pool.run_async(lambda state: tiny(state, i), None,
                            lambda pool, result: deliver(pool.run_finish(result)))

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


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p / 100))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--tasks', type=int, default=10000, help='tasks per burst and per timer run')
    parser.add_argument('--round-trips', type=int, default=2000, help='tasks per round-trip run')
    parser.add_argument('--repeats', type=int, default=7, help='repetitions of every figure')
    parser.add_argument('--only', choices=['burst', 'round-trip', 'timer'],
                        help='measure one group of figures (to profile it)')
    parser.add_argument('--smoke', action='store_true', help='tiny sizes, one repetition')
    args = parser.parse_args()
    if args.smoke:
        args.tasks, args.round_trips, args.repeats = 300, 30, 1

    groups = [args.only] if args.only else ['burst', 'round-trip', 'timer']
    figures = {'burst': burst, 'round-trip': round_trip, 'timer': timer_gaps}
    sizes = {'burst': args.tasks, 'round-trip': args.round_trips, 'timer': args.tasks}
    # measured[group][repetition][way name]
    measured = {group: [] for group in groups}

    for repetition in range(args.repeats):
        order = WAYS if repetition % 2 == 0 else WAYS[::-1]
        for group in groups:
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
    print('%-28s %12s %-5s %-10s %12s %8s  %s' % ('figure', 'mwt', 'unit', 'against', 'value', 'ratio', 'target'))

    def row(figure, unit, key, other, target, better_is_higher):
        ours = statistics.median(values['mwt'] for values in measured[key])
        theirs = statistics.median(values[other] for values in measured[key])
        ratio = statistics.median(values['mwt'] / values[other] for values in measured[key])
        met = ratio >= 1.0 if better_is_higher else ratio <= 1.0
        print('%-28s %12.1f %-5s %-10s %12.1f %7.2fx  %s %s'
              % (figure, ours, unit, other, theirs, ratio, target, 'met' if met else 'NOT MET'))

    if 'burst' in measured:
        for other in ('executor', 'batched'):
            row('burst 10k tasks (tasks/s)', '1/s', 'burst', other, '>= 1x', True)
    if 'round-trip' in measured:
        for other in ('executor', 'batched'):
            row('round trip (us)', 'us', 'round-trip', other, '<= 1x', False)
    if 'timer' in measured:
        for name in ('mwt', 'executor', 'batched'):
            gaps = [gap for values in measured['timer'] for gap in values[name]]
            p99 = percentile(gaps, 99)
            target = ('<= 20 ms ' + ('met' if p99 <= 20 else 'NOT MET')) if name == 'mwt' else ''
            print(('%-28s %12.1f %-5s %-10s %12s %8s  %s'
                   % ('timer gap p99, %s (ms)' % name, p99, 'ms', '(max)', '%.1f' % max(gaps),
                      '%d gaps' % len(gaps), target)).rstrip())


if __name__ == '__main__':
    main()
