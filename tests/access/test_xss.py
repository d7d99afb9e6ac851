"""Script and attribute-breaking payloads in every free-text field of teams, members, accounts and
tokens render as inert text on every page that shows them."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth import tokens
from app.models import Membership
from tests import factories
from tests.access.conftest import act_as
from tests.factories import Org

PAYLOADS = [
    "<script>alert(1)</script>",
    "\"'><img src=x onerror=alert(1)>",
    '"><b hx-get="/admin/users" hx-trigger="load">x</b>',
    "javascript:alert(1)",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_in_free_text_fields_render_inert(
    client: TestClient, db: Session, org: Org, payload: str
) -> None:
    factories.maturity_model(db, "mlops-full")
    org.team.name = f"Team {payload}"
    org.team.description = f"About {payload}"
    org.member.name = f"Member {payload}"
    membership = db.scalars(select(Membership).where(Membership.user_id == org.member.id)).one()
    membership.team_roles = ["ml_engineer", f"Role {payload}"]
    tokens.create(db, user=org.admin, name=f"Token {payload}")
    db.commit()
    act_as(client, db, org.admin)
    pages = [
        "/",
        f"/teams/{org.team.id}",
        f"/teams/{org.team.id}/raci",
        f"/teams/{org.team.id}/edit",
        f"/teams/{org.team.id}/members/{membership.id}/edit",
        "/admin/teams",
        "/admin/users",
        f"/admin/users/{org.member.id}",
        "/admin/audit",
        "/account",
    ]
    for url in pages:
        html = client.get(url).text
        assert payload not in html or payload == "javascript:alert(1)", url
        for live in ("<script>alert", "<img src=x", '<b hx-get="/admin'):
            assert live not in html, (url, live)
        assert 'href="javascript:' not in html, url


def test_htmx_raci_row_escapes_a_custom_role_in_its_attributes(
    client: TestClient, db: Session, org: Org
) -> None:
    factories.maturity_model(db, "mlops-full")
    role = "x' onmouseover='alert(1)"
    membership = db.scalars(select(Membership).where(Membership.user_id == org.member.id)).one()
    membership.team_roles = [role]
    db.commit()
    act_as(client, db, org.manager)
    html = client.get(f"/teams/{org.team.id}/raci").text
    assert "onmouseover='alert" not in html
    assert "x\\u0027 onmouseover=\\u0027alert(1)" in html  # inside hx-vals JSON, quotes are escaped
