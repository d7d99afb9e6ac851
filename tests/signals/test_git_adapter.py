"""The Git adapter on real repositories built with git: every signal checked against what was committed."""

from __future__ import annotations

import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest

from app.signals.adapters.base import Outbound, SyncResult
from app.signals.adapters.git import GitAdapter
from tests.signals.git_repos import NOW, Repo, build_ml_repo, git_env

WEEKS = 90 / 7


def values(result: SyncResult) -> dict[str, float]:
    return {s.key: s.value for s in result.signals}


def details(result: SyncResult) -> dict[str, dict[str, object]]:
    return {s.key: s.detail for s in result.signals}


def local(repo: Repo, cache: Path) -> GitAdapter:
    return GitAdapter(
        str(repo.path), branch="main", outbound=Outbound(allowed_root=str(repo.path.parent)), cache_dir=cache
    )


def test_tree_signals_match_what_the_repository_holds(ml_repo: Repo, tmp_path: Path) -> None:
    result = local(ml_repo, tmp_path / "cache").sync(state=None, now=NOW)
    got, more = values(result), details(result)
    assert got["git.ci.configured"] == 1
    assert more["git.ci.configured"]["systems"] == ["github_actions"]
    assert got["git.ci.runs_tests"] == 1
    assert got["git.ci.lints"] == 1
    assert got["git.ci.trains_model"] == 1
    assert got["git.ci.registers_model"] == 1
    assert got["git.ci.deploys"] == 0  # 'make deploy' is only in a YAML comment
    assert got["git.ci.builds"] == 0
    assert got["git.tests.files"] == 2
    assert got["git.tests.present"] == 1
    assert got["git.tests.file_share"] == pytest.approx(2 / 7, abs=1e-4)  # 2 tests, 5 source files
    assert got["git.coverage.configured"] == 1
    assert got["git.coverage.threshold"] == pytest.approx(0.85)  # the higher of 85 (pyproject) and 80 (CI)
    assert got["git.container.dockerfile"] == 1
    assert got["git.container.devcontainer"] == 1
    assert got["git.deps.locked"] == 1
    assert more["git.deps.locked"]["files"] == ["uv.lock"]
    assert got["git.deps.pinned_share"] == pytest.approx(2 / 3, abs=1e-4)
    assert got["git.deps.update_bot"] == 1
    assert more["git.deps.update_bot"]["tools"] == ["dependabot"]
    assert got["git.data.dvc"] == 1
    assert more["git.data.dvc"]["files"] == 4
    assert got["git.data.lfs"] == 1
    assert more["git.data.lfs"]["patterns"] == 2
    assert got["git.features.feast"] == 1
    assert got["git.mlflow.used"] == 1
    assert "src/pkg/train.py" in more["git.mlflow.used"]["files"]
    assert got["git.pipelines.configured"] == 1
    assert more["git.pipelines.configured"]["tools"] == [
        "dvc",
        "prefect",
    ]
    assert got["git.pipelines.dvc_stages"] == 2
    assert got["git.monitoring.configured"] == 1
    monitoring = ["alertmanager", "evidently", "grafana_dashboards", "prometheus_rules"]
    assert more["git.monitoring.configured"]["tools"] == monitoring
    assert got["git.monitoring.drift_detection"] == 1
    assert got["git.docs.readme"] == 1
    assert got["git.docs.pages"] == 2
    assert got["git.docs.model_card"] == 1


def test_history_signals_match_the_commit_dates_and_tags(ml_repo: Repo, tmp_path: Path) -> None:
    result = local(ml_repo, tmp_path / "cache").sync(state=None, now=NOW)
    got, more = values(result), details(result)
    # 8 commits within 90 days (days 85 .. 5); the two at 120 and 100 days are older
    assert got["git.history.commits_per_week"] == pytest.approx(round(8 / WEEKS, 2))
    assert got["git.history.contributors"] == 3  # alice, bob, carol (dave only before the window)
    assert got["git.history.days_since_last_commit"] == 5
    # v1.0 (60 days ago) and v1.1 (30 days ago); v0.9 is older, experiment-x is not a release tag
    assert got["git.delivery.release_tags_per_month"] == pytest.approx(round(2 / 3, 2))
    assert more["git.delivery.release_tags_per_month"]["bucket"] == "monthly"
    # v1.0 first holds the commits of days 85, 80, 70 (25, 20, 10 days); v1.1 those of 50, 40 (20, 10)
    assert got["git.delivery.lead_time_hours"] == 20 * 24
    assert more["git.delivery.lead_time_hours"]["commits"] == 5
    assert got["git.delivery.revert_share"] == pytest.approx(1 / 8)
    for key in (
        "git.delivery.release_tags_per_month",
        "git.delivery.lead_time_hours",
        "git.delivery.revert_share",
    ):
        assert "proxy" in str(more[key]["proxy_for"])
    assert result.counts["commits"] == 8
    assert result.counts["releases"] == 2


