"""Reading sessions give way to changes in flight at each query, for a bounded time in all; writers
never wait."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from app.server.priority import ChangesInFlight
from tests.server.changing import during_a_change, off_the_loop, outlasts_a_change


def _query_time(factory: sessionmaker[Session], queries: int = 1) -> float:
    def run() -> float:
        started = time.perf_counter()
        with factory() as session:
            for _ in range(queries):
                session.execute(text("SELECT 1"))
        return time.perf_counter() - started

    return off_the_loop(run)


def test_a_reader_query_waits_until_the_change_in_flight_is_done() -> None:
    changes = ChangesInFlight()
    readers = sessionmaker(create_engine("sqlite://"))
    changes.make_readers_give_way(readers)
    _query_time(readers)  # connected
    assert _query_time(readers) < changes.PAUSE / 2  # nothing in flight: no wait

    def query(begun: Callable[[], None]) -> None:
        with readers() as session:
            begun()
            session.execute(text("SELECT 1"))

    waited, _ = outlasts_a_change(changes, query, hold=changes.PAUSE / 2)
    assert waited


def test_a_reader_waits_no_longer_than_the_pause_and_writers_do_not_wait() -> None:
    changes = ChangesInFlight()
    engine = create_engine("sqlite://")
    readers, writers = sessionmaker(engine), sessionmaker(engine)
    changes.make_readers_give_way(readers)
    _query_time(writers)  # connected
    thread = during_a_change(changes, changes.PAUSE * 10)
    reader_waited, writer_waited = _query_time(readers), _query_time(writers)
    thread.join()
    assert changes.PAUSE <= reader_waited < changes.PAUSE * 5
    assert writer_waited < changes.PAUSE / 2


def test_a_reading_session_gives_way_no_longer_than_the_pause_over_all_its_queries() -> None:
    changes = ChangesInFlight()
    readers = sessionmaker(create_engine("sqlite://"))
    changes.make_readers_give_way(readers)
    thread = during_a_change(changes, changes.PAUSE * 20)
    waited = _query_time(readers, queries=5)
    thread.join()
    assert changes.PAUSE <= waited < changes.PAUSE * 4  # not five pauses


def _rendering_time(changes: ChangesInFlight, chunks: int = 200) -> tuple[float, list[str]]:
    def run() -> tuple[float, list[str]]:
        started = time.perf_counter()
        out = list(changes.giving_way(f"<p>{n}</p>" for n in range(chunks)))
        return time.perf_counter() - started, out

    return off_the_loop(run)


def test_a_rendering_gives_way_while_a_change_is_in_flight_and_loses_nothing() -> None:
    changes = ChangesInFlight()
    alone, out = _rendering_time(changes)
    assert alone < changes.PAUSE / 2
    assert out == [f"<p>{n}</p>" for n in range(200)]

    def rendering(begun: Callable[[], None]) -> list[str]:
        def chunks() -> Iterator[str]:
            begun()
            yield from (f"<p>{n}</p>" for n in range(200))

        return list(changes.giving_way(chunks()))

    waited, out = outlasts_a_change(changes, rendering, hold=changes.PAUSE / 2)
    assert waited
    assert out == [f"<p>{n}</p>" for n in range(200)]


def test_a_rendering_gives_way_no_longer_than_the_pause_over_all_its_chunks() -> None:
    changes = ChangesInFlight()
    thread = during_a_change(changes, changes.PAUSE * 20)
    waited, out = _rendering_time(changes, chunks=2000)
    thread.join()
    assert changes.PAUSE <= waited < changes.PAUSE * 4  # not one pause per chunk
    assert len(out) == 2000
