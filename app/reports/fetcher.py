"""The only way a PDF render may load anything: the app's own static files and data: URIs.

WeasyPrint's default fetcher follows http(s), file: anywhere and redirects; user text reaching a
report could then read local files or probe the network. Everything else is refused and recorded.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse

from app.config import PROJECT_ROOT

STATIC_ROOT = (PROJECT_ROOT / "static").resolve()


class StaticOnlyFetcher(URLFetcher):  # type: ignore[misc]
    """Serve data: URIs and files under static/; refuse (and remember) everything else."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False, timeout=2)
        self.refused: list[str] = []

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data" or (scheme == "file" and _inside_static(url)):
            return super().fetch(url, headers)
        self.refused.append(url)
        raise ValueError(f"reports may not load {url[:80]!r}")


def _inside_static(url: str) -> bool:
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        return False
    path = Path(os.path.realpath(unquote(parts.path)))
    return path == STATIC_ROOT or STATIC_ROOT in path.parents
