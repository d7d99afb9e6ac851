"""Quarterly review pages: the team's quarter in figures, the review (any saved version), its save, and
its actions turned into a roadmap item or a key result for next quarter."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.auth.permissions import Action
from app.catalogue.loader import builtin_catalogue
from app.catalogue.schema import Phase
from app.deps import SessionDep, TeamContext, team_context
from app.errors import AppError, NotFound
from app.i18n import N_
from app.kit.time import utcnow
from app.models import QuarterlyReview
from app.okrs import service as okrs_service
from app.reviews import figures, forms, next_quarter, service, view
from app.roadmap import forms as roadmap_forms
from app.roadmap import service as roadmap_service
from app.web import locale_of, redirect, render

router = APIRouter(include_in_schema=False)

ViewTeam = Annotated[TeamContext, Depends(team_context(Action.VIEW))]
ManageTeam = Annotated[TeamContext, Depends(team_context(Action.MANAGE))]
Texts = Annotated[list[str], Form()]
# app/reviews/forms.py checks lengths against app/kit/limits.py, so errors show beside the field
LongText = Annotated[str, Form()]


def _period(value: str) -> str:
    return okrs_service.parse_period(value)


@router.get("/teams/{team_id}/reviews", name="reviews")
def current_review(request: Request, ctx: ViewTeam) -> Response:
    """The review of the running quarter."""
    period = okrs_service.current_period(utcnow().date())
    return redirect(str(request.url_for("review", team_id=ctx.team.id, period=period)), request=request)


@router.get("/teams/{team_id}/reviews/{period}", name="review")
def review_page(
    request: Request,
    session: SessionDep,
    ctx: ViewTeam,
    period: str,
    version: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
) -> Response:
    """The team's quarter in figures, with the review as last saved (or an earlier version)."""
    return _page(request, session, ctx, _period(period), version=version)


def _page(
    request: Request,
    session: Session,
    ctx: TeamContext,
    period: str,
    *,
    version: int | None = None,
    draft: forms.Draft | None = None,
    error: AppError | None = None,
    new_action: str = "",
) -> Response:
    now = utcnow()
    found = service.versions(session, team_id=ctx.team.id, period=period)
    shown = service.pick(found, version)
    roadmap = roadmap_service.get(session, team_id=ctx.team.id)
    context: dict[str, Any] = {
        "ctx": ctx,
        "team": ctx.team,
        "period": period,
        "previous_period": okrs_service.shift_period(period, -1),
        "next_period": okrs_service.shift_period(period, 1),
        "figures": figures.gather(session, team_id=ctx.team.id, period=period, today=now.date(), now=now),
        "versions": found,
        "shown": shown,
        "is_latest": shown is None or shown is (found[0] if found else None),
        "draft": draft or (service.draft_of(shown) if shown else forms.Draft()),
        "patterns": builtin_catalogue().risks,
        "errors": {error.field or "went_well": error.text()} if error else {},
        "error": error,
        "new_action": new_action,
        "roles": builtin_catalogue().roles,
        "phases": list(Phase),
        "item_month": service.next_quarter_month(roadmap, period) if roadmap else None,
        "has_roadmap": roadmap is not None,
        "labels": view.Labels(locale_of(request)),
        "level": view.level,
        "delta": view.delta,
        "status_label": okrs_service.status_label,
    }
    return render(request, "reviews/page.html", context, status_code=error.status_code if error else 200)


def _review_url(request: Request, team_id: int, period: str) -> str:
    return str(request.url_for("review", team_id=team_id, period=period))


@router.post("/teams/{team_id}/reviews/{period}", name="review_save")
def review_save(
    request: Request,
    session: SessionDep,
    ctx: ManageTeam,
    period: str,
    went_well: LongText = "",
    bottleneck: LongText = "",
    patterns: Texts = [],  # noqa: B006 - FastAPI copies form defaults
    action_ids: Texts = [],  # noqa: B006
    actions: Texts = [],  # noqa: B006
    remove: Texts = [],  # noqa: B006
    new_action: LongText = "",
) -> Response:
    """Save the review as a new version (earlier versions are kept)."""
    quarter = _period(period)
    earlier = service.pick(service.versions(session, team_id=ctx.team.id, period=quarter), None)
    try:
        draft = forms.draft(
            went_well=went_well,
            bottleneck=bottleneck,
            patterns=patterns,
            action_ids=action_ids,
            actions=actions,
            removed=remove,
            new_action=new_action,
            earlier=earlier.actions if earlier else [],
        )
        service.save(session, team_id=ctx.team.id, period=quarter, draft=draft, user=ctx.user)
    except AppError as error:
        typed = forms.Draft(went_well, bottleneck, tuple(patterns), _as_typed(action_ids, actions, earlier))
        return _page(request, session, ctx, quarter, draft=typed, error=error, new_action=new_action)
    return redirect(_review_url(request, ctx.team.id, quarter), flash=N_("Review saved."), request=request)


