"""The database goes away while the app serves: /readyz says so, requests fail cleanly with a 503 (a
page for browsers, JSON under /api, no traceback), the app recovers by itself once the database is
back, and a transaction cut off half-way leaves nothing behind."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, func, select, text

from app import migrate
from app.config import Settings
from app.db import make_engine, make_session_factory, session_scope
from app.main import create_app
from app.models import Answer, Assessment, AuditEvent
from tests import factories
from tests.conftest import reset_database
from tests.faults.conftest import Cluster

pytestmark = pytest.mark.faults


@dataclass
class Served:
    app: FastAPI
    engine: Engine
    team_id: int
    token: str
    cluster: Cluster


@pytest.fixture
def served(cluster: Cluster, tmp_path: Path) -> Iterator[Served]:
    reset_database(cluster.url)
    migrate.upgrade(cluster.url)
    engine = make_engine(cluster.url)
    with session_scope(make_session_factory(engine)) as session:
        org = factories.org(session)
        model = factories.maturity_model(session)
        factories.assessment(session, org.team, model, period="2026-Q1", level=2, submitted=True)
        token = factories.api_token(session, org.manager)
        team_id = org.team.id
    settings = Settings(var_dir=tmp_path / "var", database_url=cluster.url, secret_key="f" * 40)
    yield Served(create_app(settings, engine=engine), engine, team_id, token, cluster)
    engine.dispose()


@pytest.fixture
def browser(served: Served) -> Iterator[TestClient]:
    with TestClient(served.app, follow_redirects=False) as client:
        client.get("/sign-in")
        csrf = client.cookies["hoshin_csrf"]
        data = {"email": "manager@example.com", "password": factories.PASSWORD, "csrf_token": csrf}
        assert client.post("/sign-in", data=data).status_code == 303
        yield client


@pytest.fixture
def down(served: Served) -> Iterator[None]:
    """The database is stopped for the test's body, and started again however the test ends."""
    served.cluster.stop()
    try:
        yield
    finally:
        served.cluster.start()


def _api(served: Served, client: TestClient, path: str) -> Any:
    return client.get(path, headers={"Authorization": f"Bearer {served.token}"})


def _assert_clean_503(response: Any, *, kind: str) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["Retry-After"]
    assert response.headers["content-type"].startswith(kind)
    assert "Traceback" not in response.text
    assert "OperationalError" not in response.text


def test_readyz_reports_a_stopped_database(served: Served, browser: TestClient, down: None) -> None:
    response = browser.get("/readyz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert browser.get("/healthz").status_code == 200  # the process itself is fine


def test_requests_fail_cleanly_while_the_database_is_stopped(
    served: Served, browser: TestClient, down: None
) -> None:
    page = browser.get(f"/teams/{served.team_id}")
    _assert_clean_503(page, kind="text/html")
    assert "database" in page.text
    fragment = browser.get(f"/teams/{served.team_id}", headers={"HX-Request": "true"})
    _assert_clean_503(fragment, kind="text/html")
    assert fragment.headers["HX-Retarget"] == "#toasts"
    api = _api(served, browser, "/api/v1/assessments")
    _assert_clean_503(api, kind="application/json")
    assert "database" in api.json()["detail"]
    save = browser.post(
        f"/teams/{served.team_id}/assessments",
        data={"model": "playbook-base", "period": "2027-Q1", "csrf_token": browser.cookies["hoshin_csrf"]},
    )
    _assert_clean_503(save, kind="text/html")


def test_the_app_recovers_by_itself_when_the_database_comes_back(served: Served, browser: TestClient) -> None:
    assert browser.get(f"/teams/{served.team_id}").status_code == 200
    served.cluster.stop()
    try:
        assert browser.get("/readyz").status_code == 503
    finally:
        served.cluster.start()
    # the same app and engine: the pool's dead connections are noticed (pre-ping) and replaced
    assert browser.get("/readyz").status_code == 200
    assert browser.get(f"/teams/{served.team_id}").status_code == 200
    assert _api(served, browser, "/api/v1/assessments").status_code == 200


def test_a_restart_between_requests_is_invisible_to_users(served: Served, browser: TestClient) -> None:
    assert browser.get(f"/teams/{served.team_id}").status_code == 200
    served.cluster.stop()
    served.cluster.start()
    assert browser.get(f"/teams/{served.team_id}").status_code == 200  # no 503 for the first one


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            "assessments": connection.scalar(select(func.count()).select_from(Assessment)) or 0,
            "answers": connection.scalar(select(func.count()).select_from(Answer)) or 0,
            "audit": connection.scalar(select(func.count()).select_from(AuditEvent)) or 0,
        }


def test_a_transaction_killed_half_way_leaves_nothing_half_written(
    served: Served, browser: TestClient
) -> None:
    """Starting a copy of the last assessment writes the assessment, its copied answers and an audit
    event in one transaction; the connection is killed after the answers went in."""
    before = _counts(served.engine)
    killed: list[int] = []

    def kill_after_answers(connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if killed or not statement.startswith("INSERT INTO answers"):
            return
        pid = connection.connection.dbapi_connection.info.backend_pid
        killed.append(pid)
        with served.engine.connect() as other:
            assert other.scalar(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})

    form = {
        "model": "playbook-base",
        "period": "2027-Q1",
        "copy_last": "true",
        "csrf_token": browser.cookies["hoshin_csrf"],
    }
    event.listen(served.engine, "after_cursor_execute", kill_after_answers)
    try:
        response = browser.post(f"/teams/{served.team_id}/assessments", data=form)
    finally:
        event.remove(served.engine, "after_cursor_execute", kill_after_answers)
    assert killed, "the service call never reached its answer inserts"
    _assert_clean_503(response, kind="text/html")
    assert _counts(served.engine) == before
    # the same submit again goes through whole: nothing half-written was in its way
    assert browser.post(f"/teams/{served.team_id}/assessments", data=form).status_code == 303
    after = _counts(served.engine)
    assert after["assessments"] == before["assessments"] + 1
    assert after["answers"] > before["answers"]
    assert after["audit"] > before["audit"]
