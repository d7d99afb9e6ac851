"""A realistic load mix on 127.0.0.1, bounded in time: managers answering (the questionnaire's htmx
save), members opening their team and results pages, viewers opening the teams overview and results.
Reports throughput, p50/p95/p99 and errors per request kind, against the budgets (pages p95 < 100 ms,
saves p95 < 25 ms).

Usage: uv run python -m benchmarks.load [--users 50] [--seconds 60] [--pause 1.0] [--postgres URL]
Add a request kind with one line in KINDS (and a persona in PERSONAS if it is someone new).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx

from benchmarks.common import Figures, Server, demo_server, signed_in_client
from tests.conftest import reset_database

MODEL = "mlops-full"


@dataclass
class User:
    """One simulated person: their own connection and cookies, and the rows they work on."""

    persona: str
    http: httpx.AsyncClient
    team_id: int
    results_id: int
    draft_id: int = 0
    questions: list[tuple[str, list[str]]] = field(default_factory=list)
    versions: dict[str, int] = field(default_factory=dict)
    turn: int = 0


async def save_answer(user: User) -> httpx.Response:
    """The questionnaire's htmx post of one answer, with the version the page last showed."""
    question, choices = user.questions[user.turn % len(user.questions)]
    response = await user.http.post(
        f"/assessments/{user.draft_id}/answers/{question}",
        headers={"HX-Request": "true", "X-CSRF-Token": user.http.cookies["hoshin_csrf"]},
        data={"choice": choices[user.turn % len(choices)], "version": user.versions.get(question, 0)},
    )
    if response.status_code == 200:
        user.versions[question] = user.versions.get(question, 0) + 1
    return response


@dataclass(frozen=True)
class Kind:
    name: str
    persona: str
    budget_ms: float  # the p95 goal
    send: Callable[[User], Awaitable[httpx.Response]]


PAGE, SAVE = 100.0, 25.0
KINDS = [
    Kind("answer save (htmx)", "manager", SAVE, save_answer),
    Kind("team page", "member", PAGE, lambda u: u.http.get(f"/teams/{u.team_id}")),
    Kind(
        "results page (member)", "member", PAGE, lambda u: u.http.get(f"/assessments/{u.results_id}/results")
    ),
    Kind("teams overview", "viewer", PAGE, lambda u: u.http.get("/")),
    Kind(
        "results page (viewer)", "viewer", PAGE, lambda u: u.http.get(f"/assessments/{u.results_id}/results")
    ),
    Kind(  # the first download renders (~0.4 s); later ones come from the report cache
        "report PDF (viewer)", "viewer", PAGE, lambda u: u.http.get(f"/reports/assessment/{u.results_id}.pdf")
    ),
]
# persona -> (demo account, share of the simulated users)
PERSONAS = {
    "manager": ("ren.sato@example.com", 0.2),
    "member": ("mika.ito@example.com", 0.5),
    "viewer": ("cto@example.com", 0.3),
}


Setup = list[tuple[str, httpx.Cookies, dict[str, object]]]


def _personas(users: int) -> list[str]:
    """`users` persona names in the PERSONAS shares, interleaved so every persona starts early."""
    counts = {name: max(1, round(users * share)) for name, (_email, share) in PERSONAS.items()}
    pool = [name for name, count in counts.items() for _ in range(count)]
    random.Random(7).shuffle(pool)
    return (pool * 2)[:users]


def _questions(client: httpx.Client) -> list[tuple[str, list[str]]]:
    content = client.get(f"/api/v1/models/{MODEL}").json()["content"]
    return [
        (q["id"], [c["id"] for c in q["choices"] if c.get("level") is not None])
        for d in content["dimensions"]
        for c in d["capabilities"]
        for q in c["questions"]
    ]


def _setup(server: Server, personas: list[str]) -> Setup:
    """Sign each persona in once, and give every manager their own draft to answer."""
    out = []
    clients = {name: signed_in_client(server, email) for name, (email, _share) in PERSONAS.items()}
    periods = (f"{2040 + n // 4}-Q{n % 4 + 1}" for n in itertools.count())
    for name in personas:
        client = clients[name]
        assessments = client.get("/api/v1/assessments").json()
        submitted = next(a for a in assessments if a["status"] == "submitted")
        rows: dict[str, object] = {"team_id": submitted["team_id"], "results_id": submitted["id"]}
        if name == "manager":
            created = client.post(
                "/api/v1/assessments",
                headers={"X-CSRF-Token": client.cookies["hoshin_csrf"]},
                json={"team_id": submitted["team_id"], "model": MODEL, "period": next(periods)},
            )
            created.raise_for_status()
            rows |= {"draft_id": created.json()["id"], "questions": _questions(client)}
        out.append((name, client.cookies, rows))
    return out


async def _run(base_url: str, setup: Setup, seconds: float, pause: float) -> dict[str, Figures]:
    figures = {kind.name: Figures(kind.name, 0, 0, seconds, []) for kind in KINDS}
    deadline = time.perf_counter() + seconds

    async def person(name: str, cookies: httpx.Cookies, rows: dict[str, object]) -> None:
        kinds = [kind for kind in KINDS if kind.persona == name]
        async with httpx.AsyncClient(base_url=base_url, cookies=cookies, timeout=30) as http:
            user = User(name, http, **rows)  # type: ignore[arg-type]
            await asyncio.sleep(random.uniform(0, pause))  # people do not all click at the same instant
            while time.perf_counter() < deadline:
                kind = kinds[user.turn % len(kinds)]
                started = time.perf_counter()
                try:
                    response = await kind.send(user)
                    failed = response.status_code >= 400
                except httpx.HTTPError:
                    failed = True
                record = figures[kind.name]
                record.latencies_ms.append((time.perf_counter() - started) * 1000)
                record.requests += 1
                record.errors += failed
                user.turn += 1
                await asyncio.sleep(pause * random.uniform(0.5, 1.5))

    started = time.perf_counter()
    await asyncio.gather(*(person(*entry) for entry in setup))
    for record in figures.values():
        record.seconds = time.perf_counter() - started
    return figures


def report(figures: dict[str, Figures], budgets: dict[str, float]) -> bool:
    """Print one line per kind and the total; True when there were no errors and every p95 is in budget."""
    ok = True
    for name, record in figures.items():
        if not record.requests:
            continue
        within = record.percentile(95) < budgets[name] and record.errors == 0
        ok &= within
        print(f"{record.line()}  (p95 goal < {budgets[name]:.0f} ms: {'ok' if within else 'MISSED'})")
    total = sum(r.requests for r in figures.values())
    seconds = max(r.seconds for r in figures.values())
    errors = sum(r.errors for r in figures.values())
    print(f"{'all kinds':<28} {total / seconds:8.0f} req/s  {total} requests  errors {errors}")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--pause", type=float, default=1.0, help="think time between a person's requests (s)")
    parser.add_argument("--postgres", help="PostgreSQL URL (a database this script may empty)")
    args = parser.parse_args()
    if args.postgres:
        reset_database(args.postgres)
    with demo_server(args.postgres) as server:
        setup = _setup(server, _personas(args.users))
        figures = asyncio.run(_run(server.url, setup, args.seconds, args.pause))
    database = "PostgreSQL" if args.postgres else "SQLite"
    print(
        f"{args.users} users, {args.seconds:.0f} s, think time ~{args.pause:g} s,"
        f" one uvicorn worker, {database}"
    )
    ok = report(figures, {kind.name: kind.budget_ms for kind in KINDS})
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
