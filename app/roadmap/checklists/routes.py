"""Checklist pages' one action: tick or untick an entry (htmx gets the entry back, a form a redirect)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import Response

from app.auth.permissions import Action
from app.deps import SessionDep, TeamContext, team_context
from app.i18n import N_
from app.kit import htmx
from app.kit.time import utcnow
from app.roadmap.checklists import service
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
