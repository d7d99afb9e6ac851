"""Schemathesis over the checklist operations with a real team, roadmap, items and entries behind the
path parameters (the API-wide fuzz test mostly meets unknown teams): no 5xx, every answer in its schema."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks
from sqlalchemy.orm import Session

from app.config import Settings
from app.kit.time import utcnow
from app.main import create_app
from app.roadmap import service as roadmap_service
from tests import factories
from tests.fuzz.test_api_fuzz import EXAMPLES

pytestmark = pytest.mark.fuzz
EXCLUDED = [checks.positive_data_acceptance, checks.allow_header_conformance]


@dataclass(frozen=True)
class Rows:
    token: str
    team_id: int
    entries: tuple[tuple[str, str], ...]


@pytest.fixture
def rows(db: Session, org: factories.Org) -> Rows:
    model = factories.maturity_model(db, "mlops-full")
    factories.assessment(db, org.team, model, level=1, submitted=True)
    roadmap = roadmap_service.generate_for_team(db, team=org.team, user=org.manager, now=utcnow())
    plan = roadmap_service.view(db, roadmap=roadmap).plan
    entries = tuple((i.id, e.id) for i in plan.items for e in i.checklist)
    db.commit()
    return Rows(factories.api_token(db, org.member), org.team.id, entries)


schema = schemathesis.openapi.from_asgi(
    "/openapi.json", create_app(Settings(database_url="sqlite://", secret_key="fuzz-" + "x" * 40))
).include(path_regex="checklist")
_turn = itertools.count()


def _real_path_parameters(case: Any, rows: Rows) -> None:
    turn = next(_turn)
    if not case.path_parameters or turn % 4 == 3:
        return
    item_id, entry_id = rows.entries[turn % len(rows.entries)]
    values = {
        "team_id": rows.team_id,
        "item_id": item_id,
        "entry_id": entry_id if turn % 4 else "nope",
        "source": "roadmap",  # the team's checklists: a roadmap item's list, or (below) the playbook's
        "list_id": item_id,
    }
    if turn % 4 == 2:
        values |= {"source": "playbook", "list_id": "technical", "entry_id": "documentation"}
    for name in case.path_parameters:
        case.path_parameters[name] = values[name]


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_checklist_operations_answer_within_their_schema_and_never_5xx(
    case: Any, app: Any, rows: Rows
) -> None:
    _real_path_parameters(case, rows)
    case.call_and_validate(
        headers={"Authorization": f"Bearer {rows.token}"}, app=app, excluded_checks=EXCLUDED
    )
