"""Delivery metrics tests seed their history through the real sync path (app/signals/sync.py) with the
signals tests' scripted fake adapter, each sync at a chosen moment (the sync context's clock)."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from app.signals import sync
from app.signals.adapters.base import Signal, SyncError
from app.signals.sync import Context
from tests.signals.conftest import Script, context, fake

__all__ = ["context", "fake", "sync_at"]


def sync_at(
    context: Context, fake: Script, source_id: int, when: datetime, signals: list[Signal] | SyncError
) -> sync.Outcome:
    """One sync of the source at `when` that measures `signals` (or fails with that SyncError)."""
    if isinstance(signals, SyncError):
        fake.signals, fake.error = [], signals
    else:
        fake.signals, fake.error = list(signals), None
    outcome = sync.sync_source(dataclasses.replace(context, clock=lambda: when), source_id=source_id)
    fake.error = None
    return outcome
