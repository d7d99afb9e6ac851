"""The exposition /metrics answers: the process's counters (all workers' in multiprocess mode) and the
organisation's gauges from a snapshot of the database taken for this scrape."""

from __future__ import annotations

import os
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from app.monitoring import MULTIPROCESS_ENV, instruments
from app.monitoring.service import Snapshot


def exposition(snapshot: Snapshot) -> bytes:
    """The text Prometheus reads."""
    registry = CollectorRegistry()
    if os.environ.get(MULTIPROCESS_ENV):  # every worker's counters, from the files they share
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]  # prometheus-client leaves it untyped
    else:
        registry.register(instruments.REGISTRY)
    registry.register(OrganisationCollector(snapshot))
    return generate_latest(registry)


class OrganisationCollector(Collector):
    """The gauges of one snapshot; teams are named by their slug."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot

    def collect(self) -> Iterator[GaugeMetricFamily]:
        yield GaugeMetricFamily("hoshin_teams", "Teams in the installation.", value=self.snapshot.teams)
        yield from self._maturity()
        yield from self._okrs()
        yield from self._roadmaps()
        yield from self._sources()

    def _maturity(self) -> Iterator[GaugeMetricFamily]:
        labels = ["team", "model", "area"]
        level = GaugeMetricFamily(
            "hoshin_maturity_level",
            "Level (0-4) of an area in the team's latest submitted assessment of the model.",
            labels=labels,
        )
        target = GaugeMetricFamily(
            "hoshin_maturity_target_level", "The team's target for the area.", labels=labels
        )
        gap = GaugeMetricFamily(
            "hoshin_maturity_gap",
            "How far the area's level falls short of its target (0: reached).",
            labels=labels,
        )
        change = GaugeMetricFamily(
            "hoshin_maturity_level_change",
            "The area's level minus that of the team's previous submitted assessment of the model "
            "(negative: it regressed).",
            labels=labels,
        )
        for area in self.snapshot.areas:
            values = [area.team, area.model, area.area]
            target.add_metric(values, area.target)
            if area.level is not None:
                level.add_metric(values, area.level)
            if area.gap is not None:
                gap.add_metric(values, area.gap)
            if area.change is not None:
                change.add_metric(values, area.change)
        yield from (level, target, gap, change)

    def _okrs(self) -> Iterator[GaugeMetricFamily]:
        period = f" ({self.snapshot.okr_period}, the current quarter)"
        objectives = GaugeMetricFamily(
            "hoshin_okr_objectives", "Objectives of the team" + period, labels=["team"]
        )
        progress = GaugeMetricFamily(
            "hoshin_okr_progress_ratio",
            "Mean progress (0-1) of the team's objectives" + period,
            labels=["team"],
        )
        key_results = GaugeMetricFamily(
            "hoshin_okr_key_results",
            "Key results of the team by status of their latest check-in" + period,
            labels=["team", "status"],
        )
        twice = GaugeMetricFamily(
            "hoshin_okr_key_results_off_track_twice",
            "Key results whose last two check-ins were both off track" + period,
            labels=["team"],
        )
        for okrs in self.snapshot.okrs:
            objectives.add_metric([okrs.team], okrs.objectives)
            progress.add_metric([okrs.team], okrs.progress)
            for status, count in okrs.key_results.items():
                key_results.add_metric([okrs.team, status], count)
            twice.add_metric([okrs.team], okrs.off_track_twice)
        yield from (objectives, progress, key_results, twice)

    def _roadmaps(self) -> Iterator[GaugeMetricFamily]:
        overdue = GaugeMetricFamily(
            "hoshin_roadmap_items_overdue", "Roadmap items past their end and not done.", labels=["team"]
        )
        progress = GaugeMetricFamily(
            "hoshin_roadmap_progress_ratio", "Roadmap progress (0-1), weighted by effort.", labels=["team"]
        )
        for roadmap in self.snapshot.roadmaps:
            overdue.add_metric([roadmap.team], roadmap.overdue)
            progress.add_metric([roadmap.team], roadmap.progress)
        yield from (overdue, progress)

    def _sources(self) -> Iterator[GaugeMetricFamily]:
        labels = ["team", "source_id", "source", "kind"]
        age = GaugeMetricFamily(
            "hoshin_source_last_success_age_seconds",
            "Seconds since the enabled source's last successful sync finished (absent: none yet).",
            labels=labels,
        )
        failures = GaugeMetricFamily(
            "hoshin_source_sync_failures",
            "Failed syncs of the enabled source since its last successful one.",
            labels=labels,
        )
        for source in self.snapshot.sources:
            values = [source.team, str(source.source_id), source.name, source.kind]
            if source.last_success is not None:
                age.add_metric(values, (self.snapshot.now - source.last_success).total_seconds())
            failures.add_metric(values, source.failures)
        yield from (age, failures)
