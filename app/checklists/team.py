"""A team's checklists as its checklist page shows them: the playbook's (every team has them) and its
roadmap items', each entry with a status, an owner, a due date, a note and an evidence link, and who
changed it last.

Done is a tick, for both kinds: a roadmap entry's ChecklistTick (app/checklists/service.py), a playbook
entry's `done` or `done_by_evidence` on its ChecklistEntryState. The stored status is where an entry
stands while not done (not started, in progress, not applicable); marking an entry done ticks it and
marking it anything else unticks it, so today's tick, untick and evidence keep meaning what they meant.
Reads take one query for the states; services only flush.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from app.audit import service as audit_service
from app.catalogue.schema import ChecklistItem
from app.checklists.playbook import PlaybookChecklist, playbook_checklists
from app.checklists.proofs import Observations, Reading, read, team_observations
from app.checklists.service import EntryStatus, ItemChecklist
from app.errors import BadInput, NotFound
from app.i18n import N_
from app.maturity.schema import Text
from app.models import ChecklistEntryState, ChecklistSource, ChecklistStatus, Membership, User

PLAYBOOK = ChecklistSource.PLAYBOOK.value
ROADMAP = ChecklistSource.ROADMAP.value
DONE = ChecklistStatus.DONE.value
NOT_STARTED = ChecklistStatus.NOT_STARTED.value
NOT_APPLICABLE = ChecklistStatus.NOT_APPLICABLE.value
STATUSES = tuple(s.value for s in ChecklistStatus)
FIELDS = ("status", "na_reason", "owner_id", "due", "note", "link")
Key = tuple[str, str, str]  # (source, list id, entry id)


@dataclass(frozen=True)
class State:
    """A stored state with the names of its owner and of who changed it last."""

    row: ChecklistEntryState
    owner_name: str | None
    changed_by: str | None


@dataclass(frozen=True)
class TeamEntry:
    """One entry of one of the team's checklists, as the page and the API show it."""

    source: str
    list_id: str
    entry_id: str
    text: Text
    role: str | None
    status: str  # a ChecklistStatus value; DONE while ticked
    by_evidence: bool = False  # done because a signal proves it
    evidence: Reading | None = None  # the latest reading of its proof
    overrides_evidence: bool = False  # a person's choice stands against what the evidence says
    proved: bool = False  # a signal can tick it
    na_reason: str = ""
    owner_id: int | None = None
    owner_name: str | None = None
    due: date | None = None
    note: str = ""
    link: str = ""
    changed_by: str | None = None  # None with changed_at: the evidence, or an account that is gone
    changed_at: datetime | None = None

    @property
    def done(self) -> bool:
        return self.status == DONE

    @property
    def key(self) -> str:
        """The entry's address after the team's checklists: source/list/entry."""
        return f"{self.source}/{self.list_id}/{self.entry_id}"

    @property
    def anchor(self) -> str:
        """The entry's id in the page (`check-<anchor>`)."""
        return f"{self.source}-{self.list_id}--{self.entry_id}"


@dataclass(frozen=True)
class TeamList:
    """One checklist: a playbook list or a roadmap item's, its entries in order."""

    source: str
    list_id: str
    title: Text
    entries: tuple[TeamEntry, ...]

    @property
    def done(self) -> int:
        return sum(1 for e in self.entries if e.done)

    @property
    def total(self) -> int:
        return len(self.entries)


def states(session: Session, *, team_id: int) -> dict[Key, State]:
    """The team's stored entry states with owner and changer names, in one query."""
    owner, changer = aliased(User), aliased(User)
    query = (
        select(ChecklistEntryState, owner.name, changer.name)
        .outerjoin(owner, owner.id == ChecklistEntryState.owner_id)
        .outerjoin(changer, changer.id == ChecklistEntryState.changed_by_id)
        .where(ChecklistEntryState.team_id == team_id)
    )
    return {(r.source, r.list_id, r.entry_id): State(r, o, c) for r, o, c in session.execute(query)}


