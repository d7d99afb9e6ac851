"""Page rendering on the demo data, beside /healthz (no database, no template) in the same run.

Usage: uv run python benchmarks/pages.py [--seconds 5] [--concurrency 10] [--postgres URL]
Prints throughput and latency percentiles per endpoint and the page/baseline ratios.
"""

from __future__ import annotations

import argparse
import statistics

import httpx

from benchmarks.common import demo_server, load, signed_in_client


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--postgres", help="a PostgreSQL URL to use instead of SQLite")
    args = parser.parse_args()
    with demo_server(args.postgres) as server:
        cookies = signed_in_client(server, "admin@example.com").cookies
        single = []
        with httpx.Client(base_url=server.url, cookies=cookies) as client:
            for _ in range(50):
                response = client.get("/")
                single.append(response.elapsed.total_seconds() * 1000)
        engine = server.database_url.split(":")[0]
        print(f"database: {engine}; {args.concurrency} clients for {args.seconds:.0f} s each")
        print(f"teams page, one client at a time: median {statistics.median(single):.1f} ms over 50 requests")
        runs = {}
        for name, path in [("baseline /healthz", "/healthz"), ("teams page /", "/")]:
            runs[name] = load(
                name,
                lambda c, _i, p=path: c.get(p),
                base_url=server.url,
                cookies=cookies,
                concurrency=args.concurrency,
                seconds=args.seconds,
            )
            print(runs[name].line())
        base, page = runs["baseline /healthz"], runs["teams page /"]
        print(f"ratio: teams page throughput = {page.throughput / base.throughput:.2f} x baseline")


if __name__ == "__main__":
    main()
