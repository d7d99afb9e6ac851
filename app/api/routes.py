"""The /api/v1 router for the caller's account. Each area serves its own endpoints from its `api.py`
(teams, assessments, roadmap, ...); every endpoint answers JSON and authenticates with a bearer token
or the browser session."""

from __future__ import annotations

from fastapi import APIRouter

from app.api import schemas
from app.deps import CurrentUser

PROBLEMS: dict[int | str, dict[str, object]] = {
    401: {"model": schemas.Problem, "description": "missing, unknown or revoked token"},
    403: {"model": schemas.Problem, "description": "not allowed"},
}
api_router = APIRouter(prefix="/api/v1", responses=PROBLEMS)


@api_router.get("/me", response_model=schemas.Me, tags=["account"], name="api_me")
def me(user: CurrentUser) -> schemas.Me:
    """The account the token or session belongs to."""
    return schemas.Me.model_validate(user)
