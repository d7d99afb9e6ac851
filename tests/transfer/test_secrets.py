"""No export carries a secret: password hashes, API token and session hashes, invitation links, source
credentials (encrypted or plain), the secret key, or the tokens themselves."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import demo
from app import models as m
from tests.access.conftest import act_as
from tests.transfer.organisation import fill


def test_the_export_download_holds_no_secret(client: TestClient, db: Session) -> None:
    demo.load(db, organisation_name="Secret Org")
    secrets = fill(db)
    admin = db.scalars(select(m.User).where(m.User.role == "admin")).one()
    act_as(client, db, admin)
    own_session = db.scalars(select(m.UserSession.token_hash).where(m.UserSession.user_id == admin.id)).all()

    response = client.get("/admin/transfer/organisation.json")

    assert response.status_code == 200
    text = response.text
    assert len(secrets.values) > 15
    for secret in (*secrets.values, *own_session, client.app.state.secret_key):  # type: ignore[attr-defined]
        assert secret not in text
    assert '"password_hash"' not in text
    assert '"token_hash"' not in text
