"""The performance machinery's switches: which optimisations a process runs, from one setting.

Each mechanism is one module under app/server/ (the render process's collector tuning is in
app/reports/render.py, which app/server depends on), wired in app/main.py only, and each can be turned
off with `HOSHIN_MACHINERY_OFF` (a comma list of the names below) without changing what the app does,
only how fast: docs/performance.md says what each one is for and how to measure whether it still pays
its way (`benchmarks/machinery.py`).
"""

from __future__ import annotations

from dataclasses import dataclass

# name -> what it does (one line; docs/performance.md has the paragraph)
MECHANISMS: dict[str, str] = {
    "read_slots": "a few reading requests at a time per process; changes skip the queue (read_slots.py)",
    "give_way": "pages pause at queries and in templates while a change is in flight (priority.py)",
    "startup_freeze": "the served process freezes what it loaded at start-up out of the collector's reach",
    "warm_freeze": "the served process freezes again after its 200th and 2,000th request (heap.py)",
    "url_memo": "templates' url_for answers from a memo (url_memo.py)",
    "render_gc": "the render process collects once after each render instead of during it (render.py)",
    "bookkeeping": "on SQLite a page skips its last-seen write while a change holds the database (deps.py)",
    "sync_pause": "a sync's git stops while the server answers requests (sync_pause.py, kit/in_flight.py)",
}

# Off by default on a database where a mechanism is measured not to pay (dialect name -> names): none yet,
# docs/performance.md says which are candidates ("read_slots" on PostgreSQL).
DEFAULT_OFF: dict[str, frozenset[str]] = {}


class UnknownMechanism(ValueError):
    """A name in HOSHIN_MACHINERY_OFF that is not one of MECHANISMS."""


@dataclass(frozen=True)
class Machinery:
    """Which mechanisms are off in this process."""

    off: frozenset[str] = frozenset()

    def on(self, name: str) -> bool:
        if name not in MECHANISMS:
            raise UnknownMechanism(name)
        return name not in self.off


def parse_off(text: str) -> frozenset[str]:
    """The names in a comma list ("" = none); raises UnknownMechanism naming the first unknown one."""
    names = frozenset(part.strip() for part in text.split(",") if part.strip())
    unknown = sorted(names - MECHANISMS.keys())
    if unknown:
        raise UnknownMechanism(
            f"HOSHIN_MACHINERY_OFF: unknown mechanism {unknown[0]!r} (known: {', '.join(MECHANISMS)})"
        )
    return names


def choose(off: str | None, *, dialect: str) -> Machinery:
    """What runs: exactly the mechanisms not listed in `off`, or the database's defaults when unset."""
    if off is None:
        return Machinery(DEFAULT_OFF.get(dialect, frozenset()))
    return Machinery(parse_off(off))
