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
