"""Checklist pages: tick or untick a roadmap entry from the roadmap pages, and the team's checklist page
with its actions (htmx gets the entry back, a form a redirect)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.auth.permissions import Action
from app.checklists import forms, team
from app.deps import SessionDep, TeamContext, team_context
from app.errors import AppError, Conflict, NotFound
from app.i18n import N_
from app.kit import htmx, limits
from app.kit.time import utcnow
from app.roadmap.checklists import service
from app.teams import service as teams_service
from app.web import redirect, render

router = APIRouter(include_in_schema=False)

CheckInTeam = Annotated[TeamContext, Depends(team_context(Action.CHECK_IN))]
PAGES = {"roadmap": "roadmap", "action_plan": "roadmap_action_plan"}  # where the form came from → route


@router.post("/teams/{team_id}/roadmap/items/{item_id}/checklist/{entry_id}", name="tick_checklist_entry")
def tick(
    request: Request,
    session: SessionDep,
    ctx: CheckInTeam,
    item_id: str,
    entry_id: str,
    done: Annotated[str, Form(max_length=5)] = "",
    back: Annotated[str, Form(max_length=20)] = "action_plan",
) -> Response:
    """Mark one checklist entry done (`done` sent, as a checked box does) or not done (`done` absent)."""
    checklist = service.set_done_in_team(
        session,
        team_id=ctx.team.id,
        item_id=item_id,
        entry_id=entry_id,
        done=done in ("1", "on", "true"),
        user=ctx.user,
        now=utcnow(),
    )
    back = back if back in PAGES else "action_plan"
    if not htmx.is_htmx(request):
        url = str(request.url_for(PAGES[back], team_id=ctx.team.id))
        return redirect(f"{url}#check-{item_id}--{entry_id}", request=request, flash=N_("Checklist saved."))
    entry = next(e for e in checklist.entries if e.entry_id == entry_id)
    context = {"ctx": ctx, "entry": entry, "checklist": checklist, "back": back}
    return render(request, "checklists/entry.html", context)


# --- The team's checklist page ----------------------------------------------------------------

ViewTeam = Annotated[TeamContext, Depends(team_context(Action.VIEW))]
FilterQuery = Annotated[str, Query(max_length=20)]
Field = Annotated[str, Form()]  # app/checklists/forms.py checks each against app/kit/limits.py
Slug = Annotated[str, Path(max_length=limits.SLUG)]


def _filter(owner: str, status: str) -> team.Filter:
    """The page's filters as given; anything that is not one of the choices shows everything."""
    who = team.Filter.NOBODY if owner == "none" else int(owner) if owner.isdigit() else None
    return team.Filter(owner=who, status=status if status in team.STATUSES else None)


@router.get("/teams/{team_id}/checklists", name="team_checklists")
def checklists_page(
    request: Request, session: SessionDep, ctx: ViewTeam, owner: FilterQuery = "", status: FilterQuery = ""
) -> Response:
    """The team's checklists, the playbook's and the roadmap items', filterable by owner and status."""
    return _page(request, session, ctx, _filter(owner, status))


def _page(
    request: Request,
    session: Session,
    ctx: TeamContext,
    keep: team.Filter,
    *,
    failed: tuple[str, AppError, dict[str, str]] | None = None,
) -> Response:
    found = service.team_lists(session, team_id=ctx.team.id)
    context = {
        "ctx": ctx,
        "team": ctx.team,
        "found": found,
        "playbook": team.filtered(found.playbook, keep),
        "roadmap": team.filtered(found.roadmap, keep),
        "keep": keep,
        "members": teams_service.members(session, team_id=ctx.team.id),
        "statuses": team.STATUSES,
        **_failed(failed),
    }
    return render(
        request, "checklists/team.html", context, status_code=failed[1].status_code if failed else 200
    )


def _failed(failed: tuple[str, AppError, dict[str, str]] | None) -> dict[str, Any]:
    """The entry whose change was refused, with the error beside its field and what was typed."""
    if failed is None:
        return {"failed_key": None, "errors": {}, "typed": {}}
    key, error, typed = failed
    return {"failed_key": key, "errors": {error.field or "status": error.text()}, "typed": typed}


@router.post("/teams/{team_id}/checklists/{source}/{list_id}/{entry_id}", name="team_checklist_entry")
def change_entry(
    request: Request,
    session: SessionDep,
    ctx: CheckInTeam,
    source: Slug,
    list_id: Slug,
    entry_id: Slug,
    status: Field = "",
    na_reason: Field = "",
    owner_id: Field = "",
    due: Field = "",
    note: Field = "",
    link: Field = "",
) -> Response:
    """Change an entry's status, owner, due date, note and evidence link (done ticks it)."""
    typed = {
        "status": status,
        "na_reason": na_reason,
        "owner_id": owner_id,
        "due": due,
        "note": note,
        "link": link,
    }
    key = f"{source}/{list_id}/{entry_id}"
    try:
        change = forms.change(typed)
        entry = service.change_entry(
            session,
            team_id=ctx.team.id,
            source=source,
            list_id=list_id,
            entry_id=entry_id,
            change=change,
            user=ctx.user,
            now=utcnow(),
        )
    except (NotFound, Conflict):
        raise
    except AppError as error:
        if htmx.is_htmx(request):
            return _entry(request, session, ctx, _current(session, ctx, key), (key, error, typed))
        return _page(request, session, ctx, team.Filter(), failed=(key, error, typed))
    return _answer(request, session, ctx, entry, N_("Checklist entry saved."))


@router.post("/teams/{team_id}/checklists/{source}/{list_id}/{entry_id}/tick", name="team_checklist_tick")
def tick_entry(
    request: Request,
    session: SessionDep,
    ctx: CheckInTeam,
    source: Slug,
    list_id: Slug,
    entry_id: Slug,
    done: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    """Tick an entry done (`done` sent, as a checked box does) or untick it back to its status before."""
    entry = service.change_entry(
        session,
        team_id=ctx.team.id,
        source=source,
        list_id=list_id,
        entry_id=entry_id,
        change=team.tick_change(done in ("1", "on", "true")),
        user=ctx.user,
        now=utcnow(),
    )
    return _answer(request, session, ctx, entry, N_("Checklist saved."))


def _answer(
    request: Request, session: Session, ctx: TeamContext, entry: team.TeamEntry, flash: str
) -> Response:
    """htmx gets the entry again; a plain form goes back to the page, at the entry."""
    if htmx.is_htmx(request):
        return _entry(request, session, ctx, entry, None)
    url = str(request.url_for("team_checklists", team_id=ctx.team.id))
    return redirect(f"{url}#check-{entry.anchor}", request=request, flash=flash)


def _entry(
    request: Request,
    session: Session,
    ctx: TeamContext,
    entry: team.TeamEntry,
    failed: tuple[str, AppError, dict[str, str]] | None,
) -> Response:
    context = {
        "ctx": ctx,
        "entry": entry,
        "members": teams_service.members(session, team_id=ctx.team.id),
        "statuses": team.STATUSES,
        **_failed(failed),
    }
    return render(
        request, "checklists/team_entry.html", context, status_code=failed[1].status_code if failed else 200
    )


def _current(session: Session, ctx: TeamContext, key: str) -> team.TeamEntry:
    """The entry as it stands (after a refused change, which left nothing behind)."""
    found = service.team_lists(session, team_id=ctx.team.id)
    return next(e for c in found.lists for e in c.entries if e.key == key)
