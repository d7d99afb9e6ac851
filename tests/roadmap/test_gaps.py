"""From a scored assessment to the planner's gaps: what is planned, what is named apart and why."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from app.assessments.scoring import AnswerValue, score_assessment
from app.catalogue.loader import builtin_catalogue
from app.maturity.loader import builtin_models
from app.maturity.schema import MaturityModel
from app.roadmap.planner.gaps import gaps_from
from app.roadmap.planner.generate import PlanInput, generate

CI = settings(deadline=None, max_examples=50)
NA = AnswerValue(None, not_applicable=True)
START = date(2027, 4, 1)


def full_model() -> MaturityModel:
    return next(m for m in builtin_models() if m.id == "mlops-full")


def at_level(model: MaturityModel, level: int, **overrides: AnswerValue) -> dict[str, AnswerValue]:
    """Every question answered at `level`, except the ones given (question id with '_' for '-')."""
    answers = {q.id: AnswerValue(f"level-{level}") for q in model.questions()}
    return answers | {key.replace("_", "-"): value for key, value in overrides.items()}


def test_a_not_applicable_capability_has_no_gap_and_is_not_called_unanswered() -> None:
    model = full_model()
    answers = at_level(model, 1, progressive_delivery=NA, rollback=AnswerValue(None))
    found = gaps_from(score_assessment(model, answers), builtin_catalogue(), {}, 3)
    assert "progressive-delivery" not in found.gaps
    assert found.not_applicable == ("progressive-delivery",)
    assert found.unanswered == ("rollback",)
    assert found.gaps["ci-cd"] == (1, 3)


def test_a_not_applicable_capability_nothing_needs_is_not_planned() -> None:
    model = full_model()
    found = gaps_from(
        score_assessment(model, at_level(model, 1, progressive_delivery=NA)), builtin_catalogue(), {}, 3
    )
    plan = generate(
        PlanInput(gaps=found.gaps, catalogue=builtin_catalogue(), capacity_pw_per_month=[40], start=START)
    )
    planned = {w.capability_id for w in (*plan.items, *plan.beyond)}
    assert "progressive-delivery" not in planned
    assert "ci-cd" in planned


@CI
@given(st.sets(st.sampled_from([c.id for c in full_model().capabilities()]), max_size=8))
def test_marking_capabilities_not_applicable_leaves_every_other_gap_as_it_was(marked: set[str]) -> None:
    model = full_model()
    answers = at_level(model, 1)
    before = gaps_from(score_assessment(model, answers), builtin_catalogue(), {}, 3)
    skipped = {q.id: NA for c in model.capabilities() if c.id in marked for q in c.questions}
    after = gaps_from(score_assessment(model, answers | skipped), builtin_catalogue(), {}, 3)
    assert after.gaps == {c: gap for c, gap in before.gaps.items() if c not in marked}
    assert set(after.not_applicable) == marked & {c.id for c in builtin_catalogue().capabilities}
    assert after.unanswered == before.unanswered
