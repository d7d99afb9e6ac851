"""Reading requests take one of a few slots; changes, static files and PDF downloads do not wait."""

from __future__ import annotations

import asyncio

import httpx
from starlette.types import Receive, Scope, Send

from app.server.read_slots import ReadSlots
from tests.conftest import run_coroutine


class Busy:
    """An app that records how many requests were in at once, per kind: each one stays in until `until`
    of its kind are in together (or were, earlier), so the count follows the order of events, not how
    long a request takes."""

    def __init__(self, until: int) -> None:
        self.until = until
        self.inside: dict[str, int] = {}
        self.most: dict[str, int] = {}
        self.full: dict[str, asyncio.Event] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = f"{scope['method']} {scope['path']}"
        full = self.full.setdefault(kind, asyncio.Event())
        self.inside[kind] = self.inside.get(kind, 0) + 1
        self.most[kind] = max(self.most.get(kind, 0), self.inside[kind])
        if self.inside[kind] >= self.until:
            full.set()
        await full.wait()
        self.inside[kind] -= 1
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


async def _at_once(app: ReadSlots, method: str, path: str, count: int) -> list[int]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        responses = await asyncio.gather(*(client.request(method, path) for _ in range(count)))
    return [response.status_code for response in responses]


def test_no_more_pages_run_at_once_than_there_are_slots_and_every_one_is_served() -> None:
    busy = Busy(until=3)
    statuses = run_coroutine(_at_once(ReadSlots(busy, slots=3), "GET", "/teams", 12))
    assert statuses == [200] * 12
    assert busy.most["GET /teams"] == 3


def test_changes_static_files_and_pdf_downloads_do_not_take_a_slot() -> None:
    busy = Busy(until=6)
    slots = ReadSlots(busy, slots=1)
    skipping = (("POST", "/teams"), ("GET", "/static/css/app.css"), ("GET", "/reports/organisation.pdf"))
    for method, path in skipping:
        assert run_coroutine(_at_once(slots, method, path, 6)) == [200] * 6
        assert busy.most[f"{method} {path}"] == 6


def test_zero_slots_means_no_limit() -> None:
    busy = Busy(until=8)
    run_coroutine(_at_once(ReadSlots(busy, slots=0), "GET", "/teams", 8))
    assert busy.most["GET /teams"] == 8


class Held:
    """An app that records each request going in and out (`?id=` names it); a request stays in until
    the test lets it go. The tests assert the order of these events, never a duration."""

    def __init__(self) -> None:
        self.events: list[str] = []
        self.go: dict[str, asyncio.Event] = {}

    def release(self, name: str) -> None:
        self.go.setdefault(name, asyncio.Event()).set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        name = scope["query_string"].decode().removeprefix("id=")
        self.events.append(f"{name} in")
        await self.go.setdefault(name, asyncio.Event()).wait()
        self.events.append(f"{name} out")
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


async def _settle(turns: int = 200) -> None:
    """Let every task on the loop run until it waits (a number of turns, not a time)."""
    for _ in range(turns):
        await asyncio.sleep(0)