def test_a_github_folder_with_only_funding_and_templates_is_not_ci(tmp_path: Path) -> None:
    repo = Repo.create(tmp_path / "repos" / "plain")
    files = {
        ".github/FUNDING.yml": "github: [x]\n",
        ".github/ISSUE_TEMPLATE/bug.md": "# Bug\n",
        "main.py": "x = 1\n",
    }
    repo.commit("Start", NOW - timedelta(days=1), files=files)
    got = values(local(repo, tmp_path / "cache").sync(state=None, now=NOW))
    assert got["git.ci.configured"] == 0
    assert got["git.tests.present"] == 0
    assert got["git.tests.file_share"] == 0
    assert "git.delivery.lead_time_hours" not in got  # no release: no lead time rather than a made-up 0


def test_clone_is_blob_less_and_files_are_read_without_a_checkout(ml_repo: Repo, tmp_path: Path) -> None:
    adapter = local(ml_repo, tmp_path / "cache")
    adapter.sync(state=None, now=NOW)
    cache = adapter.cache_path
    assert (cache / "HEAD").exists()
    assert not (cache / "src").exists()
    env = git_env()
    missing = subprocess.run(
        ["git", f"--git-dir={cache}", "rev-list", "--objects", "--all", "--missing=print"],
        env=env, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert any(
        line.startswith("?") for line in missing.splitlines()
    )  # the log/*.txt blobs were never fetched


def test_incremental_sync_reads_only_new_commits_and_agrees_with_a_full_scan(tmp_path: Path) -> None:
    repo = build_ml_repo(tmp_path / "repos" / "ml")
    adapter = local(repo, tmp_path / "cache")
    first = adapter.sync(state=None, now=NOW)
    repo.add_commits(100, NOW - timedelta(days=4), timedelta(minutes=30))
    repo.tag("v1.2", repo.git("rev-parse", "HEAD"), NOW - timedelta(days=1))

    again = adapter.sync(state=first.state, now=NOW)
    full = local(repo, tmp_path / "other-cache").sync(state=None, now=NOW)

    assert again.counts["commits"] == 100
    assert again.counts["releases"] == 1
    assert values(again) == values(full)
    assert values(again)["git.history.commits_per_week"] == pytest.approx(round(108 / WEEKS, 2))
    assert values(again)["git.delivery.release_tags_per_month"] == 1.0  # 3 releases in 3 months


def test_a_rewritten_branch_is_scanned_again(tmp_path: Path) -> None:
    repo = build_ml_repo(tmp_path / "repos" / "ml")
    adapter = local(repo, tmp_path / "cache")
    first = adapter.sync(state=None, now=NOW)
    repo.git("reset", "-q", "--hard", "HEAD~2")  # drop the commits of days 10 and 5
    rewritten = adapter.sync(state=first.state, now=NOW)
    assert values(rewritten)["git.history.commits_per_week"] == pytest.approx(round(6 / WEEKS, 2))
    assert values(rewritten)["git.history.days_since_last_commit"] == 20


def test_state_stays_small_however_long_the_history(tmp_path: Path) -> None:
    repo = build_ml_repo(tmp_path / "repos" / "ml")
    repo.add_commits(2000, NOW - timedelta(days=3), timedelta(minutes=1))
    repo.tag("v2.0", repo.git("rev-parse", "HEAD"), NOW - timedelta(hours=1))
    result = local(repo, tmp_path / "cache").sync(state=None, now=NOW)
    assert values(result)["git.history.commits_per_week"] == pytest.approx(round(2008 / WEEKS, 2))
    assert len(str(result.state)) < 10_000  # per-day counts and at most 50 lead times per release


def test_test_connection_names_the_branch_head_and_tags(ml_repo: Repo, tmp_path: Path) -> None:
    adapter = local(ml_repo, tmp_path / "cache")
    head = ml_repo.git("rev-parse", "HEAD")
    assert str(adapter.test()) == f"branch main at {head[:7]}, tags: 4"
    adapter.sync(state=None, now=NOW)
    assert str(adapter.test()) == f"branch main at {head[:7]}, tags: 4, commits: 10"


def test_sync_over_git_daemon(served: tuple[Path, int], tmp_path: Path) -> None:
    root, port = served
    build_ml_repo(root / "ml.git")
    outbound = Outbound(allowed_hosts=("127.0.0.1",), allow_private=True)
    adapter = GitAdapter(
        f"git://127.0.0.1:{port}/ml.git", branch="main", outbound=outbound, cache_dir=tmp_path
    )
    assert str(adapter.test()).startswith("branch main at ")
    result = adapter.sync(state=None, now=NOW)
    got = values(result)
    assert got["git.ci.configured"] == 1
    assert got["git.data.dvc"] == 1
    assert got["git.pipelines.dvc_stages"] == 2
    assert got["git.delivery.lead_time_hours"] == 480
    assert result.counts["commits"] == 8


def test_cache_is_one_folder_per_source_under_the_cache_dir(ml_repo: Repo, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    adapter = local(ml_repo, cache)
    adapter.sync(state=None, now=NOW)
    assert sorted(p.name for p in cache.iterdir()) == sorted(
        [adapter.cache_path.name, f"{adapter.cache_path.stem}.lock"]
    )
    shutil.rmtree(cache)
    assert values(adapter.sync(state=None, now=NOW))["git.ci.configured"] == 1  # a lost cache is cloned again
