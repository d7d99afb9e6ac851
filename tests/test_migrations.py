"""Migrations and models agree, and every migration goes up, down to nothing and up again,
on SQLite always and on PostgreSQL when HOSHIN_TEST_DATABASE_URL is set."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import event, inspect, make_url, text
from sqlalchemy.pool import Pool

from app import migrate
from app.db import make_engine
from app.models import Base
from tests.conftest import reset_database


def _urls(tmp_path: Path) -> list[str]:
    urls = [f"sqlite:///{tmp_path / 'migrations.sqlite3'}"]
    server = os.environ.get("HOSHIN_TEST_DATABASE_URL")
    if server:
        name = make_url(server).database
        urls.append(make_url(server).set(database=f"{name}_migrations").render_as_string(hide_password=False))
    return urls


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    urls = {make_url(url).get_backend_name(): url for url in _urls(tmp_path)}
    if request.param not in urls:
        pytest.skip("PostgreSQL runs only when HOSHIN_TEST_DATABASE_URL is set (CI sets it)")
    reset_database(urls[request.param])
    return urls[request.param]


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_models_and_migrations_describe_the_same_schema(fresh_url: str) -> None:
    migrate.upgrade(fresh_url)
    engine = make_engine(fresh_url)
    with engine.connect() as connection:
        differences = compare_metadata(
            MigrationContext.configure(
                connection, opts={"compare_type": True, "include_object": migrate.ours}
            ),
            Base.metadata,
        )
    engine.dispose()
    assert differences == [], "models changed without a migration: run `make migration m=...`"


def _expected(url: str) -> set[str]:
    """Our models' tables, and on PostgreSQL procrastinate's job queue (the periodic syncs' jobs)."""
    queue = {
        "procrastinate_jobs",
        "procrastinate_events",
        "procrastinate_periodic_defers",
        "procrastinate_workers",
    }
    return set(Base.metadata.tables) | (queue if make_url(url).get_backend_name() == "postgresql" else set())


def test_upgrade_downgrade_to_base_and_upgrade_again(fresh_url: str) -> None:
    migrate.upgrade(fresh_url)
    assert _tables(fresh_url) == _expected(fresh_url)
    migrate.downgrade(fresh_url, "base")
    assert _tables(fresh_url) == set()
    migrate.upgrade(fresh_url)
    assert _tables(fresh_url) == _expected(fresh_url)


def test_on_postgresql_migrations_run_without_the_time_limit_requests_have(tmp_path: Path) -> None:
    # a request's statement is cancelled after 15 s; a migration of a large table may rightly take longer
    urls = [url for url in _urls(tmp_path) if make_url(url).get_backend_name() == "postgresql"]
    if not urls:
        pytest.skip("PostgreSQL runs only when HOSHIN_TEST_DATABASE_URL is set (CI sets it)")
    reset_database(urls[0])
    limits: list[str] = []

    def note(dbapi_connection: Any, _record: Any) -> None:
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SHOW statement_timeout")
            limits.append(cursor.fetchone()[0])
        dbapi_connection.rollback()

    event.listen(Pool, "connect", note)
    try:
        migrate.upgrade(urls[0])
    finally:
        event.remove(Pool, "connect", note)
    assert limits
    assert set(limits) == {"0"}, limits
    engine = make_engine(urls[0])
    try:
        with engine.connect() as connection:
            assert connection.scalar(text("SHOW statement_timeout")) == "15s"
    finally:
        engine.dispose()


def test_there_is_a_single_head_and_files_are_date_named() -> None:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1
    names = [Path(rev.path).name for rev in script.walk_revisions()]
    assert all(name[:10].count("-") == 2 and name[10] == "-" for name in names), names
