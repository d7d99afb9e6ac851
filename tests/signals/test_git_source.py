"""A real Git repository through the sources feature: a manager connects it on the Sources page, tests
the connection and syncs it, and the page and the API show what the repository really holds."""

from __future__ import annotations

import multiprocessing
import os
import signal
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from app.config import Settings
from app.kit.time import utcnow
from app.models import Source, SyncRun
from app.signals import adapters, sync
from tests import factories
from tests.access.conftest import act_as
from tests.conftest import csrf_token
from tests.factories import Org
from tests.signals.git_repos import ML_FILES, Repo

COMMITS = 78  # all within the adapter's 90-day window
PER_WEEK = round(COMMITS / (90 / 7), 2)


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(
        var_dir=tmp_path / "var",
        database_url=database_url,
        secret_key="test-" + "x" * 40,
        git_allowed_root=tmp_path / "repos",
    )


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    """An ML project with CI, tests and DVC, and a commit a day over the last 11 weeks."""
    now = utcnow()
    built = Repo.create(tmp_path / "repos" / "model")
    built.commit("Add the pipeline, CI and tests", now - timedelta(days=85), files=ML_FILES)
    built.add_commits(COMMITS - 1, now - timedelta(days=84), timedelta(days=1))
    return built


def _post(client: TestClient, url: str, data: dict[str, str] | None = None) -> object:
    response = client.post(url, data={"csrf_token": csrf_token(client), **(data or {})})
    assert response.status_code == 303, response.text
    return response


def _connect(client: TestClient, db: Session, org: Org, repo: Repo) -> Source:
    act_as(client, db, org.manager)
    data = {"kind": "git", "name": "Model repo", "url": str(repo.path), "branch": "main"}
    _post(client, f"/teams/{org.team.id}/sources", data)
    return db.scalars(select(Source).where(Source.team_id == org.team.id)).one()


def test_a_manager_connects_a_local_repository_tests_and_syncs_it_and_sees_its_signals(
    client: TestClient, db: Session, org: Org, repo: Repo
) -> None:
    source = _connect(client, db, org, repo)
    base = f"/teams/{org.team.id}/sources/{source.id}"
    _post(client, f"{base}/test")
    html = client.get(f"/teams/{org.team.id}/sources").text
    assert "Connection works" in html
    assert "branch main at" in html
    in_japanese = client.get(f"/teams/{org.team.id}/sources", headers={"Accept-Language": "ja"}).text
    assert "ブランチ main（" in in_japanese
    assert "branch main at" not in in_japanese
    _post(client, f"{base}/sync")
    html = client.get(f"/teams/{org.team.id}/sources").text
    assert "Synced" in html
    assert f"{COMMITS} commits read" in html
    assert "files_read" not in html
    assert "git.ci.configured" in html
    signals = {s["key"]: s for s in client.get(f"/api/v1/teams/{org.team.id}/signals").json()}
    assert signals["git.ci.configured"]["value"] == 1
    assert signals["git.data.dvc"]["value"] == 1
    assert signals["git.history.commits_per_week"]["value"] == PER_WEEK


def test_removing_a_git_source_deletes_its_cached_clone(
    client: TestClient, db: Session, org: Org, repo: Repo, settings: Settings
) -> None:
    source = _connect(client, db, org, repo)
    base = f"/teams/{org.team.id}/sources/{source.id}"
    _post(client, f"{base}/sync")
    [clone] = _clones(settings, source)
    _post(client, f"{base}/delete", {"confirm": "yes"})
    assert not clone.parent.exists()  # the source's folder, with the clone


def test_removing_a_git_source_through_the_api_deletes_its_cached_clone(
    client: TestClient, db: Session, org: Org, repo: Repo, settings: Settings
) -> None:
    source = _connect(client, db, org, repo)
    _post(client, f"/teams/{org.team.id}/sources/{source.id}/sync")
    [clone] = _clones(settings, source)
    headers = {"Authorization": f"Bearer {factories.api_token(db, org.manager)}"}
    response = client.delete(f"/api/v1/teams/{org.team.id}/sources/{source.id}", headers=headers)
    assert response.status_code == 204
    assert not clone.parent.exists()  # the source's folder, with the clone


