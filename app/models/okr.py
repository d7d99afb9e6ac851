"""OKRs: leadership's organisation objectives, a team's objectives for a quarter (or its own dates) that
may contribute to one, their key results, and check-ins (manual or from a signal)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, CreatedAt, utcnow
from app.models.user import User


class KeyResultKind(StrEnum):
    NUMERIC = "numeric"  # from start_value to target_value, in `unit`
    PERCENTAGE = "percentage"  # the same, 0–100
    MILESTONE = "milestone"  # done (1) or not (0)


class Direction(StrEnum):
    UP = "up"  # higher is better: the target is above the start
    DOWN = "down"  # lower is better: the target is below the start


class CheckInSource(StrEnum):
    MANUAL = "manual"
    SIGNAL = "signal"


class OrgObjective(CreatedAt, Base):
    """Leadership's objective for the organisation in a quarter; team objectives contribute to it and
    its progress is theirs (it has no key results of its own)."""

    __tablename__ = "org_objectives"

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(7), index=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    owner: Mapped[User | None] = relationship(lazy="raise", foreign_keys=[owner_id])


class Objective(CreatedAt, Base):
    """What a team sets out to achieve in one quarter (period "2027-Q1"), or between its own dates
    (`starts_on`..`ends_on`, filed under the quarter it starts in). Check-ins close after its last day
    unless a manager reopened it (`reopened_at`)."""

    __tablename__ = "objectives"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    period: Mapped[str] = mapped_column(String(7))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    # The catalogue objective it was adopted from (a roadmap suggestion), if any.
    catalogue_id: Mapped[str | None] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Both or neither: None means the quarter's own first and last day.
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    org_objective_id: Mapped[int | None] = mapped_column(
        ForeignKey("org_objectives.id", ondelete="SET NULL"), index=True
    )
    reopened_at: Mapped[datetime | None]

    owner: Mapped[User | None] = relationship(lazy="raise", foreign_keys=[owner_id])
    org_objective: Mapped[OrgObjective | None] = relationship(lazy="raise")
    key_results: Mapped[list[KeyResult]] = relationship(
        back_populates="objective", lazy="raise", order_by="KeyResult.position", cascade="all, delete-orphan"
    )


class KeyResult(Base):
    """A measurable result; the latest check-in's value and confidence are kept on the row for lists."""

    __tablename__ = "key_results"

    id: Mapped[int] = mapped_column(primary_key=True)
    objective_id: Mapped[int] = mapped_column(ForeignKey("objectives.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20), default=KeyResultKind.NUMERIC.value)
    start_value: Mapped[float] = mapped_column(Float, default=0.0)
    target_value: Mapped[float] = mapped_column(Float, default=1.0)
    unit: Mapped[str] = mapped_column(String(20), default="")
    direction: Mapped[str] = mapped_column(String(4), default=Direction.UP.value, server_default="up")
    due_on: Mapped[date | None]  # when a milestone should be done (else the objective's last day)
    # The catalogue key result it came from, and (later) the signal that feeds it.
    catalogue_id: Mapped[str | None] = mapped_column(String(80))
    signal: Mapped[str | None] = mapped_column(String(120))
    roadmap_item_id: Mapped[str | None] = mapped_column(String(80))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    current_value: Mapped[float | None] = mapped_column(Float)
    confidence: Mapped[int | None] = mapped_column(Integer)  # 0–10
    checked_in_at: Mapped[datetime | None]

    objective: Mapped[Objective] = relationship(back_populates="key_results", lazy="raise")
    owner: Mapped[User | None] = relationship(lazy="raise")
    check_ins: Mapped[list[CheckIn]] = relationship(
        back_populates="key_result", lazy="raise", order_by="CheckIn.id", cascade="all, delete-orphan"
    )


class CheckIn(Base):
    """One progress report on a key result. `client_token` makes a retried or double-clicked form
    submit land once."""

    __tablename__ = "check_ins"
    __table_args__ = (UniqueConstraint("key_result_id", "client_token"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key_result_id: Mapped[int] = mapped_column(ForeignKey("key_results.id", ondelete="CASCADE"), index=True)
    value: Mapped[float] = mapped_column(Float)
    confidence: Mapped[int] = mapped_column(Integer)  # 0–10
    note: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(20), default=CheckInSource.MANUAL.value)
    client_token: Mapped[str | None] = mapped_column(String(64))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    key_result: Mapped[KeyResult] = relationship(back_populates="check_ins", lazy="raise")
    created_by: Mapped[User | None] = relationship(lazy="raise")
