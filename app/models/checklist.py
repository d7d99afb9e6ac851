"""Checklists: the catalogue's checklist entries of each roadmap item, ticked off by the team."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, utcnow
from app.models.user import User


class ChecklistTick(Base):
    """One checklist entry of one roadmap item, done. No row means not done yet."""

    __tablename__ = "checklist_ticks"
    __table_args__ = (UniqueConstraint("roadmap_id", "item_id", "entry_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    roadmap_id: Mapped[int] = mapped_column(ForeignKey("roadmaps.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[str] = mapped_column(String(80))
    entry_id: Mapped[str] = mapped_column(String(80))
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    done_at: Mapped[datetime] = mapped_column(default=utcnow)

    done_by: Mapped[User | None] = relationship(lazy="raise")
