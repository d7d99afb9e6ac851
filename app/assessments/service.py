"""Assessments: start (fresh or as a copy), answer with optimistic concurrency, submit, reopen, score.
Services take a session and keyword arguments and only flush; the request or job commits."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, selectinload
from sqlalchemy.orm.exc import StaleDataError

from app.assessments.scoring import AnswerValue, Results, score_assessment
from app.audit import service as audit_service
from app.errors import BadInput, Conflict, NotFound
from app.evidence import service as evidence_service
from app.i18n import N_
from app.kit import limits, urls
from app.kit.lru import Lru
from app.maturity import service as maturity_service
from app.maturity.schema import MAX_LEVEL, MIN_LEVEL, MaturityModel, Question
from app.models import (
    Answer,
    Assessment,
    AssessmentStatus,
    EvidenceReview,
    MaturityModelVersion,
    Membership,
    Role,
    User,
    Verdict,
)

LOCKED = N_("This assessment is submitted and locked. A manager can reopen it.")


@dataclass(frozen=True)
class AnswerInput:
    choice_id: str | None
    not_applicable: bool = False
    na_reason: str = ""
    note: str = ""
    evidence_links: tuple[str, ...] = ()
    expected_version: int = 0  # the version the person saw; 0 = they saw no answer


class AnswerConflict(Conflict):
    """Someone saved this answer since the person loaded it; carries the stored answer to show them."""

    message = N_("Someone else saved this answer while you were editing. Their answer is shown below.")

    def __init__(self, current: Answer | None) -> None:
        super().__init__()
        self.current = current


class AssessmentExists(BadInput):
    """The team already has an assessment of this model version for the period; carries it, to link to."""

    def __init__(self, existing: Assessment) -> None:
        message = (
            N_("This team already has a draft of this model for %(period)s.")
            if existing.status == AssessmentStatus.DRAFT
            else N_("This team already has a submitted assessment of this model for %(period)s.")
        )
        super().__init__(message, field="period", period=existing.period)
        self.existing = existing


def get(session: Session, *, assessment_id: int, answers: bool = True) -> Assessment:
    """An assessment with its team and model version loaded, and its answers unless `answers` is false
    (a save needs one answer, and loading every answer was a quarter of its time)."""
    options = [joinedload(Assessment.team), joinedload(Assessment.model)]
    if answers:
        options.append(selectinload(Assessment.answers))
    assessment = session.scalars(
        select(Assessment)
        .options(*options)
        .where(Assessment.id == assessment_id)
        .execution_options(populate_existing=True)  # a re-read after a save must see the new answers
    ).first()
    if assessment is None:
        raise NotFound
    return assessment


def model_of(assessment: Assessment) -> MaturityModel:
    return maturity_service.parsed(assessment.model)


def list_for_team(session: Session, *, team_id: int) -> list[Assessment]:
    """The team's assessments, newest period first."""
    return list(
        session.scalars(
            select(Assessment)
            .options(joinedload(Assessment.model))
            .where(Assessment.team_id == team_id)
            .order_by(Assessment.period.desc(), Assessment.id.desc())
        )
    )


def last_of_team(
    session: Session, *, team_id: int, slug: str, before: Assessment | None = None
) -> Assessment | None:
    """The team's most recent submitted assessment of a model (any version), optionally before another."""
    query = (
        select(Assessment)
        .join(Assessment.model)
        .options(joinedload(Assessment.model), selectinload(Assessment.answers))
        .where(
            Assessment.team_id == team_id,
            Assessment.status == AssessmentStatus.SUBMITTED,
            MaturityModelVersion.slug == slug,
        )
        .order_by(Assessment.period.desc(), Assessment.submitted_at.desc())
    )
    if before is not None:
        query = query.where(Assessment.id != before.id, Assessment.period <= before.period)
    return session.scalars(query).first()


