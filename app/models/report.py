"""Rendered PDFs, keyed by the HTML they were made from, shared by every replica."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, deferred, mapped_column

from app.models.base import Base, CreatedAt


class CachedReport(CreatedAt, Base):
    __tablename__ = "report_cache"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256 of the HTML and the renderer
    kind: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    last_used_at: Mapped[datetime] = mapped_column(index=True)
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary))
