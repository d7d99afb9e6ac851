"""Team pages: the overview, one team with its members, capacity and role coverage (its RACI: raci/)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import Response

from app.assessments import service as assessments_service
from app.auth import permissions
from app.auth.permissions import Action, TeamAccess
from app.deps import CurrentUser, SessionDep, SettingsDep, TeamContext, TeamCreator, team_context
from app.errors import NotFound
from app.i18n import N_
from app.models import Membership
from app.teams import service
from app.teams.roles import RECOMMENDED
from app.users.forms import FieldError
from app.web import redirect, render

# the service checks these against app/kit/limits.py, so the error shows beside the field
Checked = Annotated[str, Form()]
router = APIRouter(include_in_schema=False)

Viewer = Annotated[TeamContext, Depends(team_context(Action.VIEW))]
Manager = Annotated[TeamContext, Depends(team_context(Action.MANAGE))]
TeamRoles = Annotated[list[str], Form()]


@router.get("/", name="home")
def home(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """The teams this person may see, each with its latest assessment and what is in progress."""
    visible = {team.id for team, _access in service.visible(session, user=user)}
    teams = [row for row in service.overview(session) if row.team.id in visible]
    latest = [row.latest_submitted for row in teams if row.latest_submitted is not None]
    results = assessments_service.results_for(session, assessments=latest)
    levels = {assessment_id: result.overall for assessment_id, result in results.items()}
    context = {
        "teams": teams,
        "levels": levels,
        "visible": visible,
        "can_create": permissions.can_create_team(user),
    }
    return render(request, "teams/overview.html", context)


@router.get("/teams/new", name="team_new")
def team_new(request: Request, user: TeamCreator) -> Response:
    """The form for a new team."""
    return render(request, "teams/form.html", {"team": None, "form": {}, "errors": {}})


@router.post("/teams", name="team_create")
def team_create(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: TeamCreator,
    name: Checked = "",
    description: Checked = "",
    improvement_share: Annotated[str, Form(max_length=20)] = "30",
) -> Response:
    """Create a team; its creator (unless an admin) becomes its manager."""
    try:
        team = service.create(
            session,
            name=name,
            description=description,
            actor=user,
            organisation_name=settings.organisation_name,
            improvement_percent=improvement_share,
        )
    except FieldError as exc:
        form = {"name": name, "description": description, "improvement_share": improvement_share}
        return render(
            request,
            "teams/form.html",
            {"team": None, "form": form, "errors": exc.as_errors()},
            status_code=422,
        )
    url = str(request.url_for("team_detail", team_id=team.id))
    return redirect(url, flash=N_("Team created. Now add the people who work in it."), request=request)


def _detail_context(session: SessionDep, ctx: TeamContext, **extra: Any) -> dict[str, Any]:
    team = service.with_members(session, team_id=ctx.team.id)
    members = sorted(team.memberships, key=lambda m: (m.user.name.lower(), m.id))
    candidates = service.candidates(session, team=team) if ctx.can(Action.MANAGE) else []
    return {
        "ctx": ctx,
        "team": team,
        "members": members,
        "figures": service.figures(team),
        "candidates": candidates,
        "recommended": RECOMMENDED,
        "accesses": [a.value for a in TeamAccess],
        "form": {},
        "errors": {},
        **extra,
    }


@router.get("/teams/{team_id}", name="team_detail")
def team_detail(request: Request, session: SessionDep, ctx: Viewer) -> Response:
    """One team: members with roles and capacity, the team's capacity and its missing roles."""
    return render(request, "teams/detail.html", _detail_context(session, ctx))


@router.get("/teams/{team_id}/edit", name="team_edit")
def team_edit(request: Request, ctx: Manager) -> Response:
    """The form to rename a team or change its description or improvement share."""
    share = f"{ctx.team.improvement_share * 100:g}"
    form = {"name": ctx.team.name, "description": ctx.team.description, "improvement_share": share}
    return render(request, "teams/form.html", {"team": ctx.team, "form": form, "errors": {}})


@router.post("/teams/{team_id}", name="team_update")
def team_update(
    request: Request,
    session: SessionDep,
    ctx: Manager,
    name: Checked = "",
    description: Checked = "",
    improvement_share: Annotated[str | None, Form(max_length=20)] = None,
) -> Response:
    """Save the team's name, description and share of capacity for improvement work."""
    try:
        service.update(
            session,
            team=ctx.team,
            name=name,
            description=description,
            actor=ctx.user,
            improvement_percent=improvement_share,
        )
    except FieldError as exc:
        form = {"name": name, "description": description, "improvement_share": improvement_share or ""}
        context = {"team": ctx.team, "form": form, "errors": exc.as_errors()}
        return render(request, "teams/form.html", context, status_code=422)
    url = str(request.url_for("team_detail", team_id=ctx.team.id))
    return redirect(url, flash=N_("Team saved."), request=request)


