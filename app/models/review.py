"""Quarterly reviews: what a team wrote about one quarter, kept as a new version on every save."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, CreatedAt
from app.models.user import User


class QuarterlyReview(CreatedAt, Base):
    """One saved version of a team's review of a quarter (period "2027-Q1"); the highest version is current.

    `patterns` lists the playbook's failure patterns that showed (risk ids); `actions` holds the decided
    actions as {"id", "text", "roadmap_item_id", "key_result_id"} (the ids set once the action became one).
    """

    __tablename__ = "quarterly_reviews"
    __table_args__ = (UniqueConstraint("team_id", "period", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    period: Mapped[str] = mapped_column(String(7))
    version: Mapped[int] = mapped_column(Integer)
    went_well: Mapped[str] = mapped_column(Text, default="")
    bottleneck: Mapped[str] = mapped_column(Text, default="")
    patterns: Mapped[list[str]] = mapped_column(JSON, default=list)
    actions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    created_by: Mapped[User | None] = relationship(lazy="raise")
