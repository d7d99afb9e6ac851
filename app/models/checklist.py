"""Checklists: the catalogue's checklist entries of each roadmap item, ticked off by the team or by
evidence (a signal that proves an entry done), and a person's "not done" that evidence must respect."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, utcnow
from app.models.user import User


class ChecklistTick(Base):
    """One checklist entry of one roadmap item, done. No row means not done yet.

    Ticked by a person (`done_by_id`) or by evidence (`by_evidence`: a sync found the entry's proof
    holding; such a tick goes again when the proof stops holding, a person's never does). `evidence` is
    the latest reading of the entry's proof: what proved an evidence tick, or what the signal says beside
    a person's tick (shown when it disagrees). Keys: signal, value, unit, source_id, source, observed_at
    (ISO 8601), holds."""

    __tablename__ = "checklist_ticks"
    __table_args__ = (UniqueConstraint("roadmap_id", "item_id", "entry_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    roadmap_id: Mapped[int] = mapped_column(ForeignKey("roadmaps.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[str] = mapped_column(String(80))
    entry_id: Mapped[str] = mapped_column(String(80))
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    done_at: Mapped[datetime] = mapped_column(default=utcnow)
    by_evidence: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    evidence: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    done_by: Mapped[User | None] = relationship(lazy="raise")


class ChecklistUntick(Base):
    """A person's explicit "not done" on an entry a signal can prove: while this row stands, evidence never
    ticks the entry (the page says what the evidence says instead). A person's tick removes it.
    `evidence` is the latest reading of the entry's proof, as on ChecklistTick."""

    __tablename__ = "checklist_unticks"
    __table_args__ = (UniqueConstraint("roadmap_id", "item_id", "entry_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    roadmap_id: Mapped[int] = mapped_column(ForeignKey("roadmaps.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[str] = mapped_column(String(80))
    entry_id: Mapped[str] = mapped_column(String(80))
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    undone_at: Mapped[datetime] = mapped_column(default=utcnow)
    evidence: Mapped[dict[str, Any] | None] = mapped_column(JSON)
