"""Workbooks read by calamine give openpyxl's rows, or go to openpyxl (issue 17).

Each workbook below is read both ways: calamine's rows (when it takes the file) equal
openpyxl's cell for cell, and a workbook it must not take (error cells, escapes, times,
huge numbers, a hidden first sheet) goes to openpyxl; through ``leadlens score`` a bad cell
gives the same message whichever reader read it.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook  # type: ignore[import-untyped]
from typer.testing import CliRunner

from conftest import MINIMAL_SET
from leadlens.cli import app
from leadlens.responses.exports import grid
from leadlens.responses.exports.grid import cell_text, openpyxl_rows, read_xlsx_grid
from leadlens.responses.exports.workbook import calamine_rows

HEADER = ["respondent_id", "organisation", "b1", "b2", "b3"]
runner = CliRunner()


def _book(path: Path, rows: list[list[Any]], edit: Callable[[Any], None] | None = None,
          xml: Callable[[bytes], bytes] | None = None) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    for row in rows:
        sheet.append(row)
    for cells in sheet.iter_rows():  # text starting with "=" stays text, not a formula
        for cell in cells:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"
    if edit is not None:
        edit(book)
    book.save(path)
    if xml is not None:  # cells openpyxl cannot write (cached errors, escapes)
        made = io.BytesIO(path.read_bytes())
        with zipfile.ZipFile(made) as source, \
                zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
            for info in source.infolist():
                data = source.read(info)
                if info.filename == "xl/worksheets/sheet1.xml":
                    data = xml(data)
                target.writestr(info, data)
    return path


def _cell(ref: str, xml: str) -> Callable[[bytes], bytes]:
    """Replace cell ``ref`` in the sheet's XML by ``xml``."""
    def edit(data: bytes) -> bytes:
        changed, count = re.subn(rb'<c r="' + ref.encode() + rb'"[^>]*?(/>|>.*?</c>)',
                                 xml.encode(), data)
        assert count == 1
        return changed
    return edit


def _trimmed(rows: list[list[str]]) -> list[list[str]]:
    out = []
    for row in rows:
        row = list(row)
        while row and row[-1] == "":
            row.pop()
        out.append(row)
    while out and out[-1] == []:
        out.pop()
    return out


def _date_formats(book: Any) -> None:
    sheet = book.active
    sheet["B2"].number_format = "yyyy-mm-dd"
    sheet["C2"].number_format = "d/m/yy h:mm"
    sheet["D2"].number_format = "[h]:mm"


def _hide_first(book: Any) -> None:
    book.create_sheet("Other").append(["x"])
    book.active.sheet_state = "hidden"
    book.active = 1


def _merge(book: Any) -> None:
    book.active.merge_cells("A1:C1")


STAMP = dt.datetime(2025, 3, 1, 9, 0, 7, 250000)
TAKEN = {  # calamine reads these; its rows must be openpyxl's
    "plain": ([HEADER, ["r1", "A", 1, 2, 3], ["r2", "B", 4, 5, None]], None, None),
    "numbers": ([["x"], [1, 1.5, 0.1, -0.0, 1e-7, 1234567.25, 2958465, -2958465, True, False]],
                None, None),
    "dates": ([["when", "day", "stamp", "duration"],
               [STAMP, dt.datetime(2025, 3, 1, 9, 30), 45000.75, 1.25]], _date_formats, None),
    "many stamps": ([["t"], *[[STAMP + dt.timedelta(seconds=7.3 * i, microseconds=i)]
                              for i in range(300)]], None, None),
    "text": ([["a\nb", "  pad  ", "Don’t know", "=SUM(A1:A2)", "é" * 50]], None, None),
    "gaps": ([[], [None, None, "C2"], [], ["A4", None, None, None, "E4"]], None, None),
    "merged": ([["Title", None, None], ["r1", "A", 1]], _merge, None),
    "formula with a cached string": (
        [["a", "b"], ["x", "y"]], None,
        _cell("B2", '<c r="B2" t="str"><f>"x"&amp;"y"</f><v>xy</v></c>')),
}
LEFT_TO_OPENPYXL = {  # openpyxl reads these otherwise: calamine hands them over
    "an error cell": ([HEADER, ["r1", "A", 1, 2, 3]], None,
                      _cell("C2", '<c r="C2" t="e"><f>1/0</f><v>#DIV/0!</v></c>')),
    "an error cell in single quotes": (
        [HEADER, ["r1", "A", 1, 2, 3]], None,
        _cell("C2", "<c r='C2' t='e'><f>1/0</f><v>#N/A</v></c>")),
    "an escape": ([["a"], ["x"]], None,
                  _cell("A2", '<c r="A2" t="inlineStr"><is><t>a_x000D_b</t></is></c>')),
    "a time": ([["t"], [dt.time(9, 30)]], None, None),
    "a date before 1900": ([["t"], [-1.5]],
                           lambda b: setattr(b.active["A2"], "number_format", "yyyy-mm-dd"),
                           None),
    "a date past 9999": ([["t"], [2958466]],
                         lambda b: setattr(b.active["A2"], "number_format", "yyyy-mm-dd"),
                         None),
    "a huge whole number": ([["n"], [2.0 ** 60]], None, None),
    "a long number": ([["n"], [123456789012345]], None, None),
}


