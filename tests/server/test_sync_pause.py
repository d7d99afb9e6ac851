"""A sync's git stops while the server answers requests and goes on when it answers none; its time-out
counts only the time it ran; a process that did not adopt a server's counter (the server itself, where
"Test connection" runs git for a request) never pauses. Asserted by the process's state, never by a
duration of the machine's."""

from __future__ import annotations

import ctypes
import multiprocessing
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import BackgroundTasks, FastAPI
from fastapi.testclient import TestClient

from app.kit import in_flight
from app.server.sync_pause import CountRequests

PATIENCE = 10.0  # seconds a state change may take on a busy machine


@pytest.fixture
def server_counter(monkeypatch: pytest.MonkeyPatch) -> Any:
    """This test process as a sync process: it adopted a server's counter (a fresh one)."""
    counter = multiprocessing.get_context("spawn").RawValue(ctypes.c_int, 0)
    monkeypatch.setattr(in_flight, "_watched", None)
    in_flight.adopt(counter)
    return counter


@pytest.fixture
def git_like() -> Iterator[subprocess.Popen[bytes]]:
    """A long-running command in its own process group, as git_cli starts git."""
    process = subprocess.Popen(["sleep", "600"], start_new_session=True)
    yield process
    process.kill()
    process.wait()


def _state(pid: int) -> str:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1][0]


def _eventually(check: Callable[[], bool]) -> bool:
    deadline = time.monotonic() + PATIENCE
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    return True


def test_git_stops_while_the_server_answers_and_goes_on_after(
    server_counter: Any, git_like: subprocess.Popen[bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(in_flight, "MAX_PAUSE", 60.0)  # no let-run while this test is held up by the machine
    with in_flight.Pausing(git_like.pid) as running:
        assert _state(git_like.pid) != "T"
        server_counter.value = 1  # a request arrives
        assert _eventually(lambda: _state(git_like.pid) == "T"), "stopped while a request is answered"
        ran = running.elapsed()
        time.sleep(0.2)
        assert running.elapsed() == pytest.approx(ran, abs=0.05), "a pause does not count as running time"
        server_counter.value = 0  # answered
        assert _eventually(lambda: _state(git_like.pid) != "T"), "goes on once nothing is answered"
        assert _eventually(lambda: running.elapsed() > ran + 0.1), "running time counts again"
        server_counter.value = 1
        assert _eventually(lambda: _state(git_like.pid) == "T")
    assert _state(git_like.pid) != "T", "the end of the watch lets the group go on, busy or not"


def test_under_constant_load_a_pause_ends_and_git_still_runs(
    server_counter: Any, git_like: subprocess.Popen[bytes]
) -> None:
    server_counter.value = 1  # never idle
    with in_flight.Pausing(git_like.pid) as running:
        assert _eventually(lambda: _state(git_like.pid) == "T")
        assert _eventually(lambda: running.elapsed() > in_flight.GRACE / 2), "let run after MAX_PAUSE"


def test_the_server_itself_never_pauses_its_git(
    monkeypatch: pytest.MonkeyPatch, git_like: subprocess.Popen[bytes]
) -> None:
    monkeypatch.setattr(in_flight, "_watched", None)
    with in_flight.serving(), in_flight.Pausing(git_like.pid) as running:  # "Test connection"
        assert in_flight.count() == 1
        time.sleep(0.1)
        assert _state(git_like.pid) != "T"
        assert running.elapsed() >= 0.1


def test_a_request_counts_until_answered_and_its_background_task_does_not() -> None:
    seen: dict[str, int] = {}
    app = FastAPI()

    @app.get("/page")
    def page(tasks: BackgroundTasks) -> dict[str, int]:
        seen["answering"] = in_flight.count()
        tasks.add_task(lambda: seen.__setitem__("background", in_flight.count()))
        return {}

    app.add_middleware(CountRequests)
    before = in_flight.count()
    with TestClient(app) as client:
        assert client.get("/page").status_code == 200
    assert seen == {"answering": before + 1, "background": before}
    assert in_flight.count() == before
