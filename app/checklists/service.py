"""Checklists: tick a roadmap item's checklist entries off, and read who did each and when.

A ChecklistTick row means the entry is done; no row means not yet. A tick is a person's or the
evidence's: a sync ticks an entry whose proof (a catalogue condition on a signal) holds, and unticks it
when the proof stops holding (`apply_evidence`). A person's choice stands: their tick is never taken
away by evidence, and their untick of an entry with a proof is kept (ChecklistUntick) so evidence does
not tick it again; where the two disagree the entry says so.
Reads take any number of roadmaps in one query, so the pages, reports and the dashboard stay at a fixed
number of queries.
Services take a session and keyword arguments and only flush; the request or job commits.
A plan is whatever has the items below (the roadmap's Plan), so checklists do not import the roadmap.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar, cast

from sqlalchemy import CursorResult, delete, literal, select, union_all
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.audit import service as audit_service
from app.catalogue.schema import ChecklistItem
from app.checklists.proofs import Observations, Reading, read, team_observations
from app.errors import NotFound
from app.i18n import N_
from app.maturity.schema import Text
from app.models import ChecklistTick, ChecklistUntick, Roadmap, User

T = TypeVar("T", ChecklistTick, ChecklistUntick)
PERSON = "person"
EVIDENCE = "evidence"


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
    done_by: str | None  # the person's name; None when not done, ticked by evidence or their account is gone
    ticked_by: str | None = None  # PERSON or EVIDENCE when done
    evidence: Reading | None = None
    """The latest reading of the entry's proof, as the last sync (or the person's choice) stored it: what
    proved an evidence tick, or what the signal says beside a person's choice."""
    undone_by: str | None = None  # a person's explicit "not done" on an entry with a proof: who
    undone_at: datetime | None = None  # and when (None: no such choice)
    proved: bool = False  # the catalogue gives the entry a proof (a signal can tick it)

    @property
    def by_evidence(self) -> bool:
        return self.ticked_by == EVIDENCE

    @property
    def overrides_evidence(self) -> bool:
        """A person's choice stands against the evidence: ticked while the signal says not done, or
        unticked while it says done."""
        if self.evidence is None:
            return False
        if self.done:
            return self.ticked_by == PERSON and not self.evidence.holds
        return self.undone_at is not None and self.evidence.holds


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
    """A tick (done) or a person's untick (done False) of one entry."""

    done: bool
    at: datetime
    by: str | None
    by_evidence: bool = False
    evidence: Reading | None = None


_Ticks = dict[tuple[str, str], _Tick]  # (item id, entry id) → tick or untick


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
    done = tick is not None and tick.done
    untick = tick if tick is not None and not tick.done else None
    return EntryStatus(
        item.id,
        entry.id,
        entry.text,
        role,
        done=done,
        done_at=tick.at if tick and done else None,
        done_by=tick.by if tick and done else None,
        ticked_by=(EVIDENCE if tick.by_evidence else PERSON) if tick and done else None,
        evidence=tick.evidence if tick and entry.proof is not None else None,
        undone_by=untick.by if untick else None,
        undone_at=untick.at if untick else None,
        proved=entry.proof is not None,
    )


