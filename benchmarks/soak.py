"""The soak `benchmarks/hostile.py --with-load` runs: the load mix quiet, then the load mix while a
member keeps storing the largest texts the app accepts and every PDF kind is asked for at once, over
and over. One server, one run: the quiet figures are the baseline the soak's are divided by."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import time
from collections import Counter
from collections.abc import Awaitable, Callable

import httpx

from app.kit import limits
from benchmarks import load
from benchmarks.common import Figures, Server, demo_server, signed_in_client
from benchmarks.hostile import MEMBER, READER, every_pdf

Statuses = dict[str, Counter[int | str]]


def run(args: argparse.Namespace) -> None:
    """Quiet load mix for args.quiet seconds, then the soak for args.seconds; print both and the ratio."""
    settings = {"HOSHIN_LOG_LEVEL": "error"}
    if args.render_timeout is not None:
        settings["HOSHIN_RENDER_TIMEOUT_SECONDS"] = str(args.render_timeout)
    with demo_server(settings=settings) as server:
        setup, features = load._setup(server, load._personas(args.users))
        kinds = [k for k in load.KINDS if not k.needs or k.needs in features]
        quiet_statuses: Statuses = {}
        quiet = asyncio.run(
            load._run(server.url, setup, _counted(kinds, quiet_statuses), args.quiet, args.pause)
        )
        hostile = Hostile(server, copies=args.copies)
        print(f"hostile member: {hostile.describe()}")
        soak_statuses: Statuses = {}
        soaked = asyncio.run(_soak(server, setup, kinds, args, soak_statuses, hostile))
    _print(quiet, soaked, quiet_statuses, soak_statuses, hostile)


async def _soak(
    server: Server,
    setup: load.Setup,
    kinds: list[load.Kind],
    args: argparse.Namespace,
    statuses: Statuses,
    hostile: Hostile,
) -> dict[str, Figures]:
    mix = load._run(server.url, setup, _counted(kinds, statuses), args.seconds, args.pause)
    attack = hostile.keep_on(time.monotonic() + args.seconds)
    figures, _ = await asyncio.gather(mix, attack)
    return figures


def _counted(kinds: list[load.Kind], statuses: Statuses) -> list[load.Kind]:
    """The kinds, each noting its responses' status codes (and transport errors) in `statuses`."""

    def counting(kind: load.Kind) -> Callable[[load.User], Awaitable[httpx.Response]]:
        seen = statuses.setdefault(kind.name, Counter())

        async def send(user: load.User) -> httpx.Response:
            try:
                response = await kind.send(user)
            except httpx.HTTPError as error:
                seen[type(error).__name__] += 1
                raise
            seen[response.status_code] += 1
            return response

        return send

    return [dataclasses.replace(kind, send=counting(kind)) for kind in kinds]


class Hostile:
    """A member storing the largest texts the app accepts, and a reader asking for every PDF at once."""

    def __init__(self, server: Server, *, copies: int) -> None:
        self.server = server
        self.copies = copies
        self.member = signed_in_client(server, MEMBER)
        self.member.headers["X-CSRF-Token"] = self.member.cookies["hoshin_csrf"]
        self.reader = signed_in_client(server, READER)
        draft = next(
            a for a in self.member.get("/api/v1/assessments?team_id=1").json() if a["status"] == "draft"
        )
        self.assessment = draft["id"]
        content = self.member.get(f"/api/v1/models/{draft['model']['slug']}").json()["content"]
        self.questions = [
            (q["id"], next(c["id"] for c in q["choices"] if c.get("level") is not None))
            for d in content["dimensions"]
            for c in d["capabilities"]
            for q in c["questions"]
        ]
        self.versions = {a["question_id"]: a["version"] for a in self._answers()}
        self.saves: Counter[int | str] = Counter()
        self.pdfs: Statuses = {}
        self.rounds = 0
        self.urls = [f"/reports/assessment/{self.assessment}.pdf?lang=en"] * copies + every_pdf(
            server, self.reader
        )
        for number, (question, _choice) in enumerate(self.questions):
            self._save(question, number)

    def describe(self) -> str:
        return (
            f"{len(self.questions)} answers of assessment {self.assessment} hold a {limits.NOTE:,}-character "
            f"note and {limits.EVIDENCE_LINKS} links of {limits.URL:,} characters each (unbroken words); "
            f"{len(self.urls)} PDFs asked for at once a round ({self.copies} of them that assessment's)"
        )

    def _answers(self) -> list[dict[str, object]]:
        return self.member.get(f"/api/v1/assessments/{self.assessment}/answers").json()  # type: ignore[no-any-return]

    def _save(self, question: str, turn: int) -> None:
        """The largest note and links on one answer (each turn's text differs: the PDF is made anew)."""
        letter = "abcdefghijklmnopqrstuvwxyz"[turn % 26]
        links = [_link(n, letter) for n in range(limits.EVIDENCE_LINKS)]
        choice = dict(self.questions)[question]
        body = {"choice_id": choice, "version": self.versions.get(question, 0)}
        body |= {"note": letter * limits.NOTE, "evidence_links": links}
        try:
            response = self.member.put(
                f"/api/v1/assessments/{self.assessment}/answers/{question}", json=body, timeout=60
            )
        except httpx.HTTPError as error:  # counted, and the soak goes on
            self.saves[type(error).__name__] += 1
            return
        self.saves[response.status_code] += 1
        if response.status_code == 200:
            self.versions[question] = response.json()["version"]
        elif response.status_code == 409:  # someone else saved it: take their version, next time
            self.versions = {a["question_id"]: a["version"] for a in self._answers()}

    async def keep_on(self, deadline: float) -> None:
        """Round after round until `deadline`: change one hostile answer, then every PDF at once."""
        limits_ = httpx.Limits(max_connections=len(self.urls) + 1)
        async with httpx.AsyncClient(
            base_url=self.server.url, cookies=self.reader.cookies, timeout=120, limits=limits_
        ) as http:
            while time.monotonic() < deadline:
                question = self.questions[self.rounds % len(self.questions)][0]
                await asyncio.to_thread(self._save, question, self.rounds + 1)
                await asyncio.gather(*(self._one(http, url) for url in self.urls))
                self.rounds += 1
                await asyncio.sleep(1)

    async def _one(self, http: httpx.AsyncClient, url: str) -> None:
        kind = "hostile assessment" if f"/{self.assessment}.pdf" in url else url.split("/")[-1].split(".")[0]
        kind = "assessment" if kind.isdigit() else kind
        seen = self.pdfs.setdefault(f"PDF {kind}", Counter())
        try:
            seen[(await http.get(url)).status_code] += 1
        except httpx.HTTPError as error:
            seen[type(error).__name__] += 1


