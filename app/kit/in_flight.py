"""Requests in flight, counted where the server's background processes can read it, and the pausing of a
background process group while there are any: a sync's git stops while the server answers requests and
goes on once it answers none (docs/performance.md, "sync_pause").

The counter lives in shared memory made before the sync processes start and handed to them (`shared`,
`adopt`); the server counts requests into it (app/server/sync_pause.py). Only a process that adopted a
server's counter pauses its git: in the server itself git runs for a request ("Test connection"), which
must not wait for itself; where nothing counts (the `hoshin worker` and `hoshin sync` processes, or with
the mechanism off) the count stays 0.
A pause is a SIGSTOP to the git command's own process group and a SIGCONT after, never longer than
MAX_PAUSE at a time; `Pausing.elapsed()` counts only the time the group was let run, so a git time-out
measures git, not the server's load.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Iterator
from typing import Any

POLL = 0.002  # seconds between the watcher's looks at the counter
MAX_PAUSE = 1.0  # seconds a pause lasts at most, however busy the server: then the group runs for
GRACE = 0.1  # seconds before it may be paused again (under constant load a sync crawls, never stops)

_counter: Any = multiprocessing.get_context("spawn").RawValue(ctypes.c_int, 0)  # this process's requests
_watched: Any = None  # in a sync process: its server's counter
_lock = threading.Lock()


def shared() -> Any:
    """This process's counter, to hand to a child process as it starts (then `adopt` it there)."""
    return _counter


def adopt(counter: Any) -> None:
    """In a child process: pause git while the server behind `counter` answers requests."""
    global _watched
    _watched = counter


def count() -> int:
    """How many requests this process is answering now."""
    return int(_counter.value)


@contextlib.contextmanager
def serving() -> Iterator[None]:
    """Count one request in flight for the duration."""
    with _lock:
        _counter.value += 1
    try:
        yield
    finally:
        with _lock:
            _counter.value -= 1


class Pausing:
    """Stops the process group `group` while the server answers requests, lets it go on when it answers
    none, from a watcher thread; the group is let go on when the watch ends, whatever happened. Outside
    a process that adopted a server's counter it only keeps the time."""

    def __init__(self, group: int) -> None:
        self._group = group
        self._started = time.monotonic()
        self._paused = 0.0  # seconds of finished pauses
        self._since: float | None = None  # when the current pause began
        self._done = threading.Event()
        self._thread: threading.Thread | None = None
        if _watched is not None:
            self._thread = threading.Thread(
                target=self._watch, args=(_watched,), name="pause-while-serving", daemon=True
            )

    def elapsed(self) -> float:
        """Seconds the group has been let run since the watch began."""
        now, since = time.monotonic(), self._since
        return now - self._started - self._paused - (now - since if since is not None else 0.0)

    def _watch(self, watched: Any) -> None:
        grace_until = 0.0
        while not self._done.wait(POLL):
            now, since = time.monotonic(), self._since
            if since is not None and now - since > MAX_PAUSE:
                grace_until = now + GRACE
            busy = watched.value > 0 and now >= grace_until
            if busy == (since is not None):
                continue
            if not self._signal(signal.SIGSTOP if busy else signal.SIGCONT):
                return
            if busy:
                self._since = time.monotonic()
            else:
                self._go_on()

    def _go_on(self) -> None:
        since, self._since = self._since, None
        if since is not None:
            self._paused += time.monotonic() - since

    def _signal(self, which: signal.Signals) -> bool:
        try:
            os.killpg(self._group, which)
        except (ProcessLookupError, PermissionError):
            return False  # the group has ended
        return True

    def __enter__(self) -> Pausing:
        if self._thread is not None:
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        if self._thread is not None:
            self._thread.join()
        if self._since is not None:
            self._signal(signal.SIGCONT)
            self._go_on()
