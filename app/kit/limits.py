"""Every limit on what people may send and store, in one place (listed for people in docs/limits.md).

Pages (forms and their `maxlength`), the JSON API (and its OpenAPI schema), the CLI and imports all use
these names, so a limit is changed here once and means the same everywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any

from annotated_types import Ge, Le
from pydantic import AfterValidator, BeforeValidator, GetJsonSchemaHandler, StringConstraints
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError

from app.i18n import N_

# Characters of text fields
NAME = 200  # a person's, a team's or a maturity model's name
TITLE = 300  # an objective's, a key result's or a roadmap item's title
DESCRIPTION = 4000  # a team's or an objective's description
NOTE = 5000  # an answer's note
CHECK_IN_NOTE = 2000  # a check-in's note
REASON = 2000  # why a question does not apply
URL = 2048  # an evidence link (what browsers and proxies reliably carry)
EMAIL = 254  # RFC 5321
PASSWORD = 1024  # a password (hashing a longer one would only cost the server time)
NEW_PASSWORD_FIELD = 2 * PASSWORD  # a new password's form field takes more: the service refuses it in words
TOKEN_NAME = 100  # an API token's name
CUSTOM_ROLE = 60  # one custom team role
CUSTOM_ROLES = 400  # a member's custom roles, comma-separated
UNIT = 20  # a key result's unit
POC_NAME = 120  # a proof-of-concept candidate's name
SEARCH = 200  # a search box
SLUG = 80  # ids from data files: models, questions, choices, capabilities, roadmap items
CLIENT_TOKEN = 64  # a check-in's retry token
BRANCH = 200  # a Git source's branch
EXPERIMENT_FILTER = 500  # an MLflow source's experiment-name filter
SECRET = 4000  # a source's token, user name or password
# Counts
EVIDENCE_LINKS = 20  # evidence links on one answer
ATTENDEES = 200  # people at one learning session
# Periods: ASCII year and quarter, e.g. 2026-Q4
FIRST_YEAR = 2000
LAST_YEAR = 2100
# Request bodies, in bytes
BODY = 1_000_000
UPLOAD_BODY = 2_000_000  # the maturity model upload: a 1 MB file plus its form's envelope
EXPORT_FILE = 100_000_000  # an organisation export (app/transfer): years of signals of many teams
EXPORT_BODY = EXPORT_FILE + 1_000_000  # its upload, with the form's envelope

# C0 and C1 controls, DEL, and lone surrogates (which no database can store); tab and newline are
# allowed in multi-line text only. JSON Schema's regex dialect reads these escapes the same way.
_SINGLE_LINE_BAD = r"\x00-\x1f\x7f-\x9f\ud800-\udfff"
_MULTI_LINE_BAD = r"\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff"
SINGLE_LINE_PATTERN = rf"^[^{_SINGLE_LINE_BAD}]*$"
MULTI_LINE_PATTERN = rf"^[^{_MULTI_LINE_BAD}]*$"
_SINGLE_LINE = re.compile(f"[{_SINGLE_LINE_BAD}]")
_MULTI_LINE = re.compile(f"[{_MULTI_LINE_BAD}]")

TOO_LONG = N_("At most %(max)d characters, please (this has %(length)d).")
CONTROL_CHARACTERS = N_("Remove the control characters (such as NUL, or a line break in a one-line field).")
PERIOD_FORMAT = N_("Write the period as year and quarter, for example 2026-Q4.")
PERIOD_RANGE = N_("Choose a year from %(first)d to %(last)d.")

PERIOD_PATTERN = r"^(\d{4})-Q([1-4])$"
_PERIOD = re.compile(PERIOD_PATTERN, re.ASCII)


class TextError(ValueError):
    """Text that breaks a limit; `message` is an untranslated msgid, `params` fill it in."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message)
        self.message = message
        self.params = params


def normalise_newlines(value: str) -> str:
    """Line breaks as \\n: browsers send a textarea's as \\r\\n but count each as one for `maxlength`."""
    return value.replace("\r\n", "\n").replace("\r", "\n")


