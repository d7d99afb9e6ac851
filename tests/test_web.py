"""Templates: every one compiles (the served process compiles them all before it takes requests), and
their links are right for the host and the row."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app import web
from app.config import PROJECT_ROOT
from tests import factories
from tests.access.conftest import act_as
from tests.factories import Org


def test_every_template_compiles_before_the_first_request() -> None:
    on_disk = sorted(
        p.relative_to(PROJECT_ROOT / "templates").as_posix()
        for p in (PROJECT_ROOT / "templates").rglob("*.html")
    )
    assert web.compile_all() == len(on_disk)
    cached = web.templates().env.cache
    assert cached is not None
    assert {name for _loader, name in cached} >= set(on_disk)


def test_links_on_a_page_follow_the_host_it_was_asked_for(client: TestClient, db: Session, org: Org) -> None:
    """Templates' url_for is memoised (app/kit/urls.py): the host and the parameters are part of the key."""
    act_as(client, db, org.member)
    here = client.get(f"/teams/{org.team.id}")
    assert f'href="http://testserver/teams/{org.team.id}/okrs"' in here.text
    there = client.get(f"/teams/{org.team.id}", headers={"Host": "hoshin.example.org"})
    assert f'href="http://hoshin.example.org/teams/{org.team.id}/okrs"' in there.text
    assert "http://testserver/" not in there.text
    factories.member(db, org.other_team, org.member, access="member")
    db.commit()
    other = org.other_team
    page = client.get(f"/teams/{other.id}")
    assert f'href="http://testserver/teams/{other.id}/okrs"' in page.text
    assert f'href="http://testserver/teams/{org.team.id}/okrs"' not in page.text
