"""Download file names keep what the name says (Japanese included) for browsers that read RFC 6266's
`filename*`, with an ASCII name beside it for those that do not."""

from __future__ import annotations

from urllib.parse import unquote

from hypothesis import given, settings
from hypothesis import strategies as st

from app.kit.downloads import attachment, file_part


def _parameters(value: str) -> dict[str, str]:
    kind, *rest = value.split("; ")
    assert kind == "attachment"
    return dict(part.split("=", 1) for part in rest)


def test_a_japanese_team_name_is_kept_in_the_name_and_left_out_of_the_ascii_one() -> None:
    name = f"hoshin-roadmap-{file_part('推論基盤チーム')}-ja.pdf"
    parameters = _parameters(attachment(name))
    assert unquote(parameters["filename*"].removeprefix("UTF-8''")) == "hoshin-roadmap-推論基盤チーム-ja.pdf"
    assert parameters["filename"] == '"hoshin-roadmap-ja.pdf"'


def test_a_name_in_ascii_is_the_same_in_both() -> None:
    parameters = _parameters(attachment(f"roadmap-{file_part('Demand Forecasting')}.csv"))
    assert parameters["filename"] == '"roadmap-demand-forecasting.csv"'
    assert parameters["filename*"] == "UTF-8''roadmap-demand-forecasting.csv"


def test_a_team_name_becomes_one_lower_case_word_run_in_any_script() -> None:
    assert file_part("ML 基盤 / Platform") == "ml-基盤-platform"
    assert file_part("データ・プラットフォーム") == "データ-プラットフォーム"
    assert file_part("!!!") == "team"


@settings(deadline=None)
@given(st.text(max_size=80))
def test_any_name_gives_a_header_of_safe_ascii_that_names_the_same_file(name: str) -> None:
    value = attachment(name)
    value.encode("ascii")  # a header value: no raw non-ASCII, and no line break or quote to break out of it
    parameters = _parameters(value)
    assert parameters["filename"].count('"') == 2
    kept = unquote(parameters["filename*"].removeprefix("UTF-8''"))
    assert not set(kept) & set('"\\/:*?<>|;\r\n\x00')
