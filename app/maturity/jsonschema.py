"""JSON Schema for maturity model files, so editors can check and complete them while authors type.

Regenerate the committed copy with:
    uv run python -m app.maturity.jsonschema > app/maturity/maturity-model.schema.json
"""

from __future__ import annotations

import json
import sys
from typing import Any

from app.maturity.schema import MaturityModel

# Draft 7 rather than pydantic's 2020-12: it is what the YAML language server fully supports, and the
# generated keywords ($ref to $defs, items, anyOf, minimum) mean the same there.
DIALECT = "http://json-schema.org/draft-07/schema#"
SCHEMA_FILE = "maturity-model.schema.json"


def model_json_schema() -> dict[str, Any]:
    """The JSON Schema of a maturity model file."""
    return {"$schema": DIALECT, **MaturityModel.model_json_schema()}


def render() -> str:
    """The schema as the committed file holds it."""
    return json.dumps(model_json_schema(), indent=2) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())
