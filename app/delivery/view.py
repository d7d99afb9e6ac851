"""The delivery metrics in the reader's words: names and notes from the catalogue, values formatted by
unit, Four Keys buckets, dates in the reader's calendar, and each trend drawn as a small SVG chart."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from babel.dates import format_date, format_skeleton
from markupsafe import Markup

from app.catalogue.loader import builtin_catalogue
from app.delivery import chart
from app.delivery.service import Series, SourceDelivery
from app.evidence.labels import HOURS_AS_DAYS_FROM, format_value, signal_name, signal_note
from app.i18n import N_, translations

GROUPS = {
    "frequency": N_("Release frequency"),
    "lead_time": N_("Lead time"),
    "failures": N_("Change failures"),
}
BUCKETS = {  # Four Keys' buckets (detail.bucket), as the adapters name them
    "daily": N_("Four Keys: daily"),
    "weekly": N_("Four Keys: weekly"),
    "monthly": N_("Four Keys: monthly"),
    "yearly": N_("Four Keys: less than monthly"),
    "one_day": N_("Four Keys: under a day"),
    "one_week": N_("Four Keys: under a week"),
    "one_month": N_("Four Keys: under a month"),
    "six_months": N_("Four Keys: under six months"),
    "one_year": N_("Four Keys: six months or more"),
}


@dataclass(frozen=True)
class PointView:
    day: date
    observed_at: datetime
    value: float
    day_text: str
    value_text: str


@dataclass
class MetricView:
    """One metric of one source, ready to show."""

    key: str
    group: str
    group_name: str
    name: str
    note: str
    unit: str
    latest: float | None
    latest_text: str | None
    absent_text: str | None
    bucket: str | None
    bucket_text: str | None
    points: list[PointView] = field(default_factory=list)
    chart: Markup | None = None


def metric(series: Series, *, locale: str, unit: str, with_chart: bool) -> MetricView:
    """A series in `locale`: the latest value (or what its absence means), its bucket, its points."""
    words = translations(locale)
    key = series.metric.key
    latest = series.latest
    bucket = series.bucket
    points = [
        PointView(
            p.day,
            p.observed_at,
            p.value,
            format_date(p.day, "medium", locale=locale),
            format_value(p.value, unit, locale),
        )
        for p in series.points
    ]
    view = MetricView(
        key=key,
        group=series.metric.group,
        group_name=words.gettext(GROUPS[series.metric.group]),
        name=signal_name(key, locale),
        note=signal_note(key, locale) or words.gettext(series.metric.how),
        unit=unit,
        latest=latest.value if latest is not None else None,
        latest_text=format_value(latest.value, unit, locale) if latest is not None else None,
        absent_text=None if latest is not None else words.gettext(series.metric.absent),
        bucket=bucket,
        bucket_text=words.gettext(BUCKETS[bucket]) if bucket in BUCKETS else None,
        points=points,
    )
    if with_chart and points:
        view.chart = _chart(view, locale=locale)
    return view


def metrics(row: SourceDelivery, *, locale: str, with_chart: bool = True) -> list[MetricView]:
    """The source's metrics in the page's order (units from the catalogue, else from the values)."""
    out = []
    for series in row.series:
        unit = series.latest.unit if series.latest is not None else _unit_of(series.metric.key)
        out.append(metric(series, locale=locale, unit=unit, with_chart=with_chart))
    return out


def _unit_of(key: str) -> str:
    info = builtin_catalogue().signal(key)
    return str(info.unit) if info is not None else "count"


def _chart(view: MetricView, *, locale: str) -> Markup:
    words = translations(locale)
    first, last = view.points[0], view.points[-1]
    span = float((last.day - first.day).days)
    y_max = _y_max(max(p.value for p in view.points), view.unit)
    y_ticks = [chart.Tick(0.0, "0")]
    y_ticks += [chart.Tick(at, format_value(at, view.unit, locale)) for at in (y_max / 2, y_max)]
    x_ticks = [chart.Tick(0.0, _short(first.day, locale))]
    if span > 0:
        x_ticks.append(chart.Tick(span, _short(last.day, locale)))
    desc = words.ngettext(
        "%(num)d point, on %(first)s: %(latest)s.",
        "%(num)d points from %(first)s to %(last)s; the latest is %(latest)s.",
        len(view.points),
    ) % {"num": len(view.points), "first": first.day_text, "last": last.day_text, "latest": last.value_text}
    svg = chart.line_chart_svg(
        [(float((p.day - first.day).days), p.value) for p in view.points],
        x_ticks=x_ticks,
        y_ticks=y_ticks,
        x_span=span,
        y_max=y_max,
        title=words.gettext("%(name)s over time") % {"name": view.name},
        desc=desc,
    )
    return Markup(svg)  # noqa: S704 - line_chart_svg escapes all text


def _y_max(top: float, unit: str) -> float:
    """A round top for the y axis, round in the unit the labels read (hours from two days on read as days)."""
    if unit == "hours" and top >= HOURS_AS_DAYS_FROM:
        return chart.nice_max(top / 24) * 24
    return chart.nice_max(top)


def _short(day: date, locale: str) -> str:
    return format_skeleton("MMMd", day, locale=locale)
