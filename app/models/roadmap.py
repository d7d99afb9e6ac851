"""Roadmaps: generated versions (JSON snapshots), the manager's edits (replayed) and item statuses."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, CreatedAt, utcnow
from app.models.team import Team


class ItemStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    BLOCKED = "blocked"


class Roadmap(CreatedAt, Base):
    """A team's one roadmap; its start date stays put so pinned months keep meaning the same months."""

    __tablename__ = "roadmaps"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), unique=True)
    assessment_id: Mapped[int | None] = mapped_column(ForeignKey("assessments.id", ondelete="SET NULL"))
    start_date: Mapped[date] = mapped_column(Date)
    current_version: Mapped[int] = mapped_column(Integer, default=1)
    poc_candidates: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)

    team: Mapped[Team] = relationship(lazy="raise")


class RoadmapVersion(Base):
    """One generation of the plan: its inputs and the plan as generated then (updated by later edits)."""

    __tablename__ = "roadmap_versions"
    __table_args__ = (UniqueConstraint("roadmap_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    roadmap_id: Mapped[int] = mapped_column(ForeignKey("roadmaps.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    generated_at: Mapped[datetime] = mapped_column(default=utcnow)
    assessment_id: Mapped[int | None] = mapped_column(ForeignKey("assessments.id", ondelete="SET NULL"))
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON)
    plan: Mapped[dict[str, Any]] = mapped_column(JSON)
    diff: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class RoadmapEdit(Base):
    """A manager's decision (move, resize, pin, drop, add, owner), replayed on every regeneration."""

    __tablename__ = "roadmap_edits"

    id: Mapped[int] = mapped_column(primary_key=True)
    roadmap_id: Mapped[int] = mapped_column(ForeignKey("roadmaps.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    item_id: Mapped[str] = mapped_column(String(80))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RoadmapItemStatus(Base):
    """Where an item stands (planned, in progress, done, blocked) and how far along it is."""

    __tablename__ = "roadmap_item_statuses"
    __table_args__ = (UniqueConstraint("roadmap_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    roadmap_id: Mapped[int] = mapped_column(ForeignKey("roadmaps.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[str] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(20), default=ItemStatus.PLANNED.value)
    progress: Mapped[int] = mapped_column(Integer, default=0)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
