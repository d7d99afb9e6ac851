"""The teams JSON API: creating and changing teams, adding, changing and removing members, with the pages'
rules (app/teams/service.py), errors that name the field, and the audit entries the pages write."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.kit import limits
from app.models import AuditEvent, Membership, Team, User
from tests import factories
from tests.access.conftest import act_as
from tests.conftest import csrf_token
from tests.factories import Org

UNKNOWN = {"Authorization": "Bearer hsn_nope"}


def _bearer(db: Session, who: User) -> dict[str, str]:
    return {"Authorization": f"Bearer {factories.api_token(db, who)}"}


def _membership(db: Session, team: Team, who: User) -> Membership:
    return db.scalars(select(Membership).filter_by(team_id=team.id, user_id=who.id)).one()


def _events(db: Session, action: str) -> list[AuditEvent]:
    return list(db.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def _teams(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(Team)) or 0


# --- teams -----------------------------------------------------------------------------------------


def test_an_installation_manager_creates_a_team_and_becomes_its_manager(
    client: TestClient, db: Session, org: Org
) -> None:
    body = {"name": "  Ranking  ", "description": "Search ranking", "improvement_share": 0.25}
    response = client.post("/api/v1/teams", json=body, headers=_bearer(db, org.outsider))
    assert response.status_code == 201, response.text
    team = response.json()
    assert (team["name"], team["slug"], team["description"]) == ("Ranking", "ranking", "Search ranking")
    assert team["improvement_share"] == 0.25
    assert team["access"] == "manager"
    assert "manage" in team["actions"]
    [manager] = team["members"]
    assert (manager["user_id"], manager["access"], manager["capacity"]) == (org.outsider.id, "manager", 0.5)
    [created] = _events(db, "team.create")
    assert created.actor_id == org.outsider.id
    assert created.after == {"name": "Ranking", "description": "Search ranking", "improvement_share": 0.25}
    assert _events(db, "membership.create")[0].after["user"] == org.outsider.email  # type: ignore[index]


def test_a_team_an_admin_creates_has_no_members_yet(client: TestClient, db: Session, org: Org) -> None:
    response = client.post("/api/v1/teams", json={"name": "Platform"}, headers=_bearer(db, org.admin))
    assert response.status_code == 201
    assert (response.json()["members"], response.json()["access"]) == ([], None)
    assert response.json()["improvement_share"] == 0.3  # the page's default


@pytest.mark.parametrize("persona", ["member", "viewer"])
def test_members_and_viewers_may_not_create_teams(
    client: TestClient, db: Session, org: Org, persona: str
) -> None:
    before = _teams(db)
    response = client.post("/api/v1/teams", json={"name": "Mine"}, headers=_bearer(db, getattr(org, persona)))
    assert response.status_code == 403
    assert response.json()["detail"]
    assert _teams(db) == before


def test_an_unknown_token_creates_nothing(client: TestClient, db: Session, org: Org) -> None:
    before = _teams(db)
    response = client.post("/api/v1/teams", json={"name": "Mine"}, headers=UNKNOWN)
    assert response.status_code == 401
    assert _teams(db) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "   "}, "name"),
        ({"name": "n" * (limits.NAME + 1)}, "name"),
        ({"name": "Ranking\x00"}, "name"),
        ({"name": "Ranking", "improvement_share": 0}, "improvement_share"),
        ({"name": "Ranking", "improvement_share": 1.5}, "improvement_share"),
        ({"name": "Ranking", "improvement_share": "30"}, "improvement_share"),
        ({"name": "Ranking", "colour": "red"}, "colour"),
        ({}, "name"),
    ],
)
def test_bad_team_input_is_a_422_naming_the_field_and_nothing_is_stored(
    client: TestClient, db: Session, org: Org, body: dict[str, Any], field: str
) -> None:
    before = _teams(db)
    response = client.post("/api/v1/teams", json=body, headers=_bearer(db, org.manager))
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field
    assert _teams(db) == before
    assert _events(db, "team.create") == []


def test_a_blank_name_is_refused_in_the_readers_language(client: TestClient, db: Session, org: Org) -> None:
    headers = {**_bearer(db, org.manager), "Accept-Language": "ja"}
    response = client.post("/api/v1/teams", json={"name": " "}, headers=headers)
    assert response.status_code == 422
    assert response.json() == {"detail": "チーム名を入力してください。", "field": "name"}


def test_a_manager_renames_the_team_and_what_is_left_out_stays(
    client: TestClient, db: Session, org: Org
) -> None:
    url = f"/api/v1/teams/{org.team.id}"
    response = client.patch(url, json={"name": "Vision AI"}, headers=_bearer(db, org.manager))
    assert response.status_code == 200, response.text
    team = response.json()
    assert (team["name"], team["description"], team["improvement_share"]) == ("Vision AI", "", 0.3)
    assert team["slug"] == "vision"  # a team keeps its address
    [event] = _events(db, "team.update")
    assert (event.before["name"], event.after["name"]) == ("Vision", "Vision AI")  # type: ignore[index]
    share = client.patch(url, json={"improvement_share": 0.5}, headers=_bearer(db, org.admin)).json()
    assert (share["name"], share["improvement_share"], share["improvement_person_weeks_per_month"]) == (
        "Vision AI",
        0.5,
        3.3,
    )
    assert len(_events(db, "team.update")) == 2


def test_an_unchanged_team_writes_no_audit_entry(client: TestClient, db: Session, org: Org) -> None:
    response = client.patch(f"/api/v1/teams/{org.team.id}", json={}, headers=_bearer(db, org.manager))
    assert response.status_code == 200
    assert _events(db, "team.update") == []


def test_a_bad_change_is_a_422_naming_the_field_and_the_team_stays(
    client: TestClient, db: Session, org: Org
) -> None:
    url = f"/api/v1/teams/{org.team.id}"
    body = {"name": "Renamed", "description": "d" * (limits.DESCRIPTION + 1)}
    response = client.patch(url, json=body, headers=_bearer(db, org.manager))
    assert (response.status_code, response.json()["field"]) == (422, "description")
    db.expire_all()
    assert db.get(Team, org.team.id).name == "Vision"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("persona", "status"),
    [("admin", 200), ("manager", 200), ("member", 403), ("viewer", 403), ("outsider", 404)],
)
def test_who_may_change_a_team(client: TestClient, db: Session, org: Org, persona: str, status: int) -> None:
    url = f"/api/v1/teams/{org.team.id}"
    response = client.patch(url, json={"name": "Changed"}, headers=_bearer(db, getattr(org, persona)))
    assert response.status_code == status
    assert len(_events(db, "team.update")) == (1 if status == 200 else 0)


@pytest.mark.parametrize(
    ("persona", "status"),
    [("admin", 200), ("manager", 200), ("member", 200), ("viewer", 200), ("outsider", 404)],
)
def test_who_may_read_a_team(client: TestClient, db: Session, org: Org, persona: str, status: int) -> None:
    response = client.get(f"/api/v1/teams/{org.team.id}", headers=_bearer(db, getattr(org, persona)))
    assert response.status_code == status
    if status == 200:
        members = {m["name"]: m for m in response.json()["members"]}
        assert set(members) == {"manager", "member", "viewer"}
        assert members["member"]["membership_id"] == _membership(db, org.team, org.member).id


def test_a_team_that_does_not_exist_is_a_404(client: TestClient, db: Session, org: Org) -> None:
    assert client.get("/api/v1/teams/999999", headers=_bearer(db, org.admin)).status_code == 404


def test_a_browser_session_changes_a_team_only_with_the_csrf_token(
    client: TestClient, db: Session, org: Org
) -> None:
    act_as(client, db, org.manager)
    url = f"/api/v1/teams/{org.team.id}"
    assert client.patch(url, json={"name": "Forged"}).status_code == 403
    response = client.patch(url, json={"name": "Sent"}, headers={"X-CSRF-Token": csrf_token(client)})
    assert response.status_code == 200
    assert response.json()["name"] == "Sent"


# --- members ---------------------------------------------------------------------------------------


def _members_url(org: Org, rest: str = "") -> str:
    return f"/api/v1/teams/{org.team.id}/members{rest}"


def test_a_manager_adds_a_member_with_roles_and_capacity(client: TestClient, db: Session, org: Org) -> None:
    newcomer = factories.user(db, "dana@example.com", name="Dana")
    db.commit()
    body = {
        "user_id": newcomer.id,
        "access": "member",
        "team_roles": ["data_engineer", "Analytics translator", "mlops_engineer"],
        "capacity": 0.8,
    }
    response = client.post(_members_url(org), json=body, headers=_bearer(db, org.manager))
    assert response.status_code == 201, response.text
    added = response.json()
    assert added["team_roles"] == ["mlops_engineer", "data_engineer", "Analytics translator"]  # as the page
    assert (added["name"], added["access"], added["capacity"]) == ("Dana", "member", 0.8)
    row = _membership(db, org.team, newcomer)
    assert added["membership_id"] == row.id
    [event] = _events(db, "membership.create")
    assert event.actor_id == org.manager.id
    assert event.after == {
        "team": "Vision",
        "user": "dana@example.com",
        "access": "member",
        "team_roles": ["mlops_engineer", "data_engineer", "Analytics translator"],
        "capacity": 0.8,
    }


def test_the_page_and_the_api_store_the_same_member(client: TestClient, db: Session, org: Org) -> None:
    by_page, by_api = factories.user(db, "page@example.com"), factories.user(db, "api@example.com")
    db.commit()
    act_as(client, db, org.manager)
    form = {
        "user_id": by_page.id,
        "access": "viewer",
        "team_roles": ["ml_engineer"],
        "custom_role": "Steward,  Data  translator ",
        "capacity": "33",
        "csrf_token": csrf_token(client),
    }
    assert client.post(f"/teams/{org.team.id}/members", data=form).status_code == 303
    body = {
        "user_id": by_api.id,
        "access": "viewer",
        "team_roles": ["ml_engineer", "Steward,  Data  translator "],
        "capacity": 0.33,
    }
    assert client.post(_members_url(org), json=body, headers=_bearer(db, org.manager)).status_code == 201
    page_row, api_row = _membership(db, org.team, by_page), _membership(db, org.team, by_api)
    assert (api_row.access, api_row.team_roles, api_row.capacity) == (
        page_row.access,
        page_row.team_roles,
        page_row.capacity,
    )
    assert api_row.team_roles == ["ml_engineer", "Steward", "Data translator"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"access": "owner"}, "access"),
        ({"capacity": 1.01}, "capacity"),
        ({"capacity": "0.5"}, "capacity"),
        ({"team_roles": ["r" * (limits.CUSTOM_ROLE + 1)]}, "team_roles"),
        ({"team_roles": ["ok", "tab\there"]}, "team_roles.1"),
        ({"user_id": 0}, "user_id"),
        ({"user_id": None}, "user_id"),
    ],
)
def test_bad_member_input_is_a_422_naming_the_field_and_nothing_is_stored(
    client: TestClient, db: Session, org: Org, body: dict[str, Any], field: str
) -> None:
    newcomer = factories.user(db, "dana@example.com")
    db.commit()
    response = client.post(
        _members_url(org), json={"user_id": newcomer.id, **body}, headers=_bearer(db, org.manager)
    )
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field
    assert db.scalars(select(Membership).filter_by(user_id=newcomer.id)).all() == []
    assert _events(db, "membership.create") == []


def test_a_person_already_in_the_team_or_not_active_is_a_422_naming_user_id(
    client: TestClient, db: Session, org: Org
) -> None:
    gone = factories.user(db, "gone@example.com")
    gone.is_active = False
    db.commit()
    headers = _bearer(db, org.manager)
    again = client.post(_members_url(org), json={"user_id": org.member.id}, headers=headers)
    assert again.json() == {"detail": "This person is already in the team.", "field": "user_id"}
    for user_id in (gone.id, 999999):
        response = client.post(_members_url(org), json={"user_id": user_id}, headers=headers)
        assert (response.status_code, response.json()["field"]) == (422, "user_id")


def test_a_manager_changes_a_members_access_and_what_is_left_out_stays(
    client: TestClient, db: Session, org: Org
) -> None:
    row = _membership(db, org.team, org.member)
    url = _members_url(org, f"/{row.id}")
    response = client.patch(url, json={"access": "viewer"}, headers=_bearer(db, org.manager))
    assert response.status_code == 200, response.text
    changed = response.json()
    assert (changed["access"], changed["team_roles"], changed["capacity"]) == ("viewer", ["ml_engineer"], 0.5)
    [event] = _events(db, "membership.update")
    assert event.before == {
        "user": "member@example.com",
        "access": "member",
        "team_roles": ["ml_engineer"],
        "capacity": 0.5,
    }
    assert event.after["access"] == "viewer"  # type: ignore[index]
    roles = client.patch(url, json={"team_roles": [], "capacity": 1}, headers=_bearer(db, org.manager)).json()
    assert (roles["access"], roles["team_roles"], roles["capacity"]) == ("viewer", [], 1.0)


def test_the_last_manager_cannot_step_down_or_be_removed(client: TestClient, db: Session, org: Org) -> None:
    row = _membership(db, org.team, org.manager)
    url, headers = _members_url(org, f"/{row.id}"), _bearer(db, org.manager)
    message = "A team needs at least one manager; make someone else manager first."
    step_down = client.patch(url, json={"access": "member"}, headers=headers)
    assert (step_down.status_code, step_down.json()) == (422, {"detail": message, "field": "access"})
    removed = client.delete(url, headers=headers)
    assert (removed.status_code, removed.json()) == (409, {"detail": message, "field": "access"})
    db.expire_all()
    assert _membership(db, org.team, org.manager).access == "manager"
    assert _events(db, "membership.update") == _events(db, "membership.delete") == []


def test_with_a_second_manager_the_first_may_step_down(client: TestClient, db: Session, org: Org) -> None:
    member = _membership(db, org.team, org.member)
    headers = _bearer(db, org.manager)
    client.patch(_members_url(org, f"/{member.id}"), json={"access": "manager"}, headers=headers)
    mine = _membership(db, org.team, org.manager)
    response = client.patch(_members_url(org, f"/{mine.id}"), json={"access": "member"}, headers=headers)
    assert (response.status_code, response.json()["access"]) == (200, "member")


def test_a_manager_removes_a_member_and_the_audit_log_keeps_what_it_was(
    client: TestClient, db: Session, org: Org
) -> None:
    row = _membership(db, org.team, org.member)
    response = client.delete(_members_url(org, f"/{row.id}"), headers=_bearer(db, org.manager))
    assert response.status_code == 204
    assert response.content == b""
    assert db.scalars(select(Membership).filter_by(team_id=org.team.id, user_id=org.member.id)).all() == []
    [event] = _events(db, "membership.delete")
    assert event.before["user"] == "member@example.com"  # type: ignore[index]


def test_a_membership_of_another_team_is_not_found(client: TestClient, db: Session, org: Org) -> None:
    theirs = _membership(db, org.other_team, org.outsider)
    headers = _bearer(db, org.manager)
    url = _members_url(org, f"/{theirs.id}")
    for response in (
        client.patch(url, json={"access": "viewer"}, headers=headers),
        client.delete(url, headers=headers),
    ):
        assert (response.status_code, response.json()["field"]) == (404, "membership_id")
    db.expire_all()
    assert _membership(db, org.other_team, org.outsider).access == "manager"


@pytest.mark.parametrize(("persona", "status"), [("member", 403), ("viewer", 403), ("outsider", 404)])
def test_only_the_teams_managers_and_admins_change_members(
    client: TestClient, db: Session, org: Org, persona: str, status: int
) -> None:
    newcomer = factories.user(db, "dana@example.com")
    db.commit()
    row = _membership(db, org.team, org.member)
    headers = _bearer(db, getattr(org, persona))
    assert (
        client.post(_members_url(org), json={"user_id": newcomer.id}, headers=headers).status_code == status
    )
    url = _members_url(org, f"/{row.id}")
    assert client.patch(url, json={"capacity": 1}, headers=headers).status_code == status
    assert client.delete(url, headers=headers).status_code == status
    db.expire_all()
    assert _membership(db, org.team, org.member).capacity == 0.5
    assert db.scalars(select(Membership).filter_by(user_id=newcomer.id)).all() == []


def test_an_admin_who_is_not_in_the_team_changes_its_members(
    client: TestClient, db: Session, org: Org
) -> None:
    row = _membership(db, org.team, org.viewer)
    response = client.patch(
        _members_url(org, f"/{row.id}"), json={"capacity": 0.2}, headers=_bearer(db, org.admin)
    )
    assert (response.status_code, response.json()["capacity"]) == (200, 0.2)
    assert _events(db, "membership.update")[0].actor_id == org.admin.id


def test_calls_without_a_known_token_get_a_401(client: TestClient, db: Session, org: Org) -> None:
    row = _membership(db, org.team, org.member)
    assert client.get(f"/api/v1/teams/{org.team.id}").status_code == 401
    assert client.delete(_members_url(org, f"/{row.id}"), headers=UNKNOWN).status_code == 401
    assert _membership(db, org.team, org.member)


# --- the description -------------------------------------------------------------------------------


def test_the_team_operations_are_described_with_their_limits(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    paths, schemas = document["paths"], document["components"]["schemas"]
    assert {"get", "post"} <= set(paths["/api/v1/teams"])
    assert {"get", "patch"} <= set(paths["/api/v1/teams/{team_id}"])
    assert {"patch", "delete"} <= set(paths["/api/v1/teams/{team_id}/members/{membership_id}"])
    created = paths["/api/v1/teams"]["post"]["responses"]
    assert created["201"]["content"]["application/json"]["schema"]["$ref"].endswith("TeamOut")
    assert {"401", "403", "422"} <= set(created)
    assert {"404", "409", "422"} <= set(
        paths["/api/v1/teams/{team_id}/members/{membership_id}"]["delete"]["responses"]
    )
    team = schemas["TeamIn"]["properties"]
    assert team["name"]["maxLength"] == limits.NAME
    share = team["improvement_share"]
    assert (share["minimum"], share["maximum"]) == (0.01, 1)
    member = schemas["MemberIn"]["properties"]
    assert (member["capacity"]["minimum"], member["capacity"]["maximum"]) == (0, 1)
    assert member["access"]["enum"] == ["manager", "member", "viewer"]
    assert schemas["MemberIn"]["required"] == ["user_id"]
    assert schemas["TeamIn"]["additionalProperties"] is False
