"""The MLflow adapter against a real MLflow server seeded with a known pattern (see shop_pattern)."""

from __future__ import annotations

import itertools
import json
import re
import statistics
import time
from datetime import UTC, datetime
from typing import Any

import pytest

from app.signals.adapters.base import Adapter, Outbound, SyncResult
from app.signals.adapters.mlflow import MLflowAdapter
from tests.signals.conftest import SeededMlflow
from tests.signals.mlflow_server import DAY_MS, MlflowServer, plain_runs

LOCAL = Outbound(allowed_hosts=("127.0.0.1",), allow_private=True, timeout_seconds=30)
HOUR_MS = 3_600_000


def values(result: SyncResult) -> dict[str, float]:
    return {s.key: s.value for s in result.signals}


def shop(seeded: SeededMlflow) -> MLflowAdapter:
    return MLflowAdapter(seeded.server.url, outbound=LOCAL, experiment_filter="shop-%")


def sync_now(adapter: Adapter, state: dict[str, Any] | None = None) -> tuple[SyncResult, int]:
    now = datetime.now(UTC)
    return adapter.sync(state=state, now=now), int(now.timestamp() * 1000)


def run_end_ms(seeded: SeededMlflow, i: int) -> int:
    """Run i of shop_pattern ended 30 minutes after it started, (5i + 1) days before the seed."""
    return seeded.seeded_at_ms - (5 * i + 1) * DAY_MS + 30 * 60_000


def test_connection_test_names_the_mlflow_version_and_the_matching_experiments(
    mlflow_shop: SeededMlflow,
) -> None:
    summary = str(shop(mlflow_shop).test())
    assert re.fullmatch(r"MLflow 3\.\d+\.\d+, experiments: 3", summary), summary


def test_first_sync_measures_the_runs_of_the_last_30_and_90_days(mlflow_shop: SeededMlflow) -> None:
    result, _ = sync_now(shop(mlflow_shop))
    check_run_signals(result)


def check_run_signals(result: SyncResult) -> None:
    got = values(result)
    # 24 runs in shop-churn (0-9), shop-fraud (10-19), shop-old (20-23); run i started 5i + 1 days ago.
    assert got["mlflow.experiments.total"] == 3
    assert got["mlflow.experiments.active_30d"] == 1  # runs 0-5, all in shop-churn
    assert got["mlflow.experiments.active_90d"] == 2  # runs 0-17
    assert got["mlflow.runs.started_30d"] == 6
    assert got["mlflow.runs.started_90d"] == 18
    assert got["mlflow.runs.per_week"] == round(18 / (90 / 7), 4)
    # Shares over runs 0-17.
    assert got["mlflow.runs.with_params"] == 0.5  # even runs: 9
    assert got["mlflow.runs.with_metrics"] == round(12 / 18, 4)  # all but 0, 3, 6, 9, 12, 15
    assert got["mlflow.runs.with_git_commit"] == round(12 / 18, 4)  # runs 0-11
    assert got["mlflow.runs.with_dataset"] == round(6 / 18, 4)  # 0, 3, 6, 9, 12, 15
    assert got["mlflow.runs.from_job"] == round(10 / 18, 4)  # i % 4 in (0, 1)
    assert got["mlflow.runs.from_notebook"] == round(4 / 18, 4)  # 2, 6, 10, 14
    assert got["mlflow.runs.failed"] == round(4 / 18, 4)  # FAILED 5, 11, 17 and KILLED 8
    assert result.counts["runs"] == 18
    shares = {s.key: s.detail for s in result.signals if s.unit == "ratio"}
    assert shares["mlflow.runs.with_params"] == {"count": 9, "of": 18}


def test_first_sync_measures_the_registry_aliases_stages_and_release_cadence(
    mlflow_shop: SeededMlflow,
) -> None:
    result, _ = sync_now(shop(mlflow_shop))
    check_registry_signals(result, mlflow_shop)


def check_registry_signals(result: SyncResult, mlflow_shop: SeededMlflow) -> None:
    got = values(result)
    # churn-clf v1-v3 (aliases champion, challenger); fraud-clf v1 (Production stage), v2, v3 (no run).
    assert got["mlflow.registry.models"] == 3
    assert got["mlflow.registry.versions"] == 6
    assert got["mlflow.registry.versions_per_model"] == 2
    assert got["mlflow.registry.versions_with_run"] == round(5 / 6, 4)
    assert got["mlflow.registry.models_with_aliases"] == round(1 / 3, 4)
    assert got["mlflow.registry.models_with_stages"] == round(1 / 3, 4)
    assert got["mlflow.registry.production_present"] == 1
    assert got["mlflow.releases.versions_per_week"] == round(6 / (90 / 7), 4)  # all six made by the seed
    assert got["mlflow.releases.production_changes_90d"] == 0  # aliases already there at the first sync
    created = sorted(v["created"] for v in mlflow_shop.created["versions"].values())
    gaps = [(b - a) / DAY_MS for a, b in itertools.pairwise(created)]
    assert got["mlflow.releases.median_days_between"] == round(statistics.median(gaps), 4)
    assert result.counts == result.counts | {"models": 3, "versions": 6, "runs_looked_up": 1}  # run 21


def test_lead_times_run_from_the_run_end_to_the_version_and_to_production(mlflow_shop: SeededMlflow) -> None:
    result, synced_ms = sync_now(shop(mlflow_shop))
    check_lead_times(result, mlflow_shop, synced_ms)


