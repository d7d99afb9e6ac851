"""PDF renders through the app (HTML built from the database, then WeasyPrint) beside WeasyPrint
rendering plain HTML documents in the same process: the assessment report, the 3-month action plan
and the organisation report (every demo team, 20+ pages) in each language, each rendered afresh (the
PDF cache is emptied before every timed render), then cached downloads. Medians of repeated renders,
each report render paired with a render of the plain report as long (median of the pairs' ratios);
the process's peak RSS.

The baseline is a plain report document as the reference measurements describe it (a paragraph, an
SVG chart and a 12 x 5 table a page, page-counter footer), as many pages as the report it is set
against; a text-only 20-page document is timed too, as the floor of what WeasyPrint costs a page.

Usage: uv run python -m benchmarks.reports [--repeat 5]
"""

from __future__ import annotations

import argparse
import io
import logging
import re
import resource
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import Engine, delete, select, update

from app import demo, migrate
from app.config import Settings
from app.db import make_engine, make_session_factory, session_scope
from app.kit.time import utcnow
from app.main import create_app
from app.models import (
    Assessment,
    AssessmentStatus,
    CachedReport,
    DataRevision,
    Membership,
    Roadmap,
    Team,
    User,
)
from app.reports import render
from app.reports.render import html_to_pdf
from app.roadmap import service as roadmap_service

PLAIN_PAGE = "<h1>Section {n}</h1>" + "<p>" + "Plain report text for a baseline render. " * 60 + "</p>"


def plain_document(pages: int = 20) -> str:
    """Text only: a heading and a long paragraph a page."""
    body = "".join(
        f'<section style="break-after: page">{PLAIN_PAGE.format(n=n)}</section>' for n in range(pages)
    )
    return f"<html><body>{body}</body></html>"


# A plain report page as the reference measurements describe it (../shared/reference/reliability-
# performance.md, 3b: 2.60 s for 20 pages on a quiet host): a section with a paragraph, an inline SVG bar
# and line chart and a 12-row x 5-column table, A4 with a page-counter footer; no app, no web fonts.
REPORT_STYLE = (
    "@page { size: A4; margin: 18mm; @bottom-center { content: counter(page) ' / ' counter(pages) } }"
    " body { font-size: 10pt } section { break-after: page } table { border-collapse: collapse; width: 100% }"
    " td, th { border: 1px solid #ccc; padding: 3px 6px }"
)


def _report_page(n: int) -> str:
    bars = "".join(
        f'<rect x="{20 + i * 45}" y="{150 - h}" width="30" height="{h}" fill="#4a6fa5"/>'
        for i, h in enumerate((40, 90, 65, 120, 80, 105))
    )
    line = " ".join(f"{300 + i * 30},{140 - (i * 37 % 100)}" for i in range(8))
    chart = (
        f'<svg width="560" height="170" xmlns="http://www.w3.org/2000/svg">{bars}'
        f'<polyline points="{line}" fill="none" stroke="#c0392b" stroke-width="2"/></svg>'
    )
    rows = "".join(
        "<tr>" + "".join(f"<td>Row {r}: {r * c * 7}</td>" for c in range(5)) + "</tr>" for r in range(12)
    )
    head = "<tr>" + "".join(f"<th>Column {c}</th>" for c in range(5)) + "</tr>"
    text = "Findings of this section of the baseline report, in plain sentences. " * 8
    return f"<section><h2>Section {n}</h2><p>{text}</p>{chart}<table>{head}{rows}</table></section>"


def report_like_document(pages: int = 20) -> str:
    """A plain report: one section a page, each with a paragraph, a chart and a table."""
    body = "".join(_report_page(n) for n in range(pages))
    return f"<html><head><style>{REPORT_STYLE}</style></head><body>{body}</body></html>"


def _timed(
    render: Callable[[], bytes], repeat: int, before: Callable[[], None] = lambda: None
) -> tuple[float, bytes]:
    times, data = [], b""
    for _ in range(repeat):
        before()
        start = time.perf_counter()
        data = render()
        times.append(time.perf_counter() - start)
    return statistics.median(times), data


@dataclass
class Paired:
    """A report's renders, each right after a render of the plain report as long: on a host whose speed
    wanders by the minute, each pair saw the same speed, so the median of their ratios is steadier than
    one median set against another taken a minute apart."""

    report: list[float] = field(default_factory=list)
    plain: list[float] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return statistics.median(r / p for r, p in zip(self.report, self.plain, strict=True))


def _paired(
    render: Callable[[], bytes], plain: Callable[[int], bytes], repeat: int, before: Callable[[], None]
) -> tuple[Paired, bytes]:
    """Render the report `repeat` times, each beside the plain report of its length (known after the
    first render, which warms up and is not counted), the two in turn first."""
    before()
    data = render()
    pages, times = _pages(data), Paired()
    assert _pages(plain(pages)) == pages
    for n in range(repeat):
        for which in ("plain", "report") if n % 2 == 0 else ("report", "plain"):
            if which == "report":
                before()
            start = time.perf_counter()
            data = render() if which == "report" else plain(pages)
            (times.report if which == "report" else times.plain).append(time.perf_counter() - start)
    return times, data


