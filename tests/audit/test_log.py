"""The audit log: recording, filtering, paging, CSV export."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.audit import service as audit
from app.kit import spreadsheet
from tests.access.conftest import act_as
from tests.factories import Org


def test_record_keeps_actor_action_object_and_before_after(db: Session, org: Org) -> None:
    event = audit.record(
        db,
        actor=org.manager,
        action="answer.update",
        object_type="answer",
        object_id=7,
        before={"choice": "level-1"},
        after={"choice": "level-2"},
    )
    assert (event.actor_id, event.object_id, event.before, event.after) == (
        org.manager.id,
        "7",
        {"choice": "level-1"},
        {"choice": "level-2"},
    )


def test_events_are_filtered_by_actor_and_action_prefix(db: Session, org: Org) -> None:
    audit.record(db, actor=org.manager, action="membership.update", object_type="membership", object_id=1)
    audit.record(db, actor=org.admin, action="token.create", object_type="api_token", object_id=2)
    page = audit.search(db, filters=audit.Filters(action="membership"), page=1)
    assert [row.event.action for row in page.items] == ["membership.update"]
    page = audit.search(db, filters=audit.Filters(actor="admin@"), page=1)
    assert [row.actor.email for row in page.items if row.actor] == ["admin@example.com"]


def test_admin_pages_through_the_log_newest_first(client: TestClient, db: Session, org: Org) -> None:
    for number in range(60):
        audit.record(
            db, actor=org.admin, action=f"test.event{number:02d}", object_type="test", object_id=number
        )
    db.commit()
    act_as(client, db, org.admin)
    first = client.get("/admin/audit").text
    assert "1–50 of 60" in first
    assert "test.event59" in first
    assert "test.event05" not in first
    assert "test.event05" in client.get("/admin/audit?page=2").text


def test_csv_export_has_a_header_and_neutralises_formulas(client: TestClient, db: Session, org: Org) -> None:
    audit.record(
        db,
        actor=org.admin,
        action="team.update",
        object_type="team",
        object_id=1,
        before={"name": "Old"},
        after={"name": '=HYPERLINK("http://evil")'},
    )
    db.commit()
    act_as(client, db, org.admin)
    response = client.get("/admin/audit.csv?action=team")
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["at", "actor", "action", "object_type", "object_id", "before", "after"]
    assert rows[1][1:5] == ["admin@example.com", "team.update", "team", "1"]
    assert '"=HYPERLINK' in rows[1][6]  # inside JSON, so the cell does not start with "="


def test_a_cell_starting_with_a_formula_sign_is_prefixed() -> None:
    assert spreadsheet.csv_line(["=1+1", "ok"]) == "'=1+1,ok\r\n"
