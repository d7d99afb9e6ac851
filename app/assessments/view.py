"""Everything the results page (and later the reports) shows, gathered in one place."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from markupsafe import Markup
from sqlalchemy.orm import Session

from app import i18n
from app.assessments import scoring, service
from app.assessments.radar import Absence, RadarAxis, RadarSeries, radar_svg
from app.assessments.targets import service as targets
from app.evidence import summary as evidence_summary
from app.i18n import N_
from app.maturity.schema import Capability, Choice, MaturityModel, Question
from app.models import Assessment

RADAR_CAPABILITY_LIMIT = 12  # beyond this the chart shows dimensions: thirty spokes are unreadable


@dataclass(frozen=True)
class NotApplicable:
    """A capability the team marked not applicable, with the reasons it gave: no level and no gap."""

    capability: Capability
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class ResultsView:
    assessment: Assessment
    model: MaturityModel
    results: scoring.Results
    previous: Assessment | None
    previous_results: scoring.Results | None
    targets: dict[str, int]
    gaps: tuple[scoring.Gap, ...]
    changes: dict[tuple[str, str], scoring.Change]
    strongest: tuple[scoring.CapabilityScore, ...]
    weakest: tuple[scoring.CapabilityScore, ...]
    unanswered: tuple[Question, ...]
    not_applicable: tuple[NotApplicable, ...] = ()
    evidence: evidence_summary.AssessmentEvidence = field(default_factory=evidence_summary.AssessmentEvidence)
    """What the team's synced evidence says beside the answers (read only by `build`, the single view)."""

    @property
    def not_applicable_dimensions(self) -> frozenset[str]:
        """Ids of the areas whose every capability is not applicable."""
        return frozenset(d.id for d in self.results.dimensions if d.is_not_applicable)

    def capability(self, capability_id: str) -> Capability:
        return next(c for c in self.model.capabilities() if c.id == capability_id)

    def change(self, kind: str, item_id: str) -> scoring.Change | None:
        return self.changes.get((kind, item_id))

    def chosen(self, question_id: str) -> Choice | None:
        """The choice the assessment's answer to `question_id` picked, if any."""
        answer = next((a for a in self.assessment.answers if a.question_id == question_id), None)
        if answer is None or answer.choice_id is None:
            return None
        question = next((q for q in self.model.questions() if q.id == question_id), None)
        return next((c for c in question.choices if c.id == answer.choice_id), None) if question else None


def build(session: Session, *, assessment: Assessment, organisation_id: int) -> ResultsView:
    """Score the assessment, find the previous one, compare, and read the team's evidence beside the
    answers, with a fixed number of queries."""
    view = build_many(session, assessments=[assessment], organisation_id=organisation_id)[assessment.id]
    one = evidence_summary.Assessed(assessment.id, assessment.team_id, view.model, assessment.answers)
    return replace(view, evidence=evidence_summary.for_assessments(session, assessed=[one])[assessment.id])


def build_many(
    session: Session, *, assessments: Sequence[Assessment], organisation_id: int
) -> dict[int, ResultsView]:
    """`build` for several assessments (of any teams) at once, with the same fixed number of queries.

    The assessments need their model loaded; their answers are read where they are not loaded."""
    if not assessments:
        return {}
    previous = service.previous_of_each(session, assessments=assessments)
    team_ids = {a.team_id for a in assessments}
    slugs = {service.model_of(a).id for a in assessments}
    goals = targets.levels_of_teams(session, organisation_id=organisation_id, team_ids=team_ids, slugs=slugs)
    scored = service.results_for(session, assessments=[*assessments, *previous.values()])
    reasons = service.not_applicable_reasons(session, assessments=assessments)
    views = {}
    for a in assessments:
        before = previous.get(a.id)
        goal = goals[(a.team_id, service.model_of(a).id)]
        views[a.id] = _view(
            a, scored[a.id], before, scored[before.id] if before else None, goal, reasons[a.id]
        )
    return views


