"""The evidence JSON API: read what the evidence says beside each question, accept it (with the answer's
version), dismiss a flag with a reason; 4xx bodies name the field; the OpenAPI document describes it."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.kit import limits
from app.models import Answer, Assessment, AuditEvent, EvidenceReview
from app.signals.adapters.base import Signal
from app.signals.sync import Context
from tests import factories
from tests.evidence.conftest import synced_draft
from tests.factories import Org
from tests.signals.conftest import Script

WORKFLOWS = "https://git.example.com/t/r/-/tree/main/.github/workflows"


@pytest.fixture
def draft(db: Session, org: Org, fake: Script, context: Context) -> Assessment:
    """The full model answered at level 3, by a team whose repository has no CI."""
    signals = [Signal("git.ci.configured", 0, "bool", url=WORKFLOWS), Signal("git.ci.runs_tests", 0, "bool")]
    return synced_draft(db, org, fake, context, signals)


def _as(client: TestClient, db: Session, user: object) -> TestClient:
    client.headers["Authorization"] = f"Bearer {factories.api_token(db, user)}"  # type: ignore[arg-type]
    return client


def _url(draft: Assessment, action: str, question: str = "ci-cd") -> str:
    return f"/api/v1/assessments/{draft.id}/questions/{question}/evidence/{action}"


def test_the_evidence_of_each_question_reads_as_json(
    client: TestClient, db: Session, org: Org, draft: Assessment
) -> None:
    api = _as(client, db, org.viewer)
    body = api.get(f"/api/v1/assessments/{draft.id}/evidence").json()
    assert body["sources"] == 1
    assert body["flagged"] == ["ci-cd"]
    [ci] = [q for q in body["questions"] if q["question_id"] == "ci-cd"]
    assert (ci["capability_id"], ci["ceiling"], ci["floor"], ci["suggested"]) == ("ci-cd", 1, None, None)
    assert ci["answered_level"] == 3
    assert ci["from_evidence"] is False
    assert ci["accept_choice_id"] == "level-1"
    assert ci["dismissal"] is None
    [finding] = ci["findings"]
    assert finding["says"] == {
        "en": "No CI is configured in the repository",
        "ja": "リポジトリに CI が設定されていない",
    }
    assert (finding["signal"], finding["effect"], finding["level"]) == ("git.ci.configured", "ceiling", 1)
    [seen] = finding["observations"]
    assert {k: seen[k] for k in ("key", "name", "value", "unit", "source", "url")} == {
        "key": "git.ci.configured",
        "name": "CI configured",
        "value": 0.0,
        "unit": "bool",
        "source": "model-repo",
        "url": WORKFLOWS,
    }
    assert seen["observed_at"]
    assert ci["disagreement"]["answered_level"] == 3
    assert ci["disagreement"]["suggested_level"] == 1
    assert "git.ci.lints" in ci["missing"]
    japanese = api.get(f"/api/v1/assessments/{draft.id}/evidence", headers={"Accept-Language": "ja"}).json()
    [ci_ja] = [q for q in japanese["questions"] if q["question_id"] == "ci-cd"]
    assert ci_ja["findings"][0]["observations"][0]["name"] == "CI が設定されている"


def test_accepting_through_the_api_sets_the_answer_and_a_stale_version_is_a_409_with_the_stored_answer(
    client: TestClient, db: Session, org: Org, draft: Assessment
) -> None:
    api = _as(client, db, org.member)
    done = api.post(_url(draft, "accept"), json={"version": 1, "choice_id": "level-1"})
    assert done.status_code == 200, done.text
    body = done.json()
    assert body["answer"]["choice_id"] == "level-1"
    assert body["answer"]["from_evidence"] is True
    assert body["answer"]["version"] == 2
    assert body["review"]["verdict"] == "accepted"
    assert body["review"]["suggested_level"] == 1
    stale = api.post(_url(draft, "accept"), json={"version": 1})
    assert stale.status_code == 409
    assert stale.json()["field"] == "version"
    assert stale.json()["current"]["version"] == 2
    nothing = api.post(_url(draft, "accept"), json={"version": 2})
    assert nothing.status_code == 409  # already the evidence's answer
    assert nothing.json()["field"] == "question_id"
    assert len(db.scalars(select(EvidenceReview)).all()) == 1
    assert len(db.scalars(select(AuditEvent).where(AuditEvent.action == "answer.accept_evidence")).all()) == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "version"),
        ({"version": -1}, "version"),
        ({"version": "1"}, "version"),
        ({"version": 1, "choice_id": "x" * (limits.SLUG + 1)}, "choice_id"),
    ],
)
def test_a_bad_accept_body_is_a_422_naming_the_field(
    client: TestClient, db: Session, org: Org, draft: Assessment, body: dict[str, object], field: str
) -> None:
    response = _as(client, db, org.manager).post(_url(draft, "accept"), json=body)
    assert response.status_code == 422
    assert response.json()["field"] == field


def test_an_accept_offering_another_choice_than_the_evidence_now_suggests_is_refused(
    client: TestClient, db: Session, org: Org, draft: Assessment
) -> None:
    response = _as(client, db, org.manager).post(
        _url(draft, "accept"), json={"version": 1, "choice_id": "level-2"}
    )
    assert response.status_code == 409
    assert response.json()["field"] == "choice_id"
    answer = db.scalars(select(Answer).where(Answer.question_id == "ci-cd")).one()
    assert answer.choice_id == "level-3"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({}, 422),
        ({"reason": "   "}, 422),
        ({"reason": "Jenkins\x00"}, 422),
        ({"reason": "x" * (limits.REASON + 1)}, 422),
        ({"reason": 5}, 422),
    ],
)
def test_a_dismissal_needs_a_reason_within_the_limits(
    client: TestClient, db: Session, org: Org, draft: Assessment, body: dict[str, object], status: int
) -> None:
    response = _as(client, db, org.manager).post(_url(draft, "dismiss"), json=body)
    assert response.status_code == status
    assert response.json()["field"] == "reason"
    assert db.scalars(select(EvidenceReview)).all() == []


def test_dismissing_closes_the_flag_and_the_dismissal_reads_back(
    client: TestClient, db: Session, org: Org, draft: Assessment
) -> None:
    api = _as(client, db, org.manager)
    stale = api.post(_url(draft, "dismiss"), json={"reason": "Jenkins", "version": 7})
    assert stale.status_code == 409
    assert stale.json()["field"] == "version"
    done = api.post(_url(draft, "dismiss"), json={"reason": "CI runs in Jenkins", "version": 1})
    assert done.status_code == 200, done.text
    assert done.json()["review"]["verdict"] == "dismissed"
    assert done.json()["answer"] is None
    body = api.get(f"/api/v1/assessments/{draft.id}/evidence").json()
    assert body["flagged"] == []
    [ci] = [q for q in body["questions"] if q["question_id"] == "ci-cd"]
    assert ci["disagreement"] is None
    assert ci["dismissal"]["reason"] == "CI runs in Jenkins"
    assert ci["dismissal"]["user"] == org.manager.name
    again = api.post(_url(draft, "dismiss"), json={"reason": "twice"})
    assert again.status_code == 409  # nothing flagged any more
    assert again.json()["field"] == "question_id"


def test_who_may_accept_and_dismiss_through_the_api(
    client: TestClient, db: Session, org: Org, draft: Assessment
) -> None:
    viewer = _as(client, db, org.viewer)
    assert viewer.post(_url(draft, "accept"), json={"version": 1}).status_code == 403
    assert viewer.post(_url(draft, "dismiss"), json={"reason": "no"}).status_code == 403
    member = _as(client, db, org.member)
    assert member.post(_url(draft, "dismiss"), json={"reason": "no"}).status_code == 403
    outsider = _as(client, db, org.outsider)
    assert outsider.get(f"/api/v1/assessments/{draft.id}/evidence").status_code == 404
    assert outsider.post(_url(draft, "accept"), json={"version": 1}).status_code == 404
    assert outsider.post(_url(draft, "dismiss"), json={"reason": "no"}).status_code == 404
    unknown = _as(client, db, org.manager).post(_url(draft, "accept", "nope"), json={"version": 0})
    assert unknown.status_code == 404
    assert unknown.json()["field"] == "question_id"
    assert db.scalars(select(EvidenceReview)).all() == []


def test_the_openapi_document_describes_the_evidence_api(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    paths = document["paths"]
    assert "get" in paths["/api/v1/assessments/{assessment_id}/evidence"]
    accept = paths["/api/v1/assessments/{assessment_id}/questions/{question_id}/evidence/accept"]["post"]
    assert "409" in accept["responses"]
    schemas = document["components"]["schemas"]
    assert schemas["AcceptIn"]["required"] == ["version"]
    assert schemas["DismissIn"]["properties"]["reason"]["maxLength"] == limits.REASON
    assert "from_evidence" in schemas["QuestionEvidenceOut"]["properties"]
