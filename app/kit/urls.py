"""URL helpers."""

from __future__ import annotations


def safe_next(target: str | None, default: str = "/") -> str:
    """A local path to return to after an action; anything that could leave the site becomes `default`."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    return target
