"""Turning the roadmap forms' fields into edits and POC candidates, with errors that name the field."""

from __future__ import annotations

from app.catalogue.loader import builtin_catalogue
from app.catalogue.schema import Phase
from app.errors import BadInput, checked_text
from app.i18n import N_
from app.kit import limits
from app.maturity.schema import Text
from app.roadmap.planner.plan import MONTHS, AddItem, ChangeOwner, Edit, Move, PocCandidate, Resize

EDIT_ACTIONS = ("move", "resize", "owner")
LATEST_SOURCE = "latest"  # the regenerate form's default: each capability's latest assessment


def plan_source(value: str) -> int | None:
    """The assessment id the manager chose to plan from, or None for the latest of each capability."""
    if value in ("", LATEST_SOURCE):
        return None
    if not value.isdecimal():
        raise BadInput(N_("Choose one of the team's submitted assessments."), field="source")
    return int(value)


def month(value: int | None, field: str) -> int:
    if value is None or not 0 <= value < MONTHS:
        raise BadInput(N_("Choose a month of the plan."), field=field)
    return value


def role(value: str, field: str = "owner_role") -> str:
    if value not in {r.id for r in builtin_catalogue().roles}:
        raise BadInput(N_("Choose a role."), field=field)
    return value


def edit(
    action: str, item_id: str, *, start_month: int | None, duration: int | None, owner_role: str
) -> Edit:
    """A move, resize or owner change from the item's adjust form."""
    if action == "move":
        return Move(item_id, month(start_month, "start_month"))
    if action == "resize":
        if duration is None or not 1 <= duration <= MONTHS:
            raise BadInput(N_("Choose a duration from 1 to 12 months."), field="duration")
        return Resize(item_id, duration_months=duration)
    if action == "owner":
        return ChangeOwner(item_id, (role(owner_role),))
    raise BadInput(N_("Choose what to change."), field="action")


def custom_item(
    item_id: str, *, title: str, effort: float | None, phase: str, owner_role: str, start_month: int | None
) -> AddItem:
    """A custom item; its title is shown as typed in both languages."""
    title = checked_text(title, limits.TITLE, "title").strip()
    if not title:
        raise BadInput(N_("Give the item a title."), field="title")
    if effort is None or not 0 < effort <= 100:
        raise BadInput(N_("Effort is in person-weeks, more than 0 and at most 100."), field="effort")
    if phase not in set(Phase):
        raise BadInput(N_("Choose a phase."), field="phase")
    start = None if start_month is None else month(start_month, "start_month")
    return AddItem(item_id, Text(en=title, ja=title), effort, Phase(phase), (role(owner_role),), (), start)


def poc_candidates(
    names: list[str], values: list[str], scopes: list[str], pipelines: list[str]
) -> list[PocCandidate]:
    """Candidates from the rows of the POC form; empty rows are skipped."""
    out = []
    for n, name in enumerate(names):
        name = checked_text(name, limits.POC_NAME, "name").strip()
        if not name:
            continue
        value = _score(values, n, "business_value")
        scope = _score(scopes, n, "scope")
        out.append(PocCandidate(name, value, scope, str(n) in pipelines))
    return out


def _score(values: list[str], n: int, field: str) -> int:
    try:
        score = int(values[n])
    except (IndexError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        raise BadInput(N_("Scores go from 1 to 5."), field=field)
    return score
