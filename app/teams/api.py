"""JSON API for teams (/api/v1): list, read, create and change teams; add, change and remove members.
The pages' rules (app/teams/service.py, app/auth/permissions.py): admins and installation managers create
teams, a team's managers and admins change it, and a team keeps at least one manager."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response

from app.auth.permissions import Action
from app.deps import CurrentUser, SessionDep, SettingsDep, TeamContext, TeamCreator, team_context
from app.errors import AppError, BadInput, Conflict, NotFound
from app.kit import limits
from app.models import Membership, User
from app.teams import service
from app.teams.roles import RECOMMENDED
from app.teams.schemas import MemberIn, MemberPatch, TeamIn, TeamMember, TeamOut, TeamPatch
from app.users.forms import FieldError

router = APIRouter(prefix="/api/v1", tags=["teams"])
PROBLEM: dict[str, Any] = {
    "model": dict[str, str | None],
    "description": "A problem: `detail` says what, `field` names the input",
}
ERRORS: dict[int | str, dict[str, Any]] = dict.fromkeys((400, 401, 403, 404, 409, 422), PROBLEM)

ViewTeam = Annotated[TeamContext, Depends(team_context(Action.VIEW))]
ManageTeam = Annotated[TeamContext, Depends(team_context(Action.MANAGE))]


@contextmanager
def _problem(kind: type[AppError] = BadInput) -> Iterator[None]:
    """A service's FieldError as the API's problem naming the same field (422 unless told otherwise)."""
    try:
        yield
    except FieldError as exc:
        raise kind(exc.message, field=exc.field, **exc.params) from None


def _team(session: SessionDep, user: User, team_id: int) -> TeamOut:
    team = service.with_members(session, team_id=team_id)
    access = service.membership_access(session, user_id=user.id, team_id=team_id)
    return TeamOut.of(team, access, user)


def _percent(share: float) -> float:
    return share * 100  # the API's shares are 0–1; the service takes the pages' percent


def _roles(roles: Sequence[str]) -> tuple[list[str], list[str]]:
    """The recommended role slugs, and the custom roles."""
    return [r for r in roles if r in RECOMMENDED], [r for r in roles if r not in RECOMMENDED]


@router.get("/teams", responses={401: PROBLEM}, name="api_teams")
def teams(session: SessionDep, user: CurrentUser) -> list[TeamOut]:
    """The teams the caller may see, with members, capacity and missing roles."""
    return [
        TeamOut.of(team, access, user) for team, access in service.visible_with_members(session, user=user)
    ]


@router.post("/teams", status_code=201, responses=ERRORS)
def create_team(body: TeamIn, session: SessionDep, settings: SettingsDep, user: TeamCreator) -> TeamOut:
    """Create a team (admins and installation managers); a creator who is not an admin becomes its manager."""
    with _problem():
        team = service.create(
            session,
            name=body.name,
            description=body.description,
            actor=user,
            organisation_name=settings.organisation_name,
            improvement_percent=_percent(body.improvement_share),
        )
    return _team(session, user, team.id)


@router.get("/teams/{team_id}", responses=ERRORS)
def read_team(session: SessionDep, ctx: ViewTeam) -> TeamOut:
    """One team with its members, capacity and missing roles."""
    return _team(session, ctx.user, ctx.team.id)


@router.patch("/teams/{team_id}", responses=ERRORS)
def update_team(body: TeamPatch, session: SessionDep, ctx: ManageTeam) -> TeamOut:
    """Rename the team, or change its description or its share of capacity for improvement work."""
    with _problem():
        service.update(
            session,
            team=ctx.team,
            name=ctx.team.name if body.name is None else body.name,
            description=ctx.team.description if body.description is None else body.description,
            actor=ctx.user,
            improvement_percent=None if body.improvement_share is None else _percent(body.improvement_share),
        )
    return _team(session, ctx.user, ctx.team.id)


def _membership(membership_id: limits.RowId, session: SessionDep, ctx: ManageTeam) -> Membership:
    """The team's membership `membership_id`, with its user (404 naming the field when not in the team)."""
    membership = service.membership(session, team_id=ctx.team.id, membership_id=membership_id)
    if membership is None:
        raise NotFound(field="membership_id")
    return membership


TeamMembership = Annotated[Membership, Depends(_membership)]


def _member(session: SessionDep, ctx: TeamContext, membership_id: int) -> TeamMember:
    membership = service.membership(session, team_id=ctx.team.id, membership_id=membership_id)
    assert membership is not None  # just added or changed in this transaction
    return TeamMember.of(membership)


@router.post("/teams/{team_id}/members", status_code=201, responses=ERRORS)
def add_member(body: MemberIn, session: SessionDep, ctx: ManageTeam) -> TeamMember:
    """Put an active user into the team with access, roles and capacity."""
    with _problem():
        data = service.member_input(body.access, *_roles(body.team_roles), _percent(body.capacity))
        row = service.add_member(session, team=ctx.team, user_id=body.user_id, data=data, actor=ctx.user)
    return _member(session, ctx, row.id)


@router.patch("/teams/{team_id}/members/{membership_id}", responses=ERRORS)
def update_member(
    body: MemberPatch, session: SessionDep, ctx: ManageTeam, membership: TeamMembership
) -> TeamMember:
    """Change a member's access, roles or capacity; 422 naming `access` when the team would be left
    without a manager."""
    roles = membership.team_roles if body.team_roles is None else body.team_roles
    capacity = membership.capacity if body.capacity is None else body.capacity
    with _problem():
        data = service.member_input(body.access or membership.access, *_roles(roles), _percent(capacity))
        service.update_member(session, membership=membership, data=data, actor=ctx.user)
    return _member(session, ctx, membership.id)


@router.delete("/teams/{team_id}/members/{membership_id}", status_code=204, responses=ERRORS)
def remove_member(session: SessionDep, ctx: ManageTeam, membership: TeamMembership) -> Response:
    """Take a person out of the team; 409 when they are its last manager."""
    with _problem(Conflict):
        service.remove_member(session, membership=membership, actor=ctx.user)
    return Response(status_code=204)
