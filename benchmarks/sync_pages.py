"""Page p95 while the served app syncs a large source, against page p95 without, in the same run.

The load mix of benchmarks/load.py (every kind: pages AND saves) runs in interleaved phases on one server:
quiet, syncing, quiet, syncing ... (--rounds of each, --seconds long each). In a syncing phase a manager
keeps the server syncing, back to back, through the Sources page's "Sync now" (POST
/teams/{id}/sources/{sid}/sync, htmx), so the sync runs in the served app's own background threads,
against the same database, as in production. The source is the generated 100,000-commit repository of
benchmarks/git_history.py (cached in var/cache/bench/, reached as a local path under the server's
HOSHIN_GIT_ALLOWED_ROOT); with --mlflow, syncs of the cached 10,000-run MLflow server of
benchmarks/mlflow_sync.py alternate with it (one sync at a time).

Every sync is a first sync: before each, the manager connects the repository as a new source (JSON API)
and removes the previous one (which deletes its clone too; see Syncer.once for the order). A first sync
is the heaviest a sync gets: a blob-less clone of the whole repository, the tree at the head, and the
whole 90-day history (100,000 commits). Later syncs of a source are incremental and take a fraction of that
(docs/signals.md), so they would measure little; resetting only the source's state would skip the clone.

The server is started without periodic syncs (HOSHIN_SYNC_INTERVAL_MINUTES=0), so a quiet phase is
quiet; a sync still running when its phase ends is waited for before the next quiet phase starts. A
warm-up (--warm-up seconds of the load mix with syncs, not counted) comes first, so neither kind of
phase pays for first renders and first imports.
Prints per kind and for pages, saves and all kinds: p95 quiet and syncing, their ratio (goal for pages:
syncing <= 1.2x quiet), the 5xx answers; and the syncs: how many, how long, what they read.

Usage: uv run python -m benchmarks.sync_pages [--rounds 3] [--seconds 60] [--users 50] [--pause 1.0]
           [--warm-up 15] [--mlflow] [--machinery-off sync_pause]
           [--database-url postgresql+psycopg://...  (or HOSHIN_LOAD_DATABASE_URL)]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx

from benchmarks import load
from benchmarks.common import Figures, Server, demo_server, signed_in_client
from benchmarks.git_history import cached_repository
from benchmarks.soak import Statuses, _counted
from tests.conftest import reset_database
from tests.signals.git_repos import git_env

RATIO_GOAL = 1.2
QUIET, SYNCING = "quiet", "syncing"


@dataclass
class Synced:
    """One sync the manager asked for: the source's kind, how it ended, the server's duration, counts."""

    kind: str
    status: str
    seconds: float  # the run's own duration (the server's duration_ms)
    began: float  # perf_counter() at "Sync now"
    ended: float  # perf_counter() when the client saw it finished (polling every Syncer.poll)
    counts: dict[str, int]
    error: str | None = None


@dataclass
class Syncer:
    """A manager keeping the server syncing: connect a source, "Sync now", wait, remove it, next one."""

    server: Server
    specs: list[dict[str, str]]
    poll: float = 0.5
    done: list[Synced] = field(default_factory=list)
    previous: int | None = None  # the source of the last sync, removed when the next one is added
    _stop: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.http = signed_in_client(self.server, load.PERSONAS["manager"][0])
        assessments = self.http.get("/api/v1/assessments").json()
        self.team_id = next(a["team_id"] for a in assessments if a["status"] == "submitted")
        self.numbers = itertools.count(1)
        self.turn = itertools.cycle(self.specs)

    def start(self) -> None:
        """Sync back to back, on a thread of this process, until stop()."""
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="syncer", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Start no more syncs; wait for the one under way to end."""
        self._stop.set()
        self._thread.join()

    def _loop(self) -> None:
        while not self._stop.is_set():
            spec = next(self.turn)
            try:
                self.done.append(self.once(spec))
            except (httpx.HTTPError, KeyError, StopIteration) as error:  # say so, and keep the load on
                now = time.perf_counter()
                asked = error.request if isinstance(error, httpx.RequestError) else None
                where = f" on {asked.method} {asked.url.path}" if asked is not None else ""
                self.done.append(Synced(spec["kind"], "error", 0.0, now, now, {}, f"{error!r}{where}"))
                time.sleep(1)

    def _headers(self, htmx: bool = False) -> dict[str, str]:
        return {"X-CSRF-Token": self.http.cookies["hoshin_csrf"]} | ({"HX-Request": "true"} if htmx else {})

    def once(self, spec: dict[str, str]) -> Synced:
        """One first sync of a new source through "Sync now". The previous source is removed only once
        the new one exists: SQLite gives a new row the highest id + 1, so a source removed first would
        lend its id, and its cache folder (source-<id>), to the next one, whose clone the removal's
        background clean-up could then delete mid-sync."""
        api = f"/api/v1/teams/{self.team_id}/sources"
        body = spec | {"name": f"bench {spec['kind']} {next(self.numbers)}"}
        created = self.http.post(api, headers=self._headers(), json=body)
        created.raise_for_status()
        source_id = created.json()["id"]
        if self.previous is not None:
            self.http.delete(f"{api}/{self.previous}", headers=self._headers()).raise_for_status()
        self.previous = source_id
        started = time.perf_counter()
        sync_now = self.http.post(
            f"/teams/{self.team_id}/sources/{source_id}/sync", headers=self._headers(htmx=True)
        )
        sync_now.raise_for_status()
        while True:
            time.sleep(self.poll)
            rows = self.http.get(api).json()
            last = next(r for r in rows if r["id"] == source_id)["last_sync"]
            if last is not None and last["status"] != "running":
                break
        return Synced(
            spec["kind"],
            last["status"],
            (last["duration_ms"] or 0) / 1000,
            started,
            time.perf_counter(),
            last["counts"],
            last["error"],
        )


