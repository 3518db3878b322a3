"""Which sheet of a workbook is scored, and formula cells with no saved result.

leadlens reads a workbook's first sheet; one whose first sheet is hidden, or that opens at
another sheet, is refused (it was scored from a sheet nobody sees). A formula written by a
script holds no result, which every reader reads as a blank answer: each such cell is a
located error, on the fast paths and the exact reader's alike.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook  # type: ignore[import-untyped]
from typer.testing import CliRunner

from conftest import MINIMAL_SET
from leadlens.cli import app
from leadlens.errors import ResponsesError
from leadlens.responses.exports.grid import read_xlsx_grid

runner = CliRunner()
HEADER = ["respondent_id", "organisation", "b1", "b2", "b3"]


@pytest.fixture
def qs(tmp_path: Path) -> Path:
    path = tmp_path / "qs.yaml"
    path.write_text(MINIMAL_SET, encoding="utf-8")
    return path


def _score(book: Path, qs: Path) -> tuple[int, str, str]:
    result = runner.invoke(app, ["score", str(book), "-q", str(qs), "-o", "-", "-f", "json"])
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr


def _answers(sheet: object, rows: int = 6) -> None:
    sheet.append(HEADER)  # type: ignore[attr-defined]
    for i in range(rows):
        sheet.append([f"r{i}", "A", 4, 2, 3])  # type: ignore[attr-defined]


def test_a_hidden_first_sheet_is_refused_not_scored(tmp_path: Path, qs: Path) -> None:
    book = Workbook()
    book.active.title = "Old"
    _answers(book.active)
    book.active.sheet_state = "hidden"
    _answers(book.create_sheet("Responses"))
    book.active = 1
    book.save(tmp_path / "book.xlsx")
    code, out, err = _score(tmp_path / "book.xlsx", qs)
    assert (code, out) == (1, "")
    assert err.startswith(f"{tmp_path / 'book.xlsx'}: the first sheet, 'Old', is hidden: "
                          "leadlens reads the first sheet"), err
    assert "Move the responses sheet to the front" in err and err.count("\n") == 1


def test_a_workbook_that_opens_at_another_sheet_is_refused(tmp_path: Path, qs: Path) -> None:
    book = Workbook()
    book.active.title = "Summary"
    book.active.append(["A summary, no answers"])
    _answers(book.create_sheet("Responses"))
    book.active = 1
    book.save(tmp_path / "book.xlsx")
    code, out, err = _score(tmp_path / "book.xlsx", qs)
    assert (code, out) == (1, "")
    assert "the workbook opens at sheet 'Responses', but leadlens reads the first sheet, " \
           "'Summary'" in err, err


def test_a_workbook_of_several_sheets_that_opens_at_the_first_is_read(tmp_path: Path,
                                                                      qs: Path) -> None:
    book = Workbook()
    _answers(book.active)
    book.create_sheet("Notes").append(["anything"])
    book.save(tmp_path / "book.xlsx")
    code, _, err = _score(tmp_path / "book.xlsx", qs)
    assert code == 0, err


def _with_formulas(path: Path) -> Path:
    book = Workbook()
    _answers(book.active)
    book.active["C3"] = "=2+2"  # written by a script: the formula, no result
    book.active["D5"] = "=B2"
    book.active["E6"] = "=SUM(C2:C3)"
    book.save(path)
    return path


def test_formulas_with_no_saved_result_are_located_errors(tmp_path: Path, qs: Path) -> None:
    book = _with_formulas(tmp_path / "book.xlsx")
    code, out, err = _score(book, qs)
    assert (code, out) == (1, "")
    lines = err.splitlines()
    assert [re.match(r".*?:(\d+): cell (\w+):", line).groups()  # type: ignore[union-attr]
            for line in lines] == [("3", "C3"), ("5", "D5"), ("6", "E6")], err
    assert all("a formula with no saved result" in line and "save it" in line
               for line in lines)
    # The exact reader's path says the same (it is where the fast paths hand such a file).
    with pytest.raises(ResponsesError) as raised:
        read_xlsx_grid(book.read_bytes(), "book.xlsx")
    assert [p.line for p in raised.value.problems] == [3, 5, 6]


def _cached(path: Path) -> Path:
    """The same workbook with each formula's result saved, as a spreadsheet program does."""
    source = _with_formulas(path.with_name("formulas.xlsx"))
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(path, "w") as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename.startswith("xl/worksheets/"):
                data = re.sub(rb"(<f>[^<]*</f>)(<v\s*/>|<v></v>)?", rb"\1<v>4</v>", data)
            new.writestr(info, data)
    return path


def test_formulas_with_a_saved_result_are_read(tmp_path: Path, qs: Path) -> None:
    code, out, err = _score(_cached(tmp_path / "book.xlsx"), qs)
    assert code == 0, err
    assert '"respondents": 6' in out


def test_many_formula_cells_are_listed_then_counted(tmp_path: Path, qs: Path) -> None:
    book = Workbook()
    _answers(book.active, rows=60)
    for row in range(2, 62):
        book.active[f"C{row}"] = f"=1+{row}"
    book.save(tmp_path / "book.xlsx")
    code, _, err = _score(tmp_path / "book.xlsx", qs)
    lines = err.splitlines()
    assert code == 1 and len(lines) == 51, err
    assert lines[-1] == "... and 10 more problems not shown", lines[-1]


def test_a_workbook_without_a_sheet_list_is_left_to_the_readers(tmp_path: Path) -> None:
    # No xl/workbook.xml at all: not this check's to word; the readers refuse it as today.
    path = tmp_path / "book.xlsx"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
    path.write_bytes(buffer.getvalue())
    with pytest.raises(ResponsesError) as raised:
        read_xlsx_grid(path.read_bytes(), "book.xlsx")
    assert "workbook" in str(raised.value)
