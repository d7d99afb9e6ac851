"""Where an adapter's sync runs: in a process of its own, at a lower CPU priority, never in the server's.

A sync is mostly Python work (parsing a 100,000-commit history, folding 10,000 MLflow runs) that would
otherwise share the server process's interpreter lock with the pages: while first syncs of a large
repository ran back to back in the server's threads, pages took 1.35-2.5x as long at p95
(benchmarks/sync_pages.py). In a child process they share only the cores, and under the SCHED_IDLE
policy (a core's spare time only) the pages go first there too; on a machine busy to the last cycle a
sync then runs out of time and fails, keeping the last good signals, rather than slowing the pages.
The child is started once (spawn: forking a threaded server could copy a held lock), imports only the
adapters, is replaced if it dies (the sync it ran is tried once more), and ends itself once its server
is gone, however the server ended (killed, say: a child left behind would hold its memory for good).
Adapters a test registers in place of a kind (adapters.register) run in the calling process, since the
child does not know them; so does a sync someone waits for (hoshin sync, hoshin demo: `here`).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime
from pathlib import Path
from typing import Any

from app.kit import in_flight
from app.signals import adapters
from app.signals.adapters import SourceConfig
from app.signals.adapters.base import Outbound, SyncResult

NICENESS = 10  # relative to the server
ORPHAN_CHECK = 1.0  # seconds between a child's looks at whether its server is still there
WORKERS = 2  # syncs at once in child processes; more wait their turn

_pool: ProcessPoolExecutor | None = None
_lock = threading.Lock()


def sync(
    config: SourceConfig,
    *,
    outbound: Outbound,
    cache_dir: Path,
    state: dict[str, Any] | None,
    now: datetime,
    here: bool = False,
) -> SyncResult:
    """The adapter's sync() for this source, run in the sync process (a SyncError comes back as raised);
    `here`: in the calling process instead, for a command someone waits for (there are no pages to
    protect there, and on a machine busy to the last cycle the sync process would hardly ever run)."""
    if here or adapters.is_registered(config.kind):
        return _sync(config, outbound, cache_dir, state, now)
    for attempt in range(2):
        pool = _the_pool()
        try:
            return pool.submit(_sync, config, outbound, cache_dir, state, now).result()
        except BrokenProcessPool:
            _forget(pool)  # it died (killed, out of memory): once more in a new one, then give up
            if attempt:
                raise
    raise AssertionError("unreachable")


def _sync(
    config: SourceConfig, outbound: Outbound, cache_dir: Path, state: dict[str, Any] | None, now: datetime
) -> SyncResult:
    adapter = adapters.build(config, outbound=outbound, cache_dir=cache_dir)
    return adapter.sync(state=state, now=now)


def _the_pool() -> ProcessPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            spawn = multiprocessing.get_context("spawn")
            _pool = ProcessPoolExecutor(
                WORKERS,
                mp_context=spawn,
                initializer=_in_the_background,
                initargs=(os.getpid(), in_flight.shared()),
            )
        return _pool


def _in_the_background(server: int, requests: Any) -> None:
    """In the child: run only when a core would otherwise be idle (SCHED_IDLE, which git inherits), or,
    where that policy is refused, at nice 10; pause git while the server answers `requests` (its
    in_flight counter); end when the server process `server` has gone."""
    in_flight.adopt(requests)
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    except (AttributeError, OSError):
        os.nice(NICENESS)
    threading.Thread(target=_end_with, args=(server,), name="end-with-server", daemon=True).start()


def _end_with(server: int) -> None:
    """Exit once this process's parent is no longer `server` (it died: the child was handed to init)."""
    while os.getppid() == server:
        time.sleep(ORPHAN_CHECK)
    os._exit(0)


def _forget(pool: ProcessPoolExecutor) -> None:
    global _pool
    with _lock:
        if _pool is pool:
            _pool = None
    pool.shutdown(wait=False, cancel_futures=True)
