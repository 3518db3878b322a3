"""Workbooks read as fastexcel's Arrow columns give the same cell table as every other reader.

Each workbook is read three ways: fastexcel's text columns
(:mod:`leadlens.responses.exports.workbook_frame`), python-calamine's typed values column by
column (:mod:`leadlens.responses.exports.workbook_columns`, with the first switched off) and
the exact reader (every cell made text, row by row); the cell tables must be equal, and each
workbook must be read by the path it is meant for: fastexcel unless a text might stand for
a typed cell it writes otherwise (a decimal number, a true/false cell, a fraction of a
second, a date before 1901, a duration), then python-calamine, and the exact reader for
anything either would read otherwise or word as a problem. ``leadlens score`` says the same
(stdout, stderr, exit code) whichever path read the file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook  # type: ignore[import-untyped]

from conftest import MINIMAL_SET
from leadlens.questionset.loading import load_question_set
from leadlens.responses.cells import CellTable
from leadlens.responses.exports import grid, workbook, workbook_columns, workbook_frame
from leadlens.responses.exports.reader import ImportOptions
from leadlens.responses.exports.workbook_columns import read_workbook_columns
from leadlens.responses.exports.workbook_frame import ambiguous
from test_responses_workbook_columns import _book, _exact, _forms, _same, _score

HEADER = ["respondent_id", "organisation", "b1", "b2", "b3"]


def _rows(*organisations: Any) -> list[list[Any]]:
    """A header and one row per organisation value (the field the question set uses)."""
    return [HEADER] + [[f"r{i}", value, 1 + i % 5, 2, "Agree"]
                       for i, value in enumerate(organisations)]


HOSTILE = ["=1+1", "@SUM(A1)", "+44 20 7946 0000", "-5 apples", "<b>x</b>&amp;",
           "\u202eevil\u202c\u200b", "NA", "null", "None", "n/a", "007", "+5", "5.0",
           "1e5", "TRUE", "True", "2025-01-02", "2025-01-02T03:04:05", "Org 1",
           "line one\nline two", "tab\there", "é, ü, 日本語", "'quoted'", '"double"']

FRAME: dict[str, list[list[Any]]] = {
    "plain": _rows("A", "B", "A"),
    "hostile text stays text": _rows(*HOSTILE),
    "whole numbers and whole-number floats": _rows(1, 2.0, "3", -4, 2958465),
    "a whole number past the last date": _rows("A", 123456789012345),
    "dates and times to the second": _rows(dt.datetime(2025, 1, 2, 3, 4, 5),
                                           dt.date(2025, 1, 2), dt.datetime(1901, 1, 1)),
    "labels as answers": [HEADER, ["r1", "A", "Agree", "Disagree", "Don't know"],
                          ["r2", "A", "Strongly agree", 3, None], ["r3", "B", " Agree ", 1, 2]],
    "blank rows and spaces": [
        [], HEADER, ["r1", "A", 1, 2, 3], [None, "", None], ["r2", "B ", 2, 2, 2], [],
        ["", "\u3000", None], ["r3", "\tB", 3, 3, 3], [], [None, None, None]],
    "Microsoft Forms": _forms(60),
}
VALUES: dict[str, list[list[Any]]] = {
    "a decimal number": _rows("A", 0.1 + 0.2, "B"),
    "a decimal that looks short": _rows("A", 3.5),
    "a true/false cell": _rows(True, 1, False),
    "true as text": _rows("true", "A"),
    "a fraction of a second": _rows(dt.datetime(2025, 1, 2, 3, 4, 5, 441000), "A"),
    "minus zero": _rows(-0.0, "A"),
}
UNLIKE = {"a whole number past the last date"}
"""Read by fastexcel as openpyxl reads them, but python-calamine's values hand them back."""
EXACT: dict[str, list[list[Any]]] = {
    "a time of day": _rows("A", dt.time(9, 30)),
    "a date before 1900": _rows("A", dt.datetime(1899, 12, 31, 9, 30)),
    "a long whole number": _rows(1234567890123456789, "A"),
}


@pytest.fixture
def qs(tmp_path: Path) -> Path:
    path = tmp_path / "qs.yaml"
    path.write_text(MINIMAL_SET, encoding="utf-8")
    return path


