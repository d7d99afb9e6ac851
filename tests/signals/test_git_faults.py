"""The Git adapter's faults: each a SyncError of a clear kind, no command smuggled, nothing half-written."""

from __future__ import annotations

import fcntl
import os
import shutil
from pathlib import Path

import pytest

from app.signals.adapters.base import Outbound, SyncError
from app.signals.adapters.git import GitAdapter
from app.signals.adapters.git_cli import GIT_NICENESS, GitLimits, run_git
from app.signals.adapters.git_url import Remote
from tests.signals.git_repos import NOW, Repo, build_ml_repo, silent_server

LOOPBACK = Outbound(allowed_hosts=("127.0.0.1",), allow_private=True, timeout_seconds=10)


def fails(adapter: GitAdapter, kind: str) -> str:
    """Both test() and sync() fail with this kind; the message of sync()'s error."""
    with pytest.raises(SyncError) as tested:
        adapter.test()
    assert tested.value.kind == kind, tested.value.message
    with pytest.raises(SyncError) as synced:
        adapter.sync(state=None, now=NOW)
    assert synced.value.kind == kind, synced.value.message
    return synced.value.message


def nothing_cached(cache: Path) -> bool:
    """No clone, whole or partial, in the cache folder (the lock file of a sync may stay)."""
    return not cache.exists() or not [p for p in cache.iterdir() if p.suffix != ".lock"]


def test_a_host_not_on_the_allow_list_is_refused(tmp_path: Path) -> None:
    adapter = GitAdapter(
        "https://example.com/acme/churn.git", branch="main", outbound=Outbound(), cache_dir=tmp_path
    )
    assert "example.com is not on the allowed list" in fails(adapter, "host_not_allowed")
    assert nothing_cached(tmp_path)


def test_a_private_address_is_refused_unless_allowed(tmp_path: Path) -> None:
    outbound = Outbound(allowed_hosts=("127.0.0.1",))
    adapter = GitAdapter("git://127.0.0.1:9/x.git", branch="main", outbound=outbound, cache_dir=tmp_path)
    assert "private address" in fails(adapter, "host_not_allowed")


def test_a_path_outside_the_allowed_root_is_refused(ml_repo: Repo, tmp_path: Path) -> None:
    allowed = tmp_path / "allowed"
    allowed.mkdir()
    (allowed / "link").symlink_to(ml_repo.path)  # a symbolic link inside the root does not let it out
    for url in (str(ml_repo.path), f"file://{ml_repo.path}", str(allowed / "link"), f"{allowed}/../../x"):
        adapter = GitAdapter(
            url, branch="main", outbound=Outbound(allowed_root=str(allowed)), cache_dir=tmp_path / "c"
        )
        assert "outside the allowed folder" in fails(adapter, "path_not_allowed")
    assert nothing_cached(tmp_path / "c")


def test_local_paths_are_refused_when_no_root_is_set(ml_repo: Repo, tmp_path: Path) -> None:
    adapter = GitAdapter(str(ml_repo.path), branch="main", outbound=Outbound(), cache_dir=tmp_path)
    assert "not allowed" in fails(adapter, "path_not_allowed")


