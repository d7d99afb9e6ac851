"""The roadmap as CSV, Markdown, iCalendar (one milestone per item end) and JSON. Pure text builders."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from app.kit.spreadsheet import csv_line
from app.roadmap.planner.plan import Plan
from app.roadmap.planner.snapshot import plan_json

CSV_COLUMNS = (
    "id",
    "title",
    "phase",
    "start",
    "end",
    "effort_pw",
    "from_level",
    "to_level",
    "owners",
    "status",
    "progress",
)


def to_csv(plan: Plan, *, locale: str, status: Callable[[str], str], progress: Callable[[str], int]) -> str:
    """One row per scheduled item (cells that look like formulas are quoted)."""
    lines = [csv_line(CSV_COLUMNS)]
    for i in plan.items:
        dates = (i.start.isoformat(), i.end.isoformat())
        levels = (f"{i.effort_pw:g}", i.from_level, i.to_level)
        row: tuple[object, ...] = (i.id, i.title.get(locale), i.scheduled_phase.value, *dates, *levels)
        row += (" ".join(i.owner_roles), status(i.id), progress(i.id))
        lines.append(csv_line(row))
    return "".join(lines)


# Characters with a meaning in Markdown (or HTML inside it); a backslash before any ASCII punctuation
# makes it literal in CommonMark, so user text cannot become a link, an image, emphasis or a tag.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#!|~&])")
_MD_LIST_START = re.compile(r"^(\s*(?:\d+)?)([-+.)])")  # "- x", "+ x", "1. x" would start a list
_LINE_BREAKS = re.compile(r"\r\n|[\r\n\u2028\u2029\x0b\x0c\x85]")
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def _md(text: str) -> str:
    """User text made literal inside a Markdown heading, list item or table cell, on one line."""
    flat = _CONTROLS.sub("", _LINE_BREAKS.sub(" ", text))
    return _MD_LIST_START.sub(r"\1\\\2", _MD_SPECIAL.sub(r"\\\1", flat), count=1)


def to_markdown(
    plan: Plan, *, locale: str, title: str, headings: Mapping[str, str], status: Callable[[str], str]
) -> str:
    """A readable plan: items by phase with their reasons, then what is beyond 12 months and the risks."""
    lines = [f"# {_md(title)}", ""]
    phases: dict[str, list[str]] = {}
    for i in plan.items:
        span = f"{i.start.isoformat()} → {i.end.isoformat()}"
        entry = f"- **{_md(i.title.get(locale))}** ({span}, {i.effort_pw:g} pw, {status(i.id)})"
        reasons = [f"  - {_md(r.text.get(locale))}" for r in i.reasons]
        phases.setdefault(i.scheduled_phase.value, []).extend([entry, *reasons])
    for phase, entries in phases.items():
        lines += [f"## {_md(headings.get(phase, phase))}", "", *entries, ""]
    if plan.beyond:
        lines += [f"## {_md(headings['beyond'])}", ""]
        lines += [f"- {_md(d.title.get(locale))}: {_md(d.reasons[-1].text.get(locale))}" for d in plan.beyond]
        lines.append("")
    if plan.risks:
        lines += [f"## {_md(headings['risks'])}", ""]
        lines += [f"- **{_md(r.name.get(locale))}**: {_md(r.mitigation.get(locale))}" for r in plan.risks]
        lines.append("")
    return "\n".join(lines)


def _ics_text(text: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, ; and , escaped, every line break as \\n, no controls."""
    escaped = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return _CONTROLS.sub("", _LINE_BREAKS.sub("\\\\n", escaped))


def _fold(line: str) -> list[str]:
    """RFC 5545 lines of at most 75 octets, continued with a leading space."""
    out, current = [], ""
    for char in line:
        if len((current + char).encode()) > 75:
            out.append(current)
            current = " "
        current += char
    return [*out, current]


def to_ics(plan: Plan, *, locale: str, calendar_name: str, uid_prefix: str, now: datetime) -> str:
    """A calendar with one all-day milestone on the last day of each item."""
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Hoshin//Roadmap//EN",
        f"X-WR-CALNAME:{_ics_text(calendar_name)}",
    ]
    for i in plan.items:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{uid_prefix}-{i.id}@hoshin",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{(i.end - timedelta(days=1)).strftime('%Y%m%d')}",
            f"DTEND;VALUE=DATE:{i.end.strftime('%Y%m%d')}",
            f"SUMMARY:{_ics_text(i.title.get(locale))}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(part for line in lines for part in _fold(line)) + "\r\n"


def to_json(plan: Plan, *, statuses: Mapping[str, Mapping[str, object]], version: int) -> str:
    """The whole plan as generated, plus the version number and each item's status."""
    return json.dumps(
        {"version": version, "statuses": statuses, "plan": plan_json(plan)}, ensure_ascii=False, indent=2
    )
