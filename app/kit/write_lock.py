"""A lock for one writer at a time on an SQLite file, across threads and processes: a thread lock, then an
flock on a file beside the database. Domain-free, so that a domain package (a sync) can take the same
gate the web server's requests take (app/server/write_gate.py makes and holds it)."""

from __future__ import annotations

import fcntl
import os
import threading
import time
import weakref
from pathlib import Path

_POLL = 0.002  # seconds between tries for a bounded wait on another process


class WriteGate:
    """A lock with the `threading.Lock` interface the request code uses (acquire, release)."""

    def __init__(self, path: Path | None) -> None:
        self._thread_lock = threading.Lock()
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600) if path is not None else None
        if self._fd is not None:  # closed with the gate (tests make an app, and so a gate, per test)
            weakref.finalize(self, os.close, self._fd)

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        deadline = None if timeout < 0 else time.monotonic() + timeout
        if not self._thread_lock.acquire(blocking, timeout):
            return False
        if self._fd is None:
            return True
        if self._lock_file(blocking, deadline):
            return True
        self._thread_lock.release()
        return False

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._thread_lock.release()

    def _lock_file(self, blocking: bool, deadline: float | None) -> bool:
        assert self._fd is not None
        if blocking and deadline is None:
            fcntl.flock(self._fd, fcntl.LOCK_EX)  # another process's writer: wait for it
            return True
        while True:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                if not blocking or deadline is None or time.monotonic() >= deadline:
                    return False
                time.sleep(_POLL)
