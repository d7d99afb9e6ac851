"""What else a good sync changes, in the sync's own transaction: the composition roots (app/main.py,
app/cli.py) hand this list to every sync context (app/signals/sync.py's `Follower`)."""

from __future__ import annotations

from app.roadmap.checklists import auto_ticks
from app.signals.sync import Follower

FOLLOWERS: tuple[Follower, ...] = (auto_ticks.follow,)
