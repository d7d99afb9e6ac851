"""A report's PDF: from the cache when its document is unchanged, else rendered now and kept."""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy.orm import Session

from app import db
from app.auth.service import Writer
from app.kit.lru import Lru
from app.monitoring import instruments
from app.reports import cache, render, revisions
from app.reports.errors import RendersBusy, ReportTooSlow, ServerStopping


def cached_pdf(
    session: Session,
    *,
    build: Callable[[], str],
    kind: str,
    params: Hashable,
    reader: tuple[int | None, str],
    memo: Lru[Hashable, str],
    write: Writer,
    timeout: float,
    now: datetime,
) -> tuple[bytes, str]:
    """The PDF of the document `build` makes, and "hit" or "miss". While the data revision stands still,
    the document key remembered for the same report, reader (user id, base URL) and day finds it without
    building the HTML again."""
    revision = revisions.current(session)
    user_id, base_url = reader
    identity = (revision, kind, params, user_id, now.date(), base_url)
    known = memo.get(identity) if revision is not None else None
    if known is not None and (data := cache.get(session, key=known, now=now, write=write)) is not None:
        return _looked_up(kind, data, "hit")
    if known is not None:
        _refuse_if_too_slow(known)  # before building it again
    html = build()
    key = cache.key_for(html)
    if revision is not None:
        memo.put(identity, key)
    if key != known and (data := cache.get(session, key=key, now=now, write=write)) is not None:
        return _looked_up(kind, data, "hit")
    db.release(session)  # a render takes seconds: its readers wait holding no database connection
    data = _render(key, html, timeout, kind=kind)
    cache.put(session, key=key, kind=kind, data=data, now=now, write=write)
    return _looked_up(kind, data, "miss")


def _looked_up(kind: str, data: bytes, state: str) -> tuple[bytes, str]:
    """Count the download by where its PDF came from (app/monitoring), and hand both on."""
    instruments.pdf_looked_up(kind, state)
    return data, state


def _render(key: str, html: str, timeout: float, *, kind: str) -> bytes:
    """The PDF of `html`, within the server's render time-out; counted by outcome (app/monitoring)."""
    started, outcome = time.perf_counter(), "error"
    try:
        with _unavailable():
            data = render.render_once(key, html, timeout=timeout).data
        outcome = "ok"
        return data
    except (ReportTooSlow, RendersBusy, ServerStopping) as refusal:
        outcome = OUTCOMES[type(refusal)]
        raise
    finally:
        instruments.pdf_rendered(kind, outcome, time.perf_counter() - started)


OUTCOMES: dict[type[Exception], str] = {
    ReportTooSlow: "timeout",
    RendersBusy: "busy",
    ServerStopping: "stopped",
}


def _refuse_if_too_slow(key: str) -> None:
    with _unavailable():
        render.refuse_if_too_slow(key)


@contextmanager
def _unavailable() -> Iterator[None]:
    """The render module's refusals, as the errors readers see."""
    try:
        yield
    except render.TimedOut as error:
        raise ReportTooSlow(seconds=f"{error.seconds:g}") from None
    except render.Busy:
        raise RendersBusy from None
    except render.Stopped:
        raise ServerStopping from None
