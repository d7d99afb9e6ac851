"""One team's dashboard: its levels by area quarter by quarter for one model, and what changed between
any two of its assessments, answer by answer, with who changed each. A fixed number of queries."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from app.assessments import scoring
from app.assessments import service as assessments_service
from app.assessments.targets import service as targets
from app.dashboard import compare
from app.dashboard.compare import Cell
from app.dashboard.filters import Filters
from app.dashboard.team import diff as answer_diff
from app.errors import BadInput
from app.i18n import N_
from app.maturity.schema import Dimension
from app.models import Answer, Assessment, AssessmentStatus, AuditEvent, Team, User

TREND_QUARTERS = 12  # as on the organisation's dashboard
NOT_THIS_TEAMS = N_("Pick one of this team's assessments.")
SAME_ASSESSMENT = N_("Pick two different assessments.")


@dataclass(frozen=True)
class TeamModel:
    slug: str
    name_en: str
    name_ja: str
    quarters: int  # quarters with a submitted assessment of it

    def name(self, locale: str) -> str:
        return self.name_ja if locale == "ja" else self.name_en


@dataclass(frozen=True)
class History:
    """The team's submitted assessments of one model, one per quarter, scored."""

    team: Team
    models: list[TeamModel]
    model: TeamModel | None
    dimensions: tuple[Dimension, ...]
    periods: list[str]
    shown: dict[str, Assessment]  # quarter → the assessment its levels come from
    levels: dict[str, tuple[float | None, ...]]  # dimension id → level per quarter
    overall: tuple[Cell | None, ...]  # overall level and change per quarter
    targets: dict[str, int]
    assessments: list[Assessment]  # every assessment of the team (any model or status), newest first
    errors: dict[str, BadInput] = field(default_factory=dict)

    @property
    def default_pair(self) -> tuple[int | None, int | None]:
        """The two assessments the diff form offers first: the last two quarters shown, else the team's
        two newest assessments (older first)."""
        if len(self.periods) >= 2:
            return self.shown[self.periods[-2]].id, self.shown[self.periods[-1]].id
        newest = self.assessments[:2]
        return (newest[1].id, newest[0].id) if len(newest) == 2 else (None, None)


def history(session: Session, *, team: Team, model_slug: str | None, filters: Filters) -> History:
    """The team's levels by area over its quarters of the chosen model (default: its latest one)."""
    every = assessments_service.list_for_team(session, team_id=team.id)
    submitted = [a for a in every if a.status == AssessmentStatus.SUBMITTED]
    models = _models(submitted)
    latest = max(submitted, key=_when, default=None)
    wanted = model_slug or (latest.model.slug if latest else None)
    model = next((m for m in models if m.slug == wanted), models[0] if models else None)
    if model is None:
        return History(team, models, None, (), [], {}, {}, (), {}, every, dict(filters.errors))
    shown = _one_per_quarter(submitted, model.slug, filters)
    periods = sorted(shown)
    results = assessments_service.results_for(session, assessments=list(shown.values()))
    of_model = [a for a in submitted if a.model.slug == model.slug]
    newest = shown[periods[-1]] if periods else max(of_model, key=lambda a: (a.period, a.id))
    dimensions = assessments_service.model_of(newest).dimensions
    by_period = {p: results[shown[p].id] for p in periods}
    levels = {d.id: tuple(_dimension_level(by_period[p], d.id) for p in periods) for d in dimensions}
    overall = compare.timeline({p: by_period[p].overall for p in periods}, periods)
    goal = targets.levels_of_teams(
        session, organisation_id=team.organisation_id, team_ids=[team.id], slugs={model.slug}
    )[(team.id, model.slug)]
    own = {d.id: goal.get(d.id, targets.DEFAULT_TARGET) for d in dimensions}
    return History(
        team, models, model, dimensions, periods, shown, levels, overall, own, every, dict(filters.errors)
    )


def _models(submitted: Sequence[Assessment]) -> list[TeamModel]:
    """The models of the team's submitted assessments, the one with most quarters first."""
    quarters: dict[str, set[str]] = {}
    names: dict[str, tuple[str, str]] = {}
    for a in submitted:
        quarters.setdefault(a.model.slug, set()).add(a.period)
        names[a.model.slug] = (a.model.name_en, a.model.name_ja)
    found = [TeamModel(slug, *names[slug], len(periods)) for slug, periods in quarters.items()]
    return sorted(found, key=lambda m: (-m.quarters, m.slug))


