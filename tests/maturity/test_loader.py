"""The loader refuses bad model files, listing every problem with its path and line."""

from pathlib import Path

import pytest

from app.kit.datafile.reading import Problem
from app.maturity.loader import ModelFileError, load_model_file, load_model_text

CHOICES = "dimensions[0].capabilities[0].questions[0].choices"


def edit(text: str, old: str, new: str) -> str:
    """Replace the one occurrence of `old`."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def lines_of(text: str, needle: str) -> list[int]:
    """The 1-based numbers of the lines containing `needle` (a trailing newline matches line ends)."""
    return [n for n, line in enumerate(text.splitlines(keepends=True), start=1) if needle in line]


def line_of(text: str, needle: str) -> int:
    """The 1-based number of the one line containing `needle`."""
    [line] = lines_of(text, needle)
    return line


def problems(text: str) -> list[Problem]:
    """The problems the loader reports for `text` (it must refuse it)."""
    with pytest.raises(ModelFileError) as refused:
        load_model_text(text, "models/x.yaml")
    return refused.value.problems


def test_valid_file_loads(tiny: str) -> None:
    model = load_model_text(tiny, "models/tiny.yaml")
    assert [c.id for c in model.capabilities()] == ["versioning", "pipeline"]


def test_syntax_error_is_reported_with_its_line(tiny: str) -> None:
    text = edit(tiny, 'version: "1.0"\n', 'version: "1.0"\ntitle: a: b\n')
    [problem] = problems(text)
    assert problem.line == line_of(text, "title: a: b")
    assert problem.path == ""
    assert problem.message == "YAML syntax error: mapping values are not allowed in this context"


def test_unknown_level_7_names_the_choice_and_its_line(tiny: str) -> None:
    text = edit(tiny, "id: tool, level: 2", "id: tool, level: 7")
    [problem] = problems(text)
    assert problem == Problem(
        f"{CHOICES}[1].level",
        line_of(text, "level: 7"),
        "unknown level 7 (levels run from 0 to 4)",
        "models/x.yaml",
    )


def test_problem_reads_as_file_line_path_and_message(tiny: str) -> None:
    text = edit(tiny, "id: tool, level: 2", "id: tool, level: 7")
    [problem] = problems(text)
    assert str(problem) == f"models/x.yaml:15: {CHOICES}[1].level: unknown level 7 (levels run from 0 to 4)"


def test_error_message_lists_every_problem(tiny: str) -> None:
    text = edit(tiny, "level: 2", "level: 7")
    text = edit(text, "level: 3", "level: 9")
    with pytest.raises(ModelFileError) as refused:
        load_model_text(text, "models/x.yaml")
    message = str(refused.value)
    assert message.startswith("models/x.yaml: 2 problems\n")
    assert "unknown level 7" in message
    assert "unknown level 9" in message


def test_unknown_level_key_in_level_descriptions_is_reported(tiny: str) -> None:
    text = edit(
        tiny,
        "        prerequisites:",
        "        levels:\n          5: {en: Five, ja: 五}\n        prerequisites:",
    )
    [problem] = problems(text)
    assert problem.path == "dimensions[0].capabilities[1].levels[5]"
    assert problem.line == line_of(text, "5: {en: Five")
    assert "unknown level 5" in problem.message


def test_duplicate_question_id_points_at_the_second_and_names_the_first_line(tiny: str) -> None:
    text = edit(tiny, "- id: pipeline-q", "- id: versioning-q")
    [problem] = problems(text)
    first, second = lines_of(text, "id: versioning-q")
    assert first == 11
    assert problem.path == "dimensions[0].capabilities[1].questions[0].id"
    assert problem.line == second
    assert problem.message == "duplicate question id 'versioning-q' (first used on line 11)"


def test_file_with_two_duplicate_ids_lists_both_with_lines(tiny: str) -> None:
    text = edit(tiny, "- id: pipeline-q", "- id: versioning-q")
    text = edit(text, "- id: pipeline\n", "- id: versioning\n")
    text = edit(text, "prerequisites: [versioning]", "prerequisites: []")
    found = {(p.path, p.line) for p in problems(text)}
    assert found == {
        ("dimensions[0].capabilities[1].id", lines_of(text, "- id: versioning\n")[1]),
        ("dimensions[0].capabilities[1].questions[0].id", lines_of(text, "- id: versioning-q")[1]),
    }


def test_duplicate_choice_id_in_one_question_is_reported(tiny: str) -> None:
    text = edit(tiny, "{id: tool,", "{id: none,")
    [problem] = problems(text)
    assert problem.path == f"{CHOICES}[1].id"
    assert problem.message == "duplicate choice id 'none' (first used on line 14)"


def test_same_choice_id_in_different_questions_is_fine(tiny: str) -> None:
    text = edit(tiny, "{id: by-hand,", "{id: none,")
    assert load_model_text(text, "models/x.yaml").question("pipeline-q") is not None


def test_dangling_prerequisite_names_the_missing_id(tiny: str) -> None:
    text = edit(tiny, "prerequisites: [versioning]", "prerequisites: [versioning, feature-store]")
    [problem] = problems(text)
    assert problem.path == "dimensions[0].capabilities[1].prerequisites[1]"
    assert problem.line == line_of(text, "feature-store")
    assert problem.message == "unknown prerequisite 'feature-store'"


def test_prerequisite_cycle_is_refused(tiny: str) -> None:
    text = edit(
        tiny, "      - id: versioning\n", "      - id: versioning\n        prerequisites: [pipeline]\n"
    )
    [problem] = problems(text)
    assert problem.message == "prerequisites form a cycle: versioning → pipeline → versioning"
    assert problem.line == line_of(text, "prerequisites: [pipeline]")


def test_missing_japanese_translation_names_the_text_and_its_line(tiny: str) -> None:
    text = edit(tiny, "name: {en: Pipeline, ja: パイプライン}", "name: {en: Pipeline}")
    [problem] = problems(text)
    assert problem.path == "dimensions[0].capabilities[1].name.ja"
    assert problem.line == line_of(text, "name: {en: Pipeline}")
    assert problem.message == "missing Japanese translation"


def test_blank_english_text_is_refused(tiny: str) -> None:
    text = edit(tiny, "{en: By hand, ja: 手作業}", '{en: "  ", ja: 手作業}')
    [problem] = problems(text)
    assert problem.path == "dimensions[0].capabilities[1].questions[0].choices[0].label.en"
    assert problem.message == "empty English text"


def test_several_problems_are_all_listed_in_line_order(tiny: str) -> None:
    text = edit(tiny, "name: {en: Data, ja: データ}", "name: {en: Data}")
    text = edit(text, "id: tool, level: 2", "id: tool, level: 7")
    text = edit(text, "prerequisites: [versioning]", "prerequisites: [nowhere]")
    text = edit(text, "- id: pipeline-q", "- id: versioning-q")
    found = [(p.line, p.path, p.message) for p in problems(text)]
    assert found == [
        (6, "dimensions[0].name.ja", "missing Japanese translation"),
        (15, f"{CHOICES}[1].level", "unknown level 7 (levels run from 0 to 4)"),
        (18, "dimensions[0].capabilities[1].prerequisites[0]", "unknown prerequisite 'nowhere'"),
        (
            20,
            "dimensions[0].capabilities[1].questions[0].id",
            "duplicate question id 'versioning-q' (first used on line 11)",
        ),
    ]


def test_invalid_choice_does_not_also_report_too_few_choices(tiny: str) -> None:
    text = edit(tiny, "id: tool, level: 2", "id: Tool, level: 2")
    [problem] = problems(text)
    assert problem.path == f"{CHOICES}[1].id"
    assert problem.message.startswith("'Tool' is not a slug")


def test_a_single_choice_is_too_few(tiny: str) -> None:
    text = edit(tiny, "              - {id: automated, level: 3, label: {en: Automated, ja: 自動化}}\n", "")
    [problem] = problems(text)
    assert problem.path == "dimensions[0].capabilities[1].questions[0].choices"
    assert "at least 2" in problem.message


def test_unknown_field_is_refused_with_its_line(tiny: str) -> None:
    text = edit(tiny, "        prerequisites:", "        prerequisite: [versioning]\n        prerequisites:")
    [problem] = problems(text)
    assert problem.path == "dimensions[0].capabilities[1].prerequisite"
    assert problem.line == line_of(text, "prerequisite: [versioning]")
    assert problem.message == "unknown field 'prerequisite': did you mean prerequisites?"


def test_missing_required_field_is_reported_at_its_parent(tiny: str) -> None:
    text = edit(
        tiny, '            text: {en: "How is data prepared?", ja: データはどう準備していますか？}\n', ""
    )
    [problem] = problems(text)
    assert problem.path == "dimensions[0].capabilities[1].questions[0].text"
    assert problem.line == line_of(text, "- id: pipeline-q")
    assert problem.message == "missing required field"


def test_unquoted_version_number_asks_for_quotes(tiny: str) -> None:
    text = edit(tiny, 'version: "1.0"', "version: 1.0")
    [problem] = problems(text)
    assert (problem.path, problem.line) == ("version", 2)
    assert "put it in quotes" in problem.message


def test_repeated_key_is_refused_at_the_ignored_one(tiny: str) -> None:
    text = edit(tiny, "      - id: pipeline\n", "      - id: pipeline\n        id: pipes\n")
    [problem] = problems(text)
    assert problem.path == "dimensions[0].capabilities[1].id"
    assert problem.line == line_of(text, "- id: pipeline\n")
    assert problem.message == f"duplicate key 'id'; only the one on line {line_of(text, 'id: pipes')} is used"


def test_problem_in_a_repeated_key_points_at_the_value_yaml_keeps(tiny: str) -> None:
    text = edit(
        tiny,
        "prerequisites: [versioning]\n",
        "prerequisites: [versioning]\n        prerequisites: [nowhere]\n",
    )
    found = {(p.line, p.message) for p in problems(text)}
    assert found == {
        (line_of(text, "[versioning]"), "duplicate key 'prerequisites'; only the one on line 19 is used"),
        (line_of(text, "[nowhere]"), "unknown prerequisite 'nowhere'"),
    }


def test_repeated_key_inside_an_aliased_node_is_reported_once(tiny: str) -> None:
    text = edit(
        tiny, "choices:\n              - {id: none,", "choices: &shared\n              - {id: none, id: nil,"
    )
    second = text[text.index("- id: pipeline-q") :]
    text = text.replace(second[second.index("            choices:") :], "            choices: *shared\n")
    [problem] = problems(text)
    assert (problem.path, problem.line) == (f"{CHOICES}[0].id", line_of(text, "id: nil"))


def test_ml_test_score_choice_without_points_is_refused(tiny: str) -> None:
    text = edit(tiny, 'version: "1.0"\n', 'version: "1.0"\nscoring: {strategy: ml_test_score}\n')
    text = text.replace("label: {en: By hand", "points: 0, label: {en: By hand")
    text = text.replace("{id: none, level: 0,", "{id: none, level: 0, points: 0,")
    text = text.replace("{id: tool, level: 2,", "{id: tool, level: 2, points: 0.5,")
    text = edit(text, "{id: automated, level: 3,", "{id: automated, level: 3, points: 0.7,")
    [problem] = problems(text)
    assert problem.path == "dimensions[0].capabilities[1].questions[0].choices[1].points"
    assert problem.message == "ml_test_score choices need points: 0, 0.5 or 1"


def test_bands_out_of_order_are_refused(tiny: str) -> None:
    bands = (
        "scoring:\n  bands:\n"
        "    - {min_score: 2, label: {en: B, ja: B}}\n"
        "    - {min_score: 1, label: {en: A, ja: A}}\n"
    )
    text = edit(tiny, 'version: "1.0"\n', f'version: "1.0"\n{bands}')
    [problem] = problems(text)
    assert (problem.path, problem.line) == ("scoring.bands[1].min_score", 6)


def test_python_tags_are_refused_not_executed(tiny: str, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    text = edit(tiny, "id: tiny", f"id: !!python/object/apply:os.system ['touch {marker}']")
    [problem] = problems(text)
    assert problem.line == 1
    assert problem.message == (
        "YAML tags such as !!python/object/apply:os.system are not allowed in a model file"
    )
    assert not marker.exists()


def test_empty_file_is_refused() -> None:
    [problem] = problems("# only a comment\n")
    assert problem.message == "the file is empty"


def test_a_list_at_the_top_is_refused() -> None:
    [problem] = problems("- id: tiny\n")
    assert problem.message == (
        "a model file is a mapping with id, version, name and dimensions at the top, not a list"
    )


def test_two_documents_in_one_file_are_refused(tiny: str) -> None:
    [problem] = problems(f"{tiny}---\n{tiny}")
    assert problem.line == line_of(f"{tiny}---\n", "---")
    assert problem.message == "a model file holds one YAML document: remove the second '---' and what follows"


def test_load_model_file_names_the_file_in_problems(tiny: str, tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(edit(tiny, "level: 3", "level: 8"), encoding="utf-8")
    with pytest.raises(ModelFileError) as refused:
        load_model_file(path)
    assert refused.value.source == str(path)
    line = line_of(path.read_text(encoding="utf-8"), "level: 8")
    assert str(refused.value.problems[0]).startswith(f"{path}:{line}: dimensions[0]")


def test_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: café".encode("latin-1"))
    with pytest.raises(ModelFileError, match="not UTF-8 text"):
        load_model_file(path)


def test_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match="cannot read"):
        load_model_file(tmp_path / "nowhere.yaml")


def alias_bomb(levels: int) -> str:
    """A few lines whose aliases stand for 10**levels values: each list repeats the one before ten times."""
    lines = ["id: bomb", 'version: "1.0"', "lol0: &lol0 [lol]"]
    for n in range(1, levels + 1):
        lines.append(f"lol{n}: &lol{n} [{', '.join([f'*lol{n - 1}'] * 10)}]")
    return "\n".join(lines) + "\n"


def test_aliases_expanding_to_a_million_values_are_refused_naming_the_line() -> None:
    text = alias_bomb(6)
    assert len(text) < 1000
    [problem] = problems(text)
    assert problem.line == line_of(text, "lol5: &lol5")  # the first list over 100,000 values
    assert problem.message == (
        "aliases here expand to more than 100,000 values: write the values out or share less"
    )


def test_aliases_that_share_a_little_are_fine(tiny: str) -> None:
    text = edit(tiny, "choices:\n              - {id: none,", "choices: &shared\n              - {id: none,")
    second = text[text.index("- id: pipeline-q") :]
    text = text.replace(second[second.index("            choices:") :], "            choices: *shared\n")
    model = load_model_text(text, "models/x.yaml")
    assert model.question("pipeline-q").choices == model.question("versioning-q").choices  # type: ignore[union-attr]


def test_a_file_over_1_mb_is_refused_before_it_is_parsed(tiny: str, tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text(tiny + "# padding\n" * 110_000, encoding="utf-8")
    with pytest.raises(ModelFileError) as refused:
        load_model_file(path)
    assert [str(p) for p in refused.value.problems] == [f"{path}: the file is larger than 1 MB"]
