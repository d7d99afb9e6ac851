"""Checklists: tick a roadmap item's checklist entries off, and read who did each and when.

A ChecklistTick row means the entry is done; no row means not yet. Reads take any number of roadmaps
in one query, so the pages, reports and the dashboard stay at a fixed number of queries.
Services take a session and keyword arguments and only flush; the request or job commits.
A plan is whatever has the items below (the roadmap's Plan), so checklists do not import the roadmap.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.audit import service as audit_service
from app.catalogue.schema import ChecklistItem
from app.errors import NotFound
from app.i18n import N_
from app.maturity.schema import Text
from app.models import ChecklistTick, Roadmap, User


class Item(Protocol):
    """What a checklist needs of a plan item (the roadmap's `Item` has it)."""

    @property
    def id(self) -> str: ...
    @property
    def title(self) -> Text: ...
    @property
    def owner_roles(self) -> tuple[str, ...]: ...
    @property
    def checklist(self) -> tuple[ChecklistItem, ...]: ...


class Plan(Protocol):
    """What a checklist needs of a plan (the roadmap's `Plan` has it)."""

    @property
    def items(self) -> Sequence[Item]: ...
    def item(self, item_id: str) -> Item | None: ...


@dataclass(frozen=True)
class EntryStatus:
    """One checklist entry of one item; `role` is who does it (the item's first owner by default)."""

    item_id: str
    entry_id: str
    text: Text
    role: str | None
    done: bool
    done_at: datetime | None
    done_by: str | None  # the person's name; None when not done or their account is gone


@dataclass(frozen=True)
class ItemChecklist:
    """A roadmap item's checklist, in catalogue order."""

    item_id: str
    title: Text
    entries: tuple[EntryStatus, ...]

    @property
    def done(self) -> int:
        return sum(1 for e in self.entries if e.done)

    @property
    def total(self) -> int:
        return len(self.entries)


@dataclass(frozen=True)
class _Tick:
    done_at: datetime
    done_by: str | None


_Ticks = dict[tuple[str, str], _Tick]  # (item id, entry id) → tick


def team_checklists(
    session: Session, *, roadmap_ids: Sequence[int], plans: Mapping[int, Plan]
) -> dict[int, list[ItemChecklist]]:
    """Per roadmap id, its plan's items that have checklist entries (plan order), with their ticks.

    One query for any number of roadmaps; a roadmap id without a plan in `plans` maps to [].
    """
    ticks = _ticks(session, roadmap_ids)
    return {
        rid: item_checklists(plans[rid], ticks.get(rid, {})) if rid in plans else [] for rid in roadmap_ids
    }


def for_plan(session: Session, *, roadmap_id: int, plan: Plan) -> dict[str, ItemChecklist]:
    """One roadmap's checklists by item id (for its pages)."""
    found = team_checklists(session, roadmap_ids=[roadmap_id], plans={roadmap_id: plan})[roadmap_id]
    return {c.item_id: c for c in found}


def item_checklists(plan: Plan, ticks: _Ticks) -> list[ItemChecklist]:
    """The plan's items with checklist entries, each entry marked done when it has a tick."""
    return [_checklist(item, ticks) for item in plan.items if item.checklist]


def _checklist(item: Item, ticks: _Ticks) -> ItemChecklist:
    return ItemChecklist(
        item.id, item.title, tuple(_status(item, e, ticks.get((item.id, e.id))) for e in item.checklist)
    )


def _status(item: Item, entry: ChecklistItem, tick: _Tick | None) -> EntryStatus:
    role = entry.role or (item.owner_roles[0] if item.owner_roles else None)
    return EntryStatus(
        item.id,
        entry.id,
        entry.text,
        role,
        done=tick is not None,
        done_at=tick.done_at if tick else None,
        done_by=tick.done_by if tick else None,
    )


def _ticks(session: Session, roadmap_ids: Sequence[int], *, item_id: str | None = None) -> dict[int, _Ticks]:
    if not roadmap_ids:
        return {}
    query = (
        select(
            ChecklistTick.roadmap_id,
            ChecklistTick.item_id,
            ChecklistTick.entry_id,
            ChecklistTick.done_at,
            User.name,
        )
        .outerjoin(User, User.id == ChecklistTick.done_by_id)
        .where(ChecklistTick.roadmap_id.in_(list(roadmap_ids)))
    )
    if item_id is not None:
        query = query.where(ChecklistTick.item_id == item_id)
    found: dict[int, _Ticks] = {}
    for roadmap_id, item, entry, done_at, name in session.execute(query):
        found.setdefault(roadmap_id, {})[(item, entry)] = _Tick(done_at, name)
    return found


def find_entry(plan: Plan, *, item_id: str, entry_id: str) -> tuple[Item, ChecklistItem]:
    """The plan's item and its checklist entry, or a 404 saying which of the two is unknown."""
    item = plan.item(item_id)
    if item is None:
        raise NotFound(N_("There is no such item in this roadmap's plan."), field="item_id")
    entry = next((e for e in item.checklist if e.id == entry_id), None)
    if entry is None:
        raise NotFound(N_("This roadmap item has no such checklist entry."), field="entry_id")
    return item, entry


def set_done(
    session: Session,
    *,
    roadmap: Roadmap,
    plan: Plan,
    item_id: str,
    entry_id: str,
    done: bool,
    user: User,
    now: datetime,
) -> ItemChecklist:
    """Tick or untick one entry, and return its item's checklist; doing what is already done changes
    nothing and records nothing."""
    item, _entry = find_entry(plan, item_id=item_id, entry_id=entry_id)
    row = _row(session, roadmap.id, item_id, entry_id)
    if done and row is None:
        _tick(session, roadmap=roadmap, item_id=item_id, entry_id=entry_id, user=user, now=now)
    elif not done and row is not None:
        before = {"done_by_id": row.done_by_id, "done_at": row.done_at}
        session.delete(row)
        _audit(session, roadmap, f"{item_id}/{entry_id}", user, "checklist.untick", before=before)
        session.flush()
    return _checklist(item, _ticks(session, [roadmap.id], item_id=item_id).get(roadmap.id, {}))


def _tick(
    session: Session, *, roadmap: Roadmap, item_id: str, entry_id: str, user: User, now: datetime
) -> None:
    row = ChecklistTick(
        roadmap_id=roadmap.id, item_id=item_id, entry_id=entry_id, done_by_id=user.id, done_at=now
    )
    try:
        with session.begin_nested():  # a losing concurrent tick rolls back to here; the winner's stands
            session.add(row)
            session.flush()
    except IntegrityError:
        return
    _audit(session, roadmap, f"{item_id}/{entry_id}", user, "checklist.tick", after={"done_at": now})
    session.flush()


def _audit(
    session: Session,
    roadmap: Roadmap,
    entry_key: str,
    user: User,
    action: str,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    audit_service.record(
        session,
        actor=user,
        action=action,
        object_type="checklist_entry",
        object_id=f"{roadmap.team_id}/{entry_key}",
        before=before,
        after=after,
    )


def _row(session: Session, roadmap_id: int, item_id: str, entry_id: str) -> ChecklistTick | None:
    return session.scalars(
        select(ChecklistTick).where(
            ChecklistTick.roadmap_id == roadmap_id,
            ChecklistTick.item_id == item_id,
            ChecklistTick.entry_id == entry_id,
        )
    ).first()


def by_task(checklists: Mapping[str, ItemChecklist]) -> dict[str, EntryStatus]:
    """Entries keyed as the action plan's task ids ("item/entry")."""
    return {f"{e.item_id}/{e.entry_id}": e for c in checklists.values() for e in c.entries}
