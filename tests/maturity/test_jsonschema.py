"""The committed JSON Schema for model authors matches the schema the code generates."""

from pathlib import Path

import app.maturity
from app.maturity.jsonschema import SCHEMA_FILE, model_json_schema, render

REGENERATE = "uv run python -m app.maturity.jsonschema > app/maturity/maturity-model.schema.json"


def test_committed_json_schema_is_up_to_date() -> None:
    committed = (Path(app.maturity.__file__).parent / SCHEMA_FILE).read_text(encoding="utf-8")
    assert committed == render(), f"the JSON Schema is out of date; regenerate it with: {REGENERATE}"


def test_json_schema_requires_the_model_fields_and_forbids_others() -> None:
    schema = model_json_schema()
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert set(schema["required"]) == {"id", "version", "name", "dimensions"}
    assert schema["additionalProperties"] is False


def test_json_schema_limits_levels_to_zero_to_four() -> None:
    definitions = model_json_schema()["$defs"]
    level = definitions["Choice"]["properties"]["level"]["anyOf"][0]
    assert (level["minimum"], level["maximum"]) == (0, 4)
    assert definitions["Capability"]["properties"]["levels"]["propertyNames"] == {"pattern": "^[0-4]$"}
