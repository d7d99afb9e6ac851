"""Reviews of live evidence: a manager accepted the level the evidence suggests for a question (the
answer then records it came from evidence), or dismissed the flag with a reason."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, CreatedAt


class Verdict(StrEnum):
    ACCEPTED = "accepted"
    DISMISSED = "dismissed"


class EvidenceReview(CreatedAt, Base):
    """One review of one question's evidence, with what the evidence showed at that moment."""

    __tablename__ = "evidence_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[str] = mapped_column(String(80))
    capability_id: Mapped[str] = mapped_column(String(80))
    verdict: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")
    answered_level: Mapped[int | None] = mapped_column(Integer)
    suggested_level: Mapped[int | None] = mapped_column(Integer)
    floor: Mapped[int | None] = mapped_column(Integer)
    ceiling: Mapped[int | None] = mapped_column(Integer)
    # The findings as shown: [{"key", "value", "unit", "source", "observed_at", "says": {"en", "ja"}}]
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
