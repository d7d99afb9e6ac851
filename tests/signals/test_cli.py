"""`hoshin sync`: a line per source (ok with counts and duration, or the error in words), exit 1 if any
failed, a one-line message for an unknown team or source. Run in process so the fake adapter applies,
against a database of its own (the command commits)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from app import migrate
from app.cli import cli
from app.config import get_settings
from app.db import make_engine, make_session_factory
from app.models import Organisation, Source, SyncRun
from tests import factories
from tests.conftest import reset_database
from tests.signals.conftest import SECRET, Script, failing


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('cli') / 'hoshin.sqlite3'}"
    reset_database(url)
    migrate.upgrade(url)
    return url


@pytest.fixture
def rows(database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Session]:
    """A session on the command's database, emptied of sources and teams afterwards."""
    monkeypatch.setenv("HOSHIN_DATABASE_URL", database)
    monkeypatch.setenv("HOSHIN_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("HOSHIN_SECRET_KEY", SECRET)
    get_settings.cache_clear()
    engine = make_engine(database)
    session = make_session_factory(engine)()
    yield session
    session.rollback()
    for model in (SyncRun, Source):
        session.query(model).delete()
    session.commit()
    session.close()
    engine.dispose()
    get_settings.cache_clear()


def _team(session: Session, slug: str) -> int:
    organisation = session.query(Organisation).first() or Organisation(name="CLI Org")
    session.add(organisation)
    session.flush()
    team = factories.team(session, organisation, slug)
    return team.id


def _source(session: Session, team_id: int, name: str) -> int:
    row = Source(team_id=team_id, kind="git", name=name, url="https://git.example.com/r.git", branch="main")
    session.add(row)
    session.commit()
    return row.id


def test_sync_prints_a_line_per_source_with_counts_and_exits_zero(rows: Session, fake: Script) -> None:
    team = _team(rows, "cli-ok")
    first, second = _source(rows, team, "alpha"), _source(rows, team, "beta")
    result = CliRunner().invoke(cli, ["sync", "--team", "cli-ok"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"ok      #{first} alpha: 3 commits, 2 signals in ")
    assert lines[1].startswith(f"ok      #{second} beta: ")


def test_a_failed_source_is_said_in_words_and_the_exit_is_non_zero(rows: Session, fake: Script) -> None:
    team = _team(rows, "cli-failed")
    source_id = _source(rows, team, "gamma")
    fake.error = failing("branch_missing", "no branch 'main'")
    result = CliRunner().invoke(cli, ["sync", "--source", str(source_id)])
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"failed  #{source_id} gamma: The repository has no such branch. (no branch 'main')"
    )


def test_an_unknown_team_or_source_is_a_one_line_error(rows: Session, fake: Script) -> None:
    team = _team(rows, "cli-known")
    rows.commit()
    runner = CliRunner()
    unknown_team = runner.invoke(cli, ["sync", "--team", "nobody"])
    assert unknown_team.exit_code == 1
    assert unknown_team.output.strip() == "error: no team 'nobody' (give its id or slug)"
    unknown_source = runner.invoke(cli, ["sync", "--team", str(team), "--source", "999999"])
    assert unknown_source.exit_code == 1
    assert unknown_source.output.strip() == f"error: no source 999999 in team '{team}'"
    assert fake.configs == []


def test_a_paused_source_is_skipped_unless_named(rows: Session, fake: Script) -> None:
    team = _team(rows, "cli-paused")
    paused = _source(rows, team, "paused")
    rows.get(Source, paused).enabled = False  # type: ignore[union-attr]
    rows.commit()
    assert CliRunner().invoke(cli, ["sync", "--team", "cli-paused"]).output.strip() == "no sources to sync"
    named = CliRunner().invoke(cli, ["sync", "--source", str(paused)])
    assert named.exit_code == 0
    assert named.output.startswith(f"ok      #{paused} paused")


def test_counts_read_as_words_not_keys() -> None:
    from app.signals.sync import Outcome, describe

    line = describe(Outcome(7, "model-repo", "ok", {"files_read": 12, "commits": 3}, 1500))
    assert line == "ok      #7 model-repo: 3 commits, 12 files read in 1.5 s"
