"""Fixtures for the signal adapters. MLflow: one real server per test process, seeded with a known pattern."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.signals.mlflow_server import VENV_2, MlflowServer, running_server, shop_pattern


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
