"""What the dashboard template needs beyond the service's figures: trend charts and sort links."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from app import i18n
from app.dashboard.service import Dashboard
from app.dashboard.trend import sparkline_svg
from app.i18n import N_

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
