"""Teams and who belongs to them, with playbook roles and the share of time they give the programme."""

from __future__ import annotations

from sqlalchemy import JSON, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, CreatedAt
from app.models.user import User

# The share of a team's capacity spent on improvement work (the roadmap) unless the team sets its own:
# the rest goes to running and building its ML products.
DEFAULT_IMPROVEMENT_SHARE = 0.3


class Team(CreatedAt, Base):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    # The share (0–1) of the members' capacity spent on improvement work: what the roadmap schedules.
    improvement_share: Mapped[float] = mapped_column(
        Float, default=DEFAULT_IMPROVEMENT_SHARE, server_default="0.3"
    )

    memberships: Mapped[list[Membership]] = relationship(back_populates="team", lazy="raise")


class Membership(CreatedAt, Base):
    """A person in a team: access (manager/member/viewer), playbook roles and capacity (0–1)."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("team_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    access: Mapped[str] = mapped_column(String(20), default="member")
    team_roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    capacity: Mapped[float] = mapped_column(Float, default=0.5)

    team: Mapped[Team] = relationship(back_populates="memberships", lazy="raise")
    user: Mapped[User] = relationship(lazy="raise")