async def _change_then_page(app: ReadSlots, held: Held, *, release_change_first: bool) -> list[str]:
    """A change goes in and is held; then a page is asked for, and let go as soon as it is in. The change
    is let go either once the loop has settled (`release_change_first`) or once the page is out."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        change = asyncio.ensure_future(client.post("/answers?id=change"))
        while "change in" not in held.events:
            await asyncio.sleep(0)
        held.release("page")
        page = asyncio.ensure_future(client.get("/teams?id=page"))
        if release_change_first:
            await _settle()
            held.events.append("change let go")
            held.release("change")
        assert (await page).status_code == 200
        held.release("change")
        assert (await change).status_code == 200
    return held.events


def test_a_page_waits_for_the_change_in_flight_to_finish() -> None:
    held = Held()
    slots = ReadSlots(held, slots=2)
    slots.MAX_HOLD = 600  # the order decides here, not the hold's bound
    events = run_coroutine(_change_then_page(slots, held, release_change_first=True))
    assert events == ["change in", "change let go", "change out", "page in", "page out"]


def test_a_page_waits_for_changes_no_longer_than_max_hold() -> None:
    held = Held()
    slots = ReadSlots(held, slots=2)
    slots.MAX_HOLD = 0.01  # then it goes in although the change is still held
    events = run_coroutine(_change_then_page(slots, held, release_change_first=False))
    assert events == ["change in", "page in", "page out", "change out"]


def test_without_slots_a_page_does_not_wait_for_changes() -> None:
    held = Held()
    events = run_coroutine(_change_then_page(ReadSlots(held, slots=0), held, release_change_first=False))
    assert events == ["change in", "page in", "page out", "change out"]


class AnswersThenWorks(Held):
    """A change that answers at once and then goes on working (as a route's background task does, inside
    the app's call: a source's sync), until the test lets the work go."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] == "GET":
            await super().__call__(scope, receive, send)
            return
        self.events.append("change in")
        await send({"type": "http.response.start", "status": 202, "headers": []})
        await send({"type": "http.response.body", "body": b"started"})
        self.events.append("change answered")
        await self.go.setdefault("background", asyncio.Event()).wait()
        self.events.append("background done")


async def _page_beside_background_work(app: ReadSlots, held: AnswersThenWorks) -> list[str]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        change = asyncio.ensure_future(client.post("/teams/1/sources/1/sync"))
        while "change answered" not in held.events:
            await asyncio.sleep(0)
        held.release("page")
        page = asyncio.ensure_future(client.get("/teams?id=page"))
        await _settle()
        held.events.append("background let go")
        held.release("background")
        assert (await page).status_code == 200
        assert (await change).status_code == 202
    return held.events


def test_a_page_does_not_wait_for_a_changes_background_work_once_the_change_is_answered() -> None:
    held = AnswersThenWorks()
    slots = ReadSlots(held, slots=2)
    slots.MAX_HOLD = 600  # the order decides here, not the hold's bound
    events = run_coroutine(_page_beside_background_work(slots, held))
    assert events == [
        "change in",
        "change answered",
        "page in",
        "page out",
        "background let go",
        "background done",
    ]


async def _change_behind(app: ReadSlots, held: Held, *, pages_waiting: int) -> list[str]:
    """Page p0 takes the only slot and is held; `pages_waiting` more pages queue; then a change comes.
    Every request is let go as soon as it is in, except p0, which is let go once the change has had its
    chance to go in (the loop settled)."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        first = asyncio.ensure_future(client.get("/teams?id=p0"))
        while "p0 in" not in held.events:
            await asyncio.sleep(0)
        names = [f"p{n}" for n in range(1, pages_waiting + 1)]
        for name in [*names, "change"]:
            held.release(name)
        pages = [asyncio.ensure_future(client.get(f"/teams?id={name}")) for name in names]
        await _settle()
        change = asyncio.ensure_future(client.post("/answers?id=change"))
        await _settle()
        held.events.append("p0 let go")
        held.release("p0")
        responses = await asyncio.gather(first, *pages, change)
    assert [r.status_code for r in responses] == [200] * (pages_waiting + 2)
    return [event for event in held.events if event.endswith((" in", "let go"))]


def test_a_change_skips_a_short_queue_of_pages() -> None:
    held = Held()
    slots = ReadSlots(held, slots=1)
    slots.CROWD = 2  # up to 2 pages waiting per slot is a short queue
    events = run_coroutine(_change_behind(slots, held, pages_waiting=2))
    assert events == ["p0 in", "change in", "p0 let go", "p1 in", "p2 in"]


def test_when_the_process_is_overloaded_a_change_queues_behind_the_waiting_pages() -> None:
    held = Held()
    slots = ReadSlots(held, slots=1)
    slots.CROWD = 2  # 3 pages waiting for 1 slot: overloaded, first come first served for every kind
    events = run_coroutine(_change_behind(slots, held, pages_waiting=3))
    assert events == ["p0 in", "p0 let go", "p1 in", "p2 in", "p3 in", "change in"]
