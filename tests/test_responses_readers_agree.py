"""The same bad responses file gets the same messages whichever reader takes it.

A leadlens CSV is read by the fast reader (:mod:`leadlens.responses.cells`); exports, other
encodings and delimiters by the export reader (:mod:`leadlens.responses.exports`). Both are
given the same bytes here, and their problems (errors and warnings) must read alike.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from leadlens.errors import Problem, ResponsesError
from leadlens.questionset.loading import load_question_set
from leadlens.responses import cells, records
from leadlens.responses.cells import CellTable, read_csv_cells
from leadlens.responses.exports import ImportOptions, columnar
from leadlens.responses.exports.cells import read_export_cells
from leadlens.responses.exports.columnar import read_export_columns
from leadlens.responses.reading import cells_to_responses, column_hints

HEADER = "respondent_id,organisation,basics-1,basics-2,basics-3\n"
BAD = {
    "empty": "",
    "unclosed quote": HEADER + "1,A,3,4,2\n2,\"B,3,4,2\n3,C,2,2,2\n",
    "stray text after a closing quote": HEADER + "1,A,3,4,2\n2,\"B\"x,3,4,2\n",
    "blank rows": HEADER + "1,A,3,4,2\n\n\n2,B,3,4,2\n",
    "one blank row": HEADER + "1,A,3,4,2\n,,,,\n2,B,3,4,2\n",
    "ragged rows": HEADER + "1,A,3,4,2\n2,B,3,4,2,5,6\n3,C\n",
    "an answer off the scale": HEADER + "1,A,3,4,9\n",
}


def messages(read: object, path: Path) -> list[str]:
    qs = load_question_set(None)
    try:
        table = read(path, qs)  # type: ignore[operator]
    except ResponsesError as exc:
        return [str(p) for p in exc.problems]
    assert isinstance(table, CellTable)
    conversion = cells_to_responses(table, qs)
    problems: list[Problem] = [*conversion.errors, *conversion.responses.warnings]
    return [str(p) for p in problems if "column(s) missing" not in p.message]


def fast(path: Path, qs: object) -> CellTable:
    return read_csv_cells(path, hint=column_hints(qs))  # type: ignore[arg-type]


def export(path: Path, qs: object) -> CellTable:
    return read_export_cells(path, qs, ImportOptions())  # type: ignore[arg-type]


@pytest.mark.parametrize("case", sorted(BAD))
def test_both_readers_word_a_bad_file_alike(tmp_path: Path, case: str) -> None:
    path = tmp_path / "r.csv"
    path.write_text(BAD[case], encoding="utf-8")
    by_fast, by_export = messages(fast, path), messages(export, path)
    assert by_fast == by_export
    assert by_fast or case == "nothing wrong"


def test_the_wording_is_the_better_of_the_two(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text(BAD["unclosed quote"], encoding="utf-8")
    assert messages(export, path) == [
        f"{path}:3: column 'organisation': quoted field is never closed (it runs to the end "
        "of the file). Close the quote, and double any quote inside quoted text (\"\")"]
    path.write_text(BAD["one blank row"], encoding="utf-8")
    assert messages(fast, path) == [f"{path}: warning: 1 blank row ignored"]


def by_columns(path: Path, qs: object) -> CellTable:
    """The export reader's column path for large files (``read_export_columns``), as the
    responses reader takes it: the exact reader when it hands the file back."""
    table = read_export_columns(path, qs, ImportOptions(), column_hints(qs))  # type: ignore[arg-type]
    return table if table is not None else export(path, qs)


MORE_ROWS = "".join(f"{n},D,3,4,2\n" for n in range(10, 14))
"""Enough records after a bad one that the column reader takes the file."""


@pytest.mark.parametrize("case", sorted(BAD))
def test_the_column_reader_words_a_bad_file_alike(tmp_path: Path, case: str,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(columnar, "MIN_BYTES", 0)  # large files only, otherwise
    path = tmp_path / "r.csv"
    text = BAD[case] + MORE_ROWS if BAD[case].endswith("\n") else BAD[case]
    path.write_text(text, encoding="utf-8")
    assert messages(by_columns, path) == messages(export, path) == messages(fast, path)


ROWS = "".join(f"{n},{'AB'[n % 2]},3,4,{1 + n % 5}\n" for n in range(1, 9))
BLANKS = {  # where blank records go in a leadlens CSV: none of them change the commas
    "after the header": HEADER + "\n" + ROWS,
    "between rows": HEADER + ROWS[:20] + "\n\n" + ROWS[20:],
    "at the end": HEADER + ROWS + "\n\n",
    "CRLF blank lines": (HEADER + ROWS[:30] + "\n" + ROWS[30:]).replace("\n", "\r\n"),
    "a row of empty cells": HEADER + ROWS[:20] + ",,,,\n" + ROWS[20:],
    "blank lines and an answer off the scale": HEADER + ROWS[:20] + "\n\n" + "9,A,3,4,7\n"
                                               + ROWS[20:],
    "a quoted line break before a blank line": HEADER + '1,"A\nB",3,4,2\n\n' + ROWS,
    "no line feed at the end": HEADER + "\n" + ROWS.rstrip("\n"),
}


@pytest.mark.parametrize("case", sorted(BLANKS))
def test_the_fast_path_warns_of_blank_rows_as_the_csv_module_does(
        tmp_path: Path, case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "r.csv"
    path.write_text(BLANKS[case], encoding="utf-8")
    by_csv_module = messages(fast, path)
    lines_by_csv_module = list(fast(path, load_question_set(None)).line_numbers())

    monkeypatch.setattr(cells, "FAST_READ_BYTES", 0)  # polars, from the path

    def no_exact_pass(*args: object, **kwargs: object) -> object:
        raise AssertionError("the fast path fell back to the csv module")

    monkeypatch.setattr(cells, "_scan", no_exact_pass)
    assert messages(fast, path) == by_csv_module
    assert list(fast(path, load_question_set(None)).line_numbers()) == lines_by_csv_module
    assert any("blank row" in m for m in by_csv_module)


def test_line_numbers_are_found_again_from_the_file_in_blocks(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Quoted line breaks, CRLF, a byte-order mark and blank lines, across block edges."""
    path = tmp_path / "r.csv"
    rows = [f'{n},"x{chr(10) * (n % 3)}y",3,4,2' if n % 4 else "" for n in range(1, 400)]
    path.write_bytes(b"\xef\xbb\xbf" + ("\r\n".join([HEADER.strip(), *rows]) + "\r\n")
                     .encode("utf-8"))
    exact = list(fast(path, load_question_set(None)).line_numbers())
    monkeypatch.setattr(records, "BLOCK_BYTES", 7)  # every record crosses a block edge
    body = len(b"\xef\xbb\xbf" + HEADER.strip().encode() + b"\r\n")
    assert records.record_lines(path, body).tolist() == exact
    assert records.record_lines(path.read_bytes(), body).tolist() == exact


@pytest.mark.parametrize("block", [3, 7, 1 << 20])
def test_the_block_pass_counts_records_blanks_and_bounds(block: int,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(records, "BLOCK_BYTES", block)
    data = b'a,b\n1,"x\n\ny"\n\n\r\n2,3\n"q""r",4'
    found = records.scan_records(data, 4)
    assert (found.commas, found.records, found.blank) == (4, 5, 2)
    assert found.strict and found.closed and not found.nul and found.content
    assert found.longest == len(b'1,"x\n\ny"')
    assert records.record_lines(data, 4).tolist() == [2, 5, 6, 7, 8]
    odd = records.scan_records(b'a,b\n1,"x\x00\n2,"y" z\n', 4)
    assert odd.nul and not odd.strict
    assert not records.scan_records(b'a,b\n"open,1\n', 4).closed
    assert not records.scan_records(b"a,b\n \t\r\n\n", 4).content
