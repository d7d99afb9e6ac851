"""What a team's latest signals say about checklist entries with a proof (a catalogue condition on one
signal): the reading shown beside the entry, and whether it proves the entry done.

A team may have several sources reporting one signal (two repositories): the proof is read in the team's
favour — it holds when any source shows it (the freshest such reading is the one shown); otherwise the
freshest reading says why not. Pages never call this: readings are stored with the ticks by the sync
follower (app/roadmap/checklists/auto_ticks.py) and by a person's tick or untick.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.catalogue.schema import Condition
from app.models import SignalValue, Source, SyncRun, SyncStatus


@dataclass(frozen=True)
class Reading:
    """One source's latest value of an entry's proof signal, and whether the proof holds on it."""

    signal: str
    value: float
    unit: str
    source_id: int
    source: str  # the source's name when it was read
    observed_at: datetime
    holds: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "signal": self.signal,
            "value": self.value,
            "unit": self.unit,
            "source_id": self.source_id,
            "source": self.source,
            "observed_at": self.observed_at.isoformat(),
            "holds": self.holds,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> Reading | None:
        """The stored reading, or None when there is none (or it cannot be read: then nothing is shown)."""
        if not data:
            return None
        try:
            return cls(
                signal=str(data["signal"]),
                value=float(data["value"]),
                unit=str(data["unit"]),
                source_id=int(data["source_id"]),
                source=str(data["source"]),
                observed_at=datetime.fromisoformat(str(data["observed_at"])),
                holds=bool(data["holds"]),
            )
        except (KeyError, TypeError, ValueError):
            return None


@dataclass(frozen=True)
class Observed:
    """One source's latest value of one signal."""

    value: float
    unit: str
    source_id: int
    source: str
    observed_at: datetime


Observations = Mapping[str, Sequence[Observed]]  # signal key → one per source reporting it


def team_observations(session: Session, *, team_id: int) -> dict[str, list[Observed]]:
    """The signals of the last good sync of each of the team's enabled sources, by key (one query).

    The same reading as app/signals/service.py's `latest_signals`, written here: checklists may not
    import app/signals (its sync imports the server, whose PDF parts import the reports, which import
    checklists), so they read the stored rows themselves."""
    good = (
        select(func.max(SyncRun.id))
        .join(Source, Source.id == SyncRun.source_id)
        .where(Source.team_id == team_id, Source.enabled.is_(True), SyncRun.status == SyncStatus.OK)
        .group_by(SyncRun.source_id)
    )
    query = (
        select(SignalValue, Source.name)
        .join(Source, Source.id == SignalValue.source_id)
        .where(SignalValue.sync_run_id.in_(good))
        .order_by(SignalValue.key, SignalValue.source_id)
    )
    found: dict[str, list[Observed]] = defaultdict(list)
    for signal, name in session.execute(query):
        found[signal.key].append(
            Observed(signal.value, signal.unit, signal.source_id, name, signal.observed_at)
        )
    return dict(found)


def read(proof: Condition, observed: Observations) -> Reading | None:
    """The reading of `proof` on the team's observations; None when no source reports its signal."""
    readings = [
        Reading(proof.signal, o.value, o.unit, o.source_id, o.source, o.observed_at, proof.holds(o.value))
        for o in observed.get(proof.signal, ())
    ]
    if not readings:
        return None
    return max(readings, key=lambda r: (r.holds, r.observed_at, -r.source_id))
