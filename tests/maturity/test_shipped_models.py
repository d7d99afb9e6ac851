"""The maturity models shipped with Hoshin load and have the shape the product promises."""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import BaseModel

from app.maturity.loader import builtin_model_paths, builtin_models, load_model_file
from app.maturity.schema import MaturityModel, ScoringStrategy, Text

SCHEMA_COMMENT = "# yaml-language-server: $schema=../maturity-model.schema.json\n"
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")  # kana or kanji


def shipped(model_id: str) -> MaturityModel:
    """The shipped model with this id."""
    return next(m for m in builtin_models() if m.id == model_id)


def test_three_models_ship_sorted_by_id() -> None:
    assert [m.id for m in builtin_models()] == ["ml-test-score", "mlops-full", "playbook-base"]
    assert all(m.version == "1.0" for m in builtin_models())


def test_builtin_models_are_loaded_once() -> None:
    assert builtin_models() is builtin_models()


@pytest.mark.parametrize("path", builtin_model_paths(), ids=lambda p: p.name)
def test_each_shipped_file_is_named_after_its_model_id(path: Path) -> None:
    assert load_model_file(path).id == path.stem


@pytest.mark.parametrize("path", builtin_model_paths(), ids=lambda p: p.name)
def test_each_shipped_file_points_editors_at_the_json_schema(path: Path) -> None:
    assert path.read_text(encoding="utf-8").startswith(SCHEMA_COMMENT)
    assert (path.parent / "../maturity-model.schema.json").is_file()


def test_full_model_has_five_dimensions_and_about_thirty_capabilities() -> None:
    model = shipped("mlops-full")
    assert [d.id for d in model.dimensions] == [
        "data",
        "development",
        "deployment",
        "monitoring",
        "organisation",
    ]
    assert 28 <= len(model.capabilities()) <= 34
    assert model.scoring.strategy is ScoringStrategy.MEAN


def test_every_full_model_capability_describes_levels_zero_to_four() -> None:
    for capability in shipped("mlops-full").capabilities():
        assert sorted(capability.levels) == [0, 1, 2, 3, 4], capability.id


def test_full_model_anchor_questions_offer_the_level_descriptions() -> None:
    for capability in shipped("mlops-full").capabilities():
        [question] = capability.questions
        assert [(c.level, c.label) for c in question.choices] == list(capability.levels.items()), (
            capability.id
        )


def test_full_model_names_the_generic_scale_in_both_languages() -> None:
    names = [(n.level, n.name.en, bool(n.name.ja)) for n in shipped("mlops-full").levels]
    assert names == [
        (0, "Ad hoc", True),
        (1, "Manual and documented", True),
        (2, "Standardised", True),
        (3, "Automated and gated", True),
        (4, "Closed loop and optimised", True),
    ]


def test_full_model_keeps_the_catalogues_prerequisite_roots() -> None:
    roots = {c.id for c in shipped("mlops-full").capabilities() if not c.prerequisites}
    assert roots == {"source-control", "business-goals"}


def test_playbook_has_four_areas_of_three_items_with_one_question_each() -> None:
    model = shipped("playbook-base")
    assert [(d.id, len(d.capabilities)) for d in model.dimensions] == [
        ("data", 3),
        ("development", 3),
        ("deployment", 3),
        ("monitoring", 3),
    ]
    assert all(len(c.questions) == 1 for c in model.capabilities())


def test_playbook_choices_climb_from_level_zero() -> None:
    for question in shipped("playbook-base").questions():
        levels = [c.level for c in question.choices]
        assert 3 <= len(levels) <= 5, question.id
        assert None not in levels, question.id
        assert levels[0] == 0, question.id
        assert levels == sorted(set(levels)), question.id


def test_playbook_capabilities_reuse_the_full_models_ids() -> None:
    full = {c.id for c in shipped("mlops-full").capabilities()}
    assert {c.id for c in shipped("playbook-base").capabilities()} <= full


def test_ml_test_score_has_four_sections_of_seven_tests() -> None:
    model = shipped("ml-test-score")
    assert [(d.id, len(d.capabilities)) for d in model.dimensions] == [
        ("data", 7),
        ("model", 7),
        ("infrastructure", 7),
        ("monitoring", 7),
    ]
    assert model.scoring.strategy is ScoringStrategy.ML_TEST_SCORE


def test_every_ml_test_is_scored_not_done_manual_or_automated() -> None:
    for question in shipped("ml-test-score").questions():
        assert [(c.id, c.level, c.points) for c in question.choices] == [
            ("not-done", 0, 0),
            ("manual", 2, 0.5),
            ("automated", 4, 1),
        ], question.id
        assert not question.allow_na


@pytest.mark.parametrize(
    ("score", "label"),
    [
        (0, "Research project"),
        (0.5, "Not wholly untested"),
        (1, "Not wholly untested"),
        (1.5, "First pass at production"),
        (2, "First pass at production"),
        (2.5, "Reasonably tested"),
        (3, "Reasonably tested"),
        (3.5, "Strong automated testing"),
        (5, "Strong automated testing"),
        (5.5, "Exceptional"),
        (7, "Exceptional"),
    ],
)
def test_ml_test_score_bands_follow_the_papers_half_open_intervals(score: float, label: str) -> None:
    band = shipped("ml-test-score").scoring.band(score)
    assert band is not None
    assert band.label.en == label
    assert band.description is not None


def texts(node: object) -> Iterator[Text]:
    """Every Text inside a model, however deep."""
    if isinstance(node, Text):
        yield node
    elif isinstance(node, BaseModel):
        for name in type(node).model_fields:
            yield from texts(getattr(node, name))
    elif isinstance(node, tuple | list):
        for item in node:
            yield from texts(item)
    elif isinstance(node, dict):
        for item in node.values():
            yield from texts(item)


@pytest.mark.parametrize("model", builtin_models(), ids=lambda m: m.id)
def test_japanese_texts_are_written_in_japanese(model: MaturityModel) -> None:
    proper_names = {"ML Test Score"}
    untranslated = [t.en for t in texts(model) if t.ja not in proper_names and not JAPANESE.search(t.ja)]
    assert untranslated == []
    assert len(list(texts(model))) > 5 * len(model.questions())
