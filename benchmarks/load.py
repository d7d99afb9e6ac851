"""A realistic load mix on 127.0.0.1, bounded in time: managers answering (the questionnaire's htmx
save) and reading their team's quarterly review, members on their team, results, OKR, checklist and review
pages, checking in on key results and ticking checklist entries, viewers on the teams overview, the
dashboard, results and report PDFs. Every simulated person signs in with their own session and waits
~--pause seconds (jittered) between requests. Reports throughput, p50/p95/p99 and errors per request kind,
against the budgets (pages p95 < 100 ms, saves p95 < 25 ms).

Usage: uv run python -m benchmarks.load [--users 50] [--seconds 60] [--pause 1.0]
           [--database-url postgresql+psycopg://...  (or HOSHIN_LOAD_DATABASE_URL)] [--diagnose]
           [--workers N] [--read-slots N  (the server's HOSHIN_READ_SLOTS; 0 = no limit)]
           [--without FEATURE,...  (leave out the kinds that need them, e.g. review,checklist-page)]
--diagnose serves benchmarks.diagnose instead (Server-Timing, GC pauses, event-loop lag, commit and
write-gate times) and prints client time against the app's own time per kind.
Add a request kind with one line in KINDS (and a persona in PERSONAS if it is someone new); a kind that
`needs` a feature missing from the tree (FEATURES) is left out and said so.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx

from app.okrs.service import current_period
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
    key_results: list[int] = field(default_factory=list)
    checklist: list[tuple[str, str]] = field(default_factory=list)
    ticked: set[tuple[str, str]] = field(default_factory=set)
    turn: int = 0

    def htmx(self) -> dict[str, str]:
        """The headers an htmx request from one of our pages carries."""
        return {"HX-Request": "true", "X-CSRF-Token": self.http.cookies["hoshin_csrf"]}


async def save_answer(user: User) -> httpx.Response:
    """The questionnaire's htmx post of one answer, with the version the page last showed."""
    question, choices = user.questions[user.turn % len(user.questions)]
    response = await user.http.post(
        f"/assessments/{user.draft_id}/answers/{question}",
        headers=user.htmx(),
        data={"choice": choices[user.turn % len(choices)], "version": user.versions.get(question, 0)},
    )
    if response.status_code == 200:
        user.versions[question] = user.versions.get(question, 0) + 1
    elif response.status_code == 409:  # saved by someone else meanwhile (a soak's hostile member): reload
        answers = await user.http.get(f"/api/v1/assessments/{user.draft_id}/answers")
        if answers.status_code == 200:
            for answer in answers.json():
                if answer["question_id"] == question:
                    user.versions[question] = answer["version"]
    return response


async def check_in(user: User) -> httpx.Response:
    """The OKR page's htmx check-in of one key result: a value, a confidence, a fresh client token."""
    key_result = user.key_results[user.turn % len(user.key_results)]
    return await user.http.post(
        f"/teams/{user.team_id}/okrs/key-results/{key_result}/check-ins",
        headers=user.htmx(),
        data={
            "value": str(random.randint(0, 100)),
            "confidence": str(random.randint(3, 9)),
            "note": "",
            "client_token": uuid.uuid4().hex,
        },
    )


async def tick(user: User) -> httpx.Response:
    """The action plan's htmx checkbox: tick one checklist entry, or untick it if this person ticked it."""
    entry = user.checklist[user.turn % len(user.checklist)]
    done = entry not in user.ticked
    data = {"back": "action_plan"} | ({"done": "on"} if done else {})
    response = await user.http.post(
        f"/teams/{user.team_id}/roadmap/items/{entry[0]}/checklist/{entry[1]}", headers=user.htmx(), data=data
    )
    if response.status_code == 200:
        user.ticked ^= {entry}
    return response


@dataclass(frozen=True)
class Kind:
    name: str
    persona: str
    budget_ms: float  # the p95 goal
    send: Callable[[User], Awaitable[httpx.Response]]
    weight: int = 1  # how many times it comes up in one round of the persona's requests
    needs: str = ""  # a feature the tree must have (see FEATURES); without it the kind is left out


async def review_page(user: User) -> httpx.Response:
    """The team's quarterly review of the running quarter (where the review link's redirect lands)."""
    return await user.http.get(f"/teams/{user.team_id}/reviews/{current_period(datetime.now(UTC).date())}")


