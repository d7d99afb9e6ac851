"""Admin pages: inviting, roles, deactivation, password reset links, the users list."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth import tokens
from app.models import AuditEvent, OneTimeLink, User, UserSession
from tests import factories
from tests.access.conftest import act_as
from tests.conftest import csrf_token
from tests.factories import Org


def post(client: TestClient, url: str, data: dict[str, object] | None = None):  # type: ignore[no-untyped-def]
    return client.post(url, data={"csrf_token": csrf_token(client), **(data or {})})


def test_admin_invites_someone_and_sees_the_link_once(client: TestClient, db: Session, org: Org) -> None:
    act_as(client, db, org.admin)
    page = post(client, "/admin/users/invite", {"email": "Nao@Example.com", "role": "manager"})
    assert page.status_code == 200
    link = page.text.split('id="invite-link" class="secret" value="')[1].split('"')[0]
    assert link.startswith("http://testserver/invite/")
    stored = db.scalars(select(OneTimeLink)).one()
    assert stored.email == "nao@example.com"
    assert stored.role == "manager"
    assert link.rsplit("/", 1)[1] not in stored.token_hash
    assert "nao@example.com" in client.get("/admin/users").text  # listed as an open invitation


def test_inviting_an_existing_email_is_refused_inline(client: TestClient, db: Session, org: Org) -> None:
    act_as(client, db, org.admin)
    response = post(client, "/admin/users/invite", {"email": org.member.email, "role": "member"})
    assert response.status_code == 422
    assert 'aria-describedby="email-error"' in response.text
    assert db.scalar(select(OneTimeLink.id)) is None


def test_admin_changes_a_role_and_the_audit_log_records_it(client: TestClient, db: Session, org: Org) -> None:
    act_as(client, db, org.admin)
    assert post(client, f"/admin/users/{org.member.id}/role", {"role": "viewer"}).status_code == 303
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "user.role")).one()
    assert (event.before, event.after, event.actor_id) == (
        {"role": "member"},
        {"role": "viewer"},
        org.admin.id,
    )


def test_admin_cannot_demote_or_deactivate_themselves(client: TestClient, db: Session, org: Org) -> None:
    act_as(client, db, org.admin)
    assert post(client, f"/admin/users/{org.admin.id}/role", {"role": "member"}).status_code == 422
    assert post(client, f"/admin/users/{org.admin.id}/active", {"active": "false"}).status_code == 422
    db.expire_all()
    assert db.scalar(select(User.role).where(User.id == org.admin.id)) == "admin"


def test_deactivation_asks_first_then_signs_the_person_out_and_stops_their_tokens(
    app, client: TestClient, db: Session, org: Org
) -> None:  # type: ignore[no-untyped-def]
    secret = tokens.create(db, user=org.member, name="ci").secret
    db.commit()
    with TestClient(app, follow_redirects=False) as victim:
        act_as(victim, db, org.member)
        act_as(client, db, org.admin)
        assert 'hx-confirm="Deactivate member?' in client.get(f"/admin/users/{org.member.id}").text
        assert post(client, f"/admin/users/{org.member.id}/active", {"active": "false"}).status_code == 303
        assert victim.get("/").status_code == 303
    assert db.scalar(select(UserSession.id).where(UserSession.user_id == org.member.id)) is None
    api = TestClient(client.app).get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert api.status_code == 401


def test_reset_link_is_shown_to_the_admin(client: TestClient, db: Session, org: Org) -> None:
    act_as(client, db, org.admin)
    page = post(client, f"/admin/users/{org.member.id}/reset")
    assert 'id="reset-link" class="secret" value="http://testserver/reset/' in page.text


def test_users_list_searches_sorts_and_pages(client: TestClient, db: Session, org: Org) -> None:
    for number in range(30):
        factories.user(db, f"person{number:02d}@example.com", name=f"Person {number:02d}")
    db.commit()
    act_as(client, db, org.admin)
    first = client.get("/admin/users?q=person&sort=email").text
    assert "1–25 of 30" in first
    assert "Person 00" in first
    assert "Person 29" not in first
    second = client.get("/admin/users?q=person&sort=email&page=2").text
    assert "26–30 of 30" in second
    assert "Person 29" in second
    backwards = client.get("/admin/users?q=person&sort=email&desc=true").text
    assert backwards.index("Person 29") < backwards.index("Person 28")
    only_viewers = client.get("/admin/users?role=viewer").text
    assert "viewer@example.com" in only_viewers
    assert "member@example.com" not in only_viewers


def test_users_search_as_htmx_returns_only_the_table(client: TestClient, db: Session, org: Org) -> None:
    act_as(client, db, org.admin)
    fragment = client.get("/admin/users?q=mana", headers={"HX-Request": "true"}).text
    assert fragment.lstrip().startswith('<div id="results">')
    assert "manager@example.com" in fragment
    assert "<html" not in fragment


def test_users_search_with_no_match_says_so(client: TestClient, db: Session, org: Org) -> None:
    act_as(client, db, org.admin)
    assert "Nobody matches this search." in client.get("/admin/users?q=zzz").text
