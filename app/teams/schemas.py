"""Bodies and responses of the team endpoints under /api/v1. Shares are 0–1 here (the pages take percent);
bodies are strict: a number is not a string, unknown fields are refused."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.auth import permissions
from app.kit import limits
from app.models import Membership, Team, User
from app.teams import service
from app.teams.roles import RECOMMENDED

Access = Literal["manager", "member", "viewer"]
ImprovementShare = Annotated[
    float,
    Field(
        ge=service.IMPROVEMENT_PERCENT[0] / 100,
        le=service.IMPROVEMENT_PERCENT[1] / 100,
        allow_inf_nan=False,
        description="The share (0.01–1) of the members' capacity spent on improvement work",
    ),
]
Capacity = Annotated[
    float,
    Field(
        ge=service.CAPACITY_PERCENT[0] / 100,
        le=service.CAPACITY_PERCENT[1] / 100,
        allow_inf_nan=False,
        description="The share (0–1) of their time the person gives the team",
    ),
]
Roles = Annotated[
    list[limits.CustomRoles],
    Field(
        description=f"Recommended roles by slug ({', '.join(RECOMMENDED)}) and custom roles as typed; "
        "a comma separates custom roles, as on the page"
    ),
]


class Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")


class TeamIn(Strict):
    """A new team; its creator (unless an admin) becomes its manager."""

    name: limits.Name
    description: limits.Description = ""
    improvement_share: ImprovementShare = 0.3


class TeamPatch(Strict):
    """Changes to a team: fields left out (or null) stay as they are."""

    name: limits.Name | None = None
    description: limits.Description | None = None
    improvement_share: ImprovementShare | None = None


class MemberIn(Strict):
    """A person to put into the team (an active user who is not in it yet)."""

    user_id: limits.RowId
    access: Access = "member"
    team_roles: Roles = []
    capacity: Capacity = 0.5


class MemberPatch(Strict):
    """Changes to a member: fields left out (or null) stay as they are."""

    access: Access | None = None
    team_roles: Roles | None = None
    capacity: Capacity | None = None


class TeamMember(BaseModel):
    membership_id: int
    user_id: int
    name: str
    access: str
    team_roles: list[str]
    capacity: float

    @classmethod
    def of(cls, membership: Membership) -> TeamMember:
        """A membership whose user is loaded."""
        return cls(
            membership_id=membership.id,
            user_id=membership.user_id,
            name=membership.user.name,
            access=membership.access,
            team_roles=membership.team_roles,
            capacity=membership.capacity,
        )


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

    @classmethod
    def of(cls, team: Team, access: str | None, user: User) -> TeamOut:
        """A team whose memberships and their users are loaded, as `user` (with `access` in it) sees it."""
        figures = service.figures(team)
        return cls(
            id=team.id,
            name=team.name,
            slug=team.slug,
            description=team.description,
            access=access,
            actions=sorted(permissions.team_actions(user, access)),
            capacity_person_weeks_per_month=figures.person_weeks,
            improvement_share=figures.improvement_share,
            improvement_person_weeks_per_month=figures.improvement_person_weeks,
            missing_roles=[row.role for row in figures.gaps],
            members=[TeamMember.of(m) for m in team.memberships],
        )