def check_lead_times(result: SyncResult, mlflow_shop: SeededMlflow, synced_ms: int) -> None:
    got = values(result)
    versions = mlflow_shop.created["versions"]
    linked = {"churn-clf/1": 9, "churn-clf/2": 4, "churn-clf/3": 0, "fraud-clf/1": 15, "fraud-clf/2": 21}
    to_version = [versions[v]["created"] - run_end_ms(mlflow_shop, i) for v, i in linked.items()]
    assert got["mlflow.lead_time.run_to_version"] == round(statistics.median(to_version) / HOUR_MS, 4)
    # Production: churn-clf v2 by the alias champion, first seen by this sync; fraud-clf v1 by its stage.
    champion = synced_ms - run_end_ms(mlflow_shop, 4)
    staged = versions["fraud-clf/1"]["updated"] - run_end_ms(mlflow_shop, 15)
    assert got["mlflow.lead_time.run_to_production"] == round(
        statistics.median([champion, staged]) / HOUR_MS, 4
    )


def test_second_sync_reads_only_the_new_runs_and_keeps_when_aliases_were_first_seen(
    mlflow_server: MlflowServer, mlflow_shop: SeededMlflow
) -> None:
    day_ago = int(time.time() * 1000) - DAY_MS
    mlflow_server.seed(plain_runs("incr-a", 4, day_ago, key="old"))
    adapter = MLflowAdapter(mlflow_server.url, outbound=LOCAL, experiment_filter="incr-%")
    first, _ = sync_now(adapter)
    assert first.counts["runs"] == 4
    state = json.loads(json.dumps(first.state))  # what the sync service stores and hands back

    mlflow_server.seed(plain_runs("incr-a", 5, int(time.time() * 1000), key="new"))
    second, _ = sync_now(adapter, state)

    assert second.counts["runs"] == 5
    assert values(second)["mlflow.runs.started_90d"] == 9
    assert second.counts["runs_looked_up"] == 0  # the version runs' ends were kept from the first sync
    before, after = values(first), values(second)
    assert after["mlflow.lead_time.run_to_production"] == before["mlflow.lead_time.run_to_production"]


def test_a_run_that_ends_after_a_sync_is_read_again_with_its_outcome(mlflow_server: MlflowServer) -> None:
    hour_ago = int(time.time() * 1000) - HOUR_MS
    pattern = plain_runs("ends-a", 2, hour_ago)
    pattern["runs"][1]["status"] = "RUNNING"
    created = mlflow_server.seed(pattern)
    adapter = MLflowAdapter(mlflow_server.url, outbound=LOCAL, experiment_filter="ends-%")
    first, _ = sync_now(adapter)
    assert "mlflow.runs.failed" in values(first)
    assert values(first)["mlflow.runs.failed"] == 0  # 0 of the 1 run that ended
    mlflow_server.seed({"terminate": [[created["runs"]["p1"], "FAILED", int(time.time() * 1000)]]})

    second, _ = sync_now(adapter, first.state)

    assert second.counts["runs"] == 1
    assert values(second)["mlflow.runs.failed"] == 0.5
    assert values(second)["mlflow.runs.started_30d"] == 2


def test_a_new_experiment_is_read_in_full_on_the_next_sync(mlflow_server: MlflowServer) -> None:
    week_ago = int(time.time() * 1000) - 7 * DAY_MS
    mlflow_server.seed(plain_runs("grow-a", 2, week_ago))
    adapter = MLflowAdapter(mlflow_server.url, outbound=LOCAL, experiment_filter="grow-%")
    first, _ = sync_now(adapter)
    mlflow_server.seed(plain_runs("grow-b", 3, week_ago))  # started before the first sync

    second, _ = sync_now(adapter, first.state)

    assert second.counts["runs"] == 3
    assert values(second)["mlflow.runs.started_30d"] == 5
    assert values(second)["mlflow.experiments.active_30d"] == 2


def test_another_experiment_filter_starts_over(mlflow_shop: SeededMlflow) -> None:
    first, _ = sync_now(shop(mlflow_shop))
    churn_only = MLflowAdapter(mlflow_shop.server.url, outbound=LOCAL, experiment_filter="shop-churn")

    second, _ = sync_now(churn_only, first.state)

    assert second.counts["runs"] == 10
    assert values(second)["mlflow.experiments.total"] == 1


@pytest.mark.parametrize("key", ["mlflow.runs.per_week", "mlflow.registry.models"])
def test_signals_link_to_the_server(mlflow_shop: SeededMlflow, key: str) -> None:
    result, _ = sync_now(shop(mlflow_shop))
    (signal,) = [s for s in result.signals if s.key == key]
    assert (signal.url or "").startswith(mlflow_shop.server.url + "/#/")


def test_an_mlflow_2_server_gives_the_same_signals_and_a_moved_production_alias_counts_from_then(
    mlflow2_shop: SeededMlflow,
) -> None:
    adapter = shop(mlflow2_shop)
    assert re.fullmatch(r"MLflow 2\.\d+\.\d+, experiments: 3", str(adapter.test()))
    first, synced_ms = sync_now(adapter)
    check_run_signals(first)
    check_registry_signals(first, mlflow2_shop)
    check_lead_times(first, mlflow2_shop, synced_ms)

    mlflow2_shop.server.seed({"set_aliases": [["churn-clf", "champion", 3]]})

    second, moved_ms = sync_now(adapter, first.state)

    assert second.counts["runs"] == 0
    got = values(second)
    assert got["mlflow.runs.started_90d"] == 18
    assert got["mlflow.releases.production_changes_90d"] == 1
    champion = moved_ms - run_end_ms(mlflow2_shop, 0)  # churn-clf v3, from run 0
    staged = mlflow2_shop.created["versions"]["fraud-clf/1"]["updated"] - run_end_ms(mlflow2_shop, 15)
    assert got["mlflow.lead_time.run_to_production"] == round(
        statistics.median([champion, staged]) / HOUR_MS, 4
    )
