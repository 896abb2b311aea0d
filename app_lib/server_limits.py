"""What the shared Streamlit server allows itself: the guards behind every model run in the app.

The Streamlit server is one multi-threaded process shared by every user. This module holds the
process-wide pieces that keep one session from slowing or freezing the others:

* :class:`BoundedCache`: projections are cached by scenario, bounded in entries and in bytes
  (the size of an entry is its pickled size; each caller gets its own copy: a fresh unpickled
  one, or, for entries with a cheap ``fresh`` copier such as pandas' copy-on-write frames, that
  copy, which costs microseconds where unpickling cost milliseconds on every rerun);
* :class:`Gate`: at most ``slots`` stochastic projections run at once in the whole server. The
  solver's Python work holds the interpreter lock, so a second run at the same time would gain
  no speed, only memory; the others wait in line and can see their place;
* :func:`release_memory`: after a large run, memory freed by numpy is handed back to the
  operating system (glibc keeps it otherwise, and the server's memory never comes down);
* :func:`limit_native_threads`: numpy's BLAS uses one thread in the server (many small matrix
  products from many sessions; extra BLAS threads only fight over two cores);
* :class:`MemorySweeper`: a daemon thread that, once the server has had no model request for
  a while, empties the caches, collects Python's cyclic garbage and hands freed heap back, so
  the memory of sessions that have closed comes back (Streamlit's collection after every rerun
  is switched off: it cost a fifth of the CPU).

Nothing here forks or starts a process. Nothing here holds per-user state.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import dataclasses
import gc
import pickle
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

import pandas as pd

_M_ARENA_MAX = -8  # glibc mallopt parameter


def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    if not name:
        return None
    try:
        return ctypes.CDLL(name)
    except OSError:
        return None


_LIBC = _libc()


def release_memory() -> bool:
    """Hand freed heap memory back to the operating system (glibc only). True if it could."""
    trim = getattr(_LIBC, "malloc_trim", None)
    if trim is None:
        return False
    trim(0)
    return True


def limit_malloc_arenas(arenas: int = 2) -> bool:
    """Cap glibc's per-thread heaps: each script thread otherwise keeps its own, rarely given back."""
    mallopt = getattr(_LIBC, "mallopt", None)
    return bool(mallopt is not None and mallopt(_M_ARENA_MAX, arenas))


