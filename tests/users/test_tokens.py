"""Personal API tokens: created and shown once, stored hashed, revocable, last use shown."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.auth import tokens
from app.kit.time import utcnow
from app.models import ApiToken
from tests.access.conftest import act_as
from tests.conftest import csrf_token
from tests.factories import Org


def test_token_is_shown_once_and_only_its_hash_is_stored(client: TestClient, db: Session, org: Org) -> None:
    act_as(client, db, org.member)
    page = client.post("/account/tokens", data={"name": "nightly export", "csrf_token": csrf_token(client)})
    assert page.status_code == 200
    secret = page.text.split('id="new-token" class="secret" value="')[1].split('"')[0]
    assert secret.startswith("hsn_")
    row = db.scalars(select(ApiToken)).one()
    assert row.token_hash == tokens.digest(secret)
    assert secret not in (row.prefix, row.token_hash)
    assert secret not in client.get("/account").text


def test_token_without_a_name_is_refused_inline(client: TestClient, db: Session, org: Org) -> None:
    act_as(client, db, org.member)
    response = client.post("/account/tokens", data={"name": "  ", "csrf_token": csrf_token(client)})
    assert response.status_code == 422
    assert 'aria-describedby="token_name-error"' in response.text
    assert db.scalar(select(ApiToken.id)) is None


def test_revoked_token_no_longer_works_and_the_list_says_so(
    client: TestClient, db: Session, org: Org
) -> None:
    secret = tokens.create(db, user=org.member, name="ci").secret
    db.commit()
    act_as(client, db, org.member)
    token_id = db.scalar(select(ApiToken.id))
    page = client.get("/account").text
    assert 'hx-confirm="Revoke the token “ci”? Scripts using it stop working at once."' in page
    assert (
        client.post(f"/account/tokens/{token_id}/revoke", data={"csrf_token": csrf_token(client)}).status_code
        == 303
    )
    assert "Revoked" in client.get("/account").text
    assert (
        TestClient(client.app).get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code
        == 401
    )


def test_nobody_can_revoke_someone_elses_token(client: TestClient, db: Session, org: Org) -> None:
    tokens.create(db, user=org.admin, name="admin script")
    db.commit()
    act_as(client, db, org.member)
    token_id = db.scalar(select(ApiToken.id))
    response = client.post(f"/account/tokens/{token_id}/revoke", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 404
    assert db.scalar(select(ApiToken.revoked_at)) is None


def test_last_use_is_written_at_most_once_a_minute(db: Session, org: Org) -> None:
    issued = tokens.create(db, user=org.member, name="ci")
    now = utcnow()
    tokens.resolve(db, secret=issued.secret, now=now)
    tokens.resolve(db, secret=issued.secret, now=now + timedelta(seconds=30))
    assert issued.row.last_used_at == now
    tokens.resolve(db, secret=issued.secret, now=now + timedelta(minutes=2))
    assert issued.row.last_used_at == now + timedelta(minutes=2)


def test_token_of_a_deactivated_user_does_not_resolve(db: Session, org: Org) -> None:
    secret = tokens.create(db, user=org.member, name="ci").secret
    db.execute(update(ApiToken).values(revoked_at=None))
    org.member.is_active = False
    assert tokens.resolve(db, secret=secret, now=utcnow()) is None