PAGE, SAVE = 100.0, 25.0
# Weights count within a persona's round. The manager's and the members' rounds gained the review and
# checklist pages at 1 in 8 of their requests, their earlier kinds keeping their proportions (weights x7
# and x2), so the mix before them is this one `--without review,checklist-page`.
KINDS = [
    Kind("answer save (htmx)", "manager", SAVE, save_answer, weight=7),
    Kind("review page (manager)", "manager", PAGE, review_page, needs="review"),
    Kind("team page", "member", PAGE, lambda u: u.http.get(f"/teams/{u.team_id}"), weight=4),
    Kind(
        "results page (member)",
        "member",
        PAGE,
        lambda u: u.http.get(f"/assessments/{u.results_id}/results"),
        weight=2,
    ),
    Kind(
        "OKR page", "member", PAGE, lambda u: u.http.get(f"/teams/{u.team_id}/okrs"), weight=4, needs="okrs"
    ),
    Kind("OKR check-in (htmx)", "member", SAVE, check_in, weight=2, needs="okrs"),
    Kind("checklist tick (htmx)", "member", SAVE, tick, weight=2, needs="checklists"),
    Kind(
        "checklist page",
        "member",
        PAGE,
        lambda u: u.http.get(f"/teams/{u.team_id}/checklists"),
        needs="checklist-page",
    ),
    Kind("review page (member)", "member", PAGE, review_page, needs="review"),
    Kind("teams overview", "viewer", PAGE, lambda u: u.http.get("/")),
    Kind("dashboard", "viewer", PAGE, lambda u: u.http.get("/dashboard"), needs="dashboard"),
    Kind(
        "results page (viewer)", "viewer", PAGE, lambda u: u.http.get(f"/assessments/{u.results_id}/results")
    ),
    # the first download renders (~0.4 s); later ones come from the report cache
    Kind(
        "report PDF (viewer)", "viewer", PAGE, lambda u: u.http.get(f"/reports/assessment/{u.results_id}.pdf")
    ),
]
# persona -> (demo account, share of the simulated users)
PERSONAS = {
    "manager": ("ren.sato@example.com", 0.2),
    "member": ("mika.ito@example.com", 0.5),
    "viewer": ("cto@example.com", 0.3),
}
# feature -> a GET (for a signed-in member, on their team) that answers 200 once the feature is in the tree
FEATURES = {
    "okrs": "/api/v1/teams/{team_id}/okrs",
    "checklists": "/api/v1/teams/{team_id}/roadmap/checklist",
    "dashboard": "/dashboard",
    "review": "/teams/{team_id}/reviews",
    "checklist-page": "/teams/{team_id}/checklists",
}


def _round(kinds: list[Kind]) -> list[Kind]:
    """One round of a persona's requests: each kind `weight` times, spread out."""
    rounds = max(kind.weight for kind in kinds)
    return [kind for n in range(rounds) for kind in kinds if kind.weight > n]


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


def _setup(server: Server, personas: list[str]) -> tuple[Setup, set[str]]:
    """Sign every simulated person in (their own session, as each browser has), give every manager their
    own draft to answer, and find the key results and checklist entries of each member's team; also
    which FEATURES this tree has."""
    out = []
    periods = (f"{2040 + n // 4}-Q{n % 4 + 1}" for n in itertools.count())
    features: set[str] = set()
    probed = False
    for name in personas:
        client = signed_in_client(server, PERSONAS[name][0])
        assessments = client.get("/api/v1/assessments").json()
        submitted = next(a for a in assessments if a["status"] == "submitted")
        team_id = submitted["team_id"]
        rows: dict[str, object] = {"team_id": team_id, "results_id": submitted["id"]}
        if name == "member" and not probed:  # which features this tree has: ask once
            probed = True
            features = {
                f
                for f, path in FEATURES.items()
                if client.get(path.format(team_id=team_id)).status_code != 404
            }
        if name == "manager":
            created = client.post(
                "/api/v1/assessments",
                headers={"X-CSRF-Token": client.cookies["hoshin_csrf"]},
                json={"team_id": team_id, "model": MODEL, "period": next(periods)},
            )
            created.raise_for_status()
            rows |= {"draft_id": created.json()["id"], "questions": _questions(client)}
        if name == "member" and "okrs" in features:
            okrs = client.get(FEATURES["okrs"].format(team_id=team_id)).json()
            rows["key_results"] = [kr["id"] for objective in okrs for kr in objective["key_results"]]
        if name == "member" and "checklists" in features:
            checklist = client.get(FEATURES["checklists"].format(team_id=team_id)).json()
            rows["checklist"] = [
                (i["item_id"], e["entry_id"]) for i in checklist["items"] for e in i["entries"]
            ]
        out.append((name, client.cookies, rows))
    if not any(rows.get("key_results") for _name, _cookies, rows in out):
        features.discard("okrs")  # nothing to check in on
    if not any(rows.get("checklist") for _name, _cookies, rows in out):
        features.discard("checklists")
    return out, features


