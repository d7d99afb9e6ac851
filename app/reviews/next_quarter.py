"""Starting the next quarter from a review: what it proposes, and making what the manager confirmed.

It extends the existing start (an assessment that copies the last submitted answers) with next quarter's
OKRs proposed from the roadmap items in progress (their suggested key results, else a milestone for the
item), and this quarter's unfinished key results carried forward on request.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from app.assessments import service as assessments_service
from app.maturity import service as maturity_service
from app.models import ItemStatus, KeyResultKind, MaturityModelVersion, Objective, Team, User
from app.okrs import adopt
from app.okrs import service as okrs_service
from app.reviews import quarters
from app.reviews.figures import maturity
from app.roadmap import service as roadmap_service
from app.teams import service as teams_service


@dataclass(frozen=True)
class Proposed:
    """A key result proposed for next quarter, under the objective it would go in."""

    key: str  # the form's value: "item/<item id>/<n>"
    objective: str
    data: okrs_service.KeyResultInput
    item_id: str
    catalogue_id: str | None
    signal: str | None


@dataclass(frozen=True)
class Carried:
    """An unfinished key result of this quarter that can go forward, under its objective's title, with its
    due date as it would be next quarter (see quarters.carried_due)."""

    objective: str
    status: okrs_service.KeyResultStatus
    due_on: date | None


@dataclass(frozen=True)
class NextQuarter:
    period: str
    model: MaturityModelVersion | None  # the model of the last submitted assessment: copied forward
    assessment_exists: bool
    proposed: list[Proposed]
    carried: list[Carried]


def propose(session: Session, *, team: Team, period: str, locale: str) -> NextQuarter:
    """What "Start the next quarter" would create after `period` (nothing next quarter already has)."""
    following = okrs_service.shift_period(period, 1)
    last = maturity(session, team_id=team.id, period=following)
    model = maturity_service.latest(session, slug=last.current.model.slug) if last else None
    existing = assessments_service.list_for_team(session, team_id=team.id)
    exists = any(a.period == following and model and a.model.slug == model.slug for a in existing)
    there = {
        (o.title, kr.title)
        for o in okrs_service.objectives(session, team_ids=[team.id], period=following)
        for kr in o.key_results
    }
    proposed = [p for p in _proposed(session, team, locale) if (p.objective, p.data.title) not in there]
    carried = [c for c in _carried(session, team, period) if (c.objective, c.status.title) not in there]
    return NextQuarter(following, model, exists, proposed, carried)


def _proposed(session: Session, team: Team, locale: str) -> list[Proposed]:
    roadmap = roadmap_service.get(session, team_id=team.id)
    if roadmap is None:
        return []
    view = roadmap_service.view(session, roadmap=roadmap)
    running = [i for i in view.plan.items if view.status(i.id) == ItemStatus.IN_PROGRESS]
    out = []
    for item in running:
        suggested = [(o, s) for o in view.plan.suggested_okrs for s in o.key_results if s.item_id == item.id]
        for n, (objective, s) in enumerate(suggested):
            data = adopt.key_result_input(s, locale)
            key = f"item/{item.id}/{n}"
            title = objective.text.get(locale)[:300]
            out.append(
                Proposed(key, title, data, item.id, s.key_result.id, adopt.linked_signal(s, data.kind))
            )
        if not suggested:
            title = item.title.get(locale)[:300]
            data = okrs_service.KeyResultInput(title, KeyResultKind.MILESTONE.value, 0.0, 1.0, "", None)
            out.append(Proposed(f"item/{item.id}/0", title, data, item.id, None, None))
    return out


def _carried(session: Session, team: Team, period: str) -> list[Carried]:
    found = okrs_service.team_status(session, team_ids=[team.id], period=period)[team.id]
    following = okrs_service.shift_period(period, 1)
    return [
        Carried(o.title, kr, quarters.carried_due(kr.due_on, into=following))
        for o in found
        for kr in o.key_results
        if kr.progress < 1
    ]


@dataclass(frozen=True)
class Started:
    assessment_id: int | None
    key_results: int


def start(
    session: Session,
    *,
    team: Team,
    plan: NextQuarter,
    assessment: bool,
    proposed: Collection[str],
    carried: Collection[int],
    user: User,
) -> Started:
    """Create what the manager confirmed: the copied assessment, the chosen proposals and carried KRs."""
    started = None
    if assessment and plan.model is not None and not plan.assessment_exists:
        row = assessments_service.start(
            session, team_id=team.id, model_row=plan.model, period=plan.period, user=user, copy_last=True
        )
        started = row.id
    objectives: dict[str, Objective] = {}
    count = 0
    for p in plan.proposed:
        if p.key in proposed:
            parent = _objective(session, objectives, team, plan.period, p.objective, user)
            okrs_service.create_key_result(
                session,
                objective=parent,
                data=p.data,
                user=user,
                catalogue_id=p.catalogue_id,
                roadmap_item_id=p.item_id,
                signal=p.signal,
            )
            count += 1
    chosen = [c for c in plan.carried if c.status.id in carried]
    members = {u.id for u in teams_service.members(session, team_id=team.id)} if chosen else set()
    for c in chosen:
        parent = _objective(session, objectives, team, plan.period, c.objective, user)
        data = _carried_input(c, parent, members)
        signal = c.status.signal
        okrs_service.create_key_result(session, objective=parent, data=data, user=user, signal=signal)
        count += 1
    return Started(started, count)


def _carried_input(carried: Carried, parent: Objective, members: set[int]) -> okrs_service.KeyResultInput:
    """The carried copy: from its latest value to the same target, in the same direction, with the same
    owner while they are still in the team, and its due date moved into next quarter (none when that falls
    outside the objective's own dates: its last day then applies)."""
    kr = carried.status
    first, last = okrs_service.objective_dates(parent)
    due = carried.due_on if carried.due_on is not None and first <= carried.due_on <= last else None
    return okrs_service.KeyResultInput(
        title=kr.title,
        kind=kr.kind,
        start=kr.current if kr.current is not None else kr.start,
        target=kr.target,
        unit=kr.unit,
        owner_id=kr.owner_id if kr.owner_id in members else None,
        direction=kr.direction,
        due_on=due,
    )


def _objective(
    session: Session, made: dict[str, Objective], team: Team, period: str, title: str, user: User
) -> Objective:
    """Next quarter's objective of this title: one already there, else a new one (once per title)."""
    if title not in made:
        existing = okrs_service.objectives(session, team_ids=[team.id], period=period)
        same = next((o for o in existing if o.title == title), None)
        data = okrs_service.ObjectiveInput(title=title, description="")
        made[title] = same or okrs_service.create_objective(
            session, team_id=team.id, period=period, data=data, user=user
        )
    return made[title]
