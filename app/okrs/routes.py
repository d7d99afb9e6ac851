"""OKR pages: a team's objectives for a quarter, their forms, check-ins, reopening, templates and a key
result's history."""

from __future__ import annotations

import secrets
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from app import i18n
from app.auth.permissions import Action
from app.deps import SessionDep, TeamContext, team_context
from app.errors import AppError, BadInput, NotFound, render_form
from app.i18n import N_
from app.kit import htmx
from app.kit.time import utcnow
from app.models import CheckInSource, KeyResult, KeyResultKind, Objective
from app.okrs import adopt as adopting
from app.okrs import chart, forms, playbook, service, signal_links
from app.okrs import progress as maths
from app.okrs.org import service as org_service
from app.web import locale_of, redirect, render

router = APIRouter(include_in_schema=False)

ViewTeam = Annotated[TeamContext, Depends(team_context(Action.VIEW))]
CheckInTeam = Annotated[TeamContext, Depends(team_context(Action.CHECK_IN))]
ManageTeam = Annotated[TeamContext, Depends(team_context(Action.MANAGE))]
# app/okrs/forms.py checks the text against app/kit/limits.py, so errors show beside the field
Text = Annotated[str, Form()]
LongText = Annotated[str, Form()]
Short = Annotated[str, Form(max_length=80)]
PeriodQuery = Annotated[str | None, Query(max_length=20)]


def _period(value: str | None) -> str:
    return service.parse_period(value) if value else service.current_period(utcnow().date())


def _new_token() -> str:
    return secrets.token_urlsafe(16)


def _okrs_url(request: Request, team_id: int, period: str) -> str:
    return f"{request.url_for('okrs', team_id=team_id)}?period={period}"


@router.get("/teams/{team_id}/okrs", name="okrs")
def okrs_page(request: Request, session: SessionDep, ctx: ViewTeam, period: PeriodQuery = None) -> Response:
    """The team's objectives and key results for a quarter, with progress, confidence and check-ins."""
    return _page(request, session, ctx, _period(period))


def _page(
    request: Request,
    session: Session,
    ctx: TeamContext,
    period: str,
    *,
    failed: tuple[int, AppError, dict[str, str]] | None = None,
) -> Response:
    rows = service.objectives(session, team_ids=[ctx.team.id], period=period)
    krs = [kr for objective in rows for kr in objective.key_results]
    today = utcnow().date()
    context = {
        "ctx": ctx,
        "team": ctx.team,
        "period": period,
        "current": service.current_period(today),
        "periods": service.periods_for(session, team_id=ctx.team.id, around=period),
        "items": [(o, service.objective_status(o, today=today)) for o in rows],
        "templates": playbook.templates() if not rows and ctx.can(Action.MANAGE) else (),
        "locale": locale_of(request),
        "has_roadmap": ctx.can(Action.MANAGE) and adopting.has_roadmap(session, team_id=ctx.team.id),
        **_check_in_context(failed),
        **_links_context(request, session, ctx, krs, period),
    }
    status = failed[1].status_code if failed else 200
    return render(request, "okrs/page.html", context, status_code=status)


def _check_in_context(failed: tuple[int, AppError, dict[str, str]] | None) -> dict[str, Any]:
    return {
        "new_token": _new_token,
        "status_label": service.status_label,
        "form_confidence": maths.form_confidence,
        "failed_kr": failed[0] if failed else None,
        "failed_error": failed[1] if failed else None,
        "failed_form": failed[2] if failed else {},
    }


def _links_context(
    request: Request, session: Session, ctx: TeamContext, krs: list[KeyResult], period: str
) -> dict[str, Any]:
    """What each linked key result says about its signal; a signal only checks in during its quarter."""
    now = utcnow()
    links = signal_links.link_states(
        session,
        team_id=ctx.team.id,
        key_results=krs,
        now=now,
        interval_minutes=request.app.state.settings.sync_interval_minutes,
        locale=locale_of(request),
    )
    return {"links": links, "is_current": period == service.current_period(now.date())}


# --- Objectives ----------------------------------------------------------------------------------


def _objective_form(
    request: Request,
    session: Session,
    ctx: TeamContext,
    period: str,
    objective: Objective | None,
    form: dict[str, str],
    error: AppError | None = None,
) -> Response:
    context = {
        "ctx": ctx,
        "team": ctx.team,
        "period": period,
        "objective": objective,
        "form": form,
        "members": service.team_members(session, team_id=ctx.team.id),
        "org_objectives": org_service.objectives(session, period=period) if period else [],
        "quarter": _quarter_dates(period),
    }
    return render_form(request, "okrs/objective_form.html", context, error, field="title")


