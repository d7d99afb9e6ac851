"""Script and attribute-breaking text in objective and key result titles and check-in notes renders inert."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.okrs import service
from app.okrs.org import service as org_service
from tests.access.conftest import act_as
from tests.factories import Org
from tests.okrs import rows
from tests.okrs.test_service import NOW

PAYLOAD = '"\'><script>alert(1)</script><b hx-get="/sign-out" hx-trigger="load" onmouseover="x()">'


def test_payloads_in_okr_text_are_escaped_on_every_page(client: TestClient, db: Session, org: Org) -> None:
    objective = rows.objective(db, org.team, org.manager, title=PAYLOAD)
    kr = rows.key_result(db, objective, org.manager, title=PAYLOAD)
    note = service.CheckInInput(1, 5, PAYLOAD, None)
    service.check_in(db, key_result=kr, data=note, user=org.member, now=NOW)
    db.commit()
    act_as(client, db, org.manager)
    base = f"/teams/{org.team.id}/okrs"
    for url in (
        f"{base}?period={rows.PERIOD}",
        f"{base}/objectives/{objective.id}/edit",
        f"{base}/key-results/{kr.id}/edit",
        f"{base}/key-results/{kr.id}/check-ins",
    ):
        page = client.get(url)
        assert page.status_code == 200, url
        assert "<script>alert(1)</script>" not in page.text, url
        assert 'hx-trigger="load"' not in page.text, url
        assert "&lt;script&gt;" in page.text, url


def test_payloads_in_organisation_objectives_and_contributions_are_escaped(
    client: TestClient, db: Session, org: Org
) -> None:
    parent = org_service.create(
        db, period=rows.PERIOD, data=org_service.OrgObjectiveInput(PAYLOAD, PAYLOAD, None), user=org.admin
    )
    data = service.ObjectiveInput(title=PAYLOAD, description="", org_objective_id=parent.id)
    service.create_objective(db, team_id=org.team.id, period=rows.PERIOD, data=data, user=org.manager)
    db.commit()
    act_as(client, db, org.admin)
    base = f"/teams/{org.team.id}/okrs"
    for url in (
        f"/okrs?period={rows.PERIOD}",
        f"/okrs/objectives/{parent.id}/edit",
        f"{base}/objectives/new?period={rows.PERIOD}",
    ):
        page = client.get(url)
        assert page.status_code == 200, url
        assert "<script>alert(1)</script>" not in page.text, url
        assert 'hx-trigger="load"' not in page.text, url
        assert "&lt;script&gt;" in page.text, url
