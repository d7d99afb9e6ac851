"""Properties that hold for every shipped model and every place a problem can be put in it."""

import json
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from app.kit.datafile.reading import Problem
from app.maturity.loader import ModelFileError, builtin_models, load_model_text
from app.maturity.schema import MaturityModel

models = st.sampled_from(builtin_models())
# Each mutation example writes and parses a whole model file; a few dozen cover the shapes well.
mutations = settings(max_examples=30)
Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def plain(model: MaturityModel) -> dict[str, Any]:
    """The model as JSON-shaped data with no shared sub-objects."""
    data = json.loads(model.model_dump_json())
    assert isinstance(data, dict)
    return data


def refused(data: dict[str, Any]) -> tuple[list[str], list[Problem]]:
    """The YAML lines of `data` and the problems the loader reports for it."""
    text = yaml.dump(data, Dumper=Dumper, allow_unicode=True, sort_keys=False)
    with pytest.raises(ModelFileError) as error:
        load_model_text(text, "mutated.yaml")
    return text.splitlines(), error.value.problems


def question_locations(model: MaturityModel) -> list[tuple[int, int, int]]:
    """(dimension, capability, question) indices of every question."""
    return [
        (d, c, q)
        for d, dimension in enumerate(model.dimensions)
        for c, capability in enumerate(dimension.capabilities)
        for q in range(len(capability.questions))
    ]


@given(models, st.sampled_from(["python", "json"]))
def test_shipped_model_round_trips_through_dump_and_validate(model: MaturityModel, mode: str) -> None:
    assert MaturityModel.model_validate(model.model_dump(mode=mode)) == model


@given(models)
def test_shipped_model_round_trips_through_yaml_text(model: MaturityModel) -> None:
    text = yaml.dump(plain(model), Dumper=Dumper, allow_unicode=True, sort_keys=False)
    assert load_model_text(text, "dumped.yaml") == model


@mutations
@given(models, st.data(), st.integers().filter(lambda n: not 0 <= n <= 4))
def test_any_unknown_level_is_reported_at_its_own_line(
    model: MaturityModel, data: st.DataObject, level: int
) -> None:
    d, c, q = data.draw(st.sampled_from(question_locations(model)))
    choice = data.draw(st.integers(0, len(model.dimensions[d].capabilities[c].questions[q].choices) - 1))
    mutated = plain(model)
    mutated["dimensions"][d]["capabilities"][c]["questions"][q]["choices"][choice]["level"] = level
    lines, [problem] = refused(mutated)
    assert problem.path == f"dimensions[{d}].capabilities[{c}].questions[{q}].choices[{choice}].level"
    assert problem.line is not None
    assert lines[problem.line - 1].strip() == f"level: {level}"


@mutations
@given(models, st.data())
def test_any_repeated_question_id_is_reported_with_both_lines(
    model: MaturityModel, data: st.DataObject
) -> None:
    first, second = sorted(
        data.draw(st.lists(st.sampled_from(question_locations(model)), min_size=2, max_size=2, unique=True))
    )
    mutated = plain(model)
    questions = [mutated["dimensions"][d]["capabilities"][c]["questions"][q] for d, c, q in (first, second)]
    questions[1]["id"] = questions[0]["id"]
    lines, [problem] = refused(mutated)
    d, c, q = second
    assert problem.path == f"dimensions[{d}].capabilities[{c}].questions[{q}].id"
    assert problem.line is not None
    assert lines[problem.line - 1].strip().endswith(f"id: {questions[0]['id']}")
    first_line = int(problem.message.rsplit("line ", 1)[1].rstrip(")"))
    assert first_line < problem.line
    assert lines[first_line - 1].strip().endswith(f"id: {questions[0]['id']}")
