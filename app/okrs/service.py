"""OKRs: read a team's objectives with progress and status, change them, and record check-ins.

Services take a session and keyword arguments and only flush; the request or job commits.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, selectinload

from app import i18n
from app.audit import service as audit_service
from app.errors import BadInput, NotFound
from app.i18n import N_
from app.kit import limits
from app.models import CheckIn, CheckInSource, KeyResult, Membership, Objective, User
from app.okrs import progress as maths
from app.okrs import signal_links

PERIOD = re.compile(limits.PERIOD_PATTERN, re.ASCII)
STATUS_LABELS = {
    maths.ON_TRACK: N_("On track"),
    maths.AT_RISK: N_("At risk"),
    maths.OFF_TRACK: N_("Off track"),
}


@dataclass(frozen=True)
class KeyResultStatus:
    """A key result as lists and reports show it: latest value, progress 0..1 and status."""

    id: int
    title: str
    kind: str
    start: float
    target: float
    unit: str
    current: float | None
    progress: float  # 0..1
    confidence: int | None
    status: str | None  # "on_track" | "at_risk" | "off_track" | None
    checked_in_at: datetime | None
    owner_name: str | None
    signal: str | None = None  # the key of the signal that checks in on it, if linked


@dataclass(frozen=True)
class ObjectiveStatus:
    """An objective with its key results; `progress` is their mean (0 when it has none)."""

    id: int
    team_id: int
    period: str
    title: str
    key_results: tuple[KeyResultStatus, ...]
    progress: float


@dataclass(frozen=True)
class ObjectiveInput:
    title: str
    description: str


@dataclass(frozen=True)
class KeyResultInput:
    title: str
    kind: str
    start: float
    target: float
    unit: str
    owner_id: int | None


@dataclass(frozen=True)
class CheckInInput:
    value: float
    confidence: int
    note: str
    client_token: str | None


# --- Periods -----------------------------------------------------------------------------------


def current_period(today: date) -> str:
    """The calendar quarter `today` falls in, e.g. "2027-Q1"."""
    return f"{today.year}-Q{(today.month - 1) // 3 + 1}"


def parse_period(value: str, *, field: str = "period") -> str:
    """A quarter label "YYYY-Qn" (ASCII digits, a year the app plans for), or BadInput naming `field`."""
    if not PERIOD.match(value or ""):
        raise BadInput(N_("Choose a quarter such as 2027-Q1."), field=field)
    try:
        return limits.period(value)
    except limits.TextError as error:
        raise BadInput(error.message, field=field, **error.params) from None


def shift_period(period: str, quarters: int) -> str:
    """The quarter `quarters` before (negative) or after `period`."""
    year, quarter = (int(part) for part in parse_period(period).split("-Q"))
    index = year * 4 + quarter - 1 + quarters
    return f"{index // 4}-Q{index % 4 + 1}"


def periods_for(session: Session, *, team_id: int, around: str) -> list[str]:
    """Quarters for the switcher: a year back to one ahead of `around`, plus any with objectives."""
    used = session.scalars(select(Objective.period).where(Objective.team_id == team_id).distinct())
    near = {shift_period(around, n) for n in range(-4, 2)}
    return sorted(near | set(used), reverse=True)


# --- Reading -----------------------------------------------------------------------------------


def status_label(status: str | None) -> str:
    """The translated name of a status ("" before the first check-in)."""
    return i18n.gettext(STATUS_LABELS[status]) if status in STATUS_LABELS else ""


def objectives(session: Session, *, team_ids: Sequence[int], period: str) -> list[Objective]:
    """The teams' objectives of the quarter with key results and owners loaded (three queries)."""
    query = (
        select(Objective)
        .options(selectinload(Objective.key_results).joinedload(KeyResult.owner))
        .where(Objective.team_id.in_(list(team_ids)), Objective.period == period)
        .order_by(Objective.team_id, Objective.position, Objective.id)
    )
    return list(session.scalars(query))