def _ticks(session: Session, roadmap_ids: Sequence[int], *, item_id: str | None = None) -> dict[int, _Ticks]:
    """Ticks and a person's unticks of these roadmaps, in one query."""
    if not roadmap_ids:
        return {}
    ids = list(roadmap_ids)
    ticks = (
        select(
            ChecklistTick.roadmap_id,
            ChecklistTick.item_id,
            ChecklistTick.entry_id,
            literal(True).label("done"),
            ChecklistTick.done_at.label("at"),
            User.name,
            ChecklistTick.by_evidence,
            ChecklistTick.evidence,
        )
        .outerjoin(User, User.id == ChecklistTick.done_by_id)
        .where(ChecklistTick.roadmap_id.in_(ids))
    )
    unticks = (
        select(
            ChecklistUntick.roadmap_id,
            ChecklistUntick.item_id,
            ChecklistUntick.entry_id,
            literal(False),
            ChecklistUntick.undone_at,
            User.name,
            literal(False),
            ChecklistUntick.evidence,
        )
        .outerjoin(User, User.id == ChecklistUntick.undone_by_id)
        .where(ChecklistUntick.roadmap_id.in_(ids))
    )
    if item_id is not None:
        ticks = ticks.where(ChecklistTick.item_id == item_id)
        unticks = unticks.where(ChecklistUntick.item_id == item_id)
    found: dict[int, _Ticks] = {}
    for roadmap_id, item, entry, done, at, name, by_evidence, evidence in session.execute(
        union_all(ticks, unticks)
    ):
        key = (item, entry)
        if key in found.get(roadmap_id, {}) and not done:
            continue  # a tick and an untick cannot both stand; if they ever do, the tick wins
        found.setdefault(roadmap_id, {})[key] = _Tick(
            bool(done), at, name, bool(by_evidence), Reading.from_json(evidence)
        )
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
    audited: bool = True,
) -> ItemChecklist:
    """A person ticks or unticks one entry; returns its item's checklist. Doing what is already done
    changes nothing and records nothing (an entry the evidence ticked stays the evidence's). With
    `audited` False the caller records the change (the checklist page: one event for the whole change).

    Unticking an entry with a proof keeps the person's "not done" (evidence will not tick it again);
    ticking it removes that. Either way the entry's reading is stored with the choice, so the page can
    say at once where the person and the evidence disagree."""
    item, entry = find_entry(plan, item_id=item_id, entry_id=entry_id)
    row = _row(session, ChecklistTick, roadmap.id, item_id, entry_id)
    key = f"{item_id}/{entry_id}"
    if done and row is None:
        untick = _row(session, ChecklistUntick, roadmap.id, item_id, entry_id)
        evidence = _reading_now(session, roadmap, entry)
        if untick is not None:
            _remove(session, untick)
        ticked = ChecklistTick(
            roadmap_id=roadmap.id, item_id=item_id, entry_id=entry_id, done_by_id=user.id, done_at=now
        )
        ticked.evidence = evidence
        if _insert(session, ticked) and audited:
            _audit(session, roadmap, key, user, "checklist.tick", after={"done_at": now})
    elif not done and row is not None:
        before: dict[str, Any] = {"done_by_id": row.done_by_id, "done_at": row.done_at}
        if row.by_evidence:
            before |= {"by_evidence": True, "evidence": row.evidence}
        if not _remove(session, row):  # a concurrent untick of the same entry won: it is recorded there
            return _checklist(item, _ticks(session, [roadmap.id], item_id=item_id).get(roadmap.id, {}))
        if entry.proof is not None:
            kept = ChecklistUntick(
                roadmap_id=roadmap.id, item_id=item_id, entry_id=entry_id, undone_by_id=user.id, undone_at=now
            )
            kept.evidence = _reading_now(session, roadmap, entry)
            _insert(session, kept)
        if audited:
            _audit(session, roadmap, key, user, "checklist.untick", before=before)
    return _checklist(item, _ticks(session, [roadmap.id], item_id=item_id).get(roadmap.id, {}))


def _reading_now(session: Session, roadmap: Roadmap, entry: ChecklistItem) -> dict[str, Any] | None:
    """The entry's proof read on the team's latest signals now (None: no proof, or no source reports it)."""
    if entry.proof is None:
        return None
    reading = read(entry.proof, team_observations(session, team_id=roadmap.team_id))
    return reading.to_json() if reading is not None else None


def _insert(session: Session, row: ChecklistTick | ChecklistUntick) -> bool:
    """Add the row; False when a concurrent writer added the same entry's first (theirs stands)."""
    try:
        with session.begin_nested():  # a losing concurrent tick rolls back to here; the winner's stands
            session.add(row)
            session.flush()
    except IntegrityError:
        return False
    return True


