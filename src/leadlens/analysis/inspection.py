"""What a responses file is and how its columns map, read as ``leadlens score`` reads it.

``leadlens inspect`` calls :func:`inspect_file` for each file. A text file (a leadlens CSV, a
survey platform's export, an .xlsx workbook) goes to the export layer's
:func:`~leadlens.responses.exports.inspect_export` (a large UTF-8 CSV through the column
reader, :func:`~leadlens.responses.exports.columnar.inspect_columns`); a Parquet file (and
a DataFrame, through :func:`inspect_cells`) is read by the responses reader's own step 1,
exactly as ``score`` reads it, and its column names are matched to the question set as a
one-row header is.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from leadlens.questionset.model import QuestionSet
    from leadlens.responses.cells import CellTable
    from leadlens.responses.exports import ImportOptions, Inspection

PARQUET = "parquet"
"""The platform name an inspection of a Parquet file (or a DataFrame) reports."""


def inspect_file(path: Path, question_set: QuestionSet, options: ImportOptions
                 ) -> Inspection:
    """Detect what ``path`` is and match its columns, choosing the reader ``score`` would.

    Raises:
        ResponsesError: the file cannot be read at all (not text, a broken Parquet file, an
            unreadable path), or a mapping rule is invalid.
    """
    from leadlens.responses.cells import check_text_file
    from leadlens.responses.exports import inspect_export
    from leadlens.responses.exports.columnar import inspect_columns
    from leadlens.responses.frames import is_parquet, read_parquet_cells
    from leadlens.responses.own_outputs import check_before_reading, check_table_header
    from leadlens.responses.reading import column_hints

    parquet = is_parquet(path)
    check_before_reading(path, parquet=parquet)
    if parquet:
        table = read_parquet_cells(path)
        check_table_header(table.source, table.header)
        return inspect_cells(table, question_set)
    check_text_file(path, encoding=options.encoding)
    # A large UTF-8 CSV as score's column reader reads it (records and blank rows counted
    # from the file in blocks); the rest record by record.
    found = inspect_columns(path, question_set, options, column_hints(question_set))
    return inspect_export(path, question_set, options, found=found)


def inspect_cells(table: CellTable, question_set: QuestionSet) -> Inspection:
    """The inspection of a table whose column names are leadlens' own (a Parquet file or a
    DataFrame: :func:`leadlens.responses.frames.frame_cells`).

    Such a table is read by its column names, as ``score`` reads it, so mapping rules and
    platform layouts do not apply; its columns are matched as a one-row header is.
    """
    from leadlens.responses.exports.grid import Grid
    from leadlens.responses.exports.mapping import rule_sources
    from leadlens.responses.exports.reader import Inspection, detect_layout, match_layout
    from leadlens.responses.limits import capped_warnings

    grid = Grid(records=[(1, list(table.header))])
    detection, grid, layout, warnings = detect_layout(
        table.source, grid, PARQUET, encoding="utf-8", bom=False, delimiter=None, sep=False,
        warnings=list(table.warnings))
    detection.header_lines, detection.records = [], table.rows
    found = match_layout(Path(table.source), question_set, detection, grid, layout,
                         rule_sources(question_set, None), warnings)
    # Column names are on no line: a problem names the file and the column, as score's do.
    problems = [replace(p, line=None) for p in found.columns.problems]
    return Inspection(detection=detection, columns=found.columns,
                      warnings=capped_warnings(found.warnings + [
                          p for p in problems if p.severity != "error"]),
                      errors=[p for p in problems if p.severity == "error"])
