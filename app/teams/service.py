"""Reading and writing teams. Services take a session and keyword arguments; they only flush."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from app.audit import service as audit
from app.auth import permissions
from app.auth.permissions import TeamAccess
from app.i18n import N_
from app.kit import limits
from app.models import Assessment, Membership, Organisation, Team, User
from app.teams import capacity
from app.teams import coverage as role_coverage
from app.teams import roles as team_roles
from app.teams.coverage import Cover, RoleCoverage
from app.teams.roles import RECOMMENDED
from app.users.forms import FieldError, checked_text


@dataclass(frozen=True)
class TeamOverview:
    team: Team
    members: int
    assessments: list[Assessment]  # newest period first

    @property
    def latest_submitted(self) -> Assessment | None:
        return next((a for a in self.assessments if a.status == "submitted"), None)

    @property
    def draft(self) -> Assessment | None:
        return next((a for a in self.assessments if a.status == "draft"), None)


def overview(session: Session) -> list[TeamOverview]:
    """Every team with its member count and assessments, in three queries whatever the data size."""
    teams = session.scalars(select(Team).options(selectinload(Team.memberships)).order_by(Team.name)).all()
    assessments = session.scalars(
        select(Assessment).options(selectinload(Assessment.model)).order_by(Assessment.period.desc())
    ).all()
    by_team: dict[int, list[Assessment]] = {}
    for assessment in assessments:
        by_team.setdefault(assessment.team_id, []).append(assessment)
    return [TeamOverview(team, len(team.memberships), by_team.get(team.id, [])) for team in teams]


def membership_access(session: Session, *, user_id: int, team_id: int) -> str | None:
    """The user's access in the team (manager, member, viewer), or None when not a member."""
    return session.scalar(
        select(Membership.access).where(Membership.user_id == user_id, Membership.team_id == team_id)
    )


# --- Teams and members -------------------------------------------------------------------------


def visible(session: Session, *, user: User, members: bool = False) -> list[tuple[Team, str | None]]:
    """The teams `user` may see, with their access in each (None where they see it without membership)."""
    rows = session.execute(select(Membership.team_id, Membership.access).where(Membership.user_id == user.id))
    mine: dict[int, str] = dict(rows.all())
    query = select(Team).order_by(Team.name, Team.id)
    if members:
        query = query.options(selectinload(Team.memberships).joinedload(Membership.user))
    if not permissions.sees_every_team(user):
        query = query.where(Team.id.in_(mine))
    return [(team, mine.get(team.id)) for team in session.scalars(query).all()]


def visible_with_members(session: Session, *, user: User) -> list[tuple[Team, str | None]]:
    """Like `visible`, with every team's memberships and users loaded (three queries in all)."""
    return visible(session, user=user, members=True)


def with_members(session: Session, *, team_id: int) -> Team:
    """The team with its memberships and their users loaded (two queries)."""
    team = session.scalars(
        select(Team)
        .options(selectinload(Team.memberships).joinedload(Membership.user))
        .where(Team.id == team_id)
    ).one()
    return team


def members(session: Session, *, team_id: int) -> list[User]:
    """The team's people by name (one query): who may own a checklist entry or attend a session."""
    query = select(User).join(Membership, Membership.user_id == User.id).where(Membership.team_id == team_id)
    return sorted(session.scalars(query), key=lambda u: (u.name.lower(), u.id))


def _organisation(session: Session, *, name: str) -> Organisation:
    organisation = session.scalars(select(Organisation).order_by(Organisation.id)).first()
    if organisation is None:  # a fresh installation without demo data
        organisation = Organisation(name=name)
        session.add(organisation)
        session.flush()
    return organisation


def _unique_slug(session: Session, name: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60] or "team"
    taken = set(session.scalars(select(Team.slug).where(Team.slug.startswith(base, autoescape=True))))
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


@dataclass(frozen=True)
class TeamInput:
    name: str
    description: str
    improvement_share: float  # 0–1


# The shares a team and a member may give, in percent (the API states them as 0–1)
IMPROVEMENT_PERCENT = (1, 100)
CAPACITY_PERCENT = (0, 100)
Percent = str | float  # as typed on a form ("30", "30 %"), or a number from the API