def _quarter_dates(period: str) -> tuple[date, date] | None:
    """The quarter's first and last day for the form's hint (none for a quarter the form refused)."""
    try:
        return service.quarter_dates(period) if period else None
    except AppError:
        return None


def _objective_form_values(objective: Objective | None) -> dict[str, str]:
    if objective is None:
        return dict.fromkeys(
            ("title", "description", "owner_id", "starts_on", "ends_on", "org_objective_id"), ""
        )
    return {
        "title": objective.title,
        "description": objective.description,
        "owner_id": str(objective.owner_id or ""),
        "starts_on": objective.starts_on.isoformat() if objective.starts_on else "",
        "ends_on": objective.ends_on.isoformat() if objective.ends_on else "",
        "org_objective_id": str(objective.org_objective_id or ""),
    }


def _typed_objective(
    title: Text = "",
    description: LongText = "",
    owner_id: Short = "",
    starts_on: Short = "",
    ends_on: Short = "",
    org_objective_id: Short = "",
) -> dict[str, str]:
    """The objective form's fields as typed: what `forms.objective` reads and an error shows again."""
    return {
        "title": title,
        "description": description,
        "owner_id": owner_id,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "org_objective_id": org_objective_id,
    }


ObjectiveFields = Annotated[dict[str, str], Depends(_typed_objective)]


@router.get("/teams/{team_id}/okrs/objectives/new", name="okr_objective_new")
def objective_new(
    request: Request, session: SessionDep, ctx: ManageTeam, period: PeriodQuery = None
) -> Response:
    """The form for a new objective in a quarter."""
    return _objective_form(request, session, ctx, _period(period), None, _objective_form_values(None))


