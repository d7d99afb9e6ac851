"""Request dependencies: the database session, the signed-in user, the locale and role checks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from app import i18n
from app.auth import service as auth_service
from app.config import Settings
from app.errors import Forbidden, SignInRequired
from app.kit.time import utcnow
from app.models import Role, User

SESSION_COOKIE = "hoshin_session"


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request: committed before the response is sent, rolled back on error."""
    session: Session = request.app.state.session_factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


# scope="function": commit runs before the response leaves, so a failed commit is never reported as success.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


def get_optional_user(request: Request, session: SessionDep, settings: SettingsDep) -> User | None:
    """The signed-in user, if any; also settles the request's locale from their setting."""
    token = request.cookies.get(SESSION_COOKIE)
    user = None
    if token:
        idle = timedelta(minutes=settings.session_idle_minutes)
        user = auth_service.resolve_session(session, token=token, now=utcnow(), idle=idle)
    request.state.user = user
    if user is not None and user.locale:
        request.state.locale = i18n.negotiate(user.locale)
    return user


OptionalUser = Annotated[User | None, Depends(get_optional_user)]


def get_current_user(user: OptionalUser) -> User:
    if user is None:
        raise SignInRequired
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


def require_role(*roles: Role) -> Callable[[User], User]:
    """A dependency that lets through only users holding one of the given installation roles."""
    allowed = {role.value for role in roles}

    def check(user: CurrentUser) -> User:
        if user.role not in allowed:
            raise Forbidden
        return user

    return check


AdminUser = Annotated[User, Depends(require_role(Role.ADMIN))]
