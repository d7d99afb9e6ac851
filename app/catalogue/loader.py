"""Load capability catalogue files (YAML), listing every problem with its path and line.

Reading, limits, line-located problems and their words are the shared data-file loader's
(`app.kit.datafile`), so catalogue and model problems read alike. Regenerate the committed JSON Schema:
    uv run python -m app.catalogue.loader > app/catalogue/catalogue.schema.json
"""

from __future__ import annotations

import functools
import json
import os
import sys
from pathlib import Path
from typing import Any

from pydantic_core import ErrorDetails

from app.catalogue.checks import catalogue_findings
from app.catalogue.schema import Catalogue
from app.i18n import N_
from app.kit.datafile import wording
from app.kit.datafile.messages import Message, say
from app.kit.datafile.reading import DataFileError, DataFormat

CATALOGUES_DIR = Path(__file__).parent / "catalogues"
BUILTIN = CATALOGUES_DIR / "mlops.yaml"
SCHEMA_FILE = Path(__file__).parent / "catalogue.schema.json"
# Draft 7, as for maturity models: what the YAML language server fully supports.
DIALECT = "http://json-schema.org/draft-07/schema#"
# The schema's own checks (PydanticCustomError types) and what they say.
CHECKS = {
    "unknown_step": N_("unknown level step %(step)s (steps reach levels %(min)s to %(max)s)"),
    "effort_order": N_("effort low %(low)s is above high %(high)s"),
    "target_metric": N_("numeric and percentage key results need a target; milestones take none"),
    "condition_test": N_("a condition needs exactly one of equals, at_least or below"),
    "rule_effect": N_("an evidence rule needs exactly one of floor, ceiling or suggests"),
}


class CatalogueFileError(DataFileError):
    """A catalogue file that cannot be used; `problems` lists everything wrong with it."""


def _special(error: ErrorDetails) -> Message | None:
    msgid = CHECKS.get(error["type"])
    return say(msgid, **dict(error.get("ctx") or {})) if msgid is not None else None


VOCABULARY = wording.Vocabulary(
    root=Catalogue,
    top=N_(
        "a catalogue file is a mapping with id, version, name, roles, dimensions and capabilities "
        "at the top, not %(got)s"
    ),
    near_misses={"requires": "prerequisites", "depends_on": "prerequisites", "title": "name"},
    special=_special,
)


def describe(error: ErrorDetails) -> Message:
    """The message for one pydantic error on catalogue data."""
    return wording.describe(error, VOCABULARY)


CATALOGUE_FILES = DataFormat(
    Catalogue, CatalogueFileError, describe, catalogue_findings, N_("catalogue file")
)


def load_catalogue_text(text: str, source: str) -> Catalogue:
    """Validate the YAML text of a catalogue; raise CatalogueFileError listing every problem."""
    return CATALOGUE_FILES.load_text(text, source)


def load_catalogue_file(path: str | os.PathLike[str]) -> Catalogue:
    """Read and validate one catalogue file (UTF-8 YAML, at most 1 MB)."""
    return CATALOGUE_FILES.load_file(path)


@functools.cache
def builtin_catalogue() -> Catalogue:
    """The shipped MLOps catalogue, loaded and validated once."""
    return load_catalogue_file(BUILTIN)


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a catalogue file."""
    return {"$schema": DIALECT, **Catalogue.model_json_schema()}


def render_json_schema() -> str:
    """The JSON Schema as the committed file holds it."""
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render_json_schema())
