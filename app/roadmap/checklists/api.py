"""JSON API for checklists (/api/v1): read a team's checklist, mark one entry done or not done."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from app.auth.permissions import Action
from app.checklists.schemas import ChecklistOut, EntryIn, ItemChecklistOut
from app.deps import SessionDep, TeamContext, team_context
from app.kit.time import utcnow
from app.roadmap.api import ERRORS
from app.roadmap.checklists import service

router = APIRouter(prefix="/api/v1", tags=["checklists"])

ViewTeam = Annotated[TeamContext, Depends(team_context(Action.VIEW))]
CheckInTeam = Annotated[TeamContext, Depends(team_context(Action.CHECK_IN))]


@router.get("/teams/{team_id}/roadmap/checklist", responses=ERRORS)
def read(session: SessionDep, ctx: ViewTeam) -> ChecklistOut:
    """Every plan item that has checklist entries, each entry with whether, when and by whom it was done."""
    found = service.team_checklists(session, team_id=ctx.team.id)
    return ChecklistOut(
        team_id=ctx.team.id,
        done=sum(c.done for c in found),
        total=sum(c.total for c in found),
        items=[ItemChecklistOut.of(c) for c in found],
    )


@router.put("/teams/{team_id}/roadmap/items/{item_id}/checklist/{entry_id}", responses=ERRORS)
def put_entry(
    item_id: str, entry_id: str, body: EntryIn, session: SessionDep, ctx: CheckInTeam
) -> ItemChecklistOut:
    """Mark one entry done or not done (idempotent); answers with the item's whole checklist."""
    checklist = service.set_done_in_team(
        session,
        team_id=ctx.team.id,
        item_id=item_id,
        entry_id=entry_id,
        done=body.done,
        user=ctx.user,
        now=utcnow(),
    )
    return ItemChecklistOut.of(checklist)
