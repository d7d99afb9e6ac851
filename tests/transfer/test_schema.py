"""The committed JSON Schema of export documents matches the schema the code generates."""

from pathlib import Path

import app.transfer
from app.transfer.document import FORMAT_VERSION, SCHEMA_FILE, json_schema, render_schema

REGENERATE = "uv run python -m app.transfer.document > app/transfer/org-export.schema.json"


def test_committed_json_schema_is_up_to_date() -> None:
    committed = (Path(app.transfer.__file__).parent / SCHEMA_FILE).read_text(encoding="utf-8")
    assert committed == render_schema(), f"the JSON Schema is out of date; regenerate it with: {REGENERATE}"


def test_the_schema_names_its_format_and_version_and_forbids_unknown_fields() -> None:
    schema = json_schema()
    assert schema["properties"]["format"] == {
        "const": "hoshin-organisation",
        "title": "Format",
        "type": "string",
    }
    assert schema["properties"]["format_version"]["const"] == FORMAT_VERSION
    assert schema["additionalProperties"] is False
    person = schema["$defs"]["Person"]["properties"]
    assert "password_hash" not in person
    assert "password" not in person
    assert "credentials" not in schema["$defs"]["Source"]["properties"]
