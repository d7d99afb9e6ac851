"""Team pages."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.assessments import service as assessments_service
from app.deps import CurrentUser, SessionDep
from app.teams import service
from app.web import render

router = APIRouter(include_in_schema=False)


@router.get("/", name="home")
def home(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """The organisation at a glance: every team, its latest assessment and what is in progress."""
    teams = service.overview(session)
    latest = [row.latest_submitted for row in teams if row.latest_submitted is not None]
    results = assessments_service.results_for(session, assessments=latest)
    levels = {assessment_id: result.overall for assessment_id, result in results.items()}
    return render(request, "teams/overview.html", {"teams": teams, "levels": levels})
