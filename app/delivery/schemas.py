"""The delivery metrics of a team as JSON (/api/v1/teams/{team_id}/delivery-metrics)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from app.delivery.service import SourceDelivery
from app.delivery.view import MetricView


class PointOut(BaseModel):
    """One point of a trend: the last good value of a day (in the user's time zone)."""

    day: date
    observed_at: datetime
    value: float


class MetricOut(BaseModel):
    """A delivery metric of one source: its latest value (or why there is none) and its trend."""

    key: str = Field(description="the signal key (docs/signals.md)")
    group: Literal["frequency", "lead_time", "failures"]
    name: str
    note: str = Field(description="how it is measured, e.g. which DORA key it stands in for")
    unit: str
    latest: float | None = Field(
        description="the last good sync's value; null when that sync could not measure it"
    )
    latest_text: str | None = Field(description="`latest` formatted for the reader")
    absent_text: str | None = Field(description="why there is no value, when `latest` is null")
    bucket: str | None = Field(description="Four Keys bucket, where the adapter gives one")
    bucket_text: str | None
    points: list[PointOut]

    @classmethod
    def of(cls, view: MetricView) -> MetricOut:
        points = [PointOut(day=p.day, observed_at=p.observed_at, value=p.value) for p in view.points]
        return cls(
            key=view.key,
            group=view.group,
            name=view.name,
            note=view.note,
            unit=view.unit,
            latest=view.latest,
            latest_text=view.latest_text,
            absent_text=view.absent_text,
            bucket=view.bucket,
            bucket_text=view.bucket_text,
            points=points,
        )


class SourceMetricsOut(BaseModel):
    """One source of the team and its delivery metrics (sources are never averaged together)."""

    source_id: int
    name: str
    kind: Literal["mlflow", "git"]
    state: Literal["never_synced", "failed", "ok"] = Field(
        description="never_synced; failed: no sync has succeeded yet; ok: at least one good sync"
    )
    last_synced_at: datetime | None = Field(description="when the last good sync finished")
    good_syncs: int
    last_error: str | None = Field(description="why the newest sync failed, in words, when it did")
    last_error_detail: str | None
    metrics: list[MetricOut]

    @classmethod
    def of(cls, row: SourceDelivery, metrics: list[MetricView], words: str | None) -> SourceMetricsOut:
        run = row.last_run
        failed = row.last_failed and run is not None
        return cls(
            source_id=row.source.id,
            name=row.source.name,
            kind=row.source.kind,
            state=row.state,
            last_synced_at=row.last_good.finished_at if row.last_good else None,
            good_syncs=row.good_syncs,
            last_error=words if failed else None,
            last_error_detail=run.error_message if failed and run is not None else None,
            metrics=[MetricOut.of(m) for m in metrics],
        )


class DeliveryMetricsOut(BaseModel):
    """Release frequency, lead times and revert share of each of the team's sources, with trends."""

    team_id: int
    days: int = Field(description="how many days back the trends go")
    sources: list[SourceMetricsOut]