@pytest.fixture
def paths(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The readers that returned a cell table, in order."""
    seen: list[str] = []

    def record(name: str, reader: Callable[..., CellTable]) -> Callable[..., CellTable]:
        def read(*args: Any) -> CellTable:
            table = reader(*args)
            seen.append(name)
            return table
        return read

    monkeypatch.setattr(workbook_frame, "read_frame", record("frame", workbook_frame.read_frame))
    monkeypatch.setattr(workbook_columns, "_read", record("values", workbook_columns._read))
    yield seen


def _values(path: Path, qs: Path, monkeypatch: pytest.MonkeyPatch) -> CellTable | None:
    with monkeypatch.context() as patch:
        patch.setattr(workbook_frame, "sheet_frame", lambda data: None)
        return read_workbook_columns(path, load_question_set(qs), ImportOptions())


@pytest.mark.parametrize(("name", "expected"), [
    *((name, "frame") for name in sorted(FRAME)),
    *((name, "values") for name in sorted(VALUES)),
    *((name, "exact") for name in sorted(EXACT))])
def test_every_path_gives_the_same_cell_table(
        name: str, expected: str, qs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        paths: list[str]) -> None:
    path = _book(tmp_path / "answers.xlsx", {**FRAME, **VALUES, **EXACT}[name])
    fast = read_workbook_columns(path, load_question_set(qs), ImportOptions())
    assert paths == ([expected] if expected != "exact" else [])
    exact = _exact(path, qs, monkeypatch)
    if fast is None:
        assert expected == "exact"
        assert _values(path, qs, monkeypatch) is None
        return
    _same(fast, exact)
    values = _values(path, qs, monkeypatch)
    assert (values is None) is (name in UNLIKE)
    if values is not None:
        _same(values, exact)


def _sheet(path: Path, build: Callable[[Any], None]) -> Path:
    book = Workbook()
    build(book.active)
    book.save(path)
    return path


def _formulas(sheet: Any) -> None:
    for row in _rows("A", "B", "C"):
        sheet.append(row)
    sheet["B3"] = "=B2"
    sheet["B3"].data_type = "s"  # the text "=B2", not a formula


def _right_of_a(sheet: Any) -> None:
    for r, row in enumerate(_rows("A", "B", "C"), start=3):
        for c, value in enumerate(row, start=3):
            sheet.cell(r, c, value)


def _duration(sheet: Any) -> None:
    for row in _rows("A", dt.timedelta(days=400, hours=2), "B"):
        sheet.append(row)
    sheet["B3"].number_format = "[h]:mm:ss"


BUILT: dict[str, tuple[Callable[[Any], None], str]] = {
    "formulas and text that looks like one": (_formulas, "frame"),
    "a sheet that starts at C3": (_right_of_a, "frame"),
    "a duration over a year": (_duration, "values"),
}


@pytest.mark.parametrize("name", sorted(BUILT))
def test_built_workbooks_read_alike(name: str, qs: Path, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch, paths: list[str]) -> None:
    build, expected = BUILT[name]
    path = _sheet(tmp_path / "answers.xlsx", build)
    fast = read_workbook_columns(path, load_question_set(qs), ImportOptions())
    assert fast is not None
    assert paths == [expected]
    _same(fast, _exact(path, qs, monkeypatch))
    values = _values(path, qs, monkeypatch)
    assert values is not None
    _same(values, _exact(path, qs, monkeypatch))


def test_an_error_cell_goes_to_the_exact_reader(
        qs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, paths: list[str]) -> None:
    path = _book(tmp_path / "answers.xlsx", _rows("A", "B", "A"))
    _with_error_cell(path)
    assert read_workbook_columns(path, load_question_set(qs), ImportOptions()) is None
    assert paths == []
    fast = _score(qs, path, "--by", "organisation")
    monkeypatch.setattr(workbook_columns, "read_workbook_columns", lambda *args: None)
    assert fast == _score(qs, path, "--by", "organisation")
    assert fast[0] == 0


def _with_error_cell(path: Path) -> None:
    """Make B3 an error cell (``t="e"``), as Excel writes ``#DIV/0!``."""
    import zipfile

    with zipfile.ZipFile(path) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    sheet = members["xl/worksheets/sheet1.xml"].decode()
    start = sheet.index('<c r="B3"')
    end = sheet.index("</c>", start) + len("</c>")
    members["xl/worksheets/sheet1.xml"] = (
        sheet[:start] + '<c r="B3" t="e"><v>#DIV/0!</v></c>' + sheet[end:]).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for filename, content in members.items():
            archive.writestr(filename, content)


@pytest.mark.parametrize("name", sorted(FRAME.keys() | VALUES.keys() | EXACT.keys()))
def test_score_says_the_same_whichever_path_read_it(
        name: str, qs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _book(tmp_path / "answers.xlsx", {**FRAME, **VALUES, **EXACT}[name])
    fast = _score(qs, path, "--by", "organisation")
    monkeypatch.setattr(workbook_frame, "sheet_frame", lambda data: None)
    values = _score(qs, path, "--by", "organisation")
    monkeypatch.setattr(workbook_columns, "read_workbook_columns", lambda *args: None)
    rows = _score(qs, path, "--by", "organisation")
    monkeypatch.setattr(workbook, "calamine_rows", lambda data, text: None)
    exact = _score(qs, path, "--by", "organisation")  # openpyxl's
    assert fast == values == rows == exact


def test_a_bad_answer_is_located_the_same_way(qs: Path, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    path = _book(tmp_path / "answers.xlsx", [HEADER, ["r1", "A", 1, 2, 3],
                                             ["r2", "B", 1, "lots", 3], ["r3", "B", 9, 2, 3]])
    fast = _score(qs, path)
    monkeypatch.setattr(workbook_columns, "read_workbook_columns", lambda *args: None)
    assert fast == _score(qs, path)
    assert fast[0] == 1
    assert f"{path}:3: column 'b2'" in fast[2]


@pytest.mark.parametrize(("text", "expected"), [
    ("Agree", False), ("5", False), ("-12", False), ("123456789012345", False),
    ("1234567890123456", True), ("-0", True), ("0", False), ("3.5", True), ("0.3", True),
    ("007", False), ("+5", False), ("5.0", False), ("1e-07", False), ("true", True),
    ("false", True), ("TRUE", False), ("2025-01-02 03:04:05", False),
    ("2025-01-02 03:04:05.441", True), ("1899-12-31 09:30:00", True),
    ("1900-01-01 00:00:00", True), ("+10000-01-01 00:00:00", True), ("2025-01-02", False),
    ("2025-01-02T03:04:05", False)])
def test_which_texts_might_stand_for_a_typed_cell(text: str, expected: bool) -> None:
    import polars as pl

    assert ambiguous(text) is expected
    polars = pl.Series([text]).str.contains(f"^(?:{workbook_frame.AMBIGUOUS})$").item()
    assert polars is expected  # the same pattern in polars (Rust's regex), as _column uses it
    assert ambiguous(text + "\n") is False  # whole texts only, in both
    assert pl.Series([text + "\n"]).str.contains(f"^(?:{workbook_frame.AMBIGUOUS})$").item() \
        is False


def test_blank_is_what_str_strip_removes() -> None:
    import polars as pl

    points = pl.Series([chr(i) for i in range(0x110000) if not 0xD800 <= i < 0xE000])
    blank = points.filter(points.str.contains(workbook_frame.BLANK)).to_list()
    assert blank == [c for c in points.to_list() if not c.strip()]


def _typed_values(count: int) -> list[Any]:
    import random

    rng = random.Random(17)
    start = dt.datetime(1900, 3, 1)
    values: list[Any] = [True, False, -0.0, 0.0, 0.1 + 0.2, 1e-7, 1e15, 1e16, 2.0**53 + 2,
                         -3.25, 2958465.0, dt.date(2025, 1, 2), dt.datetime(2025, 1, 2)]
    for _ in range(count):
        kind = rng.randrange(5)
        if kind == 0:
            values.append(rng.uniform(-1e6, 1e6))
        elif kind == 1:
            values.append(float(rng.randrange(-10**6, 10**6)) / rng.choice([1, 2, 4, 10, 100]))
        elif kind == 2:
            values.append(start + dt.timedelta(seconds=rng.uniform(0, 4e9)))
        elif kind == 3:
            values.append(start + dt.timedelta(seconds=rng.randrange(0, 4 * 10**9)))
        else:
            values.append(float(rng.randrange(-10**17, 10**17)))
    return values


def test_fastexcel_text_of_a_typed_cell_is_the_exact_text_or_ambiguous(tmp_path: Path) -> None:
    # The rule the fast path rests on, for the installed fastexcel: a typed cell's text is
    # either the exact reader's or one that sends the workbook to python-calamine.
    from python_calamine import CalamineWorkbook

    from leadlens.responses.exports.grid import cell_text
    from leadlens.responses.exports.workbook import Unlike, cell_value_text

    values = _typed_values(3000)
    path = _book(tmp_path / "typed.xlsx", [["v"]] + [[v] for v in values])
    frame = workbook_frame.sheet_frame(path.read_bytes())
    assert frame is not None
    fast = frame.get_column("0").to_list()[1:]
    with CalamineWorkbook.from_path(str(path)) as book:
        typed = [row[0] for row in book.get_sheet_by_index(0).to_python()[1:]]
    openpyxl = [cells[0] for cells in list(grid.openpyxl_rows(path.read_bytes(), "x"))[1:]]
    assert len(fast) == len(typed) == len(openpyxl) == len(values)
    same = 0
    for text, value, other in zip(fast, typed, openpyxl, strict=True):
        try:
            exact = cell_value_text(value, cell_text)
        except Unlike:  # python-calamine's values hand these to openpyxl
            exact = other
        assert text is not None
        if text == exact:
            same += 1
        else:
            assert ambiguous(text), (value, text, exact)
    assert same > len(values) // 3  # most typed cells are read as they are


@pytest.mark.parametrize("part", ["xl/styles.xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels"])
def test_a_damaged_part_is_refused_alike_on_every_path(
        part: str, qs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # calamine (fastexcel's newer one especially) reads some damaged XML that openpyxl
    # refuses; the scan finds a small part that is not well-formed, so every path refuses it.
    import zipfile

    path = _book(tmp_path / "answers.xlsx", _rows("A", "B", "A"))
    with zipfile.ZipFile(path) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    members[part] = members[part].replace(b"><", b"><<", 1)
    with zipfile.ZipFile(path, "w") as archive:
        for filename, content in members.items():
            archive.writestr(filename, content)
    assert read_workbook_columns(path, load_question_set(qs), ImportOptions()) is None
    fast = _score(qs, path)
    monkeypatch.setattr(workbook, "calamine_rows", lambda data, text: None)
    assert fast == _score(qs, path)
    assert fast[0] == 1
    assert f"{path}: not a readable .xlsx workbook" in fast[2]
