"""The evidence rules the built-in catalogue ships, read on real repositories (built with git and synced by
the real Git adapter) and on MLflow observations made by hand: the level each capability gets, and why."""

from __future__ import annotations

import dataclasses
import re
from datetime import timedelta
from pathlib import Path

import pytest

from app.catalogue.loader import builtin_catalogue
from app.catalogue.schema import SignalUnit
from app.evidence.rules import CapabilityEvidence, Observation, evaluate
from app.evidence.service import TeamEvidence, question_evidence, read_evidence
from app.maturity.loader import builtin_models
from app.signals import demo
from app.signals.adapters.base import Outbound
from app.signals.adapters.git import GitAdapter
from tests.signals.git_repos import NOW, Repo

CATALOGUE = builtin_catalogue()
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
Observed = dict[str, list[Observation]]


def synced(path: Path, cache: Path, *, source_id: int = 1) -> Observed:
    """What the real Git adapter reads from the repository at `path`, as the evaluator's observations."""
    adapter = GitAdapter(
        str(path), branch="main", outbound=Outbound(allowed_root=str(path.parent)), cache_dir=cache
    )
    result = adapter.sync(state=None, now=NOW)
    return {
        s.key: [Observation(s.key, s.value, s.unit, source_id, path.name, NOW, s.url, s.detail)]
        for s in result.signals
    }


def measured(source_id: int = 2, **values: float) -> Observed:
    """Hand-made observations: mlflow__runs__with_params=0.9 is mlflow.runs.with_params."""
    found: Observed = {}
    for name, value in values.items():
        key = name.replace("__", ".")
        info = CATALOGUE.signal(key)
        assert info is not None, key
        found[key] = [Observation(key, value, info.unit, source_id, f"source {source_id}", NOW)]
    return found


def merged(*parts: Observed) -> Observed:
    found: Observed = {}
    for part in parts:
        for key, seen in part.items():
            found.setdefault(key, []).extend(seen)
    return found


def judge(capability_id: str, observed: Observed) -> CapabilityEvidence:
    capability = CATALOGUE.capability(capability_id)
    assert capability is not None, capability_id
    assert capability.evidence is not None, capability_id
    return evaluate(capability_id, capability.evidence, observed)


def says(evidence: CapabilityEvidence, locale: str = "en") -> list[str]:
    return [finding.rule.says.get(locale) for finding in evidence.findings]


def bounds(evidence: CapabilityEvidence) -> tuple[int | None, int | None, int | None]:
    return evidence.floor, evidence.ceiling, evidence.suggested


@pytest.fixture(scope="module")
def bare(tmp_path_factory: pytest.TempPathFactory) -> Observed:
    """A repository with code and nothing else: no CI, no tests, no Dockerfile, loose requirements."""
    root = tmp_path_factory.mktemp("bare")
    repo = Repo.create(root / "bare")
    files = {
        "README.md": "# churn\n",
        "src/churn.py": "import pandas as pd\n",
        "src/features.py": "def scale(x):\n    return x / 2\n",
        "requirements.txt": "pandas>=2\nscikit-learn\n",
    }
    repo.commit("Start", NOW - timedelta(days=20), files=files)
    return synced(repo.path, root / "cache")


@pytest.fixture(scope="module")
def demo_repo(tmp_path_factory: pytest.TempPathFactory) -> Observed:
    """The repository `hoshin demo` connects: CI with ruff, pytest and docker build, DVC, a model card."""
    root = tmp_path_factory.mktemp("demo")
    path = demo.repository_path(root)
    demo.build_repository(path, now=NOW)
    return synced(path, root / "cache")


@pytest.fixture(scope="module")
def ml(ml_repo: Repo, tmp_path_factory: pytest.TempPathFactory) -> Observed:
    """tests/signals/git_repos.py's ML project: CI lints, tests, trains and registers; Feast, Evidently,
    Prometheus and Grafana; a lock file; release tags."""
    return synced(ml_repo.path, tmp_path_factory.mktemp("ml-cache"))


