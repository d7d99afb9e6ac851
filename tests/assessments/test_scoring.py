"""Scoring: worked examples for each strategy, then the invariants as property tests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from random import Random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.assessments.scoring import (
    AnswerValue,
    Results,
    compare,
    gaps,
    score_assessment,
    strongest_and_weakest,
)
from app.maturity.schema import (
    Band,
    Capability,
    Choice,
    Dimension,
    MaturityModel,
    Question,
    Scoring,
    ScoringStrategy,
    Text,
)

MEAN = ScoringStrategy.MEAN
WEAKEST = ScoringStrategy.WEAKEST_LINK
ML_TEST = ScoringStrategy.ML_TEST_SCORE
CI = settings(deadline=None, max_examples=100)

# Maturity questions offer levels 0-4; ML Test Score questions offer not done / manual / automated.
LEVEL_CHOICES = tuple(Choice(id=f"l{n}", label=Text(en=f"L{n}", ja=f"L{n}"), level=n) for n in range(5))
TEST_CHOICES = (
    Choice(id="no", label=Text(en="No", ja="なし"), level=0, points=0),
    Choice(id="manual", label=Text(en="Manual", ja="手動"), level=2, points=0.5),
    Choice(id="auto", label=Text(en="Automated", ja="自動"), level=3, points=1),
)
NOT_APPLICABLE = Choice(id="na", label=Text(en="N/A", ja="対象外"), level=None)


def text(value: str) -> Text:
    return Text(en=value, ja=value)


def make_model(
    spec: Mapping[str, Mapping[str, int]],
    *,
    strategy: ScoringStrategy = MEAN,
    weights: Mapping[str, float] | None = None,
    bands: Sequence[float] = (),
) -> MaturityModel:
    """A model from {dimension: {capability: number of questions}}; questions are '<capability>-q<n>'."""
    weights = weights or {}
    choices = (*(TEST_CHOICES if strategy is ML_TEST else LEVEL_CHOICES), NOT_APPLICABLE)

    def capability(capability_id: str, count: int) -> Capability:
        questions = tuple(
            Question(id=f"{capability_id}-q{n}", text=text("?"), choices=choices) for n in range(count)
        )
        weight = weights.get(capability_id, 1.0)
        return Capability(id=capability_id, name=text(capability_id), weight=weight, questions=questions)

    dimensions = tuple(
        Dimension(
            id=dimension_id,
            name=text(dimension_id),
            weight=weights.get(dimension_id, 1.0),
            capabilities=tuple(capability(c, n) for c, n in capabilities.items()),
        )
        for dimension_id, capabilities in spec.items()
    )
    scoring = Scoring(strategy=strategy, bands=tuple(Band(min_score=m, label=text(str(m))) for m in bands))
    return MaturityModel(id="test", version="1", name=text("Test"), scoring=scoring, dimensions=dimensions)


def pick(**choices: str) -> dict[str, AnswerValue]:
    """Answers from keyword arguments: question id (with '_' for '-') = choice id."""
    return {question.replace("_", "-"): AnswerValue(choice) for question, choice in choices.items()}


def levels(results: Results) -> dict[str, float | None]:
    return {
        **{c.id: c.level for c in results.capabilities},
        **{d.id: d.level for d in results.dimensions},
        "overall": results.overall,
    }


# --- worked examples --------------------------------------------------------------------------


def test_mean_weights_capabilities_and_dimensions() -> None:
    model = make_model(
        {"dev": {"ci": 1, "review": 1}, "ops": {"deploy": 2}},
        weights={"review": 3.0, "ops": 2.0},
    )
    results = score_assessment(model, pick(ci_q0="l4", review_q0="l0", deploy_q0="l1", deploy_q1="l4"))
    assert levels(results) == {
        "ci": 4.0,
        "review": 0.0,
        "deploy": 2.5,
        "dev": 1.0,  # (4 * 1 + 0 * 3) / 4
        "ops": 2.5,
        "overall": pytest.approx((1.0 * 1 + 2.5 * 2) / 3),
    }


def test_weakest_link_takes_the_minimum_at_every_level() -> None:
    model = make_model({"dev": {"ci": 2, "review": 1}, "ops": {"deploy": 1}}, strategy=WEAKEST)
    results = score_assessment(model, pick(ci_q0="l3", ci_q1="l1", review_q0="l4", deploy_q0="l2"))
    assert levels(results) == {
        "ci": 1.0,
        "review": 4.0,
        "deploy": 2.0,
        "dev": 1.0,
        "ops": 2.0,
        "overall": 1.0,
    }


def test_floor_is_the_lowest_capability_level_in_the_dimension() -> None:
    model = make_model({"dev": {"ci": 1, "review": 1, "tests": 1}})
    results = score_assessment(model, pick(ci_q0="l4", review_q0="l1"))
    assert results.dimensions[0].floor == 1.0
    assert results.dimensions[0].level == 2.5


def test_ml_test_score_sums_sections_and_takes_the_lowest_as_final() -> None:
    model = make_model({"data": {"schema": 2}, "infra": {"repro": 2}}, strategy=ML_TEST, bands=(0, 0.5, 1, 2))
    results = score_assessment(model, pick(schema_q0="auto", schema_q1="manual", repro_q0="manual"))
    assert results.ml_test_score is not None
    sections = {s.id: (s.points, s.max_points) for s in results.ml_test_score.sections}
    assert sections == {"data": (1.5, 2), "infra": (0.5, 2)}
    assert results.ml_test_score.final == 0.5
    assert results.ml_test_score.band_index == 1


def test_ml_test_score_still_gives_mean_levels_for_the_radar_chart() -> None:
    model = make_model({"data": {"schema": 2}}, strategy=ML_TEST)
    results = score_assessment(model, pick(schema_q0="auto", schema_q1="manual"))
    assert levels(results) == {"schema": 2.5, "data": 2.5, "overall": 2.5}


def test_ml_test_score_gives_zero_points_for_not_applicable_and_unanswered() -> None:
    model = make_model({"data": {"schema": 3}}, strategy=ML_TEST, bands=(0, 1))
    answers = {"schema-q0": AnswerValue("auto"), "schema-q1": AnswerValue(None, not_applicable=True)}
    results = score_assessment(model, answers)
    assert results.ml_test_score is not None
    assert results.ml_test_score.final == 1.0
    assert results.ml_test_score.band_index == 1
    assert results.unanswered == ("schema-q2",)


def test_ml_test_band_is_none_below_the_lowest_band() -> None:
    model = make_model({"data": {"schema": 1}}, strategy=ML_TEST, bands=(0.5, 1))
    results = score_assessment(model, pick(schema_q0="no"))
    assert results.ml_test_score is not None
    assert results.ml_test_score.band_index is None


def test_other_strategies_have_no_ml_test_score() -> None:
    model = make_model({"dev": {"ci": 1}})
    assert score_assessment(model, pick(ci_q0="l2")).ml_test_score is None


def test_not_applicable_answers_are_left_out_of_the_level() -> None:
    model = make_model({"dev": {"ci": 3, "review": 1}})
    answers = {
        "ci-q0": AnswerValue("l2"),
        "ci-q1": AnswerValue("na"),  # a choice whose level is None
        "ci-q2": AnswerValue(None, not_applicable=True),
        "review-q0": AnswerValue(None, not_applicable=True),
    }
    results = score_assessment(model, answers)
    ci, review = results.capabilities
    assert (ci.level, ci.answered, ci.not_applicable, ci.total) == (2.0, 3, 2, 3)
    assert (review.level, review.answered, review.not_applicable) == (None, 1, 1)
    assert results.dimensions[0].level == 2.0
    assert (results.answered, results.total, results.unanswered) == (4, 4, ())


def test_a_capability_is_not_applicable_only_when_every_question_is() -> None:
    model = make_model({"dev": {"ci": 2, "review": 2, "docs": 2}})
    answers = {
        "ci-q0": AnswerValue(None, not_applicable=True),
        "ci-q1": AnswerValue("na"),
        "review-q0": AnswerValue(None, not_applicable=True),
        "review-q1": AnswerValue("l2"),
        "docs-q0": AnswerValue(None, not_applicable=True),  # docs-q1 unanswered
    }
    ci, review, docs = score_assessment(model, answers).capabilities
    assert (ci.is_not_applicable, review.is_not_applicable, docs.is_not_applicable) == (True, False, False)


def test_an_area_whose_capabilities_are_all_not_applicable_has_no_level_floor_or_gap() -> None:
    model = make_model({"dev": {"ci": 1}, "serving": {"canary": 2, "shadow": 1}})
    answers = {
        "ci-q0": AnswerValue("l1"),
        "canary-q0": AnswerValue(None, not_applicable=True),
        "canary-q1": AnswerValue(None, not_applicable=True),
        "shadow-q0": AnswerValue(None, not_applicable=True),
    }
    results = score_assessment(model, answers)
    dev, serving = results.dimensions
    assert (serving.level, serving.floor, serving.is_not_applicable) == (None, None, True)
    assert not dev.is_not_applicable
    assert results.overall == 1.0
    assert [(g.dimension_id, g.gap) for g in gaps(results, {"dev": 3, "serving": 3})] == [("dev", 2.0)]


def test_an_area_with_some_not_applicable_capabilities_is_measured_on_the_others() -> None:
    model = make_model({"serving": {"canary": 1, "rollback": 1}})
    answers = {"canary-q0": AnswerValue(None, not_applicable=True), "rollback-q0": AnswerValue("l2")}
    results = score_assessment(model, answers)
    assert (results.dimensions[0].level, results.dimensions[0].is_not_applicable) == (2.0, False)
    assert [(g.current, g.gap) for g in gaps(results, {"serving": 3})] == [(2.0, 1.0)]


def test_not_applicable_flag_wins_over_a_chosen_level() -> None:
    model = make_model({"dev": {"ci": 2}})
    answers = {"ci-q0": AnswerValue("l4", not_applicable=True), "ci-q1": AnswerValue("l1")}
    assert score_assessment(model, answers).capabilities[0].level == 1.0


@pytest.mark.parametrize("strategy", list(ScoringStrategy))
def test_empty_answers_give_no_levels_and_list_every_question_as_unanswered(
    strategy: ScoringStrategy,
) -> None:
    model = make_model({"dev": {"ci": 2}, "ops": {"deploy": 1}}, strategy=strategy)
    results = score_assessment(model, {})
    assert set(levels(results).values()) == {None}
    assert all(d.floor is None for d in results.dimensions)
    assert results.unanswered == ("ci-q0", "ci-q1", "deploy-q0")
    assert (results.answered, results.total) == (0, 3)


def test_a_cleared_answer_counts_as_unanswered() -> None:
    model = make_model({"dev": {"ci": 2}})
    results = score_assessment(model, {"ci-q0": AnswerValue(None), "ci-q1": AnswerValue("l3")})
    assert results.unanswered == ("ci-q0",)
    assert results.capabilities[0].level == 3.0


def test_unknown_question_id_is_refused_by_name() -> None:
    model = make_model({"dev": {"ci": 1}})
    with pytest.raises(ValueError, match="nope"):
        score_assessment(model, {"nope": AnswerValue("l1")})


def test_unknown_choice_id_is_refused_by_name() -> None:
    model = make_model({"dev": {"ci": 1}})
    with pytest.raises(ValueError, match=r"ci-q0.*'l9'"):
        score_assessment(model, pick(ci_q0="l9"))


# --- results page helpers ---------------------------------------------------------------------


def test_strongest_and_weakest_break_ties_in_model_order() -> None:
    model = make_model({"dev": {"a": 1, "b": 1, "c": 1, "d": 1, "e": 1, "f": 1, "g": 1}})
    answers = pick(a_q0="l2", b_q0="l4", c_q0="l4", d_q0="l0", e_q0="l0", f_q0="l3")  # g unanswered
    strongest, weakest = strongest_and_weakest(score_assessment(model, answers), n=2)
    assert [c.id for c in strongest] == ["b", "c"]
    assert [c.id for c in weakest] == ["d", "e"]


def test_strongest_and_weakest_never_list_a_capability_twice() -> None:
    model = make_model({"dev": {"a": 1, "b": 1, "c": 1}})
    strongest, weakest = strongest_and_weakest(score_assessment(model, pick(a_q0="l1", b_q0="l1", c_q0="l1")))
    assert [c.id for c in strongest] == ["a"]
    assert [c.id for c in weakest] == ["b"]


def test_gaps_measure_shortfall_against_targets_and_count_unscored_as_zero() -> None:
    model = make_model({"dev": {"ci": 1}, "ops": {"deploy": 1}, "org": {"docs": 1}})
    results = score_assessment(model, pick(ci_q0="l3", deploy_q0="l1"))
    found = {
        g.dimension_id: (g.current, g.target, g.gap) for g in gaps(results, {"dev": 2, "ops": 3, "org": 2})
    }
    assert found == {"dev": (3.0, 2, 0.0), "ops": (1.0, 3, 2.0), "org": (None, 2, 2.0)}


def test_gaps_refuse_targets_for_unknown_dimensions() -> None:
    results = score_assessment(make_model({"dev": {"ci": 1}}), {})
    with pytest.raises(ValueError, match="ghost"):
        gaps(results, {"ghost": 2})


def test_compare_reports_deltas_for_ids_present_in_both() -> None:
    before = score_assessment(make_model({"dev": {"ci": 1, "old": 1}}), pick(ci_q0="l1", old_q0="l3"))
    after = score_assessment(make_model({"dev": {"ci": 1, "new": 1}}), pick(ci_q0="l3"))
    changes = {(c.kind, c.id): (c.before, c.after, c.delta) for c in compare(after, before)}
    assert changes == {
        ("overall", "overall"): (2.0, 3.0, 1.0),
        ("dimension", "dev"): (2.0, 3.0, 1.0),
        ("capability", "ci"): (1.0, 3.0, 2.0),
    }


def test_compare_without_previous_results_reports_nothing() -> None:
    assert compare(score_assessment(make_model({"dev": {"ci": 1}}), {}), None) == ()


def test_compare_has_no_delta_when_either_side_is_unscored() -> None:
    model = make_model({"dev": {"ci": 1}})
    change = compare(score_assessment(model, pick(ci_q0="l2")), score_assessment(model, {}))[0]
    assert (change.before, change.after, change.delta) == (None, 2.0, None)


# --- properties -------------------------------------------------------------------------------

Assessment = tuple[MaturityModel, dict[str, AnswerValue]]


@st.composite
def models(draw: st.DrawFn) -> MaturityModel:
    shape = draw(st.lists(st.lists(st.integers(1, 3), min_size=1, max_size=3), min_size=1, max_size=3))
    spec = {f"d{i}": {f"d{i}-c{j}": n for j, n in enumerate(caps)} for i, caps in enumerate(shape)}
    ids = [*spec, *(c for caps in spec.values() for c in caps)]
    weight = st.floats(0.1, 10, allow_nan=False)
    weights = {i: draw(weight) for i in ids}
    bands = draw(st.lists(st.sampled_from([0, 0.5, 1, 2, 3, 5]), max_size=4, unique=True).map(sorted))
    return make_model(spec, strategy=draw(st.sampled_from(ScoringStrategy)), weights=weights, bands=bands)


def answer_for(question: Question) -> st.SearchStrategy[AnswerValue | None]:
    return st.one_of(
        st.none(),
        st.just(AnswerValue(None)),
        st.just(AnswerValue(None, not_applicable=True)),
        st.sampled_from([AnswerValue(c.id) for c in question.choices]),
    )


@st.composite
def assessments(draw: st.DrawFn) -> Assessment:
    model = draw(models())
    drawn = {q.id: draw(answer_for(q)) for q in model.questions()}
    return model, {qid: answer for qid, answer in drawn.items() if answer is not None}


@CI
@given(assessments())
def test_overall_is_always_within_the_level_scale_or_none(assessment: Assessment) -> None:
    results = score_assessment(*assessment)
    assert results.overall is None or 0 <= results.overall <= 4
    assert all(level is None or 0 <= level <= 4 for level in levels(results).values())


@CI
@given(assessments(), st.data())
def test_raising_one_answer_never_lowers_any_level_or_the_ml_test_final(
    assessment: Assessment, data: st.DataObject
) -> None:
    model, answers = assessment
    question = data.draw(st.sampled_from(model.questions()))
    leveled = [c for c in question.choices if c.level is not None]
    pair = st.lists(st.sampled_from(leveled), min_size=2, max_size=2, unique_by=lambda c: c.level)
    low, high = data.draw(pair.map(lambda p: sorted(p, key=lambda c: c.level or 0)))
    before = score_assessment(model, {**answers, question.id: AnswerValue(low.id)})
    after = score_assessment(model, {**answers, question.id: AnswerValue(high.id)})
    raised = levels(after)
    assert all(not_lower(level, raised[key]) for key, level in levels(before).items())
    if before.ml_test_score is not None and after.ml_test_score is not None:
        assert after.ml_test_score.final >= before.ml_test_score.final


@CI
@given(assessments(), st.data())
def test_marking_a_question_not_applicable_never_moves_another_capabilitys_level(
    assessment: Assessment, data: st.DataObject
) -> None:
    model, answers = assessment
    question = data.draw(st.sampled_from(model.questions()))
    before = score_assessment(model, answers)
    after = score_assessment(model, {**answers, question.id: AnswerValue(None, not_applicable=True)})
    own = next(c.id for c in model.capabilities() if question in c.questions)
    assert {c.id: c.level for c in after.capabilities if c.id != own} == {
        c.id: c.level for c in before.capabilities if c.id != own
    }


@CI
@given(assessments(), st.data())
def test_an_unanswered_question_marked_not_applicable_changes_no_level(
    assessment: Assessment, data: st.DataObject
) -> None:
    model, answers = assessment
    open_questions = [q for q in model.questions() if q.id not in answers]
    if not open_questions:
        return
    question = data.draw(st.sampled_from(open_questions))
    after = score_assessment(model, {**answers, question.id: AnswerValue(None, not_applicable=True)})
    assert levels(after) == levels(score_assessment(model, answers))


@CI
@given(assessments(), st.data())
def test_an_area_marked_not_applicable_is_no_gap_and_leaves_the_other_gaps_alone(
    assessment: Assessment, data: st.DataObject
) -> None:
    model, answers = assessment
    dimension = data.draw(st.sampled_from(model.dimensions))
    questions = [q for c in dimension.capabilities for q in c.questions]
    marked = {q.id: AnswerValue(None, not_applicable=True) for q in questions}
    goal = {d.id: data.draw(st.integers(0, 4)) for d in model.dimensions}
    before = {g.dimension_id: g for g in gaps(score_assessment(model, answers), goal)}
    results = score_assessment(model, {**answers, **marked})
    after = {g.dimension_id: g for g in gaps(results, goal)}
    assert next(d for d in results.dimensions if d.id == dimension.id).level is None
    assert after == {key: gap for key, gap in before.items() if key != dimension.id}


def not_lower(before: float | None, after: float | None) -> bool:
    if before is None or after is None:
        return before is None and after is None
    return after >= before


@CI
@given(assessments())
def test_scoring_is_deterministic(assessment: Assessment) -> None:
    assert score_assessment(*assessment) == score_assessment(*assessment)


@CI
@given(assessments(), st.randoms(use_true_random=False))
def test_the_order_of_the_answers_does_not_matter(assessment: Assessment, random: Random) -> None:
    model, answers = assessment
    items = list(answers.items())
    random.shuffle(items)
    assert score_assessment(model, dict(items)) == score_assessment(model, answers)


def test_weighted_mean_of_equal_levels_is_exactly_that_level() -> None:
    model = make_model({"dev": {"ci": 1, "review": 1}}, weights={"ci": 0.1, "review": 0.7})
    results = score_assessment(model, pick(ci_q0="l4", review_q0="l4"))
    assert results.overall == 4.0