@pytest.mark.parametrize("name", sorted(TAKEN))
def test_calamine_reads_the_rows_openpyxl_reads(name: str, tmp_path: Path) -> None:
    rows, edit, xml = TAKEN[name]
    data = _book(tmp_path / "book.xlsx", rows, edit, xml).read_bytes()
    fast = calamine_rows(data, cell_text)
    assert fast is not None
    assert _trimmed(fast) == _trimmed(list(openpyxl_rows(data, "book.xlsx")))


@pytest.mark.parametrize("name", sorted(LEFT_TO_OPENPYXL))
def test_what_calamine_reads_otherwise_goes_to_openpyxl(name: str, tmp_path: Path) -> None:
    rows, edit, xml = LEFT_TO_OPENPYXL[name]
    data = _book(tmp_path / "book.xlsx", rows, edit, xml).read_bytes()
    assert calamine_rows(data, cell_text) is None
    exact = grid.Grid(records=[])
    warnings.simplefilter("ignore", UserWarning)  # openpyxl on a date past 9999 (as before)
    for number, cells in enumerate(openpyxl_rows(data, "book.xlsx"), start=1):
        while cells and cells[-1] == "":
            cells.pop()
        if "".join(cells).strip():
            exact.records.append((number, cells))
    assert read_xlsx_grid(data, "book.xlsx").records == exact.records


@pytest.fixture
def qs(tmp_path: Path) -> Path:
    path = tmp_path / "qs.yaml"
    path.write_text(MINIMAL_SET, encoding="utf-8")
    return path


def _both_readers(qs: Path, path: Path, monkeypatch: pytest.MonkeyPatch
                  ) -> tuple[tuple[int, str, str], tuple[int, str, str]]:
    def score() -> tuple[int, str, str]:
        result = runner.invoke(app, ["score", "-q", str(qs), str(path), "-f", "csv"])
        assert "Traceback" not in result.output
        return result.exit_code, result.stdout, result.stderr

    fast = score()
    from leadlens.responses.exports import workbook

    monkeypatch.setattr(workbook, "calamine_rows", lambda data, text: None)
    return fast, score()


BAD_CELLS = {
    "an unknown answer": [HEADER, ["r1", "A", 1, 2, 3], ["r2", "B", 1, "lots", 3]],
    "a number off the scale": [HEADER, ["r1", "A", 1, 2, 3], ["r2", "B", 1, 2, 9]],
    "a fraction": [HEADER, ["r1", "A", 1, 2.5, 3]],
    "a date for an answer": [HEADER, ["r1", "A", 1, dt.datetime(2025, 3, 1), 3]],
    "a boolean for an answer": [HEADER, ["r1", "A", True, 2, 3]],
    "a repeated id": [HEADER, ["r1", "A", 1, 2, 3], ["r1", "B", 1, 2, 3]],
    "a missing column": [HEADER[:-1], ["r1", "A", 1, 2]],
}


@pytest.mark.parametrize("name", sorted(BAD_CELLS))
def test_a_bad_cell_reads_the_same_through_either_reader(
        name: str, qs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _book(tmp_path / "answers.xlsx", BAD_CELLS[name])
    assert calamine_rows(path.read_bytes(), cell_text) is not None
    fast, exact = _both_readers(qs, path, monkeypatch)
    assert fast == exact
    assert fast[0] != 0 or fast[2]  # an error, or at least a warning
    assert f"{path}:" in fast[2]


def test_an_error_cell_is_located_as_before(qs: Path, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    path = _book(tmp_path / "answers.xlsx", [HEADER, ["r1", "A", 1, 2, 3], ["r2", "B", 1, 2, 3]],
                 xml=_cell("D3", '<c r="D3" t="e"><f>1/0</f><v>#DIV/0!</v></c>'))
    fast, exact = _both_readers(qs, path, monkeypatch)
    assert fast == exact
    assert fast[0] == 1 and f"{path}:3: column 'b2'" in fast[2] and "'#DIV/0!'" in fast[2]


def test_a_good_workbook_scores_the_same_through_either_reader(
        qs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [HEADER, *[[f"r{i}", "AB"[i % 2], 1 + i % 5, 1 + (i * 3) % 5, None if i % 7 else 4]
                      for i in range(40)]]
    path = _book(tmp_path / "answers.xlsx", rows)
    fast, exact = _both_readers(qs, path, monkeypatch)
    assert fast == exact and fast[0] == 0 and fast[1].count("\n") == 41
