"""The data revision: one row whose counter moves on with every commit that changes data."""

from __future__ import annotations

from sqlalchemy import BigInteger
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class DataRevision(Base):
    __tablename__ = "data_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)  # 1: the migration creates the one row
    revision: Mapped[int] = mapped_column(BigInteger, default=0)
