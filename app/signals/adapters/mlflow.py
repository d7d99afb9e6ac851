"""MLflow tracking server adapter: plain REST over the guarded client, 2.x and 3.x servers.

A sync reads only the runs started or ended since the last one (runs of newly matched experiments in
full, over the window), keeps compact per-run facts for the last 90 days in the state, re-reads the
registry (it is small) and records when each alias was first seen on a version, since MLflow keeps no
alias timestamps. Artifact URIs are never followed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from app.i18n import N_
from app.signals.adapters.base import Outbound, Signal, Summary, SyncError, SyncResult
from app.signals.adapters.mlflow_measures import (
    DAY_MS,
    FROM_JOB,
    FROM_NOTEBOOK,
    HAS_DATASET,
    HAS_GIT_COMMIT,
    HAS_METRICS,
    HAS_PARAMS,
    STATUS_CODES,
    WINDOW_DAYS,
    Registry,
    RunFact,
    Version,
    first_seen,
    registry_signals,
    run_signals,
)
from app.signals.http import GuardedClient, Reply, basic_auth_header

API = "api/2.0/mlflow/"
PRODUCTION_ALIASES = frozenset({"production", "prod", "champion", "live"})
AUTOMATED_SOURCES = frozenset({"JOB", "PROJECT"})
OVERLAP_MS = 5 * 60_000  # re-read the last minutes of the previous sync: runs written while it ran
RUNS_PAGE = 5_000  # the server allows 50,000, but such a page of rich runs would pass the size cap
MIN_PAGE = 100  # a page over the size cap is asked for again at half the size, down to this
EXPERIMENTS_PAGE = 50_000
MODELS_PAGE = 1_000  # the server's maximum
VERSIONS_PAGE = 10_000
IDS_PER_QUERY = 100  # experiment ids per runs/search
STATE_VERSION = 1
MAX_STATE_RUNS = 200_000  # the newest runs kept; beyond this the state would stop being small
VERSION_TEXT = re.compile(r"^\d+\.\d+(\.\d+)?[\w.+-]*$")


class MLflowAdapter:
    """One MLflow tracking server, optionally limited to experiments whose name matches a LIKE pattern."""

    def __init__(
        self,
        url: str,
        *,
        outbound: Outbound,
        token: str | None = None,
        username: str | None = None,
        password: str | None = None,
        experiment_filter: str | None = None,
    ) -> None:
        self.url = url.rstrip("/") + "/"
        self.outbound = outbound
        self.experiment_filter = experiment_filter or None
        if token:
            self._authorization: str | None = f"Bearer {token}"
        elif username:
            self._authorization = basic_auth_header(username, password or "")
        else:
            self._authorization = None

    def __repr__(self) -> str:
        return f"MLflowAdapter({self.url!r}, experiment_filter={self.experiment_filter!r})"

    def test(self) -> Summary:
        """Check the server answers as MLflow: "MLflow 3.1.0, experiments: 4", or SyncError."""
        with self._client() as http:
            version = server_version(http)
            experiments = list(self._experiments(http))
        values: dict[str, str | int] = {"version": version, "experiments": len(experiments)}
        return Summary(N_("MLflow %(version)s, experiments: %(experiments)s"), values)

    def sync(self, *, state: dict[str, Any] | None, now: datetime) -> SyncResult:
        """Read runs since the last sync and the whole registry; return every MLflow signal."""
        now_ms = int(now.timestamp() * 1000)
        old = _usable_state(state, self.experiment_filter)
        with self._client() as http:
            server_version(http)
            experiments = experiment_ids(self._experiments(http))
            runs, read = self._read_runs(http, old, experiments, now_ms)
            registry, run_ends, aliases, counts = self._read_registry(http, old, runs, now_ms)
            requests = http.requests
        new_state = {
            "v": STATE_VERSION,
            "filter": self.experiment_filter,
            "first_sync_ms": old["first_sync_ms"] if old else now_ms,
            "cursor_ms": now_ms - OVERLAP_MS,
            "experiments": experiments,
            "runs": {run_id: fact.to_json() for run_id, fact in runs.items()},
            "run_ends": run_ends,
            "aliases": [[*key, when] for key, when in sorted(aliases.items())],
        }
        signals = run_signals(runs.values(), experiments=len(experiments), now_ms=now_ms)
        signals += registry_signals(registry, now_ms=now_ms)
        base = self.url.rstrip("/")
        signals = [_with_url(s, base) for s in signals]
        counts |= {"experiments": len(experiments), "runs": read, "requests": requests}
        return SyncResult(signals=signals, state=new_state, counts=counts)

    def _client(self) -> GuardedClient:
        return GuardedClient(self.url, outbound=self.outbound, authorization=self._authorization)

    def _experiments(self, http: GuardedClient) -> Iterator[dict[str, Any]]:
        body: dict[str, Any] = {"view_type": "ACTIVE_ONLY"}
        if self.experiment_filter:
            body["filter"] = "name LIKE '{}'".format(self.experiment_filter.replace("'", "\\'"))
        return _pages(http, "experiments/search", body, "experiments", EXPERIMENTS_PAGE, post=True)

    def _read_runs(
        self, http: GuardedClient, old: dict[str, Any] | None, experiments: list[str], now_ms: int
    ) -> tuple[dict[str, RunFact], int]:
        """The window's runs: kept facts updated with what started or ended since the cursor."""
        window_start = now_ms - WINDOW_DAYS * DAY_MS
        current = set(experiments)
        runs: dict[str, RunFact] = {}
        if old:
            for run_id, row in old["runs"].items():
                fact = RunFact.from_json(row)
                if fact.experiment_id in current and fact.start_ms >= window_start:
                    runs[run_id] = fact
        known = set(old["experiments"]) & current if old else set()
        fresh = [e for e in experiments if e not in known]
        queries = [(fresh, f"attributes.start_time >= {window_start}")]
        if known:
            since = max(int(old["cursor_ms"]), window_start) if old else window_start
            ids = sorted(known)
            queries += [
                (ids, f"attributes.start_time >= {since}"),
                (ids, f"attributes.end_time >= {since} and attributes.start_time >= {window_start}"),
            ]
        seen: set[str] = set()
        for ids, condition in queries:
            for chunk in range(0, len(ids), IDS_PER_QUERY):
                body = {"experiment_ids": ids[chunk : chunk + IDS_PER_QUERY], "filter": condition}
                body["run_view_type"] = "ACTIVE_ONLY"
                for run in _pages(http, "runs/search", body, "runs", RUNS_PAGE, post=True):
                    run_id, fact = run_fact(run)
                    runs[run_id] = fact
                    seen.add(run_id)
        if len(runs) > MAX_STATE_RUNS:
            newest = sorted(runs.items(), key=lambda item: item[1].start_ms)[-MAX_STATE_RUNS:]
            runs = dict(newest)
        return runs, len(seen)

    def _read_registry(
        self, http: GuardedClient, old: dict[str, Any] | None, runs: dict[str, RunFact], now_ms: int
    ) -> tuple[Registry, dict[str, int], dict[tuple[str, str, str], int], dict[str, int]]:
        """Every model and version, the ends of their runs, and the aliases with their first-seen times."""
        models = list(_pages(http, "registered-models/search", {}, "registered_models", MODELS_PAGE))
        raw_versions = list(_pages(http, "model-versions/search", {}, "model_versions", VERSIONS_PAGE))
        old_ends: dict[str, int] = dict(old["run_ends"]) if old else {}
        run_ends: dict[str, int] = {}
        fetched = 0
        versions = []
        for raw in raw_versions:
            try:
                run_id = str(raw.get("run_id") or "") or None
                end: int | None = None
                if run_id:
                    if run_id in runs:
                        end = runs[run_id].end_ms
                    elif run_id in old_ends:
                        end = old_ends[run_id]
                    else:
                        end = run_end(http, run_id)
                        fetched += 1
                    if end is not None:
                        run_ends[run_id] = end  # -1: the run is gone
                versions.append(
                    Version(
                        model=str(raw["name"]),
                        version=str(raw["version"]),
                        created_ms=int(raw["creation_timestamp"]),
                        updated_ms=int(raw.get("last_updated_timestamp") or raw["creation_timestamp"]),
                        stage=str(raw.get("current_stage") or "None"),
                        run_id=run_id,
                        run_end_ms=end if end is not None and end >= 0 else None,
                    )
                )
            except (KeyError, TypeError, ValueError):
                raise SyncError(
                    "bad_response", "the server sent a model version in an unexpected form"
                ) from None
        alias_keys = []
        try:
            for model in models:
                for alias in model.get("aliases") or []:
                    alias_keys.append((str(model["name"]), str(alias["alias"]), str(alias["version"])))
            names = [str(m["name"]) for m in models]
        except (KeyError, TypeError):
            raise SyncError(
                "bad_response", "the server sent a registered model in an unexpected form"
            ) from None
        seen_before = (
            {(str(a[0]), str(a[1]), str(a[2])): int(a[3]) for a in old.get("aliases", [])} if old else {}
        )
        aliases = first_seen(seen_before, alias_keys, now_ms)
        first_sync_ms = old["first_sync_ms"] if old else now_ms
        production: dict[tuple[str, str], int] = {}
        changes = 0
        for (model_name, alias, version), when in aliases.items():
            if alias.lower() in PRODUCTION_ALIASES:
                key = (model_name, version)
                production[key] = min(production.get(key, when), when)
                if when > first_sync_ms and when >= now_ms - WINDOW_DAYS * DAY_MS:
                    changes += 1
        for v in versions:  # legacy stages: the stage change updated the version's timestamp
            if v.stage == "Production":
                production.setdefault((v.model, v.version), v.updated_ms)
        registry = Registry(
            models=names,
            versions=versions,
            models_with_aliases=len({m for m, _, _ in alias_keys}),
            production=production,
            production_changes=changes,
        )
        counts = {"models": len(names), "versions": len(versions), "runs_looked_up": fetched}
        return registry, run_ends, aliases, counts


