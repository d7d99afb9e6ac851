"""Evidence rules as data: the catalogue refuses bad rules; the evaluator reads signals as documented."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.catalogue.loader import CatalogueFileError, builtin_catalogue, load_catalogue_text
from app.catalogue.schema import Evidence
from app.evidence.rules import Observation, evaluate
from tests.roadmap.builders import Spec, catalogue_data, text

NOW = datetime(2026, 12, 6, 12, tzinfo=UTC)
SIGNALS = [
    {"key": "git.ci.configured", "unit": "bool", "name": text("CI configured")},
    {"key": "git.ci.runs_tests", "unit": "bool", "name": text("CI runs tests")},
    {"key": "git.tests.files", "unit": "count", "name": text("Test files")},
]
CI = Evidence.model_validate(
    {
        "rules": [
            {"signal": "git.ci.configured", "equals": False, "ceiling": 1, "says": text("no CI")},
            {"signal": "git.ci.runs_tests", "equals": True, "suggests": 3, "says": text("CI tests")},
            {"signal": "git.tests.files", "at_least": 10, "floor": 2, "says": text("10+ test files")},
        ]
    }
)


def seen(key: str, value: float, source: int = 1, age_days: int = 0) -> Observation:
    return Observation(
        key=key,
        value=value,
        unit="bool",
        source_id=source,
        source_name=f"repo {source}",
        observed_at=NOW - timedelta(days=age_days),
    )


def by_key(*observations: Observation) -> dict[str, list[Observation]]:
    found: dict[str, list[Observation]] = {}
    for observation in observations:
        found.setdefault(observation.key, []).append(observation)
    return found


def refused(data: dict[str, Any]) -> CatalogueFileError:
    with pytest.raises(CatalogueFileError) as error:
        load_catalogue_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "custom.yaml")
    return error.value


def test_no_ci_caps_the_level_and_flags_a_higher_answer() -> None:
    evidence = evaluate("ci-cd", CI, by_key(seen("git.ci.configured", 0), seen("git.ci.runs_tests", 0)))
    assert (evidence.floor, evidence.ceiling, evidence.suggested) == (None, 1, None)
    assert evidence.disagreement(1) is None
    flag = evidence.disagreement(3)
    assert flag is not None
    assert (flag.answered, flag.suggested) == (3, 1)
    assert [f.rule.says.en for f in flag.findings] == ["no CI"]


def test_a_suggestion_allows_the_tolerance_and_wins_within_bounds() -> None:
    evidence = evaluate("ci-cd", CI, by_key(seen("git.ci.configured", 1), seen("git.ci.runs_tests", 1)))
    assert evidence.suggested == 3
    assert evidence.disagreement(2) is None  # tolerance 1
    flag = evidence.disagreement(0)
    assert flag is not None
    assert flag.suggested == 3


def test_a_ceiling_holds_only_when_every_source_shows_it_a_floor_when_any_does() -> None:
    two_repos = by_key(
        seen("git.ci.configured", 0, source=1),
        seen("git.ci.configured", 1, source=2),
        seen("git.tests.files", 3, source=1),
        seen("git.tests.files", 12, source=2),
    )
    evidence = evaluate("ci-cd", CI, two_repos)
    assert evidence.ceiling is None
    assert evidence.floor == 2
    [finding] = evidence.findings
    assert [o.source_id for o in finding.observations] == [2]


def test_when_floor_and_ceiling_contradict_the_ceiling_wins() -> None:
    evidence = evaluate("ci-cd", CI, by_key(seen("git.ci.configured", 0), seen("git.tests.files", 40)))
    assert (evidence.floor, evidence.ceiling) == (1, 1)
    assert evidence.level_for(4) == 1


def test_missing_signals_are_listed_and_say_nothing() -> None:
    evidence = evaluate("ci-cd", CI, {})
    assert not evidence.speaks
    assert evidence.missing == ("git.ci.configured", "git.ci.runs_tests", "git.tests.files")
    assert evidence.disagreement(4) is None
    assert evidence.level_for(None) is None


def test_freshness_is_the_oldest_observation_a_finding_rests_on() -> None:
    evidence = evaluate(
        "ci-cd", CI, by_key(seen("git.ci.runs_tests", 1, age_days=3), seen("git.tests.files", 20, age_days=1))
    )
    assert evidence.oldest == NOW - timedelta(days=3)


def test_unanswered_questions_are_offered_the_suggestion_or_the_floor() -> None:
    evidence = evaluate("ci-cd", CI, by_key(seen("git.tests.files", 20)))
    assert evidence.level_for(None) == 2
    assert evidence.disagreement(None) is None


def test_the_shipped_catalogue_names_every_signal_the_adapters_document() -> None:
    documented = set(
        re.findall(r"^\| `((?:git|mlflow)\.[a-z0-9_.]+)`", Path("docs/signals.md").read_text(), re.M)
    )
    assert {s.key for s in builtin_catalogue().signals} == documented


def test_a_rule_naming_an_unknown_signal_is_refused_with_a_suggestion() -> None:
    data = catalogue_data([Spec("a")], signals=SIGNALS)
    data["capabilities"][0]["evidence"] = {
        "rules": [{"signal": "git.ci.configurd", "equals": False, "ceiling": 1, "says": text("no CI")}]
    }
    [problem] = refused(data).problems
    assert problem.message == "unknown signal 'git.ci.configurd': did you mean git.ci.configured?"
    assert problem.path == "capabilities[0].evidence.rules[0].signal"


def test_a_rule_needs_one_test_and_one_effect() -> None:
    data = catalogue_data([Spec("a")], signals=SIGNALS)
    data["capabilities"][0]["evidence"] = {
        "rules": [
            {"signal": "git.ci.configured", "equals": False, "at_least": 1, "ceiling": 1, "says": text("x")},
            {"signal": "git.ci.configured", "equals": False, "ceiling": 1, "floor": 0, "says": text("x")},
        ]
    }
    messages = {p.message for p in refused(data).problems}
    assert messages == {
        "a condition needs exactly one of equals, at_least or below",
        "an evidence rule needs exactly one of floor, ceiling or suggests",
    }


def test_duplicate_signal_keys_are_refused() -> None:
    data = catalogue_data([Spec("a")], signals=[*SIGNALS, SIGNALS[0]])
    [problem] = refused(data).problems
    assert problem.message.startswith("duplicate signal key 'git.ci.configured' (first used on line ")


BOTH = Evidence.model_validate(
    {
        "rules": [
            {
                "signal": "git.ci.runs_tests",
                "equals": True,
                "also": [{"signal": "git.ci.builds", "equals": True}],
                "suggests": 3,
                "says": text("CI tests and builds"),
            },
            {
                "signal": "git.ci.deploys",
                "equals": False,
                "also": [{"signal": "mlflow.registry.production_present", "equals": False}],
                "ceiling": 2,
                "says": text("no deploys, no production"),
            },
        ]
    }
)


def test_a_rule_with_also_holds_only_when_every_condition_does() -> None:
    tests_only = evaluate("x", BOTH, by_key(seen("git.ci.runs_tests", 1), seen("git.ci.builds", 0)))
    assert not tests_only.speaks
    both = evaluate("x", BOTH, by_key(seen("git.ci.runs_tests", 1), seen("git.ci.builds", 1)))
    assert both.suggested == 3
    [finding] = both.findings
    assert [o.key for o in finding.observations] == ["git.ci.runs_tests", "git.ci.builds"]


def test_an_also_condition_on_a_signal_no_source_reports_keeps_the_rule_silent_and_is_listed() -> None:
    evidence = evaluate("x", BOTH, by_key(seen("git.ci.deploys", 0), seen("git.ci.runs_tests", 1)))
    assert evidence.ceiling is None
    assert evidence.missing == ("git.ci.builds", "mlflow.registry.production_present")


def test_each_condition_of_a_ceiling_must_be_shown_by_every_source_of_its_signal() -> None:
    no_deploys = [seen("git.ci.deploys", 0, source=1), seen("git.ci.deploys", 0, source=2)]
    capped = evaluate("x", BOTH, by_key(*no_deploys, seen("mlflow.registry.production_present", 0, 3)))
    assert capped.ceiling == 2
    assert {o.source_id for o in capped.findings[0].observations} == {1, 2, 3}
    one_deploys = [seen("git.ci.deploys", 0, source=1), seen("git.ci.deploys", 1, source=2)]
    free = evaluate("x", BOTH, by_key(*one_deploys, seen("mlflow.registry.production_present", 0, 3)))
    assert free.ceiling is None


def test_a_flag_gives_the_bound_that_decides_not_every_bound_the_answer_breaks() -> None:
    two_ceilings = Evidence.model_validate(
        {
            "rules": [
                {"signal": "git.ci.configured", "equals": False, "ceiling": 1, "says": text("no CI")},
                {"signal": "git.ci.runs_tests", "equals": False, "ceiling": 2, "says": text("no tests")},
            ]
        }
    )
    evidence = evaluate("x", two_ceilings, by_key(seen("git.ci.configured", 0), seen("git.ci.runs_tests", 0)))
    flag = evidence.disagreement(3)
    assert flag is not None
    assert [f.rule.says.en for f in flag.findings] == ["no CI"]


def test_an_also_condition_naming_an_unknown_signal_is_refused_where_it_is() -> None:
    data = catalogue_data([Spec("a")], signals=SIGNALS)
    data["capabilities"][0]["evidence"] = {
        "rules": [
            {
                "signal": "git.ci.configured",
                "equals": True,
                "also": [{"signal": "git.ci.bulids", "equals": True}],
                "suggests": 2,
                "says": text("CI builds"),
            }
        ]
    }
    [problem] = refused(data).problems
    assert problem.message.startswith("unknown signal 'git.ci.bulids'")
    assert problem.path == "capabilities[0].evidence.rules[0].also[0].signal"


def test_a_broken_bound_is_the_reason_and_a_suggestion_that_repeats_it_is_not() -> None:
    capped = evaluate("ci-cd", CI, by_key(seen("git.ci.configured", 0), seen("git.ci.runs_tests", 1)))
    assert (capped.ceiling, capped.suggested) == (1, 1)  # the suggestion (3) is held to the ceiling
    flag = capped.disagreement(4)
    assert flag is not None
    assert [f.rule.says.en for f in flag.findings] == ["no CI"]
    suggested = evaluate("ci-cd", CI, by_key(seen("git.ci.configured", 1), seen("git.ci.runs_tests", 1)))
    flag = suggested.disagreement(0)
    assert flag is not None
    assert [f.rule.says.en for f in flag.findings] == ["CI tests"]
