"""Adopting the roadmap's suggested OKRs as the team's objectives and key results.

Each suggested key result goes into the quarter it is due in, under that quarter's objective for its
catalogue objective, owned by the member the team's RACI makes accountable, and linked to the signal
the catalogue key result names (its syncs then check in on it). Adopting again adds only
what is still missing: a key result is matched by its catalogue id and roadmap item in any quarter (a
plan regenerated since may have moved it), an objective by its catalogue id and quarter.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.catalogue.schema import MetricType
from app.errors import BadInput
from app.models import KeyResultKind, Objective, Team, User
from app.okrs import service, signal_links
from app.roadmap import service as roadmap_service
from app.roadmap.planner.plan import SuggestedKeyResult, SuggestedObjective
from app.teams.raci import service as raci_service

# A catalogue target written "≤ 15 minutes" is reached by going down; the team sets where it starts.
AT_MOST = "≤"


@dataclass(frozen=True)
class Adopted:
    objectives: int
    key_results: int
    periods: tuple[str, ...]  # the quarters that got something, in order


def has_roadmap(session: Session, *, team_id: int) -> bool:
    """Whether the team has a roadmap to adopt suggestions from."""
    return roadmap_service.get(session, team_id=team_id) is not None


def suggestions(session: Session, *, team_id: int) -> tuple[SuggestedObjective, ...]:
    """The suggested OKRs of the team's current roadmap (none without a roadmap)."""
    roadmap = roadmap_service.get(session, team_id=team_id)
    if roadmap is None:
        return ()
    return roadmap_service.view(session, roadmap=roadmap).plan.suggested_okrs


def adopt(session: Session, *, team: Team, locale: str, user: User) -> Adopted:
    """Create the suggested key results the team does not have yet, each in the quarter it is due."""
    adopted = _adopted_objectives(session, team_id=team.id)
    have = {(kr.catalogue_id, kr.roadmap_item_id) for o in adopted for kr in o.key_results}
    objectives = {(o.catalogue_id or "", o.period): o for o in adopted}
    owners = raci_service.owners(session, team=team)
    made: list[str] = []  # the quarter of each key result made
    for suggestion in suggestions(session, team_id=team.id):
        for s in suggestion.key_results:
            if (s.key_result.id, s.item_id) in have:
                continue
            period = service.current_period(s.due)
            key = (suggestion.id, period)
            if key not in objectives:
                objectives[key] = _new_objective(session, team.id, period, suggestion, locale, user)
            data = key_result_input(s, locale, owners.get(s.item_id))
            service.create_key_result(
                session,
                objective=objectives[key],
                data=data,
                user=user,
                catalogue_id=s.key_result.id,
                roadmap_item_id=s.item_id,
                signal=linked_signal(s, data.kind),
            )
            have.add((s.key_result.id, s.item_id))
            made.append(period)
    return Adopted(len(objectives) - len(adopted), len(made), tuple(sorted(set(made))))


def _adopted_objectives(session: Session, *, team_id: int) -> list[Objective]:
    """The team's objectives adopted from suggestions, in every quarter, with their key results."""
    query = (
        select(Objective)
        .options(selectinload(Objective.key_results))
        .where(Objective.team_id == team_id, Objective.catalogue_id.is_not(None))
        .order_by(Objective.period, Objective.id)
    )
    return list(session.scalars(query))


def _new_objective(
    session: Session, team_id: int, period: str, suggestion: SuggestedObjective, locale: str, user: User
) -> Objective:
    owner = service.owner_if_member(session, team_id=team_id, user=user)
    data = service.ObjectiveInput(title=suggestion.text.get(locale)[:300], description="", owner_id=owner)
    return service.create_objective(
        session, team_id=team_id, period=period, data=data, user=user, catalogue_id=suggestion.id
    )


def linked_signal(suggested: SuggestedKeyResult, kind: str) -> str | None:
    """The signal a catalogue key result names, when it fits the key result made from it (else none:
    the key result is still made, to be checked in on by hand)."""
    key = suggested.key_result.signal
    try:
        return signal_links.checked_signal(key, kind)
    except BadInput:
        return None


def key_result_input(
    suggested: SuggestedKeyResult, locale: str, owner_id: int | None = None
) -> service.KeyResultInput:
    """A catalogue key result as a key result to track: milestones go 0 → 1, others 0 → target."""
    kr = suggested.key_result
    title = kr.text.get(locale)[:300]
    if kr.metric is MetricType.MILESTONE or kr.target is None:
        return service.KeyResultInput(title, KeyResultKind.MILESTONE.value, 0.0, 1.0, "", owner_id)
    kind = KeyResultKind.PERCENTAGE if kr.metric is MetricType.PERCENTAGE else KeyResultKind.NUMERIC
    unit = "%" if kind is KeyResultKind.PERCENTAGE else ""
    start = kr.target * 2 if AT_MOST in kr.text.en else 0.0  # a placeholder until the team sets today's value
    return service.KeyResultInput(title, kind.value, start, kr.target, unit, owner_id)