# A bare repository caps what it cannot hold


def test_a_bare_repository_caps_ci_cd_at_1_and_flags_a_higher_answer(bare: Observed) -> None:
    evidence = judge("ci-cd", bare)
    assert bounds(evidence) == (None, 1, None)
    assert says(evidence) == ["No CI is configured in the repository"]
    assert says(evidence, "ja") == ["リポジトリに CI が設定されていない"]
    flag = evidence.disagreement(3)
    assert flag is not None
    assert flag.suggested == 1
    assert evidence.disagreement(1) is None


def test_a_bare_repository_caps_testing_at_1_for_the_missing_tests_first(bare: Observed) -> None:
    evidence = judge("ml-testing", bare)
    assert bounds(evidence) == (None, 1, None)
    assert says(evidence) == [
        "No test files in the repository",
        "No CI file runs the tests",
        "No coverage measurement is configured in the repository",
    ]
    flag = evidence.disagreement(3)
    assert flag is not None
    assert [f.rule.says.en for f in flag.findings] == ["No test files in the repository"]


def test_a_bare_repository_caps_environments_at_1_loose_requirements_and_no_dockerfile(
    bare: Observed,
) -> None:
    evidence = judge("reproducible-environments", bare)
    assert bounds(evidence) == (None, 1, None)
    assert says(evidence) == [
        "Some requirements are not pinned to a version and no lock file is kept",
        "No Dockerfile in the repository",
    ]


def test_a_bare_repository_still_shows_the_code_is_in_git_and_documented_by_a_readme(bare: Observed) -> None:
    source_control = judge("source-control", bare)
    assert bounds(source_control) == (1, 2, None)
    assert says(source_control) == [
        "The code is in a Git repository with commits in the last 90 days",
        "No CI is configured in the repository",
    ]
    flag = source_control.disagreement(0)
    assert flag is not None
    assert flag.suggested == 1
    documentation = judge("documentation", bare)
    assert bounds(documentation) == (1, 2, None)
    assert says(documentation) == [
        "The repository holds no model card and no pages under docs/",
        "The repository has a README",
    ]


def test_a_bare_repository_says_nothing_where_absence_is_not_telling(bare: Observed) -> None:
    # no DVC: data may be versioned elsewhere; no deploy step: MLflow is not connected to confirm it
    for capability_id in (
        "data-versioning",
        "feature-management",
        "drift-monitoring",
        "automated-deployment",
    ):
        assert not judge(capability_id, bare).speaks, capability_id
    assert "mlflow.registry.production_present" in judge("automated-deployment", bare).missing


# The demo repository gets the suggestions it was built to show


def test_the_demo_repository_suggests_ci_cd_3_for_tests_and_a_docker_build(demo_repo: Observed) -> None:
    evidence = judge("ci-cd", demo_repo)
    assert bounds(evidence) == (1, None, 3)
    assert says(evidence) == [
        "CI is configured in the repository",
        "CI lints or type-checks the code",
        "CI builds the code",
        "CI runs the tests",
        "CI runs the tests and builds the code (e.g. a Docker image)",
    ]
    assert evidence.disagreement(2) is None
    flag = evidence.disagreement(1)
    assert flag is not None
    assert flag.suggested == 3


def test_the_demo_repository_suggests_testing_3_and_environments_3(demo_repo: Observed) -> None:
    testing = judge("ml-testing", demo_repo)
    assert bounds(testing) == (1, None, 3)
    assert says(testing) == [
        "The repository holds test files",
        "At least one code file in five is a test file",
        "CI runs the tests",
    ]
    environments = judge("reproducible-environments", demo_repo)
    assert bounds(environments) == (None, None, 3)
    assert says(environments) == [
        "Every requirement is pinned to an exact version",
        "The repository has a Dockerfile and CI builds",
    ]