def key_result_status(kr: KeyResult) -> KeyResultStatus:
    """The read model of one key result (its owner must be loaded)."""
    return KeyResultStatus(
        id=kr.id,
        title=kr.title,
        kind=kr.kind,
        start=kr.start_value,
        target=kr.target_value,
        unit=kr.unit,
        current=kr.current_value,
        progress=maths.progress(
            kind=kr.kind, start=kr.start_value, target=kr.target_value, value=kr.current_value
        ),
        confidence=kr.confidence,
        status=maths.status(kr.confidence),
        checked_in_at=kr.checked_in_at,
        owner_name=kr.owner.name if kr.owner is not None else None,
        signal=kr.signal,
    )


def objective_status(objective: Objective) -> ObjectiveStatus:
    """The read model of one objective (key results and owners loaded)."""
    krs = tuple(key_result_status(kr) for kr in objective.key_results)
    return ObjectiveStatus(
        id=objective.id,
        team_id=objective.team_id,
        period=objective.period,
        title=objective.title,
        key_results=krs,
        progress=maths.mean([kr.progress for kr in krs]),
    )


def team_status(
    session: Session, *, team_ids: Sequence[int], period: str
) -> dict[int, list[ObjectiveStatus]]:
    """Objectives with key-result progress for many teams at once, in a fixed number of queries.

    Every asked team id is a key (an empty list when the team has no objectives); objectives are in
    position order.
    """
    out: dict[int, list[ObjectiveStatus]] = {team_id: [] for team_id in team_ids}
    for objective in objectives(session, team_ids=team_ids, period=period):
        out[objective.team_id].append(objective_status(objective))
    return out


def team_status_by_period(
    session: Session, *, periods: Mapping[int, str]
) -> dict[int, list[ObjectiveStatus]]:
    """`team_status` with each team's own quarter (team id → quarter), in the same three queries."""
    out: dict[int, list[ObjectiveStatus]] = {team_id: [] for team_id in periods}
    query = (
        select(Objective)
        .options(selectinload(Objective.key_results).joinedload(KeyResult.owner))
        .where(Objective.team_id.in_(list(periods)), Objective.period.in_(set(periods.values())))
        .order_by(Objective.team_id, Objective.position, Objective.id)
    )
    for objective in session.scalars(query):
        if objective.period == periods[objective.team_id]:
            out[objective.team_id].append(objective_status(objective))
    return out


def adopted_suggestions(session: Session, *, team_ids: Sequence[int]) -> dict[int, set[str]]:
    """Per team, the suggested objectives (catalogue ids) it has adopted in any quarter."""
    out: dict[int, set[str]] = {team_id: set() for team_id in team_ids}
    query = select(Objective.team_id, Objective.catalogue_id).where(
        Objective.team_id.in_(list(team_ids)), Objective.catalogue_id.is_not(None)
    )
    for team_id, catalogue_id in session.execute(query.distinct()):
        out[team_id].add(catalogue_id or "")
    return out


def get_objective(session: Session, *, team_id: int, objective_id: int) -> Objective:
    """One objective of the team with its key results and owners, else 404."""
    row = session.scalars(
        select(Objective)
        .options(selectinload(Objective.key_results).joinedload(KeyResult.owner))
        .where(Objective.id == objective_id, Objective.team_id == team_id)
    ).first()
    if row is None:
        raise NotFound
    return row


def get_key_result(session: Session, *, key_result_id: int, team_id: int | None = None) -> KeyResult:
    """One key result with its objective and owner (of the team, when given), else 404."""
    query = (
        select(KeyResult)
        .join(KeyResult.objective)
        .options(joinedload(KeyResult.objective), joinedload(KeyResult.owner))
        .where(KeyResult.id == key_result_id)
    )
    if team_id is not None:
        query = query.where(Objective.team_id == team_id)
    row = session.scalars(query).first()
    if row is None:
        raise NotFound
    return row


