"""What the roadmap pages (and later the PDF) show, built from a RoadmapView: chart, labels, groups."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from app.catalogue.loader import builtin_catalogue
from app.catalogue.schema import Phase
from app.maturity import service as maturity_service
from app.maturity.schema import Text
from app.roadmap.planner.gantt import Bar, gantt_svg
from app.roadmap.planner.plan import MONTHS, Deferred, Item, Reason, ReasonCode, add_months
from app.roadmap.planner.reasons import PHASE_NAMES
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


@dataclass(frozen=True)
class NotApplicable:
    """A capability the team marked not applicable, and why the plan still has it, if it does."""

    capability_id: str
    name: Text
    reasons: tuple[str, ...]  # the team's own words
    needed_for: Text | None  # the plan's "prerequisite of ..." reason: other work needs it first


def not_applicable(view: RoadmapView) -> list[NotApplicable]:
    """The capabilities the plan's assessment marked not applicable, in catalogue order."""
    scheduled: list[Item | Deferred] = [*view.plan.items, *view.plan.beyond]
    work = {w.capability_id: w.reasons for w in scheduled if w.capability_id}
    skipped = view.version.inputs.get("not_applicable", {})
    return [
        NotApplicable(c.id, c.name, tuple(skipped[c.id]), _needed_for(work.get(c.id, ())))
        for c in builtin_catalogue().capabilities
        if c.id in skipped
    ]


def _needed_for(reasons: Sequence[Reason]) -> Text | None:
    return next((r.text for r in reasons if r.code is ReasonCode.PREREQUISITE_OF), None)


def role_names(locale: str) -> dict[str, str]:
    return {r.id: r.name.get(locale) for r in builtin_catalogue().roles}


def model_name(session: Session, slug: str, locale: str) -> str:
    """The maturity model's name in `locale` (its latest version's), or its slug if it is gone."""
    found = maturity_service.latest(session, slug=slug)
    if found is None:
        return slug
    return found.name_ja if locale == "ja" else found.name_en


def model_names(session: Session, locale: str) -> dict[str, str]:
    """Every stored maturity model's name in `locale` by slug (its latest version's), in one query."""
    return {m.slug: m.name_ja if locale == "ja" else m.name_en for m in maturity_service.latest_all(session)}


@dataclass(frozen=True)
class CoverageNotice:
    """Catalogue capabilities no assessment behind the plan covered, split by what the plan did."""

    left_out: tuple[str, ...]  # not in the plan at all
    planned: tuple[str, ...]  # in the plan anyway, from level 0, because assessed work needs them


def coverage_notice(view: RoadmapView) -> CoverageNotice:
    """What the plan did with the capabilities its assessments did not cover."""
    plan = view.plan
    planned = {i.capability_id for i in plan.items} | {d.capability_id for d in plan.beyond}
    dropped = {d.capability_id for d in plan.dropped}  # the page lists these under "Dropped"
    missing = [c for c in view.version.inputs.get("not_assessed", []) if c not in dropped]
    return CoverageNotice(
        tuple(c for c in missing if c not in planned), tuple(c for c in missing if c in planned)
    )


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
