"""The leadership dashboard on the demo data and on 30 more teams x 4 quarters (each with a roadmap and
OKRs), one request at a time, beside /healthz in the same run.

Usage: uv run python -m benchmarks.dashboard [--requests 100] [--postgres URL]
"""

from __future__ import annotations

import argparse
import statistics

from sqlalchemy import select

from app.db import make_engine, make_session_factory, session_scope
from app.kit.time import utcnow
from app.maturity import service as maturity_service
from app.models import KeyResult, Objective, Organisation, User
from app.okrs import service as okrs_service
from app.roadmap import service as roadmap_service
from benchmarks.common import demo_server, signed_in_client
from benchmarks.results_page import _line, _times
from tests import factories

TEAMS = 30
QUARTERS = ("2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4")


def _seed(database_url: str) -> None:
    """30 teams with two members, four submitted mlops-full quarters, a roadmap and an objective each."""
    engine = make_engine(database_url)
    with session_scope(make_session_factory(engine)) as session:
        organisation = session.scalars(select(Organisation)).first()
        model = maturity_service.latest(session, slug="mlops-full")
        people = session.scalars(select(User).where(User.role != "admin").limit(2)).all()
        admin = session.scalars(select(User).where(User.role == "admin")).first()
        assert organisation is not None
        assert model is not None
        assert admin is not None
        period = okrs_service.current_period(utcnow().date())
        for n in range(TEAMS):
            team = factories.team(session, organisation, f"Bench team {n:02d}")
            for person in people:
                factories.member(session, team, person, "member", ("ml_engineer", "mlops_engineer"))
            for q, quarter in enumerate(QUARTERS):
                factories.assessment(session, team, model, period=quarter, level=(n + q) % 4, submitted=True)
            roadmap_service.generate_for_team(session, team=team, user=admin, now=utcnow())
            objective = Objective(team_id=team.id, period=period, title="Bench objective")
            session.add(objective)
            session.flush()
            session.add(KeyResult(objective_id=objective.id, title="KR", current_value=0.5, confidence=6))
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--postgres", help="a PostgreSQL URL (a database this script may empty)")
    args = parser.parse_args()
    if args.postgres:
        from tests.conftest import reset_database

        reset_database(args.postgres)
    with demo_server(args.postgres) as server:
        client = signed_in_client(server, "cto@example.com")  # leadership: sees every team
        base = _times(client, "/healthz", args.requests)
        demo = _times(client, "/dashboard", args.requests)
        _seed(server.database_url)
        large = _times(client, "/dashboard", args.requests)
        base_after = _times(client, "/healthz", args.requests)
    print(f"database: {server.database_url.split(':')[0]}")
    print(_line("baseline /healthz", base))
    print(_line("dashboard, demo data (3 teams)", demo))
    print(_line(f"dashboard, {TEAMS + 3} teams x 4 quarters", large))
    print(_line("baseline /healthz (again)", base_after))
    for name, times in (("demo", demo), ("large", large)):
        ratio = statistics.median(times) / statistics.median(base)
        print(f"ratio of medians, {name}: {ratio:.1f} x the baseline")


if __name__ == "__main__":
    main()
