"""Reading and editing a team's RACI matrix. Rows are the capabilities of the shipped full MLOps model;
their defaults are the capability catalogue's RACI (which the roadmap plans with), by dimension for
any capability the catalogue lacks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.audit import service as audit
from app.catalogue.loader import builtin_catalogue
from app.i18n import N_
from app.maturity import service as maturity_service
from app.maturity.schema import Text
from app.models import Membership, RaciAssignment, Team, User
from app.teams.raci import rules as raci
from app.users.forms import FieldError

SOURCE_MODEL = "mlops-full"


@dataclass(frozen=True)
class CapabilityRow:
    id: str
    name: Text
    dimension_id: str
    dimension: Text


@dataclass(frozen=True)
class TeamMatrix:
    rows: list[CapabilityRow]
    columns: list[str]
    cells: raci.Matrix
    customised: bool  # the team has edited it (else these are the defaults)

    @property
    def invalid(self) -> list[str]:
        return raci.invalid_rows(self.cells)


def capability_rows(session: Session) -> list[CapabilityRow]:
    """The capabilities the matrix has a row for, grouped by dimension in model order."""
    version = maturity_service.latest(session, slug=SOURCE_MODEL)
    if version is None:
        return []
    model = maturity_service.parsed(version)
    return [CapabilityRow(c.id, c.name, d.id, d.name) for d in model.dimensions for c in d.capabilities]


def _catalogue_rows() -> raci.Matrix:
    catalogue = builtin_catalogue()
    return {c.id: {role: str(letter) for role, letter in c.raci.items()} for c in catalogue.capabilities}


def _stored(session: Session, *, team_ids: Sequence[int]) -> dict[int, raci.Matrix]:
    out: dict[int, raci.Matrix] = {team_id: {} for team_id in team_ids}
    rows = session.scalars(select(RaciAssignment).where(RaciAssignment.team_id.in_(team_ids))).all()
    for row in rows:
        out[row.team_id].setdefault(row.capability_id, {})[row.team_role] = row.letter
    return out


def _team_roles(session: Session, *, team_id: int) -> list[str]:
    lists = session.scalars(select(Membership.team_roles).where(Membership.team_id == team_id)).all()
    return [role for roles in lists for role in roles]


def _defaults(rows: Sequence[CapabilityRow]) -> raci.Matrix:
    defaults = raci.defaults((r.id, r.dimension_id) for r in rows)
    defaults.update({c: row for c, row in _catalogue_rows().items() if c in defaults})
    return defaults


def _team_matrix(
    rows: list[CapabilityRow], defaults: raci.Matrix, held: Sequence[str], stored: raci.Matrix
) -> TeamMatrix:
    columns = raci.columns([*held, *(r for row in stored.values() for r in row)])
    return TeamMatrix(rows, columns, raci.merged(defaults, stored), bool(stored))


def matrix(session: Session, *, team: Team) -> TeamMatrix:
    """The team's matrix: its stored cells where it has edited them, the defaults elsewhere."""
    rows = capability_rows(session)
    stored = _stored(session, team_ids=[team.id])[team.id]
    return _team_matrix(rows, _defaults(rows), _team_roles(session, team_id=team.id), stored)


def matrices(session: Session, *, teams: Sequence[Team]) -> dict[int, TeamMatrix]:
    """`matrix` for several teams (their memberships loaded) in the same queries whatever their number."""
    rows = capability_rows(session)
    defaults = _defaults(rows)
    stored = _stored(session, team_ids=[t.id for t in teams])
    return {
        t.id: _team_matrix(rows, defaults, [r for m in t.memberships for r in m.team_roles], stored[t.id])
        for t in teams
    }


def owners(session: Session, *, team: Team) -> dict[str, int]:
    """Capability id → the member who should own its work, from the team's matrix (see `raci.owner`);
    among several holders of a role, the first by name."""
    current = matrix(session, team=team)
    query = (
        select(Membership.user_id, Membership.team_roles)
        .join(User, User.id == Membership.user_id)
        .where(Membership.team_id == team.id)
        .order_by(User.name, User.id)
    )
    members = [(user_id, roles) for user_id, roles in session.execute(query)]
    found = {capability: raci.owner(row, members) for capability, row in current.cells.items()}
    return {capability: user_id for capability, user_id in found.items() if user_id is not None}


def set_cell(
    session: Session, *, team: Team, capability_id: str, role: str, letter: str, actor: User
) -> TeamMatrix:
    """Set one cell; the first edit stores the whole default matrix so later default changes do not
    silently rewrite what the team agreed. Rows may be left invalid in between edits: the page says so."""
    current = matrix(session, team=team)
    if capability_id not in current.cells:
        raise FieldError("capability", N_("That capability is not in the matrix."))
    if role not in current.columns:
        raise FieldError("role", N_("That role is not a column of the matrix."))
    try:
        row = raci.with_cell(current.cells[capability_id], role, letter)
    except ValueError:
        raise FieldError("letter", N_("Choose R, A, C, I or nothing.")) from None
    before = current.cells[capability_id]
    if row == before:
        return current
    if not current.customised:
        _store_all(session, team_id=team.id, cells=current.cells)
    session.execute(
        delete(RaciAssignment).where(
            RaciAssignment.team_id == team.id,
            RaciAssignment.capability_id == capability_id,
            RaciAssignment.team_role == role,
        )
    )
    if letter:
        session.add(
            RaciAssignment(team_id=team.id, capability_id=capability_id, team_role=role, letter=letter)
        )
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="raci.update",
        object_type="team",
        object_id=team.id,
        before={"capability": capability_id, "row": before},
        after={"capability": capability_id, "row": row},
    )
    cells = {**current.cells, capability_id: row}
    return TeamMatrix(current.rows, current.columns, cells, True)


def _store_all(session: Session, *, team_id: int, cells: raci.Matrix) -> None:
    session.add_all(
        RaciAssignment(team_id=team_id, capability_id=capability, team_role=role, letter=letter)
        for capability, row in cells.items()
        for role, letter in row.items()
    )
    session.flush()


def reset(session: Session, *, team: Team, actor: User) -> None:
    """Forget the team's edits: the matrix shows the defaults again."""
    deleted = session.execute(delete(RaciAssignment).where(RaciAssignment.team_id == team.id))
    if getattr(deleted, "rowcount", 0):
        audit.record(session, actor=actor, action="raci.reset", object_type="team", object_id=team.id)


def row_of(current: TeamMatrix, capability_id: str) -> Sequence[CapabilityRow]:
    return [row for row in current.rows if row.id == capability_id]