def experiment_ids(experiments: Iterator[dict[str, Any]]) -> list[str]:
    """The ids of experiments from experiments/search."""
    try:
        return [str(e["experiment_id"]) for e in experiments]
    except (KeyError, TypeError):
        raise SyncError("bad_response", "the server sent an experiment in an unexpected form") from None


def server_version(http: GuardedClient) -> str:
    """The server's version from GET /version, or SyncError("not_mlflow")."""
    reply = http.get("version")
    text = reply.body[:100].decode("utf-8", "replace").strip()
    if reply.status != 200 or not VERSION_TEXT.match(text):
        raise SyncError("not_mlflow", f"{reply.where} answers, but not as an MLflow server (no version)")
    return text


def run_end(http: GuardedClient, run_id: str) -> int | None:
    """When a run (linked from a model version, outside the window) ended; -1 if gone, None if running."""
    reply = http.get(API + "runs/get", {"run_id": run_id})
    if reply.status in (400, 404):
        return -1
    info = _checked(reply).get("run", {}).get("info", {})
    end = info.get("end_time")
    return int(end) if end else None


def run_fact(run: dict[str, Any]) -> tuple[str, RunFact]:
    """A run from runs/search as its id and compact facts."""
    try:
        info, data = run["info"], run.get("data") or {}
        tags = {t["key"]: t.get("value") for t in data.get("tags") or []}
        source = str(tags.get("mlflow.source.type") or "").upper()
        flags = (
            (HAS_PARAMS if data.get("params") else 0)
            | (HAS_METRICS if data.get("metrics") else 0)
            | (HAS_GIT_COMMIT if tags.get("mlflow.source.git.commit") else 0)
            | (HAS_DATASET if (run.get("inputs") or {}).get("dataset_inputs") else 0)
            | (FROM_JOB if source in AUTOMATED_SOURCES else 0)
            | (FROM_NOTEBOOK if source == "NOTEBOOK" else 0)
        )
        end = info.get("end_time")
        fact = RunFact(
            experiment_id=str(info["experiment_id"]),
            start_ms=int(info.get("start_time") or 0),
            end_ms=int(end) if end else None,
            status=STATUS_CODES.get(str(info.get("status")), "R"),
            flags=flags,
        )
        return str(info["run_id"]), fact
    except (KeyError, TypeError, ValueError, AttributeError):
        raise SyncError("bad_response", "the server sent a run in an unexpected form") from None


