"""The data revision moves on once per commit that changes data, and never for reading or bookkeeping."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from app.models import CachedReport, Team
from app.reports import revisions
from tests import factories
from tests.checklists.helpers import first_entry, generate, tick
from tests.factories import Org


def _now(db: Session) -> int:
    db.expire_all()
    value = revisions.current(db)
    assert value is not None
    return value


def test_reading_pages_and_signing_in_leave_the_revision_where_it_was(
    client: TestClient, db: Session, org: Org
) -> None:
    generate(client, db, org)
    before = _now(db)
    for path in (
        f"/teams/{org.team.id}",
        f"/teams/{org.team.id}/roadmap",
        "/dashboard",
        "/reports/organisation",
    ):
        assert client.get(path).status_code == 200, path
    assert _now(db) == before


def test_each_change_over_http_moves_the_revision_on_by_one(
    client: TestClient, db: Session, org: Org
) -> None:
    items = generate(client, db, org)
    before = _now(db)
    entry = first_entry(items)
    assert tick(client, org.team.id, entry).status_code == 200
    assert _now(db) == before + 1
    assert tick(client, org.team.id, entry, done=False).status_code == 200
    assert _now(db) == before + 2


def test_bulk_statements_count_and_bookkeeping_tables_do_not(db: Session, org: Org) -> None:
    before = _now(db)
    db.execute(delete(CachedReport))
    db.commit()
    assert _now(db) == before
    db.execute(update(Team).where(Team.id == org.team.id).values(name="Renamed in bulk"))
    db.commit()
    assert _now(db) == before + 1
    factories.team(db, org.organisation, "Added")
    db.rollback()
    db.commit()
    assert _now(db) == before + 1
