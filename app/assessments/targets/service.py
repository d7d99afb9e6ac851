"""Target levels per dimension: the organisation's default, overridden per team."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit import service as audit_service
from app.errors import BadInput
from app.i18n import N_
from app.models import Organisation, Target, User

DEFAULT_TARGET = 3  # "automated and gated": the playbook's 12-month aim when nobody has said otherwise


def organisation_id(session: Session) -> int:
    """The organisation whose defaults the admin sets; BadInput while there is none (no team yet)."""
    found = session.scalars(select(Organisation.id).order_by(Organisation.id)).first()
    if found is None:
        raise BadInput(N_("There is no organisation yet: create a team first."))
    return found


def with_fallback(levels: Mapping[str, int], dimension_ids: Iterable[str]) -> dict[str, int]:
    """Every dimension's target: the level set for it, else DEFAULT_TARGET."""
    return {dimension_id: levels.get(dimension_id, DEFAULT_TARGET) for dimension_id in dimension_ids}


def levels(session: Session, *, organisation_id: int, team_id: int | None, model_slug: str) -> dict[str, int]:
    """The organisation default per dimension, with the team's own targets on top."""
    rows = session.scalars(
        select(Target).where(
            Target.organisation_id == organisation_id,
            Target.model_slug == model_slug,
            (Target.team_id.is_(None)) | (Target.team_id == team_id),
        )
    ).all()
    merged = {row.dimension_id: row.level for row in rows if row.team_id is None}
    merged.update({row.dimension_id: row.level for row in rows if row.team_id is not None})
    return merged


def levels_of_teams(
    session: Session, *, organisation_id: int, team_ids: Iterable[int], slugs: Iterable[str]
) -> dict[tuple[int, str], dict[str, int]]:
    """`levels` for several teams and models in one query: (team id, model slug) → dimension → level."""
    team_ids, slugs = set(team_ids), set(slugs)
    rows = session.scalars(
        select(Target).where(
            Target.organisation_id == organisation_id,
            Target.model_slug.in_(slugs),
            (Target.team_id.is_(None)) | (Target.team_id.in_(team_ids)),
        )
    ).all()
    out: dict[tuple[int, str], dict[str, int]] = {}
    for team_id in team_ids:
        for slug in slugs:
            merged = {r.dimension_id: r.level for r in rows if r.team_id is None and r.model_slug == slug}
            merged.update(
                {r.dimension_id: r.level for r in rows if r.team_id == team_id and r.model_slug == slug}
            )
            out[(team_id, slug)] = merged
    return out


def own_levels(
    session: Session, *, organisation_id: int, team_id: int | None, model_slug: str
) -> dict[str, int]:
    """Only the targets set at this level (team, or organisation when team_id is None)."""
    team_filter = Target.team_id.is_(None) if team_id is None else Target.team_id == team_id
    rows = session.scalars(
        select(Target).where(
            Target.organisation_id == organisation_id, Target.model_slug == model_slug, team_filter
        )
    ).all()
    return {row.dimension_id: row.level for row in rows}


def save(
    session: Session,
    *,
    organisation_id: int,
    team_id: int | None,
    model_slug: str,
    wanted: Mapping[str, int | None],
    user: User,
) -> None:
    """Set (or with None remove) the target of each dimension at this level."""
    team_filter = Target.team_id.is_(None) if team_id is None else Target.team_id == team_id
    existing = {
        row.dimension_id: row
        for row in session.scalars(
            select(Target).where(
                Target.organisation_id == organisation_id, Target.model_slug == model_slug, team_filter
            )
        )
    }
    before = {dim: row.level for dim, row in existing.items()}
    for dimension_id, level in wanted.items():
        row = existing.get(dimension_id)
        if level is None and row is not None:
            session.delete(row)
        elif level is not None and row is None:
            session.add(
                Target(
                    organisation_id=organisation_id,
                    team_id=team_id,
                    model_slug=model_slug,
                    dimension_id=dimension_id,
                    level=level,
                )
            )
        elif level is not None and row is not None:
            row.level = level
    after = {dim: level for dim, level in {**before, **wanted}.items() if level is not None}
    audit_service.record(
        session,
        actor=user,
        action="targets.save",
        object_type="targets",
        object_id=f"{team_id or 'organisation'}/{model_slug}",
        before=before,
        after=after,
    )
    session.flush()