def clean_team(name: str, description: str, improvement_percent: Percent = "30") -> TeamInput:
    """Validated team fields (the improvement share as a percentage); raises FieldError naming the field."""
    name = " ".join(checked_text(name, limits.NAME, "name").split())
    if not name:
        raise FieldError("name", N_("Give the team a name."))
    description = checked_text(description, limits.DESCRIPTION, "description", multiline=True).strip()
    message = N_("Enter the share of capacity for improvement work, from 1 to 100 %.")
    share = _share(improvement_percent, IMPROVEMENT_PERCENT, "improvement_share", message)
    return TeamInput(name, description, share)


def _share(percent: Percent, bounds: tuple[int, int], field: str, message: str) -> float:
    """A percentage within `bounds` as a share from 0 to 1 (two decimals), else FieldError."""
    try:
        value = float(percent.strip().rstrip("%")) if isinstance(percent, str) else float(percent)
    except ValueError:
        raise FieldError(field, message) from None
    if not bounds[0] <= value <= bounds[1]:  # NaN fails this too
        raise FieldError(field, message)
    return round(value / 100, 2)


def create(
    session: Session,
    *,
    name: str,
    description: str,
    actor: User,
    organisation_name: str,
    improvement_percent: Percent = "30",
) -> Team:
    """A new team; a non-admin creator becomes its manager."""
    data = clean_team(name, description, improvement_percent)
    organisation = _organisation(session, name=organisation_name)
    team = Team(
        organisation_id=organisation.id,
        name=data.name,
        slug=_unique_slug(session, data.name),
        description=data.description,
        improvement_share=data.improvement_share,
    )
    session.add(team)
    session.flush()
    audit.changed(session, actor=actor, obj=team, verb="create", after=_team_state(team))
    if not permissions.is_admin(actor):
        add_member(
            session,
            team=team,
            user_id=actor.id,
            actor=actor,
            data=MemberInput(TeamAccess.MANAGER, [], 0.5),
        )
    return team


def _team_state(team: Team) -> dict[str, object]:
    return {"name": team.name, "description": team.description, "improvement_share": team.improvement_share}


def update(
    session: Session,
    *,
    team: Team,
    name: str,
    description: str,
    actor: User,
    improvement_percent: Percent | None = None,
) -> None:
    """Rename the team, change its description or its share of capacity for improvement work."""
    percent = f"{team.improvement_share * 100:g}" if improvement_percent is None else improvement_percent
    data = clean_team(name, description, percent)
    before = _team_state(team)
    team.name, team.description, team.improvement_share = data.name, data.description, data.improvement_share
    after = _team_state(team)
    if before != after:
        audit.changed(session, actor=actor, obj=team, verb="update", before=before, after=after)


@dataclass(frozen=True)
class MemberInput:
    access: str
    team_roles: list[str]
    capacity: float  # 0–1


def clean_member(access: str, roles: list[str], custom: str, capacity_percent: Percent) -> MemberInput:
    """Validated membership fields from the form (capacity as a percentage); raises FieldError."""
    return member_input(access, roles, [custom], capacity_percent, custom_field="custom_role")


def member_input(
    access: str,
    recommended: Sequence[str],
    custom: Sequence[str],
    capacity_percent: Percent,
    *,
    custom_field: str = "team_roles",
) -> MemberInput:
    """Validated membership fields: recommended role slugs, custom roles (a comma separates custom roles,
    as on the form) and capacity as a percentage; a custom role's error names `custom_field`."""
    if access not in {a.value for a in TeamAccess}:
        raise FieldError("access", N_("Choose manager, member or viewer."))
    if [r for r in recommended if r not in RECOMMENDED]:
        raise FieldError("team_roles", N_("Choose roles from the list, or type a custom role."))
    typed = checked_text(",".join(custom), limits.CUSTOM_ROLES, custom_field)
    customs = [team_roles.clean_custom(part) for part in typed.split(",") if part.strip()]
    if any(len(part.strip()) > team_roles.MAX_CUSTOM_LENGTH for part in typed.split(",")):
        raise FieldError(custom_field, N_("A custom role can be at most 60 characters."))
    message = N_("Enter a share of time from 0 to 100 %.")
    capacity_share = _share(capacity_percent, CAPACITY_PERCENT, "capacity", message)
    chosen = [r for r in RECOMMENDED if r in recommended] + [c for c in dict.fromkeys(customs) if c]
    return MemberInput(access, chosen, capacity_share)


