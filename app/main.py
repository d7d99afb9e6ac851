"""create_app(): settings, database, middleware, routers, static files and error handlers."""

from __future__ import annotations

import gc
import logging

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine

from app import errors, web
from app.admin.routes import router as admin_router
from app.api import api_router
from app.assessments.api import router as assessments_api
from app.assessments.evidence.api import router as evidence_api
from app.assessments.evidence.routes import router as evidence_router
from app.assessments.exports.routes import router as assessment_exports
from app.assessments.routes import router as assessments_router
from app.assessments.targets.api import router as targets_api
from app.assessments.targets.routes import router as targets_router
from app.auth import csrf
from app.auth.routes import router as auth_router
from app.config import PROJECT_ROOT, Settings, get_settings, resolve_secret_key
from app.dashboard.routes import router as dashboard_router
from app.dashboard.team.routes import router as team_dashboard_router
from app.db import make_engine, make_session_factory, make_write_session_factory
from app.delivery.api import router as delivery_api
from app.delivery.routes import router as delivery_router
from app.deps import SESSION_COOKIE
from app.kit import limits
from app.learning.routes import router as learning_router
from app.maturity.routes import router as maturity_router
from app.monitoring import instruments
from app.monitoring.routes import router as monitoring_router
from app.okrs.api import router as okrs_api
from app.okrs.org.routes import router as org_okrs_router
from app.okrs.routes import router as okrs_router
from app.reports import cache as report_cache
from app.reports import render
from app.reports.routes import router as reports_router
from app.reviews.routes import router as reviews_router
from app.roadmap.api import router as roadmap_api
from app.roadmap.checklists.api import router as checklists_api
from app.roadmap.checklists.routes import router as checklists_router
from app.roadmap.exports.routes import router as roadmap_exports
from app.roadmap.routes import router as roadmap_router
from app.server import write_gate
from app.server.body_limit import BodyLimit
from app.server.heap import FreezeWhenWarm
from app.server.machinery import choose
from app.server.pdf_slots import PdfSlots
from app.server.priority import ChangesInFlight, CountChanges
from app.server.read_slots import ReadSlots
from app.server.request_metrics import RequestMetrics
from app.server.shell import ShellMiddleware
from app.server.stop_renders import StopRendersOnSignals
from app.server.sync_pause import CountRequests
from app.server.url_memo import UrlCache
from app.signals.api import router as signals_api
from app.signals.routes import router as signals_router
from app.sync_followers import FOLLOWERS
from app.system.routes import router as system_router
from app.teams.api import router as teams_api
from app.teams.raci.routes import router as raci_router
from app.teams.routes import router as teams_router
from app.transfer.routes import router as transfer_router
from app.users.routes import router as users_router


