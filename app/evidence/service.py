"""A team's evidence: its sources' latest signals read through the catalogue's rules.

Pages only read stored signals (a slow or dead source never slows a page): two queries, whatever the
number of capabilities. Reviews of the evidence (accept, dismiss) live beside the answers they touch.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Integer, Row, Select, bindparam, func, select
from sqlalchemy.orm import Session

from app.audit import service as audit_service
from app.catalogue.loader import builtin_catalogue
from app.catalogue.schema import Catalogue
from app.errors import BadInput, Conflict, NotFound, checked_text
from app.evidence.rules import CapabilityEvidence, Disagreement, Finding, Observation, evaluate
from app.i18n import N_
from app.kit import limits
from app.maturity.schema import MaturityModel, Question
from app.models import (
    Answer,
    Assessment,
    AssessmentStatus,
    EvidenceReview,
    Source,
    SyncRun,
    SyncStatus,
    User,
    Verdict,
)
from app.signals.service import latest_signal_rows


@dataclass(frozen=True)
class TeamEvidence:
    """Per capability id, what the evidence says; `sources` is how many enabled sources the team has."""

    sources: int
    capabilities: dict[str, CapabilityEvidence] = field(default_factory=dict)

    def for_capability(self, capability_id: str) -> CapabilityEvidence | None:
        return self.capabilities.get(capability_id)


def team_observations(session: Session, *, team_id: int) -> tuple[int, dict[str, list[Observation]]]:
    """How many enabled sources the team has, and their latest good signals by key."""
    return teams_observations(session, team_ids=[team_id])[team_id]


def teams_observations(
    session: Session, *, team_ids: Sequence[int]
) -> dict[int, tuple[int, dict[str, list[Observation]]]]:
    """`team_observations` of several teams at once, in two queries (plain rows: no ORM objects)."""
    ids = sorted(set(team_ids))
    query = select(Source.id, Source.team_id, Source.name).where(
        Source.team_id.in_(ids), Source.enabled.is_(True)
    )
    sources = {row.id: row for row in session.execute(query)}
    observed: dict[int, dict[str, list[Observation]]] = {i: defaultdict(list) for i in ids}
    for signal in latest_signal_rows(session, source_ids=list(sources)):
        source = sources[signal.source_id]
        observed[source.team_id][signal.key].append(_observation(signal, source.name))
    counts = Counter(source.team_id for source in sources.values())
    return {i: (counts[i], dict(observed[i])) for i in ids}


def _observation(signal: Row[Any], source_name: str) -> Observation:
    """An observation from a row of `latest_signal_rows`."""
    return Observation(
        key=signal.key,
        value=signal.value,
        unit=signal.unit,
        source_id=signal.source_id,
        source_name=source_name,
        observed_at=signal.observed_at,
        url=signal.url,
        detail=signal.detail or {},
    )


def read_evidence(
    catalogue: Catalogue, observed: dict[str, list[Observation]], *, only: str | None = None
) -> dict[str, CapabilityEvidence]:
    """Every capability with evidence rules (or only the capability `only`), evaluated on `observed`."""
    return {
        capability.id: evaluate(capability.id, capability.evidence, observed)
        for capability in catalogue.capabilities
        if capability.evidence is not None and only in (None, capability.id)
    }


def team_evidence(session: Session, *, team_id: int, catalogue: Catalogue | None = None) -> TeamEvidence:
    """What the team's latest signals say about each capability of the (built-in) catalogue."""
    count, observed = team_observations(session, team_id=team_id)
    return TeamEvidence(sources=count, capabilities=read_evidence(catalogue or builtin_catalogue(), observed))


@dataclass(frozen=True)
class QuestionEvidence:
    """What the evidence says beside one question of an assessment, and where the answer stands."""

    question_id: str
    evidence: CapabilityEvidence
    answered: int | None
    """The level of the chosen answer; None when unanswered, not applicable or a choice without a level."""
    from_evidence: bool
    """The answer was set by accepting the evidence (and not changed by a person since)."""
    disagreement: Disagreement | None
    """The answer contradicts the evidence and no one has dismissed this disagreement."""
    dismissed: EvidenceReview | None
    """The dismissal (with its reason) that closed the answer's current disagreement, if any."""
    accept_choice: str | None
    """The choice accepting the evidence would set; None when it is already the answer or none fits."""

    @property
    def flagged(self) -> bool:
        return self.disagreement is not None