@dataclass
class Phase:
    name: str
    figures: dict[str, Figures]
    statuses: Statuses
    syncs: list[Synced]
    seconds: float  # how long the load ran (not the wait for the last sync to end)
    began: float  # perf_counter() when it started


def _phase(
    name: str,
    server: Server,
    setup: load.Setup,
    kinds: list[load.Kind],
    args: argparse.Namespace,
    syncer: Syncer,
) -> Phase:
    statuses: Statuses = {}
    counted = _counted(kinds, statuses)
    before = len(syncer.done)
    began = 0.0

    async def measured() -> dict[str, Figures]:
        nonlocal began
        mix = asyncio.ensure_future(load._run(server.url, setup, counted, args.seconds, args.pause))
        await asyncio.sleep(0)  # _run makes its clients (seconds on a busy machine), then starts its clock
        began = time.perf_counter()
        if name == SYNCING:
            syncer.start()
        return await mix

    try:
        figures = asyncio.run(measured())
    finally:
        if name == SYNCING:
            syncer.stop()
    seconds = max(record.seconds for record in figures.values())
    return Phase(name, figures, statuses, syncer.done[before:], seconds, began)


def _merged(phases: list[Phase], names: list[str]) -> Figures:
    """The requests of the given kinds over all the phases, as one record."""
    records = [p.figures[n] for p in phases for n in names if n in p.figures]
    return Figures(
        "",
        sum(r.requests for r in records),
        sum(r.errors for r in records),
        sum(p.seconds for p in phases),
        [ms for r in records for ms in r.latencies_ms],
    )


def _fives(phases: list[Phase], names: list[str]) -> int:
    return sum(
        count
        for p in phases
        for n in names
        for code, count in p.statuses.get(n, Counter()).items()
        if isinstance(code, int) and code >= 500
    )


def _p95(record: Figures) -> float:
    return record.percentile(95) if record.requests else float("nan")


def _syncs_line(syncs: list[Synced]) -> str:
    if not syncs:
        return "no sync finished"
    parts = []
    for kind in sorted({s.kind for s in syncs}):
        mine = [s for s in syncs if s.kind == kind]
        failed = [s for s in mine if s.status != "ok"]
        times = ", ".join(f"{s.seconds:.1f}" for s in mine)
        parts.append(f"{kind} {len(mine)} ({times} s{f'; {len(failed)} FAILED' if failed else ''})")
    return f"{len(syncs)} syncs: " + "; ".join(parts)