def _member_state(membership: Membership) -> dict[str, object]:
    return {
        "access": membership.access,
        "team_roles": list(membership.team_roles),
        "capacity": membership.capacity,
    }


def add_member(session: Session, *, team: Team, user_id: int, data: MemberInput, actor: User) -> Membership:
    """Put an active user into the team with access, roles and capacity."""
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        raise FieldError("user_id", N_("Choose a person from the list."))
    if membership_access(session, user_id=user_id, team_id=team.id) is not None:
        raise FieldError("user_id", N_("This person is already in the team."))
    membership = Membership(
        team_id=team.id,
        user_id=user_id,
        access=data.access,
        team_roles=data.team_roles,
        capacity=data.capacity,
    )
    session.add(membership)
    session.flush()
    audit.changed(
        session,
        actor=actor,
        obj=membership,
        verb="create",
        after={"team": team.name, "user": user.email, **_member_state(membership)},
    )
    return membership


def membership(session: Session, *, team_id: int, membership_id: int) -> Membership | None:
    """A membership of this team with its user, or None."""
    return session.scalars(
        select(Membership)
        .options(joinedload(Membership.user))
        .where(Membership.id == membership_id, Membership.team_id == team_id)
    ).first()


def _managers_left(session: Session, *, team_id: int, without: int) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(Membership)
            .where(
                Membership.team_id == team_id,
                Membership.access == TeamAccess.MANAGER.value,
                Membership.id != without,
            )
        )
        or 0
    )


def update_member(session: Session, *, membership: Membership, data: MemberInput, actor: User) -> None:
    """Change a member's access, roles or capacity (a team keeps at least one manager)."""
    if (
        membership.access == TeamAccess.MANAGER
        and data.access != TeamAccess.MANAGER
        and not _managers_left(session, team_id=membership.team_id, without=membership.id)
    ):
        raise FieldError("access", N_("A team needs at least one manager; make someone else manager first."))
    before = _member_state(membership)
    membership.access, membership.team_roles, membership.capacity = (
        data.access,
        data.team_roles,
        data.capacity,
    )
    after = _member_state(membership)
    if before != after:
        audit.changed(
            session,
            actor=actor,
            obj=membership,
            verb="update",
            before={"user": membership.user.email, **before},
            after={"user": membership.user.email, **after},
        )


def remove_member(session: Session, *, membership: Membership, actor: User) -> None:
    """Take a person out of the team (a team keeps at least one manager)."""
    if membership.access == TeamAccess.MANAGER and not _managers_left(
        session, team_id=membership.team_id, without=membership.id
    ):
        raise FieldError("access", N_("A team needs at least one manager; make someone else manager first."))
    audit.changed(
        session,
        actor=actor,
        obj=membership,
        verb="delete",
        before={"user": membership.user.email, **_member_state(membership)},
    )
    session.delete(membership)
    session.flush()


def teams_of(session: Session, *, user_id: int) -> list[Membership]:
    """A user's memberships with their teams, by team name."""
    return list(
        session.scalars(
            select(Membership)
            .options(joinedload(Membership.team))
            .join(Team)
            .where(Membership.user_id == user_id)
            .order_by(Team.name)
        ).all()
    )


def candidates(session: Session, *, team: Team) -> list[User]:
    """Active users who are not in the team yet, by name."""
    inside = select(Membership.user_id).where(Membership.team_id == team.id)
    return list(
        session.scalars(select(User).where(User.is_active, User.id.not_in(inside)).order_by(User.name)).all()
    )


@dataclass(frozen=True)
class TeamFigures:
    person_weeks: float
    coverage: list[RoleCoverage]
    improvement_share: float = capacity.DEFAULT_IMPROVEMENT_SHARE

    @property
    def improvement_person_weeks(self) -> float:
        """The person-weeks per month the roadmap schedules: the improvement share of the capacity."""
        return round(self.person_weeks * self.improvement_share + 1e-9, 1)  # halves round up

    @property
    def gaps(self) -> list[RoleCoverage]:
        return [row for row in self.coverage if row.cover is not Cover.OK]


def figures(team: Team) -> TeamFigures:
    """Capacity and role coverage of a team whose memberships are loaded."""
    members = [(m.team_roles, m.capacity) for m in team.memberships]
    return TeamFigures(
        capacity.team_person_weeks_per_month(m.capacity for m in team.memberships),
        role_coverage.coverage(members),
        team.improvement_share,
    )
