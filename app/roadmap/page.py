"""What the roadmap pages (and later the PDF) show, built from a RoadmapView: chart, labels, groups."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from app.maturity import service as maturity_service
from app.maturity.schema import Text
from app.roadmap.catalogue import builtin_catalogue
from app.roadmap.catalogue_schema import Phase
from app.roadmap.gantt import Bar, gantt_svg
from app.roadmap.plan import MONTHS, Item, add_months
from app.roadmap.reasons import PHASE_NAMES
from app.roadmap.service import RoadmapView

EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
DAYS_PER_MONTH = 30.44


@dataclass(frozen=True)
class PhaseGroup:
    phase: Phase
    name: str
    items: tuple[Item, ...]


def month_labels(start: date, locale: str, separator: str = " ") -> list[str]:
    """The plan's 12 months with their years, e.g. "Jan 2027" or "2027年1月"; `separator` "\\n"
    puts the month first and the year on a second line (the Gantt chart's narrow columns)."""
    months = [add_months(start, n) for n in range(MONTHS)]
    if locale == "ja":
        if separator == " ":
            return [f"{m.year}年{m.month}月" for m in months]
        return [f"{m.month}月{separator}{m.year}年" for m in months]
    return [f"{EN_MONTHS[m.month - 1]}{separator}{m.year}" for m in months]


def month_choices(start: date, locale: str) -> list[tuple[int, str]]:
    """(0-based month, "Month 3 (Mar 27)") pairs for the move and add forms."""
    labels = month_labels(start, locale)
    return [(n, f"{n + 1} · {labels[n]}") for n in range(MONTHS)]


def today_index(start: date, today: date) -> float:
    return (today - start).days / DAYS_PER_MONTH


def chart(view: RoadmapView, *, locale: str, title: str, today: date, font_family: str | None = None) -> str:
    """The Gantt SVG of the current plan, items in schedule order, bars coloured by status."""
    bars = [
        Bar(i.title.get(locale), i.start_month, i.end_month, view.status(i.id), i.id in view.pinned)
        for i in view.plan.items
    ]
    return gantt_svg(
        bars,
        months=month_labels(view.roadmap.start_date, locale, "\n"),
        phases=[PHASE_NAMES[p].get(locale).split("（")[0].split(" (")[0] for p in Phase],
        title=title,
        today=today_index(view.roadmap.start_date, today),
        font_family=font_family,
    )


def phase_groups(view: RoadmapView, locale: str) -> list[PhaseGroup]:
    """Items grouped by the quarter they are scheduled in."""
    return [
        PhaseGroup(p, PHASE_NAMES[p].get(locale), tuple(i for i in view.plan.items if i.scheduled_phase is p))
        for p in Phase
    ]


def role_names(locale: str) -> dict[str, str]:
    return {r.id: r.name.get(locale) for r in builtin_catalogue().roles}


def model_name(session: Session, slug: str, locale: str) -> str:
    """The maturity model's name in `locale` (its latest version's), or its slug if it is gone."""
    found = maturity_service.latest(session, slug=slug)
    if found is None:
        return slug
    return found.name_ja if locale == "ja" else found.name_en


def capability_names(locale: str) -> dict[str, str]:
    return {c.id: c.name.get(locale) for c in builtin_catalogue().capabilities}


def key_result_texts(locale: str) -> dict[str, str]:
    """Every catalogue key result's text by id, in `locale`."""
    return {kr.id: kr.text.get(locale) for c in builtin_catalogue().capabilities for kr in c.key_results}


def title_of(view: RoadmapView, item_id: str, locale: str) -> str:
    """An item's title in any of the plan's lists, else its catalogue name, else its id."""
    plan = view.plan
    titles = {e.id: e.title for e in plan.beyond} | {e.id: e.title for e in plan.dropped}
    titles |= {e.id: e.title for e in plan.items}
    if item_id in titles:
        return titles[item_id].get(locale)
    return capability_names(locale).get(item_id, item_id)


def text(value: Text, locale: str) -> str:
    return value.get(locale)
