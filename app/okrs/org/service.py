"""Organisation objectives: leadership's objectives for a quarter (admins set them), and the team
objectives that contribute to them. An organisation objective has no key results of its own: its
progress is the mean of its contributions'. Services take a session and keyword arguments; they flush.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, joinedload, selectinload

from app.audit import service as audit_service
from app.errors import BadInput, NotFound
from app.i18n import N_
from app.models import KeyResult, Objective, OrgObjective, Team, User
from app.okrs import progress as maths
from app.okrs import service as okrs_service


@dataclass(frozen=True)
class Contribution:
    """A team objective that contributes to an organisation objective."""

    team_id: int
    team_name: str
    objective: okrs_service.ObjectiveStatus


@dataclass(frozen=True)
class OrgObjectiveStatus:
    """An organisation objective with the contributions the reader may see; `progress` is their mean."""

    id: int
    period: str
    title: str
    description: str
    owner_name: str | None
    contributions: tuple[Contribution, ...]
    progress: float


@dataclass(frozen=True)
class OrgObjectiveInput:
    title: str
    description: str
    owner_id: int | None


def objectives(session: Session, *, period: str) -> list[OrgObjective]:
    """The organisation's objectives for a quarter, in order, with their owners."""
    query = (
        select(OrgObjective)
        .options(joinedload(OrgObjective.owner))
        .where(OrgObjective.period == period)
        .order_by(OrgObjective.position, OrgObjective.id)
    )
    return list(session.scalars(query))


def get(session: Session, *, org_objective_id: int) -> OrgObjective:
    """One organisation objective with its owner, else 404."""
    row = session.scalars(
        select(OrgObjective)
        .options(joinedload(OrgObjective.owner))
        .where(OrgObjective.id == org_objective_id)
    ).first()
    if row is None:
        raise NotFound
    return row


def status(
    session: Session, *, period: str, team_ids: Sequence[int], today: date | None
) -> list[OrgObjectiveStatus]:
    """The quarter's organisation objectives with the contributions of the teams `team_ids` (those the
    reader may see), in a fixed number of queries however many there are."""
    rows = objectives(session, period=period)
    query = (
        select(Objective, Team.name)
        .join(Team, Team.id == Objective.team_id)
        .options(selectinload(Objective.key_results).joinedload(KeyResult.owner), joinedload(Objective.owner))
        .where(Objective.org_objective_id.in_([r.id for r in rows]), Objective.team_id.in_(list(team_ids)))
        .order_by(Team.name, Objective.position, Objective.id)
    )
    found: dict[int, list[Contribution]] = {r.id: [] for r in rows}
    for objective, team_name in session.execute(query) if rows else ():
        summary = okrs_service.objective_status(objective, today=today)
        found[objective.org_objective_id or 0].append(Contribution(objective.team_id, team_name, summary))
    return [
        OrgObjectiveStatus(
            id=r.id,
            period=r.period,
            title=r.title,
            description=r.description,
            owner_name=r.owner.name if r.owner is not None else None,
            contributions=tuple(found[r.id]),
            progress=maths.mean([c.objective.progress for c in found[r.id]]),
        )
        for r in rows
    ]


def create(session: Session, *, period: str, data: OrgObjectiveInput, user: User) -> OrgObjective:
    """Add an organisation objective at the end of the quarter."""
    _check_owner(session, data.owner_id)
    last = session.scalar(select(func.max(OrgObjective.position)).where(OrgObjective.period == period))
    row = OrgObjective(
        period=okrs_service.parse_period(period),
        title=data.title,
        description=data.description,
        owner_id=data.owner_id,
        position=(last or 0) + 1,
        created_by_id=user.id,
    )
    session.add(row)
    session.flush()
    audit_service.changed(session, actor=user, obj=row, verb="create", after=_fields(row))
    return row


def change(session: Session, *, row: OrgObjective, data: OrgObjectiveInput, user: User) -> None:
    """Change an organisation objective's title, description and owner."""
    _check_owner(session, data.owner_id)
    before = _fields(row)
    row.title, row.description, row.owner_id = data.title, data.description, data.owner_id
    session.flush()
    audit_service.changed(session, actor=user, obj=row, verb="update", before=before, after=_fields(row))


def delete(session: Session, *, row: OrgObjective, user: User) -> None:
    """Delete an organisation objective; the team objectives that contributed to it stay, unlinked."""
    before = _fields(row)
    session.execute(
        update(Objective).where(Objective.org_objective_id == row.id).values(org_objective_id=None),
        execution_options={"synchronize_session": False},
    )
    session.delete(row)
    session.flush()
    audit_service.changed(session, actor=user, obj=row, verb="delete", before=before)


def people(session: Session) -> list[User]:
    """Who may own an organisation objective: every active account, by name."""
    rows = session.scalars(select(User).where(User.is_active.is_(True)))
    return sorted(rows, key=lambda u: (u.name.lower(), u.id))


def _check_owner(session: Session, owner_id: int | None) -> None:
    if owner_id is None:
        return
    found = session.scalar(select(User.id).where(User.id == owner_id, User.is_active.is_(True)))
    if found is None:
        raise BadInput(N_("Choose an active account as the owner."), field="owner_id")


def _fields(row: OrgObjective) -> dict[str, object]:
    return {"period": row.period, "title": row.title, "owner_id": row.owner_id}
