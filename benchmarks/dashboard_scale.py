"""Leadership's pages at organisation scale: the demo plus 100 teams, each with 8 submitted quarters of
the full model (31 answers each), a roadmap and an objective with two key results. One request at a time
against a real server: the dashboard, the organisation report's page (both editions), a team's page and
an answer diff, first with 10 teams added (the baseline, measured in the same run), then with 100. Then
the organisation PDF at 100 teams, in full and as the summary edition: pages, seconds and the render
process's peak memory.

Usage: uv run python -m benchmarks.dashboard_scale [--requests 60] [--teams 100] [--postgres URL] [--no-pdf]
"""

from __future__ import annotations

import argparse
import io
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import select

from app.config import Settings
from app.db import make_engine, make_session_factory, session_scope
from app.kit.time import utcnow
from app.main import create_app
from app.maturity import service as maturity_service
from app.models import Assessment, KeyResult, Objective, Organisation, Team, User
from app.okrs import service as okrs_service
from app.reports import render
from app.roadmap import service as roadmap_service
from benchmarks.common import Server, demo_server, signed_in_client
from benchmarks.results_page import _times
from tests import factories

BASELINE_TEAMS = 10
QUARTERS = tuple(f"{year}-Q{q}" for year in (2025, 2026) for q in range(1, 5))  # 8 quarters
GOAL_MS = 150.0
VIEWER = "cto@example.com"  # leadership: sees every team


