"""A team with a generated roadmap, and shortcuts for ticking its checklist entries over HTTP."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests import factories
from tests.access.conftest import act_as
from tests.conftest import csrf_token
from tests.factories import Org

HTMX = {"HX-Request": "true"}


@dataclass(frozen=True)
class Entry:
    item_id: str
    entry_id: str

    def url(self, team_id: int) -> str:
        return f"/teams/{team_id}/roadmap/items/{self.item_id}/checklist/{self.entry_id}"


def generate(client: TestClient, db: Session, org: Org) -> list[dict[str, Any]]:
    """Generate the main team's roadmap as its manager; returns the API's checklist items."""
    model = factories.maturity_model(db, "mlops-full")
    factories.assessment(db, org.team, model, level=1, submitted=True)
    db.commit()
    act_as(client, db, org.manager)
    response = client.post(f"/teams/{org.team.id}/roadmap/generate", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 303, response.text
    items: list[dict[str, Any]] = client.get(f"/api/v1/teams/{org.team.id}/roadmap/checklist").json()["items"]
    return items


def first_entry(items: list[dict[str, Any]]) -> Entry:
    return Entry(items[0]["item_id"], items[0]["entries"][0]["entry_id"])


def tick(client: TestClient, team_id: int, entry: Entry, *, done: bool = True, htmx: bool = True) -> Any:
    data = {"csrf_token": csrf_token(client), **({"done": "1"} if done else {})}
    return client.post(entry.url(team_id), data=data, headers=HTMX if htmx else {})
