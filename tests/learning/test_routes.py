"""The learning log's pages: logging, changing and deleting sessions (with confirmation), who may, refused
input shown beside its field, newest first and paginated, in a fixed number of queries."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from app.models import AuditEvent, LearningAttendee, LearningSession
from tests.access.conftest import act_as
from tests.assessments.test_queries import counting
from tests.checklists.helpers import generate
from tests.conftest import csrf_token
from tests.factories import Org


def _form(org: Org, **fields: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "held_on": "2026-11-20",
        "kind": "study",
        "topic": "MLflow model registry",
        "attendee_ids": [str(org.member.id), str(org.manager.id)],
        "lessons": "Aliases replace stages.\nUse champion/challenger.",
        "led_to": "",
    }
    return {**form, **fields}


def _log(client: TestClient, org: Org, **fields: Any) -> Any:
    return client.post(
        f"/teams/{org.team.id}/learning", data={"csrf_token": csrf_token(client), **_form(org, **fields)}
    )


def _sessions(db: Session) -> list[LearningSession]:
    db.expire_all()
    return list(db.scalars(select(LearningSession).order_by(LearningSession.id)))


def test_a_member_logs_a_study_session_and_sees_it_with_its_attendees(
    client: TestClient, db: Session, org: Org
) -> None:
    org.member.name = "Mika <Ito>"
    db.commit()
    act_as(client, db, org.member)
    response = _log(client, org)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == f"http://testserver/teams/{org.team.id}/learning"
    [row] = _sessions(db)
    assert (row.held_on, row.kind, row.topic, row.created_by_id) == (
        date(2026, 11, 20),
        "study",
        "MLflow model registry",
        org.member.id,
    )
    attendees = set(db.scalars(select(LearningAttendee.user_id).where(LearningAttendee.session_id == row.id)))
    assert attendees == {org.member.id, org.manager.id}
    page = client.get(f"/teams/{org.team.id}/learning").text
    assert "MLflow model registry" in page
    assert "Study session on a new tool" in page
    assert "Mika &lt;Ito&gt;" in page
    assert "manager" in page
    assert "Aliases replace stages." in page
    assert "Session logged." in page
    event = db.scalars(select(AuditEvent).where(AuditEvent.object_type == "learning_session")).one()
    assert (event.action, event.actor_id) == ("learning_session.create", org.member.id)


def test_an_empty_log_says_what_to_do_next_and_viewers_only_read(
    client: TestClient, db: Session, org: Org
) -> None:
    act_as(client, db, org.viewer)
    page = client.get(f"/teams/{org.team.id}/learning")
    assert page.status_code == 200
    assert 'data-empty="no-sessions"' in page.text
    assert "A member of the team can log one." in page.text
    assert "/learning/new" not in page.text
    assert _log(client, org).status_code == 403
    assert client.get(f"/teams/{org.team.id}/learning/new").status_code == 403
    assert _sessions(db) == []


REFUSED = [
    ({"topic": "   "}, "topic", "Give the session a topic."),
    ({"held_on": "20/11/2026"}, "held_on", "Enter the day of the session, for example 2027-03-31."),
    ({"kind": "party"}, "kind", "Choose what kind of session this was."),
    ({"attendee_ids": ["999999"]}, "attendee_ids", "Choose attendees from the team&#39;s members."),
    ({"led_to": "entry:playbook/technical/documentation"}, "led_to",
     "Only an incident review leads to a roadmap item or checklist entry."),
    ({"kind": "incident_review", "led_to": "item:nowhere"}, "led_to",
     "Choose a roadmap item or checklist entry of this team."),
]  # fmt: skip


@pytest.mark.parametrize(("fields", "field", "message"), REFUSED)
def test_refused_input_shows_beside_its_field_keeps_what_was_typed_and_stores_nothing(
    client: TestClient, db: Session, org: Org, fields: dict[str, Any], field: str, message: str
) -> None:
    act_as(client, db, org.member)
    response = _log(client, org, **{"lessons": "kept as typed", **fields})
    assert response.status_code == 422
    assert f'<div class="field-error" id="{field}-error">{message}</div>' in response.text
    assert "kept as typed" in response.text
    assert _sessions(db) == []


def test_an_attendee_from_another_team_is_refused(client: TestClient, db: Session, org: Org) -> None:
    act_as(client, db, org.member)
    response = _log(client, org, attendee_ids=[str(org.member.id), str(org.outsider.id)])
    assert response.status_code == 422
    assert 'id="attendee_ids-error"' in response.text
    assert _sessions(db) == []


def test_an_incident_review_links_the_checklist_entry_or_roadmap_item_it_led_to(
    client: TestClient, db: Session, org: Org
) -> None:
    items = generate(client, db, org)
    act_as(client, db, org.member)
    entry = _log(
        client,
        org,
        kind="incident_review",
        topic="Stale model",
        led_to="entry:playbook/technical/monitoring-dashboard",
    )
    assert entry.status_code == 303, entry.text
    item = _log(
        client, org, kind="incident_review", topic="Broken deploy", led_to=f"item:{items[0]['item_id']}"
    )
    assert item.status_code == 303, item.text
    rows = _sessions(db)
    assert (rows[0].led_to_entry, rows[0].led_to_item) == ("playbook/technical/monitoring-dashboard", None)
    assert (rows[1].led_to_entry, rows[1].led_to_item) == (None, items[0]["item_id"])
    page = client.get(f"/teams/{org.team.id}/learning").text
    assert "Led to: A monitoring dashboard shows the models in production (Technical checklist)" in page
    assert f"Led to: {items[0]['title']['en']}" in page


def test_a_session_is_changed_and_deleted_only_once_confirmed(
    client: TestClient, db: Session, org: Org
) -> None:
    act_as(client, db, org.member)
    _log(client, org)
    row = _sessions(db)[0]
    edit = client.get(f"/teams/{org.team.id}/learning/{row.id}/edit")
    assert edit.status_code == 200
    assert 'value="MLflow model registry"' in edit.text
    data = {"csrf_token": csrf_token(client), **_form(org, topic="Feast", attendee_ids=[str(org.member.id)])}
    assert client.post(f"/teams/{org.team.id}/learning/{row.id}", data=data).status_code == 303
    row = _sessions(db)[0]
    assert row.topic == "Feast"
    assert set(db.scalars(select(LearningAttendee.user_id))) == {org.member.id}
    update = db.scalars(select(AuditEvent).where(AuditEvent.action == "learning_session.update")).one()
    assert update.before == {
        "attendee_ids": sorted([org.member.id, org.manager.id]),
        "topic": "MLflow model registry",
    }
    delete = f"/teams/{org.team.id}/learning/{row.id}/delete"
    unconfirmed = client.post(delete, data={"csrf_token": csrf_token(client)})
    assert unconfirmed.status_code == 422
    assert "Tick the box to confirm the deletion." in unconfirmed.text
    assert len(_sessions(db)) == 1
    assert client.post(delete, data={"csrf_token": csrf_token(client), "confirm": "yes"}).status_code == 303
    assert _sessions(db) == []
    assert db.scalars(select(LearningAttendee)).all() == []


def test_another_teams_session_is_not_found(client: TestClient, db: Session, org: Org) -> None:
    theirs = LearningSession(
        team_id=org.other_team.id, held_on=date(2026, 1, 5), kind="study", topic="x", lessons=""
    )
    db.add(theirs)
    db.commit()
    act_as(client, db, org.member)
    assert client.get(f"/teams/{org.team.id}/learning/{theirs.id}/edit").status_code == 404
    data = {"csrf_token": csrf_token(client), "confirm": "yes"}
    assert client.post(f"/teams/{org.team.id}/learning/{theirs.id}/delete", data=data).status_code == 404
    assert len(_sessions(db)) == 1


def test_the_log_is_newest_first_twenty_to_a_page_in_a_fixed_number_of_queries(
    client: TestClient, db: Session, org: Org, engine: Engine
) -> None:
    act_as(client, db, org.member)
    url = f"/teams/{org.team.id}/learning"
    _log(client, org, topic="session 0", held_on="2026-01-01")
    with counting(engine) as few:
        assert client.get(url).status_code == 200
    start = date(2026, 1, 2)
    for n in range(1, 25):
        day = (start + timedelta(days=n)).isoformat()
        db.add(
            LearningSession(
                team_id=org.team.id,
                held_on=date.fromisoformat(day),
                kind="study",
                topic=f"session {n}",
                lessons="",
            )
        )
    db.commit()
    with counting(engine) as many:
        first = client.get(url)
    assert len(few) == len(many), (len(few), len(many))
    assert first.text.index("session 24") < first.text.index("session 23")
    assert "session 4<" not in first.text
    assert "Page 1 of 2" in first.text
    second = client.get(f"{url}?page=2").text
    assert "session 4<" in second
    assert "session 0<" in second
    assert "session 5<" not in second
