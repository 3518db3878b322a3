"""A workbook export read column by column: each column's distinct values turned into text once.

The exact reader (:func:`leadlens.responses.exports.reader.read_export`) turns every cell of
a workbook into text, row by row, then transposes the rows and maps each column's cells
(about 11 s of Python for a 100,000-row export, against calamine's 7 s parse). This reader
takes calamine's typed values (:func:`~leadlens.responses.exports.workbook.calamine_values`),
transposes them once, and turns each distinct value of a column into text, an answer value
and a code once; a cell then costs one dictionary lookup. Numbers, dates and repeated labels
are never made text cell by cell.

:func:`read_workbook_columns` first tries fastexcel's Arrow columns
(:mod:`leadlens.responses.exports.workbook_frame`: no Python object per cell); this reader
takes over when a text there might stand for a typed cell the exact reader writes otherwise.

It reads only what the exact reader reads without a problem, to the same cell table: the
header records go through the exact reader's own functions (layout, column matches and
their problems are the same), and a workbook with anything else is handed back
(:func:`read_workbook_columns` returns None) for the exact reader to read and word: a cell
past the size bound, a row wider than the header, an unknown answer, a value openpyxl reads
otherwise, fewer than one response, a sheet that is not rectangular.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import compress
from pathlib import Path

import numpy as np

from leadlens.errors import Code, ResponsesError
from leadlens.files import STDIN, InputError, read_head, read_input
from leadlens.questionset.model import QuestionSet
from leadlens.responses.cells import CellTable, Column
from leadlens.responses.exports import sniff
from leadlens.responses.exports.answers import ScaleLabels, scale_labels
from leadlens.responses.exports.grid import Grid, cell_text, check_unpacked
from leadlens.responses.exports.reader import (
    ImportOptions,
    checked_columns,
)
from leadlens.responses.exports.workbook import Unlike, calamine_values, cell_value_text
from leadlens.responses.exports.workbook_head import (
    Handback,
    blank_count,
    head_grid,
    match_head,
)
from leadlens.responses.exports.workbook_sheets import visible_sheets
from leadlens.responses.limits import MAX_FIELD_BYTES
from leadlens.responses.problems import blank_rows


def read_workbook_columns(path: Path, qs: QuestionSet, options: ImportOptions
                          ) -> CellTable | None:
    """Read an ``.xlsx`` export as the responses reader's cell table, or None when the
    exact reader must read it (not a workbook, standard input, or anything it would read or
    word otherwise: see the module's docstring).

    Raises:
        ResponsesError: what the exact reader raises first for this file: an unreadable or
            too large input, a zip bomb, column problems (ambiguous, duplicate, none a
            question).
    """
    name = str(path)
    if name == STDIN:
        return None
    try:
        if not sniff.is_xlsx(read_head(path, 8)[:8]):
            return None
    except (InputError, OSError):
        return None  # the exact reader's message
    if options.sheet is not None:
        return None  # the exact reader reads the sheet --sheet names
    data = read_input(path, "responses file", name=name, error=ResponsesError)
    if not sniff.is_xlsx(data[:8]):
        return None
    check_unpacked(data, name)
    if len(visible_sheets(data)) > 1:
        try:
            return _first_sheet(data, path, qs, options)
        except ResponsesError as exc:
            if any(p.code == Code.RESPONSES_NO_QUESTION_COLUMNS for p in exc.problems):
                return None  # another sheet may hold the responses: the exact reader looks
            raise
    return _first_sheet(data, path, qs, options)


def _first_sheet(data: bytes, path: Path, qs: QuestionSet, options: ImportOptions
                 ) -> CellTable | None:
    from leadlens.responses.exports.workbook_frame import Ambiguous, read_frame, sheet_frame

    try:  # fastexcel's Arrow columns first; python-calamine's values if they might mislead
        frame = sheet_frame(data)
        if frame is not None:
            return read_frame(frame, path, qs, options)
    except Ambiguous:
        pass
    except Handback:
        return None
    values = calamine_values(data)
    del data
    if not values:
        return None
    try:
        return _read(values, path, qs, options)
    except Handback:
        return None


def _read(values: Sequence[Sequence[object]], path: Path, qs: QuestionSet, options: ImportOptions
          ) -> CellTable:
    name = str(path)
    width = len(values[0])
    if any(len(row) != width for row in values):
        raise Handback
    head, head_blank = _head(values)
    found = match_head(name, head, path, qs, options)
    layout, detection = found.layout, found.detection
    header_end = layout.header_lines[-1] if layout.header_lines else 0
    start = header_end  # rows are worksheet rows from 1: row r is values[r - 1]
    columns = list(zip(*values[start:], strict=True))
    del values
    distinct = [dict.fromkeys(column) for column in columns]
    for keys in distinct:  # the header's rows were checked as they were made text
        _check(keys)
    warnings = checked_columns(found, qs)
    header_width = len(layout.columns)
    for keys in distinct[header_width:]:  # a cell there: a row wider than the header
        if any(v is not None and v != "" for v in keys):
            raise Handback
    body = columns
    blank = _blank_rows(body)
    rows = len(body[0]) if body else 0
    kept = [i for i in range(rows) if i not in blank] if blank else range(rows)
    if not kept:
        raise Handback
    last = kept[-1]
    blanks = blank_count(head_blank, header_end) + sum(1 for i in blank if i < last)
    lines = [start + 1 + i for i in kept]
    keep = [i not in blank for i in range(rows)] if blank else None
    used = found.columns.used()
    labels = scale_labels(qs, [s.settings for s in found.sources])
    check = options.on_invalid == "error"
    table: dict[int, Column] = {}
    for position, match in enumerate(used):
        index = match.column.index
        cells: Sequence[object] = body[index] if index < len(body) else ()
        known: dict[object, None] | None = distinct[index] if index < len(body) else None
        if keep is not None and cells:  # the blank rows' cells are no labels
            cells, known = list(compress(cells, keep)), None
        table[position] = _column(cells, known, len(lines), labels.get(match.key or ""),
                                  check)
    detection.records = len(lines)
    detection.blank = blanks
    if blanks:
        warnings.append(blank_rows(name, blanks))
    header_lines = detection.header_lines
    return CellTable(name, [m.key or "" for m in used], table, len(lines), lambda: lines,
                     display=[m.column.display for m in used], warnings=warnings,
                     header_line=header_lines[0] if header_lines else 1)


def _check(keys: dict[object, None]) -> None:
    """Hand back a column with a value openpyxl reads otherwise or a cell past the bound."""
    for value in keys:
        if type(value) is str:
            if len(value) > MAX_FIELD_BYTES:
                raise Handback
        elif value is not None:
            try:
                cell_value_text(value, _no_text)
            except Unlike:
                raise Handback from None


def _no_text(value: object) -> str:
    return ""


def _text(value: object) -> str:
    if type(value) is str:
        return value
    try:
        return cell_value_text(value, cell_text)
    except Unlike:
        raise Handback from None


def _head(values: Sequence[Sequence[object]]) -> tuple[Grid, list[int]]:
    """The first records as the exact reader's grid holds them and the blank rows among
    them (a cell past the bound hands the workbook back)."""
    def rows() -> Iterator[list[str]]:
        for row in values:
            cells = [_text(v) for v in row]
            if max(map(len, cells), default=0) > MAX_FIELD_BYTES:
                raise Handback
            yield cells

    return head_grid(rows())


def _is_blank(value: object) -> bool:
    return value is None or (type(value) is str and not value.strip())


def _blank_rows(body: Sequence[Sequence[object]]) -> set[int]:
    """The body rows whose every cell is blank (as text: none, or only spaces); found
    column by column on the shrinking set of candidates."""
    candidates = list(range(len(body[0]))) if body else []
    for column in body:
        if not candidates:
            break
        candidates = [i for i in candidates if _is_blank(column[i])]
    return set(candidates)


def _column(cells: Sequence[object], keys: dict[object, None] | None, rows: int,
            converter: ScaleLabels | None, check: bool) -> Column:
    """A column as :meth:`Column.from_cells` encodes the exact reader's cells: labels in
    order of first appearance, an empty cell the code ``len(labels)``. ``keys``: the cells'
    distinct values in that order, if known."""
    if not cells:
        return Column(np.full(rows, 0, dtype=np.uint32), [])
    if keys is None:
        keys = dict.fromkeys(cells)
    if any(type(k) is bool for k in keys):  # True == 1.0 as keys: make the cells text first
        cells = [_text(v) for v in cells]
        keys = dict.fromkeys(cells)
    index: dict[str, int] = {}
    value_of: dict[object, str] = {}
    for key in keys:
        value = _text(key)
        if converter is not None:
            value, issue = converter.read(value, check=check)
            if issue is not None:
                raise Handback  # an unknown answer: the exact reader words it
        value_of[key] = value
        if value:
            index.setdefault(value, len(index))
    empty = len(index)
    code_of = {key: index[value] if value else empty for key, value in value_of.items()}
    codes = np.fromiter(map(code_of.__getitem__, cells), dtype=np.uint32, count=rows)
    return Column(codes, list(index))
