# SPDX-FileCopyrightText: 2026 The mwt authors
# SPDX-License-Identifier: LGPL-2.1-or-later

"""Tasks handed to the C side without a callback per task.

PyGObject makes a native closure for every Python function passed to C, and
before 3.44.2 never frees it: a callback per task would leak about 125 bytes
each. The functions that C calls are made once, in two MwtRunners, and a
task travels as an item: the key under which the task waits here while C
holds it.
"""

from typing import Optional, Protocol

from gi.repository import GLib

from ...module import get_introspection_module

Mwt = get_introspection_module('Mwt')


class Item(Protocol):
    """What a pushed task does: run() on a pool thread; done(error) once it
    ran (error None; not for items pushed in place) or never will (the
    GLib.Error saying why)."""

    def run(self) -> None: ...

    def done(self, error: Optional[GLib.Error]) -> None: ...


# The items C holds, by key.
_items = {}


def _run(_thread_state, key, _cancellable, *_data):
    _items[key].run()


def _run_in_place(_thread_state, key, _cancellable, *_data):
    # It ends here: done() is only for items that never ran.
    _items.pop(key).run()


def _done(key, error, *_data):
    _items.pop(key).done(error)


_push = Mwt.Pool.push
_push_sync = Mwt.Pool.push_sync

# done() on the context of the thread that pushed, as a GTask's callback.
_on_context = Mwt.Runner.new(Mwt.RunnerFlags.DEFAULT, _run, (), _done, ())
# For items that synchronize themselves: done() only if they never ran,
# where that was decided.
_in_place = Mwt.Runner.new(Mwt.RunnerFlags.IN_PLACE, _run_in_place, (), _done, ())


def _key(item: Item) -> int:
    key = id(item)
    _items[key] = item
    return key


def push(pool, item: Item, priority: int, cancellable=None) -> None:
    """Runs item on pool; its done() runs on the caller's thread-default
    main context."""
    _push(pool, _on_context, _key(item), priority, cancellable)


def push_in_place(pool, item: Item, priority: int, cancellable=None) -> None:
    """Runs item on pool, with no main context: its done() runs only if it
    never ran, on the thread that cancelled it or closed the pool."""
    _push(pool, _in_place, _key(item), priority, cancellable)


def push_sync(pool, item: Item, priority: int, cancellable=None) -> None:
    """Runs item on pool and waits; raises GLib.Error if it never ran, or
    if cancellable was cancelled meanwhile. Its done() is not called."""
    key = _key(item)
    try:
        _push_sync(pool, _on_context, key, priority, cancellable)
    finally:
        del _items[key]