def history(session: Session, *, key_result_id: int) -> list[CheckIn]:
    """Every check-in of a key result, newest first, with who made it."""
    query = (
        select(CheckIn)
        .options(joinedload(CheckIn.created_by))
        .where(CheckIn.key_result_id == key_result_id)
        .order_by(CheckIn.created_at.desc(), CheckIn.id.desc())
    )
    return list(session.scalars(query))


def team_members(session: Session, *, team_id: int) -> list[User]:
    """People of the team who may own a key result, by name."""
    query = select(User).join(Membership, Membership.user_id == User.id).where(Membership.team_id == team_id)
    return sorted(session.scalars(query), key=lambda u: (u.name.lower(), u.id))


# --- Changing ----------------------------------------------------------------------------------


def create_objective(
    session: Session,
    *,
    team_id: int,
    period: str,
    data: ObjectiveInput,
    user: User,
    catalogue_id: str | None = None,
) -> Objective:
    """Add an objective at the end of the team's quarter."""
    last = session.scalar(
        select(func.max(Objective.position)).where(Objective.team_id == team_id, Objective.period == period)
    )
    row = Objective(
        team_id=team_id,
        period=parse_period(period),
        title=data.title,
        description=data.description,
        catalogue_id=catalogue_id,
        position=(last or 0) + 1,
        created_by_id=user.id,
    )
    session.add(row)
    session.flush()
    audit_service.changed(session, actor=user, obj=row, verb="create", after=_fields(row))
    return row


def update_objective(session: Session, *, objective: Objective, data: ObjectiveInput, user: User) -> None:
    """Change an objective's title and description."""
    before = _fields(objective)
    objective.title, objective.description = data.title, data.description
    session.flush()
    audit_service.changed(
        session, actor=user, obj=objective, verb="update", before=before, after=_fields(objective)
    )


def delete_objective(session: Session, *, objective: Objective, user: User) -> None:
    """Delete an objective with its key results and their check-ins."""
    before = _fields(objective)
    kr_ids = select(KeyResult.id).where(KeyResult.objective_id == objective.id)
    session.execute(delete(CheckIn).where(CheckIn.key_result_id.in_(kr_ids)))
    session.execute(delete(KeyResult).where(KeyResult.objective_id == objective.id))
    session.execute(delete(Objective).where(Objective.id == objective.id))
    _forget(session, [objective, *objective.key_results])
    audit_service.changed(session, actor=user, obj=objective, verb="delete", before=before)


def create_key_result(
    session: Session,
    *,
    objective: Objective,
    data: KeyResultInput,
    user: User,
    catalogue_id: str | None = None,
    roadmap_item_id: str | None = None,
    signal: str | None = None,
) -> KeyResult:
    """Add a key result at the end of the objective (linked to `signal`, a key that fits its kind)."""
    _check_owner(session, team_id=objective.team_id, owner_id=data.owner_id)
    last = session.scalar(select(func.max(KeyResult.position)).where(KeyResult.objective_id == objective.id))
    row = KeyResult(
        objective_id=objective.id,
        catalogue_id=catalogue_id,
        roadmap_item_id=roadmap_item_id,
        signal=signal,
        position=(last or 0) + 1,
    )
    _apply(row, data)
    session.add(row)
    session.flush()
    audit_service.changed(session, actor=user, obj=row, verb="create", after=_kr_fields(row))
    return row


def update_key_result(
    session: Session, *, key_result: KeyResult, team_id: int, data: KeyResultInput, user: User
) -> None:
    """Change a key result's definition (its check-ins stay); a linked one keeps a kind its signal fits."""
    _check_owner(session, team_id=team_id, owner_id=data.owner_id)
    if key_result.signal and data.kind != key_result.kind:
        try:
            signal_links.checked_signal(key_result.signal, data.kind)
        except BadInput:
            raise BadInput(
                N_("This key result is linked to a signal that does not fit that kind: unlink it first."),
                field="kind",
            ) from None
    before = _kr_fields(key_result)
    _apply(key_result, data)
    session.flush()
    audit_service.changed(
        session, actor=user, obj=key_result, verb="update", before=before, after=_kr_fields(key_result)
    )


