"""Run Alembic from Python (CLI, start-up, tests) against a given database URL.

Alembic is imported by the functions that use it: it is a third of a second of every `hoshin` start,
and most commands never migrate."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy import Engine, make_url

from app.config import PROJECT_ROOT

if TYPE_CHECKING:
    from alembic.config import Config


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    from alembic import command

    _run(command.upgrade, url, revision)


def downgrade(url: str, revision: str) -> None:
    from alembic import command

    _run(command.downgrade, url, revision)


def _run(step: Callable[[Config, str], None], url: str, revision: str) -> None:
    if make_url(url).get_backend_name() != "sqlite":
        step(alembic_config(url), revision)
        return
    # SQLite ALTERs by copying a table and dropping the old one; with foreign keys on, that drop
    # would cascade and delete every child row. The pragma only works outside a transaction.
    from app.db import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
            config = alembic_config(url)
            config.attributes["connection"] = connection
            step(config, revision)
            connection.commit()
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"migration left rows pointing at nothing: {broken[:5]}")
    finally:
        engine.dispose()


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision(url: str) -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()


def ours(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """Whether autogenerate compares this object: not procrastinate's tables (their migration installs
    procrastinate's own schema, which our models do not describe)."""
    table = getattr(getattr(obj, "table", None), "name", None)
    return not any((each or "").startswith("procrastinate_") for each in (name, table))