def _link(number: int, letter: str) -> str:
    prefix = f"https://example.com/{number}/"
    return prefix + letter * (limits.URL - len(prefix))


PAGE_KINDS = {k.name for k in load.KINDS if k.budget_ms == load.PAGE and "PDF" not in k.name}
SAVE_KINDS = {k.name for k in load.KINDS if k.budget_ms == load.SAVE}


def _print(
    quiet: dict[str, Figures],
    soaked: dict[str, Figures],
    quiet_statuses: Statuses,
    soak_statuses: Statuses,
    hostile: Hostile,
) -> None:
    print(
        f"\n{'kind':<28} {'quiet p95':>10} {'soak p95':>10} {'ratio':>6}   requests quiet / soak   5xx q / s"
    )
    for name in quiet:
        q, s = quiet[name], soaked[name]
        print(
            f"{name:<28} {_p95(q):>10} {_p95(s):>10} {_ratio(q, s):>6}   {q.requests:7d} / {s.requests:7d}"
            f"   {_5xx(quiet_statuses, name):5} / {_5xx(soak_statuses, name)}"
        )
    for label, names in (("ALL PAGES", PAGE_KINDS), ("ALL SAVES", SAVE_KINDS)):
        q, s = _pooled(quiet, names), _pooled(soaked, names)
        print(
            f"{label:<28} {_p95(q):>10} {_p95(s):>10} {_ratio(q, s):>6}   {q.requests:7d} / {s.requests:7d}"
        )
    print(f"\nhostile rounds: {hostile.rounds}; its saves: {_counts(hostile.saves)}")
    for kind, seen in sorted(hostile.pdfs.items()):
        print(f"{kind:<28} {_counts(seen)}   5xx {_5xx({kind: seen}, kind)}")
    for phase, statuses in (("quiet", quiet_statuses), ("soak", soak_statuses)):
        other = {name: _counts(seen) for name, seen in statuses.items() if set(seen) - {200}}
        print(f"load mix answers other than 200, {phase}: {other or 'none'}")
    print(
        "(a 503 is a refusal with Retry-After: PDF slots full, or a document in demand; 5xx counts it apart)"
    )


def _pooled(figures: dict[str, Figures], names: set[str]) -> Figures:
    chosen = [f for name, f in figures.items() if name in names]
    latencies = [ms for f in chosen for ms in f.latencies_ms]
    return Figures("pooled", len(latencies), sum(f.errors for f in chosen), 1.0, latencies)


def _p95(figures: Figures) -> str:
    return f"{figures.percentile(95):.1f}ms" if figures.latencies_ms else "-"


def _ratio(quiet: Figures, soak: Figures) -> str:
    if not quiet.latencies_ms or not soak.latencies_ms:
        return "-"
    return f"{soak.percentile(95) / quiet.percentile(95):.2f}x"


def _5xx(statuses: Statuses, name: str) -> str:
    """How many 5xx answers, e.g. '3 (503: 3)': the 503s are refusals that say when to come back."""
    seen = statuses.get(name, Counter())
    total = sum(n for code, n in seen.items() if _is_5xx(code))
    return f"{total} (503: {seen[503]})" if total else "0"


def _is_5xx(code: int | str) -> bool:
    return isinstance(code, int) and code >= 500


def _counts(seen: Counter[int | str]) -> str:
    return ", ".join(f"{n}× {code}" for code, n in sorted(seen.items(), key=str)) or "none"
