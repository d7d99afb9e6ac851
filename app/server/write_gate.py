"""One writer at a time for an SQLite file, across the threads of a process and across the processes
(uvicorn workers) serving the same file: a thread lock, then an flock on a file beside the database.
Writers queue here and hand over promptly, instead of sleeping in SQLite's busy handler. `for_engine`
makes the gate (create_app keeps it in app.state.write_gate); `hold` is the request dependency every
database session of a changing request waits at."""

from __future__ import annotations

import fcntl
import os
import threading
import time
import weakref
from collections.abc import AsyncIterator
from pathlib import Path

from anyio import CapacityLimiter, to_thread
from sqlalchemy import Engine
from starlette.requests import Request

from app.kit.http import SAFE_METHODS

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


def for_engine(engine: Engine) -> WriteGate | None:
    """SQLite's writers queue at one gate, shared by every worker process serving the same file."""
    if engine.dialect.name != "sqlite":
        return None
    database = engine.url.database
    return WriteGate(Path(f"{database}.writer-lock") if database and database != ":memory:" else None)


# Waiting for the write gate happens on these threads, never on the request threadpool: if request
# threads waited, the one holding the gate could find no thread left to commit and release it.
_gate_waiters = CapacityLimiter(1000)


async def hold(request: Request) -> AsyncIterator[None]:
    """On SQLite, let one changing request at a time in (SQLite has a single writer anyway)."""
    lock: WriteGate | None = request.app.state.write_gate
    if lock is None or request.method in SAFE_METHODS:
        yield
        return
    if not lock.acquire(blocking=False):  # free most of the time: no trip through a thread then
        await to_thread.run_sync(lock.acquire, limiter=_gate_waiters)
    try:
        yield
    finally:
        lock.release()