def report(phases: list[Phase], kinds: list[load.Kind]) -> bool:
    """The table quiet against syncing; True when pages' p95 ratio is within the goal and no 5xx came."""
    quiet = [p for p in phases if p.name == QUIET]
    syncing = [p for p in phases if p.name == SYNCING]
    pages = [k.name for k in kinds if k.budget_ms == load.PAGE]
    saves = [k.name for k in kinds if k.budget_ms == load.SAVE]
    print(
        f"\n{'p95 (ms)':<28} {'quiet':>8} {'syncing':>8} {'ratio':>6}"
        f"  {'requests q/s':>13}  {'errors q/s':>10}  {'5xx q/s':>8}"
    )
    rows = [(k.name, [k.name]) for k in kinds] + [
        ("pages (all page kinds)", pages),
        ("saves (all save kinds)", saves),
        ("all kinds", pages + saves),
    ]
    ratios = {}
    for label, names in rows:
        q, s = _merged(quiet, names), _merged(syncing, names)
        ratio = _p95(s) / _p95(q) if q.requests and s.requests else float("nan")
        ratios[label] = ratio
        if label == "pages (all page kinds)":
            print("-" * 90)
        print(
            f"{label:<28} {_p95(q):8.1f} {_p95(s):8.1f} {ratio:5.2f}x"
            f"  {f'{q.requests}/{s.requests}':>13}  {f'{q.errors}/{s.errors}':>10}"
            f"  {f'{_fives(quiet, names)}/{_fives(syncing, names)}':>8}"
        )
    fives = _fives(phases, pages + saves)
    within = ratios["pages (all page kinds)"] <= RATIO_GOAL
    print(
        f"\npage p95 while syncing / page p95 quiet: {ratios['pages (all page kinds)']:.2f}x"
        f" (goal <= {RATIO_GOAL}x: {'ok' if within else 'MISSED'}); 5xx answers: {fives}"
    )
    quiet_pages = _p95(_merged(quiet, pages))
    if quiet_pages > load.PAGE:  # a queue, not a server: its p95 swings with arrivals, not with syncs
        print(
            f"CAUTION: pages p95 is {quiet_pages:.0f} ms with no sync running, over the page goal of"
            f" {load.PAGE:.0f} ms: the server is saturated on this machine without any sync, and the ratio"
            " says little about syncs; run again with fewer --users"
        )
    for label, group in ((QUIET, quiet), (SYNCING, syncing)):  # what the errors were
        for name in pages + saves:
            seen = sum((p.statuses.get(name, Counter()) for p in group), Counter[int | str]())
            odd = {code: n for code, n in seen.items() if not isinstance(code, int) or code >= 400}
            if odd:
                print(
                    f"  {label:<8} {name}: "
                    + ", ".join(f"{code} x{n}" for code, n in sorted(odd.items(), key=str))
                )
    synced = [s for p in syncing for s in p.syncs]
    for kind in sorted({s.kind for s in synced}):
        mine = [s for s in synced if s.kind == kind]
        good = [s for s in mine if s.status == "ok"]
        times = [s.seconds for s in mine]
        read = ", ".join(f"{n} {what}" for what, n in sorted(good[-1].counts.items())) if good else "-"
        print(
            f"{kind} syncs: {len(mine)} ({len(good)} ok), duration median {statistics.median(times):.1f} s"
            f" (min {min(times):.1f}, max {max(times):.1f}); the last good one read: {read}"
        )
        for failed in [s for s in mine if s.status != "ok"][:3]:
            print(f"  failed: {failed.error}")
    busy = sum(
        max(0.0, min(s.ended, p.began + p.seconds) - max(s.began, p.began)) for p in syncing for s in p.syncs
    )
    total = sum(p.seconds for p in syncing)
    print(f"a sync was under way {busy / total:.0%} of the syncing phases' time" if total else "")
    return within and fives == 0 and all(s.status == "ok" for s in synced)


