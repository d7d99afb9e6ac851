"""Reading requests take one of a few slots; changes, static files and PDF downloads do not wait."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from starlette.types import Receive, Scope, Send

from app.middleware import ReadSlots


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
