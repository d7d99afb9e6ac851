"""The leadership dashboard: teams side by side over the quarters of one maturity model, with filters by
team and quarter, and two quarters or two teams compared."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from app.dashboard import compare, filters, service
from app.dashboard import view as page
from app.deps import CurrentUser, SessionDep
from app.i18n import N_
from app.kit.time import utcnow
from app.roadmap import view as roadmap_view
from app.web import locale_of, render

router = APIRouter(include_in_schema=False)
Field = Annotated[str, Query(max_length=20)]


def filter_query(
    team: Annotated[list[str] | None, Query()] = None,  # each checked by filters.parse
    since: Field = "",
    until: Field = "",
    quarter_a: Field = "",
    quarter_b: Field = "",
    team_a: Field = "",
    team_b: Field = "",
) -> filters.Filters:
    """The filter and comparison fields of the query, checked for form (errors kept for the page)."""
    query = filters.Query(tuple(team or ()), since, until, quarter_a, quarter_b, team_a, team_b)
    return filters.parse(query)


FilterQuery = Annotated[filters.Filters, Depends(filter_query)]


@router.get("/dashboard", name="dashboard")
def dashboard(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    wanted: FilterQuery,
    model: Annotated[str | None, Query(max_length=80)] = None,
    sort: Annotated[str, Query(max_length=20)] = "team",
    order: Annotated[str, Query(max_length=4)] = "asc",
) -> Response:
    """Levels, changes, gaps and progress of every team the viewer may see (or those the filter names),
    quarter by quarter; each area's trend; two quarters or two teams side by side."""
    sort = sort if sort in service.SORT_VALUES else "team"
    descending = order == "desc"
    board = service.build(
        session,
        user=user,
        model_slug=model,
        today=utcnow().date(),
        sort=sort,
        descending=descending,
        filters=wanted,
    )
    locale = locale_of(request)
    context = {
        "board": board,
        "trends": page.trends(board, locale=locale),
        "area_chart": _area_chart(board, locale),
        "query": lambda **more: page.query(board, **more),
        "filter_pairs": page.filter_pairs(board),
        "sort": sort,
        "order": order,
        "links": page.sort_links(sort, descending),
        "heat_class": compare.heat_class,
        "model_names": roadmap_view.model_names(session, locale),
    }
    return render(request, "dashboard/page.html", context, status_code=422 if board.errors else 200)


def _area_chart(board: service.Dashboard, locale: str) -> object:
    if board.trend is None:
        return None
    title = page.translated(N_("Mean level by area over the teams, by quarter"), locale)
    return page.area_chart(
        board.trend.periods, board.trend.areas, board.dimensions, title=title, locale=locale
    )
