"""Adopting the roadmap's suggested OKRs as the team's objectives and key results for a quarter.

Adopting again adds only what is still missing: an objective is matched by its catalogue id, a key
result by its catalogue id and roadmap item.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.models import KeyResultKind, Objective, User
from app.okrs import service
from app.roadmap import service as roadmap_service
from app.roadmap.catalogue_schema import MetricType
from app.roadmap.plan import SuggestedKeyResult, SuggestedObjective

# A catalogue target written "≤ 15 minutes" is reached by going down; the team sets where it starts.
AT_MOST = "≤"


@dataclass(frozen=True)
class Adopted:
    objectives: int
    key_results: int


def has_roadmap(session: Session, *, team_id: int) -> bool:
    """Whether the team has a roadmap to adopt suggestions from."""
    return roadmap_service.get(session, team_id=team_id) is not None


def suggestions(session: Session, *, team_id: int) -> tuple[SuggestedObjective, ...]:
    """The suggested OKRs of the team's current roadmap (none without a roadmap)."""
    roadmap = roadmap_service.get(session, team_id=team_id)
    if roadmap is None:
        return ()
    return roadmap_service.view(session, roadmap=roadmap).plan.suggested_okrs


def adopt(session: Session, *, team_id: int, period: str, locale: str, user: User) -> Adopted:
    """Create the suggested objectives and key results that the quarter does not have yet."""
    existing = {
        o.catalogue_id: o
        for o in session.scalars(
            select(Objective)
            .options(selectinload(Objective.key_results))
            .where(
                Objective.team_id == team_id, Objective.period == period, Objective.catalogue_id.is_not(None)
            )
        )
    }
    made_objectives = made_krs = 0
    for suggestion in suggestions(session, team_id=team_id):
        objective = existing.get(suggestion.id)
        if objective is None:
            data = service.ObjectiveInput(title=suggestion.text.get(locale)[:300], description="")
            objective = service.create_objective(
                session, team_id=team_id, period=period, data=data, user=user, catalogue_id=suggestion.id
            )
            made_objectives += 1
            have: set[tuple[str | None, str | None]] = set()
        else:
            have = {(kr.catalogue_id, kr.roadmap_item_id) for kr in objective.key_results}
        made_krs += _add_missing(session, objective, suggestion.key_results, have, locale, user)
    return Adopted(made_objectives, made_krs)


def _add_missing(
    session: Session,
    objective: Objective,
    suggested: Sequence[SuggestedKeyResult],
    have: set[tuple[str | None, str | None]],
    locale: str,
    user: User,
) -> int:
    made = 0
    for s in suggested:
        if (s.key_result.id, s.item_id) in have:
            continue
        service.create_key_result(
            session,
            objective=objective,
            data=key_result_input(s, locale),
            user=user,
            catalogue_id=s.key_result.id,
            roadmap_item_id=s.item_id,
        )
        made += 1
    return made


def key_result_input(suggested: SuggestedKeyResult, locale: str) -> service.KeyResultInput:
    """A catalogue key result as a key result to track: milestones go 0 → 1, others 0 → target."""
    kr = suggested.key_result
    title = kr.text.get(locale)[:300]
    if kr.metric is MetricType.MILESTONE or kr.target is None:
        return service.KeyResultInput(title, KeyResultKind.MILESTONE.value, 0.0, 1.0, "", None)
    kind = KeyResultKind.PERCENTAGE if kr.metric is MetricType.PERCENTAGE else KeyResultKind.NUMERIC
    unit = "%" if kind is KeyResultKind.PERCENTAGE else ""
    start = kr.target * 2 if AT_MOST in kr.text.en else 0.0  # a placeholder until the team sets today's value
    return service.KeyResultInput(title, kind.value, start, kr.target, unit, None)
