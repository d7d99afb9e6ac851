"""Checklists: the catalogue's checklist entries of each roadmap item, ticked off by the team or by
evidence (a signal that proves an entry done), a person's "not done" that evidence must respect, and
how a team stands on each entry beyond done (status, owner, due date, note, link) for the playbook's
checklists and the roadmap's alike."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, String, Text, UniqueConstraint, false
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


class ChecklistStatus(StrEnum):
    """Where a team stands on a checklist entry. DONE is never stored: an entry is done while it is
    ticked (a roadmap entry's ChecklistTick; a playbook entry's `done` or `done_by_evidence`)."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    NOT_APPLICABLE = "not_applicable"


class ChecklistSource(StrEnum):
    PLAYBOOK = "playbook"  # the playbook's checklists every team has (app/checklists/lists/)
    ROADMAP = "roadmap"  # a roadmap item's checklist (list_id is the item id)


class ChecklistEntryState(Base):
    """How one team stands on one checklist entry, beyond done: the status it is in while not done,
    why it does not apply, who owns it, when it is due, a note and an evidence link, and who changed it
    last. No row means not started, nobody owns it.

    For a playbook entry the row also holds its tick, as ChecklistTick and ChecklistUntick do for a
    roadmap entry: `done` (a person's tick), `done_by_evidence` (a sync found its proof holding),
    `kept_undone` (a person's "not done" that evidence must respect) and `evidence` (the latest reading
    of its proof)."""

    __tablename__ = "checklist_entry_states"
    __table_args__ = (UniqueConstraint("team_id", "source", "list_id", "entry_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(20))
    list_id: Mapped[str] = mapped_column(String(80))
    entry_id: Mapped[str] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(20), default=ChecklistStatus.NOT_STARTED.value)
    na_reason: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    due: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str] = mapped_column(String(2048), default="")
    done: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    done_by_evidence: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    kept_undone: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    evidence: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime | None] = mapped_column()
