"""One writer at a time for an SQLite file, across the threads of a process and across the processes
(uvicorn workers) serving the same file: a thread lock, then an flock on a file beside the database.
Writers queue here and hand over promptly, instead of sleeping in SQLite's busy handler. `for_engine`
makes the gate (create_app keeps it in app.state.write_gate); `hold` is the request dependency every
database session of a changing request waits at."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

from anyio import CapacityLimiter, to_thread
from sqlalchemy import Engine
from starlette.requests import Request

from app.kit.http import SAFE_METHODS
from app.kit.write_lock import WriteGate

__all__ = ["WriteGate", "for_engine", "hold"]


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
