"""Reading requests take one of a few slots; changes, static files and PDF downloads do not wait."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from starlette.types import Receive, Scope, Send

from app.server.read_slots import ReadSlots


class Busy:
    """An app whose every request takes a while; it records how many were in at once, per kind."""

    def __init__(self) -> None:
        self.inside: dict[str, int] = {}
        self.most: dict[str, int] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = f"{scope['method']} {scope['path']}"
        self.inside[kind] = self.inside.get(kind, 0) + 1
        self.most[kind] = max(self.most.get(kind, 0), self.inside[kind])
        await asyncio.sleep(0.05)
        self.inside[kind] -= 1
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


def _run(coroutine: Coroutine[Any, Any, list[int]]) -> list[int]:
    """asyncio.run on a thread of its own: other tests (the browser's) may leave a loop on this one."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, coroutine).result()


async def _at_once(app: ReadSlots, method: str, path: str, count: int) -> list[int]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        responses = await asyncio.gather(*(client.request(method, path) for _ in range(count)))
    return [response.status_code for response in responses]


def test_no_more_pages_run_at_once_than_there_are_slots_and_every_one_is_served() -> None:
    busy = Busy()
    statuses = _run(_at_once(ReadSlots(busy, slots=3), "GET", "/teams", 12))
    assert statuses == [200] * 12
    assert busy.most["GET /teams"] == 3


def test_changes_static_files_and_pdf_downloads_do_not_take_a_slot() -> None:
    busy = Busy()
    slots = ReadSlots(busy, slots=1)
    skipping = (("POST", "/teams"), ("GET", "/static/css/app.css"), ("GET", "/reports/organisation.pdf"))
    for method, path in skipping:
        assert _run(_at_once(slots, method, path, 6)) == [200] * 6
        assert busy.most[f"{method} {path}"] == 6


def test_zero_slots_means_no_limit() -> None:
    busy = Busy()
    _run(_at_once(ReadSlots(busy, slots=0), "GET", "/teams", 8))
    assert busy.most["GET /teams"] == 8


class Timed:
    """An app that takes `?ms=N` milliseconds per request and records when each one went in and out."""

    def __init__(self) -> None:
        self.spans: dict[str, tuple[float, float]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        loop = asyncio.get_running_loop()
        start = loop.time()
        query = dict(part.split("=") for part in scope["query_string"].decode().split("&"))
        await asyncio.sleep(int(query["ms"]) / 1000)
        self.spans[query["id"]] = (start, loop.time())
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


async def _change_then_page(app: ReadSlots, change_ms: int) -> list[int]:
    """A change, then (while it runs) a page: both are served."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        change = asyncio.ensure_future(client.post(f"/answers?id=change&ms={change_ms}"))
        await asyncio.sleep(0.02)
        page = await client.get("/teams?id=page&ms=1")
        return [(await change).status_code, page.status_code]


def test_a_page_waits_for_the_change_in_flight_to_finish() -> None:
    timed = Timed()
    assert _run(_change_then_page(ReadSlots(timed, slots=2), change_ms=100)) == [200, 200]
    assert timed.spans["page"][0] >= timed.spans["change"][1]


def test_a_page_waits_for_changes_no_longer_than_max_hold() -> None:
    timed = Timed()
    slots = ReadSlots(timed, slots=2)
    long_change_ms = int(slots.MAX_HOLD * 1000) * 3
    assert _run(_change_then_page(slots, change_ms=long_change_ms)) == [200, 200]
    page_start, change_end = timed.spans["page"][0], timed.spans["change"][1]
    assert page_start < change_end  # it went in while the change still ran
    assert page_start - timed.spans["change"][0] >= slots.MAX_HOLD  # but only after holding back


def test_without_slots_a_page_does_not_wait_for_changes() -> None:
    timed = Timed()
    assert _run(_change_then_page(ReadSlots(timed, slots=0), change_ms=100)) == [200, 200]
    assert timed.spans["page"][0] < timed.spans["change"][1]
