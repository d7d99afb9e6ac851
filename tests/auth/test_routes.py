"""Signing in and out, sessions, CSRF and rate limiting, through HTTP as a browser does it."""

from fastapi.testclient import TestClient

from tests.conftest import csrf_token, sign_in
from tests.factories import PASSWORD, Org


def test_anonymous_visitor_is_sent_to_sign_in(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in?next=/"


def test_member_signs_in_and_sees_only_their_own_teams(client: TestClient, org: Org) -> None:
    sign_in(client, org.member.email)
    page = client.get("/")
    assert page.status_code == 200
    assert "Vision" in page.text
    assert "Search" not in page.text  # a team they do not belong to


def test_leadership_viewer_sees_every_team(client: TestClient, org: Org) -> None:
    sign_in(client, org.viewer.email)
    page = client.get("/")
    assert "Vision" in page.text
    assert "Search" in page.text


def test_wrong_password_is_refused_inline_without_naming_which_part_was_wrong(
    client: TestClient, org: Org
) -> None:
    response = client.post(
        "/sign-in", data={"email": org.member.email, "password": "nope", "csrf_token": csrf_token(client)}
    )
    assert response.status_code == 422
    assert "The email or password is not right." in response.text
    assert "hoshin_session" not in client.cookies


def test_session_id_changes_at_sign_in(client: TestClient, org: Org) -> None:
    sign_in(client, org.member.email)
    first = client.cookies["hoshin_session"]
    sign_in(client, org.member.email)
    assert client.cookies["hoshin_session"] != first


def test_session_cookie_is_httponly_and_samesite(client: TestClient, org: Org) -> None:
    response = client.post(
        "/sign-in", data={"email": org.member.email, "password": PASSWORD, "csrf_token": csrf_token(client)}
    )
    cookie = next(v for k, v in response.headers.multi_items() if k == "set-cookie" and "hoshin_session" in v)
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "SameSite=Lax" in cookie


def test_sign_out_ends_the_session_on_the_server(client: TestClient, org: Org) -> None:
    sign_in(client, org.member.email)
    stolen = client.cookies["hoshin_session"]
    response = client.post("/sign-out", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 303
    client.cookies.set("hoshin_session", stolen)
    assert client.get("/").status_code == 303  # replaying the old cookie no longer works


def test_post_without_csrf_token_is_refused(client: TestClient, org: Org) -> None:
    csrf_token(client)
    response = client.post("/sign-in", data={"email": org.member.email, "password": PASSWORD})
    assert response.status_code == 403
    assert "hoshin_session" not in client.cookies


def test_post_with_a_mismatched_csrf_token_is_refused(client: TestClient, org: Org) -> None:
    csrf_token(client)
    response = client.post(
        "/sign-in", data={"email": org.member.email, "password": PASSWORD, "csrf_token": "forged"}
    )
    assert response.status_code == 403


def test_forged_cross_site_post_is_refused_even_with_the_cookie(client: TestClient, org: Org) -> None:
    token = csrf_token(client)
    response = client.post(
        "/sign-in",
        data={"email": org.member.email, "password": PASSWORD, "csrf_token": token},
        headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
    )
    assert response.status_code == 403
    assert "another site" in response.text


def test_htmx_post_may_carry_the_token_in_a_header(client: TestClient, org: Org) -> None:
    sign_in(client, org.member.email)
    response = client.post("/sign-out", headers={"X-CSRF-Token": csrf_token(client), "HX-Request": "true"})
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == "/sign-in"


def test_sixth_failed_attempt_is_rate_limited_even_with_the_right_password(
    client: TestClient, org: Org
) -> None:
    token = csrf_token(client)
    for _ in range(5):
        client.post("/sign-in", data={"email": org.member.email, "password": "wrong", "csrf_token": token})
    response = client.post(
        "/sign-in", data={"email": org.member.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 429
    assert "Too many failed attempts" in response.text


def test_next_parameter_cannot_send_the_user_to_another_site(client: TestClient, org: Org) -> None:
    response = client.post(
        "/sign-in",
        data={
            "email": org.member.email,
            "password": PASSWORD,
            "csrf_token": csrf_token(client),
            "next": "//evil.example/",
        },
    )
    assert response.headers["location"] == "/"
