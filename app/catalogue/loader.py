"""Load capability catalogue files (YAML), listing every problem with its path and line.

The problem and error types are the maturity loader's, so the CLI and the admin pages show catalogue
and model problems alike. Regenerate the committed JSON Schema with:
    uv run python -m app.catalogue.loader > app/catalogue/catalogue.schema.json
"""

from __future__ import annotations

import functools
import json
import os
import sys
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails
from yaml.nodes import Node

from app.catalogue.checks import catalogue_findings
from app.catalogue.schema import Catalogue
from app.maturity.checks import Finding
from app.maturity.loader import LANGUAGES, ModelFileError, Problem, SafeLoader, locate
from app.maturity.schema import DEFER_REFERENCE_CHECKS

CATALOGUES_DIR = Path(__file__).parent / "catalogues"
BUILTIN = CATALOGUES_DIR / "mlops.yaml"
SCHEMA_FILE = Path(__file__).parent / "catalogue.schema.json"
# Draft 7, as for maturity models: what the YAML language server fully supports.
DIALECT = "http://json-schema.org/draft-07/schema#"


class CatalogueFileError(ModelFileError):
    """A catalogue file that cannot be used; `problems` lists everything wrong with it."""


def load_catalogue_text(text: str, source: str) -> Catalogue:
    """Validate the YAML text of a catalogue; raise CatalogueFileError listing every problem."""
    root, data = _parse(text, source)
    catalogue, findings = _validate(data)
    problems = {locate(finding, root, source) for finding in findings + catalogue_findings(data)}
    if problems or catalogue is None:
        raise CatalogueFileError(source, sorted(problems, key=lambda p: (p.line or 0, p.path, p.message)))
    return catalogue


def load_catalogue_file(path: str | os.PathLike[str]) -> Catalogue:
    """Read and validate one catalogue file (UTF-8 YAML)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeError) as error:
        raise CatalogueFileError(
            str(path), [Problem("", None, f"cannot read: {error}", str(path))]
        ) from error
    return load_catalogue_text(text, str(path))


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


def _parse(text: str, source: str) -> tuple[Node, object]:
    loader = SafeLoader(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise CatalogueFileError(source, [Problem("", line, str(error), source)]) from error
    finally:
        loader.dispose()
    if root is None:
        raise CatalogueFileError(source, [Problem("", None, "the file is empty", source)])
    return root, data


def _validate(data: object) -> tuple[Catalogue | None, list[Finding]]:
    try:
        return Catalogue.model_validate(data, context={DEFER_REFERENCE_CHECKS: True}), []
    except ValidationError as error:
        return None, [Finding(e["loc"], _message(e)) for e in error.errors() if not _cascade(e)]


def _cascade(error: ErrorDetails) -> bool:
    # An invalid item makes its list "too short after validation"; the item's own error says it all.
    items, minimum = error["input"], error.get("ctx", {}).get("min_length", 0)
    return error["type"] == "too_short" and isinstance(items, list | tuple) and len(items) >= minimum


def _message(error: ErrorDetails) -> str:
    kind, field = error["type"], error["loc"][-1] if error["loc"] else ""
    if kind == "value_error":
        return str(error.get("ctx", {}).get("error", error["msg"]))
    if kind == "missing" and field in LANGUAGES:
        return f"missing {LANGUAGES[field]} translation"
    if kind == "string_too_short" and field in LANGUAGES:
        return f"empty {LANGUAGES[field]} text"
    if kind == "extra_forbidden":
        return f"unknown field {field!r}"
    return error["msg"]


if __name__ == "__main__":
    sys.stdout.write(render_json_schema())