def previous_of_each(session: Session, *, assessments: Sequence[Assessment]) -> dict[int, Assessment]:
    """For each assessment, `last_of_team(..., before=it)` with its model (not its answers: `results_for`
    scores it), in two queries whatever their number."""
    slug_of = {a.id: a.model.slug for a in assessments}
    candidates = session.execute(
        select(Assessment.id, Assessment.team_id, Assessment.period, MaturityModelVersion.slug)
        .join(Assessment.model)
        .where(
            Assessment.team_id.in_({a.team_id for a in assessments}),
            Assessment.status == AssessmentStatus.SUBMITTED,
            MaturityModelVersion.slug.in_(set(slug_of.values())),
        )
        .order_by(Assessment.period.desc(), Assessment.submitted_at.desc())
    ).all()
    by_series: dict[tuple[int, str], list[Any]] = {}  # (team, model) → its candidates, newest first
    for c in candidates:
        by_series.setdefault((c.team_id, c.slug), []).append(c)
    chosen: dict[int, int] = {}
    for a in assessments:
        series = by_series.get((a.team_id, slug_of[a.id]), [])
        found = next((c.id for c in series if c.id != a.id and c.period <= a.period), None)
        if found is not None:
            chosen[a.id] = found
    if not chosen:
        return {}
    rows = session.scalars(
        select(Assessment)
        .options(joinedload(Assessment.model))
        .where(Assessment.id.in_(set(chosen.values())))
    ).all()
    by_id = {row.id: row for row in rows}
    return {a_id: by_id[p_id] for a_id, p_id in chosen.items()}


def visible_assessments(session: Session, *, user: User, team_id: int | None) -> list[Assessment]:
    """Assessments of teams the user may see, newest period first."""
    query = (
        select(Assessment)
        .options(joinedload(Assessment.model), selectinload(Assessment.answers))
        .order_by(Assessment.period.desc(), Assessment.id.desc())
    )
    if team_id is not None:
        query = query.where(Assessment.team_id == team_id)
    if user.role not in (Role.ADMIN, Role.VIEWER):
        member_of = select(Membership.team_id).where(Membership.user_id == user.id)
        query = query.where(Assessment.team_id.in_(member_of))
    return list(session.scalars(query))


def start(
    session: Session,
    *,
    team_id: int,
    model_row: MaturityModelVersion,
    period: str,
    user: User,
    copy_last: bool,
) -> Assessment:
    """A new draft for the team and period, optionally pre-filled from the team's last submitted one."""
    assessment = Assessment(
        team_id=team_id,
        model_id=model_row.id,
        period=period,
        status=AssessmentStatus.DRAFT,
        created_by_id=user.id,
    )
    try:
        with session.begin_nested():
            session.add(assessment)
            session.flush()
    except IntegrityError:
        same = (
            Assessment.team_id == team_id,
            Assessment.model_id == model_row.id,
            Assessment.period == period,
        )
        existing = session.scalars(select(Assessment).where(*same)).one()
        raise AssessmentExists(existing) from None
    if copy_last:
        previous = last_of_team(session, team_id=team_id, slug=model_row.slug)
        if previous is not None:
            assessment.copied_from_id = previous.id
            _carry_over(session, target=assessment, source=previous, model=maturity_service.parsed(model_row))
    audit_service.changed(
        session,
        actor=user,
        obj=assessment,
        verb="start",
        after={"team_id": team_id, "model": f"{model_row.slug}@{model_row.version}", "period": period},
    )
    return assessment


def _carry_over(session: Session, *, target: Assessment, source: Assessment, model: MaturityModel) -> None:
    """Copy answers whose question and choice still exist; they stay marked until confirmed."""
    for old in source.answers:
        question = model.question(old.question_id)
        if question is None or (old.choice_id and old.choice_id not in {c.id for c in question.choices}):
            continue
        session.add(
            Answer(
                assessment_id=target.id,
                question_id=old.question_id,
                choice_id=old.choice_id,
                not_applicable=old.not_applicable,
                na_reason=old.na_reason,
                note=old.note,
                evidence_links=list(old.evidence_links),
                carried_over=True,
                answered_by_id=old.answered_by_id,
                answered_at=old.answered_at,
            )
        )
    session.flush()