def _seed(engine: Engine) -> tuple[int, str]:
    """The demo organisation with every team's roadmap generated; the sign-in password."""
    with session_scope(make_session_factory(engine)) as session:
        sign_in = demo.load(session, organisation_name="Benchmark Org")
        planned = set(session.scalars(select(Roadmap.team_id)))
        for team in session.scalars(select(Team).where(Team.id.not_in(planned))).all():
            manager = session.scalars(
                select(Membership)
                .where(Membership.team_id == team.id, Membership.access == "manager")
                .limit(1)
            ).one()
            user = session.get_one(User, manager.user_id)
            roadmap_service.generate_for_team(session, team=team, user=user, now=utcnow())
        assessment_id = session.scalars(
            select(Assessment.id).where(Assessment.status == AssessmentStatus.SUBMITTED).limit(1)
        ).one()
    found = re.search(r"demo password: (\S+)", sign_in)
    assert found
    return assessment_id, found.group(1)


def _client(tmp: str) -> tuple[TestClient, Engine, int]:
    url = f"sqlite:///{tmp}/reports.sqlite3"
    migrate.upgrade(url)
    engine = make_engine(url)
    assessment_id, password = _seed(engine)
    client = TestClient(
        create_app(Settings(var_dir=f"{tmp}/var", database_url=url, secret_key="b" * 40), engine=engine)
    )
    client.get("/sign-in")
    data = {"email": demo.VIEWER[0], "password": password, "csrf_token": client.cookies["hoshin_csrf"]}
    assert client.post("/sign-in", data=data, follow_redirects=False).status_code == 303
    return client, engine, assessment_id


def _pages(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    run(args.repeat)


def run(repeat: int) -> dict[str, float]:
    """Every measurement above, printed; the figures benchmarks/machinery.py compares, by name (seconds,
    milliseconds or MB as the name says). The app is made first: its settings (HOSHIN_MACHINERY_OFF)
    decide how the render process runs, for the plain documents too."""
    logging.getLogger("httpx2").setLevel(logging.WARNING)
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        client, engine, assessment_id = _client(tmp)
        team_id = _first_team(engine)
        text_only, _ = _timed(lambda: html_to_pdf(plain_document()).data, repeat)
        print(f"{'plain HTML document, text only':<46} {text_only:6.2f} s  20 pages")
        documents: dict[int, str] = {}

        def plain_report(pages: int) -> bytes:
            """The plain report document as long as `pages`, rendered."""
            return html_to_pdf(documents.setdefault(pages, report_like_document(pages))).data

        assert _pages(plain_report(20)) == 20
        plain_20, _ = _timed(lambda: plain_report(20), repeat)
        print(f"{'plain HTML report, 20 pages':<46} {plain_20:6.2f} s")

        def forget() -> None:
            with engine.begin() as connection:
                connection.execute(delete(CachedReport))

        reports = {
            "assessment report, 31 capabilities": f"/reports/assessment/{assessment_id}.pdf",
            "3-month action plan, one team": f"/reports/teams/{team_id}/action-plan.pdf",
            "organisation report, every team": "/reports/organisation.pdf",
        }
        for name, path in reports.items():
            for lang in ("en", "ja"):
                url = f"{path}?lang={lang}"
                times, data = _paired(lambda url=url: _get(client, url, "miss"), plain_report, repeat, forget)
                label, pages = f"{name}, {lang}", _pages(data)
                seconds = statistics.median(times.report)
                figures[f"{label} s"] = seconds
                figures[f"{label} s per 20 pages"] = seconds * 20 / pages
                figures[f"{label} x plain"] = times.ratio
                print(
                    f"{label:<46} {seconds:6.2f} s  {pages:2d} pages"
                    f"  {times.ratio:.2f}x a plain report as long"
                    f" (its renders: {statistics.median(times.plain):.2f} s)"
                )
        url = "/reports/organisation.pdf?lang=ja"
        forget()
        _get(client, url, "miss")
        cached, _ = _timed(lambda: _get(client, url, "hit"), max(repeat, 20))
        figures["cached download ms"] = cached * 1000
        print(f"{'organisation report, ja, cached download':<46} {cached * 1000:6.1f} ms")

        def change_elsewhere() -> None:  # any write moves the data revision on
            with engine.begin() as connection:
                connection.execute(update(DataRevision).values(revision=DataRevision.revision + 1))

        rebuilt, _ = _timed(lambda: _get(client, url, "hit"), max(repeat, 20), change_elsewhere)
        figures["cached download after a change ms"] = rebuilt * 1000
        print(f"{'  the same, after a change elsewhere (HTML rebuilt)':<46} {rebuilt * 1000:6.1f} ms")
    render.shutdown()  # the render process exits, so its peak can be read
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    app_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures["render process peak MB"] = peak
    print(
        f"peak memory of the render process (every render above): {peak:.0f} MB; the app: {app_peak:.0f} MB"
    )
    return figures


def _get(client: TestClient, url: str, cache: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    assert response.headers["x-hoshin-cache"] == cache, (url, response.headers["x-hoshin-cache"])
    return response.content


def _first_team(engine: Engine) -> int:
    with session_scope(make_session_factory(engine)) as session:
        return session.scalars(select(Roadmap.team_id).order_by(Roadmap.id).limit(1)).one()


if __name__ == "__main__":
    main()
