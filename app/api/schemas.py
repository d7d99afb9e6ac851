"""Response models of the /api/v1 endpoints owned by this package."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Me(BaseModel):
    """The caller's account."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    name: str
    role: str
    locale: str | None
    timezone: str


class Problem(BaseModel):
    detail: str
    field: str | None = None