def playbook_lists(found: Mapping[Key, State]) -> list[TeamList]:
    """The playbook's checklists with the team's states."""
    return [
        TeamList(PLAYBOOK, c.id, c.name, tuple(_playbook_entry(c, e, found) for e in c.entries))
        for c in playbook_checklists()
    ]


def _playbook_entry(
    checklist: PlaybookChecklist, entry: ChecklistItem, found: Mapping[Key, State]
) -> TeamEntry:
    state = found.get((PLAYBOOK, checklist.id, entry.id))
    bare = TeamEntry(
        PLAYBOOK, checklist.id, entry.id, entry.text, entry.role, NOT_STARTED, proved=bool(entry.proof)
    )
    if state is None:
        return bare
    row = state.row
    done = row.done or row.done_by_evidence
    evidence = Reading.from_json(row.evidence) if entry.proof is not None else None
    overrides = evidence is not None and (
        (row.done and not evidence.holds) or (not done and row.kept_undone and evidence.holds)
    )
    return _with_state(
        replace(
            bare,
            status=DONE if done else row.status,
            by_evidence=row.done_by_evidence and not row.done,
            evidence=evidence,
            overrides_evidence=overrides,
        ),
        state,
    )


def roadmap_lists(checklists: Iterable[ItemChecklist], found: Mapping[Key, State]) -> list[TeamList]:
    """The roadmap items' checklists (ticks read by app/checklists/service.py) with the team's states."""
    return [
        TeamList(ROADMAP, c.item_id, c.title, tuple(_roadmap_entry(e, found) for e in c.entries))
        for c in checklists
    ]


def _roadmap_entry(entry: EntryStatus, found: Mapping[Key, State]) -> TeamEntry:
    state = found.get((ROADMAP, entry.item_id, entry.entry_id))
    stored = state.row.status if state is not None else NOT_STARTED
    base = TeamEntry(
        ROADMAP,
        entry.item_id,
        entry.entry_id,
        entry.text,
        entry.role,
        DONE if entry.done else stored,
        by_evidence=entry.by_evidence,
        evidence=entry.evidence,
        overrides_evidence=entry.overrides_evidence,
        proved=entry.proved,
    )
    with_state = _with_state(base, state) if state is not None else base
    # The latest change is the state's or the tick's, whichever came last.
    tick_at = entry.done_at if entry.done else entry.undone_at
    tick_by = entry.done_by if entry.done else entry.undone_by
    if tick_at is not None and (with_state.changed_at is None or tick_at > with_state.changed_at):
        return replace(with_state, changed_by=tick_by, changed_at=tick_at)
    return with_state


def _with_state(entry: TeamEntry, state: State) -> TeamEntry:
    row = state.row
    return replace(
        entry,
        na_reason=row.na_reason,
        owner_id=row.owner_id,
        owner_name=state.owner_name,
        due=row.due,
        note=row.note,
        link=row.link,
        changed_by=state.changed_by,
        changed_at=row.changed_at,
    )


# --- Filters ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filter:
    """Which entries the page shows: by owner (a user id, NOBODY for entries nobody owns) and status."""

    owner: int | None = None
    status: str | None = None

    NOBODY = 0

    def keeps(self, entry: TeamEntry) -> bool:
        if self.status is not None and entry.status != self.status:
            return False
        if self.owner == self.NOBODY:
            return entry.owner_id is None
        return self.owner is None or entry.owner_id == self.owner

    @property
    def active(self) -> bool:
        return self.owner is not None or self.status is not None


def filtered(lists: Sequence[TeamList], keep: Filter) -> list[TeamList]:
    """The lists with only the entries `keep` keeps; a list left empty is left out."""
    if not keep.active:
        return list(lists)
    kept = [replace(c, entries=tuple(e for e in c.entries if keep.keeps(e))) for c in lists]
    return [c for c in kept if c.entries]


