"""`hoshin demo` builds a real Git repository under var/ and connects it, synced, to Recommendations."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from app.config import Settings
from app.db import make_engine
from app.main import create_app
from app.models import Team
from tests.cli.test_cli import env, run
from tests.conftest import sign_in

__all__ = ["env"]


def _git(repository: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", f"--git-dir={repository}", *args], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_demo_builds_a_repository_and_shows_its_synced_signals_on_the_sources_page(
    env: dict[str, str], tmp_path: Path
) -> None:
    run("db", "upgrade", env=env)
    loaded = run("demo", env=env)
    assert loaded.returncode == 0, loaded.stderr
    assert re.search(r"demo repository: ok .* recommendations: \d+ commits", loaded.stdout)
    assert "demo repository: 12 weekly syncs of its past replayed" in loaded.stdout
    repository = tmp_path / "var" / "repositories" / "demo" / "recommendations.git"
    assert int(_git(repository, "rev-list", "--count", "main")) >= 200
    assert len(_git(repository, "tag").split()) >= 3
    assert len(set(_git(repository, "log", "--format=%ae", "main").split())) == 4
    head = _git(repository, "rev-parse", "main")

    password = re.search(r"demo password: (\S+)", loaded.stdout)
    assert password is not None
    settings = Settings(var_dir=tmp_path / "var")
    with make_engine(settings.database_url).connect() as connection:
        team_id = connection.scalar(select(Team.id).where(Team.slug == "recommendations"))
    with TestClient(create_app(settings), follow_redirects=False) as client:
        sign_in(client, "ren.sato@example.com", password.group(1))
        html = client.get(f"/teams/{team_id}/sources").text
        signals = {s["key"]: s["value"] for s in client.get(f"/api/v1/teams/{team_id}/signals").json()}
        delivery = client.get(f"/api/v1/teams/{team_id}/delivery-metrics").json()["sources"][0]
    assert "Synced" in html
    assert "recommendations.git" in html
    assert signals["git.ci.configured"] == 1
    assert signals["git.data.dvc"] == 1
    assert signals["git.container.dockerfile"] == 1
    assert signals["git.history.commits_per_week"] > 5
    assert delivery["good_syncs"] == 13  # 12 past weeks replayed, then today
    releases = delivery["metrics"][0]
    assert len(releases["points"]) == 13
    assert releases["latest"] == signals["git.delivery.release_tags_per_month"]

    again = run("demo", "--if-empty", env=env)
    assert again.returncode == 0
    assert _git(repository, "rev-parse", "main") == head  # left as it is
