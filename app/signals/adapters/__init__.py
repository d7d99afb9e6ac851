"""One adapter per kind of source; each turns what the source shows into signals (see base.py).

`build()` makes the adapter for a configured source. The real adapters are imported only when a source
of their kind is built (MLflow's client code costs nothing to a page); `register()` lets a test put a
fake adapter in place of a kind.
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from app.signals.adapters.base import Adapter, Outbound


@dataclass(frozen=True)
class SourceConfig:
    """A source as its adapter needs it: plain values, credentials decrypted (never logged: see repr)."""

    id: int
    kind: str
    url: str
    folder: str = ""  # where its adapter may cache (cache_folder); "" for none
    branch: str | None = None
    experiment_filter: str | None = None
    token: str | None = None
    username: str | None = None
    password: str | None = None

    def __repr__(self) -> str:
        return f"SourceConfig(id={self.id}, kind={self.kind!r}, url={self.url!r})"


Factory = Callable[[SourceConfig, Outbound, Path], Adapter]
_registered: dict[str, Factory] = {}


def register(kind: str, factory: Factory | None) -> None:
    """Use `factory` for sources of `kind` (None: back to the real adapter)."""
    if factory is None:
        _registered.pop(kind, None)
    else:
        _registered[kind] = factory


def folder_name(source_id: int, created_at: datetime) -> str:
    """The name of a source's cache folder: its id and the time it was created, since a database may give
    a new source the id of one just removed (SQLite does) while the removed one's folder is being deleted."""
    return f"source-{source_id}-{created_at:%Y%m%dT%H%M%S%f}"


def is_registered(kind: str) -> bool:
    """Whether a test put its own adapter in place of this kind's."""
    return kind in _registered


def cache_folder(cache_dir: Path, name: str) -> Path:
    """Where a source's adapter keeps what it caches (a git clone); removed with the source."""
    return cache_dir / name


def build(config: SourceConfig, *, outbound: Outbound, cache_dir: Path) -> Adapter:
    """The adapter for a source; git repositories are cloned under cache_dir/<config.folder>."""
    if config.kind in _registered:
        return _registered[config.kind](config, outbound, cache_dir)
    if config.kind == "mlflow":
        mlflow = importlib.import_module("app.signals.adapters.mlflow")
        adapter: Adapter = mlflow.MLflowAdapter(
            config.url,
            outbound=outbound,
            token=config.token,
            username=config.username,
            password=config.password,
            experiment_filter=config.experiment_filter,
        )
        return adapter
    if config.kind == "git":
        git = importlib.import_module("app.signals.adapters.git")
        rules = dataclasses.replace(outbound, max_bytes=outbound.git_max_bytes)
        folder = cache_folder(cache_dir, config.folder)
        adapter = git.GitAdapter(config.url, branch=config.branch, outbound=rules, cache_dir=folder)
        return adapter
    raise ValueError(f"no adapter for sources of kind {config.kind!r}")
