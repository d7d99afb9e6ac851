"""Finding ASCII punctuation inside Japanese text: `,` `.` `:` `(` `)` with a Japanese character right
before or after it (spaces between do not count). URLs, numbers such as 2.5 and Latin names between
Latin characters and an ordered list's "1. " are fine; "結果: …", "(任意)" and "項目A, 項目B" are not."""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Kana, CJK ideographs, Japanese punctuation (、。「」…) and full-width forms (（）：).
JAPANESE = re.compile(r"[\u3000-\u303f\u3040-\u309f\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
ASCII = ",.:()"  # a bracket counts only on its inner side: "Alert (minutes) の進捗" is fine
SPOKEN_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")
INLINE = {"a", "abbr", "b", "code", "em", "i", "label", "small", "span", "strong", "time"}
CONTEXT = 12
LIST_NUMBER = re.compile(r"^\s*\d+\. ")  # an ordered list's "1. " as a PDF's text shows it


def problems(text: str) -> list[str]:
    """Each offending punctuation mark with a little of the text around it."""
    found = []
    for line in text.splitlines():
        line = LIST_NUMBER.sub("", line)
        for at, char in enumerate(line):
            if char not in ASCII:
                continue
            before, after = _japanese(line[:at][::-1]), _japanese(line[at + 1 :])
            if (char != ")" and after) or (char != "(" and before):
                found.append(line[max(0, at - CONTEXT) : at + CONTEXT + 1].strip())
    return found


def _japanese(side: str) -> bool:
    """Whether the nearest character that is not a space is Japanese."""
    rest = side.lstrip(" \u00a0\t")
    return bool(rest) and JAPANESE.match(rest[0]) is not None


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.hidden += 1
        spoken = [value for name, value in attrs if name in SPOKEN_ATTRIBUTES and value]
        self.parts += [f"\n{value}\n" for value in spoken]
        if tag not in INLINE:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.hidden -= 1
        if tag not in INLINE:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def page_text(html: str) -> str:
    """What a reader sees or hears of a page: its text, element by element, and spoken attributes."""
    parser = _Text()
    parser.feed(html)
    return "".join(parser.parts)
