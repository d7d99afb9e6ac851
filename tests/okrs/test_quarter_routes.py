"""Running a quarter through the pages: the template on an empty quarter, owners and own dates, direction
and due dates on key results, expected progress, the history chart, and check-ins refused on a closed
objective until its manager reopens it. Bad input shows beside its field and keeps what was typed."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.kit.time import utcnow
from app.models import AuditEvent, CheckIn, KeyResult, Objective
from app.okrs import service
from tests.access.conftest import act_as
from tests.conftest import csrf_token
from tests.factories import Org
from tests.okrs import rows

PAST = "2026-Q3"  # over: its objectives are closed to check-ins


def _url(org: Org, rest: str = "") -> str:
    return f"/teams/{org.team.id}/okrs{rest}"


def _closed_kr(db: Session, org: Org) -> KeyResult:
    objective = rows.objective(db, org.team, org.manager, period=PAST)
    kr = rows.key_result(db, objective, org.manager, owner=org.member)
    db.commit()
    return kr


def test_an_empty_quarter_offers_the_playbook_template_to_its_manager(
    client: TestClient, db: Session, org: Org
) -> None:
    act_as(client, db, org.manager)
    html = client.get(_url(org, f"?period={rows.PERIOD}")).text
    assert "Cut the time from model development to deployment by 50%" in html
    assert "CI/CD pipeline within 3 months" in html
    assert 'name="template" value="faster-to-production"' in html
    act_as(client, db, org.member)
    assert "faster-to-production" not in client.get(_url(org, f"?period={rows.PERIOD}")).text


def test_the_manager_adopts_the_template_in_japanese(client: TestClient, db: Session, org: Org) -> None:
    org.manager.locale = "ja"
    db.commit()
    act_as(client, db, org.manager)
    data = {"csrf_token": csrf_token(client), "template": "faster-to-production", "period": rows.PERIOD}
    response = client.post(_url(org, "/templates"), data=data)
    assert response.status_code == 303
    html = client.get(response.headers["location"]).text
    assert "モデル開発からデプロイまでの時間を50%短縮する" in html
    assert "3か月以内にCI/CDパイプラインを構築する" in html
    again = client.post(_url(org, "/templates"), data=data)
    assert again.status_code == 303
    assert db.scalar(select(func.count()).select_from(Objective)) == 1  # a template starts an empty quarter


def test_an_unknown_template_is_a_clear_422(client: TestClient, db: Session, org: Org) -> None:
    act_as(client, db, org.manager)
    data = {"csrf_token": csrf_token(client), "template": "nope", "period": rows.PERIOD}
    response = client.post(_url(org, "/templates"), data=data)
    assert response.status_code == 422
    assert "Choose one of the templates." in response.text


def test_a_member_cannot_adopt_a_template(client: TestClient, db: Session, org: Org) -> None:
    act_as(client, db, org.member)
    data = {"csrf_token": csrf_token(client), "template": "faster-to-production", "period": rows.PERIOD}
    assert client.post(_url(org, "/templates"), data=data).status_code == 403
    assert db.scalar(select(func.count()).select_from(Objective)) == 0


def test_a_check_in_on_a_closed_objective_is_refused_beside_the_value_and_keeps_it(
    client: TestClient, db: Session, org: Org
) -> None:
    kr = _closed_kr(db, org)
    act_as(client, db, org.member)
    page = client.get(_url(org, f"?period={PAST}")).text
    assert "Closed to check-ins" in page
    assert "Check-ins closed after 2026-09-30, the last day of this objective." in page
    data = {"csrf_token": csrf_token(client), "value": "7.5", "confidence": "6", "note": "late figure"}
    response = client.post(_url(org, f"/key-results/{kr.id}/check-ins"), data=data)
    assert response.status_code == 409
    assert f'id="value-{kr.id}-error"' in response.text
    assert "A manager can reopen it." in response.text
    assert 'value="7.5"' in response.text
    assert 'value="late figure"' in response.text
    assert db.scalar(select(func.count()).select_from(CheckIn)) == 0


def test_the_manager_reopens_a_closed_objective_and_the_member_checks_in(
    client: TestClient, db: Session, org: Org
) -> None:
    kr = _closed_kr(db, org)
    act_as(client, db, org.member)
    reopen = _url(org, f"/objectives/{kr.objective_id}/reopen")
    assert client.post(reopen, data={"csrf_token": csrf_token(client)}).status_code == 403
    act_as(client, db, org.manager)
    assert client.post(reopen, data={"csrf_token": csrf_token(client)}).status_code == 303
    assert "Reopened" in client.get(_url(org, f"?period={PAST}")).text
    act_as(client, db, org.member)
    data = {"csrf_token": csrf_token(client), "value": "4", "confidence": "6", "client_token": "late"}
    assert client.post(_url(org, f"/key-results/{kr.id}/check-ins"), data=data).status_code == 303
    act_as(client, db, org.manager)
    close = _url(org, f"/objectives/{kr.objective_id}/close")
    assert client.post(close, data={"csrf_token": csrf_token(client)}).status_code == 303
    audited = db.scalars(select(AuditEvent.action).where(AuditEvent.object_id == str(kr.objective_id))).all()
    assert "objective.reopen" in audited
    assert "objective.close" in audited


def test_objective_form_keeps_owner_and_dates_and_shows_the_date_error(
    client: TestClient, db: Session, org: Org
) -> None:
    act_as(client, db, org.manager)
    data = {
        "csrf_token": csrf_token(client),
        "period": rows.PERIOD,
        "title": "Faster releases",
        "owner_id": str(org.member.id),
        "starts_on": "2027-02-01",
        "ends_on": "2027-01-15",
    }
    response = client.post(_url(org, "/objectives"), data=data)
    assert response.status_code == 422
    assert 'id="ends_on-error"' in response.text
    assert 'value="Faster releases"' in response.text
    assert 'value="2027-02-01"' in response.text
    assert f'<option value="{org.member.id}" selected>' in response.text
    assert db.scalar(select(func.count()).select_from(Objective)) == 0
    response = client.post(_url(org, "/objectives"), data=data | {"ends_on": "2027-04-30"})
    assert response.status_code == 303
    html = client.get(_url(org, f"?period={rows.PERIOD}")).text
    assert "From 2027-02-01 to 2027-04-30" in html
    assert f"Owner: {org.member.name}" in html


def test_a_bad_date_is_named_on_its_field(client: TestClient, db: Session, org: Org) -> None:
    act_as(client, db, org.manager)
    data = {"csrf_token": csrf_token(client), "period": rows.PERIOD, "title": "X", "starts_on": "next week"}
    response = client.post(_url(org, "/objectives"), data=data)
    assert response.status_code == 422
    assert 'id="starts_on-error"' in response.text
    assert "Enter a date such as 2027-03-31." in response.text


def test_key_result_form_refuses_a_due_date_before_the_objective_starts(
    client: TestClient, db: Session, org: Org
) -> None:
    objective = rows.objective(db, org.team, org.manager)
    db.commit()
    act_as(client, db, org.manager)
    data = {
        "csrf_token": csrf_token(client),
        "title": "Pipeline live",
        "kind": "milestone",
        "due_on": "2026-12-24",
    }
    response = client.post(_url(org, f"/objectives/{objective.id}/key-results"), data=data)
    assert response.status_code == 422
    assert 'id="due_on-error"' in response.text
    assert "The due date is before the objective starts (2027-01-01)." in response.text
    assert 'value="Pipeline live"' in response.text
    assert 'value="2026-12-24"' in response.text
    assert db.scalar(select(func.count()).select_from(KeyResult)) == 0


def test_key_result_form_refuses_a_target_against_its_direction_and_equal_to_the_start(
    client: TestClient, db: Session, org: Org
) -> None:
    objective = rows.objective(db, org.team, org.manager)
    db.commit()
    act_as(client, db, org.manager)
    url = _url(org, f"/objectives/{objective.id}/key-results")
    data = {
        "csrf_token": csrf_token(client),
        "title": "Lead time",
        "kind": "numeric",
        "direction": "down",
        "start_value": "10",
        "target_value": "20",
        "unit": "days",
    }
    response = client.post(url, data=data)
    assert response.status_code == 422
    assert "Lower is better: the target must be below the start value." in response.text
    assert '<option value="down" selected>' in response.text
    assert 'value="20"' in response.text
    same = client.post(url, data=data | {"target_value": "10"})
    assert "The target must differ from the start value." in same.text
    letters = client.post(url, data=data | {"start_value": "ten"})
    assert 'id="start_value-error"' in letters.text
    assert "Enter a number." in letters.text
    assert client.post(url, data=data | {"target_value": "5"}).status_code == 303
    kr = db.scalars(select(KeyResult)).one()
    assert (kr.direction, kr.start_value, kr.target_value) == ("down", 10, 5)


def test_the_page_shows_expected_beside_actual_progress(client: TestClient, db: Session, org: Org) -> None:
    period = service.current_period(utcnow().date())
    rows.key_result(db, rows.objective(db, org.team, org.manager, period=period), org.manager)
    db.commit()
    act_as(client, db, org.viewer)
    html = client.get(_url(org, f"?period={period}")).text
    assert "Expected by today: " in html
    assert "Higher is better" in html


def test_the_history_page_draws_the_key_results_chart(client: TestClient, db: Session, org: Org) -> None:
    kr = _closed_kr(db, org)
    db.add(CheckIn(key_result_id=kr.id, value=3, confidence=5, created_at=datetime(2026, 8, 15, tzinfo=UTC)))
    db.commit()
    act_as(client, db, org.viewer)
    html = client.get(_url(org, f"/key-results/{kr.id}/check-ins")).text
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="okr-chart" role="img"' in html
    assert 'aria-label="Check-ins on Deploys per month over the objective' in html
    assert html.count('class="okr-chart-dot"') == 1