def _pages(
    http: GuardedClient, endpoint: str, query: dict[str, Any], key: str, page: int, *, post: bool = False
) -> Iterator[dict[str, Any]]:
    """Every item of a paginated search; a page over the size cap is asked for again at half the size."""
    token: str | None = None
    while True:
        fields = {**query, "max_results": page}
        if token:
            fields["page_token"] = token
        try:
            reply = http.post(API + endpoint, fields) if post else http.get(API + endpoint, fields)
        except SyncError as error:
            if error.kind == "too_large" and page > MIN_PAGE:
                page = max(MIN_PAGE, page // 2)
                continue
            raise
        data = _checked(reply)
        items = data.get(key) or []
        if not isinstance(items, list):
            raise SyncError("bad_response", f"{reply.where} sent '{key}' in an unexpected form")
        yield from items
        token = data.get("next_page_token") or None
        if not token or not items:
            return


def _checked(reply: Reply) -> dict[str, Any]:
    """A 200 reply's JSON object; MLflow's own error message otherwise."""
    if reply.status == 404:
        raise SyncError("not_mlflow", f"{reply.where} is not an MLflow API (HTTP 404)")
    data = reply.json()
    if not isinstance(data, dict):
        raise SyncError("bad_response", f"{reply.where} did not answer with a JSON object")
    if reply.status != 200:
        message = str(data.get("message") or data.get("error_code") or "")[:200]
        raise SyncError("bad_response", f"{reply.where} answered HTTP {reply.status}: {message}")
    return data


def _usable_state(state: dict[str, Any] | None, experiment_filter: str | None) -> dict[str, Any] | None:
    """The previous sync's state, or None when it is missing, damaged, from another version or filter."""
    if not state or state.get("v") != STATE_VERSION or state.get("filter") != experiment_filter:
        return None
    shapes = {"first_sync_ms": int, "cursor_ms": int, "experiments": list, "runs": dict, "run_ends": dict}
    if not all(isinstance(state.get(key), shape) for key, shape in shapes.items()):
        return None
    try:
        for row in state["runs"].values():
            RunFact.from_json(row)
        for alias in state.get("aliases", []):
            str(alias[0]), str(alias[1]), str(alias[2]), int(alias[3])
    except (TypeError, ValueError, IndexError):
        return None
    return state


def _with_url(signal: Signal, base: str) -> Signal:
    """Link a signal to the server's own page for it."""
    page = "#/models" if ".registry." in signal.key or ".releases." in signal.key else "#/experiments"
    return Signal(signal.key, signal.value, signal.unit, signal.detail, f"{base}/{page}")
