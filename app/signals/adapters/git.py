"""The Git adapter: a blob-less bare clone per source, fetched incrementally, read without a checkout.

`test()` asks the remote for its refs; `sync()` brings the cache up to date, reads the tree at the branch
head (a few small files only) and the commits added since the last sync, and returns every Git signal.
What the signals mean lives in git_tree.py and git_history.py; how git is run safely in git_cli.py.
"""

from __future__ import annotations

import dataclasses
import fcntl
import hashlib
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from app.i18n import N_
from app.signals.adapters.base import Outbound, Signal, Summary, SyncError, SyncResult
from app.signals.adapters.git_cli import GitLimits, folder_size, run_git, stream_git
from app.signals.adapters.git_history import (
    DAY,
    DEFAULT_RELEASE_TAG,
    LOG_FORMAT,
    TAG_FORMAT,
    WINDOW_DAYS,
    History,
    LogScan,
    Tag,
    history_signals,
    parse_tags,
    release_tags,
)
from app.signals.adapters.git_tree import MAX_FILE_BYTES, files_to_read, tree_signals
from app.signals.adapters.git_url import Remote, Resolver, check_branch, check_remote, resolve_host

TRANSFER_FACTOR = 6  # a clone or fetch may take this many times the connection time-out
_WEB_HOSTS = {
    "github.com": "/blob/{branch}",
    "gitlab.com": "/-/tree/{branch}",
    "bitbucket.org": "/src/{branch}",
}


