"""OKRs: read a team's objectives with progress and status, change them, and record check-ins.

An objective runs over its quarter or its own dates; after its last day check-ins are refused until a
manager reopens it. Key results move towards their target in their direction; a due date (else the
objective's last day) says how much progress to expect by a given day.

Services take a session and keyword arguments and only flush; the request or job commits.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, selectinload

from app import i18n
from app.audit import service as audit_service
from app.errors import BadInput, Conflict, NotFound
from app.i18n import N_
from app.kit import limits
from app.models import (
    CheckIn,
    CheckInSource,
    Direction,
    KeyResult,
    KeyResultKind,
    Membership,
    Objective,
    OrgObjective,
    User,
)
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
    direction: str = Direction.UP.value  # "up": higher is better; "down": lower is better
    due_on: date | None = None  # when it should be reached (else its objective's last day)
    expected: float | None = None  # the progress expected by today (0..1), where the page knows today
    owner_id: int | None = None


@dataclass(frozen=True)
class ObjectiveStatus:
    """An objective with its key results; `progress` is their mean (0 when it has none)."""

    id: int
    team_id: int
    period: str
    title: str
    key_results: tuple[KeyResultStatus, ...]
    progress: float
    starts_on: date | None = None  # its first and last day (a quarter's, or its own)
    ends_on: date | None = None
    owner_name: str | None = None
    org_objective_id: int | None = None  # the organisation objective it contributes to
    closed: bool = False  # its period is over and it was not reopened: check-ins are refused


@dataclass(frozen=True)
class ObjectiveInput:
    title: str
    description: str
    owner_id: int | None = None
    # Both or neither: own first and last day, else the quarter's.
    starts_on: date | None = None
    ends_on: date | None = None
    org_objective_id: int | None = None


@dataclass(frozen=True)
class KeyResultInput:
    title: str
    kind: str
    start: float
    target: float
    unit: str
    owner_id: int | None
    direction: str | None = None  # None: the one the target implies (below the start: down)
    due_on: date | None = None


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


def quarter_dates(period: str) -> tuple[date, date]:
    """The first and last day of a quarter such as "2027-Q1"."""
    year, quarter = (int(part) for part in parse_period(period).split("-Q"))
    first = date(year, 3 * quarter - 2, 1)
    after = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return first, after - timedelta(days=1)


def objective_dates(objective: Objective) -> tuple[date, date]:
    """An objective's first and last day: its own, else its quarter's."""
    if objective.starts_on is not None and objective.ends_on is not None:
        return objective.starts_on, objective.ends_on
    return quarter_dates(objective.period)


def is_closed(objective: Objective, *, today: date) -> bool:
    """Whether check-ins on the objective are closed: its last day has passed and no manager reopened it."""
    return objective.reopened_at is None and today > objective_dates(objective)[1]


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
        .options(selectinload(Objective.key_results).joinedload(KeyResult.owner), joinedload(Objective.owner))
        .where(Objective.team_id.in_(list(team_ids)), Objective.period == period)
        .order_by(Objective.team_id, Objective.position, Objective.id)
    )
    return list(session.scalars(query))


def key_result_status(
    kr: KeyResult, *, dates: tuple[date, date] | None = None, today: date | None = None
) -> KeyResultStatus:
    """The read model of one key result (its owner must be loaded); with its objective's `dates` and
    `today`, also the progress expected by today."""
    expected = None
    if dates is not None and today is not None:
        due = kr.due_on or dates[1]
        expected = maths.expected(kind=kr.kind, starts=dates[0], due=due, today=today)
    return KeyResultStatus(
        id=kr.id,
        title=kr.title,
        kind=kr.kind,
        start=kr.start_value,
        target=kr.target_value,
        unit=kr.unit,
        current=kr.current_value,
        progress=maths.progress(
            kind=kr.kind,
            start=kr.start_value,
            target=kr.target_value,
            value=kr.current_value,
            direction=kr.direction,
        ),
        confidence=kr.confidence,
        status=maths.status(kr.confidence),
        checked_in_at=kr.checked_in_at,
        owner_name=kr.owner.name if kr.owner is not None else None,
        owner_id=kr.owner_id,
        signal=kr.signal,
        direction=kr.direction,
        due_on=kr.due_on,
        expected=expected,
    )


def objective_status(objective: Objective, *, today: date | None = None) -> ObjectiveStatus:
    """The read model of one objective (its owner, key results and theirs loaded);
    with `today`, what each key result should have reached by then and whether check-ins are closed."""
    dates = objective_dates(objective)
    krs = tuple(key_result_status(kr, dates=dates, today=today) for kr in objective.key_results)
    return ObjectiveStatus(
        id=objective.id,
        team_id=objective.team_id,
        period=objective.period,
        title=objective.title,
        key_results=krs,
        progress=maths.mean([kr.progress for kr in krs]),
        starts_on=dates[0],
        ends_on=dates[1],
        owner_name=objective.owner.name if objective.owner is not None else None,
        org_objective_id=objective.org_objective_id,
        closed=today is not None and is_closed(objective, today=today),
    )


def team_status(
    session: Session, *, team_ids: Sequence[int], period: str, today: date | None = None
) -> dict[int, list[ObjectiveStatus]]:
    """Objectives with key-result progress for many teams at once, in a fixed number of queries (with
    `today`, expected progress and whether each is closed too).

    Every asked team id is a key (an empty list when the team has no objectives); objectives are in
    position order.
    """
    out: dict[int, list[ObjectiveStatus]] = {team_id: [] for team_id in team_ids}
    for objective in objectives(session, team_ids=team_ids, period=period):
        out[objective.team_id].append(objective_status(objective, today=today))
    return out


def team_status_by_period(
    session: Session, *, periods: Mapping[int, str]
) -> dict[int, list[ObjectiveStatus]]:
    """`team_status` with each team's own quarter (team id → quarter), in the same three queries."""
    out: dict[int, list[ObjectiveStatus]] = {team_id: [] for team_id in periods}
    query = (
        select(Objective)
        .options(selectinload(Objective.key_results).joinedload(KeyResult.owner), joinedload(Objective.owner))
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


def get_objective(session: Session, *, objective_id: int, team_id: int | None = None) -> Objective:
    """One objective (of the team, when given) with its key results and owners, else 404."""
    query = (
        select(Objective)
        .options(selectinload(Objective.key_results).joinedload(KeyResult.owner), joinedload(Objective.owner))
        .where(Objective.id == objective_id)
    )
    if team_id is not None:
        query = query.where(Objective.team_id == team_id)
    row = session.scalars(query).first()
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


def owner_if_member(session: Session, *, team_id: int, user: User) -> int | None:
    """`user`'s id when they are in the team (an adopted objective's owner), else None (an admin)."""
    found = session.scalar(
        select(Membership.id).where(Membership.team_id == team_id, Membership.user_id == user.id)
    )
    return user.id if found is not None else None


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
    """Add an objective at the end of the team's quarter (or of the quarter its own dates start in), owned
    by someone in the team, optionally contributing to an organisation objective of that quarter."""
    _check_objective(session, team_id=team_id, period=period, data=data)
    last = session.scalar(
        select(func.max(Objective.position)).where(Objective.team_id == team_id, Objective.period == period)
    )
    row = Objective(
        team_id=team_id,
        period=parse_period(period),
        catalogue_id=catalogue_id,
        position=(last or 0) + 1,
        created_by_id=user.id,
    )
    _apply_objective(row, data)
    session.add(row)
    session.flush()
    audit_service.changed(session, actor=user, obj=row, verb="create", after=_fields(row))
    return row


def update_objective(session: Session, *, objective: Objective, data: ObjectiveInput, user: User) -> None:
    """Change an objective's title, description, owner, dates and contribution (its quarter stays)."""
    _check_objective(session, team_id=objective.team_id, period=objective.period, data=data)
    _check_due_dates(objective, data, [kr.due_on for kr in objective.key_results])
    before = _fields(objective)
    _apply_objective(objective, data)
    session.flush()
    audit_service.changed(
        session, actor=user, obj=objective, verb="update", before=before, after=_fields(objective)
    )


def reopen(session: Session, *, objective: Objective, user: User, now: datetime) -> None:
    """Open a closed objective to check-ins again (a late figure, a review); audited."""
    if objective.reopened_at is not None:
        return
    objective.reopened_at = now
    session.flush()
    audit_service.changed(session, actor=user, obj=objective, verb="reopen", after={"reopened_at": now})


def close(session: Session, *, objective: Objective, user: User) -> None:
    """Close a reopened objective again: after its last day, check-ins are refused once more; audited."""
    if objective.reopened_at is None:
        return
    before = {"reopened_at": objective.reopened_at}
    objective.reopened_at = None
    session.flush()
    audit_service.changed(session, actor=user, obj=objective, verb="close", before=before)


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
    data = checked_key_result(data, objective=objective)
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
    data = checked_key_result(data, objective=key_result.objective)
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
    """Record progress on a key result, exactly once per client token: a repeat returns the first one.
    Conflict naming `value` once its objective's period is over (unless a manager reopened it)."""
    earlier = _by_token(session, key_result.id, data.client_token)
    if earlier is not None:
        return earlier
    objective = session.get(Objective, key_result.objective_id)  # loaded already, wherever it comes from
    if objective is not None and is_closed(objective, today=now.date()):
        raise Conflict(
            N_("Check-ins closed after %(date)s, the last day of this objective. A manager can reopen it."),
            field="value",
            date=objective_dates(objective)[1].isoformat(),
        )
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
    before = {"value": key_result.current_value, "confidence": key_result.confidence}
    key_result.current_value, key_result.confidence, key_result.checked_in_at = (
        data.value,
        data.confidence,
        now,
    )
    session.flush()
    audit_service.changed(  # the one record of a check-in: the value and confidence (its status) it moved
        session,
        actor=user,
        obj=key_result,
        verb="check_in",
        before=before,
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


def _check_owner(session: Session, *, team_id: int, owner_id: int | None, field: str = "owner_id") -> None:
    if owner_id is None:
        return
    found = session.scalar(
        select(Membership.id).where(Membership.team_id == team_id, Membership.user_id == owner_id)
    )
    if found is None:
        raise BadInput(N_("Choose someone in the team as the owner."), field=field)


def checked_key_result(data: KeyResultInput, *, objective: Objective) -> KeyResultInput:
    """The rules every way in shares (pages, API, templates): a target that differs from the start and
    lies in the key result's direction, and a due date within the objective; the direction filled in.
    BadInput names the field."""
    if data.kind not in {k.value for k in KeyResultKind}:
        raise BadInput(N_("Choose what kind of key result this is."), field="kind")
    if data.direction is not None and data.direction not in {d.value for d in Direction}:
        raise BadInput(N_("Choose whether higher or lower is better."), field="direction")
    if data.kind == KeyResultKind.MILESTONE:
        data = replace(data, start=0.0, target=1.0, unit="", direction=Direction.UP.value)
    elif data.start == data.target:
        raise BadInput(N_("The target must differ from the start value."), field="target_value")
    implied = maths.direction_of(start=data.start, target=data.target)
    if data.direction is not None and data.direction != implied:
        message = (
            N_("Higher is better: the target must be above the start value.")
            if data.direction == Direction.UP
            else N_("Lower is better: the target must be below the start value.")
        )
        raise BadInput(message, field="target_value")
    _check_due_dates(objective, None, [data.due_on])
    return replace(data, direction=implied)


def _check_due_dates(objective: Objective, data: ObjectiveInput | None, dues: list[date | None]) -> None:
    """Every due date within the objective's days (as `data` would set them, when given)."""
    if data is not None and data.starts_on is not None and data.ends_on is not None:
        first, last = data.starts_on, data.ends_on
    elif data is not None:
        first, last = quarter_dates(objective.period)
    else:
        first, last = objective_dates(objective)
    for due in dues:
        if due is None:
            continue
        if due < first:
            raise BadInput(
                N_("The due date is before the objective starts (%(date)s)."),
                field="due_on",
                date=first.isoformat(),
            )
        if due > last:
            raise BadInput(
                N_("The due date is after the objective ends (%(date)s)."),
                field="due_on",
                date=last.isoformat(),
            )


def _check_objective(session: Session, *, team_id: int, period: str, data: ObjectiveInput) -> None:
    """An owner in the team; both dates or neither, the first in the quarter, the last not before it;
    an organisation objective of the same quarter."""
    if data.owner_id is not None:
        _check_owner(session, team_id=team_id, owner_id=data.owner_id, field="owner_id")
    if (data.starts_on is None) != (data.ends_on is None):
        field = "ends_on" if data.ends_on is None else "starts_on"
        raise BadInput(
            N_("Give both the first and the last day, or neither for the whole quarter."), field=field
        )
    if data.starts_on is not None and data.ends_on is not None:
        first, last = quarter_dates(period)
        if not first <= data.starts_on <= last:
            raise BadInput(
                N_("Start within %(period)s (from %(first)s to %(last)s), or choose that quarter."),
                field="starts_on",
                period=period,
                first=first.isoformat(),
                last=last.isoformat(),
            )
        if data.ends_on < data.starts_on:
            raise BadInput(N_("The last day must not be before the first."), field="ends_on")
    if data.org_objective_id is not None:
        found = session.scalar(
            select(OrgObjective.id).where(
                OrgObjective.id == data.org_objective_id, OrgObjective.period == period
            )
        )
        if found is None:
            raise BadInput(
                N_("Choose one of the organisation's objectives for this quarter."), field="org_objective_id"
            )


def _apply_objective(row: Objective, data: ObjectiveInput) -> None:
    row.title, row.description, row.owner_id = data.title, data.description, data.owner_id
    row.starts_on, row.ends_on, row.org_objective_id = data.starts_on, data.ends_on, data.org_objective_id


def _apply(row: KeyResult, data: KeyResultInput) -> None:
    row.title, row.kind, row.unit, row.owner_id = data.title, data.kind, data.unit, data.owner_id
    row.start_value, row.target_value = data.start, data.target
    row.direction, row.due_on = data.direction or Direction.UP.value, data.due_on


def _fields(objective: Objective) -> dict[str, object]:
    return {
        "team_id": objective.team_id,
        "period": objective.period,
        "title": objective.title,
        "owner_id": objective.owner_id,
        "starts_on": objective.starts_on.isoformat() if objective.starts_on else None,
        "ends_on": objective.ends_on.isoformat() if objective.ends_on else None,
        "org_objective_id": objective.org_objective_id,
    }


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
        "direction": kr.direction,
        "due_on": kr.due_on.isoformat() if kr.due_on else None,
    }
