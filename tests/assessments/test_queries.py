"""Pages issue a fixed number of SQL statements however large the assessment (no N+1)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi.testclient import TestClient
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from tests import factories
from tests.conftest import sign_in
from tests.factories import Org


@contextmanager
def counting(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(conn, cursor, statement, params, context, executemany) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _statements(client: TestClient, engine: Engine, url: str) -> int:
    with counting(engine) as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def test_results_and_questionnaire_query_counts_do_not_grow_with_the_number_of_questions(
    client: TestClient, org: Org, db: Session, engine: Engine
) -> None:
    sizes = {}
    for questions in (12, 100):
        model = factories.synthetic_model(db, questions=questions, slug=f"synthetic-{questions}")
        factories.assessment(db, org.team, model, period="2026-Q2", level=1, submitted=True)
        latest = factories.assessment(db, org.team, model, period="2026-Q3", level=3, submitted=True)
        sizes[questions] = latest.id
    db.commit()
    sign_in(client, org.manager.email)
    for page in ("/assessments/{}/results", "/assessments/{}"):
        counts = {q: _statements(client, engine, page.format(a)) for q, a in sizes.items()}
        assert counts[12] == counts[100], (page, counts)
        assert counts[100] <= 15, (page, counts)
