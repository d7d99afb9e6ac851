"""JSON API for checklists (/api/v1): read a team's roadmap checklist and mark one entry done or not done;
read all of the team's checklists (the playbook's too) and change an entry's status, owner, due date,
note and evidence link."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from app.auth.permissions import Action
from app.checklists import forms
from app.checklists.schemas import (
    ChecklistOut,
    EntryIn,
    ItemChecklistOut,
    TeamChecklistsOut,
    TeamEntryOut,
    TeamEntryPatch,
    TeamListOut,
)
from app.deps import SessionDep, TeamContext, team_context
from app.kit import limits
from app.kit.time import utcnow
from app.roadmap.api import ERRORS
from app.roadmap.checklists import service

router = APIRouter(prefix="/api/v1", tags=["checklists"])

ViewTeam = Annotated[TeamContext, Depends(team_context(Action.VIEW))]
CheckInTeam = Annotated[TeamContext, Depends(team_context(Action.CHECK_IN))]
Slug = Annotated[str, Path(max_length=limits.SLUG)]


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


@router.get("/teams/{team_id}/checklists", responses=ERRORS)
def read_team(session: SessionDep, ctx: ViewTeam) -> TeamChecklistsOut:
    """Every checklist of the team: the playbook's (every team has them), then the roadmap items'; each
    entry with its status, owner, due date, note, evidence link and who changed it last."""
    found = service.team_lists(session, team_id=ctx.team.id)
    return TeamChecklistsOut(
        team_id=ctx.team.id, has_roadmap=found.has_roadmap, lists=[TeamListOut.of(c) for c in found.lists]
    )


@router.patch("/teams/{team_id}/checklists/{source}/{list_id}/{entry_id}", responses=ERRORS)
def patch_team_entry(
    source: Slug, list_id: Slug, entry_id: Slug, body: TeamEntryPatch, session: SessionDep, ctx: CheckInTeam
) -> TeamEntryOut:
    """Change one entry (members): the fields sent change, with the page's checks; 422 names the field
    (a not_applicable without na_reason, an owner outside the team, a bad due date, a non-http link)."""
    entry = service.change_entry(
        session,
        team_id=ctx.team.id,
        source=source,
        list_id=list_id,
        entry_id=entry_id,
        change=forms.change(body.values()),
        user=ctx.user,
        now=utcnow(),
    )
    return TeamEntryOut.of(entry)
