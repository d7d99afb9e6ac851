"""Organisation objectives: admins set leadership's objectives for a quarter; team objectives contribute
to them; everyone signed in reads them, with contributions only from the teams they may see."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from app.models import AuditEvent, Objective, OrgObjective
from app.okrs import service
from app.okrs.org import service as org_service
from tests.access.conftest import act_as
from tests.assessments.test_queries import counting
from tests.conftest import csrf_token
from tests.factories import Org
from tests.okrs import rows

IN_QUARTER = datetime(2027, 2, 1, tzinfo=UTC)


def _org_objective(db: Session, org: Org, title: str = "Halve time to production") -> OrgObjective:
    data = org_service.OrgObjectiveInput(title, "", org.admin.id)
    return org_service.create(db, period=rows.PERIOD, data=data, user=org.admin)


def _contribute(db: Session, org: Org, parent: OrgObjective, team: object, value: float) -> Objective:
    data = service.ObjectiveInput(title=f"Faster in {team.name}", description="", org_objective_id=parent.id)  # type: ignore[attr-defined]
    objective = service.create_objective(db, team_id=team.id, period=rows.PERIOD, data=data, user=org.admin)  # type: ignore[attr-defined]
    kr = rows.key_result(db, objective, org.admin, start=0, target=10)
    service.check_in(
        db, key_result=kr, data=service.CheckInInput(value, 7, "", None), user=org.admin, now=IN_QUARTER
    )
    return objective


def test_an_admin_adds_an_organisation_objective(client: TestClient, db: Session, org: Org) -> None:
    act_as(client, db, org.admin)
    page = client.get(f"/okrs?period={rows.PERIOD}").text
    assert "No organisation objectives for 2027-Q1 yet" in page
    assert "New organisation objective" in page
    data = {"csrf_token": csrf_token(client), "period": rows.PERIOD, "title": "Halve time to production"}
    response = client.post("/okrs/objectives", data=data | {"owner_id": str(org.manager.id)})
    assert response.status_code == 303
    html = client.get(response.headers["location"]).text
    assert "Halve time to production" in html
    assert f"Owner: {org.manager.name}" in html
    assert db.scalar(select(AuditEvent.action).where(AuditEvent.object_type == "org_objective")) == (
        "org_objective.create"
    )


def test_a_bad_organisation_objective_shows_the_error_and_keeps_the_text(
    client: TestClient, db: Session, org: Org
) -> None:
    act_as(client, db, org.admin)
    data = {"csrf_token": csrf_token(client), "period": rows.PERIOD, "title": " ", "description": "why"}
    response = client.post("/okrs/objectives", data=data)
    assert response.status_code == 422
    assert 'id="title-error"' in response.text
    assert ">why</textarea>" in response.text
    response = client.post("/okrs/objectives", data=data | {"title": "T", "owner_id": "99999"})
    assert response.status_code == 422
    assert 'id="owner_id-error"' in response.text
    assert db.scalar(select(func.count()).select_from(OrgObjective)) == 0


def test_only_admins_set_organisation_objectives_and_everyone_reads_them(
    client: TestClient, db: Session, org: Org
) -> None:
    _org_objective(db, org)
    db.commit()
    for who in (org.manager, org.member, org.viewer):
        act_as(client, db, who)
        assert "Halve time to production" in client.get(f"/okrs?period={rows.PERIOD}").text
        data = {"csrf_token": csrf_token(client), "period": rows.PERIOD, "title": "Mine"}
        assert client.post("/okrs/objectives", data=data).status_code == 403


def test_progress_is_the_mean_of_the_contributions_the_reader_may_see(
    client: TestClient, db: Session, org: Org
) -> None:
    parent = _org_objective(db, org)
    _contribute(db, org, parent, org.team, 10)  # 100 %
    _contribute(db, org, parent, org.other_team, 0)  # 0 %
    db.commit()
    every = org_service.status(db, period=rows.PERIOD, team_ids=[org.team.id, org.other_team.id], today=None)
    assert [c.team_name for c in every[0].contributions] == ["Search", "Vision"]
    assert every[0].progress == 0.5
    act_as(client, db, org.member)  # a member of Vision only
    html = client.get(f"/okrs?period={rows.PERIOD}").text
    assert "Faster in Vision" in html
    assert "Faster in Search" not in html
    assert "<strong>100%</strong>" in html


def test_a_team_objective_links_only_to_an_organisation_objective_of_its_quarter(
    client: TestClient, db: Session, org: Org
) -> None:
    parent = _org_objective(db, org)
    db.commit()
    act_as(client, db, org.manager)
    form = client.get(f"/teams/{org.team.id}/okrs/objectives/new?period={rows.PERIOD}").text
    assert f'<option value="{parent.id}" >Halve time to production</option>' in form
    other = client.get(f"/teams/{org.team.id}/okrs/objectives/new?period=2027-Q2").text
    assert "Leadership has set no organisation objectives for this quarter yet." in other
    data = {
        "csrf_token": csrf_token(client),
        "period": "2027-Q2",
        "title": "X",
        "org_objective_id": str(parent.id),
    }
    response = client.post(f"/teams/{org.team.id}/okrs/objectives", data=data)
    assert response.status_code == 422
    assert 'id="org_objective_id-error"' in response.text


def test_deleting_an_organisation_objective_keeps_its_contributions(
    client: TestClient, db: Session, org: Org
) -> None:
    parent = _org_objective(db, org)
    child = _contribute(db, org, parent, org.team, 5)
    db.commit()
    act_as(client, db, org.admin)
    url = f"/okrs/objectives/{parent.id}/delete"
    assert client.post(url, data={"csrf_token": csrf_token(client)}).status_code == 422  # unconfirmed
    assert client.post(url, data={"csrf_token": csrf_token(client), "confirm": "yes"}).status_code == 303
    db.expire_all()
    assert db.get(Objective, child.id).org_objective_id is None  # type: ignore[union-attr]
    assert db.scalar(select(func.count()).select_from(OrgObjective)) == 0


def test_the_organisation_okr_page_query_count_stays_flat(
    client: TestClient, db: Session, org: Org, engine: Engine
) -> None:
    act_as(client, db, org.admin)
    counts = []
    for n in (1, 4):
        for k in range(n):
            parent = _org_objective(db, org, title=f"O{n}-{k}")
            _contribute(db, org, parent, org.team, k)
            _contribute(db, org, parent, org.other_team, k)
        db.commit()
        with counting(engine) as statements:
            assert client.get(f"/okrs?period={rows.PERIOD}").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
