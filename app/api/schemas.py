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


class TeamMember(BaseModel):
    user_id: int
    name: str
    access: str
    team_roles: list[str]
    capacity: float


class TeamOut(BaseModel):
    """A team the caller may see, with their access in it and what they may do there."""

    id: int
    name: str
    slug: str
    description: str
    access: str | None
    actions: list[str]
    capacity_person_weeks_per_month: float
    improvement_share: float
    """The share (0–1) of the capacity spent on improvement work: what the roadmap schedules."""
    improvement_person_weeks_per_month: float
    missing_roles: list[str]
    members: list[TeamMember]


class Problem(BaseModel):
    detail: str
    field: str | None = None
