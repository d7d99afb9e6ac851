"""Does each piece of the server's performance machinery pay its way? For each mechanism
(app/server/machinery.py), the load mix (benchmarks/load.py) and the report benchmark
(benchmarks/reports.py) with everything on and with that one mechanism off (HOSHIN_MACHINERY_OFF),
interleaved (on, off, on, off … so that the host's drift hits both), `--rounds` times; then per kind the
median over rounds of each run's p95, on against off, the goal and the margin left without it, and a
verdict: keep it when without it some kind keeps less than 30 % margin to its goal and is worse than
with it (or errors appear), else drop it. On SQLite, and on PostgreSQL too with --database-url.

--flat-out: instead, the load mix paced (--pause) and flat out (--pause 0) in turn, with everything on
(and with --only's mechanism off too): p50/p95 per kind side by side, to show whether any kind starves
when the server is overloaded (its p50 flat out over 5x the quickest kind's, PDF downloads aside: they
skip the read slots and wait on the render process's own; under fair queueing every
kind waits about as long, whereas a kind let go first leaves the others waiting).

--only all: every mechanism off at once against everything on (one comparison instead of seven: if the
app meets every goal with margin with all of them off, none of them is needed); --only a,b: those off
together; --only may be repeated (one comparison each).

Usage: uv run python -m benchmarks.machinery [--seconds 60] [--rounds 3] [--only read_slots|a,b|all]...
           [--database-url postgresql+psycopg://... [--skip-sqlite]] [--users 50] [--pause 1.0]
           [--repeat 3] [--skip-reports] [--flat-out]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from app.server.machinery import MECHANISMS, UnknownMechanism, parse_off
from benchmarks import load
from benchmarks.common import ROOT, Figures, demo_server
from tests.conftest import reset_database

ALL_ON = ""  # HOSHIN_MACHINERY_OFF for the baseline: nothing off (not the database's defaults)
MARGIN = 0.30  # keep a mechanism when without it a kind keeps less than this share of its goal free
EVERY = "all"  # --only all: every mechanism off at once
NOISE = 1.10  # ... and is worse by more than this factor than with it
STARVES = 5.0  # flat out, a kind starves when its p50 is this many times the quickest kind's
# Kinds that skip the read slots by design (a PDF download waits on the render process's own bounded
# slots, app/server/pdf_slots.py; a cached one is answered at once): not compared for starving.
OWN_QUEUE = frozenset({"report PDF (viewer)"})
# Mechanisms the report benchmark's path runs through (it serves one request at a time from a test
# client, in process): read slots and give-way act only between concurrent requests, the heap freezes
# only in the served process.
IN_REPORTS = ("render_gc", "url_memo", "bookkeeping")
# report figure -> its goal (README's Performance table); lower is better for each
REPORT_GOALS = {
    "organisation report, every team, ja s per 20 pages": 3.0,
    "organisation report, every team, en s per 20 pages": 3.0,
    "assessment report, 31 capabilities, ja s": 3.0,
    "cached download ms": 50.0,
    "cached download after a change ms": 50.0,
    "render process peak MB": 300.0,
}

Run = dict[str, tuple[float, float, int, float]]  # figure -> p50, p95, errors, throughput (req/s)


def load_run(off: str, database_url: str | None, args: argparse.Namespace, pause: float) -> Run:
    """One run of the load mix on a fresh database and a fresh server with `off` turned off."""
    if database_url:
        reset_database(database_url)
    settings = {"HOSHIN_MACHINERY_OFF": off}
    with demo_server(database_url, settings=settings) as server:
        setup, features = load._setup(server, load._personas(args.users))
        kinds = [kind for kind in load.KINDS if not kind.needs or kind.needs in features]
        figures = asyncio.run(load._run(server.url, setup, kinds, args.seconds, pause))
    return {name: _summary(record) for name, record in figures.items() if record.requests}


def _summary(record: Figures) -> tuple[float, float, int, float]:
    return record.percentile(50), record.percentile(95), record.errors, record.throughput


def reports_run(off: str, repeat: int) -> dict[str, float]:
    """One run of the report benchmark in a process of its own (the render process's heap starts clean)."""
    env = {**os.environ, "HOSHIN_MACHINERY_OFF": off}
    code = (
        "import json, sys, contextlib\n"
        "from benchmarks import reports\n"
        "with contextlib.redirect_stdout(sys.stderr):\n"
        f"    figures = reports.run({repeat})\n"
        "print(json.dumps(figures))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise RuntimeError(f"the report benchmark failed with {off or 'nothing'} off:\n{done.stderr}")
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


@dataclass
class Pairs:
    """The runs of one comparison: each round's baseline and variant."""

    on: list[Run] = field(default_factory=list)
    off: list[Run] = field(default_factory=list)
    reports_on: list[dict[str, float]] = field(default_factory=list)
    reports_off: list[dict[str, float]] = field(default_factory=list)


def median_p95(runs: list[Run], kind: str) -> float:
    return statistics.median(run[kind][1] for run in runs if kind in run)


def verdict_line(kind: str, on: float, off: float, goal: float, errors: tuple[int, int]) -> tuple[str, bool]:
    """One row of a comparison and whether it makes the mechanism worth keeping."""
    margin = (goal - off) / goal
    ratio = off / on if on else float("inf")
    keep = (margin < MARGIN and ratio > NOISE) or errors[1] > errors[0]
    errs = f"  errors {errors[0]} / {errors[1]}" if any(errors) else ""
    row = (
        f"  {kind:<52} {on:8.1f} {off:8.1f} {ratio:6.2f}x  goal < {goal:6.0f}  margin {margin:5.0%}"
        f"{errs}{'  <- needs it' if keep else ''}"
    )
    return row, keep


def compare(name: str, pairs: Pairs, budgets: dict[str, float]) -> None:
    """Print a mechanism's table (medians over rounds) and its verdict."""
    what = MECHANISMS.get(name, "every mechanism" if name == EVERY else "these mechanisms together")
    print(f"\n{name} (off: HOSHIN_MACHINERY_OFF={_off(name)}) — {what}")
    print(f"  {'p95 (median over rounds)':<52} {'on':>8} {'off':>8} {'off/on':>7}")
    reasons: list[str] = []
    kinds = [kind for kind in budgets if any(kind in run for run in pairs.on)]
    for kind in kinds:
        on, off = median_p95(pairs.on, kind), median_p95(pairs.off, kind)
        errors = (
            sum(r[kind][2] for r in pairs.on if kind in r),
            sum(r[kind][2] for r in pairs.off if kind in r),
        )
        row, keep = verdict_line(f"{kind} (ms)", on, off, budgets[kind], errors)
        print(row)
        if keep:
            reasons.append(kind)
    if pairs.reports_on:
        for figure, goal in REPORT_GOALS.items():
            on = statistics.median(r[figure] for r in pairs.reports_on)
            off = statistics.median(r[figure] for r in pairs.reports_off)
            row, keep = verdict_line(f"report: {figure}", on, off, goal, (0, 0))
            print(row)
            if keep:
                reasons.append(f"report: {figure}")
    elif not _in_reports(name):
        print("  report benchmark: not run (the mechanism is not on its path)")
    if reasons:
        print(f"  verdict: KEEP (removing it breaks a goal or leaves <30 % margin: {', '.join(reasons)})")
    else:
        print("  verdict: DROP (without it every kind keeps >= 30 % margin, or is no worse)")


def _off(name: str) -> str:
    """HOSHIN_MACHINERY_OFF for a comparison's variant."""
    return ",".join(MECHANISMS) if name == EVERY else name


def _comparison(text: str) -> str:
    """--only's value: 'all', or known mechanism names (an unknown one is refused with the known ones)."""
    if text == EVERY:
        return text
    try:
        return ",".join(sorted(parse_off(text)))
    except UnknownMechanism as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _in_reports(name: str) -> bool:
    return name == EVERY or any(part in IN_REPORTS for part in name.split(","))


def timed(label: str, work: Callable[[], object]) -> object:
    started = time.monotonic()
    print(f"  {label} …", end="", flush=True, file=sys.stderr)
    out = work()
    print(f" {time.monotonic() - started:.0f} s", flush=True, file=sys.stderr)
    return out


def measure(database_url: str | None, args: argparse.Namespace, mechanisms: list[str]) -> None:
    database = "PostgreSQL" if database_url else "SQLite"
    budgets = {kind.name: kind.budget_ms for kind in load.KINDS}
    results = {name: Pairs() for name in mechanisms}
    for n in range(args.rounds):
        print(f"{database}, round {n + 1} of {args.rounds}", file=sys.stderr)
        for name in mechanisms:
            pairs = results[name]
            # on then off in one round, off then on in the next: neither always runs first
            for off in (ALL_ON, _off(name)) if n % 2 == 0 else (_off(name), ALL_ON):
                run = timed(
                    f"load mix, {off or 'all on'}", lambda o=off: load_run(o, database_url, args, args.pause)
                )
                (pairs.off if off else pairs.on).append(run)  # type: ignore[arg-type]
                if args.skip_reports or not _in_reports(name) or database_url:
                    continue
                figures = timed(f"reports, {off or 'all on'}", lambda o=off: reports_run(o, args.repeat))
                (pairs.reports_off if off else pairs.reports_on).append(figures)  # type: ignore[arg-type]
    print(
        f"\n== {database}: {args.users} users, {args.seconds:.0f} s a run, think time ~{args.pause:g} s,"
        f" {args.rounds} round(s) interleaved; report benchmark --repeat {args.repeat}"
        f"{' (SQLite only: it serves from a test client)' if database_url else ''}"
    )
    for name in mechanisms:
        compare(name, results[name], budgets)


def flat_out(database_url: str | None, args: argparse.Namespace, mechanisms: list[str]) -> None:
    """Paced against flat out (--pause 0), interleaved: p50/p95 per kind, and which kind starves."""
    database = "PostgreSQL" if database_url else "SQLite"
    variants = [ALL_ON, *([_off(name) for name in mechanisms] if args.only else [])]
    runs: dict[tuple[str, str], list[Run]] = {}
    for n in range(args.rounds):
        for off in variants:
            for mode, pause in (
                (("paced", args.pause), ("flat out", 0.0))
                if n % 2 == 0
                else (
                    ("flat out", 0.0),
                    ("paced", args.pause),
                )
            ):
                run = timed(
                    f"{database} round {n + 1}, {off or 'all on'}, {mode}",
                    lambda o=off, p=pause: load_run(o, database_url, args, p),
                )
                runs.setdefault((off, mode), []).append(run)  # type: ignore[arg-type]
    for off in variants:
        print(
            f"\n== {database}, {off + ' off' if off else 'all on'}: {args.users} users, {args.seconds:.0f} s,"
            f" paced (~{args.pause:g} s think time) against flat out (--pause 0),"
            f" medians over {args.rounds} round(s)"
        )
        print(
            f"  {'kind':<28} {'paced p50/p95 ms':>18} {'flat out p50/p95 ms':>22} {'req/s':>7} {'p50 x':>7}"
            f"  errors paced / flat out"
        )
        paced, flat = runs[(off, "paced")], runs[(off, "flat out")]
        slowdowns: dict[str, float] = {}
        never = []  # kinds that ran paced but had no request answered flat out: starved outright
        for kind in load.KINDS:
            name = kind.name
            if not any(name in run for run in paced + flat):
                continue  # not in this tree
            if not any(name in run for run in flat):
                never.append(name)
                print(f"  {name:<28} flat out: no request answered within the run")
                continue

            def med(rs: list[Run], i: int, k: str = name) -> float:
                values = [r[k][i] for r in rs if k in r]
                return statistics.median(values) if values else float("nan")

            def errors(rs: list[Run], k: str = name) -> int:
                return sum(r[k][2] for r in rs if k in r)

            slowdowns[name] = med(flat, 0) / med(paced, 0)
            print(
                f"  {name:<28} {med(paced, 0):8.1f} {med(paced, 1):8.1f}"
                f"   {med(flat, 0):9.1f} {med(flat, 1):9.1f} {med(flat, 3):7.1f} {slowdowns[name]:6.1f}x"
                f"  {errors(paced)} / {errors(flat)}"
            )
        flat_p50 = {
            kind: statistics.median(r[kind][0] for r in flat if kind in r)
            for kind in slowdowns
            if kind not in OWN_QUEUE
        }
        fastest = min(flat_p50, key=flat_p50.__getitem__)
        starving = never + [kind for kind, p50 in flat_p50.items() if p50 > STARVES * flat_p50[fastest]]
        print(
            f"  {'; '.join(starving) + ': STARVING' if starving else 'no kind starves'}"
            f" (flat out, a kind starves when its p50 is over {STARVES:g}x the quickest kind's,"
            f" {fastest} at {flat_p50[fastest]:.1f} ms, or none of its requests is answered;"
            f" not compared, as they skip the read slots: {', '.join(sorted(OWN_QUEUE))})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=60.0, help="length of one load-mix run")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved on/off pairs per mechanism")
    parser.add_argument(
        "--only",
        action="append",
        type=_comparison,
        help="a mechanism, a comma list of them (off together) or 'all', instead of each; may be repeated",
    )
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--pause", type=float, default=1.0, help="think time of the paced load mix (s)")
    parser.add_argument("--repeat", type=int, default=3, help="renders per report in the report benchmark")
    parser.add_argument("--skip-reports", action="store_true", help="the load mix only")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("HOSHIN_LOAD_DATABASE_URL"),
        help="also on this PostgreSQL database (which this script empties)",
    )
    parser.add_argument("--skip-sqlite", action="store_true", help="with --database-url: PostgreSQL only")
    parser.add_argument("--flat-out", action="store_true", help="paced against flat out, per kind")
    args = parser.parse_args()
    mechanisms = args.only or list(MECHANISMS)
    databases = ([] if args.skip_sqlite and args.database_url else [None]) + (
        [args.database_url] if args.database_url else []
    )
    for database_url in databases:
        (flat_out if args.flat_out else measure)(database_url, args, mechanisms)


if __name__ == "__main__":
    main()