def check(value: str, max_length: int, *, multiline: bool = False) -> str:
    """The text (line breaks normalised when multi-line), or TextError when too long or it holds a control
    character."""
    if multiline:
        value = normalise_newlines(value)
    if (_MULTI_LINE if multiline else _SINGLE_LINE).search(value):
        raise TextError(CONTROL_CHARACTERS)
    if len(value) > max_length:
        raise TextError(TOO_LONG, max=max_length, length=len(value))
    return value


def period(text: str) -> str:
    """A period label such as 2026-Q4 (spaces and lower case forgiven), or TextError."""
    label = text.strip().upper().replace(" ", "")
    match = _PERIOD.match(label)
    if not match:
        raise TextError(PERIOD_FORMAT)
    if not FIRST_YEAR <= int(match.group(1)) <= LAST_YEAR:
        raise TextError(PERIOD_RANGE, first=FIRST_YEAR, last=LAST_YEAR)
    return label


# Pydantic types for API bodies and form fields. Their errors carry the msgid, so the error handlers
# show them in the reader's language (app/errors.py).


def _refuse_controls(multiline: bool) -> AfterValidator:
    def validate(value: str) -> str:
        if (_MULTI_LINE if multiline else _SINGLE_LINE).search(value):
            raise PydanticCustomError("control_characters", CONTROL_CHARACTERS)
        return value

    return AfterValidator(validate)


def _newlines(value: Any) -> Any:
    return normalise_newlines(value) if isinstance(value, str) else value


@dataclass(frozen=True)
class _Pattern:
    """States the refused characters in the JSON schema (the validator above gives the clear message)."""

    pattern: str

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema["pattern"] = self.pattern
        return json_schema


def one_line(max_length: int) -> Any:
    """A single line of at most `max_length` characters, without control characters."""
    return Annotated[
        str, StringConstraints(max_length=max_length), _refuse_controls(False), _Pattern(SINGLE_LINE_PATTERN)
    ]


def multi_line(max_length: int) -> Any:
    """Text of at most `max_length` characters (a line break counts as one), tabs and line breaks allowed."""
    return Annotated[
        str,
        BeforeValidator(_newlines),
        StringConstraints(max_length=max_length),
        _refuse_controls(True),
        _Pattern(MULTI_LINE_PATTERN),
    ]


Name = one_line(NAME)
Title = one_line(TITLE)
Url = one_line(URL)
Reason = one_line(REASON)
Description = multi_line(DESCRIPTION)
Note = multi_line(NOTE)
CheckInNote = multi_line(CHECK_IN_NOTE)
Slug = one_line(SLUG)
ClientToken = one_line(CLIENT_TOKEN)
Unit = one_line(UNIT)
Branch = one_line(BRANCH)
ExperimentFilter = one_line(EXPERIMENT_FILTER)
SecretText = one_line(SECRET)
CustomRoles = one_line(CUSTOM_ROLES)


def _canonical_period(value: str) -> str:
    try:
        label = period(value)
    except TextError as error:
        raise PydanticCustomError("period", error.message, dict(error.params)) from None
    if label != value:
        raise PydanticCustomError("period", PERIOD_FORMAT)
    return value


# 2000–2100 as a pattern, for the schema (the validator checks FIRST_YEAR and LAST_YEAR)
PERIOD_SCHEMA_PATTERN = r"^(20[0-9]{2}|2100)-Q[1-4]$"
Period = Annotated[
    str, StringConstraints(max_length=7), AfterValidator(_canonical_period), _Pattern(PERIOD_SCHEMA_PATTERN)
]
MAX_ID = 2**63 - 1  # rows' ids are 64-bit integers
RowId = Annotated[int, Ge(1), Le(MAX_ID)]


def row_id(text: str) -> int | None:
    """A row id as a form sends it (ASCII digits within MAX_ID), else None."""
    text = text.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_ID)):
        return None
    found = int(text)
    return found if 1 <= found <= MAX_ID else None


MAX_NUMBER = 1e12  # a key result's values and a check-in's value, either sign
