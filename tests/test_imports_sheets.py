"""A workbook whose first sheet is not the responses: the sheet with question columns is
read, with a note; when none has them, the message names the sheets."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl  # type: ignore[import-untyped]
from typer.testing import CliRunner

from conftest import EXAMPLES
from leadlens.cli import app
from leadlens.errors import Code
from leadlens.questionset.loading import load_question_set
from leadlens.responses.reading import read_responses

runner = CliRunner()


def workbook(path: Path, *, data: bool) -> Path:
    book = openpyxl.Workbook()
    notes = book.active
    notes.title = "Notes"
    notes.append(["exported by X"])
    notes.append(["see the Data sheet"])
    sheet = book.create_sheet("Data")
    with (EXAMPLES / "responses.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    for row in rows if data else [["a", "b"], ["1", "2"]]:
        sheet.append([int(c) if c.isdigit() else c for c in row])
    book.save(path)
    return path


def test_the_sheet_with_question_columns_is_read_with_a_note(tmp_path: Path) -> None:
    path = workbook(tmp_path / "two.xlsx", data=True)
    responses = read_responses([path], load_question_set(None))
    expected = read_responses([EXAMPLES / "responses.csv"], load_question_set(None))
    assert responses.n == expected.n == 60
    assert responses.codes.tolist() == expected.codes.tolist()
    [note] = [w for w in responses.warnings if w.code == Code.XLSX_OTHER_SHEET]
    assert str(note) == (f"{path}: warning: read sheet 'Data': the first sheet, 'Notes', has "
                         "no column that matches a question. Move the responses sheet to the "
                         "front (or save it on its own) to read it without this note")
    result = runner.invoke(app, ["score", str(path), "-o", str(tmp_path / "r.json")])
    assert result.exit_code == 0, result.output
    assert "read sheet 'Data'" in result.stderr


def test_no_sheet_with_question_columns_names_the_sheets(tmp_path: Path) -> None:
    path = workbook(tmp_path / "none.xlsx", data=False)
    result = runner.invoke(app, ["score", str(path)])
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"{path}:1: no column of sheet 'Notes' (nor of the workbook's other sheets: 'Data') "
        "matches a question of 'ggi-systems-leadership'. Check the question set "
        "(--question-set), or map columns with --mapping")


def test_sheet_names_the_sheet_to_read(tmp_path: Path) -> None:
    path = workbook(tmp_path / "two.xlsx", data=True)
    out = tmp_path / "r.json"
    result = runner.invoke(app, ["score", str(path), "--sheet", "data", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "read sheet" not in result.stderr  # asked for: no note
    assert "(60 respondents" in result.stderr
    inspected = runner.invoke(app, ["inspect", str(path), "--sheet", "Data"])
    assert inspected.exit_code == 0, inspected.output
    assert "responses: 60" in inspected.stdout
    notes = runner.invoke(app, ["score", str(path), "--sheet", "Notes"])
    assert notes.exit_code == 1
    assert notes.stderr.strip().startswith(f"{path}:1: no column of sheet 'Notes' matches a "
                                           "question of 'ggi-systems-leadership'.")


def test_an_unknown_sheet_is_a_usage_error_with_did_you_mean(tmp_path: Path) -> None:
    path = workbook(tmp_path / "two.xlsx", data=True)
    result = runner.invoke(app, ["score", str(path), "--sheet", "Dta"])
    assert result.exit_code == 2
    assert f"--sheet 'Dta': {path} has no such sheet; its sheets: 'Notes', 'Data'. Did you " \
           "mean 'Data'?" in result.stderr


def test_inspect_says_once_that_no_column_answers_a_question(tmp_path: Path) -> None:
    path = workbook(tmp_path / "two.xlsx", data=True)
    result = runner.invoke(app, ["inspect", str(path), "--sheet", "Notes"])
    assert result.exit_code == 0, result.output
    missing = [line for line in result.stderr.splitlines() if "question of" in line
               or "matches no column" in line]
    assert missing == [
        f"{path}: warning: no column of sheet 'Notes' matches a question of "
        "'ggi-systems-leadership': all 56 question columns are missing (see questions with no "
        "column). Check the question set (--question-set), or map columns with --mapping"]