# --- Changes ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """A person's change to one entry: only the fields named in `given` change (forms give them all).
    A status of None unticks the entry back to the status it stood in before it was done."""

    status: str | None = NOT_STARTED
    na_reason: str = ""
    owner_id: int | None = None
    due: date | None = None
    note: str = ""
    link: str = ""
    given: frozenset[str] = field(default_factory=frozenset)


Tick = Callable[[bool], None]  # ticks (True) or unticks (False) a roadmap entry through its own service


def playbook_entry(list_id: str, entry_id: str) -> tuple[PlaybookChecklist, ChecklistItem]:
    """A playbook checklist and its entry, or a 404 naming which of the two is unknown."""
    checklist = next((c for c in playbook_checklists() if c.id == list_id), None)
    if checklist is None:
        raise NotFound(N_("There is no such checklist."), field="list_id")
    entry = checklist.entry(entry_id)
    if entry is None:
        raise NotFound(N_("This checklist has no such entry."), field="entry_id")
    return checklist, entry


def change_playbook_entry(
    session: Session, *, team_id: int, list_id: str, entry_id: str, change: Change, user: User, now: datetime
) -> TeamEntry:
    """Change a playbook entry's status (done ticks it), owner, due date, note or link; returns it."""
    checklist, entry = playbook_entry(list_id, entry_id)

    def tick(done: bool) -> None:
        _tick_playbook(session, row, entry, done=done, team_id=team_id, user=user, now=now)

    row = _state_row(session, team_id, (PLAYBOOK, list_id, entry_id))
    apply(session, team_id=team_id, row=row, change=change, tick=tick, user=user, now=now)
    return _playbook_entry(checklist, entry, states(session, team_id=team_id))


def apply(
    session: Session,
    *,
    team_id: int,
    row: ChecklistEntryState,
    change: Change,
    tick: Tick,
    ticked: bool | None = None,
    user: User,
    now: datetime,
) -> None:
    """Apply `change` to an entry's stored state, ticking or unticking it through `tick` when its status
    says done or not; refuses (and changes nothing) a "not applicable" without a reason or an owner
    outside the team. `ticked`: whether the entry is done now (a playbook row knows it itself)."""
    done_now = (row.done or row.done_by_evidence) if ticked is None else ticked
    before = _snapshot(row, done_now)
    wanted = {name: getattr(change, name) for name in FIELDS if name in change.given}
    status = wanted.get("status", DONE if done_now else row.status) or row.status
    reason = wanted.get("na_reason", row.na_reason).strip()
    if status == NOT_APPLICABLE and not reason:
        raise BadInput(N_("Say why this entry does not apply."), field="na_reason")
    if "owner_id" in wanted:
        _check_owner(session, team_id=team_id, owner_id=wanted["owner_id"])
    for name in ("owner_id", "due", "note", "link"):
        if name in wanted:
            setattr(row, name, wanted[name])
    row.na_reason = reason if status == NOT_APPLICABLE else ""
    if status != DONE:
        row.status = status
    elif row.status == NOT_APPLICABLE:  # done after all: unticked later, it is not started, not n/a
        row.status = NOT_STARTED
    if (status == DONE) != done_now:
        tick(status == DONE)
    after = _snapshot(row, status == DONE)
    if after != before:
        row.changed_by_id, row.changed_at = user.id, now
        changed = {k for k in after if after[k] != before[k]}
        audit_service.record(
            session,
            actor=user,
            action="checklist.update",
            object_type="checklist_entry",
            object_id=f"{team_id}/{row.source}/{row.list_id}/{row.entry_id}",
            before={k: before[k] for k in sorted(changed)},
            after={k: after[k] for k in sorted(changed)},
        )
    session.flush()


def tick_change(done: bool) -> Change:
    """The change a checkbox makes: done, or not done in the status the entry stood in before."""
    return Change(status=DONE if done else None, given=frozenset({"status"}))