def test_the_demo_repository_speaks_to_data_pipelines_documentation_tracking_and_delivery(
    demo_repo: Observed,
) -> None:
    expected = {
        "data-versioning": (
            (None, None, 2),
            ["DVC is used in the repository (.dvc/, dvc.yaml or .dvc files)"],
        ),
        "data-pipeline": (
            (None, None, 2),
            [
                "The repository declares a pipeline "
                "(DVC stages, Prefect, Airflow, Kubeflow, ZenML, Dagster or Metaflow)"
            ],
        ),
        "documentation": ((1, None, 2), ["The repository has a README", "The repository holds a model card"]),
        "experiment-tracking": ((None, None, 2), ["The code uses MLflow"]),
        "source-control": (
            (1, None, None),
            ["The code is in a Git repository with commits in the last 90 days"],
        ),
        "delivery-metrics": (
            (None, None, 2),
            [
                "Release tags in the last 90 days give release frequency and lead time: "
                "proxies for the DORA measures"
            ],
        ),
    }
    for capability_id, (levels, reasons) in expected.items():
        evidence = judge(capability_id, demo_repo)
        assert (bounds(evidence), says(evidence)) == (levels, reasons), capability_id
    for capability_id in ("model-registry", "automated-deployment", "feature-management", "model-monitoring"):
        assert not judge(capability_id, demo_repo).speaks, capability_id


# The ML project repository: what CI trains, registers and monitors


def test_the_ml_repository_without_a_build_step_is_suggested_ci_cd_2(ml: Observed) -> None:
    evidence = judge("ci-cd", ml)
    assert bounds(evidence) == (1, None, 2)
    assert "CI runs the tests and builds the code (e.g. a Docker image)" not in says(evidence)


def test_a_lock_file_sets_a_floor_of_2_for_environments(ml: Observed) -> None:
    evidence = judge("reproducible-environments", ml)
    assert bounds(evidence) == (2, None, None)
    assert says(evidence) == ["Dependencies are locked (a lock file or requirements with hashes)"]
    flag = evidence.disagreement(1)
    assert flag is not None
    assert flag.suggested == 2


def test_the_ml_repository_speaks_to_features_monitoring_training_and_the_registry(ml: Observed) -> None:
    assert bounds(judge("feature-management", ml)) == (None, None, 3)
    assert bounds(judge("drift-monitoring", ml)) == (None, None, 2)
    assert bounds(judge("model-monitoring", ml)) == (None, None, 2)
    assert says(judge("continuous-training", ml)) == ["A CI workflow trains the model"]
    assert says(judge("model-registry", ml)) == ["A CI workflow registers models"]
    assert bounds(judge("model-registry", ml)) == (None, None, 3)
    # Evidently counts as monitoring too, so with a drift library the repository says nothing of the
    # infrastructure's monitoring
    assert not judge("infrastructure-monitoring", ml).speaks


def test_dashboards_and_alert_rules_without_a_drift_library_suggest_infrastructure_monitoring_2(
    tmp_path: Path,
) -> None:
    repo = Repo.create(tmp_path / "ops")
    files = {"grafana/dashboards/api.json": '{"title": "api", "panels": []}\n', "README.md": "# ops\n"}
    repo.commit("Dashboards", NOW - timedelta(days=3), files=files)
    observed = synced(repo.path, tmp_path / "cache")
    evidence = judge("infrastructure-monitoring", observed)
    assert bounds(evidence) == (None, None, 2)
    assert says(evidence, "ja") == [
        "リポジトリにモニタリングの設定がある"
        "（Prometheus のルール、Grafana のダッシュボード、Alertmanager のいずれか）"
    ]
    assert not judge("drift-monitoring", observed).speaks


# MLflow usage, from hand-made observations


