"""What else a good sync changes, in the sync's own transaction: automatic key-result check-ins and
checklist ticks. The composition roots (app/main.py, app/cli.py) hand this list to every sync context
(app/signals/sync.py's `Follower`); it sits at the top so that signals, evidence, OKRs and the roadmap
need not import each other."""

from __future__ import annotations

from app.okrs.signal_checkins import check_in_from_signals
from app.roadmap.checklists import auto_ticks
from app.signals.sync import Follower

FOLLOWERS: tuple[Follower, ...] = (check_in_from_signals, auto_ticks.follow)
