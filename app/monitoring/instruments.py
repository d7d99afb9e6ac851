"""The server process's own counters: requests by route template, PDF renders and cache look-ups, and
database errors. With PROMETHEUS_MULTIPROC_DIR set (`hoshin serve --workers N` sets it) prometheus-client
keeps them in files the workers share, so that any worker's /metrics adds up all of them."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram
from sqlalchemy import Engine, event
from sqlalchemy.engine import ExceptionContext

REGISTRY = CollectorRegistry()

REQUESTS = Counter(
    "hoshin_http_requests",
    "HTTP requests answered, by method, route template and status code.",
    ["method", "route", "status"],
    registry=REGISTRY,
)
REQUEST_SECONDS = Histogram(
    "hoshin_http_request_duration_seconds",
    "Time from a request's arrival to the end of its answer, by method and route template.",
    ["method", "route"],
    registry=REGISTRY,
)
PDF_RENDERS = Counter(
    "hoshin_pdf_renders",
    "PDF renders asked of the render processes, by report kind and outcome "
    "(ok, timeout, busy, stopped, error).",
    ["kind", "outcome"],
    registry=REGISTRY,
)
PDF_RENDER_SECONDS = Histogram(
    "hoshin_pdf_render_duration_seconds",
    "Time a successful PDF render took, by report kind.",
    ["kind"],
    buckets=(0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120),
    registry=REGISTRY,
)
PDF_CACHE = Counter(
    "hoshin_pdf_cache_lookups",
    "PDF downloads by whether the stored PDF served them (hit) or a render did (miss).",
    ["kind", "result"],
    registry=REGISTRY,
)
DATABASE_ERRORS = Counter(
    "hoshin_database_errors",
    "Errors the database driver raised, by their DB-API class (OperationalError, IntegrityError, ...).",
    ["error"],
    registry=REGISTRY,
)

# Label values known in advance start at 0, so that rate() and alerts see a series before the first event.
PDF_KINDS = ("assessment", "organisation", "roadmap", "action-plan")
PDF_OUTCOMES = ("ok", "timeout", "busy", "stopped", "error")
CACHE_RESULTS = ("hit", "miss")
# PEP 249's exception classes, as SQLAlchemy names its wrappers of them; anything else is "other".
DATABASE_ERROR_KINDS = frozenset(
    {
        "InterfaceError",
        "DatabaseError",
        "DataError",
        "OperationalError",
        "IntegrityError",
        "InternalError",
        "ProgrammingError",
        "NotSupportedError",
    }
)


def _start_at_zero() -> None:
    for kind in PDF_KINDS:
        PDF_RENDER_SECONDS.labels(kind)
        for outcome in PDF_OUTCOMES:
            PDF_RENDERS.labels(kind, outcome)
        for result in CACHE_RESULTS:
            PDF_CACHE.labels(kind, result)
    for error in (*sorted(DATABASE_ERROR_KINDS), "other"):
        DATABASE_ERRORS.labels(error)


_start_at_zero()


def pdf_rendered(kind: str, outcome: str, seconds: float) -> None:
    """Count one render asked of the render processes (its time only when it succeeded)."""
    PDF_RENDERS.labels(kind, outcome).inc()
    if outcome == "ok":
        PDF_RENDER_SECONDS.labels(kind).observe(seconds)


def pdf_looked_up(kind: str, result: str) -> None:
    """Count one PDF download served from the cache ("hit") or rendered ("miss")."""
    PDF_CACHE.labels(kind, result).inc()


def count_database_errors(engine: Engine) -> None:
    """Count every error the engine's driver raises (once per engine, however many apps share it)."""
    if not event.contains(engine, "handle_error", _database_error):
        event.listen(engine, "handle_error", _database_error)


def _database_error(context: ExceptionContext) -> None:
    name = type(context.sqlalchemy_exception or context.original_exception).__name__
    DATABASE_ERRORS.labels(name if name in DATABASE_ERROR_KINDS else "other").inc()