Sample = tuple[str, float, float, float | None]  # kind, start (s into the run), client ms, server ms


async def _run(
    base_url: str,
    setup: Setup,
    kinds: list[Kind],
    seconds: float,
    pause: float,
    samples: list[Sample] | None = None,
    own_lag: list[float] | None = None,
) -> dict[str, Figures]:
    """Every person of `setup` at work for `seconds`; figures per kind. What a person last saw (answer
    versions, ticked entries) is kept in their `setup` rows, so a later run on the same setup carries on
    where this one stopped (rather than saving stale versions: 409s)."""
    figures = {kind.name: Figures(kind.name, 0, 0, seconds, []) for kind in kinds}
    # Every client before the clock starts: making one takes tens of ms (an SSL context), and making fifty
    # as people arrived stalled this loop for seconds, then sent their first requests in one burst.
    clients = [httpx.AsyncClient(base_url=base_url, cookies=cookies, timeout=30) for _, cookies, _ in setup]
    began = time.perf_counter()
    deadline = began + seconds

    async def person(name: str, http: httpx.AsyncClient, rows: dict[str, object]) -> None:
        mine = _round([kind for kind in kinds if kind.persona == name])
        async with http:
            user = User(name, http, **rows)  # type: ignore[arg-type]
            user.turn = random.randrange(len(mine))  # people do not all open the same page first
            await asyncio.sleep(random.uniform(0, pause))  # people do not all click at the same instant
            while time.perf_counter() < deadline:
                kind = mine[user.turn % len(mine)]
                started = time.perf_counter()
                server_ms = None
                try:
                    response = await kind.send(user)
                    failed = response.status_code >= 400
                    what = str(response.status_code)
                    server_ms = _server_ms(response)
                except httpx.HTTPError as error:
                    failed, what = True, type(error).__name__
                elapsed_ms = (time.perf_counter() - started) * 1000
                record = figures[kind.name]
                if failed:
                    record.failures[what] += 1
                record.latencies_ms.append(elapsed_ms)
                record.requests += 1
                record.errors += failed
                if samples is not None:
                    samples.append((kind.name, started - began, elapsed_ms, server_ms))
                user.turn += 1
                await asyncio.sleep(pause * random.uniform(0.5, 1.5))
            rows["versions"], rows["ticked"] = user.versions, user.ticked

    async def watch_own_loop(lags: list[float]) -> None:
        """How late this generator's own 5 ms timer fires: time it adds to what it measures."""
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            await asyncio.sleep(0.005)
            lags.append((time.perf_counter() - started) * 1000 - 5)

    await asyncio.gather(
        *(person(name, http, rows) for (name, _, rows), http in zip(setup, clients, strict=True)),
        *([watch_own_loop(own_lag)] if own_lag is not None else []),
    )
    for record in figures.values():
        record.seconds = time.perf_counter() - began
    return figures


def _server_ms(response: httpx.Response) -> float | None:
    """The app's own time for a request (the `--diagnose` server's Server-Timing header)."""
    timing = response.headers.get("server-timing", "")
    _name, _sep, duration = timing.partition("dur=")
    return float(duration) if duration else None


