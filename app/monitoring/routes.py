"""GET /metrics: the Prometheus exposition, for the scrapers the installation allows."""

from __future__ import annotations

from fastapi import APIRouter, Request
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.responses import PlainTextResponse, Response

from app.config import Settings
from app.deps import SessionDep
from app.errors import NotFound
from app.kit.time import utcnow
from app.monitoring import access, collector, service

router = APIRouter(include_in_schema=False)
REFUSALS = {
    401: ("A bearer token is required.", {"WWW-Authenticate": 'Bearer realm="metrics"'}),
    403: ("This scraper is not allowed.", {}),
}


@router.get("/metrics", name="metrics")
def metrics(request: Request, session: SessionDep) -> Response:
    """Request, PDF and database counters and the organisation's gauges; 404 while metrics are off."""
    status = access.refusal(
        _rules(request.app.state.settings),
        authorization=request.headers.get("Authorization"),
        client=request.client.host if request.client else None,
    )
    if status == 404:
        raise NotFound  # as if there were no such page
    if status is not None:
        text, headers = REFUSALS[status]
        return PlainTextResponse(text, status_code=status, headers={**headers, "Cache-Control": "no-store"})
    data = collector.exposition(service.snapshot(session, now=utcnow()))
    return Response(data, media_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})


def _rules(settings: Settings) -> access.Rules:
    return access.Rules(token=settings.metrics_token, allowed=access.networks(settings.metrics_allow))
