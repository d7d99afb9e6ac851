"""Reading sessions give way to changes in flight at each query, for a bounded time in all; writers
never wait. Asserted by the order of events (tests/server/changing.py), never by a duration."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session, sessionmaker
from starlette.types import Message, Receive, Scope, Send

from app.server.priority import ChangesInFlight, CountChanges
from tests.conftest import run_coroutine
from tests.server.changing import DID_NOT_WAIT, WAITED, Recording, with_a_change

LONG = 600.0  # a pause no test reaches: there the order decides
SHORT = 0.01  # a pause every test outlasts: there the bound decides


def _queries(factory: sessionmaker[Session], count: int = 1) -> None:
    with factory() as session:
        for _ in range(count):
            session.execute(text("SELECT 1"))


def test_a_reader_query_waits_until_the_change_in_flight_is_done() -> None:
    changes = Recording(pause=LONG)
    readers = sessionmaker(create_engine("sqlite://"))
    changes.make_readers_give_way(readers)
    _queries(readers)  # nothing in flight: no wait
    assert changes.events == []
    assert with_a_change(changes, lambda: _queries(readers)) == WAITED


def test_a_reader_waits_no_longer_than_the_pause_and_writers_do_not_wait() -> None:
    engine = create_engine("sqlite://")
    readers, writers = sessionmaker(engine), sessionmaker(engine)
    changes = Recording(pause=SHORT)
    changes.make_readers_give_way(readers)
    events = with_a_change(changes, lambda: _queries(readers), until_done=True)
    assert events == ["change in", "reader waits", "work done", "change let go", "change out"]
    writing = Recording(pause=LONG)
    writing.make_readers_give_way(readers)
    assert with_a_change(writing, lambda: _queries(writers)) == DID_NOT_WAIT


def test_a_reading_session_gives_way_no_longer_than_the_pause_over_all_its_queries() -> None:
    changes = Recording(pause=SHORT)
    readers = sessionmaker(create_engine("sqlite://"))
    changes.make_readers_give_way(readers)
    events = with_a_change(changes, lambda: _queries(readers, count=5), until_done=True)
    assert events[-3:] == ["work done", "change let go", "change out"]  # all five ran during the change
    assert 1 <= events.count("reader waits") <= 2  # one pause in all, not one a query


def _chunks(count: int) -> Iterator[str]:
    yield from (f"<p>{n}</p>" for n in range(count))


def test_a_rendering_gives_way_while_a_change_is_in_flight_and_loses_nothing() -> None:
    changes = Recording(pause=LONG)
    assert list(changes.giving_way(_chunks(200))) == [f"<p>{n}</p>" for n in range(200)]
    assert changes.events == []  # nothing in flight: no wait
    out: list[str] = []
    assert with_a_change(changes, lambda: out.extend(changes.giving_way(_chunks(200)))) == WAITED
    assert out == [f"<p>{n}</p>" for n in range(200)]


def test_a_rendering_gives_way_no_longer_than_the_pause_over_all_its_chunks() -> None:
    changes = Recording(pause=SHORT)
    out: list[str] = []
    events = with_a_change(changes, lambda: out.extend(changes.giving_way(_chunks(2000))), until_done=True)
    assert events[-3:] == ["work done", "change let go", "change out"]
    assert 1 <= events.count("reader waits") <= 2  # not one pause every 16 chunks
    assert len(out) == 2000


def test_a_change_counts_until_it_is_answered_not_while_its_background_work_goes_on() -> None:
    changes = ChangesInFlight()
    seen: list[tuple[str, int]] = []

    async def change(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(("answering", changes.in_flight))
        await send({"type": "http.response.start", "status": 202, "headers": []})
        await send({"type": "http.response.body", "body": b"started"})
        seen.append(("working after the answer", changes.in_flight))  # a sync started by "Sync now"

    async def post() -> None:
        async def receive() -> Message:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: Message) -> None:
            return None

        await CountChanges(change, changes=changes)(
            {"type": "http", "method": "POST", "path": "/teams/1/sources/1/sync"}, receive, send
        )

    run_coroutine(post())
    assert seen == [("answering", 1), ("working after the answer", 0)]
    assert changes.in_flight == 0
