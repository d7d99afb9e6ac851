"""Scripts fetch what people download in the browser (PDFs and exports) with an API token, with the same
access as its owner; errors are JSON, never the sign-in page."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.auth import tokens
from app.kit.time import utcnow
from app.models import Assessment
from app.roadmap import service as roadmap_service
from tests import factories
from tests.access.conftest import act_as
from tests.factories import Org

PDF = "application/pdf"


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def planned(db: Session, org: Org) -> Assessment:
    """The main team's submitted assessment, and the roadmap generated from it."""
    model = factories.maturity_model(db, "mlops-full")
    assessment = factories.assessment(db, org.team, model, level=1, submitted=True, by=org.member)
    roadmap_service.generate_for_team(
        db, team=org.team, user=org.manager, now=datetime(2026, 11, 2, tzinfo=UTC)
    )
    db.commit()
    return assessment


def team_downloads(org: Org, assessment: Assessment) -> dict[str, str]:
    """URL → the content type each of the team's downloads has."""
    team, a = org.team.id, assessment.id
    return {
        f"/reports/teams/{team}/roadmap.pdf?lang=ja": PDF,
        f"/reports/teams/{team}/action-plan.pdf": PDF,
        f"/reports/assessment/{a}.pdf": PDF,
        f"/teams/{team}/roadmap.csv": "text/csv; charset=utf-8",
        f"/teams/{team}/roadmap.md": "text/markdown; charset=utf-8",
        f"/teams/{team}/roadmap.ics": "text/calendar; charset=utf-8",
        f"/teams/{team}/roadmap.json": "application/json",
        f"/assessments/{a}/answers.csv": "text/csv; charset=utf-8",
        f"/assessments/{a}/results.csv": "text/csv; charset=utf-8",
    }


def test_a_viewers_token_downloads_every_kind_of_file(
    client: TestClient, db: Session, org: Org, planned: Assessment
) -> None:
    headers = bearer(factories.api_token(db, org.viewer))
    downloads = {**team_downloads(org, planned), "/reports/organisation.pdf": PDF}
    for url, content_type in downloads.items():
        response = client.get(url, headers=headers)
        assert response.status_code == 200, (url, response.status_code, response.text[:300])
        assert response.headers["content-type"] == content_type, url
        assert response.headers["content-disposition"].startswith("attachment"), url
        if content_type == PDF:
            assert response.content.startswith(b"%PDF"), url
    assert "hoshin_session" not in client.cookies  # a token signs nobody in


def test_without_a_token_a_browser_is_still_sent_to_sign_in(
    client: TestClient, org: Org, planned: Assessment
) -> None:
    for url in team_downloads(org, planned):
        response = client.get(url)
        assert response.status_code == 303, url
        assert response.headers["location"].startswith("/sign-in?next=")


@pytest.mark.parametrize("secret", ["hsn_not-a-token", "", "revoked"])
def test_a_bad_token_gets_a_401_problem_not_the_sign_in_page(
    client: TestClient, db: Session, org: Org, planned: Assessment, secret: str
) -> None:
    if secret == "revoked":
        new = tokens.create(db, user=org.manager, name="old script")
        tokens.revoke(db, user=org.manager, token_id=new.row.id, now=utcnow())
        db.commit()
        secret = new.secret
    for url in [*team_downloads(org, planned), "/reports/organisation.pdf"]:
        response = client.get(url, headers=bearer(secret))
        assert response.status_code == 401, url
        assert response.headers["content-type"] == "application/json"
        assert response.json()["detail"] == "Please sign in to continue."
        assert "location" not in response.headers


def test_a_token_of_someone_outside_the_team_gets_a_404_problem(
    client: TestClient, db: Session, org: Org, planned: Assessment
) -> None:
    headers = bearer(factories.api_token(db, org.outsider))
    for url in team_downloads(org, planned):
        response = client.get(url, headers=headers)
        assert response.status_code == 404, url
        assert response.headers["content-type"] == "application/json"
    organisation = client.get("/reports/organisation.pdf", headers=headers)
    assert organisation.status_code == 200  # their own team only: the report filters what it shows


def test_a_token_wins_over_a_session_cookie(
    client: TestClient, db: Session, org: Org, planned: Assessment
) -> None:
    act_as(client, db, org.manager)
    response = client.get(
        f"/teams/{org.team.id}/roadmap.csv", headers=bearer(factories.api_token(db, org.outsider))
    )
    assert response.status_code == 404


def test_a_tokens_owner_gets_their_language_unless_the_url_asks_for_another(
    client: TestClient, db: Session, org: Org, planned: Assessment
) -> None:
    org.viewer.locale = "ja"
    db.commit()
    headers = bearer(factories.api_token(db, org.viewer))
    url = f"/assessments/{planned.id}/results.csv"
    assert client.get(url, headers=headers).text.startswith("\ufeff領域,")
    assert client.get(f"{url}?lang=en", headers=headers).text.startswith("\ufeffArea,")
