"""Double submits (a double click, a retry) and many clients writing at once, with real commits on a
database of their own: every write is recorded exactly once and no duplicate appears. On PostgreSQL in
CI (real concurrency, where check-then-insert races show), on SQLite locally."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, make_url, select

from app import migrate
from app.config import Settings
from app.db import make_engine, make_session_factory, session_scope
from app.main import create_app
from app.maturity import service as maturity_service
from app.models import Answer, Assessment, AuditEvent
from tests import factories
from tests.conftest import reset_database

TWINS = 6


@dataclass
class World:
    app: FastAPI
    team_id: int
    model_id: int
    draft_id: int
    questions: list[tuple[str, list[str]]]


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    server = os.environ.get("HOSHIN_TEST_DATABASE_URL")
    if server:
        url = make_url(server)
        database = url.set(database=f"{url.database}_reliability").render_as_string(hide_password=False)
    else:
        database = f"sqlite:///{tmp_path / 'reliability.sqlite3'}"
    reset_database(database)
    migrate.upgrade(database)
    engine = make_engine(database)
    with session_scope(make_session_factory(engine)) as session:
        org = factories.org(session)
        model = factories.maturity_model(session, "mlops-full")
        draft = factories.assessment(session, org.team, model, period="2026-Q2")
        parsed = maturity_service.parsed(model)
        questions = [(q.id, [c.id for c in q.choices if c.level is not None]) for q in parsed.questions()]
        ids = (org.team.id, model.id, draft.id)
    app = create_app(
        Settings(var_dir=tmp_path / "var", database_url=database, secret_key="r" * 40), engine=engine
    )
    yield World(app, *ids, questions)
    engine.dispose()


def _client(app: FastAPI, email: str = "manager@example.com") -> TestClient:
    client = TestClient(app, follow_redirects=False)
    client.get("/sign-in")
    token = client.cookies["hoshin_csrf"]
    data = {"email": email, "password": factories.PASSWORD, "csrf_token": token}
    assert client.post("/sign-in", data=data).status_code == 303
    client.headers["X-CSRF-Token"] = token
    return client


def _all_at_once(count: int, call: Callable[[int], Any]) -> list[Any]:
    start = threading.Barrier(count)

    def run(index: int) -> Any:
        start.wait()
        return call(index)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))


def _count(app: FastAPI, model: Any, *where: Any) -> int:
    with session_scope(app.state.session_factory) as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def test_a_double_clicked_start_creates_one_assessment(world: World) -> None:
    clients = [_client(world.app) for _ in range(TWINS)]
    form = {"model": "mlops-full", "period": "2027-Q3"}
    statuses = _all_at_once(
        TWINS, lambda i: clients[i].post(f"/teams/{world.team_id}/assessments", data=form).status_code
    )
    assert sorted(statuses) == [303] + [422] * (TWINS - 1), statuses
    assert _count(world.app, Assessment, Assessment.period == "2027-Q3") == 1
    assert _count(world.app, AuditEvent, AuditEvent.action == "assessment.start") == 1


def test_a_retried_start_says_it_exists_and_adds_nothing(world: World) -> None:
    client = _client(world.app)
    form = {"model": "mlops-full", "period": "2027-Q4"}
    assert client.post(f"/teams/{world.team_id}/assessments", data=form).status_code == 303
    again = client.post(f"/teams/{world.team_id}/assessments", data=form)
    assert again.status_code == 422
    assert "already has a draft" in again.text
    assert _count(world.app, Assessment, Assessment.period == "2027-Q4") == 1


def test_double_api_creates_give_one_201_and_one_row(world: World) -> None:
    clients = [_client(world.app) for _ in range(TWINS)]
    body = {"team_id": world.team_id, "model": "mlops-full", "period": "2028-Q1"}
    statuses = _all_at_once(TWINS, lambda i: clients[i].post("/api/v1/assessments", json=body).status_code)
    assert sorted(statuses) == [201] + [422] * (TWINS - 1), statuses
    assert _count(world.app, Assessment, Assessment.period == "2028-Q1") == 1


def test_a_double_clicked_submit_locks_once(world: World) -> None:
    clients = [_client(world.app) for _ in range(TWINS)]
    statuses = _all_at_once(
        TWINS, lambda i: clients[i].post(f"/assessments/{world.draft_id}/submit").status_code
    )
    assert sorted(statuses) == [303] + [409] * (TWINS - 1), statuses
    assert _count(world.app, AuditEvent, AuditEvent.action == "assessment.submit") == 1
    with session_scope(world.app.state.session_factory) as session:
        assert session.get(Assessment, world.draft_id).status == "submitted"  # type: ignore[union-attr]


def test_many_clients_answering_at_once_record_every_save_exactly_once(world: World) -> None:
    """Sixteen people each answer their own questions, ten saves each, all at once."""
    people, saves = 16, 10
    emails = ("manager@example.com", "member@example.com")
    clients = [_client(world.app, emails[i % 2]) for i in range(people)]

    def answer(index: int) -> list[int]:
        mine = world.questions[index::people] or [world.questions[index % len(world.questions)]]
        versions: dict[str, int] = {}
        statuses = []
        for n in range(saves):
            question, choices = mine[n % len(mine)]
            response = clients[index].put(
                f"/api/v1/assessments/{world.draft_id}/answers/{question}",
                json={"choice_id": choices[n % len(choices)], "version": versions.get(question, 0)},
            )
            if response.status_code == 200:
                versions[question] = response.json()["version"]
            statuses.append(response.status_code)
        return statuses

    statuses = [status for batch in _all_at_once(people, answer) for status in batch]
    assert set(statuses) == {200}, statuses
    with session_scope(world.app.state.session_factory) as session:
        answers = session.scalars(select(Answer).where(Answer.assessment_id == world.draft_id)).all()
    recorded = _count(world.app, AuditEvent, AuditEvent.action == "answer.save")
    assert recorded == len(statuses) == people * saves
    assert sum(a.version_id for a in answers) == len(statuses)  # each save bumped its answer once
