"""Workbook exports read column by column give the exact reader's cell table (issue 17).

Each workbook is read both ways: by :func:`read_workbook_columns` (calamine's values, each
column's distinct values made text once) and by the exact reader (every cell made text, row
by row), and the two cell tables must be equal: header, codes, labels in order, lines,
warnings. A workbook with a problem is handed back (None), so its messages are the exact
reader's; through ``leadlens score`` the output is the same whichever reader read the file
(this one, calamine's rows made text cell by cell, or openpyxl's).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from openpyxl import Workbook  # type: ignore[import-untyped]
from typer.testing import CliRunner

from conftest import MINIMAL_SET
from leadlens.cli import app
from leadlens.questionset.loading import load_question_set
from leadlens.responses.cells import CellTable
from leadlens.responses.exports import cells as export_cells
from leadlens.responses.exports import grid, workbook_columns, workbook_frame
from leadlens.responses.exports.reader import ImportOptions
from leadlens.responses.exports.workbook_columns import read_workbook_columns

HEADER = ["respondent_id", "organisation", "b1", "b2", "b3"]
FORMS = ["ID", "Start time", "Completion time", "Email", "Name", "Which organisation?",
         "One", "Two", "Three"]
runner = CliRunner()


def _book(path: Path, rows: list[list[Any]]) -> Path:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for cells in sheet.iter_rows():  # text starting with "=" stays text, not a formula
        for cell in cells:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"
    book.save(path)
    return path


def _forms(rows: int) -> list[list[Any]]:
    labels = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree",
              "Strongly agree", "Don't know", None]
    start = dt.datetime(2025, 3, 1, 9, 0)
    return [FORMS] + [[i + 1, start, start + dt.timedelta(seconds=7 * i, microseconds=i),
                       "anonymous", None, f"Org {i % 3}", labels[i % 7], labels[(i * 3) % 7],
                       labels[(i * 5) % 6]] for i in range(rows)]


CASES: dict[str, list[list[Any]]] = {
    "plain": [HEADER, ["r1", "A", 1, 2, 3], ["r2", "B", 4, 5, None], ["r3", "A", 5, 4, 3]],
    "numbers as text and as numbers": [
        HEADER, ["r1", "A", 1, "2", 3.0], [2, "B", "4", 5, 1], [3.0, "A", 2, 2, "2"]],
    "labels": [HEADER, ["r1", "A", "Agree", "Disagree", "Don't know"],
               ["r2", "A", "Strongly agree", 3, None], ["r3", "B", " Agree ", 1, 2]],
    "booleans beside ones": [HEADER, ["r1", True, 1, 2, 3], ["r2", 1, 1, 2, 3],
                             ["r3", 1.0, 2, 2, 3], ["r4", False, 3, 3, 3], ["r5", 0, 3, 3, 3]],
    "dates as fields": [HEADER, ["r1", dt.datetime(2025, 1, 2, 3, 4), 1, 2, 3],
                        ["r2", dt.date(2025, 1, 2), 1, 2, 3], ["r3", "A", 1, 2, 3]],
    "blank rows between and after": [
        HEADER, [], ["r1", "A", 1, 2, 3], [None, "", None], ["r2", "B", 2, 2, 2], [], [],
        ["r3", "B", 3, 3, 3], [], [None, None, None, None, None, None, None]],
    "a blank row before the header": [[], HEADER, ["r1", "A", 1, 2, 3], ["r2", "B", 1, 1, 1],
                                      ["r3", "C", 1, 1, 1]],
    "spaces around text and empty strings": [  # written xml:space="preserve": calamine keeps
        HEADER, ["r1", "A ", 1, 2, 3], ["r2", "", 1, 2, 3], ["r3", "\tB", 1, " 2", 3]],
    "short rows": [HEADER, ["r1", "A", 1], ["r2", "B"], ["r3", "B", 1, 2, 3]],
    "an empty column beyond the header": [
        HEADER, ["r1", "A", 1, 2, 3, None, ""], ["r2", "B", 1, 2, 3]],
    "a column that matches nothing": [
        [*HEADER, "notes"], ["r1", "A", 1, 2, 3, "free text"], ["r2", "B", 1, 2, 3, 4.5]],
    "Microsoft Forms": _forms(60),
}
HANDED_BACK: dict[str, list[list[Any]]] = {
    "an unknown answer": [HEADER, ["r1", "A", 1, 2, 3], ["r2", "B", 1, "lots", 3],
                          ["r3", "B", 1, 2, 3]],
    "a row wider than the header": [HEADER, ["r1", "A", 1, 2, 3], ["r2", "A", 1, 2, 3, "x"],
                                    ["r3", "A", 1, 2, 3]],
    "a header and blank rows": [HEADER, [], [None, " "]],
    "a cell of spaces": [HEADER, ["r1", " ", 1, 2, 3], ["r2", "A", 1, 2, 3]],
    "a time of day": [HEADER, ["r1", "A", 1, 2, 3], ["r2", dt.time(9, 30), 1, 2, 3],
                      ["r3", "A", 1, 2, 3]],
}
WORDED = {"an unknown answer", "a row wider than the header"}
"""Of those handed back, the workbooks with an error (the rest the exact reader reads)."""


@pytest.fixture
def qs(tmp_path: Path) -> Path:
    path = tmp_path / "qs.yaml"
    path.write_text(MINIMAL_SET, encoding="utf-8")
    return path


def _exact(path: Path, qs: Path, monkeypatch: pytest.MonkeyPatch) -> CellTable:
    with monkeypatch.context() as patch:
        patch.setattr(workbook_columns, "read_workbook_columns", lambda *args: None)
        return export_cells.read_export_cells(path, load_question_set(qs))


def _same(fast: CellTable, exact: CellTable) -> None:
    assert (fast.source, fast.header, fast.display, fast.rows, fast.header_line) == (
        exact.source, exact.header, exact.display, exact.rows, exact.header_line)
    assert list(fast.line_numbers()) == list(exact.line_numbers())
    assert fast.warnings == exact.warnings
    assert sorted(fast.columns) == sorted(exact.columns)
    for position, column in exact.columns.items():
        assert fast.columns[position].labels == column.labels, position
        assert fast.columns[position].codes.dtype == column.codes.dtype
        assert np.array_equal(fast.columns[position].codes, column.codes), position


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_column_reader_gives_the_exact_cell_table(
        name: str, qs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _book(tmp_path / "answers.xlsx", CASES[name])
    fast = read_workbook_columns(path, load_question_set(qs), ImportOptions())
    assert fast is not None
    _same(fast, _exact(path, qs, monkeypatch))


def test_unknown_answers_are_kept_under_on_invalid_missing(
        qs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _book(tmp_path / "answers.xlsx", HANDED_BACK["an unknown answer"])
    options = ImportOptions(on_invalid="missing")
    fast = read_workbook_columns(path, load_question_set(qs), options)
    assert fast is not None
    with monkeypatch.context() as patch:
        patch.setattr(workbook_columns, "read_workbook_columns", lambda *args: None)
        exact = export_cells.read_export_cells(path, load_question_set(qs), options)
    _same(fast, exact)
    assert "lots" in fast.columns[3].labels


@pytest.mark.parametrize("name", sorted(HANDED_BACK))
def test_a_workbook_with_a_problem_is_handed_to_the_exact_reader(
        name: str, qs: Path, tmp_path: Path) -> None:
    path = _book(tmp_path / "answers.xlsx", HANDED_BACK[name])
    assert read_workbook_columns(path, load_question_set(qs), ImportOptions()) is None


def test_a_csv_is_not_read_here(qs: Path, tmp_path: Path) -> None:
    path = tmp_path / "answers.csv"
    path.write_text("respondent_id,organisation,b1,b2,b3\nr1,A,1,2,3\n", encoding="utf-8")
    assert read_workbook_columns(path, load_question_set(qs), ImportOptions()) is None


def _score(qs: Path, path: Path, *extra: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["score", "-q", str(qs), str(path), "-f", "csv", *extra])
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("name", sorted(CASES.keys() | HANDED_BACK.keys()))
def test_score_says_the_same_through_each_reader(
        name: str, qs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from leadlens.responses.exports import workbook

    path = _book(tmp_path / "answers.xlsx", {**CASES, **HANDED_BACK}[name])
    fast = _score(qs, path, "--by", "organisation")
    monkeypatch.setattr(workbook_columns, "read_workbook_columns", lambda *args: None)
    rows = _score(qs, path, "--by", "organisation")  # calamine's rows, made text cell by cell
    monkeypatch.setattr(workbook, "calamine_rows", lambda data, text: None)
    exact = _score(qs, path, "--by", "organisation")  # openpyxl's
    assert fast == rows == exact
    if name in WORDED:
        assert fast[0] == 1
        assert f"{path}:" in fast[2]  # located

def test_a_cell_past_the_bound_is_worded_by_the_exact_reader(
        qs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A workbook's cell holds at most 32,767 characters, under the bound: lower it to test.
    monkeypatch.setattr(grid, "MAX_FIELD_BYTES", 100)
    monkeypatch.setattr(workbook_columns, "MAX_FIELD_BYTES", 100)
    monkeypatch.setattr(workbook_frame, "MAX_FIELD_BYTES", 100)
    path = _book(tmp_path / "answers.xlsx", [HEADER, ["r1", "A", 1, 2, 3],
                                             ["r2", "x" * 101, 1, 2, 3]])
    assert read_workbook_columns(path, load_question_set(qs), ImportOptions()) is None
    code, _, stderr = _score(qs, path)
    assert code == 1
    assert f"{path}:3: a cell of 101 characters" in stderr
