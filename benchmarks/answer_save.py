"""Answer saves under load: 50 clients each answering its own draft through the questionnaire's htmx
form post, on SQLite and on PostgreSQL, beside a bare FastAPI form endpoint in the same run.

Usage: uv run python -m benchmarks.answer_save [--clients 50] [--seconds 10] [--postgres URL]
(--postgres defaults to HOSHIN_TEST_DATABASE_URL's server with a `_bench` database when set.)
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from sqlalchemy import make_url

from benchmarks.common import ROOT, Figures, _free_port, demo_server, load, signed_in_client, stop
from tests.conftest import reset_database

MODEL = "mlops-full"


def _drafts(client: httpx.Client, count: int) -> list[int]:
    team_id = client.get("/api/v1/assessments").json()[0]["team_id"]
    ids = []
    for n in range(count):
        response = client.post(
            "/api/v1/assessments",
            headers={"X-CSRF-Token": client.cookies["hoshin_csrf"]},
            json={"team_id": team_id, "model": MODEL, "period": f"{2030 + n // 4}-Q{n % 4 + 1}"},
        )
        response.raise_for_status()
        ids.append(response.json()["id"])
    return ids


def _questions(client: httpx.Client) -> list[tuple[str, list[str]]]:
    content = client.get(f"/api/v1/models/{MODEL}").json()["content"]
    return [
        (q["id"], [c["id"] for c in q["choices"]])
        for d in content["dimensions"]
        for c in d["capabilities"]
        for q in c["questions"]
    ]


def measure_saves(
    server_url: str,
    clients: int,
    seconds: float,
    client: httpx.Client,
    drafts: list[int],
    versions: dict[tuple[int, str], int],
    *,
    pause: float = 0.0,
) -> Figures:
    """Each client saves answers in its own draft, tracking answer versions as the page does."""
    questions = _questions(client)
    token = client.cookies["hoshin_csrf"]
    headers = {"HX-Request": "true", "X-CSRF-Token": token}

    async def save(http: httpx.AsyncClient, n: int) -> httpx.Response:
        worker, count = divmod(n, 1_000_000)
        draft = drafts[worker]
        question, choices = questions[count % len(questions)]
        key = (draft, question)
        response = await http.post(
            f"/assessments/{draft}/answers/{question}",
            headers=headers,
            data={"choice": choices[count % len(choices)], "version": versions.get(key, 0)},
        )
        if response.status_code == 200:
            versions[key] = versions.get(key, 0) + 1
        return response

    name = f"answer save, {'paced ~1/s' if pause else 'flat out'}"
    return load(
        name,
        save,
        base_url=server_url,
        cookies=client.cookies,
        concurrency=clients,
        seconds=seconds,
        pause=pause,
    )


@contextmanager
def bare_server() -> Iterator[str]:
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "benchmarks.bare_app:app",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=ROOT,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                httpx.post(f"{url}/echo", data={"choice": "x"}, timeout=1)
                break
            except httpx.HTTPError:
                import time

                time.sleep(0.1)
        yield url
    finally:
        stop(process)


def _postgres_url(given: str | None) -> str | None:
    server = given or os.environ.get("HOSHIN_TEST_DATABASE_URL")
    if not server:
        return None
    url = make_url(server)
    return (
        url.set(
            database=f"{url.database.split('_')[0] if given is None else url.database}_bench"
        ).render_as_string(hide_password=False)
        if given is None
        else server
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--postgres", help="PostgreSQL URL (a database this script may empty)")
    args = parser.parse_args()
    with bare_server() as bare:
        baseline = load(
            "bare FastAPI form endpoint",
            lambda c, n: c.post("/echo", data={"choice": str(n)}),
            base_url=bare,
            concurrency=args.clients,
            seconds=args.seconds,
        )
    print(f"{args.clients} concurrent clients, {args.seconds:.0f} s per run, one uvicorn worker")
    print(baseline.line())
    databases = [("SQLite", None)]
    postgres = _postgres_url(args.postgres)
    if postgres:
        databases.append(("PostgreSQL", postgres))
    for name, url in databases:
        if url:
            reset_database(url)
        with demo_server(url) as server:
            client = signed_in_client(server, "ren.sato@example.com")
            drafts = _drafts(client, args.clients)
            versions: dict[tuple[int, str], int] = {}
            flat = measure_saves(server.url, args.clients, args.seconds, client, drafts, versions)
            paced = measure_saves(server.url, args.clients, args.seconds, client, drafts, versions, pause=1.0)
        print(f"[{name}] {flat.line()}")
        print(f"[{name}] throughput = {flat.throughput / baseline.throughput:.2f} x the bare endpoint")
        print(f"[{name}] {paced.line()}")


if __name__ == "__main__":
    main()