def choice_for_level(question: Question, level: int) -> str | None:
    """The id of the question's choice for `level`, else the closest level's (the lower on a tie)."""
    levelled = [c for c in question.choices if c.level is not None]
    if not levelled:
        return None
    best = min(levelled, key=lambda c: (abs((c.level or 0) - level), c.level))
    return best.id


def answered_level(question: Question, answer: Answer | None) -> int | None:
    """The level an answer gives its question (None: unanswered, not applicable or no level)."""
    if answer is None or answer.not_applicable or answer.choice_id is None:
        return None
    choice = next((c for c in question.choices if c.id == answer.choice_id), None)
    return choice.level if choice is not None else None


def reviews_of(session: Session, *, assessment_id: int) -> dict[str, list[EvidenceReview]]:
    """Each question's reviews, newest first."""
    found: dict[str, list[EvidenceReview]] = defaultdict(list)
    query = (
        select(EvidenceReview)
        .where(EvidenceReview.assessment_id == assessment_id)
        .order_by(EvidenceReview.id.desc())
    )
    for review in session.scalars(query):
        found[review.question_id].append(review)
    return dict(found)


def question_evidence(
    model: MaturityModel,
    answers: Sequence[Answer],
    team: TeamEvidence,
    reviews: Mapping[str, Sequence[EvidenceReview]],
) -> dict[str, QuestionEvidence]:
    """Per question id of `model` whose capability has evidence rules: what the evidence says."""
    by_question = {answer.question_id: answer for answer in answers}
    found: dict[str, QuestionEvidence] = {}
    for capability in model.capabilities():
        evidence = team.for_capability(capability.id)
        if evidence is None:
            continue
        for question in capability.questions:
            answer = by_question.get(question.id)
            level = answered_level(question, answer)
            disagreement = evidence.disagreement(level)
            dismissed = _dismissal(reviews.get(question.id, ()), disagreement)
            target = evidence.level_for(level)
            choice = choice_for_level(question, target) if target is not None else None
            found[question.id] = QuestionEvidence(
                question_id=question.id,
                evidence=evidence,
                answered=level,
                from_evidence=bool(answer and answer.from_evidence),
                disagreement=None if dismissed else disagreement,
                dismissed=dismissed,
                accept_choice=None if answer is not None and choice == answer.choice_id else choice,
            )
    return found


def assessment_evidence(
    session: Session, *, assessment_id: int, team_id: int, model: MaturityModel, answers: Sequence[Answer]
) -> dict[str, QuestionEvidence]:
    """What the team's evidence says beside each question of an assessment (three queries)."""
    team = team_evidence(session, team_id=team_id)
    return question_evidence(model, answers, team, reviews_of(session, assessment_id=assessment_id))


def _dismissal(reviews: Sequence[EvidenceReview], disagreement: Disagreement | None) -> EvidenceReview | None:
    """The newest dismissal of this same disagreement (same answer, same suggested level), if any.

    A dismissal closes one disagreement: when the answer or the evidence changes, a new one is flagged.
    """
    if disagreement is None:
        return None
    for review in reviews:
        if review.verdict != Verdict.DISMISSED:
            continue
        if (review.answered_level, review.suggested_level) == (disagreement.answered, disagreement.suggested):
            return review
    return None


@dataclass(frozen=True)
class SourceSync:
    """How an enabled source's syncs stand: its last sync and its last good one (what evidence rests on)."""

    source_id: int
    name: str
    last_status: str | None
    last_error_kind: str | None
    last_at: datetime | None
    last_good_at: datetime | None

    @property
    def failing(self) -> bool:
        """The last sync did not succeed: the evidence shown is from an older, good one."""
        return self.last_status == SyncStatus.FAILED


