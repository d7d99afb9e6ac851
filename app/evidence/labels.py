"""Signals in people's words: kept in `app.catalogue.labels` (the Sources page in app/signals needs them
too, and app/signals must not import app/evidence); re-exported here for the evidence pages."""

from app.catalogue.labels import HOURS_AS_DAYS_FROM, format_value, signal_name, signal_note

__all__ = ["HOURS_AS_DAYS_FROM", "format_value", "signal_name", "signal_note"]
