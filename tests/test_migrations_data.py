"""Every migration goes up and down with data in the tables: step by step from nothing to head, a row
in every table after each step, then down step by step to nothing and up again. Covers new revisions
on its own (it walks the script directory); on SQLite always, on PostgreSQL when
HOSHIN_TEST_DATABASE_URL is set (CI)."""

from __future__ import annotations

import os
import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, MetaData, Table, func, inspect, make_url, select, types

from app import migrate
from app.db import make_engine
from tests.conftest import reset_database


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'migrations_data.sqlite3'}"
    else:
        server = os.environ.get("HOSHIN_TEST_DATABASE_URL")
        if not server:
            pytest.skip("PostgreSQL runs only when HOSHIN_TEST_DATABASE_URL is set (CI sets it)")
        parsed = make_url(server)
        url = parsed.set(database=f"{parsed.database}_migrations_data").render_as_string(hide_password=False)
    reset_database(url)
    return url


def _revisions_oldest_first(url: str) -> list[str]:
    script = ScriptDirectory.from_config(migrate.alembic_config(url))
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def _value(table: Table, column: Any, n: int, parents: dict[str, Any], checks: dict[str, str]) -> Any:
    """A plausible value for one column of row number n (distinct per n, so unique keys hold)."""
    for fk in column.foreign_keys:  # self-references point at nothing (or at an earlier row)
        return parents.get(fk.column.table.name)
    if column.name in checks:
        return checks[column.name]
    kind = column.type
    if isinstance(kind, types.Boolean):
        return n % 2 == 0
    if isinstance(kind, types.Integer):
        return n
    if isinstance(kind, types.Float | types.Numeric):
        return 0.5
    if isinstance(kind, types.DateTime):
        return datetime(2026, 1, 1, 12, n % 60, tzinfo=UTC)
    if isinstance(kind, types.Date):
        return date(2026, 1, 1 + n % 28)
    if isinstance(kind, types.JSON):
        return []
    if isinstance(kind, types.String):  # Text included
        text = f"{column.name[:3]}{n}"
        return text[: kind.length] if kind.length else text
    if isinstance(kind, types.LargeBinary):
        return b"x"
    return f"{n}"  # unknown types: most accept text; a failure here names the table and column


def _check_literals(engine: Engine, table: str) -> dict[str, str]:
    """The first allowed literal of `column IN ('a', ...)` check constraints, per column."""
    found: dict[str, str] = {}
    for check in inspect(engine).get_check_constraints(table):
        match = re.search(r"\(?\"?(\w+)\"?\)?(?:::\w+)?\s+(?:IN|=\s*ANY)\s*\(.*?'([^']*)'", check["sqltext"])
        if match:
            found.setdefault(match.group(1), match.group(2))
    return found


def _surrogate_key(table: Table, column: Any) -> bool:
    """The table's own integer id, which the database numbers; a column of a composite key (a link
    table's two ids, say) is given like any other."""
    return bool(column.primary_key and isinstance(column.type, types.Integer) and len(table.primary_key) == 1)


def _insert_a_row_everywhere(engine: Engine, n: int) -> None:
    metadata = MetaData()
    metadata.reflect(engine)
    parents: dict[str, Any] = {}
    with engine.begin() as connection:
        for table in metadata.sorted_tables:
            if table.name == "alembic_version" or table.name.startswith("procrastinate_"):
                continue  # procrastinate's job queue: its rows are made by its own functions
            row = {
                column.name: _value(table, column, n, parents, _check_literals(engine, table.name))
                for column in table.columns
                if not _surrogate_key(table, column)
            }
            try:
                result = connection.execute(table.insert().values(row))
            except Exception as error:
                raise AssertionError(f"could not insert into {table.name}: {row}") from error
            key = result.inserted_primary_key
            parents[table.name] = key[0] if key else None


def _counts(connection: Connection) -> dict[str, int]:
    metadata = MetaData()
    metadata.reflect(connection)
    return {
        name: int(connection.scalar(select(func.count()).select_from(table)) or 0)
        for name, table in metadata.tables.items()
        if name != "alembic_version" and not name.startswith("procrastinate_")  # the job queue's own
    }


def _table_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return _counts(connection)


def test_every_migration_upgrades_and_downgrades_with_data_in_the_tables(empty_url: str) -> None:
    revisions = _revisions_oldest_first(empty_url)
    engine = make_engine(empty_url)
    try:
        for n, revision in enumerate(revisions, start=1):
            before = _table_counts(engine)
            migrate.upgrade(empty_url, revision)
            after = _table_counts(engine)
            assert all(after.get(name, 0) >= count for name, count in before.items()), (revision, after)
            _insert_a_row_everywhere(engine, n)
        for revision in [*reversed(revisions[:-1]), "base"]:
            before = _table_counts(engine)
            migrate.downgrade(empty_url, revision)
            after = _table_counts(engine)
            kept = {name: count for name, count in before.items() if name in after}
            assert after == kept, f"downgrade to {revision} lost rows: {before} -> {after}"
        assert _table_counts(engine) == {}
        migrate.upgrade(empty_url)
        seeded = _table_counts(engine)  # rows a migration creates itself (the one data revision)
        assert seeded == {name: 1 if name == "data_revisions" else 0 for name in seeded}
        _insert_a_row_everywhere(engine, len(revisions) + 1)
        assert _table_counts(engine) == {name: count + 1 for name, count in seeded.items()}
    finally:
        engine.dispose()