def _one_per_quarter(submitted: Sequence[Assessment], slug: str, filters: Filters) -> dict[str, Assessment]:
    """The last submitted assessment of the model in each quarter the filters allow (the latest quarters)."""
    mine = sorted((a for a in submitted if a.model.slug == slug), key=_when)
    chosen = {a.period: a for a in mine}
    allowed = [
        p
        for p in chosen
        if (filters.since is None or p >= filters.since) and (filters.until is None or p <= filters.until)
    ]
    return {p: chosen[p] for p in compare.shown_periods(allowed, TREND_QUARTERS)}


def _when(assessment: Assessment) -> tuple[str, float, int]:
    """Quarter, then when it was submitted: of two in a quarter (two versions of a model), the later."""
    submitted = assessment.submitted_at.timestamp() if assessment.submitted_at else 0.0
    return assessment.period, submitted, assessment.id


def _dimension_level(results: scoring.Results, dimension_id: str) -> float | None:
    return next((d.level for d in results.dimensions if d.id == dimension_id), None)


@dataclass(frozen=True)
class Author:
    """Who gave an answer in the second assessment: the last person to save it and everyone who did."""

    answered_by: str | None
    answered_at: datetime | None
    carried_over: bool  # copied from an earlier assessment and not confirmed since
    savers: tuple[str, ...]  # names from the audit log, in the order they first saved it


@dataclass(frozen=True)
class AnswerDiff:
    first: Assessment
    second: Assessment
    diff: answer_diff.Diff
    authors: dict[str, Author]  # question id → who gave the second assessment's answer
    dimensions: tuple[tuple[Dimension, float | None, float | None], ...]  # the second model's, before, after
    overall: tuple[float | None, float | None]


def compare_answers(
    session: Session, *, team: Team, first_id: int | None, second_id: int | None
) -> AnswerDiff:
    """What changed from one of the team's assessments to another; BadInput naming the field (`from`
    or `to`) when one is missing, not the team's, or both are the same."""
    ids = {i for i in (first_id, second_id) if i is not None}
    found = {
        a.id: a
        for a in session.scalars(
            select(Assessment)
            .options(joinedload(Assessment.model), selectinload(Assessment.answers))
            .where(Assessment.id.in_(ids), Assessment.team_id == team.id)
        ).unique()
    }
    for name, wanted in (("from", first_id), ("to", second_id)):
        if wanted is None or wanted not in found:
            raise BadInput(NOT_THIS_TEAMS, field=name)
    if first_id == second_id:
        raise BadInput(SAME_ASSESSMENT, field="to")
    first, second = found[first_id or 0], found[second_id or 0]
    first_model, second_model = assessments_service.model_of(first), assessments_service.model_of(second)
    first_answers = assessments_service.answer_values(first.answers)
    second_answers = assessments_service.answer_values(second.answers)
    changes = answer_diff.diff(first_model, first_answers, second_model, second_answers)
    changed = [c.question.id for c in changes.changes if c.after is not None]
    authors = _authors(session, assessment=second, question_ids=changed)
    before = scoring.score_assessment(first_model, first_answers)
    after = scoring.score_assessment(second_model, second_answers)
    levels = {d.id: d.level for d in before.dimensions}
    dimensions = tuple((d, levels.get(d.id), _dimension_level(after, d.id)) for d in second_model.dimensions)
    return AnswerDiff(first, second, changes, authors, dimensions, (before.overall, after.overall))


def _authors(session: Session, *, assessment: Assessment, question_ids: Sequence[str]) -> dict[str, Author]:
    """Who gave each of these answers of the assessment: the answer's last author, and everyone the audit
    log saw save it (two queries)."""
    answers = {a.question_id: a for a in assessment.answers if a.question_id in set(question_ids)}
    names = assessments_service.people_names(session, answers=list(answers.values()))
    savers: dict[str, list[str]] = {}
    if question_ids:
        keys = {f"{assessment.id}/{q}": q for q in question_ids}
        events = session.execute(
            select(AuditEvent.object_id, User.name)
            .join(User, User.id == AuditEvent.actor_id)
            .where(AuditEvent.object_type == "answer", AuditEvent.object_id.in_(list(keys)))
            .order_by(AuditEvent.at, AuditEvent.id)
        )
        for object_id, name in events:
            people = savers.setdefault(keys[object_id], [])
            if name not in people:
                people.append(name)
    return {q: _author(answers.get(q), names, tuple(savers.get(q, ()))) for q in question_ids}


def _author(answer: Answer | None, names: dict[int, str], savers: tuple[str, ...]) -> Author:
    if answer is None:
        return Author(None, None, False, savers)
    who = names.get(answer.answered_by_id) if answer.answered_by_id is not None else None
    return Author(who, answer.answered_at, bool(answer.carried_over), savers)
