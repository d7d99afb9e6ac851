"""The SQLite write gate holds across processes (uvicorn workers), not only across threads."""

from __future__ import annotations

import gc
import multiprocessing
import os
import time
from pathlib import Path

import pytest

from app.server.write_gate import WriteGate


def _hold(path: Path, held: multiprocessing.Event, release: multiprocessing.Event) -> None:  # type: ignore[type-arg]
    gate = WriteGate(path)
    gate.acquire()
    held.set()
    release.wait(10)
    gate.release()


def test_a_second_process_waits_for_the_writer_and_gets_the_gate_when_it_lets_go(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3.writer-lock"
    context = multiprocessing.get_context("spawn")
    held, release = context.Event(), context.Event()
    other = context.Process(target=_hold, args=(path, held, release))
    other.start()
    try:
        assert held.wait(30)
        gate = WriteGate(path)
        started = time.monotonic()
        assert gate.acquire(timeout=0.2) is False
        assert time.monotonic() - started >= 0.2
        assert gate.acquire(blocking=False) is False
        release.set()
        assert gate.acquire(timeout=10) is True
        gate.release()
    finally:
        release.set()
        other.join(10)


def test_threads_of_one_process_take_turns(tmp_path: Path) -> None:
    gate = WriteGate(tmp_path / "lock")
    assert gate.acquire()
    assert gate.acquire(timeout=0.05) is False
    gate.release()
    assert gate.acquire(blocking=False) is True
    gate.release()


def test_an_in_memory_database_gates_threads_only() -> None:
    gate = WriteGate(None)
    assert gate.acquire()
    assert gate.acquire(blocking=False) is False
    gate.release()


def test_a_gate_closes_its_lock_file_when_it_goes(tmp_path: Path) -> None:
    gate = WriteGate(tmp_path / "lock")
    fd = gate._fd
    assert fd is not None
    del gate
    gc.collect()
    with pytest.raises(OSError, match="Bad file descriptor"):
        os.fstat(fd)
