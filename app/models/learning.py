"""The team's learning log: the playbook's monthly training (best-practice sharing, study sessions on
new tools, incident reviews with their lessons), with who attended."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, CreatedAt, utcnow
from app.models.user import User


class SessionKind(StrEnum):
    BEST_PRACTICE = "best_practice"  # best-practice sharing
    STUDY = "study"  # a study session on a new tool
    INCIDENT_REVIEW = "incident_review"  # an incident review with lessons learned


class LearningSession(CreatedAt, Base):
    """One session the team held. An incident review may name what it led to: a roadmap item
    (`led_to_item`, its id) or a checklist entry (`led_to_entry`, "source/list/entry")."""

    __tablename__ = "learning_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    held_on: Mapped[date] = mapped_column(Date, index=True)
    kind: Mapped[str] = mapped_column(String(30))
    topic: Mapped[str] = mapped_column(String(300))
    lessons: Mapped[str] = mapped_column(Text, default="")
    led_to_item: Mapped[str | None] = mapped_column(String(80))
    led_to_entry: Mapped[str | None] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    attendees: Mapped[list[LearningAttendee]] = relationship(
        lazy="raise", cascade="all, delete-orphan", passive_deletes=True
    )
    updated_by: Mapped[User | None] = relationship(lazy="raise", foreign_keys=[updated_by_id])


class LearningAttendee(Base):
    """A person who attended a session (a member of the team when they were added)."""

    __tablename__ = "learning_attendees"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("learning_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)

    user: Mapped[User] = relationship(lazy="raise")
