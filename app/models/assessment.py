"""Assessments (one team, one model version, one period), their answers and the team's targets."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, CreatedAt
from app.models.maturity import MaturityModelVersion
from app.models.team import Team


class AssessmentStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


class Assessment(CreatedAt, Base):
    __tablename__ = "assessments"
    __table_args__ = (UniqueConstraint("team_id", "model_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("maturity_models.id"), index=True)
    period: Mapped[str] = mapped_column(String(20))  # e.g. 2026-Q3
    status: Mapped[str] = mapped_column(String(20), default=AssessmentStatus.DRAFT.value)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    copied_from_id: Mapped[int | None] = mapped_column(ForeignKey("assessments.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime | None]
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    version_id: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version_id}  # noqa: RUF012

    team: Mapped[Team] = relationship(lazy="raise")
    model: Mapped[MaturityModelVersion] = relationship(lazy="raise")
    answers: Mapped[list[Answer]] = relationship(back_populates="assessment", lazy="raise")


class Answer(Base):
    """One question's answer; version_id makes concurrent edits detectable instead of lost."""

    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("assessment_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[str] = mapped_column(String(80))
    choice_id: Mapped[str | None] = mapped_column(String(80))
    not_applicable: Mapped[bool] = mapped_column(Boolean, default=False)
    na_reason: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    evidence_links: Mapped[list[str]] = mapped_column(JSON, default=list)
    carried_over: Mapped[bool] = mapped_column(Boolean, default=False)
    # the level came from accepting live evidence (app/evidence); a person's own change clears it
    from_evidence: Mapped[bool] = mapped_column(Boolean, default=False)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    answered_at: Mapped[datetime | None]
    version_id: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version_id}  # noqa: RUF012

    assessment: Mapped[Assessment] = relationship(back_populates="answers", lazy="raise")


class Target(Base):
    """Target level for a dimension of a model: per team, or the organisation default when team_id is null."""

    __tablename__ = "targets"
    __table_args__ = (UniqueConstraint("organisation_id", "team_id", "model_slug", "dimension_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    model_slug: Mapped[str] = mapped_column(String(80))
    dimension_id: Mapped[str] = mapped_column(String(80))
    level: Mapped[int] = mapped_column(Integer)
