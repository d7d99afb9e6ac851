"""The admin's rules for reaching sources, from the HOSHIN_SOURCE_* settings (see the README)."""

from __future__ import annotations

from app.config import Settings
from app.signals.adapters.base import Outbound


def hosts(value: str) -> tuple[str, ...]:
    """A comma-separated list of hosts, trimmed and lower-cased, blanks dropped."""
    return tuple(part.strip().lower() for part in value.split(",") if part.strip())


def from_settings(settings: Settings) -> Outbound:
    """The Outbound every adapter of this installation gets."""
    root = settings.git_allowed_root
    return Outbound(
        allowed_hosts=hosts(settings.source_allowed_hosts),
        allow_private=settings.source_allow_private,
        allowed_root=str(root.resolve()) if root is not None else None,
        git_max_bytes=settings.git_max_bytes,
    )
