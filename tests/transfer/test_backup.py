"""Backups restore: `hoshin backup` copies a SQLite database while it is being written, and a
`pg_dump` of a PostgreSQL database restores with `pg_restore`; either copy exports the same organisation."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import threading
from pathlib import Path

import pytest
from sqlalchemy import make_url, text

from app.db import make_engine
from tests.transfer.organisation import comparable, filled_instance, hoshin
from tests.transfer.organisation import database_url as instance_url

pytestmark = pytest.mark.slow


def test_a_sqlite_backup_taken_while_the_app_writes_exports_the_same_organisation(tmp_path: Path) -> None:
    database = tmp_path / "live.sqlite3"
    url = f"sqlite:///{database}"
    filled_instance(url)
    before = hoshin("export", url=url, var=tmp_path / "var")
    assert before.returncode == 0, before.stderr
    stop = threading.Event()
    writing = threading.Thread(target=_keep_writing, args=(database, stop))
    writing.start()
    try:
        made = hoshin("backup", str(tmp_path / "copy.sqlite3"), url=url, var=tmp_path / "var")
    finally:
        stop.set()
        writing.join()

    assert made.returncode == 0, made.stderr
    assert made.stdout.startswith(f"backed up {database} to {tmp_path / 'copy.sqlite3'} (")
    copy = f"sqlite:///{tmp_path / 'copy.sqlite3'}"
    restored = hoshin("export", url=copy, var=tmp_path / "var")
    assert restored.returncode == 0, restored.stderr
    assert comparable(restored.stdout) == comparable(before.stdout)
    with sqlite3.connect(tmp_path / "copy.sqlite3") as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def _keep_writing(database: Path, stop: threading.Event) -> None:
    """Failed sign-ins arriving all the time (a table the export leaves out), as a busy server writes."""
    connection = sqlite3.connect(database, timeout=15)
    try:
        while not stop.is_set():
            connection.execute(
                "INSERT INTO login_attempts (email, address, at) VALUES ('x@example.com', '127.0.0.1', "
                "'2026-12-07 00:00:00.000000')"
            )
            connection.commit()
            stop.wait(0.005)  # a busy server's pace: a tight loop could outgrow what one backup step copies
    finally:
        connection.close()


def test_backup_refuses_an_existing_target_and_a_postgresql_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'live.sqlite3'}"
    (tmp_path / "taken.sqlite3").write_bytes(b"keep me")
    assert hoshin("db", "upgrade", url=url, var=tmp_path / "var").returncode == 0

    taken = hoshin("backup", str(tmp_path / "taken.sqlite3"), url=url, var=tmp_path / "var")

    assert taken.returncode == 1
    assert taken.stderr.strip() == f"error: {tmp_path / 'taken.sqlite3'} already exists; choose a new file"
    assert (tmp_path / "taken.sqlite3").read_bytes() == b"keep me"
    postgres = hoshin("backup", "x.dump", url="postgresql+psycopg://nobody@127.0.0.1:1/none", var=tmp_path)
    assert postgres.stderr.strip() == (
        "error: the database is PostgreSQL: back it up with pg_dump (see docs/backups.md)"
    )


@pytest.mark.skipif(
    not os.environ.get("HOSHIN_TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="the tests run on SQLite (set HOSHIN_TEST_DATABASE_URL to a PostgreSQL database)",
)
def test_a_pg_dump_restored_into_a_fresh_database_exports_the_same_organisation(tmp_path: Path) -> None:
    source = instance_url(tmp_path, "backup_source")
    filled_instance(source)
    before = hoshin("export", url=source, var=tmp_path / "var")
    assert before.returncode == 0, before.stderr
    dump = tmp_path / "hoshin.dump"
    assert shutil.which("pg_dump"), "PostgreSQL's client tools are missing"
    assert shutil.which("pg_restore"), "PostgreSQL's client tools are missing"
    subprocess.run(
        ["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", _libpq(source)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    restored = instance_url(tmp_path, "backup_restored")
    _create_empty(restored)

    subprocess.run(
        ["pg_restore", "--no-owner", f"--dbname={_libpq(restored)}", str(dump)],
        check=True,
        capture_output=True,
        timeout=300,
    )

    after = hoshin("export", url=restored, var=tmp_path / "var")
    assert after.returncode == 0, after.stderr
    assert comparable(after.stdout) == comparable(before.stdout)
    assert hoshin("db", "current", url=restored, var=tmp_path / "var").stdout.endswith("up to date\n")


def _libpq(url: str) -> str:
    """The URL as PostgreSQL's own tools take it (no SQLAlchemy driver name)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _create_empty(url: str) -> None:
    """A new database, as `createdb` makes one (without the requests' time limit: on a busy machine creating
    a database took longer than 15 s)."""
    name = make_url(url).database
    server = make_engine(
        make_url(url).set(database="postgres").render_as_string(hide_password=False), time_limit=False
    )
    with server.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    server.dispose()
