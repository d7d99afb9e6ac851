"""The assessments JSON API: models, create, answer (with versions), results, submit and reopen."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.models import MaturityModelVersion
from tests import factories
from tests.conftest import csrf_token, sign_in
from tests.factories import Org


@pytest.fixture
def base_model(db: Session) -> MaturityModelVersion:
    return factories.maturity_model(db)


@pytest.fixture
def api(client: TestClient, org: Org) -> TestClient:
    """A manager's browser session calling the API (cookie + CSRF header, as the pages' scripts would)."""
    sign_in(client, org.manager.email)
    client.headers["X-CSRF-Token"] = csrf_token(client)
    return client


def test_models_are_listed_with_both_languages(api: TestClient, base_model: MaturityModelVersion) -> None:
    models = api.get("/api/v1/models").json()
    base = next(m for m in models if m["slug"] == "playbook-base")
    assert base["name"]["ja"]
    detail = api.get("/api/v1/models/playbook-base").json()
    assert len(detail["content"]["dimensions"]) == 4


def test_unknown_model_is_a_404_naming_the_field(api: TestClient) -> None:
    response = api.get("/api/v1/models/nope")
    assert response.status_code == 404
    assert response.json()["field"] == "slug"


def test_anonymous_caller_gets_401_json(client: TestClient) -> None:
    response = client.get("/api/v1/assessments")
    assert response.status_code == 401
    assert "detail" in response.json()


def test_create_answer_and_read_results(api: TestClient, org: Org, base_model: MaturityModelVersion) -> None:
    created = api.post(
        "/api/v1/assessments", json={"team_id": org.team.id, "model": "playbook-base", "period": "2026-Q4"}
    )
    assert created.status_code == 201, created.text
    assessment_id = created.json()["id"]
    saved = api.put(
        f"/api/v1/assessments/{assessment_id}/answers/data-versioning",
        json={"choice_id": "automatic", "version": 0},
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["version"] == 1
    results = api.get(f"/api/v1/assessments/{assessment_id}/results").json()
    assert results["answered"] == 1
    data = next(d for d in results["dimensions"] if d["id"] == "data")
    assert data["level"] == 3.0
    assert data["target"] == 3


def test_stale_version_gets_409_with_the_stored_answer(
    api: TestClient, org: Org, base_model: MaturityModelVersion, db: Session
) -> None:
    draft = factories.assessment(db, org.team, base_model, period="2026-Q4")
    db.commit()
    url = f"/api/v1/assessments/{draft.id}/answers/data-versioning"
    assert api.put(url, json={"choice_id": "automatic", "version": 0}).status_code == 200
    stale = api.put(url, json={"choice_id": "overwritten", "version": 0})
    assert stale.status_code == 409
    assert stale.json()["current"]["choice_id"] == "automatic"
    assert stale.json()["field"] == "version"


@pytest.mark.parametrize(
    ("question", "body", "status", "field"),
    [
        ("no-such-question", {"choice_id": "automatic"}, 404, "question_id"),
        ("data-versioning", {"choice_id": "not-a-choice"}, 422, "choice_id"),
        (
            "data-versioning",
            {"choice_id": "automatic", "evidence_links": ["file:///etc/passwd"]},
            422,
            "evidence_links",
        ),
        ("data-versioning", {"choice_id": "automatic", "version": "0"}, 422, "version"),
        ("data-versioning", {"choice_id": "automatic", "surprise": 1}, 422, "surprise"),
    ],
)
def test_bad_answers_are_refused_naming_the_problem(
    api: TestClient,
    org: Org,
    base_model: MaturityModelVersion,
    db: Session,
    question: str,
    body: dict[str, object],
    status: int,
    field: str,
) -> None:
    draft = factories.assessment(db, org.team, base_model, period="2026-Q4")
    db.commit()
    response = api.put(f"/api/v1/assessments/{draft.id}/answers/{question}", json=body)
    assert response.status_code == status, response.text
    assert response.json()["field"] == field


def test_answer_to_a_submitted_assessment_is_refused(
    api: TestClient, org: Org, base_model: MaturityModelVersion, db: Session
) -> None:
    draft = factories.assessment(db, org.team, base_model, period="2026-Q4")
    db.commit()
    assert api.post(f"/api/v1/assessments/{draft.id}/submit").json()["status"] == "submitted"
    response = api.put(
        f"/api/v1/assessments/{draft.id}/answers/data-versioning", json={"choice_id": "automatic"}
    )
    assert response.status_code == 409
    assert "locked" in response.json()["detail"]
    assert api.post(f"/api/v1/assessments/{draft.id}/reopen").json()["status"] == "draft"


def test_list_shows_only_teams_the_caller_belongs_to(
    client: TestClient, org: Org, base_model: MaturityModelVersion, db: Session
) -> None:
    factories.assessment(db, org.team, base_model, period="2026-Q4")
    factories.assessment(db, org.other_team, base_model, period="2026-Q4")
    db.commit()
    sign_in(client, org.outsider.email)
    listed = client.get("/api/v1/assessments").json()
    assert [a["team_id"] for a in listed] == [org.other_team.id]


def test_member_cannot_create_an_assessment(
    client: TestClient, org: Org, base_model: MaturityModelVersion
) -> None:
    sign_in(client, org.member.email)
    response = client.post(
        "/api/v1/assessments",
        headers={"X-CSRF-Token": csrf_token(client)},
        json={"team_id": org.team.id, "model": "playbook-base", "period": "2026-Q4"},
    )
    assert response.status_code == 403


def test_results_mark_what_does_not_apply_and_give_it_no_gap(
    api: TestClient, org: Org, base_model: MaturityModelVersion, db: Session
) -> None:
    skipped = dict.fromkeys(("model-monitoring", "infrastructure-monitoring", "alerting"), "Batch only.")
    found = factories.assessment(db, org.team, base_model, level=1, submitted=True, not_applicable=skipped)
    db.commit()
    results = api.get(f"/api/v1/assessments/{found.id}/results").json()
    monitoring = next(d for d in results["dimensions"] if d["id"] == "monitoring")
    data = next(d for d in results["dimensions"] if d["id"] == "data")
    assert (monitoring["level"], monitoring["gap"], monitoring["not_applicable"]) == (None, 0.0, True)
    assert (data["gap"], data["not_applicable"]) == (2.0, False)
    alerting = next(c for c in results["capabilities"] if c["id"] == "alerting")
    assert (alerting["level"], alerting["not_applicable"]) == (None, True)


def test_results_name_the_ml_test_score_band_in_the_callers_language(
    api: TestClient, db: Session, org: Org
) -> None:
    model = factories.maturity_model(db, "ml-test-score")
    assessment = factories.assessment(db, org.team, model, level=4)  # every test automated: 1 point each
    db.commit()
    path = f"/api/v1/assessments/{assessment.id}/results"
    english = api.get(path).json()["ml_test_score"]
    assert (english["final"], english["band_index"], english["band_label"]) == (7.0, 5, "Exceptional")
    japanese = api.get(path, headers={"Accept-Language": "ja"}).json()["ml_test_score"]
    assert (japanese["band_index"], japanese["band_label"]) == (5, "卓越した水準")