def save_answer(
    session: Session,
    *,
    assessment: Assessment,
    question_id: str,
    data: AnswerInput,
    user: User,
    now: datetime,
) -> Answer:
    """Save one answer unless someone else saved it since `data.expected_version` (then AnswerConflict)."""
    if assessment.status != AssessmentStatus.DRAFT:
        raise Conflict(LOCKED)
    question = model_of(assessment).question(question_id)
    if question is None:
        raise NotFound(N_("This assessment has no question %(id)s."), field="question_id", id=question_id)
    needs_reason = _validate(question, data)
    current = _stored(session, assessment.id, question_id)
    if (current.version_id if current else 0) != data.expected_version:
        raise AnswerConflict(current)
    before = _answer_dict(current) if current else None
    answer = current or Answer(assessment_id=assessment.id, question_id=question_id)
    try:
        with session.begin_nested():  # a losing write rolls back to here and leaves nothing pending
            _apply(answer, data, user, now, keep_reason=needs_reason)
            session.add(answer)
            session.flush()
    except (IntegrityError, StaleDataError):  # a concurrent save won between our read and our write
        session.expire_all()
        raise AnswerConflict(_stored(session, assessment.id, question_id)) from None
    audit_service.record(
        session,
        actor=user,
        action="answer.save",
        object_type="answer",
        object_id=f"{assessment.id}/{question_id}",
        before=before,
        after=_answer_dict(answer),
    )
    return answer


def accept_evidence(
    session: Session,
    *,
    assessment: Assessment,
    question_id: str,
    expected_version: int,
    expected_choice: str | None,
    user: User,
    now: datetime,
) -> tuple[Answer, EvidenceReview]:
    """Make the level the team's evidence suggests the answer (recorded as from evidence, with a review,
    audited), unless someone saved the answer since `expected_version` (AnswerConflict, as for a save).
    `expected_choice`, when given, is the choice the person saw offered: the evidence must still offer it."""
    if assessment.status != AssessmentStatus.DRAFT:
        raise Conflict(LOCKED)
    model = model_of(assessment)
    capability_id = evidence_service.capability_of(model, question_id)
    if capability_id is None:
        raise NotFound(N_("This assessment has no question %(id)s."), field="question_id", id=question_id)
    current = _stored(session, assessment.id, question_id)
    if (current.version_id if current else 0) != expected_version:
        raise AnswerConflict(current)
    seen = evidence_service.one_question(
        session,
        assessment_id=assessment.id,
        team_id=assessment.team_id,
        model=model,
        answer=current,
        question_id=question_id,
    )
    if seen is None or seen.accept_choice is None:
        raise Conflict(N_("The evidence suggests no other answer to this question."), field="question_id")
    if expected_choice is not None and expected_choice != seen.accept_choice:
        message = N_("The evidence changed since you loaded the page. Look at it again before accepting.")
        raise Conflict(message, field="choice_id")
    before = _answer_dict(current) if current else None
    answer = current or Answer(assessment_id=assessment.id, question_id=question_id)
    try:
        with session.begin_nested():
            answer.choice_id, answer.not_applicable, answer.na_reason = seen.accept_choice, False, ""
            answer.carried_over, answer.from_evidence = False, True
            answer.answered_by_id, answer.answered_at = user.id, now
            session.add(answer)
            session.flush()
    except (IntegrityError, StaleDataError):
        session.expire_all()
        raise AnswerConflict(_stored(session, assessment.id, question_id)) from None
    review = evidence_service.record_review(
        session,
        assessment_id=assessment.id,
        capability_id=capability_id,
        seen=seen,
        verdict=Verdict.ACCEPTED,
        user=user,
    )
    audit_service.record(
        session,
        actor=user,
        action="answer.accept_evidence",
        object_type="answer",
        object_id=f"{assessment.id}/{question_id}",
        before=before,
        after={
            **_answer_dict(answer),
            "from_evidence": True,
            "level": review.suggested_level,
            "review_id": review.id,
        },
    )
    return answer, review


