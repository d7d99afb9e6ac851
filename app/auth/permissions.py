"""Who may do what, in one place. Routes ask through the dependencies in app/deps.py; templates only
read the answer (to hide controls), they never decide."""

from __future__ import annotations

from enum import StrEnum

from app.models import Role, User


class Action(StrEnum):
    VIEW = "view"  # team pages, assessments, results, roadmap, reports
    ANSWER = "answer"  # change answers in a draft assessment
    CHECK_IN = "check_in"  # OKR check-ins, checklist ticks, roadmap item status
    MANAGE = "manage"  # start/submit/reopen assessments, targets, roadmap edits, members, RACI


class TeamAccess(StrEnum):
    MANAGER = "manager"
    MEMBER = "member"
    VIEWER = "viewer"


_BY_ACCESS: dict[str | None, frozenset[Action]] = {
    TeamAccess.MANAGER: frozenset(Action),
    TeamAccess.MEMBER: frozenset({Action.VIEW, Action.ANSWER, Action.CHECK_IN}),
    TeamAccess.VIEWER: frozenset({Action.VIEW}),
    None: frozenset(),
}


def team_actions(user: User, access: str | None) -> frozenset[Action]:
    """What `user` may do in a team where their membership access is `access` (None: not a member).

    Admins may do everything everywhere; installation viewers (leadership) may read every team.
    """
    if user.role == Role.ADMIN:
        return frozenset(Action)
    actions = _BY_ACCESS.get(access, frozenset())
    if user.role == Role.VIEWER:
        return actions & {Action.VIEW} | {Action.VIEW}
    return actions


def can(user: User, action: Action, access: str | None) -> bool:
    return action in team_actions(user, access)


def is_admin(user: User) -> bool:
    return user.role == Role.ADMIN


def sees_every_team(user: User) -> bool:
    """Admins and installation viewers (leadership) read every team without being members."""
    return user.role in (Role.ADMIN, Role.VIEWER)


def can_create_team(user: User) -> bool:
    """Admins and installation managers start new teams (a manager then runs the team they started)."""
    return user.role in (Role.ADMIN, Role.MANAGER)
