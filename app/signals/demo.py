"""The demo's Git repository: an ML project built by git itself (fast-import, in well under a second)
with six months of commits by the Recommendations team, release tags, CI, DVC, a Dockerfile and tests,
connected as that team's source so the Sources page shows real signals from the first start."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Source, Team

TEAM = "recommendations"
DAYS = 182
SEED = 19
AUTHORS = (  # (name, email, weight): who commits how often
    ("Mika Ito", "mika.ito@example.com", 5),
    ("Kenji Mori", "kenji.mori@example.com", 3),
    ("Ayumi Kato", "ayumi.kato@example.com", 4),
    ("Ren Sato", "ren.sato@example.com", 1),
)
CI = """\
name: ci
on: [push, pull_request]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with: {python-version: "3.12"}
      - run: pip install -r requirements.txt
      - run: ruff check .
      - run: pytest --cov=recs --cov-fail-under=80
  build:
    needs: test
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: docker build -t recs-ranker:${{ github.sha }} .
"""
FILES = {
    ".github/workflows/ci.yml": CI,
    "Dockerfile": (
        "FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n"
        'COPY recs recs\nCMD ["python", "-m", "recs.serve"]\n'
    ),
    "dvc.yaml": (
        "stages:\n  prepare:\n    cmd: python -m recs.prepare\n    deps: [data/ratings.csv]\n"
        "    outs: [data/features.parquet]\n  train:\n    cmd: python -m recs.train\n"
        "    deps: [data/features.parquet]\n    outs: [models/ranker.pkl]\n"
    ),
    ".dvc/config": "[core]\n    remote = store\n['remote \"store\"']\n    url = s3://recs-dvc/store\n",
    "data/ratings.csv.dvc": (
        "outs:\n- md5: 3f2a9c1e0b7d4e5f6a7b8c9d0e1f2a3b\n  size: 48211904\n  path: ratings.csv\n"
    ),
    "requirements.txt": (
        "mlflow==2.16.2\nscikit-learn==1.5.2\npandas==2.2.3\nfastapi==0.115.0\nruff==0.6.9\npytest==8.3.3\n"
    ),
    "pyproject.toml": (
        '[project]\nname = "recs"\nversion = "1.0.0"\n\n[tool.coverage.report]\nfail_under = 80\n'
    ),
    "recs/__init__.py": "",
    "recs/prepare.py": "import pandas as pd\n\n\ndef prepare(path):\n    return pd.read_csv(path).dropna()\n",
    "recs/train.py": (
        "import mlflow\n\n\ndef train(features):\n    with mlflow.start_run():\n"
        "        mlflow.log_metric('ndcg_at_10', 0.41)\n"
    ),
    "recs/serve.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
    "tests/__init__.py": "",
    "tests/test_prepare.py": "def test_prepare_drops_empty_rows():\n    assert True\n",
    "tests/test_train.py": "def test_train_logs_ndcg():\n    assert True\n",
    "README.md": "# Recommendations\n\nPersonalised ranking for the online store.\n",
    "MODEL_CARD.md": "# Ranker model card\n\nIntended use: ordering products on the store's home page.\n",
}
# what a commit touches and how its subject reads
WORK = (
    ("recs/train.py", "Tune the ranker's learning rate"),
    ("recs/prepare.py", "Drop sessions shorter than two views"),
    ("recs/serve.py", "Cache the top-100 list per segment"),
    ("tests/test_train.py", "Test the ranker on an empty catalogue"),
    ("tests/test_prepare.py", "Cover the de-duplication of ratings"),
    ("dvc.yaml", "Add the evaluation stage"),
    ("data/ratings.csv.dvc", "Refresh the ratings snapshot"),
    ("README.md", "Document the nightly retraining"),
    ("requirements.txt", "Bump scikit-learn"),
)


def repository_path(root: Path) -> Path:
    """Where the demo repository lives under the allowed root (HOSHIN_GIT_ALLOWED_ROOT)."""
    return root / "demo" / f"{TEAM}.git"


def build_repository(path: Path, *, now: datetime) -> None:
    """(Re)create the bare repository at `path`: its history ends today, wherever today is."""
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    _git(path, "init", "-q", "--bare", "-b", "main")
    _git(path, "config", "uploadpack.allowFilter", "true")
    _git(path, "fast-import", "--quiet", stdin=_stream(now))


def connect(session: Session, *, path: Path) -> Source | None:
    """Add the repository as a Git source of the newest demo team of that name (None: there is none)."""
    team = session.scalar(select(Team).where(Team.slug == TEAM).order_by(Team.id.desc()).limit(1))
    if team is None:
        return None
    source = Source(team_id=team.id, kind="git", name="recommendations", url=str(path), branch="main")
    session.add(source)
    session.flush()
    return source


def replay(path: Path, *, now: datetime, weeks: int) -> Iterator[datetime]:
    """Rewind the repository to how it stood `weeks` weeks ago, then a week later, and so on, yielding
    each moment (oldest first) while the repository stands as it did then: the branch at its last commit
    up to that moment, only the release tags made by then. Syncing at each moment (with the sync's clock
    set to it) measures the repository's real past, as weekly syncs would have; afterwards every ref is
    back where build_repository left it."""
    commits = [line.split() for line in _git(path, "log", "--format=%H %ct", "main").splitlines()]
    tags = [
        line.split()
        for line in _git(
            path, "for-each-ref", "--format=%(refname) %(objectname) %(creatordate:unix)", "refs/tags"
        ).splitlines()
    ]
    head = commits[0][0]
    try:
        for week in range(weeks, 0, -1):
            moment = now - timedelta(weeks=week)
            stamp = moment.timestamp()
            then = next((sha for sha, at in commits if int(at) <= stamp), None)
            if then is None:
                continue
            _git(path, "update-ref", "refs/heads/main", then)
            for ref, target, at in tags:
                if int(at) <= stamp:
                    _git(path, "update-ref", ref, target)
                else:
                    _git(path, "update-ref", "-d", ref)
            yield moment
    finally:
        _git(path, "update-ref", "refs/heads/main", head)
        for ref, target, _ in tags:
            _git(path, "update-ref", ref, target)


def _git(path: Path, *args: str, stdin: bytes | None = None) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env |= {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", "LC_ALL": "C"}
    command = ["git", *args]
    done = subprocess.run(command, cwd=path, env=env, input=stdin, capture_output=True, check=True)  # noqa: S603 - no shell
    return done.stdout.decode()


def _moments(now: datetime, rng: random.Random) -> list[datetime]:
    """Commit times over the last DAYS days: working days, office hours, a busier last two months."""
    start = now - timedelta(days=DAYS)
    found = []
    for day in range(DAYS):
        date = start + timedelta(days=day)
        if date.weekday() >= 5 and rng.random() > 0.1:
            continue
        for _ in range(rng.choice((1, 2, 2, 3, 3, 4) if day > DAYS - 60 else (1, 1, 2, 2, 3))):
            found.append(date.replace(hour=rng.randint(0, 9), minute=rng.randint(0, 59)))  # 9-19 h JST
    return sorted(moment for moment in found if moment < now)


def _stream(now: datetime) -> bytes:
    """The fast-import commands: the project's first commit, then the team's work and its releases."""
    rng = random.Random(SEED)  # noqa: S311 - demo data, not security
    moments = _moments(now, rng)
    out: list[bytes] = []
    release = 0
    for mark, moment in enumerate(moments, start=1):
        name, email, _ = rng.choices(AUTHORS, weights=[a[2] for a in AUTHORS])[0]
        if mark == 1:
            files, subject = FILES, "Start the ranker: pipeline, CI, tests, Docker image"
        else:
            path, subject = rng.choice(WORK)
            files = {
                path: FILES[path] + f"# {mark}\n" if path.endswith((".py", ".txt", ".yaml")) else FILES[path]
            }
            if mark % 97 == 0:
                subject = f'Revert "{subject}"'
        out.append(_commit(mark, moment, name, email, subject, files))
        if mark > 20 and mark % 45 == 0:
            release += 1
            out.append(_tag(f"v1.{release}.0", mark, moment + timedelta(hours=2)))
    return b"".join(out)


def _data(text: str) -> bytes:
    raw = text.encode()
    return b"data %d\n%s\n" % (len(raw), raw)


def _commit(mark: int, moment: datetime, name: str, email: str, subject: str, files: dict[str, str]) -> bytes:
    stamp = f"{int(moment.timestamp())} +0900"
    who = f"{name} <{email}> {stamp}"
    head = f"commit refs/heads/main\nmark :{mark}\nauthor {who}\ncommitter {who}\n"
    parts = [head.encode(), _data(subject)]
    if mark > 1:
        parts.append(f"from :{mark - 1}\n".encode())
    for path, text in files.items():
        parts.append(f"M 100644 inline {path}\n".encode() + _data(text))
    return b"".join(parts)


def _tag(name: str, mark: int, moment: datetime) -> bytes:
    tagger = f"tagger Ren Sato <ren.sato@example.com> {int(moment.timestamp())} +0900\n"
    return f"tag {name}\nfrom :{mark}\n{tagger}".encode() + _data(f"Release {name}")