@dataclass(frozen=True)
class QuestionnaireEvidence:
    """Everything the questionnaire shows about evidence, loaded in a fixed number of queries."""

    sources: int
    """Enabled sources of the team (0: the page says how to connect one)."""
    questions: dict[str, QuestionEvidence]
    syncs: dict[int, SourceSync]
    """By source id."""
    reviewers: dict[int, str]
    """Names of the people whose reviews are shown, by user id."""

    @property
    def flagged(self) -> list[str]:
        """Ids of the questions whose answer the evidence contradicts, in model order."""
        return [q for q, seen in self.questions.items() if seen.flagged]


def capability_of(model: MaturityModel, question_id: str) -> str | None:
    """The id of the capability a question belongs to."""
    return next((c.id for c in model.capabilities() for q in c.questions if q.id == question_id), None)


def speaks_to(model: MaturityModel, question_ids: Sequence[str], catalogue: Catalogue | None = None) -> bool:
    """Whether any of these questions' capabilities has evidence rules (no query: the catalogue is data)."""
    catalogue = catalogue or builtin_catalogue()
    ruled = {c.id for c in catalogue.capabilities if c.evidence is not None}
    return any(capability_of(model, q) in ruled for q in question_ids)


def questionnaire_evidence(
    session: Session,
    *,
    assessment_id: int,
    team_id: int,
    model: MaturityModel,
    answers: Sequence[Answer],
    only: str | None = None,
) -> QuestionnaireEvidence:
    """What the evidence says beside each question (or only the question `only`), with the sources' sync
    state and the reviewers' names: at most four queries, one when the team has no enabled source."""
    catalogue = builtin_catalogue()
    capability, keys = None, None
    if only is not None:  # read that question's capability's signals and rules alone
        capability = capability_of(model, only) or ""
        entry = catalogue.capability(capability)
        keys = entry.evidence.signals if entry is not None and entry.evidence is not None else frozenset()
    syncs = source_syncs(session, team_id=team_id)  # the enabled sources, and how their syncs stand
    if not syncs:
        return QuestionnaireEvidence(0, {}, {}, {})
    observed: dict[str, list[Observation]] = defaultdict(list)
    for signal in latest_signal_rows(session, source_ids=list(syncs), keys=keys):
        observed[signal.key].append(_observation(signal, syncs[signal.source_id].name))
    evidence = read_evidence(catalogue, observed, only=capability)
    team = TeamEvidence(sources=len(syncs), capabilities=evidence)
    reviews = reviews_of(session, assessment_id=assessment_id)
    found = question_evidence(model, answers, team, reviews)
    if only is not None:
        found = {only: found[only]} if only in found else {}
    user_ids = {r.user_id for q in found for r in reviews.get(q, ()) if r.user_id is not None}
    names: dict[int, str] = {}
    if user_ids:
        names = {
            row.id: row.name
            for row in session.execute(select(User.id, User.name).where(User.id.in_(user_ids)))
        }
    return QuestionnaireEvidence(len(syncs), found, syncs, names)


def source_syncs(session: Session, *, team_id: int) -> dict[int, SourceSync]:
    """Each enabled source's last sync and last good sync (one query, reading only the team's runs)."""
    return {
        row.id: SourceSync(row.id, row.name, row.status, row.error_kind, row.started_at, row.good_at)
        for row in session.execute(_source_syncs_query(), {"team_id": team_id})
    }


@cache
def _source_syncs_query() -> Select[Any]:
    """`source_syncs`' statement, built once: building its two subqueries took longer than running it on
    each answer saved."""
    team_id = bindparam("team_id", type_=Integer)
    teams_runs = SyncRun.source_id.in_(select(Source.id).where(Source.team_id == team_id))
    last = (
        select(SyncRun.source_id, func.max(SyncRun.id).label("last_id"))
        .where(teams_runs)
        .group_by(SyncRun.source_id)
        .subquery()
    )
    good = (
        select(SyncRun.source_id, func.max(SyncRun.finished_at).label("good_at"))
        .where(teams_runs, SyncRun.status == SyncStatus.OK)
        .group_by(SyncRun.source_id)
        .subquery()
    )
    return (
        select(Source.id, Source.name, SyncRun.status, SyncRun.error_kind, SyncRun.started_at, good.c.good_at)
        .outerjoin(last, last.c.source_id == Source.id)
        .outerjoin(SyncRun, SyncRun.id == last.c.last_id)
        .outerjoin(good, good.c.source_id == Source.id)
        .where(Source.team_id == team_id, Source.enabled.is_(True))
    )


