"""URL helpers."""

from __future__ import annotations


def safe_next(target: str | None, default: str = "/") -> str:
    """A local path to return to after an action; anything that could leave the site becomes `default`."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    return target


def is_web_address(link: str) -> bool:
    """An http or https address without spaces: what an evidence link may be (shown, never fetched)."""
    return link.lower().startswith(("http://", "https://")) and not any(c.isspace() for c in link)