def create_app(
    settings: Settings | None = None, *, engine: Engine | None = None, served: bool = False
) -> FastAPI:
    """Build the application; tests pass their own settings and an engine bound to a test database.

    `served`: the app uvicorn serves (app/asgi.py), which also tunes the heap and runs the render process.
    """
    settings = settings or get_settings()
    logging.basicConfig(level=settings.log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    app = FastAPI(
        title="Hoshin",
        version="0.1.0",
        description="MLOps maturity assessments and roadmaps. JSON API under /api/v1.",
        dependencies=[Depends(csrf.verify)],
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.secret_key = resolve_secret_key(settings)
    app.state.engine = engine or make_engine(settings.database_url)
    app.state.session_factory = make_session_factory(app.state.engine)
    app.state.write_session_factory = make_write_session_factory(app.state.engine)
    app.state.report_keys = report_cache.key_memo()
    errors.install(app)
    app.mount("/static", StaticFiles(directory=PROJECT_ROOT / "static"), name="static")
    for router in ROUTERS:
        app.include_router(router)
    _install_server(app, settings)
    if served:
        _install_served(app)
    return app


ROUTERS = (
    system_router,
    auth_router,
    teams_router,
    teams_api,
    raci_router,
    assessments_router,
    assessment_exports,
    targets_router,
    targets_api,
    assessments_api,
    evidence_router,
    evidence_api,
    users_router,
    admin_router,
    api_router,
    maturity_router,
    transfer_router,
    reports_router,
    roadmap_router,
    roadmap_exports,
    roadmap_api,
    dashboard_router,
    team_dashboard_router,
    checklists_router,
    checklists_api,
    okrs_router,
    learning_router,
    org_okrs_router,
    okrs_api,
    reviews_router,
    signals_router,
    signals_api,
    delivery_router,
    delivery_api,
    monitoring_router,
)


def _install_server(app: FastAPI, settings: Settings) -> None:
    """The server's policies (app/server/), each one module; middleware added last runs first. The
    performance machinery is wired here only, each piece on unless HOSHIN_MACHINERY_OFF names it
    (app/server/machinery.py; docs/performance.md says what each is for)."""
    machinery = app.state.machinery = choose(settings.machinery_off, dialect=app.state.engine.dialect.name)
    app.state.urls = UrlCache() if machinery.on("url_memo") else None  # templates' url_for, memoised
    # SQLite has one writer at a time: queue writers here (prompt hand-off) rather than in SQLite's
    # busy handler, which sleeps in steps and lets a convoy build up under concurrent saves.
    app.state.write_gate = write_gate.for_engine(app.state.engine)
    # a page's bookkeeping write on SQLite: skipped while a change holds the gate, or waited for
    app.state.bookkeeping_wait = 0.0 if machinery.on("bookkeeping") else BOOKKEEPING_WAIT
    render.tune_gc(machinery.on("render_gc"))
    app.state.sync_followers = FOLLOWERS  # what a good sync also changes (app/signals/sync.py)
    slots, per_reader = settings.pdf_slots, settings.pdf_slots_per_reader
    # inside the shell: its refusal is localised
    app.add_middleware(PdfSlots, slots=slots, per_reader=per_reader, reader_cookie=SESSION_COOKIE)
    # inside the shell, so a 413 has its locale and headers
    uploads = {"/admin/models": limits.UPLOAD_BODY, "/admin/transfer/import": limits.EXPORT_BODY}
    app.add_middleware(BodyLimit, limit=limits.BODY, larger=uploads)
    app.add_middleware(ShellMiddleware, https=settings.https)
    app.state.changes = None
    if machinery.on("give_way"):  # pages give way to saves at each query and in their templates
        app.state.changes = ChangesInFlight()
        app.state.changes.make_readers_give_way(app.state.session_factory)
        app.add_middleware(CountChanges, changes=app.state.changes)
    # outermost but for RequestMetrics: queued requests cost nothing yet
    if machinery.on("read_slots") and settings.read_slots > 0:
        app.add_middleware(ReadSlots, slots=settings.read_slots)
    if machinery.on("sync_pause"):  # a waiting request counts too: git stops until it is answered
        app.add_middleware(CountRequests)
    # /metrics: around everything above, so that a request's time includes its wait for a read slot
    app.add_middleware(RequestMetrics)
    instruments.count_database_errors(app.state.engine)


# seconds a page on SQLite waits for the write gate to record its bookkeeping when "bookkeeping" is off
BOOKKEEPING_WAIT = 1.0


def _install_served(app: FastAPI) -> None:
    """What only the served process does: compile every template, keep the start-up heap out of the
    collector's full passes (and again once requests warmed it), start the render process and stop it
    first on SIGTERM/SIGINT."""
    machinery = app.state.machinery
    web.compile_all()  # before the freeze below: the compiled templates live as long as the process
    if machinery.on("startup_freeze"):  # what is loaded by now lives as long as the process
        gc.collect()
        gc.freeze()
    if machinery.on("warm_freeze"):
        app.add_middleware(FreezeWhenWarm, skip=ReadSlots.SKIP_PREFIXES)
    render.warm_up()  # the served process (not every app the tests create) starts it right away
    app.add_middleware(StopRendersOnSignals)