def test_a_well_tracked_mlflow_server_suggests_tracking_3_registry_3_and_data_versioning_3() -> None:
    observed = measured(
        mlflow__runs__started_90d=120,
        mlflow__runs__with_params=0.95,
        mlflow__runs__with_metrics=1.0,
        mlflow__runs__with_git_commit=0.9,
        mlflow__runs__with_dataset=0.85,
        mlflow__registry__models=3,
        mlflow__registry__versions_with_run=0.9,
        mlflow__registry__models_with_aliases=0.67,
        mlflow__registry__production_present=1,
    )
    tracking = judge("experiment-tracking", observed)
    assert bounds(tracking) == (1, None, 3)
    assert says(tracking)[-1] == "At least 80% of the runs record their parameters, Git commit and dataset"
    assert bounds(judge("model-registry", observed)) == (None, None, 3)
    assert bounds(judge("data-versioning", observed)) == (None, None, 3)
    lineage = judge("training-reproducibility", observed)
    # one version in ten has no run: every registered model does not trace to its run (level 3)
    assert bounds(lineage) == (None, 2, 2)
    assert says(lineage) == [
        "Some model versions are not linked to the run that made them",
        "At least half of the runs record their Git commit, parameters and dataset",
    ]


def test_runs_without_parameters_or_commits_cap_tracking_at_2_and_lineage_at_1() -> None:
    observed = measured(
        mlflow__runs__started_90d=40,
        mlflow__runs__with_params=0.3,
        mlflow__runs__with_metrics=0.9,
        mlflow__runs__with_git_commit=0.1,
    )
    tracking = judge("experiment-tracking", observed)
    assert bounds(tracking) == (1, 2, None)
    flag = tracking.disagreement(4)
    assert flag is not None
    assert flag.suggested == 2
    assert [f.rule.says.en for f in flag.findings] == [
        "Fewer than half of the runs log their parameters",
        "Fewer than half of the runs record their Git commit",
    ]
    lineage = judge("training-reproducibility", observed)
    assert bounds(lineage) == (None, 1, None)
    assert says(lineage, "ja") == ["Git コミットを記録した実行が半数に満たない"]


def test_an_idle_server_with_an_empty_registry_caps_tracking_and_the_registry_at_1() -> None:
    observed = measured(mlflow__runs__started_90d=0, mlflow__registry__models=0)  # ratios left out: 0 of 0
    tracking = judge("experiment-tracking", observed)
    assert bounds(tracking) == (None, 1, None)
    assert says(tracking) == ["No MLflow run started in the last 90 days"]
    assert "mlflow.runs.with_params" in tracking.missing
    registry = judge("model-registry", observed)
    assert bounds(registry) == (None, 1, None)
    assert says(registry, "ja") == ["MLflow に登録されたモデルがない"]


def test_mlflow_code_in_the_repository_does_not_outweigh_an_idle_server(demo_repo: Observed) -> None:
    evidence = judge("experiment-tracking", merged(demo_repo, measured(mlflow__runs__started_90d=0)))
    assert bounds(evidence) == (None, 1, 1)


# Git and MLflow together


def test_no_deploy_step_and_no_production_model_cap_deployment_at_2(bare: Observed) -> None:
    nothing = judge("automated-deployment", merged(bare, measured(mlflow__registry__production_present=0)))
    assert bounds(nothing) == (None, 2, None)
    assert says(nothing) == [
        "No CI workflow deploys, and no model version is marked for production in MLflow"
    ]
    promoted = judge("automated-deployment", merged(bare, measured(mlflow__registry__production_present=1)))
    assert not promoted.speaks


def test_a_second_repository_with_ci_lifts_the_cap_of_the_first(bare: Observed, demo_repo: Observed) -> None:
    second = {key: [dataclasses.replace(o, source_id=2) for o in seen] for key, seen in demo_repo.items()}
    two = merged(bare, second)
    evidence = judge("ci-cd", two)
    assert evidence.ceiling is None
    assert evidence.suggested == 3


# The shipped rules themselves


