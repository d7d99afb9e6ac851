"""Quarterly reviews: read a team's review of a quarter (any version), save a new version, and turn a
decided action into a roadmap item or a key result for next quarter.

Services take a session and keyword arguments and only flush; the request commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from app.audit import service as audit_service
from app.db import in_savepoint
from app.errors import BadInput, Conflict, NotFound
from app.i18n import N_
from app.models import KeyResultKind, QuarterlyReview, Roadmap, User
from app.okrs import service as okrs_service
from app.reviews import quarters
from app.reviews.forms import Draft
from app.roadmap import service as roadmap_service
from app.roadmap.planner.plan import MONTHS, AddItem


def versions(session: Session, *, team_id: int, period: str) -> list[QuarterlyReview]:
    """Every saved version of the team's review of the quarter, newest first (authors loaded)."""
    query = (
        select(QuarterlyReview)
        .options(joinedload(QuarterlyReview.created_by))
        .where(QuarterlyReview.team_id == team_id, QuarterlyReview.period == period)
        .order_by(QuarterlyReview.version.desc())
    )
    return list(session.scalars(query))


def newest_of_teams(session: Session, *, team_ids: Sequence[int]) -> dict[int, QuarterlyReview]:
    """Each team's most recent review (its latest quarter, latest version), authors loaded; two queries."""
    keys = session.execute(
        select(QuarterlyReview.id, QuarterlyReview.team_id)
        .where(QuarterlyReview.team_id.in_(list(team_ids)))
        .order_by(QuarterlyReview.period.desc(), QuarterlyReview.version.desc())
    ).all()
    chosen: dict[int, int] = {}
    for row_id, team_id in keys:
        chosen.setdefault(team_id, row_id)
    if not chosen:
        return {}
    query = select(QuarterlyReview).options(joinedload(QuarterlyReview.created_by))
    rows = session.scalars(query.where(QuarterlyReview.id.in_(list(chosen.values()))))
    return {row.team_id: row for row in rows}


def pick(found: Sequence[QuarterlyReview], number: int | None) -> QuarterlyReview | None:
    """The asked version of a list from `versions` (None: the latest; 404 when there is no such one)."""
    if number is None:
        return found[0] if found else None
    chosen = next((r for r in found if r.version == number), None)
    if chosen is None:
        raise NotFound
    return chosen


def save(session: Session, *, team_id: int, period: str, draft: Draft, user: User) -> QuarterlyReview:
    """Keep the draft as the review's next version, and record the save in the audit log."""
    last = session.scalar(
        select(func.max(QuarterlyReview.version)).where(
            QuarterlyReview.team_id == team_id, QuarterlyReview.period == period
        )
    )
    return _add(session, team_id=team_id, period=period, number=(last or 0) + 1, draft=draft, user=user)


def _add(
    session: Session, *, team_id: int, period: str, number: int, draft: Draft, user: User
) -> QuarterlyReview:
    row = QuarterlyReview(
        team_id=team_id,
        period=period,
        version=number,
        went_well=draft.went_well,
        bottleneck=draft.bottleneck,
        patterns=list(draft.patterns),
        actions=[dict(a) for a in draft.actions],
        created_by_id=user.id,
    )
    try:
        with session.begin_nested():  # two saves at once: the second is told, and its text kept
            session.add(row)
            session.flush()
    except IntegrityError:
        raise Conflict(
            N_("Someone saved this review in the meantime. Your text is below: save it again.")
        ) from None
    audit_service.record(
        session,
        actor=user,
        action="review.save",
        object_type="quarterly_review",
        object_id=f"{team_id}/{period}",
        after={"version": number, "patterns": row.patterns, "actions": row.actions},
    )
    return row


def draft_of(row: QuarterlyReview) -> Draft:
    return Draft(row.went_well, row.bottleneck, tuple(row.patterns), tuple(row.actions))


def action_of(row: QuarterlyReview, action_id: str) -> dict[str, Any]:
    """One decided action of the review (404 when it has none by that id)."""
    found = next((a for a in row.actions if a.get("id") == action_id), None)
    if found is None:
        raise NotFound
    return found


def _linked(session: Session, row: QuarterlyReview, action_id: str, user: User, **link: Any) -> None:
    """A new version in which the action records what it became."""
    actions = tuple({**a, **link} if a["id"] == action_id else a for a in row.actions)
    draft = Draft(row.went_well, row.bottleneck, tuple(row.patterns), actions)
    save(session, team_id=row.team_id, period=row.period, draft=draft, user=user)


def next_quarter_month(roadmap: Roadmap, period: str) -> int:
    """The plan month in which the quarter after `period` starts (clipped to the plan's 12 months)."""
    first = quarters.bounds(okrs_service.shift_period(period, 1))[0]
    start: date = roadmap.start_date
    months = (first.year - start.year) * 12 + first.month - start.month
    return min(max(months, 0), MONTHS - 1)


@in_savepoint  # an error leaves nothing behind; the page shows it
def to_roadmap_item(
    session: Session, *, row: QuarterlyReview, action_id: str, item: AddItem, user: User
) -> None:
    """Add the action to the roadmap as a custom item (the roadmap's `add` edit: kept on regeneration)."""
    action = action_of(row, action_id)
    if action.get("roadmap_item_id"):
        raise BadInput(N_("This action is already on the roadmap."), field="action")
    roadmap = roadmap_service.get(session, team_id=row.team_id)
    if roadmap is None:
        raise BadInput(N_("Generate the roadmap first."), field="action")
    roadmap_service.add_edit(session, roadmap=roadmap, edit=item, user=user)
    _linked(session, row, action_id, user, roadmap_item_id=item.item_id)


@in_savepoint  # an error leaves nothing behind; the page shows it
def to_key_result(session: Session, *, row: QuarterlyReview, action_id: str, user: User) -> None:
    """Add the action to next quarter's OKRs: an objective of its words with one milestone key result."""
    action = action_of(row, action_id)
    if action.get("key_result_id"):
        raise BadInput(N_("This action is already a key result."), field="action")
    period = okrs_service.shift_period(row.period, 1)
    objective = okrs_service.create_objective(
        session,
        team_id=row.team_id,
        period=period,
        data=okrs_service.ObjectiveInput(action["text"], ""),
        user=user,
    )
    data = okrs_service.KeyResultInput(action["text"], KeyResultKind.MILESTONE.value, 0.0, 1.0, "", None)
    kr = okrs_service.create_key_result(session, objective=objective, data=data, user=user)
    _linked(session, row, action_id, user, key_result_id=kr.id, key_result_period=period)
