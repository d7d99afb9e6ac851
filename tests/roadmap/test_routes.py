"""Roadmap pages, exports and the API: who sees what, edits and statuses through HTTP."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests import factories
from tests.access.conftest import act_as
from tests.conftest import csrf_token
from tests.factories import Org


def _generate(client: TestClient, db: Session, org: Org, not_applicable: dict[str, str] | None = None) -> str:
    model = factories.maturity_model(db, "mlops-full")
    factories.assessment(db, org.team, model, level=1, submitted=True, not_applicable=not_applicable)
    db.commit()
    act_as(client, db, org.manager)
    response = client.post(f"/teams/{org.team.id}/roadmap/generate", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 303, response.text
    return f"/teams/{org.team.id}/roadmap"


def test_manager_generates_and_sees_edit_controls(client: TestClient, db: Session, org: Org) -> None:
    url = _generate(client, db, org)
    html = client.get(url).text
    assert "gantt-bar" in html
    assert 'value="pin"' in html
    assert "hx-confirm" in html


def test_viewer_sees_the_plan_without_controls(client: TestClient, db: Session, org: Org) -> None:
    url = _generate(client, db, org)
    act_as(client, db, org.viewer)
    html = client.get(url).text
    assert "gantt-bar" in html
    assert 'value="pin"' not in html
    assert 'name="status"' not in html
    assert "add-title" not in html


def test_member_sets_status_but_cannot_pin(client: TestClient, db: Session, org: Org) -> None:
    url = _generate(client, db, org)
    item = client.get(f"/api/v1/teams/{org.team.id}/roadmap").json()["items"][0]["id"]
    act_as(client, db, org.member)
    token = csrf_token(client)
    response = client.post(f"{url}/items/{item}/status", data={"csrf_token": token, "status": "done"})
    assert response.status_code == 303
    assert (
        client.post(f"{url}/items/{item}/edit", data={"csrf_token": token, "action": "pin"}).status_code
        == 403
    )
    body = client.get(f"/api/v1/teams/{org.team.id}/roadmap").json()
    assert body["items"][0]["status"] == "done"
    assert body["items"][0]["progress"] == 100


def test_api_patch_names_the_bad_field(client: TestClient, db: Session, org: Org) -> None:
    _generate(client, db, org)
    item = client.get(f"/api/v1/teams/{org.team.id}/roadmap").json()["items"][0]["id"]
    headers = {"X-CSRF-Token": csrf_token(client)}
    path = f"/api/v1/teams/{org.team.id}/roadmap/items/{item}"
    bad = client.patch(path, json={"progress": "50"}, headers=headers)
    assert bad.status_code == 422
    assert bad.json()["field"] == "progress"
    pinned = client.patch(path, json={"edit": {"kind": "pin"}}, headers=headers).json()
    assert next(i for i in pinned["items"] if i["id"] == item)["pinned"]


def test_exports_are_attachments(client: TestClient, db: Session, org: Org) -> None:
    url = _generate(client, db, org)
    for ext, start in (("csv", "id,title"), ("md", "# "), ("ics", "BEGIN:VCALENDAR"), ("json", "{")):
        response = client.get(f"{url}.{ext}")
        assert response.status_code == 200
        assert response.headers["content-disposition"].startswith("attachment")
        assert response.text.startswith(start)
    rows = list(csv.reader(io.StringIO(client.get(f"{url}.csv").text)))
    assert len(rows) > 1


def test_the_page_names_the_model_the_plan_came_from_in_the_readers_language(
    client: TestClient, db: Session, org: Org
) -> None:
    url = _generate(client, db, org)
    model = factories.maturity_model(db, "mlops-full")
    assert model.name_en in client.get(url).text
    html = client.get(url, headers={"Accept-Language": "ja"}).text
    assert model.name_ja in html
    assert "(mlops-full)" not in html
    assert "（mlops-full）" not in html


BATCH_ONLY = {
    "progressive-delivery": "Forecasts are weekly files: there is no live traffic to split.",
    "infrastructure-monitoring": "The data platform team runs and watches the servers.",
}


def test_not_applicable_capabilities_are_named_with_their_reasons_not_as_unanswered(
    client: TestClient, db: Session, org: Org
) -> None:
    org.team.improvement_share = 1.0  # the whole team's time, so the needed item falls within the 12 months
    db.commit()
    html = client.get(_generate(client, db, org, not_applicable=BATCH_ONLY)).text
    left_out = html[html.index('id="not-applicable-left-out"') :].split("</ul>")[0]
    assert "Progressive delivery: canary, shadow, A/B — Forecasts are weekly files" in left_out
    assert "No answer" not in html
    assert 'id="item-progressive-delivery"' not in html


def test_a_not_applicable_capability_other_work_needs_is_planned_and_the_page_says_why(
    client: TestClient, db: Session, org: Org
) -> None:
    org.team.improvement_share = 1.0  # the whole team's time, so the needed item falls within the 12 months
    db.commit()
    html = client.get(_generate(client, db, org, not_applicable=BATCH_ONLY)).text
    needed = html[html.index('id="not-applicable-needed"') :].split("</ul>")[0]
    assert (
        "Service and infrastructure monitoring — The data platform team runs and watches the servers."
        in needed
    )
    assert "Prerequisite of Alerting and incident response" in needed
    item = html[html.index('id="item-infrastructure-monitoring"') :].split("</h3>")[0]
    assert "Marked not applicable" in item
    ja = client.get(f"/teams/{org.team.id}/roadmap", headers={"Accept-Language": "ja"}).text
    assert "このチームには該当しませんが" in ja


def test_the_plan_books_the_teams_improvement_share_and_items_span_the_months_they_need(
    client: TestClient, db: Session, org: Org
) -> None:
    org.team.improvement_share = 0.4
    db.commit()
    url = _generate(client, db, org)
    note = client.get(url).text
    assert "Scheduled against 2.6 person-weeks per month: the 40 % of the team" in note
    items = client.get(f"/api/v1/teams/{org.team.id}/roadmap").json()["items"]
    longest = max(i["end_month"] - i["start_month"] for i in items)
    assert longest >= 2
    for found in items:
        months = found["end_month"] - found["start_month"]
        assert found["effort_pw"] / months <= 4.0 * 0.4 + 1e-9  # one person's 40 % at most


def test_an_item_reads_from_its_first_to_its_last_day(client: TestClient, db: Session, org: Org) -> None:
    html = client.get(_generate(client, db, org)).text
    items = client.get(f"/api/v1/teams/{org.team.id}/roadmap").json()["items"]
    one = next(i for i in items if i["end_month"] - i["start_month"] == 1)
    last = date.fromisoformat(one["end"]) - timedelta(days=1)  # the API's end is the day after
    meta = html[html.index(f'id="item-{one["id"]}"') :].split("</p>")[0]
    assert f"{one['start']} → {last.isoformat()}" in meta