@router.post("/teams/{team_id}/okrs/objectives", name="okr_objective_create")
def objective_create(
    request: Request,
    session: SessionDep,
    ctx: ManageTeam,
    form: ObjectiveFields,
    period: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Add an objective to the team's quarter."""
    try:
        quarter = service.parse_period(period)
        data = forms.objective(**form)
        service.create_objective(session, team_id=ctx.team.id, period=quarter, data=data, user=ctx.user)
    except AppError as error:
        shown = period if service.PERIOD.match(period) else ""
        return _objective_form(request, session, ctx, shown, None, form, error)
    return redirect(_okrs_url(request, ctx.team.id, quarter), flash=N_("Objective added."), request=request)


@router.get("/teams/{team_id}/okrs/objectives/{objective_id}/edit", name="okr_objective_edit")
def objective_edit(request: Request, session: SessionDep, ctx: ManageTeam, objective_id: int) -> Response:
    """The form to change or delete an objective."""
    objective = service.get_objective(session, team_id=ctx.team.id, objective_id=objective_id)
    values = _objective_form_values(objective)
    return _objective_form(request, session, ctx, objective.period, objective, values)


@router.post("/teams/{team_id}/okrs/objectives/{objective_id}", name="okr_objective_update")
def objective_update(
    request: Request, session: SessionDep, ctx: ManageTeam, objective_id: int, form: ObjectiveFields
) -> Response:
    """Change an objective's title, description, owner, dates and organisation objective."""
    objective = service.get_objective(session, team_id=ctx.team.id, objective_id=objective_id)
    try:
        data = forms.objective(**form)
        service.update_objective(session, objective=objective, data=data, user=ctx.user)
    except AppError as error:
        return _objective_form(request, session, ctx, objective.period, objective, form, error)
    url = _okrs_url(request, ctx.team.id, objective.period)
    return redirect(url, flash=N_("Objective saved."), request=request)


@router.post("/teams/{team_id}/okrs/objectives/{objective_id}/reopen", name="okr_objective_reopen")
def objective_reopen(request: Request, session: SessionDep, ctx: ManageTeam, objective_id: int) -> Response:
    """Open an objective whose period is over to check-ins again."""
    objective = service.get_objective(session, team_id=ctx.team.id, objective_id=objective_id)
    service.reopen(session, objective=objective, user=ctx.user, now=utcnow())
    url = _okrs_url(request, ctx.team.id, objective.period)
    return redirect(url, flash=N_("Objective reopened: the team can check in again."), request=request)


@router.post("/teams/{team_id}/okrs/objectives/{objective_id}/close", name="okr_objective_close")
def objective_close(request: Request, session: SessionDep, ctx: ManageTeam, objective_id: int) -> Response:
    """Close a reopened objective again (after its last day, check-ins are refused)."""
    objective = service.get_objective(session, team_id=ctx.team.id, objective_id=objective_id)
    service.close(session, objective=objective, user=ctx.user)
    url = _okrs_url(request, ctx.team.id, objective.period)
    return redirect(url, flash=N_("Objective closed to check-ins after its last day."), request=request)


@router.post("/teams/{team_id}/okrs/objectives/{objective_id}/delete", name="okr_objective_delete")
def objective_delete(
    request: Request, session: SessionDep, ctx: ManageTeam, objective_id: int, confirm: Short = ""
) -> Response:
    """Delete an objective with its key results and check-ins, once the manager ticked the confirmation."""
    objective = service.get_objective(session, team_id=ctx.team.id, objective_id=objective_id)
    period = objective.period
    if confirm != "yes":
        error = BadInput(N_("Tick the box to confirm the deletion."), field="confirm")
        return _objective_form(
            request, session, ctx, period, objective, _objective_form_values(objective), error
        )
    service.delete_objective(session, objective=objective, user=ctx.user)
    return redirect(_okrs_url(request, ctx.team.id, period), flash=N_("Objective deleted."), request=request)


# --- Key results ---------------------------------------------------------------------------------


def _kr_form(
    request: Request,
    session: Session,
    ctx: TeamContext,
    objective: Objective,
    key_result: KeyResult | None,
    form: dict[str, str],
    error: AppError | None = None,
    signal: str | None = None,
) -> Response:
    context = {
        "ctx": ctx,
        "team": ctx.team,
        "objective": objective,
        "key_result": key_result,
        "form": form,
        "kinds": list(KeyResultKind),
        "dates": service.objective_dates(objective),
        "members": service.team_members(session, team_id=ctx.team.id),
        "signal_choices": signal_links.choices(key_result.kind, locale_of(request)) if key_result else [],
        "signal_value": signal if signal is not None else (key_result.signal or "" if key_result else ""),
        **(_links_context(request, session, ctx, [key_result], objective.period) if key_result else {}),
    }
    return render_form(request, "okrs/key_result_form.html", context, error, field="title")


def _kr_form_values(kr: KeyResult | None) -> dict[str, str]:
    if kr is None:
        return {
            "title": "",
            "kind": "numeric",
            "direction": "up",
            "start_value": "0",
            "target_value": "",
            "unit": "",
            "owner_id": "",
            "due_on": "",
        }
    return {
        "title": kr.title,
        "kind": kr.kind,
        "direction": kr.direction,
        "start_value": f"{kr.start_value:g}",
        "target_value": f"{kr.target_value:g}",
        "unit": kr.unit,
        "owner_id": str(kr.owner_id or ""),
        "due_on": kr.due_on.isoformat() if kr.due_on else "",
    }


def _typed_key_result(
    title: Text = "",
    kind: Short = "",
    direction: Short = "",
    start_value: Short = "",
    target_value: Short = "",
    unit: Text = "",
    owner_id: Short = "",
    due_on: Short = "",
) -> dict[str, str]:
    """The key result form's fields as typed: what `forms.key_result` reads and an error shows again."""
    return {
        "title": title,
        "kind": kind,
        "direction": direction,
        "start_value": start_value,
        "target_value": target_value,
        "unit": unit,
        "owner_id": owner_id,
        "due_on": due_on,
    }


KeyResultFields = Annotated[dict[str, str], Depends(_typed_key_result)]


@router.get("/teams/{team_id}/okrs/objectives/{objective_id}/key-results/new", name="okr_kr_new")
def key_result_new(request: Request, session: SessionDep, ctx: ManageTeam, objective_id: int) -> Response:
    """The form for a new key result of an objective."""
    objective = service.get_objective(session, team_id=ctx.team.id, objective_id=objective_id)
    return _kr_form(request, session, ctx, objective, None, _kr_form_values(None))


@router.post("/teams/{team_id}/okrs/objectives/{objective_id}/key-results", name="okr_kr_create")
def key_result_create(
    request: Request,
    session: SessionDep,
    ctx: ManageTeam,
    objective_id: int,
    form: KeyResultFields,
) -> Response:
    """Add a key result to an objective."""
    objective = service.get_objective(session, team_id=ctx.team.id, objective_id=objective_id)
    try:
        data = forms.key_result(**form)
        service.create_key_result(session, objective=objective, data=data, user=ctx.user)
    except AppError as error:
        return _kr_form(request, session, ctx, objective, None, form, error)
    url = _okrs_url(request, ctx.team.id, objective.period)
    return redirect(url, flash=N_("Key result added."), request=request)


@router.get("/teams/{team_id}/okrs/key-results/{key_result_id}/edit", name="okr_kr_edit")
def key_result_edit(request: Request, session: SessionDep, ctx: ManageTeam, key_result_id: int) -> Response:
    """The form to change or delete a key result."""
    kr = service.get_key_result(session, key_result_id=key_result_id, team_id=ctx.team.id)
    return _kr_form(request, session, ctx, kr.objective, kr, _kr_form_values(kr))


@router.post("/teams/{team_id}/okrs/key-results/{key_result_id}", name="okr_kr_update")
def key_result_update(
    request: Request,
    session: SessionDep,
    ctx: ManageTeam,
    key_result_id: int,
    form: KeyResultFields,
) -> Response:
    """Change a key result's title, kind, start, target, unit or owner."""
    kr = service.get_key_result(session, key_result_id=key_result_id, team_id=ctx.team.id)
    try:
        data = forms.key_result(**form)
        service.update_key_result(session, key_result=kr, team_id=ctx.team.id, data=data, user=ctx.user)
    except AppError as error:
        return _kr_form(request, session, ctx, kr.objective, kr, form, error)
    url = _okrs_url(request, ctx.team.id, kr.objective.period)
    return redirect(url, flash=N_("Key result saved."), request=request)


@router.post("/teams/{team_id}/okrs/key-results/{key_result_id}/delete", name="okr_kr_delete")
def key_result_delete(
    request: Request, session: SessionDep, ctx: ManageTeam, key_result_id: int, confirm: Short = ""
) -> Response:
    """Delete a key result with its check-ins, once the manager ticked the confirmation."""
    kr = service.get_key_result(session, key_result_id=key_result_id, team_id=ctx.team.id)
    objective = kr.objective
    if confirm != "yes":
        error = BadInput(N_("Tick the box to confirm the deletion."), field="confirm")
        return _kr_form(request, session, ctx, objective, kr, _kr_form_values(kr), error)
    service.delete_key_result(session, key_result=kr, user=ctx.user)
    url = _okrs_url(request, ctx.team.id, objective.period)
    return redirect(url, flash=N_("Key result deleted."), request=request)


@router.post("/teams/{team_id}/okrs/key-results/{key_result_id}/signal", name="okr_kr_signal")
def key_result_signal(
    request: Request,
    session: SessionDep,
    ctx: ManageTeam,
    key_result_id: int,
    signal: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Link a key result to one of the catalogue's signals (its syncs then check in on it), or unlink it."""
    kr = service.get_key_result(session, key_result_id=key_result_id, team_id=ctx.team.id)
    try:
        service.set_signal(session, key_result=kr, signal=signal, user=ctx.user)
    except AppError as error:
        return _kr_form(request, session, ctx, kr.objective, kr, _kr_form_values(kr), error, signal=signal)
    url = _okrs_url(request, ctx.team.id, kr.objective.period)
    flash = (
        N_("Key result linked to the signal.") if kr.signal else N_("Key result unlinked from its signal.")
    )
    return redirect(url, flash=flash, request=request)


# --- Check-ins -----------------------------------------------------------------------------------


@router.post("/teams/{team_id}/okrs/key-results/{key_result_id}/check-ins", name="okr_check_in")
def check_in(
    request: Request,
    session: SessionDep,
    ctx: CheckInTeam,
    key_result_id: int,
    value: Short = "",
    confidence: Short = "",
    note: LongText = "",
    client_token: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Record a value and confidence for a key result; the same form sent twice lands once."""
    kr = service.get_key_result(session, key_result_id=key_result_id, team_id=ctx.team.id)
    period = kr.objective.period
    try:
        data = forms.check_in(value=value, confidence=confidence, note=note, client_token=client_token)
        service.check_in(session, key_result=kr, data=data, user=ctx.user, now=utcnow())
    except AppError as error:
        failed = (kr.id, error, {"value": value, "confidence": confidence, "note": note})
        if htmx.is_htmx(request):
            return _check_in_fragment(request, session, ctx, kr, failed)
        return _page(request, session, ctx, period, failed=failed)
    if htmx.is_htmx(request):
        return _check_in_fragment(request, session, ctx, kr, None)
    return redirect(_okrs_url(request, ctx.team.id, period), flash=N_("Check-in saved."), request=request)


def _check_in_fragment(
    request: Request,
    session: Session,
    ctx: TeamContext,
    kr: KeyResult,
    failed: tuple[int, AppError, dict[str, str]] | None,
) -> Response:
    """The key result checked in on, and its objective's progress (out of band): the rest of the page,
    another key result's half-typed check-in included, stays as it is."""
    objective = service.get_objective(session, team_id=ctx.team.id, objective_id=kr.objective_id)
    summary = service.objective_status(objective, today=utcnow().date())
    shown = next((k for k in summary.key_results if k.id == kr.id), None)
    if shown is None:  # deleted since this request loaded it
        raise NotFound
    context = {
        "ctx": ctx,
        "item": (objective, summary),
        "kr": shown,
        **_check_in_context(failed),
        **_links_context(request, session, ctx, list(objective.key_results), objective.period),
    }
    status = failed[1].status_code if failed else 200
    return render(request, "okrs/_check_in.html", context, status_code=status)


@router.get("/teams/{team_id}/okrs/key-results/{key_result_id}/check-ins", name="okr_history")
def check_in_history(request: Request, session: SessionDep, ctx: ViewTeam, key_result_id: int) -> Response:
    """Every check-in of a key result: who, when, value, confidence and note."""
    kr = service.get_key_result(session, key_result_id=key_result_id, team_id=ctx.team.id)
    check_ins = service.history(session, key_result_id=kr.id)
    runs = [signal_links.run_of(c.client_token) for c in check_ins if c.source == CheckInSource.SIGNAL]
    dates = service.objective_dates(kr.objective)
    status = service.key_result_status(kr, dates=dates, today=utcnow().date())
    frame = chart.Frame(dates[0], dates[1], kr.due_on or dates[1], kr.start_value, kr.target_value)
    title = i18n.gettext(
        N_("Check-ins on %(title)s over the objective's days, with the target and the expected line")
    )
    context = {
        "ctx": ctx,
        "team": ctx.team,
        "kr": kr,
        "status": status,
        "chart": chart.history_svg(
            frame, [(c.created_at, c.value) for c in check_ins], title=title % {"title": kr.title}
        ),
        "check_ins": check_ins,
        "status_label": service.status_label,
        "run_of": signal_links.run_of,
        "run_sources": signal_links.sources_of_runs(session, [r for r in runs if r is not None]),
        "signal_name": lambda key: signal_links.signal_name(key, locale_of(request)),
        **_links_context(request, session, ctx, [kr], kr.objective.period),
    }
    return render(request, "okrs/history.html", context)


# --- Adopting the roadmap's suggestions ----------------------------------------------------------


@router.post("/teams/{team_id}/okrs/adopt", name="okr_adopt")
def adopt_suggestions(
    request: Request, session: SessionDep, ctx: ManageTeam, period: Annotated[str, Form(max_length=20)] = ""
) -> Response:
    """Turn the roadmap's suggested OKRs into objectives and key results, each in the quarter it is due
    (once); back to the quarter shown, or to the first that got something when it got nothing."""
    shown = _period(period)
    result = adopting.adopt(session, team=ctx.team, locale=locale_of(request), user=ctx.user)
    if result.key_results == 0:
        message = N_("Nothing new to adopt: the roadmap's suggestions are already here.")
        if not adopting.has_roadmap(session, team_id=ctx.team.id):
            message = N_("Generate the roadmap first: its suggested OKRs are what gets adopted.")
        return redirect(_okrs_url(request, ctx.team.id, shown), flash=message, kind="info", request=request)
    flash = i18n.gettext(
        N_("Suggested OKRs adopted into %(quarters)s. Check each key result's start value and owner.")
    ) % {"quarters": i18n.join_list(result.periods)}
    quarter = shown if shown in result.periods else result.periods[0]
    return redirect(_okrs_url(request, ctx.team.id, quarter), flash=flash, request=request)


# --- Templates -----------------------------------------------------------------------------------


@router.post("/teams/{team_id}/okrs/templates", name="okr_template_adopt")
def adopt_template(
    request: Request,
    session: SessionDep,
    ctx: ManageTeam,
    template: Short = "",
    period: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Start an empty quarter from one of the shipped OKR templates (the playbook's example objective)."""
    quarter = _period(period)
    found = playbook.get(template)
    try:
        playbook.adopt(
            session,
            team_id=ctx.team.id,
            period=quarter,
            template=found,
            locale=locale_of(request),
            user=ctx.user,
        )
    except AppError as error:
        return redirect(
            _okrs_url(request, ctx.team.id, quarter), flash=error.message, kind="error", request=request
        )
    flash = N_(
        "Template adopted. Set each key result's owner, and its start value where the team stands today."
    )
    return redirect(_okrs_url(request, ctx.team.id, quarter), flash=flash, request=request)
