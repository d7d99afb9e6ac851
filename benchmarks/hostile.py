"""One member against everyone: pages timed while a hostile PDF is asked for many times at once.

Serves the demo (SQLite, 127.0.0.1 only). First a quiet phase: a few clients load ordinary pages
(/teams/1, /api/v1/me, /dashboard) for --quiet seconds. Then a member stores the largest texts the app
accepts in an answer of their team's draft (an evidence link and a note, each a single unbreakable word:
what makes WeasyPrint slowest; the longest accepted of a few sizes, tried from the largest down), and asks
for that assessment's PDF --copies times at once, beside every other PDF kind of every team in both
languages (assessment, roadmap, action plan, organisation), while the same clients keep timing pages for
--seconds. Prints the pages' p50/p95/max and errors in both phases side by side, what the PDF requests
got and how soon, and how long the server takes to stop on SIGTERM at the end (renders may still run).

Usage: uv run python -m benchmarks.hostile [--seconds 30] [--quiet 10] [--copies 45] [--clients 4]
           [--render-timeout 60]

With --with-load it is a soak (benchmarks/soak.py): the load mix of benchmarks/load.py for --quiet
seconds, then the same mix for --seconds while hostile inputs arrive beside it; prints both p95s, their
ratio and the 5xx counts per kind. E.g. `--with-load --quiet 120 --seconds 600`.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx

from benchmarks.common import Server, demo_server, signed_in_client

MEMBER = "mika.ito@example.com"  # a member of Recommendations, the demo's first team
READER = "cto@example.com"
PAGES = ("/teams/1", "/api/v1/me", "/dashboard")
LINK_SIZES = (300_000, 100_000, 30_000, 10_000, 5_000, 2_000, 1_000, 500)
NOTE_SIZES = (300_000, 100_000, 30_000, 10_000, 5_000, 2_000, 1_000, 500)


@dataclass
class Pages:
    """Latencies (ms) and failures of the ordinary pages in one phase."""

    latencies: list[float] = field(default_factory=list)
    failures: Counter[str] = field(default_factory=Counter)

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] if ordered else float("nan")

    def line(self, name: str) -> str:
        worst = max(self.latencies, default=float("nan"))
        failed = ", ".join(f"{n}× {what}" for what, n in self.failures.most_common()) or "none"
        return (
            f"{name:<22} {len(self.latencies):6d} requests  p50 {self.percentile(50):8.1f} ms"
            f"  p95 {self.percentile(95):8.1f} ms  max {worst:8.1f} ms  failed: {failed}"
        )


async def time_pages(server: Server, cookies: httpx.Cookies, clients: int, seconds: float) -> Pages:
    """`clients` people loading ordinary pages one after another for `seconds`."""
    pages = Pages()
    deadline = time.monotonic() + seconds
    async with httpx.AsyncClient(base_url=server.url, cookies=cookies, timeout=30) as http:

        async def person(number: int) -> None:
            turn = number
            while time.monotonic() < deadline:
                path = PAGES[turn % len(PAGES)]
                turn += 1
                start = time.perf_counter()
                try:
                    response = await http.get(path)
                except httpx.HTTPError as error:
                    pages.failures[type(error).__name__] += 1
                    continue
                pages.latencies.append((time.perf_counter() - start) * 1000)
                if response.status_code != 200:
                    pages.failures[f"{path} {response.status_code}"] += 1
                await asyncio.sleep(0.05)

        await asyncio.gather(*(person(n) for n in range(clients)))
    return pages


def store_hostile_answer(server: Server) -> tuple[int, int, int]:
    """The member's longest accepted evidence link and note in one answer of their team's draft:
    (assessment id, link length, note length)."""
    member = signed_in_client(server, MEMBER)
    try:
        member.headers["X-CSRF-Token"] = member.cookies["hoshin_csrf"]
        drafts = [a for a in member.get("/api/v1/assessments?team_id=1").json() if a["status"] == "draft"]
        assessment = drafts[0]["id"]
        answer = member.get(f"/api/v1/assessments/{assessment}/answers").json()[0]
        url = f"/api/v1/assessments/{assessment}/answers/{answer['question_id']}"
        body = {"choice_id": answer["choice_id"], "version": answer["version"]}

        def accepted(change: dict[str, object]) -> bool:
            response = member.put(url, json={**body, **change}, timeout=60)
            if response.status_code == 200:
                body["version"] = response.json()["version"]
            return response.status_code == 200

        link = next((n for n in LINK_SIZES if accepted({"evidence_links": [_link(n)]})), 0)
        links = [_link(link)] if link else []
        note = next((n for n in NOTE_SIZES if accepted({"evidence_links": links, "note": "x" * n})), 0)
    finally:
        member.close()
    return assessment, link, note


def _link(length: int) -> str:
    prefix = "https://example.com/"
    return prefix + "a" * (length - len(prefix))


def every_pdf(server: Server, reader: httpx.Client) -> list[str]:
    """Every PDF kind of every team the reader sees, in both languages."""
    teams = [team["id"] for team in reader.get("/api/v1/teams").json()]
    assessments = reader.get("/api/v1/assessments").json()
    urls = [f"/reports/organisation.pdf?lang={lang}" for lang in ("en", "ja")]
    for team in teams:
        latest = next(
            (a["id"] for a in assessments if a["team_id"] == team and a["status"] == "submitted"), None
        )
        for lang in ("en", "ja"):
            if latest is not None:
                urls.append(f"/reports/assessment/{latest}.pdf?lang={lang}")
            urls += [
                f"/reports/teams/{team}/roadmap.pdf?lang={lang}",
                f"/reports/teams/{team}/action-plan.pdf?lang={lang}",
            ]
    return urls


async def ask_for_pdfs(
    server: Server, cookies: httpx.Cookies, urls: list[str], seconds: float
) -> list[tuple[str, str, float]]:
    """All the PDF requests at once: (url, outcome, seconds) each; those unanswered after `seconds`
    count as such."""
    limits = httpx.Limits(max_connections=len(urls) + 1)
    async with httpx.AsyncClient(
        base_url=server.url, cookies=cookies, timeout=seconds, limits=limits
    ) as http:

        async def one(url: str) -> tuple[str, str, float]:
            start = time.perf_counter()
            try:
                response = await http.get(url)
                outcome = str(response.status_code)
            except httpx.TimeoutException:
                outcome = "unanswered"
            except httpx.HTTPError as error:
                outcome = type(error).__name__
            return url, outcome, time.perf_counter() - start

        return await asyncio.gather(*(one(url) for url in urls))


async def storm(
    server: Server, cookies: httpx.Cookies, urls: list[str], clients: int, seconds: float
) -> tuple[Pages, list[tuple[str, str, float]]]:
    pdfs = asyncio.ensure_future(ask_for_pdfs(server, cookies, urls, seconds))
    await asyncio.sleep(0.5)  # the PDF requests are in
    pages = await time_pages(server, cookies, clients, seconds)
    return pages, await pdfs


def report_pdfs(results: list[tuple[str, str, float]], hostile: str) -> None:
    for name, selected in (
        ("hostile PDF", [r for r in results if r[0] == hostile]),
        ("every other PDF", [r for r in results if r[0] != hostile]),
    ):
        by_outcome: dict[str, list[float]] = {}
        for _url, outcome, seconds in selected:
            by_outcome.setdefault(outcome, []).append(seconds)
        parts = [
            f"{len(times)}× {outcome} (median {statistics.median(times):.2f} s, max {max(times):.2f} s)"
            for outcome, times in sorted(by_outcome.items())
        ]
        print(f"{name:<22} " + "; ".join(parts))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30, help="length of the hostile phase")
    parser.add_argument("--quiet", type=float, default=10, help="length of the quiet phase")
    parser.add_argument("--copies", type=int, default=45, help="requests for the hostile PDF at once")
    parser.add_argument("--clients", type=int, default=4, help="people loading pages")
    parser.add_argument("--render-timeout", type=float, default=None, help="HOSHIN_RENDER_TIMEOUT_SECONDS")
    parser.add_argument("--with-load", action="store_true", help="a soak: the load mix, quiet then hostile")
    parser.add_argument("--users", type=int, default=50, help="people in the load mix (--with-load)")
    parser.add_argument("--pause", type=float, default=1.0, help="their think time, s (--with-load)")
    args = parser.parse_args()
    if args.with_load:
        from benchmarks import soak

        soak.run(args)
        return
    settings = {"HOSHIN_LOG_LEVEL": "error"}
    if args.render_timeout is not None:
        settings["HOSHIN_RENDER_TIMEOUT_SECONDS"] = str(args.render_timeout)
    with demo_server(settings=settings) as server:
        reader = signed_in_client(server, READER)
        quiet = asyncio.run(time_pages(server, reader.cookies, args.clients, args.quiet))
        assessment, link, note = store_hostile_answer(server)
        print(
            f"stored in assessment {assessment}: an evidence link of {link:,} characters, a note of {note:,}"
        )
        hostile = f"/reports/assessment/{assessment}.pdf?lang=en"
        urls = [hostile] * args.copies + every_pdf(server, reader)
        print(f"asking for {len(urls)} PDFs at once ({args.copies} of them the hostile one)")
        pages, pdfs = asyncio.run(storm(server, reader.cookies, urls, args.clients, args.seconds))
        print(quiet.line("pages, quiet"))
        print(pages.line("pages, under the PDFs"))
        report_pdfs(pdfs, hostile)
        stopping = time.monotonic()
    print(f"server stopped {time.monotonic() - stopping:.1f} s after SIGTERM")


if __name__ == "__main__":
    main()
