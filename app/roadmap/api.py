"""JSON API for roadmaps (/api/v1): generate, read, and edit or update items."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from app.auth.permissions import Action
from app.deps import SessionDep, TeamContext, team_context
from app.errors import Conflict, Forbidden, NotFound
from app.i18n import N_
from app.kit.time import utcnow
from app.models import Roadmap
from app.roadmap import forms, service
from app.roadmap.planner.plan import Edit
from app.roadmap.schemas import EditIn, GenerateIn, ItemPatch, RoadmapOut

router = APIRouter(prefix="/api/v1", tags=["roadmap"])
PROBLEM: dict[str, Any] = {
    "model": dict[str, str | None],
    "description": "A problem: `detail` says what, `field` names the input",
}
ERRORS: dict[int | str, dict[str, Any]] = dict.fromkeys((400, 401, 403, 404, 409, 422), PROBLEM)

ViewTeam = Annotated[TeamContext, Depends(team_context(Action.VIEW))]
CheckInTeam = Annotated[TeamContext, Depends(team_context(Action.CHECK_IN))]
ManageTeam = Annotated[TeamContext, Depends(team_context(Action.MANAGE))]


def _roadmap(session: SessionDep, team_id: int) -> Roadmap:
    roadmap = service.get(session, team_id=team_id)
    if roadmap is None:
        raise Conflict(N_("Generate the roadmap first."))
    return roadmap


@router.post("/teams/{team_id}/roadmap", responses=ERRORS)
def generate(session: SessionDep, ctx: ManageTeam, body: GenerateIn | None = None) -> RoadmapOut:
    """Generate or regenerate the roadmap, keeping every edit: from each capability's latest submitted
    assessment, or from the one `source` names (422 naming `source` when it is not one of the team's)."""
    source = body.source if body is not None else None
    roadmap = service.generate_for_team(
        session, team=ctx.team, user=ctx.user, now=utcnow(), assessment_id=source
    )
    return RoadmapOut.of(service.view(session, roadmap=roadmap))


@router.get("/teams/{team_id}/roadmap", responses=ERRORS)
def read(session: SessionDep, ctx: ViewTeam) -> RoadmapOut:
    """The current plan with statuses and progress."""
    return RoadmapOut.of(service.view(session, roadmap=_roadmap(session, ctx.team.id)))


@router.patch("/teams/{team_id}/roadmap/items/{item_id}", responses=ERRORS)
def patch_item(item_id: str, body: ItemPatch, session: SessionDep, ctx: CheckInTeam) -> RoadmapOut:
    """Set an item's status/progress (members), or apply an edit to it (managers)."""
    roadmap = _roadmap(session, ctx.team.id)
    if body.edit is not None:
        if not ctx.can(Action.MANAGE):
            raise Forbidden
        _apply(session, roadmap, item_id, body.edit, ctx)
    if body.status is not None or body.progress is not None:
        view = service.view(session, roadmap=roadmap)
        if view.plan.item(item_id) is None:
            raise NotFound
        status = body.status or view.status(item_id)
        service.set_status(
            session,
            roadmap=roadmap,
            item_id=item_id,
            status=status,
            progress=body.progress,
            user=ctx.user,
            now=utcnow(),
        )
    return RoadmapOut.of(service.view(session, roadmap=roadmap))


def _apply(session: SessionDep, roadmap: Roadmap, item_id: str, edit: EditIn, ctx: TeamContext) -> None:
    undo = {"unpin": "pin", "restore": "drop"}
    if edit.kind in undo:
        service.undo_edit(session, roadmap=roadmap, item_id=item_id, kind=undo[edit.kind], user=ctx.user)
        return
    made: Edit
    if edit.kind == "pin":
        made = service.pin_where_it_is(service.view(session, roadmap=roadmap).plan, item_id)
    elif edit.kind == "drop":
        made = service.drop(item_id)
    else:
        made = forms.edit(
            edit.kind,
            item_id,
            start_month=edit.start_month,
            duration=edit.duration_months,
            owner_role=edit.owner_role or "",
        )
    service.add_edit(session, roadmap=roadmap, edit=made, user=ctx.user)
