"""Request dependencies: the database session, the signed-in user, the locale and role checks."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

from anyio import CancelScope, to_thread
from fastapi import Depends, Request
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from app import i18n
from app.auth import permissions
from app.auth import service as auth_service
from app.auth import tokens as api_tokens
from app.auth.permissions import Action
from app.config import Settings
from app.db import session_scope
from app.errors import Forbidden, NotFound, SignInRequired
from app.kit import http, limits
from app.kit.http import SAFE_METHODS
from app.kit.time import utcnow
from app.models import Role, Team, User
from app.server import write_gate
from app.teams import service as teams_service

SESSION_COOKIE = "hoshin_session"
log = logging.getLogger("hoshin")


@dataclass(frozen=True)
class Viewer:
    """Who is signed in, as the page shell shows them."""

    id: int
    name: str
    email: str
    role: str
    timezone: str

    @classmethod
    def of(cls, user: User) -> Viewer:
        return cls(user.id, user.name, user.email, user.role, user.timezone)


async def get_session(
    request: Request, _gate: Annotated[None, Depends(write_gate.hold, scope="function")]
) -> AsyncIterator[Session]:
    """One transaction per request: committed before the response is sent, rolled back on error.

    Async, so that making the session (no I/O) costs no trip through the threadpool; the end of the
    transaction is one trip. Each trip is a hand-over of the GIL, which under load waits its turn.
    """
    writes = request.method not in SAFE_METHODS
    factory = request.app.state.write_session_factory if writes else request.app.state.session_factory
    session: Session = factory()
    try:
        yield session
    except BaseException:
        with CancelScope(shield=True):
            await to_thread.run_sync(_end, session, False)
        raise
    with CancelScope(shield=True):
        await to_thread.run_sync(_end, session, True)


def _end(session: Session, commit: bool) -> None:
    try:
        if commit:
            session.commit()
        else:
            session.rollback()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


# scope="function": commit runs before the response leaves, so a failed commit is never reported as success.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


# Dependencies that neither block nor touch the database are `async`: a sync one costs a round trip
# through the threadpool and the event loop, and under load each such hop of a save is spent holding
# the write gate.
async def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


def get_optional_user(request: Request, session: SessionDep, settings: SettingsDep) -> User | None:
    """The signed-in user (session cookie, or a bearer token under /api/ and on downloads), if any; also
    settles the request's locale from their setting."""
    token = request.cookies.get(SESSION_COOKIE)
    user = None
    bearer = http.bearer_token(request)
    write = bookkeeping_writer(request, session)
    if bearer is not None:
        user = api_tokens.resolve(session, secret=bearer, now=utcnow(), write=write)
    elif token:
        idle = timedelta(minutes=settings.session_idle_minutes)
        user = auth_service.resolve_session(session, token=token, now=utcnow(), idle=idle, write=write)
    # The page shell reads a snapshot: an error rolls the session back and would expire the ORM row.
    request.state.user = Viewer.of(user) if user is not None else None
    if user is not None and user.locale:
        request.state.locale = i18n.negotiate(user.locale)
    return user


def bookkeeping_writer(request: Request, session: Session, *, wait: float = 0.0) -> auth_service.Writer:
    """Where small bookkeeping writes of a request go (a session's last-seen time, a token's last use).

    A changing request, or any request on PostgreSQL, writes in its own transaction. A reading request
    on SQLite must not turn its read into a write (a read transaction cannot safely become a write
    transaction there): it writes in a short transaction of its own when the write gate is free, else
    skips it; `wait` seconds for the gate at least, app.state.bookkeeping_wait when more ("bookkeeping"
    in docs/performance.md).
    """
    gate: write_gate.WriteGate | None = request.app.state.write_gate
    if gate is None or request.method not in SAFE_METHODS:
        return auth_service.in_session(session)
    wait = max(wait, request.app.state.bookkeeping_wait)

    def when_free(change: auth_service.Change) -> None:
        # A bounded wait (never forever: the gate's holder may need a thread of the same pool to finish).
        acquired = gate.acquire(timeout=wait) if wait else gate.acquire(blocking=False)
        if not acquired:
            return  # someone is saving right now; the next request records it
        try:
            with session_scope(request.app.state.write_session_factory) as writer:
                change(writer)
        except DBAPIError as exc:
            log.info("bookkeeping write skipped: %s", type(exc.orig or exc).__name__)
        finally:
            gate.release()

    return when_free


OptionalUser = Annotated[User | None, Depends(get_optional_user)]


async def get_current_user(user: OptionalUser) -> User:
    if user is None:
        raise SignInRequired
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


def require_role(*roles: Role) -> Callable[[User], Awaitable[User]]:
    """A dependency that lets through only users holding one of the given installation roles."""
    allowed = {role.value for role in roles}

    async def check(user: CurrentUser) -> User:
        if user.role not in allowed:
            raise Forbidden
        return user

    return check


AdminUser = Annotated[User, Depends(require_role(Role.ADMIN))]


async def require_team_creator(user: CurrentUser) -> User:
    """The user, if they may start new teams (permissions.can_create_team), else 403."""
    if not permissions.can_create_team(user):
        raise Forbidden
    return user


TeamCreator = Annotated[User, Depends(require_team_creator)]


@dataclass(frozen=True)
class TeamContext:
    """A team the current user may see, with what they may do in it (for routes and templates)."""

    team: Team
    user: User
    access: str | None
    actions: frozenset[Action]

    def can(self, action: Action) -> bool:
        return action in self.actions


def load_team_context(session: Session, *, user: User, team_id: int, action: Action) -> TeamContext:
    """The team if `user` may do `action` in it: 404 when they may not even see it, 403 when only that."""
    team = session.get(Team, team_id)
    access = teams_service.membership_access(session, user_id=user.id, team_id=team_id) if team else None
    actions = permissions.team_actions(user, access)
    if team is None or Action.VIEW not in actions:
        raise NotFound
    if action not in actions:
        raise Forbidden
    return TeamContext(team, user, access, actions)


def team_context(action: Action) -> Callable[..., TeamContext]:
    """A dependency for routes with a `team_id` path parameter; `.access` declares the route's rule."""

    def dependency(team_id: limits.RowId, session: SessionDep, user: CurrentUser) -> TeamContext:
        return load_team_context(session, user=user, team_id=team_id, action=action)

    dependency.access = action  # type: ignore[attr-defined]
    return dependency