def _seed(database_url: str, *, first: int, last: int) -> None:
    """Bench teams number `first` to `last - 1`: two members, 8 submitted mlops-full quarters whose levels
    move by team and quarter, a roadmap and an objective of this quarter with two key results."""
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
        for n in range(first, last):
            team = factories.team(session, organisation, f"Bench team {n:03d}")
            for person in people:
                factories.member(session, team, person, "member", ("ml_engineer", "mlops_engineer"))
            for q, quarter in enumerate(QUARTERS):
                level = min(4, (n % 3) + q // 2)
                factories.assessment(
                    session, team, model, period=quarter, level=level, submitted=True, by=admin
                )
            roadmap_service.generate_for_team(session, team=team, user=admin, now=utcnow())
            objective = Objective(team_id=team.id, period=period, title="Bench objective")
            session.add(objective)
            session.flush()
            for k in range(2):
                session.add(
                    KeyResult(
                        objective_id=objective.id,
                        title=f"KR {k}",
                        current_value=0.5,
                        confidence=6,
                        position=k,
                    )
                )
    engine.dispose()


def _pages(database_url: str) -> dict[str, str]:
    """The measured pages, for the first bench team."""
    engine = make_engine(database_url)
    with session_scope(make_session_factory(engine)) as session:
        team = session.scalars(select(Team).where(Team.name == "Bench team 000")).one()
        ids = dict(
            session.execute(
                select(Assessment.period, Assessment.id).where(Assessment.team_id == team.id)
            ).all()
        )
    engine.dispose()
    return {
        "dashboard": "/dashboard",
        "dashboard, 2 quarters compared": f"/dashboard?quarter_a={QUARTERS[-2]}&quarter_b={QUARTERS[-1]}",
        "organisation report page": "/reports/organisation",
        "organisation report page, summary": "/reports/organisation?edition=summary",
        "team page": f"/dashboard/teams/{team.id}",
        "answer diff": f"/dashboard/teams/{team.id}/diff?from={ids[QUARTERS[0]]}&to={ids[QUARTERS[-1]]}",
    }


@dataclass
class Row:
    name: str
    baseline: list[float]
    large: list[float]

    def line(self, teams: int) -> str:
        base, large = statistics.median(self.baseline), statistics.median(self.large)
        verdict = "meets" if large < GOAL_MS else "MISSES"
        return (
            f"{self.name:<36} {base:7.1f} {_p95(self.baseline):7.1f}   {large:7.1f} {_p95(self.large):7.1f}"
            f"   {large / base:5.1f}x   {verdict} the {GOAL_MS:.0f} ms goal at {teams} teams"
        )


def _p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[max(0, int(0.95 * len(ordered)) - 1)]


def _measure(client: httpx.Client, pages: dict[str, str], requests: int) -> dict[str, list[float]]:
    return {name: _times(client, path, requests) for name, path in pages.items()}


def _pdf(server: Server, tmp: str) -> list[str]:
    """The organisation PDF at full size, rendered in this process's app (so its render process is ours
    to watch): each edition in English, a fresh render each."""
    engine = make_engine(server.database_url)
    settings = Settings(
        var_dir=Path(tmp) / "pdf-var",
        database_url=server.database_url,
        secret_key="b" * 40,
        render_timeout_seconds=3600,
    )
    lines = []
    client = TestClient(create_app(settings, engine=engine))
    client.get("/sign-in")
    data = {"email": VIEWER, "password": server.password, "csrf_token": client.cookies["hoshin_csrf"]}
    assert client.post("/sign-in", data=data, follow_redirects=False).status_code == 303
    for edition in ("summary", "full"):
        start = time.perf_counter()
        response = client.get(f"/reports/organisation.pdf?lang=en&edition={edition}")
        seconds = time.perf_counter() - start
        assert response.status_code == 200, (edition, response.status_code, response.text[:300])
        pages = len(PdfReader(io.BytesIO(response.content)).pages)
        peak = _peak_mb(render.process_id())
        lines.append(
            f"organisation PDF, {edition:<7} {pages:4d} pages  {seconds:6.1f} s"
            f"  ({seconds / pages:.2f} s a page)  {len(response.content) / 1e3:6.0f} kB;"
            f" render process peak {peak:.0f} MB"
        )
    render.shutdown()
    engine.dispose()
    return lines


def _peak_mb(pid: int | None) -> float:
    """The process's peak resident memory so far (VmHWM), in MB; 0 when it cannot be read."""
    if pid is None:
        return 0.0
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    line = next((ln for ln in status.splitlines() if ln.startswith("VmHWM:")), "VmHWM: 0 kB")
    return int(line.split()[1]) / 1024


WHAT_A_READER_GETS = """\
What a reader gets at {teams} teams: the full edition is {full} pages (a cover and contents, the teams
side by side, then every team's roadmap, action plan, people and OKRs): a reference to search, not a
leadership read. The summary edition (Summary report (PDF) on the dashboard; ?edition=summary) is {summary}
pages: the cover, every team in one table (maturity, areas below target, roadmap, OKR and checklist
progress, biggest gap) and the levels by area per model."""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--teams", type=int, default=100)
    parser.add_argument("--postgres", help="a PostgreSQL URL (a database this script may empty)")
    parser.add_argument("--no-pdf", action="store_true", help="skip the organisation PDF")
    args = parser.parse_args()
    if args.postgres:
        from tests.conftest import reset_database

        reset_database(args.postgres)
    seconds: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp, demo_server(args.postgres) as server:
        client = signed_in_client(server, VIEWER)
        started = time.perf_counter()
        _seed(server.database_url, first=0, last=BASELINE_TEAMS)
        seconds["baseline seed"] = time.perf_counter() - started
        pages = _pages(server.database_url)
        healthz = _times(client, "/healthz", args.requests)
        baseline = _measure(client, pages, args.requests)
        started = time.perf_counter()
        _seed(server.database_url, first=BASELINE_TEAMS, last=args.teams)
        seconds["seed to full size"] = time.perf_counter() - started
        large = _measure(client, pages, args.requests)
        healthz_after = _times(client, "/healthz", args.requests)
        pdf_lines = [] if args.no_pdf else _pdf(server, tmp)
    total = args.teams + 3  # the demo's three teams
    print(f"database: {server.database_url.split(':')[0]}; {len(QUARTERS)} quarters x 31 answers a team")
    seeded = f"{seconds['baseline seed']:.0f} s for {BASELINE_TEAMS} teams"
    print(f"seeding: {seeded}, {seconds['seed to full size']:.0f} s for the rest")
    before, after = statistics.median(healthz), statistics.median(healthz_after)
    print(f"/healthz median {before:.1f} ms before, {after:.1f} ms after")
    print(f"{'page (ms)':<36} {'median':>7} {'p95':>7}   {'median':>7} {'p95':>7}")
    print(f"{'':<36} {BASELINE_TEAMS + 3:>9} teams   {total:>9} teams")
    for name in pages:
        print(Row(name, baseline[name], large[name]).line(total))
    for line in pdf_lines:
        print(line)
    if len(pdf_lines) == 2:
        summary, full = (int(line.split("pages")[0].split()[-1]) for line in pdf_lines)
        print(WHAT_A_READER_GETS.format(teams=total, full=full, summary=summary))


if __name__ == "__main__":
    main()
