"""Generating the roadmap through the JSON API with the page's option: plan from each capability's latest
submitted assessment, or from the one `source` names; errors name the field, the audit log says which."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.kit import limits
from app.models import Assessment, AuditEvent, Roadmap, User
from tests import factories
from tests.access.conftest import act_as
from tests.factories import Org


def _bearer(db: Session, who: User) -> dict[str, str]:
    return {"Authorization": f"Bearer {factories.api_token(db, who)}"}


def _url(org: Org) -> str:
    return f"/api/v1/teams/{org.team.id}/roadmap"


@pytest.fixture
def two(db: Session, org: Org) -> tuple[Assessment, Assessment]:
    """A full-model assessment at level 3 (2026-Q2), then a newer base-framework one at level 1."""
    full = factories.assessment(
        db, org.team, factories.maturity_model(db, "mlops-full"), period="2026-Q2", level=3, submitted=True
    )
    base = factories.assessment(
        db, org.team, factories.maturity_model(db, "playbook-base"), period="2026-Q3", level=1, submitted=True
    )
    db.commit()
    return full, base


def _capabilities(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {i["capability_id"]: i for i in body["items"] if i["capability_id"]}


def test_without_a_body_the_plan_takes_each_capabilitys_latest_assessment(
    client: TestClient, db: Session, org: Org, two: tuple[Assessment, Assessment]
) -> None:
    full, base = two
    response = client.post(_url(org), headers=_bearer(db, org.manager))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["chosen"] is False
    assert [s["assessment_id"] for s in body["sources"]] == [base.id, full.id]
    assert _capabilities(body)["data-versioning"]["from_level"] == 1  # the newer assessment's level


def test_a_manager_plans_from_one_chosen_assessment(
    client: TestClient, db: Session, org: Org, two: tuple[Assessment, Assessment]
) -> None:
    full, _base = two
    headers = _bearer(db, org.manager)
    response = client.post(_url(org), json={"source": full.id}, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["chosen"], body["assessment_id"]) == (True, full.id)
    assert [(s["assessment_id"], s["model"], s["period"]) for s in body["sources"]] == [
        (full.id, "mlops-full", "2026-Q2")
    ]
    assert "data-versioning" not in _capabilities(body)  # at level 3 of 3 in the full model
    [event] = db.scalars(select(AuditEvent).where(AuditEvent.action == "roadmap.generate")).all()
    assert event.actor_id == org.manager.id
    assert event.after["sources"] == [full.id]  # type: ignore[index]
    again = client.post(_url(org), json={"source": None}, headers=headers).json()
    assert (again["version"], again["chosen"]) == (2, False)
    assert db.scalars(select(AuditEvent).where(AuditEvent.action == "roadmap.regenerate")).one()


def test_the_page_shows_the_assessment_the_api_chose(
    client: TestClient, db: Session, org: Org, two: tuple[Assessment, Assessment]
) -> None:
    full, _base = two
    client.post(_url(org), json={"source": full.id}, headers=_bearer(db, org.manager))
    act_as(client, db, org.viewer)
    html = client.get(f"/teams/{org.team.id}/roadmap").text
    assert "Version 1, from the 2026-Q2 assessment" in html
    assert "The manager chose this assessment" in html


def test_an_assessment_that_is_not_the_teams_or_not_submitted_is_a_422_naming_source(
    client: TestClient, db: Session, org: Org, two: tuple[Assessment, Assessment]
) -> None:
    model = factories.maturity_model(db, "mlops-full")
    theirs = factories.assessment(db, org.other_team, model, level=1, submitted=True)
    draft = factories.assessment(db, org.team, model, period="2026-Q4")
    db.commit()
    for source in (theirs.id, draft.id, 999_999):
        response = client.post(_url(org), json={"source": source}, headers=_bearer(db, org.manager))
        assert response.status_code == 422
        assert response.json() == {
            "detail": "Choose one of the team's submitted assessments.",
            "field": "source",
        }
    assert db.scalars(select(Roadmap)).all() == []
    assert db.scalars(select(AuditEvent).where(AuditEvent.action.startswith("roadmap."))).all() == []


@pytest.mark.parametrize(
    ("body", "field"),
    [({"source": str(1)}, "source"), ({"source": 0}, "source"), ({"source": 1, "when": "now"}, "when")],
)
def test_a_malformed_option_is_a_422_naming_the_field(
    client: TestClient,
    db: Session,
    org: Org,
    two: tuple[Assessment, Assessment],
    body: dict[str, Any],
    field: str,
) -> None:
    response = client.post(_url(org), json=body, headers=_bearer(db, org.manager))
    assert (response.status_code, response.json()["field"]) == (422, field)
    assert db.scalars(select(Roadmap)).all() == []


def test_the_option_is_refused_in_the_readers_language(
    client: TestClient, db: Session, org: Org, two: tuple[Assessment, Assessment]
) -> None:
    headers = {**_bearer(db, org.manager), "Accept-Language": "ja"}
    response = client.post(_url(org), json={"source": 999_999}, headers=headers)
    assert response.json()["detail"] == "このチームの提出済みアセスメントから選んでください。"


@pytest.mark.parametrize(
    ("persona", "status"), [("admin", 200), ("member", 403), ("viewer", 403), ("outsider", 404)]
)
def test_only_the_teams_managers_and_admins_generate(
    client: TestClient, db: Session, org: Org, two: tuple[Assessment, Assessment], persona: str, status: int
) -> None:
    full, _base = two
    response = client.post(_url(org), json={"source": full.id}, headers=_bearer(db, getattr(org, persona)))
    assert response.status_code == status
    assert len(db.scalars(select(Roadmap)).all()) == (1 if status == 200 else 0)


def test_the_option_is_described(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    operation = document["paths"]["/api/v1/teams/{team_id}/roadmap"]["post"]
    assert operation["requestBody"].get("required") is not True  # scripts that send no body still work
    source = document["components"]["schemas"]["GenerateIn"]["properties"]["source"]
    [number] = [s for s in source["anyOf"] if s.get("type") == "integer"]
    assert (number["minimum"], number["maximum"]) == (1, float(limits.MAX_ID))  # an id
    assert {"401", "403", "404", "409", "422"} <= set(operation["responses"])
