"""The process a sync runs in does not outlive the server that started it, however the server ends; a
sync someone waits for (a command's) runs in the calling process instead."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from tests.signals.git_repos import build_ml_repo

SERVER = textwrap.dedent(
    """
    import multiprocessing, sys
    from datetime import UTC, datetime
    from pathlib import Path
    from app.signals import sync_process
    from app.signals.adapters import SourceConfig
    from app.signals.adapters.base import Outbound

    if __name__ == "__main__":
        repo, cache, here = sys.argv[1], Path(sys.argv[2]), sys.argv[3:] == ["here"]
        config = SourceConfig(id=1, kind="git", url=repo, folder="source-1", branch="main")
        outbound = Outbound(allowed_root=str(Path(repo).parent))
        now = datetime.now(UTC)
        result = sync_process.sync(config, outbound=outbound, cache_dir=cache, state=None, now=now, here=here)
        children = [child.pid for child in multiprocessing.active_children()]
        print(len(result.signals), *children, flush=True)
        sys.stdin.read()  # until the test kills this "server"
    """
)


def _server(tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    """The script above syncing a real repository; it prints its signals' count and its children."""
    repo = build_ml_repo(tmp_path / "repos" / "ml")
    script = tmp_path / "server.py"
    script.write_text(SERVER)
    return subprocess.Popen(
        [sys.executable, str(script), str(repo.path), str(tmp_path / "cache"), *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )


def test_the_sync_process_ends_when_its_server_is_killed(tmp_path: Path) -> None:
    """A server killed outright (SIGKILL: no clean-up of its own) leaves no sync process behind; such a
    child would otherwise hold its memory until the machine restarts."""
    server = _server(tmp_path)
    assert server.stdout is not None
    signals, *children = (int(word) for word in server.stdout.readline().split())
    assert signals > 0, "the sync ran and read the repository"
    assert children, "it ran in a child process"
    os.kill(server.pid, signal.SIGKILL)
    server.wait(timeout=10)
    deadline = time.monotonic() + 15
    while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in children if _alive(pid)], "the sync process outlived its server"


def test_a_sync_someone_waits_for_runs_in_the_calling_process(tmp_path: Path) -> None:
    """hoshin sync and hoshin demo sync in their own process: the background sync process yields every
    cycle to other work, so on a machine busy to the last cycle a command waiting on it hardly moved
    (hoshin demo took over 300 s beside two CPU-bound processes; now ~8 s)."""
    server = _server(tmp_path, "here")
    assert server.stdout is not None
    signals, *children = (int(word) for word in server.stdout.readline().split())
    server.kill()
    server.wait(timeout=10)
    assert signals > 0, "the sync ran and read the repository"
    assert children == [], "no sync process was started"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/stat")
    return not (status.exists() and status.read_text().split(") ")[1].startswith("Z"))