@contextmanager
def _mlflow(enabled: bool, tmp: Path) -> Iterator[str | None]:
    """The cached 10,000-run MLflow server (a copy of its database), or None without --mlflow."""
    if not enabled:
        yield None
        return
    from benchmarks.mlflow_sync import cached_database
    from tests.signals.mlflow_server import running_server

    copy = tmp / "mlflow" / "mlflow.db"
    copy.parent.mkdir(parents=True)
    shutil.copy(cached_database(10_000), copy)
    with running_server(copy.parent, database=copy) as server:
        yield server.url


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3, help="quiet + syncing phase pairs")
    parser.add_argument("--seconds", type=float, default=60.0, help="length of each phase")
    parser.add_argument(
        "--warm-up",
        type=float,
        default=15.0,
        help="seconds of the load mix with syncs before round 1, not counted (first renders, imports)",
    )
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--pause", type=float, default=1.0, help="think time between a person's requests (s)")
    parser.add_argument("--commits", type=int, default=100_000, help="size of the generated repository")
    parser.add_argument("--mlflow", action="store_true", help="alternate with the 10,000-run MLflow server")
    parser.add_argument(
        "--database-url",
        "--postgres",
        dest="database_url",
        default=os.environ.get("HOSHIN_LOAD_DATABASE_URL"),
        help="a PostgreSQL URL (a database this script may empty); default: a fresh SQLite file",
    )
    parser.add_argument(
        "--machinery-off",
        default=None,
        help="HOSHIN_MACHINERY_OFF for the server, e.g. sync_pause (app/server/machinery.py)",
    )
    args = parser.parse_args()
    if args.database_url:
        reset_database(args.database_url)
    cached, made = cached_repository(args.commits)
    with tempfile.TemporaryDirectory(prefix="sync-pages-") as folder, ExitStack() as stack:
        tmp = Path(folder)
        root = tmp / "repositories"  # the served app's HOSHIN_GIT_ALLOWED_ROOT (the demo's repository too)
        root.mkdir()
        repository = root / "history.git"  # borrows the cached repository's objects, never writes to them
        subprocess.run(  # --shared, not hard links: works when TMPDIR is another file system (/dev/shm)
            ["git", "clone", "-q", "--bare", "--shared", str(cached), str(repository)],
            env=git_env(),
            check=True,
        )
        settings = {"HOSHIN_GIT_ALLOWED_ROOT": str(root), "HOSHIN_SYNC_INTERVAL_MINUTES": "0"}
        if args.machinery_off is not None:
            settings["HOSHIN_MACHINERY_OFF"] = args.machinery_off
        specs = [{"kind": "git", "url": str(repository), "branch": "main"}]
        mlflow_url = stack.enter_context(_mlflow(args.mlflow, tmp))
        if mlflow_url:
            settings |= {"HOSHIN_SOURCE_ALLOWED_HOSTS": "127.0.0.1", "HOSHIN_SOURCE_ALLOW_PRIVATE": "true"}
            specs.append({"kind": "mlflow", "url": mlflow_url})
        server = stack.enter_context(demo_server(args.database_url, settings=settings))
        setup, features = load._setup(server, load._personas(args.users))
        kinds = [kind for kind in load.KINDS if not kind.needs or kind.needs in features]
        syncer = Syncer(server, specs)
        database = "PostgreSQL" if args.database_url else "SQLite"
        age = (datetime.now(UTC) - datetime.fromtimestamp(made, UTC)).days
        print(
            f"Page p95 with and without a sync running in the same server: the load mix of benchmarks/load.py"
            f" ({args.users} users, think time ~{args.pause:g} s, {database}, 1 uvicorn worker,"
            f" machinery off: {args.machinery_off or 'none'}),"
            f" {args.rounds} x (quiet {args.seconds:.0f} s, syncing {args.seconds:.0f} s)"
            f" after a {args.warm_up:.0f} s warm-up."
            f" Syncing: back-to-back first syncs via Sync now of a {args.commits:,}-commit Git repository"
            f" (made {age} days ago){' and a 10,000-run MLflow server' if mlflow_url else ''},"
            " each a new source (clone + tree + full history), the previous one removed.",
            flush=True,
        )
        if args.warm_up > 0:
            warm = argparse.Namespace(**{**vars(args), "seconds": args.warm_up})
            phase = _phase(SYNCING, server, setup, kinds, warm, syncer)
            print(f"warm-up {phase.seconds:.0f} s (not counted): {_syncs_line(phase.syncs)}", flush=True)
        phases = []
        for number in range(1, args.rounds + 1):
            for name in (QUIET, SYNCING):
                phase = _phase(name, server, setup, kinds, args, syncer)
                phases.append(phase)
                pages = _merged([phase], [k.name for k in kinds if k.budget_ms == load.PAGE])
                saves = _merged([phase], [k.name for k in kinds if k.budget_ms == load.SAVE])
                print(
                    f"round {number} {name:<8} {phase.seconds:5.1f} s: pages p95 {_p95(pages):6.1f} ms,"
                    f" saves p95 {_p95(saves):6.1f} ms, {pages.requests + saves.requests} requests"
                    + (f"; {_syncs_line(phase.syncs)}" if name == SYNCING else ""),
                    flush=True,
                )
    ok = report(phases, kinds)
    for kind in load.KINDS:
        if kind not in kinds:
            print(f"{kind.name:<28} not run: this tree has no {kind.needs} ({load.FEATURES[kind.needs]})")
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
