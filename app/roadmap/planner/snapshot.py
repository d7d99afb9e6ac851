"""Plans and edits as JSON: the stored snapshot of a version, the JSON export and the API use these."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any

from pydantic import BaseModel

from app.catalogue.schema import Phase
from app.maturity.schema import Text
from app.roadmap.planner.plan import AddItem, ChangeOwner, Drop, Edit, Move, Pin, Plan, Resize

EDIT_KINDS: dict[str, type[Edit]] = {
    "move": Move,
    "resize": Resize,
    "pin": Pin,
    "drop": Drop,
    "add": AddItem,
    "owner": ChangeOwner,
}
KIND_OF: dict[type, str] = {cls: kind for kind, cls in EDIT_KINDS.items()}


def jsonable(value: Any) -> Any:
    """Plain JSON values for dataclasses, pydantic models, enums, dates and tuples."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
        if type(value) in KIND_OF:
            out["kind"] = KIND_OF[type(value)]
        return out
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (tuple, list)):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    return value


def plan_json(plan: Plan) -> dict[str, Any]:
    """The whole plan, with every reason's sentence in both languages."""
    data: dict[str, Any] = jsonable(plan)
    return data


def edit_params(edit: Edit) -> dict[str, Any]:
    """An edit's parameters (everything but its kind and item id) for storing in a row."""
    data = jsonable(edit)
    return {k: v for k, v in data.items() if k not in ("kind", "item_id")}


def edit_from(kind: str, item_id: str, params: dict[str, Any]) -> Edit:
    """Rebuild a stored edit; raises ValueError for an unknown kind or bad parameters."""
    if kind not in EDIT_KINDS:
        raise ValueError(f"unknown edit kind {kind!r}")
    values = dict(params)
    if kind == "add":
        values["title"] = Text.model_validate(values["title"])
        values["phase"] = Phase(values["phase"])
        values["owner_roles"] = tuple(values.get("owner_roles", ()))
        values["prerequisites"] = tuple(values.get("prerequisites", ()))
    if kind == "owner":
        values["owner_roles"] = tuple(values.get("owner_roles", ()))
    try:
        return EDIT_KINDS[kind](item_id=item_id, **values)
    except TypeError as error:
        raise ValueError(str(error)) from error


@dataclass(frozen=True)
class Compared:
    """One item's change between two stored plans; months are 1-based (start, end) for people."""

    item_id: str
    title: str
    change: str  # added, removed, moved, unchanged
    before: tuple[int, int] | None
    after: tuple[int, int] | None


def compare(older: dict[str, Any], newer: dict[str, Any], locale: str) -> list[Compared]:
    """Items of two stored plans side by side, changed ones first."""
    before = {i["id"]: i for i in older.get("items", [])}
    after = {i["id"]: i for i in newer.get("items", [])}
    rows = []
    for item_id in [*after, *(i for i in before if i not in after)]:
        old, new = before.get(item_id), after.get(item_id)
        title = (new or old or {}).get("title", {}).get(locale, item_id)
        span_old, span_new = _span(old), _span(new)
        change = "added" if old is None else "removed" if new is None else "unchanged"
        if change == "unchanged" and span_old != span_new:
            change = "moved"
        rows.append(Compared(item_id, title, change, span_old, span_new))
    order = {"added": 0, "removed": 1, "moved": 2, "unchanged": 3}
    return sorted(rows, key=lambda r: order[r.change])


def _span(item: dict[str, Any] | None) -> tuple[int, int] | None:
    return None if item is None else (int(item["start_month"]) + 1, int(item["end_month"]))
