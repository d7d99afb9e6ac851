"""The PDF cache: an unchanged report is served without rendering again, by any replica."""

from __future__ import annotations

import hashlib
from collections.abc import Hashable
from datetime import datetime, timedelta
from importlib.metadata import version

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.auth.service import Writer
from app.kit.lru import Lru
from app.models import CachedReport

RENDERER = f"weasyprint {version('weasyprint')}"  # read once, without importing WeasyPrint into the server
KEEP_UNUSED = timedelta(days=30)
TOUCH_AFTER = timedelta(hours=1)  # last_used_at only needs to be right to the hour for a 30-day expiry


def key_memo() -> Lru[Hashable, str]:
    """Which document key a report had, by what it depends on and the data revision it was built at: an
    unchanged report is found without building its HTML again (per process; the PDFs themselves are
    shared). A revision that moved on is a miss, and the HTML built then finds the stored PDF if the
    change did not touch this report."""
    return Lru(1024)


def key_for(html: str) -> str:
    """The cache key: the exact document, and the renderer that turns it into a PDF."""
    return hashlib.sha256(f"{RENDERER}\n{html}".encode()).hexdigest()


def get(session: Session, *, key: str, now: datetime, write: Writer) -> bytes | None:
    """The stored PDF for this key, if any (and note, through `write`, that it was used)."""
    columns = (CachedReport.id, CachedReport.data, CachedReport.last_used_at)
    found = session.execute(select(*columns).where(CachedReport.key == key)).first()
    if found is None:
        return None
    if now - found.last_used_at > TOUCH_AFTER:  # a write per download would queue behind saves for nothing
        used = update(CachedReport).where(CachedReport.id == found.id).values(last_used_at=now)
        write(lambda s: s.execute(used))
    return bytes(found.data)


def put(session: Session, *, key: str, kind: str, data: bytes, now: datetime, write: Writer) -> None:
    """Keep a rendered PDF (through `write`); a replica that stored the same one first wins, harmlessly."""

    def store(s: Session) -> None:
        try:
            with s.begin_nested():
                s.add(CachedReport(key=key, kind=kind, size=len(data), data=data, last_used_at=now))
                s.flush()
        except IntegrityError:
            return
        s.execute(delete(CachedReport).where(CachedReport.last_used_at < now - KEEP_UNUSED))

    write(store)
