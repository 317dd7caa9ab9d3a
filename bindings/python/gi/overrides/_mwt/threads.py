# SPDX-FileCopyrightText: 2026 The mwt authors
# SPDX-License-Identifier: LGPL-2.1-or-later

"""The life of a pool thread on the Python side: its state, its name, and
the Python thread state it keeps.

A pool thread is a C thread. Without a Python thread state of its own, every
call into Python (one per task) would make one and destroy it again, which
costs ten times as much as running a tiny task: each pool thread keeps one
from its init to its at_exit instead.
"""

import ctypes
import itertools
import threading
import weakref
from typing import Any, Callable, Dict, Optional

from gi.repository import GLib

_PyGILState_Ensure = ctypes.pythonapi.PyGILState_Ensure
_PyGILState_Ensure.restype = ctypes.c_int
_PyGILState_Release = ctypes.pythonapi.PyGILState_Release
_PyGILState_Release.argtypes = (ctypes.c_int,)
_PyGILState_Release.restype = None

# The error domain that carries a Python exception raised by init through
# the C side: PyGObject turns a GLib.Error raised in a callback that throws
# into that callback's GError, and only a GLib.Error.
INIT_FAILED = 'mwt-python-init-failed-quark'

# On a pool thread: .state, what init returned; .funcs_ref, the FuncsRef of
# its pool (a strong reference from here would keep a cycle through the
# pool alive); .gilstate, the handle of the thread state it keeps.
_worker = threading.local()

_pool_numbers = itertools.count(1)


def get_thread_state() -> Any:
    """Returns the state of the calling pool thread.

    That is what the pool's ``init`` (an executor's ``initializer``)
    returned on this thread; tasks of ``Mwt.Executor`` reach their thread's
    state this way. Raises ``RuntimeError`` outside a pool thread.
    """
    try:
        return _worker.state
    except AttributeError:
        raise RuntimeError('Mwt.get_thread_state() is for the threads of a pool') from None


def current_funcs() -> Optional['ThreadFuncs']:
    """The ThreadFuncs of the pool whose thread calls, or None."""
    funcs_ref = _worker.__dict__.get('funcs_ref')
    return funcs_ref() if funcs_ref is not None else None


class ThreadFuncs:
    """What a pool's threads run: the user's init and at_exit, and how they
    are named.

    The pool's wrapper holds it, and the C side only through a FuncsRef: a
    strong reference from C would hide a reference cycle from the garbage
    collector (an object that owns the pool and whose methods are init and
    at_exit would never be freed, and its threads never stop).
    """

    __slots__ = ('init', 'at_exit', 'name_prefix', 'ref', '_names', '_failures', '_keys',
                 '__weakref__')

    def __init__(self, init: Optional[Callable[[], Any]], at_exit: Optional[Callable[[Any], None]],
                 name_prefix: Optional[str] = None):
        self.init = init
        self.at_exit = at_exit
        self.name_prefix = name_prefix or 'MwtPool-%d' % next(_pool_numbers)
        self.ref = FuncsRef(self)
        self._names = itertools.count()
        self._failures: Dict[int, BaseException] = {}
        self._keys = itertools.count(1)

    def next_name(self) -> str:
        return '%s_%d' % (self.name_prefix, next(self._names))

    def failed(self, exception: BaseException) -> GLib.Error:
        """Keeps the exception of an init; returns the GLib.Error for C."""
        key = next(self._keys) & 0x7fffffff
        self._failures[key] = exception
        return GLib.Error('%s: %s' % (type(exception).__name__, exception), INIT_FAILED, key)

    def exception_for(self, error: GLib.Error) -> BaseException:
        """What to raise for a GLib.Error from the C side: the exception of
        an init that it stands for, or else the error itself."""
        failures, self._failures = self._failures, {}
        if error.domain != INIT_FAILED:
            return error
        return failures.get(error.code, error)

    def forget(self) -> None:
        """No thread will run init or at_exit again: lets go of them, and of
        everything they hold."""
        self.init = self.at_exit = None
        self.ref.strong = None


class FuncsRef:
    """The C side's reference to a ThreadFuncs: weak while the pool's
    wrapper lives, strong while a pool whose wrapper went away closes (the
    garbage collector clears weak references to a cycle before it finalizes
    it)."""

    __slots__ = ('weak', 'strong')

    def __init__(self, funcs: ThreadFuncs):
        self.weak = weakref.ref(funcs)
        self.strong: Optional[ThreadFuncs] = None

    def __call__(self) -> Optional[ThreadFuncs]:
        return self.strong if self.strong is not None else self.weak()


def thread_init(funcs_ref: FuncsRef, *_data) -> None:
    """The pool's init, on each new thread."""
    funcs = funcs_ref()
    thread = threading.current_thread()
    if funcs is not None:
        thread.name = funcs.next_name()
    init = funcs.init if funcs is not None else None
    try:
        state = init() if init is not None else None
    except BaseException as exception:
        _forget_thread()
        raise funcs.failed(exception) from None
    _worker.state = state
    _worker.funcs_ref = funcs_ref
    _worker.gilstate = _PyGILState_Ensure()


def thread_exit(_thread_state, funcs_ref: FuncsRef, *_data) -> None:
    """The pool's at_exit, on each thread before it exits."""
    try:
        state = _worker.__dict__.pop('state', None)
        _worker.__dict__.pop('funcs_ref', None)
        funcs = funcs_ref()
        if funcs is not None and funcs.at_exit is not None:
            funcs.at_exit(state)
    finally:
        _forget_thread()
        gilstate = _worker.__dict__.pop('gilstate', None)
        if gilstate is not None:
            _PyGILState_Release(gilstate)


def _forget_thread() -> None:
    # threading keeps a dummy Thread for each foreign thread that ever ran
    # Python code, for good: take the leaving thread's out, as a Thread's
    # own bootstrap does when it ends.
    with threading._active_limbo_lock:
        threading._active.pop(threading.get_ident(), None)
