"""Fixtures for the signals tests: a real MLflow server per test process (mlflow_server.py), real git
repositories and a git daemon (git_repos.py), and a fake adapter put in place of the real ones for the
sources service, pages and API, scripted per test: what it returns, what it raises, whether it waits."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from app.models import Source, Team
from app.signals import adapters
from app.signals.adapters import SourceConfig
from app.signals.adapters.base import Outbound, Signal, Summary, SyncError, SyncResult
from app.signals.sync import Context
from tests.signals.git_repos import ml_repo, served
from tests.signals.mlflow_server import VENV_2, MlflowServer, running_server, shop_pattern

__all__ = ["ml_repo", "served"]

SECRET = "test-" + "x" * 40  # the secret key of tests/conftest.py's settings
GOOD = [Signal("git.ci.configured", 1, "bool"), Signal("git.commits.per_week", 12.5, "per_week")]


@dataclass
class Script:
    """What the fake adapter does next, and what it was given."""

    signals: list[Signal] = field(default_factory=lambda: list(GOOD))
    error: Exception | None = None
    hold: threading.Event | None = None  # sync() waits for it, after setting `entered`
    entered: threading.Event = field(default_factory=threading.Event)
    configs: list[SourceConfig] = field(default_factory=list)
    states: list[dict[str, Any] | None] = field(default_factory=list)
    outbounds: list[Outbound] = field(default_factory=list)


class FakeAdapter:
    def __init__(self, script: Script, config: SourceConfig) -> None:
        self.script, self.config = script, config

    def test(self) -> Summary:
        if self.script.error is not None:
            raise self.script.error
        return Summary("fake %(kind)s answers", {"kind": self.config.kind})

    def sync(self, *, state: dict[str, Any] | None, now: datetime) -> SyncResult:
        self.script.configs.append(self.config)
        self.script.states.append(state)
        self.script.entered.set()
        if self.script.hold is not None:
            assert self.script.hold.wait(30), "the test never let the sync go on"
        if self.script.error is not None:
            raise self.script.error
        runs = int((state or {}).get("syncs", 0)) + 1
        return SyncResult(signals=list(self.script.signals), state={"syncs": runs}, counts={"commits": 3})


@pytest.fixture
def fake() -> Iterator[Script]:
    script = Script()

    def factory(config: SourceConfig, outbound: Outbound, cache_dir: Path) -> FakeAdapter:
        script.outbounds.append(outbound)
        return FakeAdapter(script, config)

    for kind in ("git", "mlflow"):
        adapters.register(kind, factory)
    yield script
    for kind in ("git", "mlflow"):
        adapters.register(kind, None)


def failing(kind: str = "timeout", message: str = "no answer within 10 s") -> SyncError:
    return SyncError(kind, message)  # type: ignore[arg-type]


@pytest.fixture
def context(session_factory: sessionmaker[Session], tmp_path: Path) -> Context:
    return Context(factory=session_factory, secret_key=SECRET, outbound=Outbound(), cache_dir=tmp_path)


def source(db: Session, team: Team, *, kind: str = "git", name: str = "model-repo") -> Source:
    row = Source(team_id=team.id, kind=kind, name=name, url="https://git.example.com/t/r.git", branch="main")
    db.add(row)
    db.flush()
    return row


@dataclass(frozen=True)
class SeededMlflow:
    """The server, when the pattern was laid out (ms) and what the seed created (ids, registry times)."""

    server: MlflowServer
    seeded_at_ms: int
    created: dict[str, Any]


@pytest.fixture(scope="session")
def mlflow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MlflowServer]:
    """A real `mlflow server` (SQLite backend) on 127.0.0.1 for this test process."""
    with running_server(tmp_path_factory.mktemp("mlflow")) as server:
        yield server


@pytest.fixture(scope="session")
def mlflow_shop(mlflow_server: MlflowServer) -> SeededMlflow:
    """The server seeded with shop_pattern: experiments shop-*, three models."""
    now_ms = int(time.time() * 1000)
    created = mlflow_server.seed(shop_pattern(now_ms))
    return SeededMlflow(mlflow_server, now_ms, created)


@pytest.fixture(scope="session")
def mlflow2_shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeededMlflow]:
    """An MLflow 2 server seeded with the same pattern through MLflow 2's client."""
    with running_server(tmp_path_factory.mktemp("mlflow2"), venv=VENV_2) as server:
        now_ms = int(time.time() * 1000)
        yield SeededMlflow(server, now_ms, server.seed(shop_pattern(now_ms)))
