"""Shared benchmark parts: a real server on demo data (127.0.0.1 only) and a bounded load loop."""

from __future__ import annotations

import asyncio
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Server:
    url: str
    password: str
    database_url: str
    pid: int = 0


@contextmanager
def demo_server(
    database_url: str | None = None,
    *,
    asgi: str = "app.asgi:app",
    workers: int = 1,
    settings: dict[str, str] | None = None,
) -> Iterator[Server]:
    """Migrate a fresh database, load the demo, serve it with one uvicorn worker; stop afterwards."""
    with tempfile.TemporaryDirectory() as tmp:
        url = database_url or f"sqlite:///{tmp}/bench.sqlite3"
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("HOSHIN_")},
            "HOSHIN_DATABASE_URL": url,
            "HOSHIN_VAR_DIR": f"{tmp}/var",
            "HOSHIN_LOG_LEVEL": "warning",
            **(settings or {}),
        }
        hoshin = [sys.executable, "-m", "app.cli"]
        subprocess.run([*hoshin, "db", "upgrade"], env=env, check=True, capture_output=True, cwd=ROOT)
        demo = subprocess.run(
            [*hoshin, "demo", "--force"], env=env, check=True, capture_output=True, text=True, cwd=ROOT
        )
        password = re.search(r"demo password: (\S+)", demo.stdout)
        assert password
        port = _free_port()
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                asgi,
                "--port",
                str(port),
                "--log-level",
                "warning",
                "--no-access-log",
                "--workers",
                str(workers),
            ],
            env=env,
            cwd=ROOT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            _wait(base)
            yield Server(base, password.group(1), url, process.pid)
        finally:
            stop(process)


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a server; if open keep-alive connections hold up its graceful shutdown, kill it."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(base: str) -> None:
    for _ in range(150):
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("server did not start")


def signed_in_client(server: Server, email: str) -> httpx.Client:
    client = httpx.Client(base_url=server.url, follow_redirects=False, timeout=60)  # a busy machine
    client.get("/sign-in")
    response = client.post(
        "/sign-in",
        data={"email": email, "password": server.password, "csrf_token": client.cookies["hoshin_csrf"]},
    )
    assert response.status_code == 303, response.text
    return client


@dataclass
class Figures:
    name: str
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]
    failures: Counter[str] = field(default_factory=Counter)  # what the errors were: status code or exception

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]

    def line(self) -> str:
        return (
            f"{self.name:<28} {self.throughput:8.0f} req/s  p50 {self.percentile(50):6.1f} ms"
            f"  p95 {self.percentile(95):6.1f} ms  p99 {self.percentile(99):6.1f} ms"
            f"  errors {self.errors}{self.failed_as()}"
        )

    def failed_as(self) -> str:
        """The errors by kind, e.g. " (503×6)", or nothing without errors."""
        counts = ", ".join(f"{what}×{n}" for what, n in self.failures.most_common())
        return f" ({counts})" if counts else ""


def load(
    name: str,
    make_request: Callable[[httpx.AsyncClient, int], object],
    *,
    base_url: str,
    cookies: httpx.Cookies | None = None,
    concurrency: int = 10,
    seconds: float = 5.0,
    pause: float = 0.0,
    ok: Callable[[httpx.Response], bool] = lambda r: r.status_code < 400,
) -> Figures:
    """Run `concurrency` clients in a loop for `seconds` (bounded), recording each request's latency.

    With `pause`, each client waits about that long between requests (jittered), as a person would.
    """
    return asyncio.run(_load(name, make_request, base_url, cookies, concurrency, seconds, ok, pause))


async def _load(name, make_request, base_url, cookies, concurrency, seconds, ok, pause) -> Figures:  # type: ignore[no-untyped-def]
    latencies: list[float] = []
    errors = 0
    failures: Counter[str] = Counter()
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=base_url, cookies=cookies, limits=limits, timeout=30) as client:

        async def worker(number: int) -> None:
            nonlocal errors
            count = 0
            if pause:  # people arrive at random moments, not all in the same millisecond
                await asyncio.sleep(random.uniform(0, pause))
            while time.perf_counter() < deadline:
                start = time.perf_counter()
                try:  # a dropped connection is an error of the run, counted as such: not the end of it
                    response = await make_request(client, number * 1_000_000 + count)  # type: ignore[misc]
                    failed = None if ok(response) else str(response.status_code)
                except httpx.HTTPError as error:
                    failed = type(error).__name__
                latencies.append((time.perf_counter() - start) * 1000)
                if failed is not None:
                    errors += 1
                    failures[failed] += 1
                count += 1
                if pause:
                    await asyncio.sleep(pause * random.uniform(0.5, 1.5))

        started = time.perf_counter()
        await asyncio.gather(*(worker(i) for i in range(concurrency)))
        elapsed = time.perf_counter() - started
    return Figures(name, len(latencies), errors, elapsed, latencies, failures)
