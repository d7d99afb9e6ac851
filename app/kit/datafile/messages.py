"""Messages of data-file problems: a msgid and its values, read in English or in the reader's language."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app import i18n


@dataclass(frozen=True)
class Message:
    """A gettext msgid with its %(name)s values; a value may itself be a Message, translated alike."""

    msgid: str
    params: tuple[tuple[str, object], ...] = ()

    def __str__(self) -> str:
        return self._format(lambda msgid: msgid)

    def translated(self) -> str:
        """The message in the current request's language."""
        return self._format(i18n.gettext)

    def _format(self, translate: Callable[[str], str]) -> str:
        values = {k: v._format(translate) if isinstance(v, Message) else v for k, v in self.params}
        return translate(self.msgid) % values if values else translate(self.msgid)


def say(msgid: str, **params: object) -> Message:
    """A message to show later; mark the msgid with N_ so it is extracted for translation."""
    return Message(msgid, tuple(params.items()))
