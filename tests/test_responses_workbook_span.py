"""A workbook whose cells span too many rows x columns is refused before any reader lays it
out: one located line, exit 1, in bounded memory, whichever reader would have read it.

Each far-cell workbook is a few KB; without the bound calamine's allocation of its span
aborts the process (SIGABRT) or takes gigabytes. Every run is a subprocess under an
``RLIMIT_AS`` cap, so a regression fails the test instead of eating the machine.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook  # type: ignore[import-untyped]

from conftest import MINIMAL_SET
from leadlens.responses.exports import workbook_span
from leadlens.responses.exports.workbook_span import (
    MAX_SHEET_CELLS,
    column_letters,
    column_number,
    sheet_span,
)

SRC = str(Path(__file__).resolve().parents[1] / "src")
CAP = 3 * 1024**3
"""The address space a reading process is given: far below any far cell's span."""
HEADER = ["respondent_id", "organisation", "b1", "b2", "b3"]
ROWS = [HEADER, ["r1", "A", 1, 2, 3], ["r2", "B", 4, 5, 2], ["r3", "A", 5, 4, 3]]
CELL = '<c r="{ref}" t="inlineStr"><is><t>stray</t></is></c>'


def _book(path: Path, *, before_end: str = "", in_first_row: str = "", dimension: str = "",
          error_cell: bool = False) -> Path:
    """A small workbook of answers, with XML put at the end of its sheet data or in its
    first row, its ``<dimension>`` replaced, or an error cell (read by openpyxl then)."""
    book = Workbook()
    for row in ROWS:
        book.active.append(row)
    book.save(path)
    with zipfile.ZipFile(path) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    sheet = members["xl/worksheets/sheet1.xml"].decode()
    if before_end:
        sheet = sheet.replace("</sheetData>", before_end + "</sheetData>")
    if in_first_row:
        end = sheet.index("</row>")
        sheet = sheet[:end] + in_first_row + sheet[end:]
    if dimension:
        sheet = re.sub(r'<dimension ref="[^"]*"', f'<dimension ref="{dimension}"', sheet)
    if error_cell:
        start = sheet.index('<c r="E4"')
        end = sheet.index("</c>", start) + len("</c>")
        sheet = sheet[:start] + '<c r="E4" t="e"><v>#DIV/0!</v></c>' + sheet[end:]
    members["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return path


def _far_row(ref: str) -> str:
    number = re.sub("[A-Za-z]", "", ref)
    return f'<row r="{number}">{CELL.format(ref=ref)}</row>'


FAR = {
    "the last cell of a sheet": ({"before_end": _far_row("XFD1048576")}, "XFD1048576"),
    "a far row and a far column": ({"before_end": _far_row("ZZ200000")}, "ZZ200000"),
    "a far column in the first row": (
        {"in_first_row": CELL.format(ref="AAA1"), "before_end": _far_row("A500000")},
        "AAA1 and A500000"),
    "a far cell in a near row element": ({"in_first_row": CELL.format(ref="ZZ200000")},
                                         "ZZ200000"),
    "a dimension that lies small": ({"before_end": _far_row("XFD1048576"),
                                     "dimension": "A1:E4"}, "XFD1048576"),
    "cells with no reference": (
        {"before_end": '<row r="1048576">'
                       + '<c t="inlineStr"><is><t>x</t></is></c>' * 20_000 + "</row>"},
        "ACOF1048576"),
    "a lower-case reference": ({"before_end": _far_row("xfd1048576")}, "XFD1048576"),
    "a reference that is not first": (
        {"before_end": '<row r="900000"><c t="inlineStr" r="AZ900000"><is><t>x</t></is>'
                       "</c></row>"}, "AZ900000"),
}

READ = textwrap.dedent("""
    import resource, sys
    resource.setrlimit(resource.RLIMIT_AS, ({cap}, {cap}))
    from pathlib import Path
    from leadlens.errors import ResponsesError
    from leadlens.questionset.loading import load_question_set
    from leadlens.responses.exports.grid import read_xlsx_grid
    from leadlens.responses.exports.reader import ImportOptions
    from leadlens.responses.exports.workbook_columns import read_workbook_columns
    path = Path(sys.argv[2])
    try:
        if sys.argv[1] == "columns":
            read_workbook_columns(path, load_question_set(Path(sys.argv[3])), ImportOptions())
        else:
            read_xlsx_grid(path.read_bytes(), str(path))
    except ResponsesError as exc:
        print("\\n".join(p.message for p in exc.problems))
        sys.exit(1)
""")


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), capture_output=True, text=True, timeout=120,
                          check=False, env={"PYTHONPATH": SRC, "PATH": "/usr/bin:/bin"})


@pytest.fixture
def qs(tmp_path: Path) -> Path:
    path = tmp_path / "qs.yaml"
    path.write_text(MINIMAL_SET, encoding="utf-8")
    return path


