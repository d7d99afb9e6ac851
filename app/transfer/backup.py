"""Online backups of a SQLite database with sqlite3's backup API: the server keeps serving (and writing)
while the copy is made, and the copy is a consistent database of one moment. PostgreSQL: docs/backups.md."""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path

PAGES_PER_STEP = 1024  # between steps other connections may write; the copy restarts on their changes


class BackupError(Exception):
    """A backup that could not be made; nothing is left at the target."""


def backup_sqlite(database: Path, target: Path) -> int:
    """Copy `database` to `target` (which must not exist yet); returns the copy's size in bytes."""
    if not database.is_file():
        raise BackupError(f"there is no database at {database}")
    if target.exists():
        raise BackupError(f"{target} already exists; choose a new file")
    partial = target.with_name(f".{target.name}.partial")
    try:
        with closing(sqlite3.connect(database)) as source, closing(sqlite3.connect(partial)) as copy:
            source.backup(copy, pages=PAGES_PER_STEP)
        os.replace(partial, target)  # the target appears only once it is complete
    except (OSError, sqlite3.Error) as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"cannot back up to {target}: {exc}") from None
    return target.stat().st_size
