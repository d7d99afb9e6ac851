"""The app as uvicorn serves it, plus what a load run needs to explain its tail (`load.py --diagnose`).

- a `Server-Timing: app;dur=…` header: from the moment uvicorn hands the request to the app until the
  response starts, so the generator can tell server time from queueing, parsing and its own delay;
- garbage-collector pauses per generation (gc.callbacks);
- event-loop lag: how late a 5 ms timer fires (the loop thread waiting for the GIL or for CPU);
- SQLite commit and WAL checkpoint times (engine events), and waits for the write gate.

GET /__bench__/stats returns these as JSON. Nothing here is imported by the app itself.
"""

from __future__ import annotations

import asyncio
import gc
import json
import threading
import time
from collections import Counter
from typing import Any

from app.asgi import app as hoshin

_gc_started: dict[int, float] = {}
_samples: dict[str, list[float]] = {
    "gc0": [],
    "gc1": [],
    "gc2": [],
    "loop_lag": [],
    "commit": [],
    "gate_wait": [],
    "gate_held": [],
}


def _on_gc(phase: str, info: dict[str, Any]) -> None:
    if phase == "start":
        _gc_started[threading.get_ident()] = time.perf_counter()
    else:
        started = _gc_started.pop(threading.get_ident(), None)
        if started is not None:
            _samples[f"gc{info['generation']}"].append((time.perf_counter() - started) * 1000)


gc.callbacks.append(_on_gc)


def _time_commits() -> None:
    """Time each COMMIT (on SQLite an automatic WAL checkpoint runs inside the commit that crosses it)."""
    dialect = hoshin.state.engine.dialect
    commit = dialect.do_commit

    def timed_commit(dbapi_connection: Any) -> None:
        started = time.perf_counter()
        try:
            commit(dbapi_connection)
        finally:
            _samples["commit"].append((time.perf_counter() - started) * 1000)

    dialect.do_commit = timed_commit  # type: ignore[method-assign]


def _time_gate() -> None:
    lock = hoshin.state.write_gate
    if lock is None:
        return

    class TimedLock:
        since = 0.0

        def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
            started = time.perf_counter()
            got = lock.acquire(blocking, timeout)
            if blocking and timeout == -1:
                _samples["gate_wait"].append((time.perf_counter() - started) * 1000)
            if got:
                self.since = time.perf_counter()
            return got

        def release(self) -> None:
            _samples["gate_held"].append((time.perf_counter() - self.since) * 1000)
            lock.release()

    hoshin.state.write_gate = TimedLock()


def _summary() -> dict[str, Any]:
    out = {}
    for name, values in _samples.items():
        ordered = sorted(values)
        if not ordered:
            out[name] = {"count": 0}
            continue

        def pick(p: float, ordered: list[float] = ordered) -> float:
            return round(ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))], 2)

        out[name] = {
            "count": len(ordered),
            "p50": pick(50),
            "p95": pick(95),
            "p99": pick(99),
            "max": round(ordered[-1], 2),
            "total_ms": round(sum(ordered), 1),
        }
    return out | {"heap": _heap()}


def _heap() -> dict[str, Any]:
    """What a full collection walks: objects in the oldest generation by type (frozen ones are not)."""
    oldest = gc.get_objects(2)
    kinds = Counter(type(o).__name__ for o in oldest)
    return {
        "frozen": gc.get_freeze_count(),
        "oldest": len(oldest),
        "types": dict(kinds.most_common(12)),
    }


_loop_task: asyncio.Task[None] | None = None


async def _watch_loop() -> None:
    while True:
        started = time.perf_counter()
        await asyncio.sleep(0.005)
        _samples["loop_lag"].append((time.perf_counter() - started) * 1000 - 5)


async def app(scope: Any, receive: Any, send: Any) -> None:
    global _loop_task
    if scope["type"] != "http":
        await hoshin(scope, receive, send)
        return
    if _loop_task is None:
        _loop_task = asyncio.get_running_loop().create_task(_watch_loop())
    if scope["path"] == "/__bench__/stats":
        body = json.dumps(_summary()).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": body})
        return
    started = time.perf_counter()

    async def timed_send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            duration = (time.perf_counter() - started) * 1000
            message["headers"] = [
                *message.get("headers", []),
                (b"server-timing", f"app;dur={duration:.2f}".encode()),
            ]
        await send(message)

    await hoshin(scope, receive, timed_send)


_time_commits()
_time_gate()
