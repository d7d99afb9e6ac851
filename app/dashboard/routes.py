"""The leadership dashboard: teams side by side over the last quarters of one maturity model."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from app.dashboard import compare, service
from app.dashboard import view as page
from app.deps import CurrentUser, SessionDep
from app.kit.time import utcnow
from app.roadmap import view as roadmap_view
from app.web import locale_of, render

router = APIRouter(include_in_schema=False)


@router.get("/dashboard", name="dashboard")
def dashboard(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    model: Annotated[str | None, Query(max_length=80)] = None,
    sort: Annotated[str, Query(max_length=20)] = "team",
    order: Annotated[str, Query(max_length=4)] = "asc",
) -> Response:
    """Levels, changes, gaps and progress of every team the viewer may see, quarter by quarter."""
    sort = sort if sort in service.SORT_VALUES else "team"
    descending = order == "desc"
    board = service.build(
        session, user=user, model_slug=model, today=utcnow().date(), sort=sort, descending=descending
    )
    context = {
        "board": board,
        "trends": page.trends(board, locale=locale_of(request)),
        "sort": sort,
        "links": page.sort_links(sort, descending),
        "heat_class": compare.heat_class,
        "model_names": roadmap_view.model_names(session, locale_of(request)),
    }
    return render(request, "dashboard/page.html", context)