def _snapshot(row: ChecklistEntryState, done: bool) -> dict[str, Any]:
    return {
        "status": DONE if done else row.status,
        "na_reason": row.na_reason,
        "owner_id": row.owner_id,
        "due": row.due.isoformat() if row.due else None,
        "note": row.note,
        "link": row.link,
    }


def _check_owner(session: Session, *, team_id: int, owner_id: int | None) -> None:
    if owner_id is None:
        return
    member = session.scalar(
        select(Membership.id).where(Membership.team_id == team_id, Membership.user_id == owner_id)
    )
    if member is None:
        raise BadInput(N_("Choose someone in the team as the owner."), field="owner_id")


def state_row(session: Session, *, team_id: int, key: Key) -> ChecklistEntryState:
    """The entry's stored state, added (not started) when it has none yet."""
    return _state_row(session, team_id, key)


def _state_row(session: Session, team_id: int, key: Key) -> ChecklistEntryState:
    source, list_id, entry_id = key
    query = select(ChecklistEntryState).where(
        ChecklistEntryState.team_id == team_id,
        ChecklistEntryState.source == source,
        ChecklistEntryState.list_id == list_id,
        ChecklistEntryState.entry_id == entry_id,
    )
    found = session.scalars(query).first()
    if found is not None:
        return found
    row = ChecklistEntryState(
        team_id=team_id,
        source=source,
        list_id=list_id,
        entry_id=entry_id,
        status=NOT_STARTED,
        na_reason="",
        note="",
        link="",
        done=False,
        done_by_evidence=False,
        kept_undone=False,
    )
    try:
        with session.begin_nested():  # a concurrent first change of the same entry wins; use its row
            session.add(row)
            session.flush()
    except IntegrityError:
        return session.scalars(query).one()
    return row


def _tick_playbook(
    session: Session,
    row: ChecklistEntryState,
    entry: ChecklistItem,
    *,
    done: bool,
    team_id: int,
    user: User,
    now: datetime,
) -> None:
    """A person's tick or untick of a playbook entry, kept against the evidence as a roadmap entry's is."""
    reading = read(entry.proof, team_observations(session, team_id=team_id)) if entry.proof else None
    row.evidence = reading.to_json() if reading is not None else None
    if done:
        row.done, row.kept_undone = True, False
    else:
        row.kept_undone = entry.proof is not None
        row.done = row.done_by_evidence = False


def apply_playbook_evidence(session: Session, *, team_id: int, observed: Observations, now: datetime) -> None:
    """Bring the evidence's ticks of the playbook entries with a proof up to date with `observed` (the
    team's latest signals), as app/checklists/service.py's `apply_evidence` does for roadmap entries: a
    person's tick or "not done", and a "not applicable", stand; the latest reading is kept beside each."""
    found = states(session, team_id=team_id)
    for checklist in playbook_checklists():
        for entry in checklist.entries:
            if entry.proof is not None:
                key = (PLAYBOOK, checklist.id, entry.id)
                state = found.get(key)
                _follow(session, team_id, key, state.row if state else None, read(entry.proof, observed), now)
    session.flush()


def _follow(
    session: Session,
    team_id: int,
    key: Key,
    row: ChecklistEntryState | None,
    reading: Reading | None,
    now: datetime,
) -> None:
    holds = reading is not None and reading.holds
    evidence = reading.to_json() if reading is not None else None
    if row is None and not holds:
        return
    if row is None:
        row = _state_row(session, team_id, key)
    if row.evidence != evidence:
        row.evidence = evidence
    person_chose = row.done or row.kept_undone or row.status == NOT_APPLICABLE
    if person_chose or row.done_by_evidence == holds:
        return
    row.done_by_evidence = holds
    audit_service.record(
        session,
        actor=None,
        action="checklist.tick" if holds else "checklist.untick",
        object_type="checklist_entry",
        object_id=f"{team_id}/{'/'.join(key)}",
        after={"done_at": now, "evidence": evidence},
    )
