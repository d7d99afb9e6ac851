"""PDF renders through the app (HTML built from the database, then WeasyPrint) beside WeasyPrint
rendering a plain 20-page HTML document in the same process. Medians of repeated renders; peak RSS.

Usage: uv run python -m benchmarks.reports [--repeat 5]
"""

from __future__ import annotations

import argparse
import io
import resource
import statistics
import tempfile
import time

from fastapi.testclient import TestClient
from pypdf import PdfReader

from app import migrate
from app.config import Settings
from app.db import make_engine, make_session_factory, session_scope
from app.main import create_app
from app.reports.render import html_to_pdf
from tests import factories

PLAIN_PAGE = "<h1>Section {n}</h1>" + "<p>" + "Plain report text for a baseline render. " * 60 + "</p>"


def plain_document(pages: int = 20) -> str:
    body = "".join(
        f'<section style="break-after: page">{PLAIN_PAGE.format(n=n)}</section>' for n in range(pages)
    )
    return f"<html><body>{body}</body></html>"


def _timed(render: object, repeat: int) -> tuple[float, bytes]:
    times, data = [], b""
    for _ in range(repeat):
        start = time.perf_counter()
        data = render()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return statistics.median(times), data


def _client(tmp: str) -> tuple[TestClient, int]:
    url = f"sqlite:///{tmp}/reports.sqlite3"
    migrate.upgrade(url)
    engine = make_engine(url)
    with session_scope(make_session_factory(engine)) as session:
        org = factories.org(session)
        model = factories.maturity_model(session, "mlops-full")
        factories.assessment(
            session, org.team, model, period="2026-Q2", level=1, submitted=True, by=org.manager
        )
        latest = factories.assessment(
            session, org.team, model, period="2026-Q3", level=3, submitted=True, by=org.manager
        )
        assessment_id, email = latest.id, org.viewer.email
    client = TestClient(
        create_app(Settings(var_dir=f"{tmp}/var", database_url=url, secret_key="b" * 40), engine=engine)
    )
    client.get("/sign-in")
    client.post(
        "/sign-in",
        data={"email": email, "password": factories.PASSWORD, "csrf_token": client.cookies["hoshin_csrf"]},
    )
    return client, assessment_id


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    baseline, plain = _timed(lambda: html_to_pdf(plain_document()).data, args.repeat)
    pages = len(PdfReader(io.BytesIO(plain)).pages)
    print(f"{'plain HTML document (baseline)':<44} {baseline:6.2f} s  {pages} pages")
    with tempfile.TemporaryDirectory() as tmp:
        client, assessment_id = _client(tmp)
        for lang in ("en", "ja"):
            url = f"/reports/assessment/{assessment_id}.pdf?lang={lang}"
            median, data = _timed(lambda url=url: client.get(url).content, args.repeat)
            pages = len(PdfReader(io.BytesIO(data)).pages)
            name = f"assessment report, 31 capabilities, {lang}"
            print(f"{name:<44} {median:6.2f} s  {pages} pages  {median / baseline:.2f}x the baseline")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of this process (all renders): {peak:.0f} MB")


if __name__ == "__main__":
    main()