def one_question(
    session: Session,
    *,
    assessment_id: int,
    team_id: int,
    model: MaturityModel,
    answer: Answer | None,
    question_id: str,
) -> QuestionEvidence | None:
    """What the evidence says beside one question, given its stored answer (three queries)."""
    seen = question_evidence(
        model,
        [answer] if answer is not None else [],
        team_evidence(session, team_id=team_id),
        {question_id: reviews_of(session, assessment_id=assessment_id).get(question_id, [])},
    )
    return seen.get(question_id)


def snapshot(findings: Sequence[Finding]) -> list[dict[str, Any]]:
    """The findings as shown, to keep with a review: one entry per observation a finding rests on."""
    return [
        {
            "key": o.key,
            "value": o.value,
            "unit": o.unit,
            "source": o.source_name,
            "source_id": o.source_id,
            "observed_at": o.observed_at.isoformat(),
            "says": {"en": f.rule.says.en, "ja": f.rule.says.ja},
        }
        for f in findings
        for o in f.observations
    ]


def record_review(
    session: Session,
    *,
    assessment_id: int,
    capability_id: str,
    seen: QuestionEvidence,
    verdict: Verdict,
    user: User,
    reason: str = "",
) -> EvidenceReview:
    """Keep a review of one question's evidence, with the levels and the findings as they were."""
    disagreement = seen.disagreement
    findings = disagreement.findings if disagreement is not None else seen.evidence.findings
    review = EvidenceReview(
        assessment_id=assessment_id,
        question_id=seen.question_id,
        capability_id=capability_id,
        verdict=verdict,
        reason=reason,
        answered_level=seen.answered,
        suggested_level=disagreement.suggested if disagreement else seen.evidence.level_for(seen.answered),
        floor=seen.evidence.floor,
        ceiling=seen.evidence.ceiling,
        evidence=snapshot(findings),
        user_id=user.id,
    )
    session.add(review)
    session.flush()
    return review


def dismiss(
    session: Session,
    *,
    assessment: Assessment,
    model: MaturityModel,
    question_id: str,
    reason: str,
    expected_version: int | None,
    user: User,
) -> EvidenceReview:
    """Close the question's open disagreement with a reason (audited). It opens again when the answer or
    the evidence changes. `expected_version`, when given, must be the answer's current version."""
    if assessment.status != AssessmentStatus.DRAFT:
        raise Conflict(N_("This assessment is submitted and locked. A manager can reopen it."))
    capability_id = capability_of(model, question_id)
    if capability_id is None:
        raise NotFound(N_("This assessment has no question %(id)s."), field="question_id", id=question_id)
    reason = checked_text(reason.strip(), limits.REASON, "reason")
    if not reason:
        raise BadInput(N_("Say why the answer stands despite the evidence."), field="reason")
    answer = session.scalars(
        select(Answer).where(Answer.assessment_id == assessment.id, Answer.question_id == question_id)
    ).first()
    if expected_version is not None and (answer.version_id if answer else 0) != expected_version:
        raise Conflict(
            N_("The answer changed since you loaded the page. Look at the evidence again."), field="version"
        )
    seen = one_question(
        session,
        assessment_id=assessment.id,
        team_id=assessment.team_id,
        model=model,
        answer=answer,
        question_id=question_id,
    )
    if seen is None or seen.disagreement is None:
        raise Conflict(N_("This answer is not flagged: there is nothing to dismiss."), field="question_id")
    review = record_review(
        session,
        assessment_id=assessment.id,
        capability_id=capability_id,
        seen=seen,
        verdict=Verdict.DISMISSED,
        user=user,
        reason=reason,
    )
    audit_service.record(
        session,
        actor=user,
        action="answer.dismiss_evidence",
        object_type="answer",
        object_id=f"{assessment.id}/{question_id}",
        after={
            "reason": reason,
            "answered_level": review.answered_level,
            "suggested_level": review.suggested_level,
            "review_id": review.id,
        },
    )
    return review
