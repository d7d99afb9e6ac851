"""A first sync of 10,000 MLflow runs beside a bare paginated fetch of the same runs, in the same run.

A real `mlflow server` (var/cache/mlflow-venv, see `make mlflow-server`) on a SQLite file populated once
and cached in var/cache/. Times are medians of 3 (interleaved); peak memory is the sync's own process
(a child: ru_maxrss, and tracemalloc's peak of Python allocations in a second child).

    uv run python -m benchmarks.mlflow_sync [--runs 10000]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

import httpx

from app.signals.adapters.base import Outbound, SyncResult
from app.signals.adapters.mlflow import RUNS_PAGE, MLflowAdapter
from tests.signals.mlflow_server import PYTHON, ROOT, ensure_installed, running_server

LOCAL = Outbound(allowed_hosts=("127.0.0.1",), allow_private=True, timeout_seconds=120)  # default size cap
SEED = Path(__file__).with_name("mlflow_bulk_seed.py")
MEMORY_GOAL_MB = 200
RATIO_GOAL = 1.5


def cached_database(runs: int) -> Path:
    """The populated SQLite file, made once (MLflow's own store and models) and kept in var/cache."""
    cached = ROOT / "var" / "cache" / f"mlflow-bench-{runs}.db"
    if not cached.exists():
        ensure_installed()
        started = time.perf_counter()
        with tempfile.TemporaryDirectory() as tmp:
            draft = Path(tmp) / "mlflow.db"
            now_ms = int(time.time() * 1000)
            subprocess.run(
                [str(PYTHON), str(SEED), str(draft), f"{tmp}/art", str(runs), str(now_ms)], check=True
            )
            shutil.move(draft, cached)
        print(f"populated {runs:,} runs in {time.perf_counter() - started:.1f} s -> {cached}")
    return cached


def bare_fetch(url: str) -> int:
    """Every run of every experiment, page by page, parsed: what any client must at least do."""
    api = url + "/api/2.0/mlflow/"
    count = 0
    with httpx.Client(timeout=120) as http:
        experiments = http.post(api + "experiments/search", json={"max_results": 50_000}).json()[
            "experiments"
        ]
        ids = [e["experiment_id"] for e in experiments]
        token = None
        while True:
            body = {
                "experiment_ids": ids,
                "max_results": RUNS_PAGE,
                **({"page_token": token} if token else {}),
            }
            page = http.post(api + "runs/search", json=body).json()
            count += len(page.get("runs", []))
            token = page.get("next_page_token")
            if not token:
                return count


def sync_once(url: str) -> tuple[float, SyncResult]:
    """One first sync (no state): seconds and the result."""
    started = time.perf_counter()
    result = MLflowAdapter(url, outbound=LOCAL).sync(state=None, now=datetime.now(UTC))
    return time.perf_counter() - started, result


def child(url: str, mode: str) -> None:
    """Run one sync in this (child) process and print its peak memory as JSON."""
    if mode == "tracemalloc":
        tracemalloc.start()
    seconds, result = sync_once(url)
    peak = tracemalloc.get_traced_memory()[1] if mode == "tracemalloc" else 0
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    state_bytes = len(json.dumps(result.state))
    print(
        json.dumps(
            {
                "seconds": seconds,
                "counts": result.counts,
                "rss_mb": rss_kb / 1024,
                "traced_mb": peak / 1e6,
                "state_bytes": state_bytes,
            }
        )
    )


def in_child(url: str, mode: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.mlflow_sync", "--child", url, "--mode", mode],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--child")
    parser.add_argument("--mode", default="rss")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.mode)
        return
    database = cached_database(args.runs)
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "mlflow.db"
        shutil.copy(database, copy)
        with running_server(Path(tmp), database=copy) as server:
            assert bare_fetch(server.url) == args.runs  # warm the server and check the population
            syncs, bares = [], []
            for _ in range(3):
                seconds, result = sync_once(server.url)
                counts = result.counts
                syncs.append(seconds)
                started = time.perf_counter()
                bare_fetch(server.url)
                bares.append(time.perf_counter() - started)
            assert counts["runs"] == args.runs, counts
            rss = in_child(server.url, "rss")
            traced = in_child(server.url, "tracemalloc")
    sync_s, bare_s = statistics.median(syncs), statistics.median(bares)
    print(f"runs: {args.runs:,}, page size {RUNS_PAGE:,}, requests per sync {counts['requests']}")
    print(f"first sync: median {sync_s:.2f} s ({', '.join(f'{s:.2f}' for s in syncs)})")
    print(f"bare paginated fetch (httpx): median {bare_s:.2f} s ({', '.join(f'{s:.2f}' for s in bares)})")
    print(f"ratio sync / bare: {sync_s / bare_s:.2f}x (goal <= {RATIO_GOAL}x)")
    print(
        f"sync process peak RSS: {rss['rss_mb']:.0f} MB (goal < {MEMORY_GOAL_MB} MB); "
        f"tracemalloc peak: {traced['traced_mb']:.0f} MB; the state kept for the next sync: "
        f"{rss['state_bytes'] / 1e6:.1f} MB of JSON"
    )


if __name__ == "__main__":
    main()
