"""MaturityModel refuses invalid data on its own, without the loader."""

from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from app.kit.datafile.findings import DEFER_REFERENCE_CHECKS
from app.maturity.schema import Band, MaturityModel, Question, Scoring, Text


def data_of(text: str) -> dict[str, Any]:
    """The parsed YAML of a model file."""
    data = yaml.safe_load(text)
    assert isinstance(data, dict)
    return data


def test_model_refuses_duplicate_capability_ids(tiny: str) -> None:
    data = data_of(tiny.replace("- id: pipeline\n", "- id: versioning\n").replace("[versioning]", "[]"))
    with pytest.raises(ValidationError, match=r"capabilities\[1\]\.id: duplicate capability id 'versioning'"):
        MaturityModel.model_validate(data)


def test_model_refuses_an_unknown_prerequisite(tiny: str) -> None:
    data = data_of(tiny.replace("[versioning]", "[nowhere]"))
    with pytest.raises(ValidationError, match="unknown prerequisite 'nowhere'"):
        MaturityModel.model_validate(data)


def test_question_refuses_duplicate_choice_ids() -> None:
    choice = {"id": "same", "level": 0, "label": {"en": "A", "ja": "あ"}}
    with pytest.raises(ValidationError, match="duplicate choice id 'same'"):
        Question.model_validate({"id": "q", "text": {"en": "Q", "ja": "問"}, "choices": [choice, choice]})


def test_level_outside_zero_to_four_is_an_unknown_level(tiny: str) -> None:
    data = data_of(tiny.replace("level: 3", "level: -1"))
    with pytest.raises(ValidationError, match=r"unknown level -1 \(levels run from 0 to 4\)"):
        MaturityModel.model_validate(data)


def test_text_needs_both_languages() -> None:
    with pytest.raises(ValidationError, match="ja"):
        Text.model_validate({"en": "Only English"})


def test_deferring_reference_checks_leaves_them_to_the_caller(tiny: str) -> None:
    data = data_of(tiny.replace("[versioning]", "[nowhere]"))
    model = MaturityModel.model_validate(data, context={DEFER_REFERENCE_CHECKS: True})
    assert model.capabilities()[1].prerequisites == ("nowhere",)


def test_score_below_every_band_has_no_band() -> None:
    scoring = Scoring(bands=(Band(min_score=1, label=Text(en="One", ja="一")),))
    assert scoring.band(0.5) is None
    assert scoring.band(1) == scoring.bands[0]
