"""The PDF cache: an unchanged report is served without rendering again, by any replica."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

import weasyprint
from sqlalchemy import delete, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from app.models import CachedReport

KEEP_UNUSED = timedelta(days=30)
log = logging.getLogger("hoshin")


def key_for(html: str) -> str:
    """The cache key: the exact document, and the renderer that turns it into a PDF."""
    return hashlib.sha256(f"weasyprint {weasyprint.__version__}\n{html}".encode()).hexdigest()


def get(session: Session, *, key: str, now: datetime) -> bytes | None:
    """The stored PDF for this key, if any (and note that it was used)."""
    found = session.execute(select(CachedReport.id, CachedReport.data).where(CachedReport.key == key)).first()
    if found is None:
        return None
    with _best_effort(session):
        session.execute(update(CachedReport).where(CachedReport.id == found.id).values(last_used_at=now))
    return bytes(found.data)


def put(session: Session, *, key: str, kind: str, data: bytes, now: datetime) -> None:
    """Keep a rendered PDF; a replica that stored the same one first wins, harmlessly."""
    with _best_effort(session):
        session.add(CachedReport(key=key, kind=kind, size=len(data), data=data, last_used_at=now))
        session.flush()
        session.execute(delete(CachedReport).where(CachedReport.last_used_at < now - KEEP_UNUSED))


@contextmanager
def _best_effort(session: Session) -> Iterator[None]:
    # A cache write may lose a race (another replica stored the same PDF) or find SQLite busy on a
    # read request; neither should fail a download the person is waiting for.
    try:
        with session.begin_nested():
            yield
    except DBAPIError as exc:
        log.info("report cache not updated: %s", type(exc.orig or exc).__name__)
