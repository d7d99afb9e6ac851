"""Automatic check-ins: after a good sync of a source, every key result of the source's team that is
linked to a signal the sync measured gets a check-in from the signal (a sync follower, app/signals/sync.py).

- Only key results of objectives in the current quarter (the one `now` falls in): a past quarter's
  results are closed, a later quarter's have not started; nor those of an objective whose own last day
  has passed (unless a manager reopened it).
- The value is on the key result's scale (a ratio as its % number for a percentage key result); the
  confidence stays the team's last one (a signal measures, it does not judge the odds; the first check-in
  takes the even chance a form would offer). No person is named; the note says which source and sync.
- Several sources measuring the same signal (two repositories, two MLflow servers): a key result is the
  team's, so its value is the one most in the key result's favour (towards its target) among the team's
  enabled sources' latest good syncs, as app/evidence reads signals in the team's favour across sources.
  One check-in per source and sync would make the key result jump between two repositories' figures at
  every sync; the best value keeps it steady, and the note names the source and sync that measured it.
- Idempotent: the check-in's client token names the sync run that measured the value, so one run never
  gives a key result two check-ins (a sync of another source that leaves the best value where it was
  adds nothing; a repeated follower call adds nothing).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.models import CheckInSource, KeyResult, Objective, SignalValue, Source, SyncRun
from app.okrs import progress as maths
from app.okrs import service
from app.okrs.signal_links import best, kr_value, latest_good, token


def check_in_from_signals(session: Session, source: Source, run: SyncRun, now: datetime) -> None:
    """The sync follower: check in on the team's linked key results from the signals of this sync."""
    measured = set(
        session.scalars(select(SignalValue.key).where(SignalValue.sync_run_id == run.id).distinct())
    )
    if not measured:
        return
    query = (
        select(KeyResult)
        .join(Objective, Objective.id == KeyResult.objective_id)
        .where(
            Objective.team_id == source.team_id,
            Objective.period == service.current_period(now.date()),
            KeyResult.signal.in_(sorted(measured)),
        )
        .options(joinedload(KeyResult.objective))
        .order_by(KeyResult.id)
    )
    # An objective with its own, earlier last day closes within the quarter: no check-ins after it.
    linked = [kr for kr in session.scalars(query) if not service.is_closed(kr.objective, today=now.date())]
    if not linked:
        return
    goods = latest_good(session, team_id=source.team_id, keys=measured)
    for kr in linked:
        top = best(kr, goods.values())
        if top is None:
            continue
        good, value = top
        data = service.CheckInInput(
            value=kr_value(value.value, value.unit, kr.kind),
            confidence=maths.form_confidence(kr.confidence),
            note=f"From {good.source.name} (sync #{good.run_id})",
            client_token=token(good.run_id),
        )
        service.check_in(
            session, key_result=kr, data=data, user=None, now=now, source=CheckInSource.SIGNAL.value
        )
