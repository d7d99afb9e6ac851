"""HOSHIN_MACHINERY_OFF: each performance mechanism can be turned off alone, and the app still does all
it did (pages, saves, links, PDFs), only without that optimisation."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session, sessionmaker

from app import migrate
from app.config import Settings
from app.db import make_engine, make_session_factory
from app.kit.time import utcnow
from app.main import create_app
from app.models import UserSession
from app.reports import render
from app.server.machinery import DEFAULT_OFF, MECHANISMS, Machinery, choose
from app.server.priority import ChangesInFlight, CountChanges
from app.server.read_slots import ReadSlots
from app.server.url_memo import UrlCache
from tests import factories
from tests.access.conftest import act_as
from tests.conftest import csrf_token, settings_for
from tests.factories import Org


def _app(settings: Settings, engine: Engine, factory: sessionmaker[Session], off: str | None) -> FastAPI:
    app = create_app(settings.model_copy(update={"machinery_off": off}), engine=engine)
    app.state.session_factory = factory
    app.state.write_session_factory = factory
    return app


@pytest.fixture
def restore_render_gc() -> Iterator[None]:
    yield
    render.tune_gc(True)


def test_an_unknown_mechanism_stops_the_app_at_start_naming_it() -> None:
    with pytest.raises(ValidationError, match="unknown mechanism 'read_slot'"):
        Settings(machinery_off="read_slot,url_memo")


def test_unset_means_the_databases_defaults_and_empty_means_everything_on() -> None:
    for dialect in ("sqlite", "postgresql"):
        assert choose(None, dialect=dialect) == Machinery(DEFAULT_OFF.get(dialect, frozenset()))
        assert choose("", dialect=dialect) == Machinery(frozenset())
    assert choose(" url_memo , ", dialect="sqlite").off == {"url_memo"}


def _middleware(app: FastAPI) -> set[type]:
    return {m.cls for m in app.user_middleware}  # type: ignore[misc]


@pytest.mark.parametrize("off", sorted(MECHANISMS))
def test_with_one_mechanism_off_pages_saves_and_links_work_as_before(
    off: str,
    settings: Settings,
    engine: Engine,
    session_factory: sessionmaker[Session],
    db: Session,
    org: Org,
    restore_render_gc: None,
) -> None:
    app = _app(settings, engine, session_factory, off)
    assert not app.state.machinery.on(off)
    assert {name for name in MECHANISMS if app.state.machinery.on(name)} == MECHANISMS.keys() - {off}
    assert (ReadSlots in _middleware(app)) is (off != "read_slots")
    assert (CountChanges in _middleware(app)) is (off != "give_way")
    assert isinstance(app.state.changes, ChangesInFlight) is (off != "give_way")
    assert isinstance(app.state.urls, UrlCache) is (off != "url_memo")
    assert render._gc_tuning[0] is (off != "render_gc")
    assert (app.state.bookkeeping_wait > 0) is (off == "bookkeeping")
    draft = factories.assessment(db, org.team, factories.maturity_model(db), period="2026-Q4")
    db.commit()
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as client:
        act_as(client, db, org.manager)
        page = client.get(f"/teams/{org.team.id}")
        assert page.status_code == 200
        assert f'href="http://testserver/teams/{org.team.id}/okrs"' in page.text
        saved = client.post(
            f"/assessments/{draft.id}/answers/data-versioning",
            data={"choice": "automatic", "version": "0", "csrf_token": csrf_token(client)},
            headers={"HX-Request": "true"},
        )
        assert saved.status_code == 200, saved.text


def test_unset_the_app_runs_its_databases_defaults(
    settings: Settings, engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    app = _app(settings, engine, session_factory, None)
    off = DEFAULT_OFF.get(engine.dialect.name, frozenset())
    assert app.state.machinery.off == off
    assert (ReadSlots in _middleware(app)) is ("read_slots" not in off)


def test_the_url_memo_off_links_still_follow_the_host(
    settings: Settings, engine: Engine, session_factory: sessionmaker[Session], db: Session, org: Org
) -> None:
    app = _app(settings, engine, session_factory, "url_memo")
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as client:
        act_as(client, db, org.member)
        there = client.get(f"/teams/{org.team.id}", headers={"Host": "hoshin.example.org"})
        assert f'href="http://hoshin.example.org/teams/{org.team.id}/okrs"' in there.text


def _last_seen_after_a_page(app: FastAPI, db: Session, org: Org, *, release: bool) -> bool:
    """Whether a page, asked for while a change holds SQLite's write gate, recorded its last-seen time.
    With `release`, the gate is let go once the page has asked for it."""
    gate = app.state.write_gate
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as client:
        act_as(client, db, org.member)
        long_ago = utcnow() - timedelta(minutes=5)
        db.execute(update(UserSession).values(last_seen_at=long_ago))
        db.commit()
        assert gate.acquire(blocking=False)
        asking = threading.Event()
        real_acquire = gate.acquire

        def acquire(blocking: bool = True, timeout: float = -1) -> bool:
            asking.set()  # the page asks for the gate (the order this test is about)
            return bool(real_acquire(blocking, timeout))

        gate.acquire = acquire
        try:
            if release:
                threading.Thread(target=lambda: (asking.wait(), gate.release())).start()
            assert client.get(f"/teams/{org.team.id}").status_code == 200
        finally:
            gate.acquire = real_acquire
            if not release:
                gate.release()
        db.expire_all()
        seen = db.scalars(select(UserSession.last_seen_at)).all()
    return any(moment > long_ago for moment in seen)


@dataclass
class OnSqlite:
    """A migrated SQLite database with an organisation, whatever database the suite runs on."""

    settings: Settings
    engine: Engine
    factory: sessionmaker[Session]
    db: Session
    org: Org


@pytest.fixture
def on_sqlite(tmp_path: Path) -> Iterator[OnSqlite]:
    # the write gate exists on SQLite only; CI runs the suite on PostgreSQL, so these tests bring their own
    url = f"sqlite:///{tmp_path / 'gate.sqlite3'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    db = factory()
    org = factories.org(db)
    db.commit()
    yield OnSqlite(settings_for(tmp_path / "var", url), engine, factory, db, org)
    db.close()
    engine.dispose()


def test_a_page_skips_its_bookkeeping_while_a_change_holds_sqlite(on_sqlite: OnSqlite) -> None:
    app = _app(on_sqlite.settings, on_sqlite.engine, on_sqlite.factory, "")
    assert app.state.write_gate is not None
    assert not _last_seen_after_a_page(app, on_sqlite.db, on_sqlite.org, release=False)


def test_with_bookkeeping_off_a_page_waits_for_the_gate_and_records_it(on_sqlite: OnSqlite) -> None:
    app = _app(on_sqlite.settings, on_sqlite.engine, on_sqlite.factory, "bookkeeping")
    app.state.bookkeeping_wait = 60.0  # the order decides, not the clock: the gate is let go once asked
    assert _last_seen_after_a_page(app, on_sqlite.db, on_sqlite.org, release=True)