def test_git_sources_get_their_own_size_cap_not_the_http_one(
    client: TestClient, db: Session, org: Org, repo: Repo, settings: Settings
) -> None:
    settings.git_max_bytes = 2_000
    source = _connect(client, db, org, repo)
    _post(client, f"/teams/{org.team.id}/sources/{source.id}/sync")
    html = client.get(f"/teams/{org.team.id}/sources").text
    assert "Sync failed" in html
    assert "larger than 2000 bytes" in html


def test_repositories_under_var_are_allowed_when_no_root_is_set(tmp_path: Path) -> None:
    settings = Settings(var_dir=tmp_path / "var")
    assert settings.git_allowed_root == tmp_path / "var" / "repositories"


def test_the_admin_sees_the_git_size_cap_apart_from_the_http_one(
    client: TestClient, db: Session, org: Org
) -> None:
    act_as(client, db, org.admin)
    html = client.get("/admin/sources").text
    assert "20 MB per HTTP response, 500 MB per Git clone or fetch" in html


def _clones(settings: Settings, source: Source) -> list[Path]:
    return sorted((settings.var_dir / "sources").glob(f"source-{source.id}-*/*.git"))


def test_a_source_changed_to_another_repository_keeps_only_the_new_clone(
    client: TestClient, db: Session, org: Org, repo: Repo, settings: Settings, tmp_path: Path
) -> None:
    source = _connect(client, db, org, repo)
    base = f"/teams/{org.team.id}/sources/{source.id}"
    _post(client, f"{base}/sync")
    [first] = _clones(settings, source)
    other = Repo.create(tmp_path / "repos" / "other")
    other.commit("Start", utcnow() - timedelta(days=3), files=ML_FILES)
    data = {"kind": "git", "name": "Model repo", "url": str(other.path), "branch": "main"}
    _post(client, base, {**data, "enabled": "yes"})
    _post(client, f"{base}/sync")
    [second] = _clones(settings, source)
    assert second != first
    assert not first.exists()


def test_a_late_clean_up_of_a_removed_source_leaves_a_new_source_with_its_id_alone(
    client: TestClient, db: Session, org: Org, repo: Repo, settings: Settings, engine: Engine
) -> None:
    removed = _connect(client, db, org, repo)
    removed_id, created = removed.id, removed.created_at
    _post(client, f"/teams/{org.team.id}/sources/{removed_id}/delete", {"confirm": "yes"})
    db.expire_all()
    data = {"kind": "git", "name": "Model repo again", "url": str(repo.path), "branch": "main"}
    _post(client, f"/teams/{org.team.id}/sources", data)
    source = db.scalars(select(Source).where(Source.team_id == org.team.id)).one()
    _post(client, f"/teams/{org.team.id}/sources/{source.id}/sync")
    [clone] = _clones(settings, source)
    # the removed source's clean-up, had it run only now (it runs after the removal's answer, in the
    # background, and a slow disk or a running sync can hold it up): the new source's clone stays
    context = sync.context_for(settings, engine, secret_key=settings.secret_key)
    sync.forget(context, folder=adapters.folder_name(removed_id, created))
    assert clone.exists()


def test_a_sync_runs_in_a_process_of_its_own_at_a_lower_priority_and_survives_its_death(
    client: TestClient, db: Session, org: Org, repo: Repo
) -> None:
    """The history's parsing does not share the server's interpreter with the pages: it runs in a child
    process that has a core only when nothing else wants it (SCHED_IDLE); killed (out of memory, say),
    it is replaced and the sync still succeeds."""
    source = _connect(client, db, org, repo)
    _post(client, f"/teams/{org.team.id}/sources/{source.id}/sync")
    children = [p for p in multiprocessing.active_children() if p.name.startswith("SpawnProcess")]
    assert children, "the sync ran in a child process"
    for child in children:
        assert child.pid is not None
        assert os.sched_getscheduler(child.pid) == os.SCHED_IDLE
        os.kill(child.pid, signal.SIGKILL)
        child.join(timeout=30)
    _post(client, f"/teams/{org.team.id}/sources/{source.id}/sync")
    statuses = db.scalars(select(SyncRun.status).where(SyncRun.source_id == source.id)).all()
    assert statuses == ["ok", "ok"]
