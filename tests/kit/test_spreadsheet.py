"""CSV cells never run as formulas, and whole files open in Excel as UTF-8."""

from __future__ import annotations

import csv
import io

import pytest

from app.kit.spreadsheet import BOM, csv_for_excel, csv_line, safe_cell


@pytest.mark.parametrize("text", ["=SUM(A1)", "+1", "-1", "@cmd", "\tx", "\rx"])
def test_a_cell_that_could_run_as_a_formula_gets_a_leading_quote(text: str) -> None:
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize(("value", "cell"), [("ok", "ok"), ("a=b", "a=b"), (3, "3"), (None, "")])
def test_other_cells_are_kept_as_they_are(value: object, cell: str) -> None:
    assert safe_cell(value) == cell


def test_a_line_quotes_what_csv_needs_quoted() -> None:
    assert csv_line(["=1+1", "a,b", 'say "hi"']) == '\'=1+1,"a,b","say ""hi"""\r\n'


def test_a_file_for_excel_starts_with_a_bom_and_reads_back() -> None:
    text = csv_for_excel([("能力", "メモ"), ("追跡", "=1")])
    assert text.startswith(BOM)
    assert list(csv.reader(io.StringIO(text.removeprefix(BOM)))) == [["能力", "メモ"], ["追跡", "'=1"]]
