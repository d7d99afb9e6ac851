"""Concurrent saves with real commits (threads, a database of their own): one wins, the others see
the conflict, and nothing is lost or recorded twice. On PostgreSQL in CI, on SQLite locally."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, make_url, select

from app import migrate
from app.config import Settings
from app.db import make_engine, make_session_factory, session_scope
from app.main import create_app
from app.models import Answer, AuditEvent
from tests import factories
from tests.conftest import reset_database

CLIENTS = 8


@pytest.fixture
def committed(tmp_path: Path) -> Iterator[tuple[FastAPI, int, list[str]]]:
    server = os.environ.get("HOSHIN_TEST_DATABASE_URL")
    if server:
        url = make_url(server)
        database = url.set(database=f"{url.database}_concurrency").render_as_string(hide_password=False)
    else:
        database = f"sqlite:///{tmp_path / 'concurrency.sqlite3'}"
    reset_database(database)
    migrate.upgrade(database)
    engine = make_engine(database)
    with session_scope(make_session_factory(engine)) as session:
        org = factories.org(session)
        model = factories.maturity_model(session)
        draft = factories.assessment(session, org.team, model, period="2026-Q4")
        emails = [org.manager.email, org.member.email]
        draft_id = draft.id
    app = create_app(
        Settings(var_dir=tmp_path / "var", database_url=database, secret_key="t" * 40), engine=engine
    )
    yield app, draft_id, emails
    engine.dispose()


def _client(app: FastAPI, email: str) -> TestClient:
    client = TestClient(app)
    client.get("/sign-in")
    token = client.cookies["hoshin_csrf"]
    client.post("/sign-in", data={"email": email, "password": factories.PASSWORD, "csrf_token": token})
    client.headers["X-CSRF-Token"] = token
    return client


def test_concurrent_saves_of_one_answer_one_wins_and_the_rest_see_a_conflict(
    committed: tuple[FastAPI, int, list[str]],
) -> None:
    app, draft_id, emails = committed
    clients = [_client(app, emails[i % 2]) for i in range(CLIENTS)]
    choices = ["overwritten", "manual-copies", "tool-tracked", "automatic", "lineage"]
    start = threading.Barrier(CLIENTS)

    def save(index: int) -> tuple[int, str]:
        start.wait()
        choice = choices[index % len(choices)]
        response = clients[index].put(
            f"/api/v1/assessments/{draft_id}/answers/data-versioning",
            json={"choice_id": choice, "version": 0},
        )
        return response.status_code, choice

    with ThreadPoolExecutor(CLIENTS) as pool:
        outcomes = list(pool.map(save, range(CLIENTS)))
    statuses = sorted(status for status, _ in outcomes)
    assert statuses == [200] + [409] * (CLIENTS - 1), outcomes
    winner = next(choice for status, choice in outcomes if status == 200)
    with session_scope(app.state.session_factory) as session:
        answers = session.scalars(select(Answer).where(Answer.assessment_id == draft_id)).all()
        saves = session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "answer.save")
        )
    assert [(a.choice_id, a.version_id) for a in answers] == [(winner, 1)]
    assert saves == 1


def test_concurrent_saves_of_different_answers_are_all_kept(
    committed: tuple[FastAPI, int, list[str]],
) -> None:
    app, draft_id, emails = committed
    questions = [
        "data-versioning",
        "data-pipeline",
        "data-quality",
        "experiment-tracking",
        "source-control",
        "automated-deployment",
        "rollback",
        "alerting",
    ]
    clients = [_client(app, emails[i % 2]) for i in range(len(questions))]
    start = threading.Barrier(len(questions))

    def save(index: int) -> int:
        start.wait()
        response = clients[index].put(
            f"/api/v1/assessments/{draft_id}/answers/{questions[index]}",
            json={"choice_id": None, "not_applicable": True, "na_reason": "load test", "version": 0},
        )
        return response.status_code

    with ThreadPoolExecutor(len(questions)) as pool:
        statuses = list(pool.map(save, range(len(questions))))
    assert statuses == [200] * len(questions)
    with session_scope(app.state.session_factory) as session:
        stored = set(session.scalars(select(Answer.question_id).where(Answer.assessment_id == draft_id)))
    assert stored == set(questions)
