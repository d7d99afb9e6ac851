"""The results page of a 100-question assessment, one request at a time, beside /healthz in the same run.

Usage: uv run python -m benchmarks.results_page [--requests 200] [--postgres URL]
"""

from __future__ import annotations

import argparse
import statistics
import time

import httpx
from sqlalchemy import select

from app.db import make_engine, make_session_factory, session_scope
from app.models import Team, User
from benchmarks.common import demo_server, signed_in_client
from tests import factories


def _seed(database_url: str) -> int:
    """A 100-question model and two submitted quarters for a demo team; returns the latest's id."""
    engine = make_engine(database_url)
    with session_scope(make_session_factory(engine)) as session:
        team = session.scalars(select(Team).where(Team.slug == "recommendations")).one()
        manager = session.scalars(select(User).where(User.email == "ren.sato@example.com")).one()
        model = factories.synthetic_model(session, questions=100, slug="bench-100")
        factories.assessment(session, team, model, period="2026-Q2", level=1, submitted=True, by=manager)
        latest = factories.assessment(
            session, team, model, period="2026-Q3", level=3, submitted=True, by=manager
        )
        latest_id = latest.id
    engine.dispose()
    return latest_id


def _times(client: httpx.Client, path: str, count: int) -> list[float]:
    client.get(path)  # warm up
    out = []
    for _ in range(count):
        start = time.perf_counter()
        response = client.get(path)
        out.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    return out


def _line(name: str, times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[int(0.95 * len(ordered)) - 1]
    return (
        f"{name:<42} median {statistics.median(times):6.1f} ms   p95 {p95:6.1f} ms   ({len(times)} requests)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--postgres", help="a PostgreSQL URL (a database this script may empty)")
    args = parser.parse_args()
    if args.postgres:
        from tests.conftest import reset_database

        reset_database(args.postgres)
    with demo_server(args.postgres) as server:
        assessment_id = _seed(server.database_url)
        client = signed_in_client(server, "ren.sato@example.com")
        base = _times(client, "/healthz", args.requests)
        page = _times(client, f"/assessments/{assessment_id}/results", args.requests)
    print(f"database: {server.database_url.split(':')[0]}")
    print(_line("baseline /healthz", base))
    print(_line("results page, 100 questions, with radar", page))
    print(f"ratio of medians: {statistics.median(page) / statistics.median(base):.1f} x the baseline")


if __name__ == "__main__":
    main()