def _view(
    assessment: Assessment,
    results: scoring.Results,
    previous: Assessment | None,
    previous_results: scoring.Results | None,
    goal: dict[str, int],
    reasons: Mapping[str, str],
) -> ResultsView:
    model = service.model_of(assessment)
    goal = {d.id: goal.get(d.id, targets.DEFAULT_TARGET) for d in model.dimensions}
    strongest, weakest = scoring.strongest_and_weakest(results)
    changes: dict[tuple[str, str], scoring.Change] = {
        (c.kind, c.id): c for c in scoring.compare(results, previous_results)
    }
    unanswered = tuple(q for q in model.questions() if q.id in set(results.unanswered))
    skipped = not_applicable(model, results, reasons)
    return ResultsView(
        assessment,
        model,
        results,
        previous,
        previous_results,
        goal,
        scoring.gaps(results, goal),
        changes,
        strongest,
        weakest,
        unanswered,
        skipped,
    )


def not_applicable(
    model: MaturityModel, results: scoring.Results, reasons: Mapping[str, str]
) -> tuple[NotApplicable, ...]:
    """The capabilities that do not apply to the team, in model order, each with its reasons (`reasons`:
    question id → why the answer does not apply)."""
    skipped = {c.id for c in results.capabilities if c.is_not_applicable}
    return tuple(
        NotApplicable(c, tuple(dict.fromkeys(r for q in c.questions if (r := reasons.get(q.id)))))
        for c in model.capabilities()
        if c.id in skipped
    )


def radar(view: ResultsView, *, locale: str, font_family: str | None = None) -> Markup:
    """The radar chart, labelled in `locale`: capabilities when there are few enough, else dimensions."""
    i18n.current_locale.set(locale)
    names = {
        "current": i18n.gettext(N_("This assessment")),
        "target": i18n.gettext(N_("Target")),
        "previous": i18n.gettext(N_("Previous assessment")),
    }
    title = i18n.gettext(N_("Maturity by area compared with the target"))
    absence = Absence(
        mark=i18n.gettext(N_("(not applicable)")),
        legend=i18n.gettext(N_("(not applicable): marked not applicable by the team, so no level")),
    )
    by_capability = len(view.model.capabilities()) <= RADAR_CAPABILITY_LIMIT
    if by_capability:
        items = view.model.capabilities()
        scores = view.results.capabilities
        axes = [
            RadarAxis(c.name.get(locale), s.is_not_applicable) for c, s in zip(items, scores, strict=True)
        ]
        current = [s.level for s in scores]
        target = [float(view.targets[c_dim]) for c_dim in _dimension_of_each(view.model)]
        before = _previous(view, "capabilities", [c.id for c in items])
    else:
        dimensions = zip(view.model.dimensions, view.results.dimensions, strict=True)
        axes = [RadarAxis(d.name.get(locale), s.is_not_applicable) for d, s in dimensions]
        current = [s.level for s in view.results.dimensions]
        target = [float(view.targets[d.id]) for d in view.model.dimensions]
        before = _previous(view, "dimensions", [d.id for d in view.model.dimensions])
    series = [RadarSeries(names["target"], target, "radar-target")]
    if before is not None:
        levels, skipped = before
        series.append(RadarSeries(names["previous"], levels, "radar-previous", skipped))
    series.append(RadarSeries(names["current"], current, "radar-current"))
    svg = radar_svg(axes, series, title=title, font_family=font_family, absence=absence)
    return Markup(svg)  # noqa: S704 - it escapes all text


def _dimension_of_each(model: MaturityModel) -> list[str]:
    return [d.id for d in model.dimensions for _ in d.capabilities]


def _previous(
    view: ResultsView, kind: str, ids: list[str]
) -> tuple[list[float | None], frozenset[int]] | None:
    """Last time's levels in this chart's order, matched by id (the model version may differ), and
    the positions that did not apply then."""
    if view.previous_results is None:
        return None
    scores = getattr(view.previous_results, kind)
    levels = {score.id: score.level for score in scores}
    skipped = {score.id for score in scores if score.is_not_applicable}
    return [levels.get(i) for i in ids], frozenset(n for n, i in enumerate(ids) if i in skipped)
