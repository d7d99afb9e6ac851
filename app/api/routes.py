"""The /api/v1 router. Other areas add their endpoints with `api_router.include_router(...)` (or by
decorating `api_router` directly); every endpoint answers JSON and authenticates with a bearer token
or the browser session."""

from __future__ import annotations

from fastapi import APIRouter

from app.api import schemas
from app.auth import permissions
from app.deps import CurrentUser, SessionDep
from app.teams import service as teams_service

PROBLEMS: dict[int | str, dict[str, object]] = {
    401: {"model": schemas.Problem, "description": "missing, unknown or revoked token"},
    403: {"model": schemas.Problem, "description": "not allowed"},
}
api_router = APIRouter(prefix="/api/v1", responses=PROBLEMS)


@api_router.get("/me", response_model=schemas.Me, tags=["account"], name="api_me")
def me(user: CurrentUser) -> schemas.Me:
    """The account the token or session belongs to."""
    return schemas.Me.model_validate(user)


@api_router.get("/teams", response_model=list[schemas.TeamOut], tags=["teams"], name="api_teams")
def teams(session: SessionDep, user: CurrentUser) -> list[schemas.TeamOut]:
    """The teams the caller may see, with members, capacity and missing roles."""
    out = []
    for team, access in teams_service.visible_with_members(session, user=user):
        figures = teams_service.figures(team)
        out.append(
            schemas.TeamOut(
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
                members=[
                    schemas.TeamMember(
                        user_id=m.user_id,
                        name=m.user.name,
                        access=m.access,
                        team_roles=m.team_roles,
                        capacity=m.capacity,
                    )
                    for m in team.memberships
                ],
            )
        )
    return out