def _as_typed(
    ids: list[str], texts: list[str], earlier: QuarterlyReview | None
) -> tuple[dict[str, Any], ...]:
    """The actions as the manager typed them, with what each had become, to show the form again."""
    known = {a["id"]: a for a in (earlier.actions if earlier else [])}
    return tuple({**known.get(i, {"id": i}), "text": t} for i, t in zip(ids, texts, strict=False))


@router.post("/teams/{team_id}/reviews/{period}/actions/{action_id}/roadmap", name="review_action_roadmap")
def action_to_roadmap(
    request: Request,
    session: SessionDep,
    ctx: ManageTeam,
    period: str,
    action_id: str,
    effort: Annotated[float | None, Form()] = None,
    phase: Annotated[str, Form(max_length=20)] = "",
    owner_role: Annotated[str, Form(max_length=40)] = "",
    start_month: Annotated[int | None, Form()] = None,
) -> Response:
    """Add a decided action to the roadmap as a custom item (kept when the roadmap is regenerated)."""
    quarter = _period(period)
    row = _current(session, ctx, quarter)
    try:
        action = service.action_of(row, action_id)
        item = roadmap_forms.custom_item(
            roadmap_service.new_custom_id(),
            title=action["text"],
            effort=effort,
            phase=phase,
            owner_role=owner_role,
            start_month=start_month,
        )
        service.to_roadmap_item(session, row=row, action_id=action_id, item=item, user=ctx.user)
    except AppError as error:
        return _page(request, session, ctx, quarter, error=error)
    url = _review_url(request, ctx.team.id, quarter)
    return redirect(url, flash=N_("Action added to the roadmap."), request=request)


@router.post("/teams/{team_id}/reviews/{period}/actions/{action_id}/key-result", name="review_action_kr")
def action_to_key_result(
    request: Request, session: SessionDep, ctx: ManageTeam, period: str, action_id: str
) -> Response:
    """Add a decided action to next quarter's OKRs as a milestone key result."""
    quarter = _period(period)
    row = _current(session, ctx, quarter)
    try:
        service.to_key_result(session, row=row, action_id=action_id, user=ctx.user)
    except AppError as error:
        return _page(request, session, ctx, quarter, error=error)
    url = _review_url(request, ctx.team.id, quarter)
    return redirect(url, flash=N_("Action added to next quarter's OKRs."), request=request)


def _current(session: Session, ctx: TeamContext, period: str) -> QuarterlyReview:
    """The review's latest version (404 before the first save)."""
    row = service.pick(service.versions(session, team_id=ctx.team.id, period=period), None)
    if row is None:
        raise NotFound
    return row


@router.get("/teams/{team_id}/reviews/{period}/next", name="review_next")
def next_quarter_page(request: Request, session: SessionDep, ctx: ManageTeam, period: str) -> Response:
    """The confirmation step of starting the next quarter: everything it would create, to choose from."""
    plan = next_quarter.propose(session, team=ctx.team, period=_period(period), locale=locale_of(request))
    context = {"ctx": ctx, "team": ctx.team, "period": _period(period), "plan": plan}
    return render(request, "reviews/next.html", context)


@router.post("/teams/{team_id}/reviews/{period}/next", name="review_next_start")
def next_quarter_start(
    request: Request,
    session: SessionDep,
    ctx: ManageTeam,
    period: str,
    assessment: Annotated[bool, Form()] = False,
    proposed: Texts = [],  # noqa: B006 - FastAPI copies form defaults
    carried: Annotated[list[int], Form()] = [],  # noqa: B006
) -> Response:
    """Start the next quarter with what the manager ticked on the confirmation step."""
    quarter = _period(period)
    plan = next_quarter.propose(session, team=ctx.team, period=quarter, locale=locale_of(request))
    started = next_quarter.start(
        session,
        team=ctx.team,
        plan=plan,
        assessment=assessment,
        proposed=set(proposed),
        carried=set(carried),
        user=ctx.user,
    )
    if started.assessment_id is not None:
        url = str(request.url_for("assessment", assessment_id=started.assessment_id))
        return redirect(url, flash=N_("Next quarter started. Answers save as you go."), request=request)
    url = f"{request.url_for('okrs', team_id=ctx.team.id)}?period={plan.period}"
    return redirect(url, flash=N_("Next quarter started."), request=request)