def _stored(session: Session, assessment_id: int, question_id: str) -> Answer | None:
    return session.scalars(
        select(Answer).where(Answer.assessment_id == assessment_id, Answer.question_id == question_id)
    ).first()


def _validate(question: Question, data: AnswerInput) -> bool:
    """Refuse an answer the question does not allow; true when the answer needs (and has) a reason."""
    choices = {c.id: c for c in question.choices}
    if data.choice_id is not None and data.choice_id not in choices:
        raise BadInput(
            N_("%(choice)s is not a choice of this question."), field="choice_id", choice=data.choice_id
        )
    not_applicable = data.not_applicable or (
        data.choice_id is not None and choices[data.choice_id].level is None
    )
    if data.not_applicable and not question.allow_na:
        raise BadInput(N_("This question cannot be marked not applicable."), field="not_applicable")
    if not_applicable and not data.na_reason.strip():
        raise BadInput(N_("Say why this question does not apply."), field="na_reason")
    _check_text(data.na_reason, limits.REASON, "na_reason")
    _check_text(data.note, limits.NOTE, "note", multiline=True)
    if len(data.evidence_links) > limits.EVIDENCE_LINKS:
        message = N_("At most %(max)d evidence links, please.")
        raise BadInput(message, field="evidence_links", max=limits.EVIDENCE_LINKS)
    for link in data.evidence_links:
        _check_text(link, limits.URL, "evidence_links")
        if not urls.is_web_address(link):
            raise BadInput(N_("Evidence links must be http or https addresses."), field="evidence_links")
    return not_applicable


def _check_text(value: str, limit: int, field: str, *, multiline: bool = False) -> None:
    try:
        limits.check(value, limit, multiline=multiline)
    except limits.TextError as error:
        raise BadInput(error.message, field=field, **error.params) from None


def _apply(answer: Answer, data: AnswerInput, user: User, now: datetime, *, keep_reason: bool) -> None:
    """Write the input onto the row; a reason left in the form after choosing a level is not kept. A person
    choosing another answer than the one accepted from evidence makes it theirs (a note alone does not)."""
    choice_id = None if data.not_applicable else data.choice_id
    if (answer.choice_id, bool(answer.not_applicable)) != (choice_id, data.not_applicable):
        answer.from_evidence = False
    answer.choice_id = choice_id
    answer.not_applicable = data.not_applicable
    answer.na_reason = data.na_reason.strip() if keep_reason else ""
    answer.note = limits.normalise_newlines(data.note).strip()
    answer.evidence_links = list(data.evidence_links)
    answer.carried_over = False
    answer.answered_by_id = user.id
    answer.answered_at = now


def _answer_dict(answer: Answer) -> dict[str, Any]:
    return {
        "choice_id": answer.choice_id,
        "not_applicable": answer.not_applicable,
        "na_reason": answer.na_reason,
        "note": answer.note,
        "evidence_links": list(answer.evidence_links or []),
        "from_evidence": bool(answer.from_evidence),
    }


def submit(session: Session, *, assessment: Assessment, user: User, now: datetime) -> None:
    """Lock the assessment; its results become the team's current standing."""
    if assessment.status != AssessmentStatus.DRAFT:
        raise Conflict(N_("This assessment is already submitted."))
    assessment.submitted_at = now
    assessment.submitted_by_id = user.id
    _move(session, assessment=assessment, user=user, to=AssessmentStatus.SUBMITTED, verb="submit")


