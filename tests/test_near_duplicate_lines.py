"""The near-duplicate groups warning names each spelling's lines, whichever reader read it.

A leadlens CSV is read by Python's csv module (small files) or by polars (large ones, whose
lines are found again from the file only when a warning needs them); exports, workbooks,
Parquet files and DataFrames by their own readers. Each respondent's line is kept as one
int32 (or found again), never as the file's text.
"""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl
import pytest

import leadlens
from leadlens.analysis.scoring import score_output
from leadlens.responses import cells
from test_score_cli import QUESTION_SET

ROWS = [
    ["r0", "North Riverside ICB", "Board", "5", "1", "a story\nover two lines"],
    ["r1", "North Riverside ICB", "Board", "5", "1", ""],
    ["r2", "NR ICB", "Staff", "3", "3", ""],
    ["r3", "Beta Council", "Staff", "2", "4", ""],
    ["r4", "North Riverside ICB.", "Board", "4", "2", ""],
    ["r5", "Beta Council", "Staff", "1", "5", ""],
    ["r6", "Beta Council", "Staff", "2", "4", ""],
    ["r7", "North Riverside ICB", "Board", "4", "2", ""],
]
HEADER = ["respondent_id", "organisation", "role", "b1", "b2", "story"]
# The story of r0 spans lines 2-3, so r1 starts on line 4: the lines are physical lines.
IN_CSV = "'North Riverside ICB' (lines 2, 4, 10), 'North Riverside ICB.' (line 7), " \
         "'NR ICB' (line 5) may be one group written differently"
# A workbook row, a Parquet or DataFrame row is one line: the header is row 1 of a sheet,
# and a Parquet file's or DataFrame's first respondent is row 1.
IN_ROWS = "'North Riverside ICB' (lines {0}, {1}, {7}), 'North Riverside ICB.' (line {4}), " \
          "'NR ICB' (line {2}) may be one group written differently"


def near(data: object, question_set: Path, **options: object) -> list[str]:
    """The warnings as ``leadlens score`` prints them (the facilitator's terminal)."""
    output = score_output(data, question_set, **options)  # type: ignore[arg-type]
    return [str(w) for w in output.scored.terminal_warnings()
            if w.code == "scoring.near-duplicate-groups"]


def write_csv(path: Path, delimiter: str = ",") -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter, lineterminator="\n")
        writer.writerows([HEADER, *ROWS])
    return path


@pytest.fixture
def question_set(tmp_path: Path) -> Path:
    path = tmp_path / "set.yaml"
    path.write_text(QUESTION_SET, encoding="utf-8")
    return path


def test_csv_read_exactly_names_physical_lines(tmp_path: Path, question_set: Path) -> None:
    path = write_csv(tmp_path / "board.csv")
    warned = near(path, question_set, by="organisation")
    assert warned == [f"{path}:2: warning: --by organisation: {IN_CSV}. If they are, list "
                      "the other spellings under one name in a --group-aliases file "
                      "(docs/scoring.md, section 8)"]


def test_csv_read_by_polars_names_the_same_lines(tmp_path: Path, question_set: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_csv(tmp_path / "board.csv")
    exact = near(path, question_set, by="organisation")
    monkeypatch.setattr(cells, "FAST_READ_BYTES", 64)  # this small file takes the polars path
    table = cells.read_csv_cells(path)
    assert table.rescan_lines  # its lines are not known until asked for
    assert near(path, question_set, by="organisation") == exact


def test_an_export_names_the_same_lines(tmp_path: Path, question_set: Path) -> None:
    path = write_csv(tmp_path / "board.csv", delimiter=";")  # not leadlens' own layout
    warned = near(path, question_set, by="organisation", delimiter=";")
    assert len(warned) == 1 and IN_CSV in warned[0] and warned[0].startswith(f"{path}:2:")


def test_two_files_name_each_file(tmp_path: Path, question_set: Path) -> None:
    first = write_csv(tmp_path / "a.csv")
    second = tmp_path / "b.csv"
    second.write_text(",".join(HEADER) + "\nr9,NR ICB,Staff,3,3,\n", encoding="utf-8")
    warned = near([first, second], question_set, by="organisation")
    assert f"'NR ICB' (line 5, {second}:2)" in warned[0]


def test_workbook_parquet_and_dataframe_name_rows(tmp_path: Path, question_set: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    for row in [HEADER, *ROWS]:
        sheet.append(row)
    workbook = tmp_path / "board.xlsx"
    book.save(workbook)
    warned = near(workbook, question_set, by="organisation")
    assert IN_ROWS.format(*range(2, 10)) in warned[0]  # the header is row 1
    frame = pl.DataFrame({h: [r[i] for r in ROWS] for i, h in enumerate(HEADER)})
    parquet = tmp_path / "board.parquet"
    frame.write_parquet(parquet)
    warned = near(parquet, question_set, by="organisation")
    assert IN_ROWS.format(*range(1, 9)) in warned[0]
    warned = near(frame, question_set, by="organisation")
    assert IN_ROWS.format(*range(1, 9)) in warned[0]


def test_many_lines_are_counted_not_listed(tmp_path: Path, question_set: Path) -> None:
    path = tmp_path / "board.csv"
    rows = [f"r{i},Alpha Trust,Board,5,1," for i in range(9)] + ["r9,Alpha Trust.,Board,5,1,"]
    path.write_text(",".join(HEADER) + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    warned = near(path, question_set, by="organisation")
    assert "'Alpha Trust' (lines 2, 3, 4, 5, 6 and 4 more), 'Alpha Trust.' (line 11)" \
        in warned[0]


def test_the_published_warning_names_no_lines(tmp_path: Path, question_set: Path) -> None:
    # Lines would count each spelling's respondents: a hidden group's size.
    path = write_csv(tmp_path / "board.csv")
    results = leadlens.score(path, question_set, by="organisation")
    [published] = [w for w in results.warnings if w.code == "scoring.near-duplicate-groups"]
    assert (published.file, published.line) == (None, None)
    assert published.message == ("--by organisation: 'North Riverside ICB', 'North Riverside "
                                 "ICB.', 'NR ICB' may be one group written differently")
    text = leadlens.render_report(results, "md")
    assert "'NR ICB' may be one group" in text and "line 5" not in text


def test_survey_rows_have_no_lines(tmp_path: Path) -> None:
    from leadlens.questionset.loading import load_question_set
    from leadlens.responses.table import Responses
    from leadlens.scoring import score

    path = tmp_path / "set.yaml"
    path.write_text(QUESTION_SET, encoding="utf-8")
    qs = load_question_set(path)
    records = [dict(zip(HEADER, r, strict=True)) for r in ROWS]
    for record in records:
        record["b1"], record["b2"] = int(record["b1"]), int(record["b2"])
    responses = Responses.from_records(qs, records)
    warned = [w for w in score(qs, responses, by=["organisation"]).results.warnings
              if w.code == "scoring.near-duplicate-groups"]
    assert warned[0].line is None
    assert "'North Riverside ICB', 'North Riverside ICB.', 'NR ICB' may be one" \
        in warned[0].message
