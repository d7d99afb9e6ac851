"""What the dashboard template needs beyond the service's figures: trend charts, sort and filter links."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from markupsafe import Markup

from app import i18n
from app.dashboard.service import Dashboard
from app.dashboard.trend import Series, line_chart_svg, sparkline_svg
from app.i18n import N_
from app.maturity.schema import Dimension

# A first click on these columns puts the biggest value first.
DESCENDING_FIRST = {"level", "change", "gap", "roadmap", "okrs", "checklists"}


def trends(dashboard: Dashboard, *, locale: str) -> dict[int, Markup]:
    """Each team's trend line, titled in words for screen readers in `locale` (team id → SVG)."""
    i18n.current_locale.set(locale)
    out = {}
    for row in dashboard.rows:
        points = ", ".join(
            f"{period} {level:.1f}" if level is not None else f"{period} –"
            for period, level in zip(dashboard.periods, row.trend, strict=True)
        )
        title = i18n.gettext(N_("Overall level of %(team)s by quarter: %(points)s")) % {
            "team": row.team.name,
            "points": points,
        }
        out[row.team.id] = Markup(sparkline_svg(row.trend, title=title))  # noqa: S704 - it escapes all text
    return out


@dataclass(frozen=True)
class SortLink:
    order: str  # what a click asks for: "asc" or "desc"
    current: str | None  # aria-sort of the column: "ascending", "descending" or None


def sort_links(sort: str, descending: bool) -> dict[str, SortLink]:
    """For each sortable column: the order a click asks for, and whether the table is sorted by it now."""
    out = {}
    for key in ("team", *sorted(DESCENDING_FIRST)):
        if key == sort:
            out[key] = SortLink("asc" if descending else "desc", "descending" if descending else "ascending")
        else:
            out[key] = SortLink("desc" if key in DESCENDING_FIRST else "asc", None)
    return out


def area_chart(
    periods: Sequence[str],
    levels: dict[str, tuple[float | None, ...]],
    dimensions: Sequence[Dimension],
    *,
    title: str,
    locale: str,
) -> Markup:
    """A line per area (in the model's order, named in `locale`) over the quarters, titled in words."""
    series = [Series(d.name.get(locale), levels.get(d.id, ())) for d in dimensions]
    return Markup(line_chart_svg(periods, series, title=title))  # noqa: S704 - it escapes all text


def filter_pairs(board: Dashboard) -> list[tuple[str, str]]:
    """The filters in force (those refused left out), as query parameters in the form's order."""
    pairs = [("model", board.model.slug)] if board.model else []
    if "team" not in board.errors:
        pairs += [("team", str(t)) for t in board.filters.teams]
    for name in ("since", "until"):
        value = getattr(board.filters, name)
        if value and name not in board.errors:
            pairs.append((name, value))
    return pairs


def query(board: Dashboard, **more: str) -> str:
    """The query string of a dashboard link that keeps the filters in force and adds `more`."""
    return urlencode([*filter_pairs(board), *more.items()])


def translated(message: str, locale: str, **params: object) -> str:
    """A message in `locale` (for text built outside a template, such as a chart's title)."""
    i18n.current_locale.set(locale)
    text = i18n.gettext(message)
    return text % params if params else text
