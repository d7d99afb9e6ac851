"""Team pages."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.deps import CurrentUser, SessionDep
from app.teams import service
from app.web import render

router = APIRouter(include_in_schema=False)


@router.get("/", name="home")
def home(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """The organisation at a glance: every team, its latest assessment and what is in progress."""
    return render(request, "teams/overview.html", {"teams": service.overview(session)})
