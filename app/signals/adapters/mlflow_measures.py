"""The MLflow signals, computed from compact run facts and the model registry (pure, no I/O)."""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from app.signals.adapters.base import Signal

DAY_MS = 86_400_000
HOUR_MS = 3_600_000
WINDOW_DAYS = 90  # runs are kept and measured over this window (like Scorecard and Four Keys)
SHORT_WINDOW_DAYS = 30

# Bits of a run's flags (kept in the sync state, one int per run).
HAS_PARAMS, HAS_METRICS, HAS_GIT_COMMIT, HAS_DATASET, FROM_JOB, FROM_NOTEBOOK = 1, 2, 4, 8, 16, 32
TERMINAL = frozenset("FXK")  # FINISHED, FAILED, KILLED
FAILED = frozenset("XK")  # FAILED, KILLED
STATUS_CODES = {"FINISHED": "F", "FAILED": "X", "KILLED": "K", "RUNNING": "R", "SCHEDULED": "S"}


@dataclass(frozen=True)
class RunFact:
    """What a run tells us, in the few fields the signals need."""

    experiment_id: str
    start_ms: int
    end_ms: int | None
    status: str  # one of STATUS_CODES' values
    flags: int

    def to_json(self) -> list[object]:
        """The compact form kept in the sync state."""
        return [self.experiment_id, self.start_ms, self.end_ms, self.status, self.flags]

    @classmethod
    def from_json(cls, row: list[object]) -> RunFact:
        """Read back the compact form."""
        exp, start, end, status, flags = row
        return cls(
            str(exp), int(str(start)), None if end is None else int(str(end)), str(status), int(str(flags))
        )


@dataclass(frozen=True)
class Version:
    """One registered model version, with what the lead times need."""

    model: str
    version: str
    created_ms: int
    updated_ms: int
    stage: str
    run_id: str | None
    run_end_ms: int | None  # the linked run's end, when known


@dataclass(frozen=True)
class Registry:
    """The registry as read this sync, plus the production versions and when each became so."""

    models: list[str]
    versions: list[Version]
    models_with_aliases: int
    production: dict[tuple[str, str], int]  # (model, version) -> when it became production (ms)
    production_changes: int  # production aliases first seen in the window after the first sync


def run_signals(runs: Iterable[RunFact], *, experiments: int, now_ms: int) -> list[Signal]:
    """Experiments and runs active in the windows, runs per week, and the shares of runs that ..."""
    short, long = now_ms - SHORT_WINDOW_DAYS * DAY_MS, now_ms - WINDOW_DAYS * DAY_MS
    recent = [r for r in runs if r.start_ms >= long]
    last_30 = [r for r in recent if r.start_ms >= short]
    signals = [
        Signal("mlflow.experiments.total", experiments, "count"),
        Signal("mlflow.experiments.active_30d", len({r.experiment_id for r in last_30}), "count"),
        Signal("mlflow.experiments.active_90d", len({r.experiment_id for r in recent}), "count"),
        Signal("mlflow.runs.started_30d", len(last_30), "count"),
        Signal("mlflow.runs.started_90d", len(recent), "count"),
        Signal("mlflow.runs.per_week", round(len(recent) / (WINDOW_DAYS / 7), 4), "per_week"),
    ]
    shares = {
        "with_params": HAS_PARAMS,
        "with_metrics": HAS_METRICS,
        "with_git_commit": HAS_GIT_COMMIT,
        "with_dataset": HAS_DATASET,
        "from_job": FROM_JOB,
        "from_notebook": FROM_NOTEBOOK,
    }
    for name, bit in shares.items():
        signals += _share(f"mlflow.runs.{name}", sum(1 for r in recent if r.flags & bit), len(recent))
    ended = [r for r in recent if r.status in TERMINAL]
    signals += _share("mlflow.runs.failed", sum(1 for r in ended if r.status in FAILED), len(ended))
    return signals


def registry_signals(registry: Registry, *, now_ms: int) -> list[Signal]:
    """Models, versions, lineage, aliases versus stages, production, release cadence and lead times."""
    models, versions = registry.models, registry.versions
    staged = {v.model for v in versions if v.stage in ("Staging", "Production", "Archived")}
    signals = [
        Signal("mlflow.registry.models", len(models), "count"),
        Signal("mlflow.registry.versions", len(versions), "count"),
        Signal("mlflow.registry.production_present", float(bool(registry.production)), "bool"),
    ]
    if models:
        per_model = round(len(versions) / len(models), 4)
        signals.append(Signal("mlflow.registry.versions_per_model", per_model, "count"))
        signals += _share("mlflow.registry.models_with_aliases", registry.models_with_aliases, len(models))
        signals += _share("mlflow.registry.models_with_stages", len(staged), len(models))
    signals += _share(
        "mlflow.registry.versions_with_run", sum(1 for v in versions if v.run_id), len(versions)
    )
    recent = sorted(v.created_ms for v in versions if v.created_ms >= now_ms - WINDOW_DAYS * DAY_MS)
    signals.append(
        Signal("mlflow.releases.versions_per_week", round(len(recent) / (WINDOW_DAYS / 7), 4), "per_week")
    )
    signals.append(Signal("mlflow.releases.production_changes_90d", registry.production_changes, "count"))
    if len(recent) >= 2:
        gaps = [(b - a) / DAY_MS for a, b in itertools.pairwise(recent)]
        signals.append(
            Signal("mlflow.releases.median_days_between", round(statistics.median(gaps), 4), "days")
        )
    to_version = [v.created_ms - v.run_end_ms for v in versions if v.run_end_ms is not None]
    signals += _median_hours("mlflow.lead_time.run_to_version", to_version)
    by_key = {(v.model, v.version): v for v in versions}
    to_production = [
        when - v.run_end_ms
        for key, when in registry.production.items()
        if (v := by_key.get(key)) is not None and v.run_end_ms is not None
    ]
    signals += _median_hours("mlflow.lead_time.run_to_production", to_production)
    return signals


def _share(key: str, count: int, of: int) -> list[Signal]:
    """A ratio signal, or none when there is nothing to measure (0 of 0 is not 'none of them')."""
    if of == 0:
        return []
    return [Signal(key, round(count / of, 4), "ratio", {"count": count, "of": of})]


def _median_hours(key: str, spans_ms: list[int]) -> list[Signal]:
    """The median of positive spans in hours (spans <= 0 are clock skew or re-registrations, ignored)."""
    spans = [s for s in spans_ms if s > 0]
    if not spans:
        return []
    return [Signal(key, round(statistics.median(spans) / HOUR_MS, 4), "hours", {"of": len(spans)})]


def first_seen(
    seen: Mapping[tuple[str, str, str], int], current: Iterable[tuple[str, str, str]], now_ms: int
) -> dict[tuple[str, str, str], int]:
    """When each (model, alias, version) was first seen: kept from earlier syncs, now for new ones."""
    return {key: seen.get(key, now_ms) for key in current}