class GitAdapter:
    """A Git repository connected as a source: one branch, read through a cached blob-less clone."""

    def __init__(
        self,
        url: str,
        *,
        branch: str,
        outbound: Outbound,
        cache_dir: str | os.PathLike[str],
        release_tag_pattern: str = DEFAULT_RELEASE_TAG,
        resolver: Resolver = resolve_host,
    ) -> None:
        self.url = url
        self.branch = branch
        self.outbound = outbound
        self.cache_dir = Path(cache_dir)
        self.release_tag_pattern = release_tag_pattern
        self._resolver = resolver

    @property
    def cache_path(self) -> Path:
        """This source's bare clone (one folder per URL and branch)."""
        digest = hashlib.sha256(f"{self.url}\0{self.branch}".encode()).hexdigest()[:20]
        return self.cache_dir / f"{digest}.git"

    def test(self) -> Summary:
        """Ask the remote for its branches and tags: 'branch main at 1a2b3c4, tags: 12', or a SyncError."""
        remote, branch = self.checked()
        out = run_git(["ls-remote", "--", remote.url], remote=remote, limits=self._quick())
        pairs = (line.split("\t", 1) for line in out.decode().splitlines() if "\t" in line)
        refs = {ref: sha for sha, ref in pairs}
        head = refs.get(f"refs/heads/{branch}")
        if head is None:
            branches = sorted(r.removeprefix("refs/heads/") for r in refs if r.startswith("refs/heads/"))
            known = ", ".join(branches[:5]) or "none"
            raise SyncError("branch_missing", f"The repository has no branch '{branch}' (branches: {known}).")
        tags = len([r for r in refs if r.startswith("refs/tags/") and not r.endswith("^{}")])
        values: dict[str, str | int] = {"branch": branch, "head": head[:7], "tags": tags}
        if self.cache_path.exists():
            count = self._git(["rev-list", "--count", head, "--"], remote, check=False)
            if count.strip().isdigit():
                values["commits"] = int(count)
                return Summary(
                    N_("branch %(branch)s at %(head)s, tags: %(tags)s, commits: %(commits)s"), values
                )
        return Summary(N_("branch %(branch)s at %(head)s, tags: %(tags)s"), values)

    def sync(self, *, state: dict[str, Any] | None, now: datetime) -> SyncResult:
        """Fetch, then read the tree at the branch head and the commits since the last sync."""
        remote, branch = self.checked()
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        with self._locked():
            result = self._sync(remote, branch, state, now)
        self._drop_other_clones()
        return result

    def _drop_other_clones(self) -> None:
        """Delete the clones of this source's earlier URLs or branches, once a sync of the new one worked
        (a source's syncs never run at once, so no other clone is in use)."""
        for other in self.cache_dir.glob("*.git"):
            if other != self.cache_path:
                shutil.rmtree(other, ignore_errors=True)
                other.with_suffix(".lock").unlink(missing_ok=True)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """One sync at a time per cached clone, even when two sources name the same URL and branch."""
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        with open(self.cache_path.with_suffix(".lock"), "w") as lock:
            deadline = time.monotonic() + self.outbound.timeout_seconds * TRANSFER_FACTOR
            while True:
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise SyncError(
                            "timeout", "Another sync of this repository is still running."
                        ) from None
                    time.sleep(0.1)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _sync(self, remote: Remote, branch: str, state: dict[str, Any] | None, now: datetime) -> SyncResult:
        if self.cache_path.exists():
            self._fetch(remote, self.cache_path)
        else:
            self._clone(remote)
        head = self._git(
            ["rev-parse", "--verify", "--end-of-options", f"refs/heads/{branch}^{{commit}}"], remote
        )
        head = head.strip()
        paths, oids = self._tree(remote, head)
        texts = self._read(remote, head, [(p, oids[p]) for p in files_to_read(paths)])
        history, counts = self.scan_history(remote, head, state, int(now.timestamp()))
        signals = tree_signals(paths, texts) + history_signals(
            history, now=int(now.timestamp()), pattern=self.release_tag_pattern
        )
        link = self._web_link(remote)
        if link:
            signals = [dataclasses.replace(s, url=link) for s in signals]
        counts |= {"files": len(paths), "files_read": len(texts)}
        return SyncResult(signals=_with_head(signals, head), state=history.to_state(), counts=counts)

    def checked(self) -> tuple[Remote, str]:
        """The checked remote and branch (a SyncError before any git runs when a rule refuses them)."""
        remote = check_remote(self.url, self.outbound, self._resolver)
        branch = check_branch(self.branch)
        if remote.transport == "file" and not Path(remote.url.removeprefix("file://")).exists():
            raise SyncError("not_repository", f"No repository at {remote.shown}.")
        return remote, branch

    def _quick(self) -> GitLimits:
        return GitLimits(timeout=self.outbound.timeout_seconds)

    def _git(self, args: list[str], remote: Remote, *, check: bool = True, stdin: bytes | None = None) -> str:
        try:
            out = run_git(
                args, remote=remote, limits=self._transfer(), git_dir=str(self.cache_path), stdin=stdin
            )
        except SyncError:
            if check:
                raise
            return ""
        return out.decode("utf-8", "replace")

    def _transfer(self, watch: Path | None = None, allowance: int = 0) -> GitLimits:
        timeout = self.outbound.timeout_seconds * TRANSFER_FACTOR
        cap = allowance + self.outbound.max_bytes if watch else None
        return GitLimits(timeout=timeout, max_bytes=cap, watch=str(watch) if watch else None)

    def _clone(self, remote: Remote) -> None:
        """Clone into a temporary folder and move it into place only when complete: nothing half-written."""
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=".clone-", dir=self.cache_dir))
        try:
            target = scratch / "repo.git"
            args = ["clone", "--bare", "--filter=blob:none", "--no-tags", "--single-branch", "--branch"]
            args += [self.branch, "--", remote.url, str(target)]
            run_git(args, remote=remote, limits=self._transfer(scratch))
            self._fetch(remote, target)
            if folder_size(str(scratch)) > self.outbound.max_bytes:
                raise SyncError(
                    "too_large", f"The repository is larger than {self.outbound.max_bytes} bytes."
                )
            shutil.rmtree(self.cache_path, ignore_errors=True)
            os.replace(target, self.cache_path)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    def _fetch(self, remote: Remote, git_dir: Path) -> None:
        refspecs = [f"+refs/heads/{self.branch}:refs/heads/{self.branch}", "+refs/tags/*:refs/tags/*"]
        args = ["fetch", "--prune", "--no-tags", "--no-write-fetch-head", "--quiet", "origin", *refspecs]
        # the cached clone's origin is re-pointed at the checked URL each time: its config is never trusted
        run_git(
            ["remote", "set-url", "origin", remote.url],
            remote=remote,
            limits=self._quick(),
            git_dir=str(git_dir),
        )
        limits = self._transfer(git_dir, allowance=folder_size(str(git_dir)))
        run_git(args, remote=remote, limits=limits, git_dir=str(git_dir))

    def _tree(self, remote: Remote, head: str) -> tuple[list[str], dict[str, str]]:
        out = self._git(["ls-tree", "-r", "-z", "--full-tree", head], remote)
        paths, oids = [], {}
        for entry in out.split("\0"):
            if not entry:
                continue
            meta, path = entry.split("\t", 1)
            _mode, kind, oid = meta.split()
            if kind == "blob":
                paths.append(path)
                oids[path] = oid
        return paths, oids

    def _read(self, remote: Remote, head: str, wanted: list[tuple[str, str]]) -> dict[str, str]:
        """The text of a few small blobs; missing ones are fetched in one round trip, not one each."""
        if not wanted:
            return {}
        missing_out = self._git(["rev-list", "--objects", "--no-walk", "--missing=print", head, "--"], remote)
        missing = {line[1:] for line in missing_out.splitlines() if line.startswith("?")}
        need = sorted({oid for _, oid in wanted if oid in missing})
        if need:
            fetch = ["-c", "fetch.negotiationAlgorithm=noop", "fetch", "--no-tags", "--no-write-fetch-head"]
            fetch += ["--filter=blob:none", "--quiet", "--stdin", "origin"]
            self._git(fetch, remote, stdin="".join(f"{oid}\n" for oid in need).encode())
        sizes = self._git(["cat-file", "--batch-check"], remote, stdin=_lines(oid for _, oid in wanted))
        small = {
            parts[0]
            for parts in (line.split() for line in sizes.splitlines())
            if len(parts) == 3 and parts[1] == "blob" and int(parts[2]) <= MAX_FILE_BYTES
        }
        chosen = [(path, oid) for path, oid in wanted if oid in small]
        blobs = _parse_batch(
            self._git_bytes(["cat-file", "--batch"], remote, _lines(oid for _, oid in chosen))
        )
        return {path: blobs[oid].decode("utf-8", "replace") for path, oid in chosen if oid in blobs}

    def _git_bytes(self, args: list[str], remote: Remote, stdin: bytes) -> bytes:
        return run_git(
            args, remote=remote, limits=self._transfer(), git_dir=str(self.cache_path), stdin=stdin
        )

    def scan_history(
        self, remote: Remote, head: str, state: dict[str, Any] | None, now: int
    ) -> tuple[History, dict[str, int]]:
        """The history part of a sync: the whole window without a state, else only what is new since it."""
        since = now - WINDOW_DAYS * DAY
        tags = parse_tags(
            self._git_bytes(["for-each-ref", f"--format={TAG_FORMAT}", "refs/tags"], remote, b"")
        )
        releases = release_tags(tags, self.release_tag_pattern, since)
        history = History.from_state(state)
        if history and history.head != head and not self._is_ancestor(remote, history.head or "", head):
            history = None  # the branch was rewritten: scan the window again
        if history is None:
            history = History()
            scan = self._scan_log(remote, ["--max-age", str(since), head], since, graph=True)
            scan.into(history)
            found = scan.first_releases(releases)
            for tag in releases:
                history.add_release(tag, found.get(tag.name, []))
            new, added = scan.count, len(releases)
        else:
            new = 0
            if history.head != head:
                scan = self._scan_log(remote, [f"{history.head}..{head}"], since, graph=False)
                scan.into(history)
                new = scan.count
            added = self._new_releases(remote, history, releases, tags, head, since)
        history.head = head
        history.head_time = int(self._git(["log", "-1", "--format=%ct", head, "--"], remote).strip())
        history.prune(since)
        return history, {"commits": new, "releases": added}

    def _scan_log(self, remote: Remote, revisions: list[str], since: int, *, graph: bool) -> LogScan:
        scan = LogScan(since, graph=graph)
        args = ["log", f"--format={LOG_FORMAT}", *revisions, "--"]
        for chunk in stream_git(args, remote=remote, limits=self._transfer(), git_dir=str(self.cache_path)):
            scan.feed(chunk)
        scan.close()
        return scan

    def _new_releases(
        self, remote: Remote, history: History, releases: list[Tag], tags: list[Tag], head: str, since: int
    ) -> int:
        """Add release tags the last sync did not see; each reads only the commits it newly contains."""
        names = {t.name for t in tags}
        history.releases = {n: r for n, r in history.releases.items() if n in names}
        added = 0
        for tag in releases:
            known = history.releases.get(tag.name)
            if known and known["sha"] == tag.sha:
                continue
            times: list[int] = []
            if self._is_ancestor(remote, tag.sha, head):
                done = [r["sha"] for n, r in history.releases.items() if n != tag.name]
                log = ["log", "--format=%at", f"--max-age={since}", tag.sha, "--not", *done, "--"]
                times = [int(t) for t in self._git(log, remote).split()]
            history.add_release(tag, times)
            added += 1
        return added

    def _is_ancestor(self, remote: Remote, older: str, newer: str) -> bool:
        out = self._git(["rev-list", "--count", f"{newer}..{older}", "--"], remote, check=False)
        return out.strip() == "0"

    def _web_link(self, remote: Remote) -> str | None:
        if remote.transport != "https":
            return None
        host = remote.shown.split("://", 1)[1].split("/", 1)[0].lower()
        if host not in _WEB_HOSTS:
            return None
        return remote.shown.removesuffix("/").removesuffix(".git") + _WEB_HOSTS[host].format(
            branch=self.branch
        )


def _lines(values: Any) -> bytes:
    return "".join(f"{v}\n" for v in values).encode()


def _parse_batch(out: bytes) -> dict[str, bytes]:
    """Blobs from `git cat-file --batch` output: '<oid> blob <size>\\n<content>\\n' repeated."""
    blobs, at = {}, 0
    while at < len(out):
        end = out.index(b"\n", at)
        header = out[at:end].split()
        if len(header) != 3:  # '<oid> missing'
            at = end + 1
            continue
        size = int(header[2])
        blobs[header[0].decode()] = out[end + 1 : end + 1 + size]
        at = end + 1 + size + 1
    return blobs


def _with_head(signals: list[Signal], head: str) -> list[Signal]:
    return [dataclasses.replace(s, detail={**s.detail, "head": head[:12]}) for s in signals]
