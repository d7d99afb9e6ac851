"""Configuration checks shared by `hoshin check`: each returns a problem sentence or nothing."""

from __future__ import annotations

import os
import tempfile

from sqlalchemy.exc import SQLAlchemyError

from app import migrate
from app.config import PROJECT_ROOT, ConfigurationError, Settings, resolve_secret_key
from app.db import make_engine, ping

REQUIRED_FONTS = (
    "noto-sans-jp-japanese-400-normal.woff",
    "noto-sans-jp-japanese-700-normal.woff",
    "noto-sans-jp-latin-400-normal.woff",
    "noto-sans-jp-latin-700-normal.woff",
    *(f"noto-sans-jp-{subset}-{weight}-normal.woff" for subset in (58, 60, 107) for weight in (400, 700)),
)


def run(settings: Settings) -> list[str]:
    """Every problem found, in the order a person would fix them."""
    problems = [*_var_dir(settings), *_secret(settings), *_fonts()]
    problems += _database(settings)
    return problems


def _var_dir(settings: Settings) -> list[str]:
    try:
        settings.var_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=settings.var_dir):
            pass
    except OSError as exc:
        return [f"{settings.var_dir} is not writable ({exc.strerror}); set HOSHIN_VAR_DIR"]
    return []


def _secret(settings: Settings) -> list[str]:
    try:
        resolve_secret_key(settings)
    except (ConfigurationError, OSError) as exc:
        return [str(exc)]
    return []


def _fonts() -> list[str]:
    folder = PROJECT_ROOT / "static" / "fonts"
    missing = [name for name in REQUIRED_FONTS if not os.path.isfile(folder / name)]
    return [f"missing font {folder / name} (Japanese PDFs would show empty boxes)" for name in missing]


def _database(settings: Settings) -> list[str]:
    try:
        engine = make_engine(settings.database_url)
    except OSError as exc:  # the SQLite file's folder cannot be created
        return [f"database file cannot be created under {settings.var_dir}: {exc.strerror}"]
    try:
        ping(engine)
        current = migrate.current_revision(engine)
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        return [f"database unreachable at {engine.url.render_as_string(hide_password=True)}: {reason}"]
    finally:
        engine.dispose()
    head = migrate.head_revision(settings.database_url)
    if current != head:
        return [f"database schema is at {current or 'nothing'}, latest is {head}: run `hoshin db upgrade`"]
    return []
