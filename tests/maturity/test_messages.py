"""Problems in a model file are said in Hoshin's own words, with a hint for the common near-misses."""

import pytest

from app import i18n
from app.kit.datafile.reading import Problem
from tests.maturity.test_loader import edit, line_of, problems

CAPABILITY = "dimensions[0].capabilities[1]"


def only(text: str) -> Problem:
    [problem] = problems(text)
    return problem


def test_requires_asks_whether_prerequisites_was_meant(tiny: str) -> None:
    text = edit(tiny, "prerequisites: [versioning]", "requires: [versioning]")
    problem = only(text)
    assert (problem.path, problem.line) == (f"{CAPABILITY}.requires", line_of(text, "requires:"))
    assert problem.message == "unknown field 'requires': did you mean prerequisites?"


def test_an_unknown_key_suggests_the_closest_known_key_at_its_place(tiny: str) -> None:
    text = edit(tiny, "      - id: pipeline\n", "      - id: pipeline\n        wieght: 2\n")
    assert only(text).message == "unknown field 'wieght': did you mean weight?"


def test_jp_for_the_japanese_text_asks_whether_ja_was_meant(tiny: str) -> None:
    text = edit(tiny, "name: {en: Data, ja: データ}", "name: {en: Data, jp: データ}")
    found = {(p.path, p.message) for p in problems(text)}
    assert ("dimensions[0].name.jp", "unknown field 'jp': did you mean ja?") in found


def test_an_unknown_key_with_nothing_close_lists_the_known_keys(tiny: str) -> None:
    text = edit(tiny, "      - id: pipeline\n", "      - id: pipeline\n        colour: red\n")
    assert only(text).message == (
        "unknown field 'colour' (known here: id, name, description, weight, levels, prerequisites, questions)"
    )


def test_scoring_written_as_a_bare_strategy_shows_how_to_write_it(tiny: str) -> None:
    text = edit(tiny, 'version: "1.0"\n', 'version: "1.0"\nscoring: mean\n')
    problem = only(text)
    assert (problem.path, problem.line) == ("scoring", line_of(text, "scoring: mean"))
    assert problem.message == "scoring is a mapping: write scoring: {strategy: mean}"


def test_a_misspelt_strategy_suggests_the_closest(tiny: str) -> None:
    text = edit(tiny, 'version: "1.0"\n', 'version: "1.0"\nscoring: {strategy: weakest-link}\n')
    assert only(text).message == "unknown scoring strategy 'weakest-link': did you mean weakest_link?"


def test_a_text_written_as_a_plain_string_asks_for_both_languages(tiny: str) -> None:
    text = edit(tiny, "name: {en: Data, ja: データ}", "name: Data")
    problem = only(text)
    assert (problem.path, problem.line) == ("dimensions[0].name", line_of(text, "name: Data"))
    assert problem.message == "expected a text in both languages: {en: …, ja: …}, not the text 'Data'"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'version: "1.0"',
            'version: "one"',
            '\'one\' is not a version number: write it like "1.0" or "1.2.3"',
        ),
        ("questions:\n          - id: pipeline-q", "questions: pipeline-q\n          - id: x", None),
        ("id: tool, level: 2", "id: tool, level: two", "expected a whole number"),
        ("        prerequisites:", "        weight: -1\n        prerequisites:", "must be greater than 0.0"),
        ("        prerequisites:", "        weight: heavy\n        prerequisites:", "expected a number"),
        ("- id: pipeline-q\n", "- id: pipeline-q\n            allow_na: maybe\n", "expected true or false"),
        ("- {id: by-hand,", "- {id: by-hand, points: 2,", "must be at most 1.0"),
        ("prerequisites: [versioning]", "prerequisites: versioning", None),
    ],
)
def test_no_message_is_pydantics(tiny: str, old: str, new: str, message: str | None) -> None:
    found = problems(edit(tiny, old, new))
    for problem in found:
        assert "Input should" not in problem.message
        assert "instance of" not in problem.message
    if message is not None:
        assert [p.message for p in found] == [message]


def test_a_list_where_a_mapping_belongs_says_what_was_written(tiny: str) -> None:
    text = edit(tiny, "prerequisites: [versioning]", "prerequisites: [versioning]\n        levels: [1, 2]")
    assert only(text).message == "expected a mapping (key: value lines), not a list"


def test_an_unknown_prerequisite_suggests_the_closest_capability(tiny: str) -> None:
    text = edit(tiny, "prerequisites: [versioning]", "prerequisites: [versionning]")
    assert only(text).message == "unknown prerequisite 'versionning': did you mean versioning?"


def test_problems_read_in_japanese_keep_their_values(tiny: str) -> None:
    text = edit(tiny, "prerequisites: [versioning]", "requires: [versioning]")
    text = edit(text, "id: tool, level: 2", "id: tool, level: 7")
    text = edit(text, "- id: pipeline-q", "- id: versioning-q")
    token = i18n.current_locale.set("ja")
    try:
        said = [p.text() for p in problems(text)]
    finally:
        i18n.current_locale.reset(token)
    assert said == [
        "不明なレベル 7 です（レベルは 0 から 4 まで）",
        "不明な項目「requires」です。prerequisites のことですか？",
        "質問 ID「versioning-q」が重複しています（最初の使用は 11 行目）",
    ]


def test_every_message_the_schema_can_raise_is_translated() -> None:
    catalogue = i18n.translations("ja")
    from app.catalogue import checks as catalogue_checks
    from app.catalogue import loader as catalogue_loader
    from app.kit.datafile import findings, reading, wording
    from app.maturity import checks, errors, loader

    modules = (errors, checks, loader, findings, reading, wording, catalogue_checks, catalogue_loader)
    msgids = set().union(*map(_msgids, modules))
    assert len(msgids) > 40
    untranslated = sorted(m for m in msgids if catalogue.gettext(m) == m)
    assert untranslated == []


def _msgids(module: object) -> set[str]:
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(module))  # type: ignore[arg-type]
    return {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and getattr(node.func, "id", "") == "N_"
        and isinstance(node.args[0], ast.Constant)
    }
