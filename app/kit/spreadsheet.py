"""CSV for spreadsheets: cells that cannot run as formulas, and files Excel opens right in any language."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

# Excel reads a CSV as UTF-8 only when it starts with a byte order mark; without one, Excel in Japanese
# reads it as Shift_JIS and shows Japanese text garbled.
BOM = "\ufeff"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """A cell that cannot run as a formula: text starting with = + - @, a tab or a CR gets a quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_line(values: Iterable[object]) -> str:
    """One CSV line of formula-safe cells (None is an empty cell)."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow([safe_cell(v) for v in values])
    return buffer.getvalue()


def csv_for_excel(rows: Iterable[Iterable[object]]) -> str:
    """A whole CSV file of formula-safe cells that Excel opens as UTF-8 (it starts with a BOM)."""
    return BOM + "".join(csv_line(row) for row in rows)