def reopen(session: Session, *, assessment: Assessment, user: User) -> None:
    """Unlock a submitted assessment for changes (recorded in the audit log)."""
    if assessment.status != AssessmentStatus.SUBMITTED:
        raise Conflict(N_("Only a submitted assessment can be reopened."))
    _move(session, assessment=assessment, user=user, to=AssessmentStatus.DRAFT, verb="reopen")


def _move(session: Session, *, assessment: Assessment, user: User, to: AssessmentStatus, verb: str) -> None:
    """Give the assessment status `to`, recorded in the audit log as `verb` from its status before."""
    before = {"status": str(assessment.status)}
    assessment.status = to
    audit_service.changed(
        session, actor=user, obj=assessment, verb=verb, before=before, after={"status": str(to)}
    )
    session.flush()


def parse_period(text: str) -> str:
    """A period label such as 2026-Q4 (spaces and lower case forgiven), years 2000–2100."""
    try:
        return limits.period(text)
    except limits.TextError as error:
        raise BadInput(error.message, field="period", **error.params) from None


TARGET_LEVEL = N_("A target is a level from 0 to 4.")


def parse_target_levels(model: MaturityModel, form: Mapping[str, str]) -> dict[str, int | None]:
    """Target levels from `target-<dimension>` fields: 0–4, or empty for the organisation default."""
    wanted: dict[str, int | None] = {}
    for dimension in model.dimensions:
        raw = form.get(f"target-{dimension.id}", "").strip()
        if raw == "":
            wanted[dimension.id] = None
        elif raw.isdecimal() and MIN_LEVEL <= int(raw) <= MAX_LEVEL:
            wanted[dimension.id] = int(raw)
        else:
            raise BadInput(TARGET_LEVEL, field=f"target-{dimension.id}")
    return wanted


def target_levels(model: MaturityModel, given: Mapping[str, int | None]) -> dict[str, int | None]:
    """Every dimension's target from `given` (the API's `levels`): 0–4, or None or left out for the
    default; BadInput naming `levels.<dimension>` for a level out of range or a dimension not in `model`."""
    known = {dimension.id for dimension in model.dimensions}
    for dimension_id, level in given.items():
        if dimension_id not in known:
            message = N_("This model has no dimension %(id)s.")
            raise BadInput(message, field=f"levels.{dimension_id}", id=dimension_id)
        if level is not None and not MIN_LEVEL <= level <= MAX_LEVEL:
            raise BadInput(TARGET_LEVEL, field=f"levels.{dimension_id}")
    return {dimension.id: given.get(dimension.id) for dimension in model.dimensions}


@dataclass(frozen=True)
class Progress:
    answered: int
    total: int
    by_dimension: dict[str, tuple[int, int]]

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.total) if self.total else 0


class AnswerState(Protocol):
    """What progress reads of an answer: an `Answer`, or a row of `answer_states`."""

    @property
    def choice_id(self) -> str | None: ...
    @property
    def not_applicable(self) -> bool: ...
    @property
    def carried_over(self) -> bool: ...


def answer_states(session: Session, *, assessment_id: int) -> dict[str, AnswerState]:
    """The assessment's answers as progress reads them, in one query of four columns."""
    columns = (Answer.question_id, Answer.choice_id, Answer.not_applicable, Answer.carried_over)
    rows = session.execute(select(*columns).where(Answer.assessment_id == assessment_id))
    return {row.question_id: row for row in rows}


def progress(model: MaturityModel, answers: Mapping[str, AnswerState]) -> Progress:
    """Answered questions per dimension and overall (carried-over answers count once confirmed)."""
    by_dimension = {}
    for dimension in model.dimensions:
        questions = [q for c in dimension.capabilities for q in c.questions]
        done = sum(1 for q in questions if _is_answered(answers.get(q.id)))
        by_dimension[dimension.id] = (done, len(questions))
    answered = sum(done for done, _ in by_dimension.values())
    return Progress(answered, sum(total for _, total in by_dimension.values()), by_dimension)