def limit_native_threads(threads: int = 1) -> None:
    """Keep numpy's BLAS (OpenBLAS) to ``threads`` threads for the whole process."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl is in requirements.txt
        return
    threadpool_limits(limits=threads)


class MemorySweeper:
    """Hands memory back once the server goes quiet: a full garbage collection, the caches
    emptied (``on_idle``), then :func:`release_memory`.

    With ``runner.postScriptGC`` off (a full collection after every rerun of every session took
    21% of the server's CPU under load), the objects of closed sessions, which hold reference
    cycles, waited for Python's occasional full collection, and the heap they freed stayed with
    the process. A sweep runs only after ``idle`` seconds without a model request (:meth:`touch`)
    and once per quiet spell: sweeping under load was measured to slow every user (median 5.9 s
    -> 6.8 s with 20 sessions) for little memory.
    """

    def __init__(self, idle: float = 20.0, on_idle: Callable[[], None] | None = None, poll: float = 1.0) -> None:
        self.idle = idle
        self.poll = poll
        self.on_idle = on_idle
        self.sweeps = 0
        self._last_touch = time.monotonic()
        self._swept_since_touch = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def touch(self) -> None:
        """A model request came in: the server is busy (cheap; called on every request)."""
        self._last_touch = time.monotonic()
        self._swept_since_touch = False

    def sweep(self) -> int:
        """Empty the caches, collect and trim now; the number of unreachable objects found."""
        if self.on_idle is not None:
            self.on_idle()
        found = gc.collect()
        release_memory()
        self.sweeps += 1
        return found

    def start(self) -> None:
        """Start the daemon thread (once; later calls do nothing)."""
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="csc-memory-sweeper", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.wait(self.poll):
            if not self._swept_since_touch and time.monotonic() - self._last_touch >= self.idle:
                self._swept_since_touch = True
                self.sweep()


def size_of(value: Any, _depth: int = 0) -> int:
    """About how many bytes ``value`` holds: frames by their memory use, containers by their contents.

    A quick estimate of an entry's memory for the caches' byte bound (pickling every entry to measure it
    cost more than the rest of a cache miss): about its pickled size for tables, several times it for
    a chart spec's many small dicts and strings, which do take that much more memory than their pickle.
    """
    if isinstance(value, bytes | bytearray | str):
        return len(value) + 50
    if isinstance(value, pd.DataFrame | pd.Series):
        return int(value.memory_usage(index=True, deep=False).sum()) + 500
    if _depth > 20:
        return 64
    if isinstance(value, dict):
        return 100 + sum(size_of(k, _depth + 1) + size_of(v, _depth + 1) for k, v in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return 60 + sum(size_of(v, _depth + 1) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return 100 + sum(size_of(getattr(value, f.name), _depth + 1) for f in dataclasses.fields(value))
    return 32


class BoundedCache:
    """A thread-safe least-recently-used cache bounded in entries and in bytes.

    Without ``fresh``, values are kept pickled and each ``get`` unpickles a copy. With ``fresh``
    (a function returning a copy that a caller may change without touching the kept value, e.g.
    shallow copies of pandas frames, which copy-on-write protects), values are kept as they are
    and ``get`` returns ``fresh(value)``: the cost of a hit on every rerun drops from unpickling
    to a few shallow copies; an entry's size is then estimated (:func:`size_of`), not pickled.
    """

    def __init__(self, max_entries: int, max_bytes: int, fresh: Callable[[Any], Any] | None = None) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.fresh = fresh
        self._lock = threading.Lock()
        self._items: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._bytes = 0

    def get(self, key: Hashable) -> Any | None:
        """The value for ``key`` (a copy the caller may change), or None."""
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            self._items.move_to_end(key)
        value = item[0]
        return pickle.loads(value) if self.fresh is None else self.fresh(value)

    def put(self, key: Hashable, value: Any) -> None:
        """Keep ``value``; drop the least recently used entries beyond either bound."""
        if self.fresh is None:
            kept = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
            size = len(kept)
        else:
            kept = self.fresh(value)  # later changes by the caller stay theirs
            size = size_of(value)
        if size > self.max_bytes:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._items[key] = (kept, size)
            self._bytes += size
            while len(self._items) > self.max_entries or self._bytes > self.max_bytes:
                _, (_, dropped) = self._items.popitem(last=False)
                self._bytes -= dropped

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0

    def stats(self) -> tuple[int, int]:
        """(entries, bytes) held now."""
        with self._lock:
            return len(self._items), self._bytes


class Gate:
    """At most ``slots`` holders at once, server-wide; the others wait in line (first come first served).

    ``wait`` is called about ten times a second while a caller waits, with the number of callers
    ahead of it; it may raise to give up (the app's progress bar does when the user stops or
    moves on), and the caller then leaves the line cleanly.
    """

    def __init__(self, slots: int) -> None:
        self.slots = slots
        self._cond = threading.Condition()
        self._line: list[int] = []
        self._holders = 0
        self._ticket = 0

    @contextlib.contextmanager
    def hold(self, wait: Callable[[int], None] | None = None, poll_s: float = 0.1):  # noqa: ANN201
        with self._cond:
            self._ticket += 1
            me = self._ticket
            self._line.append(me)
        try:
            while True:
                with self._cond:
                    ahead = self._line.index(me)
                    if ahead == 0 and self._holders < self.slots:
                        self._line.pop(0)
                        self._holders += 1
                        self._cond.notify_all()
                        break
                    queued = ahead + self._holders
                if wait is not None:
                    wait(queued)
                with self._cond:
                    self._cond.wait(poll_s)
        except BaseException:
            with self._cond:
                if me in self._line:
                    self._line.remove(me)
                self._cond.notify_all()
            raise
        try:
            yield
        finally:
            with self._cond:
                self._holders -= 1
                self._cond.notify_all()

    def busy(self) -> tuple[int, int]:
        """(running, waiting) now."""
        with self._cond:
            return self._holders, len(self._line)


class InFlight:
    """Identical work asked for by several sessions at once is done once: the others wait for it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._events: dict[Hashable, threading.Event] = {}

    @contextlib.contextmanager
    def lead(self, key: Hashable):  # noqa: ANN201
        """Yields True if this caller should do the work (and must), False if another is doing it."""
        with self._lock:
            ev = self._events.get(key)
            leader = ev is None
            if leader:
                ev = self._events[key] = threading.Event()
        try:
            yield leader
        finally:
            if leader:
                with self._lock:
                    self._events.pop(key, None)
                ev.set()

    def wait(self, key: Hashable, tick: Callable[[], None] | None = None, poll_s: float = 0.1) -> None:
        """Wait until nobody is working on ``key`` (calling ``tick`` between polls; it may raise)."""
        while True:
            with self._lock:
                ev = self._events.get(key)
            if ev is None:
                return
            if tick is not None:
                tick()
            ev.wait(poll_s)
