"""HTML to PDF, never on the event loop and never in the serving process: WeasyPrint is pure Python,
so a render of a second or more in the server would hold its GIL and stall every other request. One
render at a time, in one worker process started on first use (it keeps its fonts loaded)."""

from __future__ import annotations

import atexit
import gc
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar, TypeVarTuple

if TYPE_CHECKING:  # WeasyPrint is imported in the render process only: the server never needs it
    from weasyprint.text.fonts import FontConfiguration

log = logging.getLogger("hoshin")
T = TypeVar("T")
Args = TypeVarTuple("Args")
_renders = threading.BoundedSemaphore(1)
_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()
FREEZE_ABOVE = 5_000  # objects left for the collector to walk after a render, before they are frozen
_fonts: FontConfiguration | None = None  # in the worker, reused: loading the Japanese font costs ~0.5 s


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
    """Render a report page to PDF bytes in the render process. Callers run this in a worker thread
    (def routes do); it waits for the render."""
    return _in_render_process(_render, html)


def _in_render_process(function: Callable[[*Args], T], *args: *Args) -> T:
    """Call `function` in the render process, one call at a time, and wait for its result."""
    with _renders:
        try:
            return _executor().submit(function, *args).result()
        except BrokenProcessPool:  # the worker died (killed, out of memory): start a new one, once
            _reset()
            return _executor().submit(function, *args).result()


# A page that loads the report stylesheet's fonts (Latin and Japanese), as every report does.
WARM_UP_HTML = '<link rel="stylesheet" href="css/report.css"><p>Hoshin 準備</p>'


def warm_up() -> threading.Thread:
    """Start the render process and load its fonts in the background, so that the first download after
    the server starts does not wait seconds for them."""

    def run() -> None:
        try:
            html_to_pdf(WARM_UP_HTML)
            if font_subsetter() != "harfbuzz":
                log.warning("PDF fonts are subset by fontTools: libharfbuzz-subset0 would be ~3x faster")
        except Exception:  # a later render starts the process again, and reports its own failure
            log.warning("the render process did not warm up", exc_info=True)

    thread = threading.Thread(target=run, name="render-warm-up", daemon=True)
    thread.start()
    return thread


def font_subsetter() -> str:
    """What the render process subsets embedded fonts with: "harfbuzz" (HarfBuzz's C subsetter) or
    "fonttools" (WeasyPrint's pure-Python fallback, ~1 s a document on the Japanese font here)."""
    return _in_render_process(_subsetter)


def shutdown() -> None:
    """Stop the render process (it is started again on the next render)."""
    _reset()


def _executor() -> ProcessPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            # spawn, not fork: forking a threaded server process can copy a held lock into the child
            _pool = ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_exit_with_parent,
                initargs=(os.getpid(),),
            )
        return _pool


def _reset() -> None:
    global _pool
    with _pool_lock:
        if _pool is not None:
            _pool.shutdown(wait=True, cancel_futures=True)
        _pool = None


def _exit_with_parent(parent: int) -> None:
    """In the render process: leave when the server is gone (even killed), not linger orphaned."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _subsetter() -> str:
    """Runs in the render process."""
    from weasyprint.text import ffi

    return "harfbuzz" if ffi.harfbuzz_subset is not None else "fonttools"


def _render(html: str) -> Pdf:
    """Runs in the render process."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    from app.reports.fetcher import STATIC_ROOT, StaticOnlyFetcher

    global _fonts
    fetcher = StaticOnlyFetcher()
    if _fonts is None:
        _fonts = FontConfiguration()
        atexit.register(_drop_fonts)
    with _one_collection():
        document = HTML(string=html, base_url=STATIC_ROOT.as_uri() + "/", url_fetcher=fetcher)
        return Pdf(document.write_pdf(font_config=_fonts), tuple(fetcher.refused))


def _drop_fonts() -> None:
    """At the render process's exit, while modules are still whole: the fonts' temporary folder is
    removed when they are dropped (frozen, they would otherwise be dropped only at teardown, too late)."""
    global _fonts
    _fonts = None


@contextmanager
def _one_collection() -> Iterator[None]:
    """Runs in the render process: no garbage collection during a render, one after it. A render builds
    hundreds of thousands of objects that live until it ends (boxes, styles, glyph runs), so the
    collector's automatic passes kept walking them, and the fonts and modules loaded before, without
    finding garbage: a third of a long report's render time (peak memory measured lower, not higher).
    When a render leaves much behind for good (the first one's modules, a font loaded for the first
    time), that is frozen so later collections skip it. Not after every render: cycles that became
    garbage after a freeze are never freed, and freezing each time left ~37 objects a render behind."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect()
        if len(gc.get_objects()) > FREEZE_ABOVE:
            gc.freeze()
