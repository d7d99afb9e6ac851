"""API tokens, one-time links (invitations and password resets) and the RACI matrix."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, CreatedAt
from app.models.user import User


class ApiToken(CreatedAt, Base):
    """A personal token for /api/v1; only its SHA-256 is stored, the prefix helps people recognise it."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="raise")


class OneTimeLink(CreatedAt, Base):
    """An invitation (creates an account) or a password reset (for an existing user), used at most once."""

    __tablename__ = "one_time_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # invite | reset
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(20), default="member")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class RaciAssignment(Base):
    """For one team and capability: which team role is Responsible, Accountable, Consulted or Informed."""

    __tablename__ = "raci_assignments"
    __table_args__ = (UniqueConstraint("team_id", "capability_id", "team_role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    capability_id: Mapped[str] = mapped_column(String(80))
    team_role: Mapped[str] = mapped_column(String(80))
    letter: Mapped[str] = mapped_column(String(1))  # R, A, C or I
