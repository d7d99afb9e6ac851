"""HTML to PDF, never on the event loop, one render at a time per process (each takes a core)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration

from app.reports.fetcher import STATIC_ROOT, StaticOnlyFetcher

_renders = threading.BoundedSemaphore(1)
_fonts: FontConfiguration | None = None  # reused: loading the Japanese font once saves ~0.5 s a render


@dataclass(frozen=True)
class Pdf:
    data: bytes
    refused: tuple[str, ...]  # URLs the document asked for and did not get


@dataclass
class _Flight:
    done: threading.Event = field(default_factory=threading.Event)
    result: Pdf | None = None


_flights: dict[str, _Flight] = {}
_flights_lock = threading.Lock()


def render_once(key: str, html: str) -> Pdf:
    """`html_to_pdf`, but requests for the same document at the same time share one render (a cold
    cache under load would otherwise queue the same render many times behind the one-render gate)."""
    with _flights_lock:
        flight = _flights.get(key)
        leader = flight is None
        if flight is None:
            flight = _flights[key] = _Flight()
    if not leader:
        flight.done.wait()
        return flight.result if flight.result is not None else html_to_pdf(html)
    try:
        flight.result = html_to_pdf(html)
        return flight.result
    finally:
        with _flights_lock:
            del _flights[key]
        flight.done.set()


def html_to_pdf(html: str) -> Pdf:
    """Render a report page to PDF bytes. Callers run this in a worker thread (def routes do)."""
    global _fonts
    fetcher = StaticOnlyFetcher()
    with _renders:
        _fonts = _fonts or FontConfiguration()
        document = HTML(string=html, base_url=STATIC_ROOT.as_uri() + "/", url_fetcher=fetcher)
        data = document.write_pdf(font_config=_fonts)
    return Pdf(data, tuple(fetcher.refused))
