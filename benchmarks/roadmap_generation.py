"""Roadmap generation time: the shipped catalogue with realistic gaps, and a synthetic 300-capability one.

Usage: uv run python benchmarks/roadmap_generation.py [--runs 50]
Each figure is a median over repeated runs, printed beside a baseline measured in the same run (a plain
topological sort of the same catalogue's prerequisites) and the ratio between them. Goals: under 50 ms
for the shipped catalogue, under 1 s for 300 capabilities.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from datetime import date
from typing import Any

from app.catalogue.loader import builtin_catalogue
from app.catalogue.schema import Catalogue
from app.roadmap.planner.generate import PlanInput, generate
from app.roadmap.planner.plan import PocCandidate
from app.roadmap.planner.scheduling import topological_order

SEED = 20270101
PHASES = ("foundation", "automation", "monitoring", "optimisation")
ROLES = ("mlops_engineer", "data_engineer", "ml_engineer", "data_scientist", "product_owner")
TEAM = {"mlops_engineer": 0.4, "ml_engineer": 0.3, "data_scientist": 0.3}


def realistic_gaps(catalogue: Catalogue, rng: random.Random) -> dict[str, tuple[int, int]]:
    """Most capabilities at level 0-2 aiming at 3, a few at 4, some already there."""
    gaps = {}
    for capability in catalogue.capabilities:
        current = rng.choice((0, 1, 1, 2, 2, 3))
        gaps[capability.id] = (current, max(current, rng.choice((3, 3, 3, 4))))
    return gaps


def synthetic_catalogue(size: int, rng: random.Random) -> Catalogue:
    """`size` capabilities, each with up to 3 prerequisites among the 30 before it: a random DAG."""
    text = {"en": "x", "ja": "エックス"}
    capabilities = []
    for n in range(size):
        prerequisites = sorted(
            {f"c{rng.randrange(max(0, n - 30), n)}" for _ in range(rng.randint(0, 3))} if n else []
        )
        capabilities.append(
            {
                "id": f"c{n}",
                "dimension": "d",
                "name": text,
                "levels": dict.fromkeys(range(5), text),
                "phase": PHASES[min(3, 4 * n // size)],
                "prerequisites": prerequisites,
                "effort": {step: _effort(rng) for step in range(1, 5)},
                "raci": {rng.choice(ROLES[:3]): "A", "data_scientist": "R"},
                "tools": [f"t{rng.randrange(12)}"],
                "key_results": [{"id": "kr", "text": text, "metric": "milestone"}],
                "checklist": [{"id": f"s{k}", "text": text} for k in range(3)],
            }
        )
    return Catalogue.model_validate(_catalogue(capabilities, text))


def _effort(rng: random.Random) -> dict[str, float]:
    low = round(rng.uniform(0.2, 1.5), 1)
    return {"low": low, "high": round(low * rng.uniform(1, 2), 1)}


def _catalogue(capabilities: list[dict[str, Any]], text: dict[str, str]) -> dict[str, Any]:
    return {
        "id": "synthetic",
        "version": "1.0",
        "name": text,
        "roles": [{"id": r, "name": text} for r in ROLES],
        "tools": [{"id": f"t{k}", "name": f"Tool {k}", "description": text} for k in range(12)],
        "dimensions": [{"id": "d", "name": text}],
        "capabilities": capabilities,
        "risks": builtin_catalogue().model_dump()["risks"],
    }


def median_ms(run: Callable[[], object], runs: int) -> float:
    """The median wall time of `run` in milliseconds, after one warm-up call."""
    run()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def measure(name: str, plan_input: PlanInput, runs: int, goal_ms: float) -> None:
    catalogue = plan_input.catalogue
    after = {c.id: [p.capability for p in c.prerequisites] for c in catalogue.capabilities}
    baseline = median_ms(lambda: topological_order(after, after), runs)
    generation = median_ms(lambda: generate(plan_input), runs)
    plan = generate(plan_input)
    verdict = "meets" if generation < goal_ms else "MISSES"
    size = len(catalogue.capabilities)
    print(f"{name}: {size} capabilities -> {len(plan.items)} items, {len(plan.beyond)} beyond")
    print(f"  baseline (topological sort)   median {baseline:8.3f} ms")
    print(f"  generate (full plan)          median {generation:8.3f} ms  ratio {generation / baseline:7.0f}x")
    print(f"  goal < {goal_ms:.0f} ms: {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    rng = random.Random(SEED)
    shipped = builtin_catalogue()
    candidates = [PocCandidate("churn", 4, 4, True), PocCandidate("fraud", 5, 2, False)]
    start = date(2027, 1, 1)
    realistic = PlanInput(
        realistic_gaps(shipped, rng), shipped, [9.0], start, TEAM, poc_candidates=candidates
    )
    measure("shipped catalogue", realistic, args.runs, goal_ms=50)
    big = synthetic_catalogue(300, rng)
    synthetic = PlanInput(realistic_gaps(big, rng), big, [60.0], start, TEAM)
    measure("synthetic catalogue", synthetic, max(5, args.runs // 5), goal_ms=1000)


if __name__ == "__main__":
    main()