def _member_form(access: str, team_roles: list[str], custom_role: str, capacity: str) -> dict[str, Any]:
    return {"access": access, "team_roles": team_roles, "custom_role": custom_role, "capacity": capacity}


@router.post("/teams/{team_id}/members", name="member_add")
def member_add(
    request: Request,
    session: SessionDep,
    ctx: Manager,
    user_id: Annotated[int | None, Form()] = None,
    access: Annotated[str, Form(max_length=20)] = "member",
    team_roles: TeamRoles = [],  # noqa: B006 - FastAPI copies defaults
    custom_role: Checked = "",
    capacity: Annotated[str, Form(max_length=20)] = "50",
) -> Response:
    """Add a person to the team with access, roles and capacity."""
    try:
        data = service.clean_member(access, team_roles, custom_role, capacity)
        if user_id is None:
            raise FieldError("user_id", N_("Choose a person from the list."))
        service.add_member(session, team=ctx.team, user_id=user_id, data=data, actor=ctx.user)
    except FieldError as exc:
        form = {"user_id": user_id, **_member_form(access, team_roles, custom_role, capacity)}
        context = _detail_context(session, ctx, form=form, errors=exc.as_errors())
        return render(request, "teams/detail.html", context, status_code=422)
    url = str(request.url_for("team_detail", team_id=ctx.team.id))
    return redirect(url, flash=N_("Member added."), request=request)


def _membership(session: SessionDep, ctx: TeamContext, membership_id: int) -> Membership:
    membership = service.membership(session, team_id=ctx.team.id, membership_id=membership_id)
    if membership is None:
        raise NotFound
    return membership


@router.get("/teams/{team_id}/members/{membership_id}/edit", name="member_edit")
def member_edit(request: Request, session: SessionDep, ctx: Manager, membership_id: int) -> Response:
    """The form to change one member's access, roles and capacity."""
    membership = _membership(session, ctx, membership_id)
    custom = ", ".join(r for r in membership.team_roles if r not in RECOMMENDED)
    form = _member_form(membership.access, membership.team_roles, custom, f"{membership.capacity * 100:g}")
    return render(request, "teams/member.html", _member_context(ctx, membership, form, {}))


def _member_context(
    ctx: TeamContext, membership: Membership, form: dict[str, Any], errors: dict[str, str]
) -> dict[str, Any]:
    accesses = [a.value for a in TeamAccess]
    return {
        "ctx": ctx,
        "team": ctx.team,
        "membership": membership,
        "form": form,
        "errors": errors,
        "recommended": RECOMMENDED,
        "accesses": accesses,
    }


@router.post("/teams/{team_id}/members/{membership_id}", name="member_update")
def member_update(
    request: Request,
    session: SessionDep,
    ctx: Manager,
    membership_id: int,
    access: Annotated[str, Form(max_length=20)] = "",
    team_roles: TeamRoles = [],  # noqa: B006 - FastAPI copies defaults
    custom_role: Checked = "",
    capacity: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Save one member's access, roles and capacity."""
    membership = _membership(session, ctx, membership_id)
    try:
        data = service.clean_member(access, team_roles, custom_role, capacity)
        service.update_member(session, membership=membership, data=data, actor=ctx.user)
    except FieldError as exc:
        form = _member_form(access, team_roles, custom_role, capacity)
        context = _member_context(ctx, membership, form, exc.as_errors())
        return render(request, "teams/member.html", context, status_code=422)
    url = str(request.url_for("team_detail", team_id=ctx.team.id))
    return redirect(url, flash=N_("Member saved."), request=request)


@router.post("/teams/{team_id}/members/{membership_id}/remove", name="member_remove")
def member_remove(request: Request, session: SessionDep, ctx: Manager, membership_id: int) -> Response:
    """Take a person out of the team (after the page asked for confirmation)."""
    membership = _membership(session, ctx, membership_id)
    url = str(request.url_for("team_detail", team_id=ctx.team.id))
    try:
        service.remove_member(session, membership=membership, actor=ctx.user)
    except FieldError as exc:
        return redirect(url, flash=exc.message, kind="error", request=request)
    return redirect(url, flash=N_("Member removed."), request=request)
