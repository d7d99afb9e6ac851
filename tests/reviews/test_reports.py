"""The latest quarterly review appears in the roadmap PDF and the organisation report, in both languages,
with the team's text escaped."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import QuarterlyReview
from tests.access.conftest import act_as
from tests.conftest import csrf_token
from tests.factories import Org
from tests.reports.test_roadmap_report import _text
from tests.reviews.helpers import review_url, save, with_plan


@pytest.mark.parametrize(("lang", "heading"), [("en", "Quarterly review"), ("ja", "四半期の振り返り")])
def test_roadmap_pdf_has_the_review_and_the_action_turned_roadmap_item(
    client: TestClient, db: Session, org: Org, lang: str, heading: str
) -> None:
    with_plan(client, db, org)
    save(
        client,
        org,
        went_well="Pipelines run nightly",
        bottleneck="Slow reviews",
        patterns=["late-monitoring"],
    )
    save(client, org, went_well="Pipelines run nightly", new_action="Blameless post-mortems")
    action_id = db.scalars(select(QuarterlyReview).where(QuarterlyReview.version == 2)).one().actions[0]["id"]
    data = {
        "csrf_token": csrf_token(client),
        "effort": "1",
        "phase": "foundation",
        "owner_role": "ml_engineer",
    }
    client.post(f"{review_url(org)}/actions/{action_id}/roadmap", data=data)
    act_as(client, db, org.viewer)
    response = client.get(f"/reports/teams/{org.team.id}/roadmap.pdf?lang={lang}")
    assert response.status_code == 200
    text = _text(response.content)
    assert heading in text
    assert "Pipelines run nightly" in text
    assert text.count("Blameless post-mortems") >= 2  # the review's action, and the roadmap item it became


def test_organisation_report_has_each_teams_review_escaped(client: TestClient, db: Session, org: Org) -> None:
    act_as(client, db, org.manager)
    save(client, org, went_well="<script>alert(1)</script> went well")
    act_as(client, db, org.admin)
    page = client.get("/reports/organisation").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; went well" in page
    assert "No quarterly review written yet" in page  # the other team