def set_signal(session: Session, *, key_result: KeyResult, signal: str | None, user: User) -> None:
    """Link a key result to a signal (its syncs then check in on it), or unlink it (None); BadInput
    naming `signal` for a key the catalogue does not know or that does not fit the key result's kind."""
    key = signal_links.checked_signal(signal, key_result.kind)
    if key == key_result.signal:
        return
    before = _kr_fields(key_result)
    key_result.signal = key
    session.flush()
    audit_service.changed(
        session, actor=user, obj=key_result, verb="update", before=before, after=_kr_fields(key_result)
    )


def delete_key_result(session: Session, *, key_result: KeyResult, user: User) -> None:
    """Delete a key result with its check-ins."""
    before = _kr_fields(key_result)
    session.execute(delete(CheckIn).where(CheckIn.key_result_id == key_result.id))
    session.execute(delete(KeyResult).where(KeyResult.id == key_result.id))
    _forget(session, [key_result])
    audit_service.changed(session, actor=user, obj=key_result, verb="delete", before=before)


def check_in(
    session: Session,
    *,
    key_result: KeyResult,
    data: CheckInInput,
    user: User | None,
    now: datetime,
    source: str = CheckInSource.MANUAL.value,
) -> CheckIn:
    """Record progress on a key result, exactly once per client token: a repeat returns the first one."""
    earlier = _by_token(session, key_result.id, data.client_token)
    if earlier is not None:
        return earlier
    row = CheckIn(
        key_result_id=key_result.id,
        value=data.value,
        confidence=data.confidence,
        note=data.note,
        source=source,
        client_token=data.client_token,
        created_by_id=user.id if user is not None else None,
        created_at=now,
    )
    try:
        with session.begin_nested():  # a concurrent twin with the same token rolls back to here
            session.add(row)
            session.flush()
    except IntegrityError:
        winner = _by_token(session, key_result.id, data.client_token)
        if winner is None:
            raise
        return winner
    key_result.current_value, key_result.confidence, key_result.checked_in_at = (
        data.value,
        data.confidence,
        now,
    )
    session.flush()
    audit_service.changed(
        session,
        actor=user,
        obj=key_result,
        verb="check_in",
        after={"value": data.value, "confidence": data.confidence, "note": data.note, "source": source},
    )
    return row


def _forget(session: Session, rows: Sequence[object]) -> None:
    # Deleted with SQL (the check-ins are never loaded): drop the stale objects from the session.
    for row in rows:
        if row in session:
            session.expunge(row)


def _by_token(session: Session, key_result_id: int, token: str | None) -> CheckIn | None:
    if not token:
        return None
    return session.scalars(
        select(CheckIn).where(CheckIn.key_result_id == key_result_id, CheckIn.client_token == token)
    ).first()


def _check_owner(session: Session, *, team_id: int, owner_id: int | None) -> None:
    if owner_id is None:
        return
    found = session.scalar(
        select(Membership.id).where(Membership.team_id == team_id, Membership.user_id == owner_id)
    )
    if found is None:
        raise BadInput(N_("Choose someone in the team as the owner."), field="owner_id")


def _apply(row: KeyResult, data: KeyResultInput) -> None:
    row.title, row.kind, row.unit, row.owner_id = data.title, data.kind, data.unit, data.owner_id
    row.start_value, row.target_value = data.start, data.target


def _fields(objective: Objective) -> dict[str, object]:
    return {"team_id": objective.team_id, "period": objective.period, "title": objective.title}


def _kr_fields(kr: KeyResult) -> dict[str, object]:
    return {
        "objective_id": kr.objective_id,
        "title": kr.title,
        "kind": kr.kind,
        "start": kr.start_value,
        "target": kr.target_value,
        "unit": kr.unit,
        "owner_id": kr.owner_id,
        "signal": kr.signal,
    }
