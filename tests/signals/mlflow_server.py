"""A real MLflow tracking server for the tests: its own environment, SQLite, 127.0.0.1, a free port.

MLflow 3 lives in var/cache/mlflow-venv and MLflow 2 in var/cache/mlflow2-venv (made once by `make
mlflow-server`; MLflow pins its own SQLAlchemy and alembic, so it stays out of the app's dependencies).
A server is populated through MLflow's own client by mlflow_seed.py, run with its environment's python.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / "var" / "cache" / "mlflow-venv"  # MLflow 3
VENV_2 = ROOT / "var" / "cache" / "mlflow2-venv"  # MLflow 2
PYTHON = VENV / "bin" / "python"
SEED = Path(__file__).with_name("mlflow_seed.py")
DAY_MS = 86_400_000
START_SECONDS = 240  # a cold start on a busy 2-core machine took 30-90 s


def ensure_installed(venv: Path = VENV) -> None:
    """Make MLflow's environments once (`make mlflow-server`), one process at a time."""
    if (venv / ".ready").exists():
        return
    venv.parent.mkdir(parents=True, exist_ok=True)
    with open(venv.parent / "mlflow-venv.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (venv / ".ready").exists():
            subprocess.run(["make", "-s", "mlflow-server"], cwd=ROOT, check=True)


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class MlflowServer:
    """A running server and how to populate it."""

    url: str
    folder: Path
    process: subprocess.Popen[bytes]
    venv: Path = VENV

    def seed(self, spec: dict[str, Any]) -> dict[str, Any]:
        """Create runs and models through MLflow's client; return their ids and registry timestamps."""
        out = self.folder / f"seed-{time.monotonic_ns()}.json"
        done = subprocess.run(
            [str(self.venv / "bin" / "python"), str(SEED), str(out)],
            input=json.dumps({"uri": self.url, **spec}).encode(),
            capture_output=True,
            check=False,
            timeout=600,
            env={**os.environ, "MLFLOW_TRACKING_URI": self.url},
        )
        if done.returncode:
            raise RuntimeError(f"seeding MLflow failed:\n{done.stderr.decode()[-3000:]}")
        return dict(json.loads(out.read_text()))

    def stop(self) -> None:
        """Stop the server and its worker processes (its own process group)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


@contextlib.contextmanager
def running_server(
    folder: Path, *, database: Path | None = None, venv: Path = VENV
) -> Iterator[MlflowServer]:
    """Start `mlflow server` on a SQLite file in folder; wait for /health; stop it afterwards."""
    ensure_installed(venv)
    folder.mkdir(parents=True, exist_ok=True)
    database = database or folder / "mlflow.db"
    port = free_port()
    log = open(folder / "server.log", "wb")  # noqa: SIM115 - the server writes to it while it runs
    command = [
        str(venv / "bin" / "mlflow"),
        "server",
        "--backend-store-uri",
        f"sqlite:///{database}",
        "--default-artifact-root",
        str(folder / "artifacts"),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
    ]
    env = {**os.environ, "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false", "PYTHONDONTWRITEBYTECODE": "1"}
    process = subprocess.Popen(command, stdout=log, stderr=log, cwd=folder, env=env, start_new_session=True)
    server = MlflowServer(f"http://127.0.0.1:{port}", folder, process, venv)
    try:
        wait_until_up(server, log_path=folder / "server.log")
        yield server
    finally:
        server.stop()
        log.close()


def wait_until_up(server: MlflowServer, *, log_path: Path) -> None:
    """Poll /health until it answers OK (the process dying or the time running out is an error)."""
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            break
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(server.url + "/health", timeout=2).status_code == 200:
                return
        time.sleep(0.5)
    server.stop()
    raise RuntimeError(f"mlflow server did not start:\n{log_path.read_text()[-3000:]}")


def shop_pattern(now_ms: int) -> dict[str, Any]:
    """The known pattern the signal tests check (see test_mlflow_signals.py for the expected numbers).

    24 runs, run i started (5i + 1) days ago and ended 30 minutes later: i < 10 in shop-churn, i < 20
    in shop-fraud, the rest in shop-old (all started over 90 days ago). Run i: FAILED if i in 5, 11, 17,
    KILLED if i == 8; params if i is even; metrics unless i % 3 == 0; a git commit tag if i < 12;
    a dataset input if i % 3 == 0; source type JOB if i % 4 < 2, NOTEBOOK if i % 4 == 2, else LOCAL.
    Models: churn-clf v1..v3 from runs 9, 4, 0 with aliases champion -> 2, challenger -> 3;
    fraud-clf v1 from run 15 (stage Production), v2 from run 21 (over 90 days old), v3 with no run;
    empty-model with no versions.
    """
    runs = []
    for i in range(24):
        start = now_ms - (5 * i + 1) * DAY_MS
        runs.append(
            {
                "key": f"r{i}",
                "experiment": "shop-churn" if i < 10 else "shop-fraud" if i < 20 else "shop-old",
                "start_ms": start,
                "end_ms": start + 30 * 60_000,
                "status": "FAILED" if i in (5, 11, 17) else "KILLED" if i == 8 else "FINISHED",
                "params": i % 2 == 0,
                "metrics": i % 3 != 0,
                "git": i < 12,
                "dataset": i % 3 == 0,
                "source_type": "JOB" if i % 4 < 2 else "NOTEBOOK" if i % 4 == 2 else "LOCAL",
            }
        )
    models = [
        {"name": "churn-clf", "versions": ["r9", "r4", "r0"], "aliases": {"champion": 2, "challenger": 3}},
        {"name": "fraud-clf", "versions": ["r15", "r21", None], "stages": {"1": "Production"}},
        {"name": "empty-model", "versions": []},
    ]
    return {"runs": runs, "models": models}


def plain_runs(experiment: str, count: int, first_ms: int, *, key: str = "p") -> dict[str, Any]:
    """Finished runs in one experiment, started a second apart from first_ms, with params and metrics."""
    runs = [
        {
            "key": f"{key}{i}",
            "experiment": experiment,
            "start_ms": first_ms + i * 1000,
            "end_ms": first_ms + i * 1000 + 500,
            "status": "FINISHED",
            "params": True,
            "metrics": True,
            "git": False,
            "dataset": False,
            "source_type": "JOB",
        }
        for i in range(count)
    ]
    return {"runs": runs}
