"""Schemathesis over the team, member, target and roadmap-generation operations with a real team, its
memberships, a maturity model and a submitted assessment behind the path parameters (the API-wide fuzz
test mostly meets unknown teams): no 5xx, every answer within its schema."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.config import Settings
from app.main import create_app
from app.models import Membership
from tests import factories
from tests.fuzz.test_api_fuzz import EXAMPLES

pytestmark = pytest.mark.fuzz
EXCLUDED = [checks.positive_data_acceptance, checks.allow_header_conformance]
OPERATIONS = r"^/api/v1/(teams(/\{team_id\}(/members.*|/targets/.*|/roadmap)?)?|targets/.*)$"


@dataclass(frozen=True)
class Rows:
    token: str
    team_id: int
    membership_ids: tuple[int, ...]
    model: str


@pytest.fixture
def rows(db: Session, org: factories.Org) -> Rows:
    model = factories.maturity_model(db, "playbook-base")
    factories.assessment(db, org.team, model, level=1, submitted=True)
    memberships = db.scalars(select(Membership.id).where(Membership.team_id == org.team.id)).all()
    db.commit()
    return Rows(factories.api_token(db, org.admin), org.team.id, tuple(memberships), model.slug)


schema = schemathesis.openapi.from_asgi(
    "/openapi.json", create_app(Settings(database_url="sqlite://", secret_key="fuzz-" + "x" * 40))
).include(path_regex=OPERATIONS)
_turn = itertools.count()


def _real_path_parameters(case: Any, rows: Rows) -> None:
    """Three calls in four get real ids; the fourth keeps what was generated (unknown ids, odd text)."""
    turn = next(_turn)
    if not case.path_parameters or turn % 4 == 3:
        return
    values = {
        "team_id": rows.team_id,
        "membership_id": rows.membership_ids[turn % len(rows.membership_ids)],
        "model": rows.model,
    }
    for name in case.path_parameters:
        case.path_parameters[name] = values[name]


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_team_operations_answer_within_their_schema_and_never_5xx(case: Any, app: Any, rows: Rows) -> None:
    _real_path_parameters(case, rows)
    case.call_and_validate(
        headers={"Authorization": f"Bearer {rows.token}"}, app=app, excluded_checks=EXCLUDED
    )
