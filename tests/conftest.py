"""Test harness: a migrated database (SQLite, or PostgreSQL when HOSHIN_TEST_DATABASE_URL is set), each
test inside a transaction that is rolled back, an app bound to it, and a client per persona."""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import settings as hypothesis_settings
from sqlalchemy import Connection, Engine, make_url, text
from sqlalchemy.orm import Session, sessionmaker

from app import migrate
from app.config import Settings
from app.db import make_engine
from app.main import create_app
from app.reports import cache as report_cache
from tests import factories

PASSWORD = factories.PASSWORD

# Property tests never fail on time: on a busy machine any example can outlast Hypothesis' 200 ms
# default deadline without anything being wrong. Loaded before any test module builds its settings.
hypothesis_settings.register_profile("hoshin", deadline=None)
hypothesis_settings.load_profile("hoshin")


def _one_database_per_worker() -> None:
    """Under pytest-xdist each worker gets its own PostgreSQL databases (and every database derived
    from the test URL: migrations, browser), so parallel workers never share or drop each other's."""
    worker, url = os.environ.get("PYTEST_XDIST_WORKER"), os.environ.get("HOSHIN_TEST_DATABASE_URL")
    if worker and url and not os.environ.get("HOSHIN_TEST_DATABASE_WORKER"):
        parsed = make_url(url)
        own = parsed.set(database=f"{parsed.database}_{worker}").render_as_string(hide_password=False)
        os.environ["HOSHIN_TEST_DATABASE_URL"] = own
        os.environ["HOSHIN_TEST_DATABASE_WORKER"] = worker


_one_database_per_worker()


def _test_database_url(tmp_root: Path) -> str:
    url = os.environ.get("HOSHIN_TEST_DATABASE_URL")
    return url or f"sqlite:///{tmp_root / 'test.sqlite3'}"


T = TypeVar("T")


def run_coroutine(coroutine: Coroutine[Any, Any, T]) -> T:
    """asyncio.run on a thread of its own: the browser tests' Playwright leaves a running event loop on
    the main thread of the test process, where asyncio.run then refuses to start."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, coroutine).result()


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database named in url if the server does not have it yet."""
    target = make_url(url)
    if target.get_backend_name() != "postgresql":
        return
    server = make_engine(
        target.set(database="postgres").render_as_string(hide_password=False), time_limit=False
    )
    with server.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        exists = connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database}
        )
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    server.dispose()


def reset_database(url: str) -> None:
    """An empty database: drop everything so migrations start from nothing."""
    ensure_database(url)
    engine = make_engine(url, time_limit=False)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    else:
        Path(engine.url.database or "").unlink(missing_ok=True)
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return _test_database_url(tmp_path_factory.mktemp("db"))


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    reset_database(database_url)
    migrate.upgrade(database_url)
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    connection = engine.connect()
    transaction = connection.begin()
    yield connection
    transaction.rollback()
    connection.close()


@pytest.fixture
def session_factory(connection: Connection) -> sessionmaker[Session]:
    # Every session of the test, the app's included, works inside the outer transaction via savepoints.
    return sessionmaker(
        bind=connection, expire_on_commit=False, autoflush=False, join_transaction_mode="create_savepoint"
    )


@pytest.fixture
def db(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    session = session_factory()
    yield session
    session.close()


RENDER_TIMEOUT = 600  # seconds: a first render at nice 10 beside CPU-bound processes can take minutes


def settings_for(var_dir: Path, database_url: str) -> Settings:
    """Test settings; a render may take ten minutes (tests of the time-out give their own)."""
    return Settings(
        var_dir=var_dir,
        database_url=database_url,
        secret_key="test-" + "x" * 40,
        render_timeout_seconds=RENDER_TIMEOUT,
    )


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return settings_for(tmp_path / "var", database_url)


def bind(application: FastAPI, session_factory: sessionmaker[Session]) -> FastAPI:
    """Point an app at this test's transaction: its sessions, and a report memo of its own (the data
    revisions a memo is keyed by roll back with each test, so a memo must not outlive one)."""
    application.state.session_factory = session_factory
    application.state.write_session_factory = session_factory
    application.state.report_keys = report_cache.key_memo()
    return application


@pytest.fixture
def app(settings: Settings, engine: Engine, session_factory: sessionmaker[Session]) -> FastAPI:
    return bind(create_app(settings, engine=engine), session_factory)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as test_client:
        yield test_client


def csrf_token(client: TestClient) -> str:
    """The CSRF token of this client's browser session (fetches a page first if needed)."""
    if "hoshin_csrf" not in client.cookies:
        client.get("/sign-in")
    return client.cookies["hoshin_csrf"]


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> None:
    response = client.post(
        "/sign-in", data={"email": email, "password": password, "csrf_token": csrf_token(client)}
    )
    assert response.status_code == 303, response.text
    assert "hoshin_session" in client.cookies


@pytest.fixture
def org(db: Session) -> factories.Org:
    return factories.org(db)


def hidden_value(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no hidden field {name}"
    return match.group(1)
