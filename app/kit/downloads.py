"""File names of downloads: as written, Japanese included (RFC 6266's `filename*`), with an ASCII
`filename` beside it for the few clients that read only that."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

_NOT_IN_NAMES = re.compile(r"[\x00-\x1f\x7f\"\\/:*?<>|;]+")  # unsafe in a file name or the header


def file_part(text: str) -> str:
    """A name (a team's) as part of a file name: lower case, words joined by '-', any script kept."""
    return re.sub(r"[\W_]+", "-", text.lower()).strip("-")[:60] or "team"


def attachment(name: str) -> str:
    """The Content-Disposition value that has the browser save the response as `name`."""
    name = _NOT_IN_NAMES.sub("-", unicodedata.normalize("NFC", name)).strip() or "download"
    fallback = _ascii(name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def _ascii(name: str) -> str:
    """`name` without what ASCII cannot spell (accents dropped, other scripts left out)."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    plain = re.sub(r"-{2,}", "-", re.sub(r"\s+", " ", plain)).strip(" -")
    return re.sub(r"-(?=\.[^.]*$)", "", plain) or "download"
