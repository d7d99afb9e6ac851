"""Schemathesis over every operation of /openapi.json, in process, signed in as an admin with an API
token and with real rows behind the path parameters: no 5xx, and every response matches its schema.

`make test` runs a bounded, derandomised number of examples per operation; `make fuzz` runs more
(HOSHIN_FUZZ_EXAMPLES)."""

from __future__ import annotations

import itertools
import os
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
from app.maturity import service as maturity_service
from app.okrs import service as okrs_service
from tests import factories
from tests.okrs import rows as okr_rows

# Not bugs here: a schema-valid body may still name a model that does not exist (a specific 422), and
# Starlette answers a 405 with the methods of the route it matched, not of every route on the path.
EXCLUDED = [checks.positive_data_acceptance, checks.allow_header_conformance]
pytestmark = pytest.mark.fuzz
EXAMPLES = int(os.environ.get("HOSHIN_FUZZ_EXAMPLES", "25"))


@dataclass(frozen=True)
class Rows:
    """Real values for path parameters, so most calls reach a handler rather than a 404."""

    token: str
    assessment_ids: tuple[int, ...]
    slug: str
    question_ids: tuple[str, ...]
    team_id: int
    objective_ids: tuple[int, ...]  # this quarter's and a closed one's
    key_result_ids: tuple[int, ...]


@pytest.fixture
def rows(db: Session, org: factories.Org) -> Rows:
    model = factories.maturity_model(db)
    draft = factories.assessment(db, org.team, model, period="2026-Q1")
    done = factories.assessment(db, org.team, model, period="2025-Q4", level=2, submitted=True)
    questions = tuple(q.id for q in maturity_service.parsed(model).questions())
    objectives = [
        okr_rows.objective(db, org.team, org.manager, period=period)
        for period in (okrs_service.current_period(utcnow().date()), "2026-Q1")
    ]
    krs = [
        okr_rows.key_result(db, o, org.manager, kind=kind)
        for o in objectives
        for kind in ("numeric", "milestone")
    ]
    db.commit()
    return Rows(
        factories.api_token(db, org.admin),
        (draft.id, done.id),
        model.slug,
        questions,
        org.team.id,
        tuple(o.id for o in objectives),
        tuple(kr.id for kr in krs),
    )


# The schema is read from an app without a database; each test calls its own, bound to the test database.
# (schemathesis.pytest.from_fixture would be the lazy way, but it does not run under pytest 9.)
schema = schemathesis.openapi.from_asgi(
    "/openapi.json", create_app(Settings(database_url="sqlite://", secret_key="fuzz-" + "x" * 40))
)
_turn = itertools.count()


def _positive(case: Any) -> bool:
    meta = case.meta
    return meta is None or meta.generation.mode == "positive"


def _real_path_parameters(case: Any, rows: Rows) -> None:
    """Three calls in four get real ids; the fourth keeps what was generated (unknown ids, odd text)."""
    turn = next(_turn)
    if not case.path_parameters or turn % 4 == 3:
        return
    values = {
        "assessment_id": rows.assessment_ids[turn % len(rows.assessment_ids)],
        "slug": rows.slug,
        "question_id": rows.question_ids[turn % len(rows.question_ids)],
    }
    if _positive(case):  # a negative case's bad id must stay bad: it may be all that makes it negative
        values |= {
            "team_id": rows.team_id,
            "objective_id": rows.objective_ids[turn % len(rows.objective_ids)],
            "key_result_id": rows.key_result_ids[turn % len(rows.key_result_ids)],
        }
    for name in case.path_parameters:
        if name in values:
            case.path_parameters[name] = values[name]


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_every_api_operation_answers_within_its_schema_and_never_5xx(case: Any, app: Any, rows: Rows) -> None:
    _real_path_parameters(case, rows)
    case.call_and_validate(
        headers={"Authorization": f"Bearer {rows.token}"}, app=app, excluded_checks=EXCLUDED
    )