def _is_answered(answer: AnswerState | None) -> bool:
    return (
        answer is not None
        and not answer.carried_over
        and (answer.choice_id is not None or answer.not_applicable)
    )


def people_names(session: Session, *, answers: Sequence[Answer]) -> dict[int, str]:
    """Names of the people who gave these answers, in one query."""
    ids = {a.answered_by_id for a in answers if a.answered_by_id is not None}
    if not ids:
        return {}
    return {row.id: row.name for row in session.execute(select(User.id, User.name).where(User.id.in_(ids)))}


def answer_values(answers: Sequence[Answer]) -> dict[str, AnswerValue]:
    return {a.question_id: AnswerValue(a.choice_id, a.not_applicable) for a in answers}


def answers_by_assessment(
    session: Session, *, assessment_ids: Sequence[int]
) -> dict[int, dict[str, AnswerValue]]:
    """Answers of several assessments in one query, as the scoring code reads them (only the columns
    scoring needs: whole rows with notes and evidence links cost most of the dashboard's time)."""
    out: dict[int, dict[str, AnswerValue]] = {i: {} for i in assessment_ids}
    if not assessment_ids:
        return out
    columns = (Answer.assessment_id, Answer.question_id, Answer.choice_id, Answer.not_applicable)
    for assessment_id, question_id, choice_id, not_applicable in session.execute(
        select(*columns).where(Answer.assessment_id.in_(assessment_ids))
    ):
        out[assessment_id][question_id] = AnswerValue(choice_id, not_applicable)
    return out


def results_for(session: Session, *, assessments: Sequence[Assessment]) -> dict[int, Results]:
    """Scored results for assessments whose `model` is loaded, with one query for the answers of those
    not scored before (none for those whose answers are loaded). A submitted assessment's answers are
    locked until it is reopened, which moves its version on (as submitting again does), so its results
    are kept for the same id, version and moment of submission: pages over a whole organisation's
    quarters score each once per process."""
    out = {a.id: found for a in assessments if (found := _scored.get(_identity(a))) is not None}
    missing = [a for a in assessments if a.id not in out]
    loaded = {a.id: answer_values(a.answers) for a in missing if _answers_loaded(a)}
    unread = [a.id for a in missing if a.id not in loaded]
    answers = loaded | answers_by_assessment(session, assessment_ids=unread)
    for a in missing:
        out[a.id] = score_assessment(maturity_service.parsed(a.model), answers[a.id])
        if a.status == AssessmentStatus.SUBMITTED:
            _scored.put(_identity(a), out[a.id])
    return out


def not_applicable_reasons(
    session: Session, *, assessments: Sequence[Assessment]
) -> dict[int, dict[str, str]]:
    """Why each answer marked not applicable does not apply (assessment id → question id → reason, blank
    reasons left out), from the answers where they are loaded, with one query for the others."""
    out = {
        a.id: {x.question_id: x.na_reason.strip() for x in a.answers if x.not_applicable}
        for a in assessments
        if _answers_loaded(a)
    }
    unread = [a.id for a in assessments if a.id not in out]
    out |= {i: {} for i in unread}
    if unread:
        for assessment_id, question_id, reason in session.execute(
            select(Answer.assessment_id, Answer.question_id, Answer.na_reason).where(
                Answer.assessment_id.in_(unread), Answer.not_applicable.is_(True)
            )
        ):
            out[assessment_id][question_id] = reason.strip()
    return {i: {q: r for q, r in found.items() if r} for i, found in out.items()}


def _answers_loaded(assessment: Assessment) -> bool:
    return "answers" not in inspect(assessment).unloaded


def _identity(assessment: Assessment) -> tuple[int, int, int, datetime | None]:
    return assessment.id, assessment.version_id, assessment.model_id, assessment.submitted_at


SCORED_KEPT = 4096  # a hundred teams' dozen quarters of two models, with room to spare (a few kB each)
_scored: Lru[tuple[int, int, int, datetime | None], Results] = Lru(SCORED_KEPT)
