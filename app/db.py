"""Engine and sessions: one transaction per request or job; services only flush."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import Engine, create_engine, event, make_url, text
from sqlalchemy.orm import Session, sessionmaker

from app.reports import revisions  # noqa: F401  (its listeners count every session's changes)


def make_engine(url: str, *, time_limit: bool = True, **kwargs: Any) -> Engine:
    """An engine that survives database restarts (pre-ping) and gives SQLite real transactions.

    On PostgreSQL a statement running longer than 15 s is cancelled, so that no request waits on one for
    ever; `time_limit=False` is for work that may rightly take longer: migrations, creating databases.
    """
    if url.startswith("sqlite"):
        _make_parent_dir(url)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 15}, **kwargs)
        _configure_sqlite(engine)
        return engine
    timeout = STATEMENT_TIMEOUT_MS if time_limit else 0
    connect_args = {"connect_timeout": 3, "options": f"-c statement_timeout={timeout}"}
    return create_engine(url, pool_pre_ping=True, pool_recycle=1800, connect_args=connect_args, **kwargs)


STATEMENT_TIMEOUT_MS = 15_000


def _make_parent_dir(url: str) -> None:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)


def _configure_sqlite(engine: Engine) -> None:
    # pysqlite's own transaction handling breaks SAVEPOINT and transactional DDL; take it over.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            # In WAL mode NORMAL syncs the log at checkpoints, not at every commit: the database stays
            # consistent after a crash; a power cut can lose the last commits. An fsync per commit
            # (FULL) held the write gate 20-50 ms at p95/p99 under load and queued every save behind it.
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Writers take the lock up front (and wait for it) instead of failing when they upgrade a read lock.
        immediate = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


WRITE_OPTION = "hoshin_write"


def make_session_factory(bind: Any) -> sessionmaker[Session]:
    return sessionmaker(bind=bind, expire_on_commit=False, autoflush=False)


def make_write_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for requests that change data (on SQLite their transactions begin IMMEDIATE)."""
    return make_session_factory(engine.execution_options(**{WRITE_OPTION: True}))


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction for a CLI command or job: commit on success, roll back on error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


P = ParamSpec("P")
R = TypeVar("R")


def in_savepoint(service: Callable[Concatenate[Session, P], R]) -> Callable[Concatenate[Session, P], R]:
    """A service whose error leaves none of its writes behind: it runs in a savepoint, so the route can
    show the error and the request's transaction goes on (and commits) without them."""

    @functools.wraps(service)
    def savepointed(session: Session, /, *args: P.args, **kwargs: P.kwargs) -> R:
        with session.begin_nested():
            return service(session, *args, **kwargs)

    return savepointed


def release(session: Session) -> None:
    """End the session's transaction now, giving its connection back to the pool, before a request waits
    long on something else (a PDF render): the pool's few connections are for requests that use them.
    The session stays usable and takes a connection again when it next needs one."""
    session.commit()


def ping(engine: Engine) -> None:
    """Raise if the database cannot answer a trivial query."""
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
