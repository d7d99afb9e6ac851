"""`hoshin serve` as `make run` starts it (after `db upgrade` and `demo --no-sign-in`): it prints the
demo sign-in once, and SIGTERM stops it within seconds, cleanly, even while a PDF render is under way."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from app.config import PROJECT_ROOT
from tests.cli.test_cli import run
from tests.reports import slow_render

# `hoshin serve` itself, with the render made slow (in this process only: a test cannot reach into
# the server otherwise) so that SIGTERM finds it under way.
SERVE = """
import sys
from app.reports import render
from tests.reports import slow_render
render._render = slow_render.slow_render
from app.cli import main
sys.argv = ["hoshin", "serve", "--port", sys.argv[1]]
main()
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:  # a zombie is gone for our purpose
            return stat.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("HOSHIN_")}
    env = {**clean, "HOSHIN_VAR_DIR": str(tmp_path / "var")}
    assert run("db", "upgrade", env=env).returncode == 0
    demo = run("demo", "--if-empty", "--no-sign-in", env=env)
    assert demo.returncode == 0
    assert "demo password" not in demo.stdout  # the server prints it: once is enough
    return env


@pytest.fixture
def server(env: dict[str, str]) -> Iterator[tuple[subprocess.Popen[str], str]]:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-c", SERVE, str(port)],
        env=env,
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield process, base
    finally:
        process.kill()
        process.communicate()
        slow_render.begun(process.pid).unlink(missing_ok=True)


def _signed_in(base: str, var_dir: Path, email: str = "cto@example.com") -> httpx.Client:
    password = re.search(r"demo password: (\S+)", (var_dir / "demo-sign-in.txt").read_text())
    assert password
    client = httpx.Client(base_url=base, timeout=60)
    client.get("/sign-in")
    data = {
        "email": email,
        "password": password.group(1),
        "csrf_token": client.cookies["hoshin_csrf"],
    }
    assert client.post("/sign-in", data=data).status_code == 303
    return client


def test_sigterm_stops_the_server_within_seconds_during_a_render_and_ends_the_render_process(
    env: dict[str, str], server: tuple[subprocess.Popen[str], str]
) -> None:
    process, base = server
    client = _signed_in(base, Path(env["HOSHIN_VAR_DIR"]))
    with ThreadPoolExecutor(1) as pool:
        download = pool.submit(client.get, "/reports/organisation.pdf")
        renderer = slow_render.wait_until_begun(process.pid)
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=10)
        answer = download.result(timeout=10)
    assert process.returncode == 0, stderr
    assert answer.status_code == 503  # the reader is told, not left hanging
    assert "The server is restarting" in answer.text
    assert not _alive(renderer)
    for noise in ("Traceback", "leaked", "ERROR", "Error", "Warning"):
        assert noise not in stderr, stderr
    assert stdout.count("demo password") == 1
    assert "ren.sato@example.com (manager of Recommendations)" in stdout