@pytest.mark.parametrize("name", sorted(FAR))
def test_a_far_cell_is_one_located_error_in_bounded_memory(name: str, qs: Path,
                                                           tmp_path: Path) -> None:
    changes, cells = FAR[name]
    path = _book(tmp_path / "answers.xlsx", **changes)  # type: ignore[arg-type]
    assert path.stat().st_size < 100_000
    score = textwrap.dedent(f"""
        import resource, sys
        resource.setrlimit(resource.RLIMIT_AS, ({CAP}, {CAP}))
        from leadlens.cli import _app
        sys.argv = ["leadlens", "score", "-q", {str(qs)!r}, {str(path)!r}]
        _app.main()
    """)
    result = _run(sys.executable, "-c", score)
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith(f"{path}: sheet 'Sheet': cell {cells}: the sheet's cells "
                                    "span "), result.stderr
    assert f"leadlens reads at most {MAX_SHEET_CELLS:,} cells of a sheet" in result.stderr
    assert "Delete the stray cell" in result.stderr
    assert "Traceback" not in result.stderr
    # Each reader, on its own, says the same (fastexcel's and python-calamine's column path;
    # calamine's rows, and openpyxl's when the workbook holds what calamine reads otherwise).
    messages = {_run(sys.executable, "-c", READ.format(cap=CAP), reader, str(p), str(qs)).stdout
                for reader, p in (("columns", path), ("rows", path), (
                    "rows", _book(tmp_path / "error.xlsx", error_cell=True, **changes)))}
    assert len(messages) == 1
    assert messages.pop().startswith(f"sheet 'Sheet': cell {cells}: the sheet's cells span ")


@pytest.mark.parametrize("changes", [
    {"dimension": "A1:XFD1048576"},  # a dimension that lies large: only the cells count
    {"before_end": '<row r="1048576"><c r="XFD1048576" s="0"/></row>'},  # formatted, empty
    {"before_end": '<row r="1048576"><c r="XFD1048576"><v></v></c></row>'},
    {"before_end": _far_row("CW160000")},  # 160,000 x 101: under the bound
], ids=["lying dimension", "empty far cell", "empty value", "under the bound"])
def test_a_workbook_within_the_bound_is_read(changes: dict[str, str], qs: Path,
                                             tmp_path: Path) -> None:
    path = _book(tmp_path / "answers.xlsx", **changes)
    score = textwrap.dedent(f"""
        import resource, sys
        resource.setrlimit(resource.RLIMIT_AS, ({CAP}, {CAP}))
        from leadlens.cli import _app
        sys.argv = ["leadlens", "score", "-q", {str(qs)!r}, {str(path)!r}, "-f", "csv"]
        _app.main()
    """)
    result = _run(sys.executable, "-c", score)
    assert "the sheet's cells span" not in result.stderr
    assert "Traceback" not in result.stderr
    plain = _run(sys.executable, "-c", score.replace(str(path), str(_book(tmp_path / "p.xlsx"))))
    assert plain.returncode == 0, plain.stderr
    if "before_end" in changes and "CW" in changes["before_end"]:  # read, and its cell named
        assert result.returncode == 1
        assert f"{path}:160000:" in result.stderr, result.stderr
    else:  # read as if the far cell were not there
        assert (result.returncode, result.stdout) == (0, plain.stdout), result.stderr


def test_the_span_is_calamines(tmp_path: Path) -> None:
    """The span found is the one python-calamine lays out, for ordered and unordered cells,
    references first or not, and cells with no reference."""
    from python_calamine import CalamineWorkbook

    cases = [
        {},
        {"before_end": _far_row("K30")},
        {"in_first_row": CELL.format(ref="M2")},
        {"in_first_row": '<c t="inlineStr"><is><t>x</t></is></c>' * 3},
        {"before_end": '<row><c t="inlineStr"><is><t>x</t></is></c></row>'},
        {"before_end": '<row r="40"><c t="inlineStr" r="Q40"><is><t>x</t></is></c></row>'},
    ]
    for number, changes in enumerate(cases):
        path = _book(tmp_path / f"{number}.xlsx", **changes)
        with zipfile.ZipFile(path) as archive:
            far = sheet_span(iter([archive.read("xl/worksheets/sheet1.xml")]))
        values = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python(
            skip_empty_area=False)
        assert (far.rows, far.columns) == (len(values), len(values[0])), changes


def test_the_patterns_for_greater_references() -> None:
    for text, alphabet, values in (
            ("100001", "0123456789", range(1, 300_000, 7)),
            ("AO", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", range(1, 20_000))):
        pattern = re.compile(workbook_span._greater(text, alphabet))
        limit = int(text) if alphabet[0] == "0" else column_number(text)
        for value in values:
            shown = str(value) if alphabet[0] == "0" else column_letters(value)
            assert bool(pattern.fullmatch(shown)) == (value > limit), shown


def test_column_letters_round_trip() -> None:
    assert [column_letters(n) for n in (1, 26, 27, 702, 703, 16384)] == [
        "A", "Z", "AA", "ZZ", "AAA", "XFD"]
    assert all(column_number(column_letters(n)) == n for n in range(1, 20_000))
