"""The signed-in user's account: password change, sessions and their time-outs, invitations, resets."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.kit import limits
from app.kit.time import utcnow
from app.models import AuditEvent, User, UserSession
from app.users import service as users_service
from tests.access.conftest import act_as
from tests.conftest import csrf_token, sign_in
from tests.factories import PASSWORD, Org

NEW_PASSWORD = "a brand new long passphrase"


def _password_change(client: TestClient, current: str, new: str, confirm: str | None = None):  # type: ignore[no-untyped-def]
    data = {"current": current, "password": new, "confirm": confirm or new, "csrf_token": csrf_token(client)}
    return client.post("/account/password", data=data)


def test_password_change_ends_the_other_sessions_and_keeps_this_one(
    app, client: TestClient, org: Org
) -> None:  # type: ignore[no-untyped-def]
    with TestClient(app, follow_redirects=False) as laptop:
        sign_in(laptop, org.member.email)
        sign_in(client, org.member.email)
        before = client.cookies["hoshin_session"]
        response = _password_change(client, PASSWORD, NEW_PASSWORD)
        assert response.status_code == 303
        assert client.cookies["hoshin_session"] != before  # a new id for this browser
        assert client.get("/account").status_code == 200
        assert laptop.get("/account").status_code == 303  # the other browser is signed out
    sign_in(client, org.member.email, NEW_PASSWORD)


def test_password_change_with_a_wrong_current_password_is_refused_inline(
    client: TestClient, db: Session, org: Org
) -> None:
    act_as(client, db, org.member)
    response = _password_change(client, "not my password", NEW_PASSWORD)
    assert response.status_code == 422
    assert (
        'id="current" name="current" autocomplete="current-password" required aria-invalid="true"'
        in response.text
    )
    db.expire_all()
    assert db.scalar(select(User.password_hash).where(User.id == org.member.id)) == org.member.password_hash


def test_new_password_must_be_long_and_typed_twice_the_same(
    client: TestClient, db: Session, org: Org
) -> None:
    act_as(client, db, org.member)
    assert "at least 12 characters" in _password_change(client, PASSWORD, "short").text
    assert "not the same" in _password_change(client, PASSWORD, NEW_PASSWORD, "something else entirely").text


def test_a_new_password_over_the_limit_is_refused_with_the_limit_like_any_text(
    client: TestClient, db: Session, org: Org
) -> None:
    act_as(client, db, org.member)
    page = client.get("/account").text
    assert f'maxlength="{limits.PASSWORD}"' in page
    response = _password_change(client, PASSWORD, "p" * (limits.PASSWORD + 1))
    assert response.status_code == 422
    assert f"At most {limits.PASSWORD} characters, please (this has {limits.PASSWORD + 1})." in response.text
    sign_in(client, org.member.email)  # unchanged


def test_the_sign_in_form_carries_the_email_and_password_limits(client: TestClient) -> None:
    page = client.get("/sign-in").text
    assert f'autocomplete="username" required autofocus\n               maxlength="{limits.EMAIL}"' in page
    assert f'maxlength="{limits.PASSWORD}"' in page


def _age_session(db: Session, **fields: object) -> None:
    db.execute(update(UserSession).values(**fields))
    db.commit()


def test_session_idle_longer_than_the_limit_ends(client: TestClient, db: Session, org: Org, settings) -> None:  # type: ignore[no-untyped-def]
    act_as(client, db, org.member)
    assert client.get("/account").status_code == 200
    idle = timedelta(minutes=settings.session_idle_minutes, seconds=1)
    _age_session(db, last_seen_at=utcnow() - idle)
    assert client.get("/account").headers["location"].startswith("/sign-in")


def test_session_used_just_inside_the_idle_limit_continues(
    client: TestClient, db: Session, org: Org, settings
) -> None:  # type: ignore[no-untyped-def]
    act_as(client, db, org.member)
    _age_session(db, last_seen_at=utcnow() - timedelta(minutes=settings.session_idle_minutes - 1))
    assert client.get("/account").status_code == 200


def test_session_past_its_absolute_lifetime_ends_even_when_active(
    client: TestClient, db: Session, org: Org
) -> None:
    act_as(client, db, org.member)
    _age_session(db, last_seen_at=utcnow(), expires_at=utcnow() - timedelta(seconds=1))
    assert client.get("/account").status_code == 303


def test_profile_time_zone_changes_how_times_are_shown(client: TestClient, db: Session, org: Org) -> None:
    act_as(client, db, org.member)
    response = client.post(
        "/account/profile",
        data={"name": "Mem Ber", "timezone": "Asia/Tokyo", "csrf_token": csrf_token(client)},
    )
    assert response.status_code == 303
    db.expire_all()
    assert db.get(User, org.member.id).timezone == "Asia/Tokyo"  # type: ignore[union-attr]


def test_unknown_time_zone_is_refused_inline(client: TestClient, db: Session, org: Org) -> None:
    act_as(client, db, org.member)
    response = client.post(
        "/account/profile", data={"name": "X", "timezone": "Mars/Olympus", "csrf_token": csrf_token(client)}
    )
    assert response.status_code == 422
    assert 'aria-describedby="timezone-error"' in response.text


def test_invited_person_creates_their_account_and_is_signed_in(
    client: TestClient, db: Session, org: Org
) -> None:
    issued = users_service.invite(db, email="New@Example.com", role="manager", actor=org.admin, now=utcnow())
    db.commit()
    url = f"/invite/{issued.token}"
    assert "new@example.com" in client.get(url).text
    response = client.post(
        url,
        data={
            "name": "Nao",
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
            "csrf_token": csrf_token(client),
        },
    )
    assert response.status_code == 303
    assert client.get("/").status_code == 200
    user = db.scalars(select(User).where(User.email == "new@example.com")).one()
    assert user.role == "manager"
    assert user.name == "Nao"
    assert client.get(url).status_code == 404  # used up


def test_invitation_with_a_short_password_creates_nothing_and_stays_usable(
    client: TestClient, db: Session, org: Org
) -> None:
    issued = users_service.invite(db, email="new@example.com", role="member", actor=org.admin, now=utcnow())
    db.commit()
    url = f"/invite/{issued.token}"
    response = client.post(
        url, data={"name": "Nao", "password": "short", "confirm": "short", "csrf_token": csrf_token(client)}
    )
    assert response.status_code == 422
    assert db.scalar(select(User).where(User.email == "new@example.com")) is None
    assert client.get(url).status_code == 200


def test_expired_invitation_is_refused(client: TestClient, db: Session, org: Org) -> None:
    issued = users_service.invite(
        db, email="late@example.com", role="member", actor=org.admin, now=utcnow() - timedelta(days=8)
    )
    db.commit()
    assert client.get(f"/invite/{issued.token}").status_code == 404


def test_password_reset_link_sets_a_new_password_and_ends_every_session(
    client: TestClient, db: Session, org: Org
) -> None:
    act_as(client, db, org.member)
    issued = users_service.password_reset_link(db, user=org.member, actor=org.admin, now=utcnow())
    db.commit()
    response = client.post(
        f"/reset/{issued.token}",
        data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "csrf_token": csrf_token(client)},
    )
    assert response.status_code == 303
    assert db.scalar(select(UserSession.id).where(UserSession.user_id == org.member.id)) is None
    assert db.scalar(select(AuditEvent.action).where(AuditEvent.action == "user.password_reset"))
    sign_in(client, org.member.email, NEW_PASSWORD)
