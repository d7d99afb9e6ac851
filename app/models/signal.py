"""Live evidence: a team's sources (MLflow servers, Git repositories), their sync runs and the signals
each successful run stored (a time series: every run keeps its own values)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, CreatedAt, utcnow


class SourceKind(StrEnum):
    MLFLOW = "mlflow"
    GIT = "git"


class SyncStatus(StrEnum):
    RUNNING = "running"
    OK = "ok"
    FAILED = "failed"


class Source(CreatedAt, Base):
    """A place a team's evidence comes from; `credentials` is a Fernet token (app/signals/secrets.py)."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(2048))
    branch: Mapped[str | None] = mapped_column(String(200))  # git
    experiment_filter: Mapped[str | None] = mapped_column(String(500))  # mlflow
    credentials: Mapped[str | None] = mapped_column(Text)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # What the adapter handed back last time, for an incremental next sync.
    state: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The last "Test connection": ok / failed, with the words to show (never a credential).
    tested_at: Mapped[datetime | None]
    test_status: Mapped[str | None] = mapped_column(String(20))
    test_message: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    runs: Mapped[list[SyncRun]] = relationship(
        back_populates="source", lazy="raise", cascade="all, delete-orphan", passive_deletes=True
    )


class SyncRun(Base):
    """One sync of one source: running, then ok (with counts) or failed (with the reason)."""

    __tablename__ = "sync_runs"
    __table_args__ = (Index("ix_sync_runs_source_id_status", "source_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(20), default=SyncStatus.RUNNING.value)
    error_kind: Mapped[str | None] = mapped_column(String(40))
    error_message: Mapped[str | None] = mapped_column(Text)
    counts: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    duration_ms: Mapped[int | None] = mapped_column(Integer)

    source: Mapped[Source] = relationship(back_populates="runs", lazy="raise")


class SignalValue(Base):
    """One signal's value as one sync run measured it."""

    __tablename__ = "signals"
    __table_args__ = (
        # "the latest value of each key of a source" and a key's trend read this index
        Index("ix_signals_source_id_key_observed_at", "source_id", "key", "observed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    sync_run_id: Mapped[int] = mapped_column(ForeignKey("sync_runs.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(120))
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(20))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    url: Mapped[str | None] = mapped_column(String(2048))
    observed_at: Mapped[datetime]
