"""create_app(): settings, database, middleware, routers, static files and error handlers."""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine

from app import errors
from app.admin.routes import router as admin_router
from app.api import api_router
from app.assessments.api import router as assessments_api
from app.assessments.routes import router as assessments_router
from app.assessments.target_routes import router as targets_router
from app.auth import csrf
from app.auth.routes import router as auth_router
from app.config import PROJECT_ROOT, Settings, get_settings, resolve_secret_key
from app.dashboard.routes import router as dashboard_router
from app.db import make_engine, make_session_factory, make_write_session_factory
from app.kit import limits
from app.kit.priority import ChangesInFlight
from app.kit.urls import UrlCache
from app.kit.write_gate import WriteGate
from app.maturity.routes import router as maturity_router
from app.middleware import BodyLimit, PdfSlots, ReadSlots, ShellMiddleware
from app.okrs.api import router as okrs_api
from app.okrs.routes import router as okrs_router
from app.reports import cache as report_cache
from app.reports.routes import router as reports_router
from app.roadmap.api import router as roadmap_api
from app.roadmap.checklists.api import router as checklists_api
from app.roadmap.checklists.routes import router as checklists_router
from app.roadmap.exports.routes import router as roadmap_exports
from app.roadmap.routes import router as roadmap_router
from app.system.routes import router as system_router
from app.teams.routes import router as teams_router
from app.users.routes import router as users_router


def create_app(settings: Settings | None = None, *, engine: Engine | None = None) -> FastAPI:
    """Build the application; tests pass their own settings and an engine bound to a test database."""
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
    app.state.urls = UrlCache()  # what templates' url_for gives, memoised (app/kit/urls.py)
    # SQLite has one writer at a time: queue writers here (prompt hand-off) rather than in SQLite's
    # busy handler, which sleeps in steps and lets a convoy build up under concurrent saves.
    app.state.write_gate = _write_gate(app.state.engine)
    app.add_middleware(PdfSlots, slots=settings.pdf_slots)  # inside the shell: its refusal is localised
    # inside the shell, so a 413 has its locale and headers
    app.add_middleware(BodyLimit, limit=limits.BODY, larger={"/admin/models": limits.UPLOAD_BODY})
    app.add_middleware(ShellMiddleware, https=settings.https)
    app.state.changes = ChangesInFlight()  # pages give way to saves at each query (app/kit/priority.py)
    if settings.read_slots > 0:
        app.state.changes.make_readers_give_way(app.state.session_factory)
    # outermost: queued requests cost nothing yet
    app.add_middleware(ReadSlots, slots=settings.read_slots, changes=app.state.changes)
    errors.install(app)
    app.mount("/static", StaticFiles(directory=PROJECT_ROOT / "static"), name="static")
    for router in (
        system_router,
        auth_router,
        teams_router,
        assessments_router,
        targets_router,
        assessments_api,
    ):
        app.include_router(router)
    for router in (users_router, admin_router, api_router, maturity_router, reports_router):
        app.include_router(router)
    for router in (roadmap_router, roadmap_exports, roadmap_api):
        app.include_router(router)
    app.include_router(dashboard_router)
    for router in (checklists_router, checklists_api):
        app.include_router(router)
    for router in (okrs_router, okrs_api):
        app.include_router(router)
    return app


def _write_gate(engine: Engine) -> WriteGate | None:
    """SQLite's writers queue at one gate, shared by every worker process serving the same file."""
    if engine.dialect.name != "sqlite":
        return None
    database = engine.url.database
    return WriteGate(Path(f"{database}.writer-lock") if database and database != ":memory:" else None)
