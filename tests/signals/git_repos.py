"""Real git repositories for the Git adapter's tests: built by git at known dates, served by git daemon."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
DAY = 86_400

CI_WORKFLOW = """\
name: ci
on: [push, pull_request]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      # make deploy  (a comment: never counted)
      - run: ruff check .
      - run: pytest --cov=src --cov-fail-under=80
  train:
    needs: test
    steps:
      - run: python src/pkg/train.py
      - run: python scripts/register_model.py --alias champion
"""

ML_FILES = {
    ".github/workflows/ci.yml": CI_WORKFLOW,
    ".github/FUNDING.yml": "github: [someone]\n",
    ".github/dependabot.yml": "version: 2\nupdates: []\n",
    "src/pkg/__init__.py": "",
    "src/pkg/a.py": "def a():\n    return 1\n",
    "src/pkg/b.py": "def b():\n    return 2\n",
    "src/pkg/train.py": (
        "import mlflow\nfrom prefect import flow\n\n@flow\ndef train():\n    mlflow.log_metric('auc', 0.9)\n"
    ),
    "src/pkg/monitor.py": "from evidently import Report\n",
    "tests/test_a.py": "def test_a():\n    assert True\n",
    "tests/test_b.py": "def test_b():\n    assert True\n",
    "tests/conftest.py": "",
    "pyproject.toml": '[project]\nname = "pkg"\n\n[tool.coverage.report]\nfail_under = 85\n',
    "requirements.txt": "mlflow==2.9.0\nevidently==0.4.1  # monitoring\nnumpy>=1.26\n",
    "uv.lock": "version = 1\n",
    "Dockerfile": "FROM python:3.12-slim\n",
    ".devcontainer/devcontainer.json": '{"image": "python"}\n',
    "dvc.yaml": "stages:\n  prepare:\n    cmd: python prepare.py\n  train:\n    cmd: python train.py\n",
    "dvc.lock": "schema: '2.0'\n",
    ".dvc/config": "[core]\n    remote = store\n",
    "data/raw.csv.dvc": "outs:\n- md5: 0\n  path: raw.csv\n",
    ".gitattributes": "*.bin filter=lfs diff=lfs merge=lfs -text\n*.pt filter=lfs diff=lfs merge=lfs -text\n",
    "features/feature_store.yaml": "project: churn\nprovider: local\n",
    "monitoring/alerts.rules.yml": (
        "groups:\n  - name: model\n    rules:\n      - alert: Drift\n        expr: drift > 0.3\n"
    ),
    "monitoring/alertmanager.yml": "route:\n  receiver: team\nreceivers:\n  - name: team\n",
    "grafana/dashboards/model.json": '{"title": "model", "panels": []}\n',
    "README.md": "# pkg\n",
    "docs/index.md": "# Docs\n",
    "docs/usage.md": "# Usage\n",
    "MODEL_CARD.md": "# Model card\n",
}

# (days before NOW, author, subject): the commits the ML repository's history holds, oldest first.
HISTORY = [
    (120, "dave@example.com", "Start"),
    (100, "dave@example.com", "Prototype"),
    (85, "alice@example.com", "Add the pipeline, CI and tests"),
    (80, "alice@example.com", "Tune features"),
    (70, "bob@example.com", "Fix the split"),
    (50, "alice@example.com", "Add drift report"),
    (40, "bob@example.com", "Speed up training"),
    (20, "alice@example.com", 'Revert "Speed up training"'),
    (10, "carol@example.com", "Document the model"),
    (5, "alice@example.com", "Bump numpy"),
]
# (name, days before NOW, the HISTORY subject it is placed on)
TAGS = [
    ("v0.9", 100, "Prototype"),
    ("v1.0", 60, "Fix the split"),
    ("experiment-x", 45, "Add drift report"),
    ("v1.1", 30, "Speed up training"),
]


def git_env(when: datetime | None = None, author: str = "alice@example.com") -> dict[str, str]:
    """An environment for building test repositories: no user config, fixed identity and dates."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env |= {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", "LC_ALL": "C"}
    name = author.split("@")[0]
    env |= {"GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": author, "GIT_COMMITTER_NAME": name}
    env |= {"GIT_COMMITTER_EMAIL": author}
    if when:
        stamp = f"@{int(when.timestamp())} +0000"
        env |= {"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
    return env


@dataclass
class Repo:
    """A repository built commit by commit at chosen dates."""

    path: Path
    shas: dict[str, str] = field(default_factory=dict)  # subject -> sha

    @classmethod
    def create(cls, path: Path, branch: str = "main") -> Repo:
        path.mkdir(parents=True)
        repo = cls(path)
        repo.git("init", "-q", "-b", branch)
        repo.git("config", "uploadpack.allowFilter", "true")  # so the adapter's clone really is blob-less
        return repo

    def git(self, *args: str, env: dict[str, str] | None = None) -> str:
        done = subprocess.run(
            ["git", *args], cwd=self.path, env=env or git_env(), capture_output=True, text=True, check=True
        )
        return done.stdout.strip()

    def commit(
        self,
        subject: str,
        when: datetime,
        author: str = "alice@example.com",
        files: dict[str, str] | None = None,
    ) -> str:
        for name, text in (files or {}).items():
            target = self.path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
            self.git("add", "--", name)
        self.git("commit", "-q", "--allow-empty", "-m", subject, env=git_env(when, author))
        self.shas[subject] = self.git("rev-parse", "HEAD")
        return self.shas[subject]

    def tag(self, name: str, sha: str, when: datetime) -> None:
        self.git("tag", "-a", "-m", name, name, sha, env=git_env(when))

    def add_commits(self, count: int, first: datetime, step: timedelta) -> None:
        """Many empty commits, quickly, through fast-import on top of the branch."""
        head = self.git("rev-parse", "HEAD")
        branch = self.git("symbolic-ref", "--short", "HEAD")
        lines = []
        for i in range(count):
            stamp = int((first + i * step).timestamp())
            message = f"Change {i}"
            lines += [f"commit refs/heads/{branch}", f"mark :{i + 1}"]
            lines += [
                f"author Eve <eve@example.com> {stamp} +0000",
                f"committer Eve <eve@example.com> {stamp} +0000",
            ]
            lines += [f"data {len(message)}", message, f"from {head}" if i == 0 else f"from :{i}", ""]
        subprocess.run(
            ["git", "fast-import", "--quiet"], cwd=self.path, env=git_env(), input="\n".join(lines) + "\n",
            text=True, check=True,
        )  # fmt: skip
        self.git("reset", "-q", "--hard", branch)


def build_ml_repo(path: Path) -> Repo:
    """The ML project repository: every tree signal present, the HISTORY commits and TAGS at known dates."""
    repo = Repo.create(path)
    for days, author, subject in HISTORY:
        files = ML_FILES if subject == "Add the pipeline, CI and tests" else {f"log/{days}.txt": subject}
        repo.commit(subject, NOW - timedelta(days=days), author, files)
    for name, days, subject in TAGS:
        repo.tag(name, repo.shas[subject], NOW - timedelta(days=days))
    return repo


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for_port(port: int, process: subprocess.Popen[bytes]) -> None:
    for _ in range(200):
        if process.poll() is not None:
            raise RuntimeError("git daemon exited at start")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return
        time.sleep(0.05)
    raise RuntimeError("git daemon did not start listening")


@contextlib.contextmanager
def git_daemon(root: Path) -> Iterator[int]:
    """`git daemon` serving every repository under root on a free 127.0.0.1 port; killed afterwards."""
    port = free_port()
    process = subprocess.Popen(
        ["git", "daemon", "--reuseaddr", "--listen=127.0.0.1", f"--port={port}", f"--base-path={root}",
         "--export-all", "--informative-errors", str(root)],
        env=git_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        _wait_for_port(port, process)
        yield port
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@contextlib.contextmanager
def silent_server() -> Iterator[int]:
    """A TCP server on 127.0.0.1 that accepts connections and never answers (a hung git daemon)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            with contextlib.suppress(TimeoutError, OSError):
                held.append(server.accept()[0])

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield int(server.getsockname()[1])
    finally:
        stop.set()
        thread.join()
        for conn in held:
            conn.close()
        server.close()


@pytest.fixture(scope="session")
def ml_repo(tmp_path_factory: pytest.TempPathFactory) -> Repo:
    """The ML project repository, built once (tests only read it; tests that change one build their own)."""
    return build_ml_repo(tmp_path_factory.mktemp("repos") / "ml")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, int]]:
    """A folder served by git daemon on 127.0.0.1, and its port."""
    root = tmp_path / "served"
    root.mkdir()
    with git_daemon(root) as port:
        yield root, port
