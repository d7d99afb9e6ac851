"""Form input errors raised by services and shown inline next to the field by the routes."""

from __future__ import annotations

from app import i18n
from app.kit import limits


class FieldError(ValueError):
    """Bad input for a form field: `field` names it, `message` is an untranslated msgid."""

    def __init__(self, field: str, message: str, **params: object) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.params = params

    def text(self) -> str:
        translated = i18n.gettext(self.message)
        return translated % self.params if self.params else translated

    def as_errors(self) -> dict[str, str]:
        """The form's `errors` mapping (field → translated message) for the template."""
        return {self.field: self.text()}


def checked_text(value: str, max_length: int, field: str, *, multiline: bool = False) -> str:
    """`value` within app/kit/limits.py's rules (line breaks normalised), else FieldError naming `field`."""
    try:
        return limits.check(value, max_length, multiline=multiline)
    except limits.TextError as error:
        raise FieldError(field, error.message, **error.params) from None
