"""Team pages through HTTP: creating a team, members with roles and capacity, coverage, RACI editing."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.kit import limits
from app.models import AuditEvent, Membership, RaciAssignment, Team
from tests import factories
from tests.access.conftest import act_as
from tests.conftest import csrf_token
from tests.factories import Org


def post(client: TestClient, url: str, data: dict[str, object] | None = None, **headers: str):  # type: ignore[no-untyped-def]
    return client.post(url, data={"csrf_token": csrf_token(client), **(data or {})}, headers=headers)


def test_installation_manager_creates_a_team_and_becomes_its_manager(
    client: TestClient, db: Session, org: Org
) -> None:
    act_as(client, db, org.outsider)
    response = post(client, "/teams", {"name": "  Ranking  ", "description": "Search ranking"})
    assert response.status_code == 303
    team = db.scalars(select(Team).where(Team.name == "Ranking")).one()
    assert response.headers["location"].endswith(f"/teams/{team.id}")
    access = db.scalar(select(Membership.access).where(Membership.team_id == team.id))
    assert access == "manager"
    page = client.get(f"/teams/{team.id}")
    assert "Add a member" in page.text


def test_team_without_a_name_is_refused_inline_and_nothing_is_created(
    client: TestClient, db: Session, org: Org
) -> None:
    act_as(client, db, org.manager)
    before = db.scalar(select(Team.id).order_by(Team.id.desc()))
    response = post(client, "/teams", {"name": "   "})
    assert response.status_code == 422
    assert 'id="name"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert "Give the team a name." in response.text
    assert db.scalar(select(Team.id).order_by(Team.id.desc())) == before


def test_member_cannot_create_a_team(client: TestClient, db: Session, org: Org) -> None:
    act_as(client, db, org.member)
    assert post(client, "/teams", {"name": "Mine"}).status_code == 403


def test_manager_adds_a_member_with_roles_and_capacity(client: TestClient, db: Session, org: Org) -> None:
    newcomer = factories.user(db, "dana@example.com", name="Dana")
    db.commit()
    act_as(client, db, org.manager)
    response = post(
        client,
        f"/teams/{org.team.id}/members",
        {
            "user_id": newcomer.id,
            "access": "member",
            "team_roles": ["data_engineer", "mlops_engineer"],
            "custom_role": "Analytics translator",
            "capacity": "80",
        },
    )
    assert response.status_code == 303
    row = db.scalars(select(Membership).where(Membership.user_id == newcomer.id)).one()
    assert row.team_roles == ["mlops_engineer", "data_engineer", "Analytics translator"]
    assert row.capacity == 0.8
    page = client.get(f"/teams/{org.team.id}").text
    assert "Dana" in page
    assert "Analytics translator" in page
    # 0.5 (manager) + 0.5 (member) + 0.5 (viewer) + 0.8 = 2.3 people × 52/12 = 10.0 person-weeks
    assert '<div class="stat-value">10.0</div>' in page
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "membership.create")).one()
    assert event.actor_id == org.manager.id
    assert event.after
    assert event.after["capacity"] == 0.8


@pytest.mark.parametrize("capacity", ["120", "-5", "lots", "nan"])
def test_capacity_outside_0_to_100_is_refused_inline_and_nothing_is_written(
    client: TestClient, db: Session, org: Org, capacity: str
) -> None:
    newcomer = factories.user(db, "eve@example.com")
    db.commit()
    act_as(client, db, org.manager)
    response = post(
        client,
        f"/teams/{org.team.id}/members",
        {"user_id": newcomer.id, "access": "member", "capacity": capacity},
    )
    assert response.status_code == 422
    assert re.search(r'id="capacity"[^>]*aria-invalid="true"', response.text, re.S)
    assert db.scalar(select(Membership).where(Membership.user_id == newcomer.id)) is None


def test_team_page_names_the_recommended_roles_the_team_lacks(
    client: TestClient, db: Session, org: Org
) -> None:
    act_as(client, db, org.member)
    page = client.get(f"/teams/{org.team.id}").text
    warning = page[page.index("Roles to fill:") :][:600]
    assert "Data engineer" in warning
    assert "MLOps engineer" in warning
    assert "Product owner" not in warning  # the manager holds it at half time


def test_manager_changes_a_members_capacity(client: TestClient, db: Session, org: Org) -> None:
    membership = db.scalars(select(Membership).where(Membership.user_id == org.member.id)).one()
    act_as(client, db, org.manager)
    url = f"/teams/{org.team.id}/members/{membership.id}"
    assert client.get(f"{url}/edit").status_code == 200
    response = post(client, url, {"access": "member", "team_roles": ["ml_engineer"], "capacity": "30"})
    assert response.status_code == 303
    db.refresh(membership)
    assert membership.capacity == 0.3


def test_the_last_manager_cannot_be_removed_or_demoted(client: TestClient, db: Session, org: Org) -> None:
    mine = db.scalars(select(Membership).where(Membership.user_id == org.manager.id)).one()
    act_as(client, db, org.manager)
    url = f"/teams/{org.team.id}/members/{mine.id}"
    demoted = post(client, url, {"access": "member", "capacity": "50"})
    assert demoted.status_code == 422
    assert "at least one manager" in demoted.text
    post(client, f"{url}/remove")
    assert db.scalar(select(Membership.access).where(Membership.id == mine.id)) == "manager"


def test_manager_removes_a_member_and_the_audit_log_keeps_what_it_was(
    client: TestClient, db: Session, org: Org
) -> None:
    membership = db.scalars(select(Membership).where(Membership.user_id == org.member.id)).one()
    act_as(client, db, org.manager)
    response = post(client, f"/teams/{org.team.id}/members/{membership.id}/remove")
    assert response.status_code == 303
    assert db.scalar(select(Membership.id).where(Membership.id == membership.id)) is None
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "membership.delete")).one()
    assert event.before
    assert event.before["user"] == org.member.email


def test_remove_button_asks_for_confirmation(client: TestClient, db: Session, org: Org) -> None:
    act_as(client, db, org.manager)
    assert 'hx-confirm="Remove member from Vision?"' in client.get(f"/teams/{org.team.id}").text


def test_viewer_sees_the_team_without_any_edit_control(client: TestClient, db: Session, org: Org) -> None:
    act_as(client, db, org.viewer)
    page = client.get(f"/teams/{org.team.id}").text
    assert "Members" in page
    for control in ("Add a member", "Edit team", "Remove", 'method="post" action="/teams'):
        assert control not in page


@pytest.fixture
def mlops_model(db: Session) -> None:
    factories.maturity_model(db, "mlops-full")
    db.commit()


def test_raci_shows_default_rows_with_one_accountable_each(
    client: TestClient, db: Session, org: Org, mlops_model: None
) -> None:
    act_as(client, db, org.viewer)
    page = client.get(f"/teams/{org.team.id}/raci").text
    assert "Experiment tracking" in page
    assert "Needs exactly one A" not in page
    assert "<select" not in page  # read-only for a viewer


def test_manager_edits_a_raci_cell_in_place_and_the_row_is_checked(
    client: TestClient, db: Session, org: Org, mlops_model: None
) -> None:
    act_as(client, db, org.manager)
    url = f"/teams/{org.team.id}/raci/cell"
    # ci-cd defaults to the MLOps engineer as Accountable; a second A makes the row invalid.
    response = post(
        client, url, {"capability": "ci-cd", "role": "ml_engineer", "letter": "A"}, **{"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<tr id="raci-ci-cd" class="invalid">')
    assert "Needs exactly one A" in response.text
    fixed = post(
        client,
        url,
        {"capability": "ci-cd", "role": "mlops_engineer", "letter": "R"},
        **{"HX-Request": "true"},
    )
    assert "Needs exactly one A" not in fixed.text
    stored = db.scalars(select(RaciAssignment).where(RaciAssignment.capability_id == "ci-cd")).all()
    assert {(r.team_role, r.letter) for r in stored} >= {("ml_engineer", "A"), ("mlops_engineer", "R")}
    assert (
        len(db.scalars(select(RaciAssignment.capability_id).distinct()).all()) > 20
    )  # the whole matrix was kept


def test_raci_refuses_an_unknown_letter_and_writes_nothing(
    client: TestClient, db: Session, org: Org, mlops_model: None
) -> None:
    act_as(client, db, org.manager)
    response = post(
        client,
        f"/teams/{org.team.id}/raci/cell",
        {"capability": "ci-cd", "role": "ml_engineer", "letter": "Z"},
    )
    assert response.status_code == 422
    assert db.scalar(select(RaciAssignment.id)) is None


def test_member_cannot_edit_the_raci(client: TestClient, db: Session, org: Org, mlops_model: None) -> None:
    act_as(client, db, org.member)
    response = post(
        client,
        f"/teams/{org.team.id}/raci/cell",
        {"capability": "ci-cd", "role": "ml_engineer", "letter": "A"},
    )
    assert response.status_code == 403
    assert db.scalar(select(RaciAssignment.id)) is None


def test_raci_reset_goes_back_to_the_defaults(
    client: TestClient, db: Session, org: Org, mlops_model: None
) -> None:
    act_as(client, db, org.manager)
    post(
        client,
        f"/teams/{org.team.id}/raci/cell",
        {"capability": "ci-cd", "role": "ml_engineer", "letter": "A"},
    )
    assert post(client, f"/teams/{org.team.id}/raci/reset").status_code == 303
    assert db.scalar(select(RaciAssignment.id)) is None


def test_the_team_name_form_and_the_server_agree_on_one_limit(
    client: TestClient, db: Session, org: Org
) -> None:
    act_as(client, db, org.manager)
    form = client.get("/teams/new").text
    assert f'name="name" value="" maxlength="{limits.NAME}"' in form
    assert post(client, "/teams", {"name": "n" * limits.NAME}).status_code == 303
    too_long = post(client, "/teams", {"name": "m" * (limits.NAME + 1)}, **{"Accept-Language": "ja"})
    assert too_long.status_code == 422
    assert f"{limits.NAME} 文字以内にしてください（いまは {limits.NAME + 1} 文字です）。" in too_long.text
    assert 'aria-invalid="true"' in too_long.text
    assert "m" * (limits.NAME + 1) in too_long.text  # what was typed stays in the field
    assert db.scalar(select(Team.id).where(Team.name == "m" * (limits.NAME + 1))) is None


def test_a_team_name_with_a_nul_is_refused_inline(client: TestClient, db: Session, org: Org) -> None:
    act_as(client, db, org.manager)
    response = post(client, "/teams", {"name": "Ranking\x00"})
    assert response.status_code == 422
    assert "Remove the control characters" in response.text
    assert db.scalar(select(Team.id).where(Team.name.startswith("Ranking"))) is None


def test_a_description_keeps_its_line_breaks_within_the_limit(
    client: TestClient, db: Session, org: Org
) -> None:
    act_as(client, db, org.manager)
    # a browser counts each line break as one character for maxlength but sends it as \r\n
    lines = "\r\n".join(["x" * 99] * (limits.DESCRIPTION // 100))
    response = post(client, "/teams", {"name": "Lines", "description": lines})
    assert response.status_code == 303, response.text
    team = db.scalars(select(Team).where(Team.name == "Lines")).one()
    assert team.description == lines.replace("\r\n", "\n")


def test_a_team_spends_30_percent_of_its_capacity_on_improvement_unless_it_says_otherwise(
    client: TestClient, db: Session, org: Org
) -> None:
    act_as(client, db, org.member)
    page = client.get(f"/teams/{org.team.id}").text
    assert "The roadmap schedules 30 % of it for improvement work: 2.0 person-weeks per month." in page


def test_manager_sets_the_improvement_share_and_the_audit_log_keeps_the_change(
    client: TestClient, db: Session, org: Org
) -> None:
    act_as(client, db, org.manager)
    form = client.get(f"/teams/{org.team.id}/edit").text
    assert re.search(r'id="improvement_share"[^>]*value="30"', form)
    data = {"name": org.team.name, "description": "", "improvement_share": "45"}
    assert post(client, f"/teams/{org.team.id}", data).status_code == 303
    db.refresh(org.team)
    assert org.team.improvement_share == 0.45
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "team.update")).one()
    assert event.before is not None
    assert event.after is not None
    assert (event.before["improvement_share"], event.after["improvement_share"]) == (0.3, 0.45)
    assert "2.9 person-weeks per month" in client.get(f"/teams/{org.team.id}").text


@pytest.mark.parametrize("share", ["0", "101", "a third", "nan", "-5"])
def test_an_improvement_share_outside_1_to_100_is_refused_inline_and_nothing_is_written(
    client: TestClient, db: Session, org: Org, share: str
) -> None:
    act_as(client, db, org.manager)
    data = {"name": "Renamed", "description": "", "improvement_share": share}
    response = post(client, f"/teams/{org.team.id}", data, **{"Accept-Language": "ja"})
    assert response.status_code == 422
    assert re.search(r'id="improvement_share"[^>]*aria-invalid="true"', response.text, re.S)
    assert "改善" in response.text[response.text.index('id="improvement_share-error"') :][:300]
    db.refresh(org.team)
    assert (org.team.name, org.team.improvement_share) == ("Vision", 0.3)


def test_members_cannot_set_the_improvement_share(client: TestClient, db: Session, org: Org) -> None:
    act_as(client, db, org.member)
    data = {"name": org.team.name, "description": "", "improvement_share": "90"}
    assert post(client, f"/teams/{org.team.id}", data).status_code == 403
    db.refresh(org.team)
    assert org.team.improvement_share == 0.3