def _rules() -> list[tuple[str, object]]:
    return [(c.id, rule) for c in CATALOGUE.capabilities if c.evidence for rule in c.evidence.rules]


def test_every_capability_git_or_mlflow_can_speak_to_has_rules() -> None:
    with_rules = {c.id for c in CATALOGUE.capabilities if c.evidence}
    assert with_rules >= {
        "source-control", "ci-cd", "ml-testing", "reproducible-environments", "data-versioning",
        "experiment-tracking", "model-registry", "automated-deployment", "model-monitoring",
        "infrastructure-monitoring", "drift-monitoring", "data-pipeline", "continuous-training",
        "training-reproducibility", "feature-management", "documentation", "delivery-metrics",
    }  # fmt: skip


def test_every_shipped_rule_says_what_it_shows_in_both_languages_and_names_a_level_that_tells() -> None:
    for capability in CATALOGUE.capabilities:
        if capability.evidence is None:
            continue
        seen: set[str] = set()
        for rule in capability.evidence.rules:
            where = f"{capability.id}: {rule.says.en}"
            assert rule.says.en.strip(), where
            assert rule.says.ja.strip(), where
            assert JAPANESE.search(rule.says.ja), where
            assert not JAPANESE.search(rule.says.en), where
            assert not rule.says.en.endswith("."), where  # a statement shown in a list, as the others
            assert rule.says.en not in seen, where  # each finding reads differently
            seen.add(rule.says.en)
            # a ceiling of 4 or a floor of 0 says nothing; every level the rule names is described
            assert rule.ceiling is None or 0 <= rule.ceiling < 4, where
            assert rule.floor is None or 0 < rule.floor <= 4, where
            assert rule.suggests is None or 0 < rule.suggests <= 4, where
            level = next(x for x in (rule.floor, rule.ceiling, rule.suggests) if x is not None)
            assert level in capability.levels, where


def test_every_condition_suits_its_signals_unit() -> None:
    for capability in CATALOGUE.capabilities:
        for rule in capability.evidence.rules if capability.evidence else ():
            for condition in (rule, *rule.also):
                info = CATALOGUE.signal(condition.signal)
                assert info is not None
                where = f"{capability.id}: {condition.signal}"
                if info.unit is SignalUnit.BOOL:
                    assert condition.equals is not None, where
                else:
                    assert condition.equals is None, where
                threshold = condition.at_least if condition.at_least is not None else condition.below
                if info.unit is SignalUnit.RATIO:
                    assert threshold is not None, where
                    assert 0 < threshold <= 1, where


# The playbook base model shares the capability ids


def test_the_playbook_base_questions_get_the_catalogues_evidence(demo_repo: Observed) -> None:
    [playbook] = [m for m in builtin_models() if m.id == "playbook-base"]
    team = TeamEvidence(sources=1, capabilities=read_evidence(CATALOGUE, demo_repo))
    found = question_evidence(playbook, [], team, {})
    by_capability = {q.evidence.capability_id for q in found.values()}
    with_rules = {c.id for c in CATALOGUE.capabilities if c.evidence}
    playbook_ids = {c.id for c in playbook.capabilities()}
    assert by_capability == playbook_ids & with_rules
    assert {
        "source-control",
        "reproducible-environments",
        "automated-deployment",
        "data-versioning",
    } <= by_capability
    environments = found["reproducible-environments"]
    assert environments.evidence.suggested == 3
    assert environments.accept_choice is not None
    source_control = found["source-control"]
    assert source_control.evidence.floor == 1


def test_docs_evidence_lists_every_shipped_rule_in_both_languages() -> None:
    docs = Path("docs/evidence.md").read_text(encoding="utf-8")
    for capability in CATALOGUE.capabilities:
        for rule in capability.evidence.rules if capability.evidence else ():
            assert f"| {rule.says.en} / {rule.says.ja} |" in docs, f"{capability.id}: {rule.says.en}"