@pytest.mark.parametrize(
    "url",
    [
        "ext::sh -c touch% {marker}",
        "ext::sh -c 'touch {marker}'",
        "--upload-pack=touch {marker}",
        "-u touch {marker}",
        "fd::3",
        "http://127.0.0.1/x.git",
    ],
)
def test_command_smuggling_urls_are_refused_and_never_run(url: str, tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    adapter = GitAdapter(
        url.format(marker=marker), branch="main", outbound=LOOPBACK, cache_dir=tmp_path / "c"
    )
    fails(adapter, "path_not_allowed")
    assert not marker.exists()


def test_an_upload_pack_branch_name_is_refused(ml_repo: Repo, tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    outbound = Outbound(allowed_root=str(ml_repo.path.parent))
    adapter = GitAdapter(
        str(ml_repo.path), branch=f"--upload-pack=touch {marker}", outbound=outbound, cache_dir=tmp_path
    )
    assert "not a valid branch name" in fails(adapter, "branch_missing")
    assert not marker.exists()


def test_git_itself_refuses_the_ext_transport_even_if_a_url_got_through(tmp_path: Path) -> None:
    """Defence in depth: the protocol.allow settings stop `ext::` even without the URL check."""
    marker = tmp_path / "marker"
    url = f"ext::sh -c touch% {marker}"
    for transport in ("file", "https", "ssh", "git"):
        with pytest.raises(SyncError) as caught:
            run_git(
                ["ls-remote", "--", url], remote=Remote(url, transport, "x"), limits=GitLimits(timeout=10)
            )
        assert caught.value.kind == "path_not_allowed"
    assert not marker.exists()


def test_a_missing_branch_is_named(ml_repo: Repo, tmp_path: Path) -> None:
    outbound = Outbound(allowed_root=str(ml_repo.path.parent))
    adapter = GitAdapter(str(ml_repo.path), branch="release", outbound=outbound, cache_dir=tmp_path)
    with pytest.raises(SyncError) as caught:
        adapter.test()
    assert caught.value.kind == "branch_missing"
    assert caught.value.message == "The repository has no branch 'release' (branches: main)."
    with pytest.raises(SyncError) as synced:
        adapter.sync(state=None, now=NOW)
    assert synced.value.kind == "branch_missing"
    assert nothing_cached(tmp_path)  # the failed clone left no folder behind


def test_a_folder_that_is_not_a_repository(tmp_path: Path) -> None:
    (tmp_path / "repos" / "empty").mkdir(parents=True)
    outbound = Outbound(allowed_root=str(tmp_path / "repos"))
    adapter = GitAdapter(
        str(tmp_path / "repos" / "empty"), branch="main", outbound=outbound, cache_dir=tmp_path / "c"
    )
    fails(adapter, "not_repository")
    assert nothing_cached(tmp_path / "c")


def test_a_local_repository_that_disappears_keeps_the_last_good_cache(tmp_path: Path) -> None:
    repo = build_ml_repo(tmp_path / "repos" / "ml")
    outbound = Outbound(allowed_root=str(tmp_path / "repos"))
    adapter = GitAdapter(str(repo.path), branch="main", outbound=outbound, cache_dir=tmp_path / "c")
    adapter.sync(state=None, now=NOW)
    shutil.rmtree(repo.path)
    fails(adapter, "not_repository")
    assert (adapter.cache_path / "HEAD").exists()  # the clone of the last good sync is still whole


def test_a_served_repository_that_disappears(served: tuple[Path, int], tmp_path: Path) -> None:
    root, port = served
    repo = build_ml_repo(root / "ml.git")
    adapter = GitAdapter(
        f"git://127.0.0.1:{port}/ml.git", branch="main", outbound=LOOPBACK, cache_dir=tmp_path
    )
    first = adapter.sync(state=None, now=NOW)
    shutil.rmtree(repo.path)
    with pytest.raises(SyncError) as caught:
        adapter.sync(state=first.state, now=NOW)
    assert caught.value.kind == "not_repository"
    assert (adapter.cache_path / "HEAD").exists()


def test_a_server_that_never_answers_times_out(tmp_path: Path) -> None:
    outbound = Outbound(allowed_hosts=("127.0.0.1",), allow_private=True, timeout_seconds=0.5)
    with silent_server() as port:
        adapter = GitAdapter(
            f"git://127.0.0.1:{port}/x.git", branch="main", outbound=outbound, cache_dir=tmp_path
        )
        assert "did not finish within" in fails(adapter, "timeout")
    assert nothing_cached(tmp_path)


def test_a_refused_connection_is_unreachable(tmp_path: Path) -> None:
    with silent_server() as port:
        pass  # the port is closed again: nothing listens there
    adapter = GitAdapter(
        f"git://127.0.0.1:{port}/x.git", branch="main", outbound=LOOPBACK, cache_dir=tmp_path
    )
    fails(adapter, "unreachable")


def test_a_repository_beyond_the_size_cap_is_refused_and_not_kept(ml_repo: Repo, tmp_path: Path) -> None:
    outbound = Outbound(allowed_root=str(ml_repo.path.parent), max_bytes=2_000)
    adapter = GitAdapter(str(ml_repo.path), branch="main", outbound=outbound, cache_dir=tmp_path)
    with pytest.raises(SyncError) as caught:
        adapter.sync(state=None, now=NOW)
    assert caught.value.kind == "too_large"
    assert nothing_cached(tmp_path)


def test_credentials_in_a_url_never_reach_the_message(tmp_path: Path) -> None:
    adapter = GitAdapter(
        "https://user:s3cret-token@example.com/acme/churn.git",
        branch="main",
        outbound=Outbound(),
        cache_dir=tmp_path,
    )
    assert "s3cret" not in fails(adapter, "host_not_allowed")


def test_a_sync_while_another_holds_the_clone_gives_up_at_the_time_out(ml_repo: Repo, tmp_path: Path) -> None:
    outbound = Outbound(allowed_root=str(ml_repo.path.parent), timeout_seconds=0.2)
    adapter = GitAdapter(str(ml_repo.path), branch="main", outbound=outbound, cache_dir=tmp_path)
    with open(adapter.cache_path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # as a sync in another worker would
        with pytest.raises(SyncError) as caught:
            adapter.sync(state=None, now=NOW)
    assert caught.value.kind == "timeout"
    assert caught.value.message == "Another sync of this repository is still running."
    assert nothing_cached(tmp_path)


def test_git_runs_at_a_lower_cpu_and_disk_priority_than_the_server() -> None:
    """A sync is background work: git (and what it starts: here a shell alias running `nice` and
    `ionice`, which print their own priorities) runs 10 steps nicer than the server and uses the disk
    only when nothing else does, so pages and saves go first."""
    alias = "alias.priorities=!nice && ionice"
    out = run_git(["-c", alias, "priorities"], remote=None, limits=GitLimits(timeout=10)).decode().split()
    assert int(out[0]) == min(19, os.nice(0) + GIT_NICENESS)
    assert out[1] == "idle"
