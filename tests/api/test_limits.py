"""Bounded input on the JSON API: text limits, control characters, periods, the body cap, and the
OpenAPI schema that states them (app/kit/limits.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.kit import limits
from app.models import Answer, Assessment, AuditEvent, CheckIn
from tests import factories
from tests.conftest import csrf_token, sign_in
from tests.factories import Org
from tests.okrs import rows


@pytest.fixture
def api(client: TestClient, org: Org) -> TestClient:
    sign_in(client, org.manager.email)
    client.headers["X-CSRF-Token"] = csrf_token(client)
    return client


@pytest.fixture
def draft(db: Session, org: Org) -> Assessment:
    draft = factories.assessment(db, org.team, factories.maturity_model(db), period="2026-Q4")
    db.commit()
    return draft


def _stored(db: Session) -> tuple[int, int]:
    answers = db.scalar(select(func.count()).select_from(Answer)) or 0
    events = db.scalar(select(func.count()).where(AuditEvent.action == "answer.save")) or 0
    return answers, events


def test_an_oversized_evidence_link_is_refused_naming_the_field_and_nothing_is_stored(
    api: TestClient, draft: Assessment, db: Session
) -> None:
    before = _stored(db)
    response = api.put(
        f"/api/v1/assessments/{draft.id}/answers/data-versioning",
        json={"choice_id": "automatic", "version": 0, "evidence_links": ["http://" + "a" * 300_000]},
    )
    assert response.status_code == 422
    assert response.json()["field"] == "evidence_links.0"
    assert "2048" in response.json()["detail"]
    assert _stored(db) == before


def test_a_link_of_exactly_the_limit_is_kept(api: TestClient, draft: Assessment) -> None:
    link = "https://example.com/" + "a" * (limits.URL - len("https://example.com/"))
    response = api.put(
        f"/api/v1/assessments/{draft.id}/answers/data-versioning",
        json={"choice_id": "automatic", "version": 0, "evidence_links": [link]},
    )
    assert response.status_code == 200, response.text
    assert response.json()["evidence_links"] == [link]


def test_too_many_evidence_links_are_refused_in_the_readers_language(
    api: TestClient, draft: Assessment
) -> None:
    links = [f"https://example.com/{n}" for n in range(limits.EVIDENCE_LINKS + 1)]
    response = api.put(
        f"/api/v1/assessments/{draft.id}/answers/data-versioning",
        json={"choice_id": "automatic", "evidence_links": links},
        headers={"Accept-Language": "ja"},
    )
    assert response.status_code == 422
    assert response.json()["field"] == "evidence_links"
    assert response.json()["detail"] == "evidence_links: 20 件までにしてください。"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("note", "before\x00after"),
        ("note", "a bell \x07"),
        ("na_reason", "one\nline only"),
        ("evidence_links", ["https://example.com/\x00"]),
        ("choice_id", "automatic\x00"),
    ],
)
def test_control_characters_are_refused_with_a_clear_message(
    api: TestClient, draft: Assessment, db: Session, field: str, value: object
) -> None:
    before = _stored(db)
    body = {"choice_id": "automatic", "version": 0, field: value}
    response = api.put(f"/api/v1/assessments/{draft.id}/answers/data-versioning", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["field"].split(".")[0] == field
    assert "control characters" in response.json()["detail"]
    assert _stored(db) == before


def test_a_note_keeps_its_tabs_and_line_breaks(api: TestClient, draft: Assessment) -> None:
    response = api.put(
        f"/api/v1/assessments/{draft.id}/answers/data-versioning",
        json={"choice_id": "automatic", "note": "first\tcolumn\r\nsecond line"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["note"] == "first\tcolumn\nsecond line"


def test_a_check_in_note_with_a_nul_is_refused_and_nothing_is_recorded(
    api: TestClient, db: Session, org: Org
) -> None:
    kr = rows.key_result(db, rows.objective(db, org.team, org.manager), org.manager)
    db.commit()
    body = {"value": 3, "confidence": 7, "note": "on track\x00"}
    response = api.post(f"/api/v1/key-results/{kr.id}/check-ins", json=body)
    assert response.status_code == 422
    assert response.json()["field"] == "note"
    assert db.scalar(select(func.count()).select_from(CheckIn)) == 0


def test_okrs_of_a_full_width_quarter_are_refused(api: TestClient, org: Org) -> None:
    response = api.get(f"/api/v1/teams/{org.team.id}/okrs", params={"period": "２０２６-Q1"})
    assert response.status_code == 422
    assert response.json()["field"] == "period"


@pytest.mark.parametrize("period", ["２０２６-Q1", "0000-Q1", "9999-Q4", "1999-Q4", "2101-Q1", "2026-Q5"])
def test_periods_are_ascii_years_from_2000_to_2100(
    api: TestClient, org: Org, db: Session, period: str
) -> None:
    factories.maturity_model(db)
    db.commit()
    response = api.post(
        "/api/v1/assessments", json={"team_id": org.team.id, "model": "playbook-base", "period": period}
    )
    assert response.status_code == 422, response.text
    assert response.json()["field"] == "period"


@pytest.mark.parametrize("period", ["2000-Q1", "2100-Q4"])
def test_the_first_and_last_years_are_accepted(api: TestClient, org: Org, db: Session, period: str) -> None:
    factories.maturity_model(db)
    db.commit()
    response = api.post(
        "/api/v1/assessments", json={"team_id": org.team.id, "model": "playbook-base", "period": period}
    )
    assert response.status_code == 201, response.text


def test_a_body_over_1_mb_is_refused_with_413_before_it_is_read(api: TestClient, draft: Assessment) -> None:
    response = api.put(
        f"/api/v1/assessments/{draft.id}/answers/data-versioning",
        content=b'{"note": "' + b"a" * limits.BODY + b'"}',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert "1 MB" in response.json()["detail"]


def test_a_streamed_body_without_a_length_is_cut_off_at_1_mb(api: TestClient, draft: Assessment) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"note": "'
        for _ in range(12):
            yield b"a" * 100_000

    response = api.put(
        f"/api/v1/assessments/{draft.id}/answers/data-versioning",
        content=chunks(),
        headers={"Content-Type": "application/json"},
    )
    assert "content-length" not in response.request.headers
    assert response.status_code == 413
    assert response.json()["detail"]


def test_the_openapi_schema_states_the_limits(client: TestClient) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    answer = schemas["AnswerIn"]["properties"]
    assert answer["evidence_links"]["items"]["maxLength"] == limits.URL
    assert answer["evidence_links"]["maxItems"] == limits.EVIDENCE_LINKS
    assert answer["note"]["maxLength"] == limits.NOTE
    assert "\\x00" in answer["note"]["pattern"]
    period = schemas["AssessmentCreate"]["properties"]["period"]
    assert period["pattern"] == limits.PERIOD_SCHEMA_PATTERN
    check_in = schemas["CheckInIn"]["properties"]
    assert check_in["value"]["maximum"] == limits.MAX_NUMBER
    assert check_in["value"]["minimum"] == -limits.MAX_NUMBER
    assert (check_in["confidence"]["minimum"], check_in["confidence"]["maximum"]) == (0, 10)


def test_the_openapi_schema_states_id_ranges(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path, operation in (
        ("/api/v1/assessments/{assessment_id}", "get"),
        ("/api/v1/teams/{team_id}/okrs", "get"),
        ("/api/v1/key-results/{key_result_id}/check-ins", "post"),
    ):
        parameter = next(p for p in paths[path][operation]["parameters"] if p["in"] == "path")
        assert (parameter["schema"]["minimum"], parameter["schema"]["maximum"]) == (1, limits.MAX_ID), path


def test_options_lists_every_allowed_method(client: TestClient) -> None:
    response = client.options("/api/v1/assessments")
    assert response.status_code == 204
    assert set(response.headers["Allow"].split(", ")) == {"GET", "POST", "OPTIONS"}


def test_a_wrong_method_lists_every_allowed_one(client: TestClient) -> None:
    response = client.delete("/api/v1/assessments")
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == {"GET", "POST", "OPTIONS"}
