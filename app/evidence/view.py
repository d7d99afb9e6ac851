"""What the questionnaire shows beside a question: the evidence in the reader's words (signal names,
formatted values, sources, ages), the flag when the answer and the evidence disagree, and the dismissal
that closed one. Pure: built from what app/evidence/service.py loaded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from app.evidence.labels import format_value, signal_name, signal_note
from app.evidence.rules import Finding, Observation
from app.evidence.service import QuestionEvidence, QuestionnaireEvidence, SourceSync
from app.i18n import N_, translations
from app.kit.time import utcnow
from app.maturity.schema import Question
from app.signals.service import error_words
from app.signals.view import age

FAILED_SYNC = N_("The last sync of %(source)s failed, so this evidence is from %(age)s.")
OLD_SYNC = N_("%(source)s has not synced for a while: this evidence is from %(age)s.")


@dataclass(frozen=True)
class Seen:
    """One source's value of one signal, as shown."""

    name: str
    value: str
    source: str
    url: str | None
    """A link to the source, only when it is a web address."""
    observed_at: datetime
    age: str
    note: str
    """How the signal is measured, where that matters (e.g. a proxy)."""


@dataclass(frozen=True)
class Said:
    """One rule that holds: what it says, and the values it rests on."""

    says: str
    seen: tuple[Seen, ...]


@dataclass(frozen=True)
class Flag:
    """An answer the evidence contradicts: the answer given and why it is doubted."""

    answered: str
    reasons: tuple[Said, ...]


@dataclass(frozen=True)
class Dismissal:
    by: str
    at: datetime
    age: str
    reason: str


@dataclass(frozen=True)
class Panel:
    """The evidence beside one question."""

    question_id: str
    findings: tuple[Said, ...]
    others: tuple[Seen, ...]
    """Values the rules read that made no rule hold (shown, so people see what was measured)."""
    missing: tuple[str, ...]
    """Names of signals the rules read that no source reports."""
    flag: Flag | None
    dismissed: Dismissal | None
    from_evidence: bool
    accept_choice: str | None
    accept_level: int | None
    accept_label: str
    warnings: tuple[str, ...]
    """Evidence resting on a failed or old sync, in words."""

    @property
    def quiet(self) -> bool:
        """Nothing measured yet for this question's capability."""
        return not self.findings and not self.others


def panels(
    loaded: QuestionnaireEvidence,
    questions: dict[str, Question],
    *,
    locale: str,
    old_after: timedelta | None = None,
    now: datetime | None = None,
) -> dict[str, Panel]:
    """A panel per question that has evidence rules, in the reader's language."""
    now = now or utcnow()
    return {
        question_id: panel(seen, questions[question_id], loaded, locale=locale, old_after=old_after, now=now)
        for question_id, seen in loaded.questions.items()
        if question_id in questions
    }


def panel(
    seen: QuestionEvidence,
    question: Question,
    loaded: QuestionnaireEvidence,
    *,
    locale: str,
    old_after: timedelta | None,
    now: datetime,
) -> Panel:
    """The panel of one question."""
    evidence = seen.evidence
    said = tuple(_said(f, locale, now) for f in evidence.findings)
    used = {(o.key, o.source_id) for f in evidence.findings for o in f.observations}
    others = tuple(_seen(o, locale, now) for o in evidence.observations if (o.key, o.source_id) not in used)
    flag = None
    if seen.disagreement is not None:
        reasons = tuple(_said(f, locale, now) for f in seen.disagreement.findings)
        flag = Flag(answered=_label(question, seen, locale), reasons=reasons)
    accept = next((c for c in question.choices if c.id == seen.accept_choice), None)
    return Panel(
        question_id=question.id,
        findings=said,
        others=others,
        missing=tuple(signal_name(key, locale) for key in evidence.missing),
        flag=flag,
        dismissed=_dismissal(seen, loaded, locale, now),
        from_evidence=seen.from_evidence,
        accept_choice=accept.id if accept else None,
        accept_level=accept.level if accept else None,
        accept_label=accept.label.get(locale) if accept else "",
        warnings=_warnings(evidence.observations, loaded.syncs, locale, old_after, now),
    )


def _label(question: Question, seen: QuestionEvidence, locale: str) -> str:
    """The label of the level answered (the choice at that level), without its full stop: it is quoted."""
    choice = next((c for c in question.choices if c.level == seen.answered), None)
    return choice.label.get(locale).rstrip(".。") if choice else str(seen.answered)


def _said(finding: Finding, locale: str, now: datetime) -> Said:
    return Said(finding.rule.says.get(locale), tuple(_seen(o, locale, now) for o in finding.observations))


def _seen(observation: Observation, locale: str, now: datetime) -> Seen:
    url = observation.url if observation.url and observation.url.startswith(("https://", "http://")) else None
    return Seen(
        name=signal_name(observation.key, locale),
        value=format_value(observation.value, observation.unit, locale),
        source=observation.source_name,
        url=url,
        observed_at=observation.observed_at,
        age=age(observation.observed_at, locale=locale, now=now),
        note=signal_note(observation.key, locale),
    )


def _dismissal(
    seen: QuestionEvidence, loaded: QuestionnaireEvidence, locale: str, now: datetime
) -> Dismissal | None:
    review = seen.dismissed
    if review is None:
        return None
    by = loaded.reviewers.get(review.user_id or 0) or translations(locale).gettext("someone")
    return Dismissal(
        by=by, at=review.created_at, age=age(review.created_at, locale=locale, now=now), reason=review.reason
    )


def _warnings(
    observations: tuple[Observation, ...],
    syncs: dict[int, SourceSync],
    locale: str,
    old_after: timedelta | None,
    now: datetime,
) -> tuple[str, ...]:
    """One line per source whose evidence here rests on a failed sync, or is older than `old_after`."""
    words = translations(locale)
    oldest: dict[int, datetime] = {}
    for o in observations:
        oldest[o.source_id] = min(o.observed_at, oldest.get(o.source_id, o.observed_at))
    lines = []
    for source_id, moment in oldest.items():
        sync = syncs.get(source_id)
        name = sync.name if sync else str(source_id)
        when = age(moment, locale=locale, now=now)
        if sync is not None and sync.failing:
            error = words.gettext(error_words(sync.last_error_kind))
            lines.append(f"{words.gettext(FAILED_SYNC) % {'source': name, 'age': when}} {error}")
        elif old_after is not None and now - moment > old_after:
            lines.append(words.gettext(OLD_SYNC) % {"source": name, "age": when})
    return tuple(lines)
