"""The shipped catalogue loads and matches the full maturity model; bad catalogues are refused whole."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from app import i18n
from app.catalogue.checks import prerequisite_ids
from app.catalogue.loader import (
    BUILTIN,
    SCHEMA_FILE,
    CatalogueFileError,
    builtin_catalogue,
    load_catalogue_file,
    load_catalogue_text,
    render_json_schema,
)
from app.catalogue.schema import Catalogue, MetricType, Raci
from app.kit.datafile.reading import MAX_FILE_BYTES, Problem
from app.maturity.loader import MODELS_DIR, load_model_file
from app.teams.capacity import DEFAULT_IMPROVEMENT_SHARE, WEEKS_PER_MONTH
from tests.roadmap.builders import ROLES, Spec, catalogue_data

REGENERATE = "uv run python -m app.catalogue.loader > app/catalogue/catalogue.schema.json"


def test_shipped_catalogue_loads() -> None:
    assert len(builtin_catalogue().capabilities) >= 30


def test_shipped_catalogue_has_one_entry_per_capability_of_the_full_model_with_its_dimension() -> None:
    model = load_model_file(MODELS_DIR / "mlops-full.yaml")
    in_model = {c.id: d.id for d in model.dimensions for c in d.capabilities}
    in_catalogue = {c.id: c.dimension for c in builtin_catalogue().capabilities}
    assert in_catalogue == in_model


def test_shipped_prerequisites_are_those_of_the_full_model() -> None:
    model = {
        c.id: set(c.prerequisites) for c in load_model_file(MODELS_DIR / "mlops-full.yaml").capabilities()
    }
    for capability in builtin_catalogue().capabilities:
        assert {p.capability for p in capability.prerequisites} == model[capability.id], capability.id


def test_shipped_capabilities_have_owners_key_results_checklists_and_tools() -> None:
    catalogue = builtin_catalogue()
    assert {r.id for r in catalogue.roles} == set(ROLES)
    for capability in catalogue.capabilities:
        assert len(capability.roles(Raci.ACCOUNTABLE)) == 1, capability.id
        assert capability.roles(Raci.RESPONSIBLE), capability.id
        assert 3 <= len(capability.checklist) <= 6, capability.id
        assert {kr.metric for kr in capability.key_results} <= set(MetricType)
        assert set(capability.levels) == {0, 1, 2, 3, 4}
    assert {"data_scientist"} <= {r for c in catalogue.capabilities for r in c.roles(Raci.RESPONSIBLE)}


def test_shipped_catalogue_names_the_playbook_tools() -> None:
    names = {t.name for t in builtin_catalogue().tools}
    wanted = {"Git", "DVC", "MLflow Tracking", "MLflow Model Registry", "Feast", "Prefect", "Evidently"}
    assert wanted | {"Prometheus", "Alertmanager", "GitHub Actions", "Docker"} <= names


def test_committed_json_schema_is_up_to_date() -> None:
    committed = SCHEMA_FILE.read_text(encoding="utf-8")
    assert committed == render_json_schema(), (
        f"the JSON Schema is out of date; regenerate it with: {REGENERATE}"
    )


def test_shipped_catalogue_points_editors_at_the_schema() -> None:
    first = BUILTIN.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../catalogue.schema.json"


def refused(data: object) -> CatalogueFileError:
    """The error the loader raises for the YAML dump of `data`."""
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    with pytest.raises(CatalogueFileError) as error:
        load_catalogue_text(text, "custom.yaml")
    return error.value


def test_prerequisite_cycle_is_refused_with_the_cycle_named() -> None:
    data = catalogue_data([Spec("a", ["c"]), Spec("b", ["a"]), Spec("c", ["b"])])
    [problem] = refused(data).problems
    assert problem.message == "prerequisites form a cycle: a → c → b → a"
    assert problem.path == "capabilities[0].prerequisites"


def test_a_bad_catalogue_is_refused_with_every_problem_and_its_line() -> None:
    data = catalogue_data([Spec("a", ["b"]), Spec("b", ["a", "nowhere"])])
    data["capabilities"][0]["raci"] = {"mlops_engineer": "A", "ml_engineer": "A", "data_scientist": "R"}
    del data["capabilities"][1]["name"]["ja"]
    problems = refused(data).problems
    messages = {p.message for p in problems}
    assert "prerequisites form a cycle: a → b → a" in messages
    assert "unknown prerequisite 'nowhere'" in messages
    assert "2 roles are Accountable (mlops_engineer, ml_engineer): exactly one must be" in messages
    assert "missing Japanese translation" in messages
    assert all(p.line and p.line > 1 for p in problems)
    assert {p.path for p in problems} >= {"capabilities[0].raci", "capabilities[1].name.ja"}


def test_problems_point_at_the_offending_line() -> None:
    data = catalogue_data([Spec("a", ["nowhere"])])
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    with pytest.raises(CatalogueFileError) as error:
        load_catalogue_text(text, "custom.yaml")
    [problem] = error.value.problems
    assert text.splitlines()[problem.line - 1].strip() == "- nowhere"  # type: ignore[operator]
    assert str(problem).startswith(f"custom.yaml:{problem.line}: capabilities[0].prerequisites[0]")


def test_unknown_roles_tools_and_dimensions_and_missing_steps_are_refused() -> None:
    data = catalogue_data([Spec("a", tools=["hammer"])])
    data["tools"] = []
    capability = data["capabilities"][0]
    capability["dimension"] = "nowhere"
    capability["raci"]["wizard"] = "C"
    del capability["effort"][3]
    messages = {p.message for p in refused(data).problems}
    assert messages == {
        "unknown tool 'hammer'",
        "unknown dimension 'nowhere'",
        "unknown role 'wizard'",
        "missing effort for the step to level 3",
    }


def test_catalogue_model_refuses_a_cycle_without_the_loader() -> None:
    with pytest.raises(ValueError, match="prerequisites form a cycle: a → a"):
        Catalogue.model_validate(catalogue_data([Spec("a", ["a"])]))


def test_prerequisites_may_name_a_level_and_a_first_target() -> None:
    data = catalogue_data([Spec("a"), Spec("b", [{"capability": "a", "level": 1, "from_target": 3}, "a"])])
    assert prerequisite_ids(data["capabilities"][1]) == ["a", "a"]
    first = Catalogue.model_validate(data).capabilities[1].prerequisites[0]
    assert (first.needed_level(4), first.from_target) == (1, 3)


def test_default_needed_level_follows_the_target() -> None:
    [_, b] = Catalogue.model_validate(catalogue_data([Spec("a"), Spec("b", ["a"])])).capabilities
    assert [b.prerequisites[0].needed_level(t) for t in (1, 2, 3, 4)] == [2, 2, 3, 3]


def test_milestone_key_results_take_no_target() -> None:
    data = catalogue_data([Spec("a")])
    data["capabilities"][0]["key_results"][0]["target"] = 80
    [problem] = refused(data).problems
    assert "milestones take none" in problem.message


def test_json_schema_accepts_a_bare_capability_id_as_a_prerequisite() -> None:
    [short, long] = json.loads(render_json_schema())["$defs"]["Prerequisite"]["anyOf"]
    assert short["type"] == "string"
    assert long["required"] == ["capability"]


# The playbook's durations of a small team's work per phase, in months (optimisation: our assumption).
PLAYBOOK_MONTHS = {"foundation": (2, 3), "automation": (3, 4), "monitoring": (2, 3), "optimisation": (2, 3)}


def test_shipped_effort_takes_a_small_team_the_playbooks_months_per_phase() -> None:
    small_team = 3 * WEEKS_PER_MONTH * DEFAULT_IMPROVEMENT_SHARE
    months: dict[str, float] = {}
    for capability in builtin_catalogue().capabilities:
        phase = capability.phase_for(3).value
        months[phase] = months.get(phase, 0.0) + capability.effort_between(1, 3)[1] / small_team
    for phase, (shortest, longest) in PLAYBOOK_MONTHS.items():
        assert shortest <= months[phase] <= longest, (phase, round(months[phase], 2))


def test_shipped_catalogue_says_where_its_effort_figures_come_from() -> None:
    basis = builtin_catalogue().effort_basis
    assert basis is not None
    assert "2–3 months" in basis.en
    assert "30 %" in basis.en
    assert "2〜3 か月" in basis.ja
    assert "30 %" in basis.ja


# The catalogue is read by the same data-file loader as maturity models, so its problems read alike:
# the app's own words (never pydantic's), a hint for near-misses, and the line of each problem.


def catalogue_text(*specs: Spec) -> str:
    """The YAML text of a catalogue holding `specs`, one key per line as a person writes it."""
    return yaml.safe_dump(catalogue_data(list(specs)), allow_unicode=True, sort_keys=False)


def only_problem(text: str) -> Problem:
    with pytest.raises(CatalogueFileError) as error:
        load_catalogue_text(text, "custom.yaml")
    [problem] = error.value.problems
    return problem


def line_of(text: str, needle: str) -> int:
    [line] = [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]
    return line


def test_a_type_error_is_said_in_the_apps_words_with_its_line() -> None:
    text = catalogue_text(Spec("a")).replace("weight: 1.0", "weight: heavy")
    problem = only_problem(text)
    assert problem.message == "expected a number"
    assert (problem.path, problem.line) == ("capabilities[0].weight", line_of(text, "weight: heavy"))
    assert str(problem) == f"custom.yaml:{problem.line}: capabilities[0].weight: expected a number"


def test_an_unknown_key_suggests_the_key_meant() -> None:
    text = catalogue_text(Spec("a")).replace("  prerequisites: []", "  requires: []")
    problem = only_problem(text)
    assert problem.message == "unknown field 'requires': did you mean prerequisites?"
    assert problem.line == line_of(text, "requires: []")


def test_a_misspelt_key_suggests_the_closest_key_at_its_place() -> None:
    text = catalogue_text(Spec("a")).replace("  phase_by_target: {}", "  phase_by_targt: {}")
    problem = only_problem(text)
    assert problem.message == "unknown field 'phase_by_targt': did you mean phase_by_target?"
    assert problem.line == line_of(text, "phase_by_targt")


def test_a_prerequisite_cycle_names_the_cycle_and_its_line() -> None:
    text = catalogue_text(Spec("a", ["b"]), Spec("b", ["a"]))
    problem = only_problem(text)
    assert problem.message == "prerequisites form a cycle: a → b → a"
    assert (problem.path, problem.line) == ("capabilities[0].prerequisites", line_of(text, "- b") - 1)


def test_an_unknown_prerequisite_suggests_the_closest_capability() -> None:
    text = catalogue_text(Spec("versioning"), Spec("pipeline", ["versionning"]))
    problem = only_problem(text)
    assert problem.message == "unknown prerequisite 'versionning': did you mean versioning?"
    assert problem.line == line_of(text, "- versionning")


def test_aliases_that_expand_too_far_are_refused_before_they_are_built() -> None:
    bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    bomb += [f"{n}: &{n} [{', '.join([f'*{p}'] * 10)}]" for p, n in zip("abcde", "bcdef", strict=True)]
    text = "\n".join(["bomb:", *(f"  {line}" for line in bomb)]) + "\n" + catalogue_text(Spec("a"))
    problem = only_problem(text)
    assert problem.message == (
        "aliases here expand to more than 100,000 values: write the values out or share less"
    )
    assert problem.line is not None
    assert problem.line <= len(bomb) + 1


def test_a_catalogue_problem_reads_in_japanese() -> None:
    text = catalogue_text(Spec("a")).replace("  prerequisites: []", "  requires: []")
    token = i18n.current_locale.set("ja")
    try:
        said = only_problem(text).text()
    finally:
        i18n.current_locale.reset(token)
    assert said == "不明な項目「requires」です。prerequisites のことですか？"


def test_a_file_over_the_size_limit_is_refused_like_a_model_file(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"#" * (MAX_FILE_BYTES + 1))
    with pytest.raises(CatalogueFileError) as error:
        load_catalogue_file(path)
    assert [p.message for p in error.value.problems] == ["the file is larger than 1 MB"]
