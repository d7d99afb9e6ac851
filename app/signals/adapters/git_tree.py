"""What a repository's tree at the branch head shows: CI and its steps, tests, packaging, data and ML tools.

Pure: `files_to_read` picks the few small files worth reading from the list of paths, and `tree_signals`
turns the paths and those files' text into signals. No git, no I/O; tested with plain lists.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from posixpath import basename, splitext
from typing import Any

import yaml

from app.signals.adapters.base import Signal

MAX_CODE_FILES = 200  # Python files read to find imports (mlflow, prefect, evidently...)
MAX_FILE_BYTES = 256_000  # larger files are not read

_CODE_EXT = {
    ".py", ".ipynb", ".js", ".jsx", ".ts", ".tsx", ".go", ".java", ".kt", ".scala", ".rs", ".rb",
    ".r", ".jl", ".c", ".cc", ".cpp", ".h", ".hpp", ".cs", ".swift", ".php",
}  # fmt: skip
_VENDORED = re.compile(r"(^|/)(node_modules|vendor|third_party|site-packages|\.venv|venv|dist|build)/")
_TEST_DIR = re.compile(r"(^|/)(tests?|__tests__|spec|testing)/")
_TEST_NAME = re.compile(
    r"(^test_.*\.py$|_test\.(py|go)$|\.(test|spec)\.(js|jsx|ts|tsx)$|Tests?\.(java|kt|cs|scala)$|_spec\.rb$)"
)
_REQUIREMENTS = re.compile(r"(^|/)requirements[^/]*\.(txt|in)$")
_LOCK_FILES = {
    "poetry.lock", "uv.lock", "Pipfile.lock", "pdm.lock", "conda-lock.yml", "package-lock.json",
    "yarn.lock", "pnpm-lock.yaml", "Cargo.lock", "go.sum", "Gemfile.lock", "composer.lock",
}  # fmt: skip
_CONFIGS = {
    "pyproject.toml", "setup.cfg", "setup.py", "tox.ini", "pytest.ini", ".coveragerc", "codecov.yml",
    ".codecov.yml", "package.json", "environment.yml", "environment.yaml", "conda.yaml", "Pipfile",
    "dvc.yaml", ".gitattributes", "MLproject", "jest.config.js", "jest.config.ts", "noxfile.py", "Makefile",
}  # fmt: skip
_BOTS = {
    ".github/dependabot.yml": "dependabot", ".github/dependabot.yaml": "dependabot",
    "renovate.json": "renovate", "renovate.json5": "renovate", ".github/renovate.json": "renovate",
    ".github/renovate.json5": "renovate", ".gitlab/renovate.json": "renovate", ".renovaterc": "renovate",
    ".renovaterc.json": "renovate", ".renovaterc.json5": "renovate",
}  # fmt: skip

# What a CI file's commands do; matched on the text with comment lines removed, in lower case.
_CI_STEPS = {
    "tests": r"\bpytest\b|\btox\b|\bnox\b|make (unit-?)?tests?\b|-m unittest|\bgo test\b|\b(npm|yarn|pnpm)"
    r"( run)? test\b|\bcargo test\b|\bmvn\b.*\b(test|verify)\b|\bgradlew? (test|check)\b|\bjest\b",
    "train": r"\btrain(ing)?(\.py|\.sh|\.ipynb)\b|make train\b|\bdvc (repro|exp run)\b|\bmlflow run\b|"
    r"-m [\w.]*train\b|\btrain_model\b",
    "register": r"register[_ -]?model|mlflow models? |model[_ -]?registry|\bregister\.py\b|"
    r"set_registered_model_alias|transition[_-]model",
    "deploy": r"\bdeploy|kubectl (apply|set|rollout)|helm (upgrade|install)|\bdocker push\b|"
    r"build-push-action|terraform apply|\bargocd\b|sagemaker|serverless deploy|environment: *production",
    "lint": r"\bruff\b|\bflake8\b|\bpylint\b|\bmypy\b|black --check|pre-commit|\beslint\b|golangci-lint",
    "build": r"docker build|build-push-action|-m build\b|(poetry|uv|npm|yarn|pnpm)( run)? build\b|"
    r"make build\b|\bgo build\b|mvn (package|install)|gradlew? build",
}
_PY_TOOLS = {
    "mlflow": r"^\s*(import mlflow|from mlflow\b)",
    "prefect": r"^\s*(import prefect|from prefect\b)",
    "airflow": r"^\s*(import airflow|from airflow\b)",
    "kubeflow": r"^\s*(import kfp|from kfp\b)",
    "zenml": r"^\s*(import zenml|from zenml\b)",
    "dagster": r"^\s*(import dagster|from dagster\b)",
    "metaflow": r"^\s*(import metaflow|from metaflow\b)",
    "evidently": r"^\s*(import evidently|from evidently\b)",
    "feast": r"^\s*(import feast|from feast\b)",
    "drift": r"^\s*(import (alibi_detect|nannyml|whylogs)|from (alibi_detect|nannyml|whylogs)\b)",
}
_DEP_NAMES = {
    "mlflow": r"\bmlflow(-skinny)?\b",
    "prefect": r"\bprefect\b",
    "airflow": r"\bapache-airflow\b",
    "kubeflow": r"\bkfp\b",
    "zenml": r"\bzenml\b",
    "dagster": r"\bdagster\b",
    "metaflow": r"\bmetaflow\b",
    "evidently": r"\bevidently\b",
    "feast": r"\bfeast\b",
    "drift": r"\b(alibi-detect|nannyml|whylogs)\b",
}
_DEP_FILES = (
    "pyproject.toml",
    "setup.py",
    "setup.cfg",
    "Pipfile",
    "environment.yml",
    "environment.yaml",
    "conda.yaml",
)
_DOC_EXT = (".md", ".rst", ".adoc", ".txt")
_PIPELINE_TOOLS = ("prefect", "airflow", "kubeflow", "zenml", "dagster", "metaflow")


@dataclass(frozen=True)
class CiFile:
    """One CI configuration file and the system it belongs to."""

    path: str
    system: str


def ci_files(paths: Iterable[str]) -> list[CiFile]:
    """The CI configuration files among the paths (a .github folder without workflows is not CI)."""
    found = []
    for path in paths:
        name = basename(path)
        system = None
        if re.fullmatch(r"\.github/workflows/[^/]+\.ya?ml", path):
            system = "github_actions"
        elif path == ".gitlab-ci.yml" or re.fullmatch(r"\.gitlab/ci/[^/]+\.ya?ml", path):
            system = "gitlab_ci"
        elif name == "Jenkinsfile" or name.startswith("Jenkinsfile."):
            system = "jenkins"
        elif path in ("azure-pipelines.yml", "azure-pipelines.yaml") or path.startswith(".azure-pipelines/"):
            system = "azure_pipelines"
        elif path == ".circleci/config.yml":
            system = "circleci"
        elif path == "bitbucket-pipelines.yml":
            system = "bitbucket_pipelines"
        if system:
            found.append(CiFile(path, system))
    return found


def files_to_read(paths: list[str]) -> list[str]:
    """The small set of files whose content the signals need: CI, dependency, config and some code files."""
    wanted = [ci.path for ci in ci_files(paths)]
    code: list[str] = []
    for path in paths:
        name = basename(path)
        if _VENDORED.search(path):
            continue
        if (
            name in _CONFIGS
            or _REQUIREMENTS.search(path)
            or name == "feature_store.yaml"
            or _is_monitoring_candidate(path)
        ):
            wanted.append(path)
        elif path.endswith(".py"):
            code.append(path)
    code.sort(key=_code_priority)
    return wanted + code[:MAX_CODE_FILES]


def _code_priority(path: str) -> tuple[int, int, str]:
    hint = re.search(
        r"train|pipeline|flow|dag|model|register|deploy|serve|monitor|drift|feature", path.lower()
    )
    return (0 if hint else 1, path.count("/"), path)


def _is_monitoring_candidate(path: str) -> bool:
    lowered = path.lower()
    if basename(lowered).startswith("alertmanager") and lowered.endswith((".yml", ".yaml")):
        return True
    if lowered.endswith((".rules", ".rules.yml", ".rules.yaml")):
        return True
    if lowered.endswith((".yml", ".yaml")) and re.search(r"prometheus|alert|rules", lowered):
        return True
    return lowered.endswith(".json") and re.search(r"grafana|dashboards?/", lowered) is not None


def tree_signals(paths: list[str], texts: Mapping[str, str]) -> list[Signal]:
    """Every tree signal, from all paths at the head and the text of the files `files_to_read` chose."""
    tools = _tools(paths, texts)
    return [
        *_ci_signals(paths, texts),
        *_test_signals(paths),
        *_coverage_signals(paths, texts),
        *_container_signals(paths),
        *_dependency_signals(paths, texts),
        *_data_signals(paths, texts),
        *_ml_signals(paths, texts, tools),
        *_docs_signals(paths),
    ]


def _bool(key: str, value: bool, **detail: Any) -> Signal:
    return Signal(key, 1.0 if value else 0.0, "bool", detail)


def _strip_comments(text: str) -> str:
    return "\n".join(line for line in text.lower().splitlines() if not line.lstrip().startswith(("#", "//")))


def _ci_signals(paths: list[str], texts: Mapping[str, str]) -> list[Signal]:
    files = ci_files(paths)
    systems = sorted({ci.system for ci in files})
    steps: dict[str, list[str]] = {step: [] for step in _CI_STEPS}
    for ci in files:
        text = _strip_comments(texts.get(ci.path, ""))
        for step, pattern in _CI_STEPS.items():
            if re.search(pattern, text):
                steps[step].append(ci.path)
    signals = [_bool("git.ci.configured", bool(files), systems=systems, files=[ci.path for ci in files])]
    names = {
        "tests": "runs_tests",
        "train": "trains_model",
        "register": "registers_model",
        "deploy": "deploys",
    }
    names |= {"lint": "lints", "build": "builds"}
    for step, measure in names.items():
        signals.append(_bool(f"git.ci.{measure}", bool(steps[step]), files=steps[step]))
    return signals


def is_test_file(path: str) -> bool:
    """A code file that holds tests: under a tests folder or named like a test."""
    return bool(_TEST_DIR.search(path) or _TEST_NAME.search(basename(path)))


def _test_signals(paths: list[str]) -> list[Signal]:
    code = [p for p in paths if splitext(p)[1].lower() in _CODE_EXT and not _VENDORED.search(p)]
    tests = [p for p in code if is_test_file(p) and basename(p) not in ("conftest.py", "__init__.py")]
    sources = [p for p in code if not is_test_file(p)]
    share = len(tests) / (len(tests) + len(sources)) if code else 0.0
    per_source = round(len(tests) / len(sources), 3) if sources else None
    detail = {"test_files": len(tests), "source_files": len(sources), "tests_per_source_file": per_source}
    return [
        _bool("git.tests.present", bool(tests), **detail),
        Signal("git.tests.files", float(len(tests)), "count", detail),
        Signal("git.tests.file_share", round(share, 4), "ratio", detail),
    ]


def _coverage_signals(paths: list[str], texts: Mapping[str, str]) -> list[Signal]:
    where: list[str] = []
    thresholds: list[tuple[float, str]] = []
    for path, text in texts.items():
        name = basename(path)
        lowered = text.lower()
        if _configures_coverage(name, lowered):
            where.append(path)
        thresholds.extend((value, path) for value in _thresholds(name, text))
    signals = [_bool("git.coverage.configured", bool(where), files=sorted(set(where)))]
    if thresholds:
        value, path = max(thresholds)
        signals.append(Signal("git.coverage.threshold", round(value, 4), "ratio", {"file": path}))
    return signals


def _configures_coverage(name: str, lowered: str) -> bool:
    return (
        name in (".coveragerc", "codecov.yml", ".codecov.yml")
        or (name in ("setup.cfg", "tox.ini") and "[coverage:" in lowered)
        or (name == "pyproject.toml" and "[tool.coverage" in lowered)
        or re.search(r"--cov\b|--cov=|coverage run|collectcoverage|coveragethreshold|\bnyc\b", lowered)
        is not None
    )


def _thresholds(name: str, text: str) -> list[float]:
    found = [float(m) for m in re.findall(r"--cov-fail-under[= ]+([\d.]+)", text)]
    if name in (".coveragerc", "setup.cfg", "tox.ini", "pyproject.toml"):
        found += [float(m) for m in re.findall(r"(?m)^\s*fail_under\s*=\s*([\d.]+)", text)]
    if name in ("codecov.yml", ".codecov.yml"):
        found += [float(m) for m in re.findall(r"target:\s*['\"]?([\d.]+)\s*%", text)]
    if name in ("package.json", "jest.config.js", "jest.config.ts") and "coverageThreshold" in text:
        block = text.split("coverageThreshold", 1)[1][:400]
        found += [float(m) for m in re.findall(r"(?:lines|statements)['\"]?\s*:\s*([\d.]+)", block)]
    return [value / 100 for value in found if 0 < value <= 100]


def _container_signals(paths: list[str]) -> list[Signal]:
    dockerfiles = [
        p for p in paths
        if re.fullmatch(r"(Dockerfile|Containerfile)([.-][^/]*)?|[^/]*\.[Dd]ockerfile", basename(p))
    ]  # fmt: skip
    compose = [p for p in paths if re.fullmatch(r"(docker-)?compose[^/]*\.ya?ml", basename(p))]
    devcontainer = [p for p in paths if p == ".devcontainer.json" or re.match(r"\.devcontainer/", p)]
    return [
        _bool("git.container.dockerfile", bool(dockerfiles), files=dockerfiles[:20], compose=compose[:10]),
        _bool("git.container.devcontainer", bool(devcontainer), files=devcontainer[:10]),
    ]


def _dependency_signals(paths: list[str], texts: Mapping[str, str]) -> list[Signal]:
    locks = sorted(p for p in paths if basename(p) in _LOCK_FILES and not _VENDORED.search(p))
    requirements = [p for p in texts if _REQUIREMENTS.search(p) and p.endswith(".txt")]
    lines = pinned = 0
    for path in requirements:
        for raw in texts[path].splitlines():
            line = raw.split("#", 1)[0].strip()
            if not line or line.startswith("-") or line.startswith("\\"):
                continue
            lines += 1
            pinned += bool(
                re.search(r"===?\s*[\w.*+!-]+|\s@\s", line) or "--hash" in raw
            )  # == or a direct URL
    hashed = any("--hash=" in texts[p] for p in requirements)
    bots = sorted({bot for path, bot in _BOTS.items() if path in set(paths)})
    signals = [
        _bool("git.deps.locked", bool(locks) or hashed, files=locks[:20]),
        _bool("git.deps.update_bot", bool(bots), tools=bots),
    ]
    if lines:
        detail = {"files": sorted(requirements)[:20], "requirements": lines, "pinned": pinned}
        signals.append(Signal("git.deps.pinned_share", round(pinned / lines, 4), "ratio", detail))
    return signals


def _data_signals(paths: list[str], texts: Mapping[str, str]) -> list[Signal]:
    dvc = [
        p
        for p in paths
        if p.startswith(".dvc/") or basename(p) in ("dvc.yaml", "dvc.lock") or p.endswith(".dvc")
    ]
    lfs = [p for p, text in texts.items() if basename(p) == ".gitattributes" and "filter=lfs" in text]
    patterns = sum(texts[p].count("filter=lfs") for p in lfs)
    feast = [p for p in paths if basename(p) == "feature_store.yaml"]
    return [
        _bool("git.data.dvc", bool(dvc), files=len(dvc), examples=dvc[:10]),
        _bool("git.data.lfs", bool(lfs), files=lfs, patterns=patterns),
        _bool("git.features.feast", bool(feast), files=feast[:10]),
    ]


def _tools(paths: list[str], texts: Mapping[str, str]) -> dict[str, list[str]]:
    """For each ML tool, the files that show it in use (an import in code or a dependency declared)."""
    found: dict[str, list[str]] = {tool: [] for tool in _PY_TOOLS}
    for path, text in texts.items():
        name = basename(path)
        if path.endswith(".py") and name not in ("setup.py", "noxfile.py"):
            patterns = _PY_TOOLS
        elif _REQUIREMENTS.search(path) or name in _DEP_FILES:
            patterns = _DEP_NAMES
        else:
            continue
        lowered = text if patterns is _PY_TOOLS else text.lower()
        for tool, pattern in patterns.items():
            if re.search(pattern, lowered, re.MULTILINE):
                found[tool].append(path)
    if any(basename(p) == "MLproject" for p in paths):
        found["mlflow"].append(next(p for p in paths if basename(p) == "MLproject"))
    if any(basename(p) == "feature_store.yaml" for p in paths):
        found["feast"] += [p for p in paths if basename(p) == "feature_store.yaml"][:1]
    return found


def _dvc_stages(texts: Mapping[str, str]) -> int:
    count = 0
    for path, text in texts.items():
        if basename(path) != "dvc.yaml":
            continue
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError:
            continue
        if isinstance(data, dict) and isinstance(data.get("stages"), dict):
            count += len(data["stages"])
    return count


def _ml_signals(paths: list[str], texts: Mapping[str, str], tools: dict[str, list[str]]) -> list[Signal]:
    stages = _dvc_stages(texts)
    pipelines = {tool: tools[tool][:5] for tool in _PIPELINE_TOOLS if tools[tool]}
    if any(re.match(r"(.*/)?dags/[^/]+\.py$", p) for p in paths) and "airflow" not in pipelines:
        pipelines["airflow"] = [p for p in paths if re.match(r"(.*/)?dags/[^/]+\.py$", p)][:5]
    if stages:
        pipelines["dvc"] = [p for p in texts if basename(p) == "dvc.yaml"]
    monitoring = _monitoring(texts)
    if tools["evidently"]:
        monitoring["evidently"] = tools["evidently"][:5]
    drift = {tool: tools[tool][:5] for tool in ("evidently", "drift") if tools[tool]}
    return [
        _bool("git.mlflow.used", bool(tools["mlflow"]), files=tools["mlflow"][:10]),
        _bool("git.pipelines.configured", bool(pipelines), tools=sorted(pipelines), files=pipelines),
        Signal("git.pipelines.dvc_stages", float(stages), "count"),
        _bool("git.monitoring.configured", bool(monitoring), tools=sorted(monitoring), files=monitoring),
        _bool("git.monitoring.drift_detection", bool(drift), files=drift),
    ]


def _monitoring(texts: Mapping[str, str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path, text in texts.items():
        if not _is_monitoring_candidate(path):
            continue
        kind = _monitoring_kind(path, text)
        if kind:
            found.setdefault(kind, []).append(path)
    return found


def _monitoring_kind(path: str, text: str) -> str | None:
    if path.lower().endswith(".json"):
        try:
            data = json.loads(text)
        except ValueError:
            return None
        board = data.get("dashboard", data) if isinstance(data, dict) else None
        return "grafana_dashboards" if isinstance(board, dict) and "panels" in board else None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return None
    if not isinstance(data, dict):
        return None
    if "route" in data and "receivers" in data:
        return "alertmanager"
    groups = data.get("groups")
    if isinstance(groups, list) and any(isinstance(g, dict) and "rules" in g for g in groups):
        return "prometheus_rules"
    return None


def _docs_signals(paths: list[str]) -> list[Signal]:
    readme = [p for p in paths if "/" not in p and basename(p).lower().startswith("readme")]
    pages = [
        p for p in paths
        if re.match(r"(docs?|documentation)/", p) and splitext(p)[1].lower() in _DOC_EXT
    ]  # fmt: skip
    site = [p for p in paths if p in ("mkdocs.yml", "docs/conf.py", "doc/conf.py", "docs/source/conf.py")]
    cards = [p for p in paths if re.search(r"model[_-]?card", basename(p).lower())]
    return [
        _bool("git.docs.readme", bool(readme), files=readme),
        Signal("git.docs.pages", float(len(pages)), "count", {"site": site, "examples": pages[:10]}),
        _bool("git.docs.model_card", bool(cards), files=cards[:10]),
    ]
