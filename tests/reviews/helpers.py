"""A team with two submitted assessments and a generated roadmap, as the review page reads them."""

from __future__ import annotations

import httpx
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.kit.time import utcnow
from app.okrs import service as okrs_service
from tests import factories
from tests.access.conftest import act_as
from tests.conftest import csrf_token
from tests.factories import Org

PERIOD = okrs_service.current_period(utcnow().date())


def review_url(org: Org, period: str = PERIOD) -> str:
    return f"/teams/{org.team.id}/reviews/{period}"


def with_plan(client: TestClient, db: Session, org: Org) -> None:
    """Two assessments a quarter apart (levels 1 then 2) and a roadmap from the later one."""
    model = factories.maturity_model(db, "mlops-full")
    factories.assessment(
        db, org.team, model, period=okrs_service.shift_period(PERIOD, -1), level=1, submitted=True
    )
    factories.assessment(db, org.team, model, period=PERIOD, level=2, submitted=True)
    db.commit()
    act_as(client, db, org.manager)
    response = client.post(f"/teams/{org.team.id}/roadmap/generate", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 303, response.text


def save(client: TestClient, org: Org, **fields: object) -> httpx.Response:
    data: dict[str, object] = {"csrf_token": csrf_token(client), **fields}
    return client.post(review_url(org), data=data)
