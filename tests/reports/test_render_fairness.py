"""One slow document cannot take the PDFs and pages of everyone else: its readers beyond a few are
turned away at once, and other documents render beside it, not behind it. Against `hoshin serve` itself
(its thread pool, database pool and render processes are the real ones), launched with one document's
render made slow: production has no switch for that, so the launcher swaps in tests/reports/slow_render
before serving (a render slow for real would have to burn a core for a minute on a shared machine)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from app.config import PROJECT_ROOT
from tests.cli.test_cli import run
from tests.cli.test_serve import _free_port, _signed_in
from tests.conftest import RENDER_TIMEOUT
from tests.reports import slow_render

SERVE = """
import sys
from app.reports import render
from tests.reports import slow_render
render._render = slow_render.slow_when_marked
from app.cli import main
sys.argv = ["hoshin", "serve", "--port", sys.argv[1]]
main()
"""
READERS = 45  # the repro: that many requests for the slow PDF at once
PER_DOCUMENT = 3  # readers of one PDF that may wait for it (app.middleware.PdfSlots)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("HOSHIN_")}
    env = {
        **clean,
        "HOSHIN_VAR_DIR": str(tmp_path / "var"),
        "HOSHIN_LOG_LEVEL": "warning",
        # The slow render is held until the other PDF is made cold at nice 10: on a busy machine that may
        # take longer than the default minute, which would stop the slow render and fail its readers.
        "HOSHIN_RENDER_TIMEOUT_SECONDS": str(RENDER_TIMEOUT),
    }
    assert run("db", "upgrade", env=env).returncode == 0
    assert run("demo", "--if-empty", "--no-sign-in", env=env).returncode == 0
    return env


@pytest.fixture
def server(env: dict[str, str]) -> Iterator[tuple[subprocess.Popen[str], str]]:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-c", SERVE, str(port)],
        env=env,
        cwd=PROJECT_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _ready(base), "the server never answered")
        yield process, base
    finally:
        process.kill()
        process.wait()
        slow_render.begun(process.pid).unlink(missing_ok=True)
        slow_render.released(process.pid).unlink(missing_ok=True)


@contextmanager
def _released_at_the_end(server: int) -> Iterator[None]:
    """Lets the slow render go on when the test ends, even failed (else the readers wait for it)."""
    try:
        yield
    finally:
        slow_render.released(server).write_text("")


def _ready(base: str) -> bool:
    try:
        return httpx.get(f"{base}/readyz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def _slow_document(member: httpx.Client) -> str:
    """The member writes the slow mark in a note of their team's draft: its PDF's address."""
    member.headers["X-CSRF-Token"] = member.cookies["hoshin_csrf"]
    drafts = [a for a in member.get("/api/v1/assessments?team_id=1").json() if a["status"] == "draft"]
    assessment = drafts[0]["id"]
    answer = member.get(f"/api/v1/assessments/{assessment}/answers").json()[0]
    body = {"choice_id": answer["choice_id"], "version": answer["version"], "note": slow_render.MARK}
    saved = member.put(f"/api/v1/assessments/{assessment}/answers/{answer['question_id']}", json=body)
    assert saved.status_code == 200, saved.text
    return f"/reports/assessment/{assessment}.pdf?lang=en"


def test_one_slow_pdf_asked_for_45_times_leaves_other_pdfs_and_pages_answering(
    env: dict[str, str], server: tuple[subprocess.Popen[str], str]
) -> None:
    process, base = server
    var_dir = Path(env["HOSHIN_VAR_DIR"])
    member = _signed_in(base, var_dir, "mika.ito@example.com")  # Recommendations
    other_team = _signed_in(base, var_dir, "daniel.weber@example.com")  # Fraud Detection
    slow = _slow_document(member)
    with ThreadPoolExecutor(READERS) as pool, _released_at_the_end(process.pid):
        readers = [pool.submit(member.get, slow, timeout=RENDER_TIMEOUT) for _ in range(READERS)]
        slow_render.wait_until_begun(process.pid)
        wait_for(lambda: _done(readers) >= READERS - PER_DOCUMENT, "the extra readers were not turned away")

        waiting = [reader for reader in readers if not reader.done()]
        turned_away = [reader.result() for reader in readers if reader.done()]
        assert {response.status_code for response in turned_away} == {503}
        assert all(response.headers["Retry-After"] == "10" for response in turned_away)
        assert "Several people are already waiting for this report" in turned_away[0].text

        fresh = other_team.get(_latest_pdf(other_team, team=2), timeout=RENDER_TIMEOUT)
        assert fresh.status_code == 200, fresh.text
        assert fresh.content.startswith(b"%PDF")
        assert "fraud-detection" in fresh.headers["Content-Disposition"]
        team = member.get("/teams/1")
        assert team.status_code == 200
        assert "Recommendations" in team.text
        me = other_team.get("/api/v1/me")
        assert me.status_code == 200
        assert me.json()["email"] == "daniel.weber@example.com"
        assert _done(readers) == READERS - PER_DOCUMENT  # the slow render is still under way

        slow_render.released(process.pid).write_text("")
        waited = [reader.result(timeout=RENDER_TIMEOUT) for reader in waiting]
    assert [response.status_code for response in waited] == [200] * PER_DOCUMENT
    assert len({response.content for response in waited}) == 1  # one render, shared


def _latest_pdf(reader: httpx.Client, *, team: int) -> str:
    """The address of the team's latest submitted assessment's PDF, in Japanese."""
    submitted = [
        a for a in reader.get(f"/api/v1/assessments?team_id={team}").json() if a["status"] == "submitted"
    ]
    return f"/reports/assessment/{submitted[0]['id']}.pdf?lang=ja"


def _done(futures: list[Future[httpx.Response]]) -> int:
    return sum(future.done() for future in futures)


def wait_for(condition: Callable[[], bool], failure: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, failure
        time.sleep(0.1)
