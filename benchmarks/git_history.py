"""The Git adapter's history scan on a generated 100,000-commit repository, beside plain `git log` over the
same commits in the same run, and an incremental re-scan after 100 new commits (medians of 3).

The repository is made once with `git fast-import` and cached under var/cache/bench/ (all commits within
the 90-day window before the time it was made, a release tag every 1,000 commits, 40 authors, a revert
every 97 commits). Each run clones it (hard links) as the source, so the cached copy never changes.

Usage: uv run python -m benchmarks.git_history [--commits 100000] [--new 100]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from app.signals.adapters.base import Outbound
from app.signals.adapters.git import GitAdapter
from app.signals.adapters.git_history import LOG_FORMAT
from benchmarks.common import ROOT
from tests.signals.git_repos import git_env

CACHE = ROOT / "var" / "cache" / "bench"
SPAN = 89 * 86_400  # every commit inside the 90-day window


def _generate(path: Path, commits: int, extra: int) -> int:
    """A bare repository: `main` with `commits` commits, `next` with `extra` more on top; returns 'now'."""
    now = int(time.time())
    tmp = path.with_suffix(".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    subprocess.run(["git", "init", "-q", "--bare", str(tmp)], env=git_env(), check=True)
    first = now - SPAN
    step = SPAN / (commits + extra + 1)
    process = subprocess.Popen(
        ["git", f"--git-dir={tmp}", "fast-import", "--quiet"], stdin=subprocess.PIPE, env=git_env()
    )
    assert process.stdin is not None
    write = process.stdin.write
    for i in range(commits + extra):
        stamp = int(first + i * step)
        branch = "main" if i < commits else "next"
        author = f"dev{i % 40}"
        subject = f'Revert "change {i - 1}"' if i % 97 == 96 else f"change {i}"
        content = f"{i}\n".encode()
        write(f"commit refs/heads/{branch}\nmark :{i + 1}\n".encode())
        write(f"author {author} <{author}@example.com> {stamp} +0000\n".encode())
        write(f"committer {author} <{author}@example.com> {stamp} +0000\n".encode())
        write(f"data {len(subject)}\n{subject}\n".encode())
        if i == commits:
            write(f"from :{i}\n".encode())
        write(f"M 100644 inline f{i % 100}.txt\ndata {len(content)}\n".encode() + content + b"\n")
        if i % 1000 == 999 and i < commits:
            tagged = stamp + 3600
            write(
                f"tag v{i // 1000}.0\nfrom :{i + 1}\ntagger Rel <rel@example.com> {tagged} +0000\n".encode()
            )
            write(b"data 7\nrelease\n")
    process.stdin.close()
    if process.wait() != 0:
        raise SystemExit("git fast-import failed")
    (tmp / "bench-now").write_text(str(now))
    shutil.rmtree(path, ignore_errors=True)
    tmp.rename(path)
    return now


def cached_repository(commits: int = 100_000, new: int = 100) -> tuple[Path, int]:
    """The generated bare repository (made once, then kept in var/cache/bench/) and the time it was made."""
    cached = CACHE / f"git-{commits}-{new}.git"
    if (cached / "bench-now").exists():
        return cached, int((cached / "bench-now").read_text())
    print(f"generating {commits:,} commits with git fast-import into {cached} ...", flush=True)
    CACHE.mkdir(parents=True, exist_ok=True)
    return cached, _generate(cached, commits, new)


def _median(run: Callable[[], object], times: int = 3) -> float:
    samples = []
    for _ in range(times):
        start = time.perf_counter()
        run()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--commits", type=int, default=100_000)
    parser.add_argument("--new", type=int, default=100)
    args = parser.parse_args()
    cached, now = cached_repository(args.commits, args.new)
    when = datetime.fromtimestamp(now, UTC)

    work = Path(tempfile.mkdtemp(prefix="git-bench-"))
    try:
        source = work / "source.git"
        subprocess.run(
            ["git", "clone", "-q", "--bare", "--local", str(cached), str(source)], env=git_env(), check=True
        )
        subprocess.run(
            ["git", f"--git-dir={source}", "fetch", "-q", str(cached), "+refs/*:refs/*"],
            env=git_env(),
            check=True,
        )

        def point_main(ref: str) -> None:
            subprocess.run(["git", f"--git-dir={source}", "update-ref", "refs/heads/main", ref], check=True)

        base = subprocess.run(
            ["git", f"--git-dir={source}", "rev-parse", "main"], capture_output=True, text=True
        )
        base_sha = base.stdout.strip()
        outbound = Outbound(allowed_root=str(work), max_bytes=2_000_000_000, timeout_seconds=60)
        adapter = GitAdapter(str(source), branch="main", outbound=outbound, cache_dir=work / "cache")
        start = time.perf_counter()
        adapter.sync(state=None, now=when)
        print(f"first sync (blob-less clone + tree + history): {time.perf_counter() - start:.2f} s")

        remote, _branch = adapter.checked()
        head = base_sha
        git_dir = str(adapter.cache_path)
        log = ["git", f"--git-dir={git_dir}", "log", f"--format={LOG_FORMAT}", head]
        plain_runs, null_runs, scan_runs = [], [], []
        for _ in range(3):  # interleaved, so a busy moment on the machine hits both alike
            plain_runs.append(_median(lambda: subprocess.run(log, capture_output=True, check=True), times=1))
            null_runs.append(
                _median(lambda: subprocess.run(log, stdout=subprocess.DEVNULL, check=True), times=1)
            )
            scan_runs.append(_median(lambda: adapter.scan_history(remote, head, None, now), times=1))
        plain, scan = statistics.median(plain_runs), statistics.median(scan_runs)
        to_null = statistics.median(null_runs)
        history, counts = adapter.scan_history(remote, head, None, now)
        full_sync = _median(lambda: adapter.sync(state=None, now=when))
        print(f"commits scanned: {counts['commits']:,}, release tags: {counts['releases']}")
        print(
            f"plain git log (same format, same commits): {plain:.3f} s read by Python, "
            f"{to_null:.3f} s to /dev/null"
        )
        print(
            f"adapter history scan:                      {scan:.3f} s "
            f"({scan / plain:.2f}x git log read, {scan / to_null:.2f}x to /dev/null; goal 1.3x)"
        )
        print(f"adapter full sync (fetch, tree, history):  {full_sync:.3f} s")

        state = history.to_state()
        point_main("refs/heads/next")
        adapter.sync(state=state, now=when)  # fetch the new commits once; the scans below read the cache
        new_head = subprocess.run(
            ["git", f"--git-dir={git_dir}", "rev-parse", "main"], capture_output=True, text=True
        )
        new_sha = new_head.stdout.strip()
        incremental = _median(lambda: adapter.scan_history(remote, new_sha, state, now))
        _, counts = adapter.scan_history(remote, new_sha, state, now)
        samples = []
        for _ in range(3):
            point_main(base_sha)
            first = adapter.sync(state=None, now=when)
            point_main("refs/heads/next")
            start = time.perf_counter()
            adapter.sync(state=first.state, now=when)
            samples.append(time.perf_counter() - start)
        incremental_sync = statistics.median(samples)
        print(f"incremental history scan after {counts['commits']} new commits: {incremental:.3f} s")
        print(
            f"  ratio to the full scan: {incremental / scan:.3f} "
            f"(new commits / all: {args.new / args.commits:.3f})"
        )
        print(f"incremental sync (fetch of the new commits, tree, history): {incremental_sync:.3f} s")
        print(f"  ratio to the full sync: {incremental_sync / full_sync:.3f}")
        print(f"state size: {len(str(state)):,} characters")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
