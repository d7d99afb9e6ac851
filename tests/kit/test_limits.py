"""The limits' pure checks: text length and control characters, and period labels."""

from __future__ import annotations

import pytest

from app.kit import limits


def test_a_line_break_counts_once_however_a_browser_sends_it() -> None:
    assert limits.check("a\r\nb\rc", 5, multiline=True) == "a\nb\nc"


@pytest.mark.parametrize("text", ["a\x00", "a\x1b[31m", "a\x7f", "a\x85", "a\ud800"])
def test_control_characters_and_lone_surrogates_are_refused(text: str) -> None:
    with pytest.raises(limits.TextError) as error:
        limits.check(text, 100, multiline=True)
    assert error.value.message == limits.CONTROL_CHARACTERS


def test_tab_and_newline_are_allowed_only_in_multi_line_text() -> None:
    assert limits.check("a\tb\nc", 10, multiline=True) == "a\tb\nc"
    for text in ("a\tb", "a\nb"):
        with pytest.raises(limits.TextError):
            limits.check(text, 10)


@pytest.mark.parametrize(
    ("text", "label"), [(" 2026-q1 ", "2026-Q1"), ("2000-Q1", "2000-Q1"), ("2100-Q4", "2100-Q4")]
)
def test_periods_are_forgiven_their_case_and_spaces(text: str, label: str) -> None:
    assert limits.period(text) == label


@pytest.mark.parametrize(
    "text", ["２０２６-Q1", "0000-Q1", "9999-Q4", "1999-Q4", "2101-Q1", "2026-Q0", "٢٠٢٦-Q1"]
)
def test_periods_need_ascii_digits_and_a_year_from_2000_to_2100(text: str) -> None:
    with pytest.raises(limits.TextError):
        limits.period(text)
