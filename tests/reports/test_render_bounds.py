"""A slow render cannot hold up everyone: it is stopped at its time-out (its process replaced) and its
reader told why; readers wait for it holding no database connection; and readers beyond a bound are
turned away at once. Against an app with a database of its own, so that its connection pool is real."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from app import migrate
from app.config import Settings
from app.db import make_engine, make_session_factory, session_scope
from app.main import create_app
from app.reports import render
from app.server import pdf_slots
from tests import factories
from tests.conftest import RENDER_TIMEOUT, reset_database
from tests.reports import slow_render

REAL_RENDER = render._render


@dataclass
class World:
    engine: Engine
    first: int  # two submitted assessments of one team: two different reports
    second: int
    app: Callable[..., FastAPI]


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    database = f"sqlite:///{tmp_path / 'renders.sqlite3'}"
    reset_database(database)
    migrate.upgrade(database)
    engine = make_engine(database)
    with session_scope(make_session_factory(engine)) as session:
        org = factories.org(session)
        model = factories.maturity_model(session)
        first = factories.assessment(session, org.team, model, period="2026-Q2", level=1, submitted=True)
        second = factories.assessment(session, org.team, model, period="2026-Q3", level=3, submitted=True)
        ids = first.id, second.id

    def app(**settings: Any) -> FastAPI:
        settings = {"render_timeout_seconds": RENDER_TIMEOUT, **settings}
        chosen = Settings(var_dir=tmp_path / "var", database_url=database, secret_key="b" * 40, **settings)
        return create_app(chosen, engine=engine)

    slow_render.begun(os.getpid()).unlink(missing_ok=True)
    monkeypatch.setattr(render, "_render", slow_render.slow_render)
    yield World(engine, *ids, app)
    monkeypatch.undo()
    render.shutdown()  # a slow render still sleeping ends here
    render._readers.too_slow.clear()  # later tests render their documents afresh
    slow_render.begun(os.getpid()).unlink(missing_ok=True)
    engine.dispose()


def _reader(app: FastAPI) -> TestClient:
    client = TestClient(app, follow_redirects=False)
    client.get("/sign-in")
    token = client.cookies["hoshin_csrf"]
    data = {"email": "viewer@example.com", "password": factories.PASSWORD, "csrf_token": token}
    assert client.post("/sign-in", data=data).status_code == 303
    return client


def _pdf(assessment: int) -> str:
    return f"/reports/assessment/{assessment}.pdf?lang=en"


def _in_background(call: Callable[[], httpx.Response]) -> Future[httpx.Response]:
    pool = ThreadPoolExecutor(1)
    try:
        return pool.submit(call)
    finally:
        pool.shutdown(wait=False)


def test_a_render_past_its_time_out_is_stopped_its_process_replaced_and_the_reader_told_why(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = _reader(world.app(render_timeout_seconds=1))
    render.warm_up().join()  # a started process: the second is the slow render's, not a cold start's
    response = client.get(_pdf(world.first))
    slow = slow_render.wait_until_begun(os.getpid())
    assert response.status_code == 503
    assert "took longer than 1 seconds to make, so it was stopped" in response.text
    assert response.headers["Retry-After"] == str(render.REFUSE_SLOW_FOR)
    assert render.process_id() not in (None, slow)  # killed, and a fresh one started in its place
    monkeypatch.setattr(render, "_render", REAL_RENDER)
    again = client.get(_pdf(world.first), headers={"Accept-Language": "ja"})
    assert again.status_code == 503  # the same document is refused at once, not rendered again
    assert "秒以上かかったため" in again.text
    other = _reader(world.app()).get(_pdf(world.second))  # (the tests' time-out: a cold render fits in)
    assert other.status_code == 200
    assert other.content.startswith(b"%PDF")


def test_a_reader_waiting_for_a_render_holds_no_database_connection(world: World) -> None:
    client = _reader(world.app())
    waiting = _in_background(lambda: client.get(_pdf(world.first)))
    slow_render.wait_until_begun(os.getpid())
    assert world.engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    render.shutdown()  # the render ends, and its reader is answered
    assert waiting.result(timeout=60).status_code == 503


def test_downloads_beyond_the_pdf_slots_are_turned_away_at_once(world: World) -> None:
    app = world.app(pdf_slots=1)
    first, second = _reader(app), _reader(app)
    waiting = _in_background(lambda: first.get(_pdf(world.first)))
    slow_render.wait_until_begun(os.getpid())
    turned_away = second.get(_pdf(world.second))
    assert not waiting.done()  # answered while the first reader still waits
    assert turned_away.status_code == 503
    assert turned_away.headers["Retry-After"] == "30"
    assert "Many reports are being made right now" in turned_away.text
    render.shutdown()
    stopped = waiting.result(timeout=60)
    assert stopped.status_code == 503
    assert "The server is restarting" in stopped.text


def test_one_reader_cannot_take_every_pdf_slot(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    app = world.app(pdf_slots_per_reader=1)
    greedy, other = _reader(app), _reader(app)  # two sign-ins: two readers
    monkeypatch.setattr(render, "_render", REAL_RENDER)
    assert other.get(_pdf(world.second)).status_code == 200  # made now: kept, and served from the cache
    monkeypatch.setattr(render, "_render", slow_render.slow_render)
    waiting = _in_background(lambda: greedy.get(_pdf(world.first)))
    slow_render.wait_until_begun(os.getpid())
    turned_away = greedy.get(_pdf(world.second))
    assert turned_away.status_code == 503  # refused before the cache is read: the slot is what is bounded
    assert turned_away.headers["Retry-After"] == "10"
    assert "You are already waiting for several reports" in turned_away.text
    in_japanese = greedy.get(_pdf(world.second), headers={"Accept-Language": "ja"})
    assert in_japanese.status_code == 503
    assert "既に" in in_japanese.text
    served = other.get(_pdf(world.second))  # another reader still has a slot
    assert not waiting.done()
    assert served.status_code == 200
    assert served.content.startswith(b"%PDF")
    render.shutdown()
    stopped = waiting.result(timeout=60)
    assert stopped.status_code == 503
    assert "The server is restarting" in stopped.text


def test_a_download_waits_a_moment_for_a_slot_before_it_is_refused(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Four people opening one cached report at the same moment: the fourth waits for one of the others
    (tens of milliseconds) rather than being refused. Here the wait is long, and what ends it is the end
    of another download of the same reader (order, not timing)."""
    monkeypatch.setattr(pdf_slots, "GRACE", 120)
    app = world.app(pdf_slots_per_reader=1)
    reader = _reader(app)
    monkeypatch.setattr(render, "_render", REAL_RENDER)
    assert reader.get(_pdf(world.second)).status_code == 200  # made now: kept, and served from the cache
    monkeypatch.setattr(render, "_render", slow_render.slow_render)
    rendering = _in_background(lambda: reader.get(_pdf(world.first)))
    slow_render.wait_until_begun(os.getpid())
    turned, refusal = threading.Event(), pdf_slots.PdfSlots._refusal

    def noted(slots: pdf_slots.PdfSlots, path: str, who: str) -> pdf_slots.Refusal | None:
        said = refusal(slots, path, who)
        if said is not None:
            turned.set()
        return said

    monkeypatch.setattr(pdf_slots.PdfSlots, "_refusal", noted)
    cached = _in_background(lambda: reader.get(_pdf(world.second)))
    assert turned.wait(timeout=60)  # it found the reader's one slot taken, and waits
    render.shutdown()
    assert "The server is restarting" in rendering.result(timeout=60).text
    served = cached.result(timeout=60)
    assert served.status_code == 200
    assert served.content.startswith(b"%PDF")