def _diagnosis(
    samples: list[Sample], stats: dict[str, object], own_lag: list[float], warm_up: float = 10.0
) -> None:
    """Client time against the app's own time per kind, the first seconds against the rest, and the
    server-side pauses (GC, event-loop lag, commits, write-gate waits)."""

    def pct(values: list[float], p: float) -> float:
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] if ordered else float("nan")

    head = f"{'kind':<28} {'client p50/p95/p99':>22} {'app p50/p95/p99':>22}"
    print(f"\n{head}  p95 first {warm_up:.0f} s / after")
    for kind in KINDS:
        mine = [s for s in samples if s[0] == kind.name]
        if not mine:
            continue
        client = [s[2] for s in mine]
        app = [s[3] for s in mine if s[3] is not None]
        early = [s[2] for s in mine if s[1] < warm_up]
        late = [s[2] for s in mine if s[1] >= warm_up]
        print(
            f"{kind.name:<28} {pct(client, 50):6.1f} {pct(client, 95):6.1f} {pct(client, 99):7.1f}"
            f" {pct(app, 50):6.1f} {pct(app, 95):6.1f} {pct(app, 99):7.1f}"
            f"   {pct(early, 95):6.1f} / {pct(late, 95):6.1f}"
        )
    print(
        f"{'this generator, loop lag':<28} p50 {pct(own_lag, 50):.1f}  p95 {pct(own_lag, 95):.1f}"
        f"  p99 {pct(own_lag, 99):.1f} ms"
    )
    print("server-side (ms):")
    for name, figures in stats.items():
        print(f"  {name:<10} {figures}")


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
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="uvicorn worker processes (on SQLite they share one write gate)",
    )
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--read-slots", type=int, help="HOSHIN_READ_SLOTS for the server (0 = no limit)")
    parser.add_argument("--pause", type=float, default=1.0, help="think time between a person's requests (s)")
    parser.add_argument(
        "--database-url",
        "--postgres",
        dest="database_url",
        default=os.environ.get("HOSHIN_LOAD_DATABASE_URL"),
        help="a PostgreSQL URL (a database this script may empty); default: a fresh SQLite file",
    )
    parser.add_argument(
        "--without",
        type=lambda value: {f for f in value.split(",") if f},
        default=set(),
        metavar="FEATURE,...",
        help=f"leave out the kinds that need these features ({', '.join(FEATURES)}); the mix before the"
        " review and checklist pages is --without review,checklist-page",
    )
    parser.add_argument(
        "--diagnose",
        action="store_true",
        help="serve benchmarks.diagnose (Server-Timing, GC, loop lag, commits) and print where time went",
    )
    args = parser.parse_args()
    if args.database_url:
        reset_database(args.database_url)
    asgi = "benchmarks.diagnose:app" if args.diagnose else "app.asgi:app"
    samples: list[Sample] | None = [] if args.diagnose else None
    own_lag: list[float] | None = [] if args.diagnose else None
    # --read-slots applies whatever the database's defaults (app/server/machinery.py DEFAULT_OFF)
    settings = (
        {"HOSHIN_READ_SLOTS": str(args.read_slots), "HOSHIN_MACHINERY_OFF": ""}
        if args.read_slots is not None
        else {}
    )
    with demo_server(args.database_url, asgi=asgi, workers=args.workers, settings=settings) as server:
        setup, found = _setup(server, _personas(args.users))
        features = found - args.without
        kinds = [kind for kind in KINDS if not kind.needs or kind.needs in features]
        if args.diagnose:
            print(f"server pid {server.pid}", flush=True)
        figures = asyncio.run(_run(server.url, setup, kinds, args.seconds, args.pause, samples, own_lag))
        stats = httpx.get(f"{server.url}/__bench__/stats").json() if args.diagnose else {}
    database = "PostgreSQL" if args.database_url else "SQLite"
    print(
        f"{args.users} users, {args.seconds:.0f} s, think time ~{args.pause:g} s,"
        f" {args.workers} uvicorn worker(s), {database},"
        f" read slots {'default' if args.read_slots is None else args.read_slots or 'off'}"
    )
    ok = report(figures, {kind.name: kind.budget_ms for kind in kinds})
    for kind in KINDS:
        if kind in kinds:
            continue
        if kind.needs in args.without:
            print(f"{kind.name:<28} not run: left out (--without {kind.needs})")
        else:
            print(f"{kind.name:<28} not run: this tree has no {kind.needs} ({FEATURES[kind.needs]})")
    if samples is not None and own_lag is not None:
        _diagnosis(samples, stats, own_lag)
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