@dataclass(frozen=True)
class EvidenceChanges:
    """What a sync changed on one roadmap's checklists: entries ticked and unticked by evidence."""

    ticked: tuple[str, ...] = ()  # "item/entry"
    unticked: tuple[str, ...] = ()


def apply_evidence(
    session: Session, *, roadmap: Roadmap, plan: Plan, observed: Observations, now: datetime
) -> EvidenceChanges:
    """Bring the evidence's ticks of the plan's entries with a proof up to date with `observed` (the team's
    latest signals): tick an entry whose proof holds, untick one the evidence ticked whose proof no longer
    holds (or whose signal no source reports any more), and store the latest reading beside every choice.
    A person's tick or untick is never changed. Audited with the system as the actor."""
    ticks = {(r.item_id, r.entry_id): r for r in _rows(session, ChecklistTick, roadmap.id)}
    unticks = {(r.item_id, r.entry_id): r for r in _rows(session, ChecklistUntick, roadmap.id)}
    ticked: list[str] = []
    unticked: list[str] = []
    for item_id, entry in [(item.id, entry) for item in plan.items for entry in item.checklist]:
        key, name = (item_id, entry.id), f"{item_id}/{entry.id}"
        tick, untick = ticks.get(key), unticks.get(key)
        if entry.proof is None and (tick is None or not tick.by_evidence):
            continue  # nothing a signal can say (but an evidence tick of an entry that lost its proof goes)
        reading = read(entry.proof, observed) if entry.proof is not None else None
        evidence = reading.to_json() if reading is not None else None
        if untick is not None:  # a person said not done: keep it, note what the evidence says now
            _note(untick, evidence)
        elif tick is not None and (not tick.by_evidence or (reading is not None and reading.holds)):
            _note(tick, evidence)  # a person's tick stands whatever the evidence says; the evidence's holds
        elif tick is not None:
            before = {"by_evidence": True, "done_at": tick.done_at, "evidence": tick.evidence}
            session.delete(tick)
            _audit(
                session, roadmap, name, None, "checklist.untick", before=before, after={"evidence": evidence}
            )
            unticked.append(name)
        elif reading is not None and reading.holds:
            row = ChecklistTick(
                roadmap_id=roadmap.id, item_id=item_id, entry_id=entry.id, done_at=now, by_evidence=True
            )
            row.evidence = evidence
            if _insert(session, row):
                _audit(
                    session,
                    roadmap,
                    name,
                    None,
                    "checklist.tick",
                    after={"done_at": now, "evidence": evidence},
                )
                ticked.append(name)
    session.flush()
    return EvidenceChanges(tuple(ticked), tuple(unticked))


def _note(row: ChecklistTick | ChecklistUntick, evidence: dict[str, Any] | None) -> None:
    if row.evidence != evidence:
        row.evidence = evidence


def _audit(
    session: Session,
    roadmap: Roadmap,
    entry_key: str,
    user: User | None,
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
    session.flush()


def _remove(session: Session, row: ChecklistTick | ChecklistUntick) -> bool:
    """Delete the row; False when a concurrent writer deleted it first (no warning, nothing to record)."""
    statement = delete(type(row)).where(type(row).id == row.id)
    options = {"synchronize_session": False}  # the row is let go of below
    removed = cast(CursorResult[Any], session.execute(statement, execution_options=options))
    session.expunge(row)
    return bool(removed.rowcount)


def _rows(session: Session, model: type[T], roadmap_id: int) -> list[T]:
    return list(session.scalars(select(model).where(model.roadmap_id == roadmap_id)))


def _row(session: Session, model: type[T], roadmap_id: int, item_id: str, entry_id: str) -> T | None:
    return session.scalars(
        select(model).where(
            model.roadmap_id == roadmap_id, model.item_id == item_id, model.entry_id == entry_id
        )
    ).first()


def by_task(checklists: Mapping[str, ItemChecklist]) -> dict[str, EntryStatus]:
    """Entries keyed as the action plan's task ids ("item/entry")."""
    return {f"{e.item_id}/{e.entry_id}": e for c in checklists.values() for e in c.entries}
