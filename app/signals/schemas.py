"""Bodies and responses of the sources endpoints under /api/v1 (credentials go in, never out)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.kit import limits
from app.models import SignalValue, SyncRun
from app.signals.service import SourceStatus, error_words

Secret = Annotated[limits.SecretText, Field(json_schema_extra={"writeOnly": True})]


class SourceIn(BaseModel):
    """A source to add. Credentials (MLflow only) are write-only: no response ever carries them."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["mlflow", "git"]
    name: limits.Name
    url: limits.Url = Field(
        description="MLflow: the tracking server's http(s) address; Git: a clone URL or a local path"
    )
    branch: Annotated[limits.Branch, Field(description="Git only; default main")] = ""
    experiment_filter: limits.ExperimentFilter = ""
    token: Secret = ""
    username: Secret = ""
    password: Secret = ""


class SourcePatch(BaseModel):
    """Changes to a source: fields left out stay; empty credentials keep the stored ones unless
    `clear_credentials` is true."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["mlflow", "git"] | None = None
    name: limits.Name | None = None
    url: limits.Url | None = None
    branch: limits.Branch | None = None
    experiment_filter: limits.ExperimentFilter | None = None
    token: Secret = ""
    username: Secret = ""
    password: Secret = ""
    clear_credentials: bool = False
    enabled: bool | None = Field(default=None, description="false: `hoshin sync` skips it; its history stays")


class SyncRunOut(BaseModel):
    """One sync: running, ok (with counts) or failed (with the error's kind, words and detail)."""

    id: int
    status: str
    started_at: datetime
    finished_at: datetime | None
    duration_ms: int | None
    counts: dict[str, int]
    error_kind: str | None
    error: str | None

    @classmethod
    def of(cls, run: SyncRun | None, translate: Any) -> SyncRunOut | None:
        if run is None:
            return None
        words = translate(error_words(run.error_kind)) if run.status == "failed" else None
        detail = f"{words} {run.error_message}" if words and run.error_message else words
        return cls(
            id=run.id,
            status=run.status,
            started_at=run.started_at,
            finished_at=run.finished_at,
            duration_ms=run.duration_ms,
            counts=run.counts,
            error_kind=run.error_kind,
            error=detail,
        )


class SourceOut(BaseModel):
    """A source with its last sync and its last good sync; `has_credentials` says whether any are stored."""

    id: int
    team_id: int
    kind: str
    name: str
    url: str
    branch: str | None
    experiment_filter: str | None
    enabled: bool
    has_credentials: bool
    last_sync: SyncRunOut | None
    last_good_sync: SyncRunOut | None

    @classmethod
    def of(cls, row: SourceStatus, translate: Any) -> SourceOut:
        s = row.source
        return cls(
            id=s.id,
            team_id=s.team_id,
            kind=s.kind,
            name=s.name,
            url=s.url,
            branch=s.branch,
            experiment_filter=s.experiment_filter,
            enabled=s.enabled,
            has_credentials=s.credentials is not None,
            last_sync=SyncRunOut.of(row.last_run, translate),
            last_good_sync=SyncRunOut.of(row.last_good, translate),
        )


class SignalOut(BaseModel):
    """A signal's latest good value from one source."""

    source_id: int
    sync_run_id: int
    key: str
    value: float
    unit: str
    detail: dict[str, Any]
    url: str | None
    observed_at: datetime

    @classmethod
    def of(cls, row: SignalValue) -> SignalOut:
        return cls(
            source_id=row.source_id,
            sync_run_id=row.sync_run_id,
            key=row.key,
            value=row.value,
            unit=row.unit,
            detail=row.detail,
            url=row.url,
            observed_at=row.observed_at,
        )


class SyncStarted(BaseModel):
    """Whether a sync was started now (false: one of this source is already running)."""

    started: bool
    sync_run_id: int | None
