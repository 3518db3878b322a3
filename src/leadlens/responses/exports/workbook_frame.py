"""A workbook export read as Arrow columns by fastexcel: no Python object per cell.

The column path of :mod:`leadlens.responses.exports.workbook_columns` takes python-calamine's
typed values, one Python object per cell (about 4 s of CPU for its parse and its objects at
100,000 rows x 41 columns). fastexcel (the reader behind ``polars.read_excel``) parses the
same sheet with calamine in Rust and hands over Arrow columns; here every column is read as
text (``dtypes="string"``), so the header rows and the responses come out of one parse, and
polars finds each column's distinct values, blank rows and codes.

fastexcel makes text of a number, a date or a true/false cell by its own rule, not the exact
reader's (:func:`leadlens.responses.exports.grid.cell_text`): ``0.30000000000000004`` becomes
``0.3``, ``1e-07`` becomes ``0.0000001``, ``TRUE`` becomes ``true``, a time of day a date in
1899, a date with milliseconds ``...:02.441`` (not ``...:02.441000``). A text it hands over
can therefore be read as the exact reader's only where no typed cell could have given it
otherwise. Every distinct text of a column the question set uses, and every cell of the
header records, is checked (:func:`ambiguous`): a whole number of at most 15 digits, a date
and time to the second after 1900, or any other text is the same whichever cell it came
from; a decimal number, ``-0``, ``true``/``false``, a fraction of a second, a date in or
before 1900 or after 9999 might not be, and the workbook is read by python-calamine instead
(:class:`Ambiguous`). So are workbooks whose XML holds ISO date cells (``t="d"``: fastexcel
keeps their text as written) or a duration format (``[h]:mm``: fastexcel writes a date),
found by the XML scan that also finds what openpyxl must read
(:func:`leadlens.responses.exports.workbook.scan_xml`). The same cell table comes out either
way, and anything the exact reader would word as a problem is handed back to it, as the
column path does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from leadlens.questionset.model import QuestionSet
from leadlens.responses.cells import CellTable, Column
from leadlens.responses.exports.answers import ScaleLabels, scale_labels
from leadlens.responses.exports.grid import Grid
from leadlens.responses.exports.reader import ImportOptions, checked_columns
from leadlens.responses.exports.workbook_head import (
    Handback,
    blank_count,
    head_grid,
    match_head,
)
from leadlens.responses.limits import MAX_FIELD_BYTES
from leadlens.responses.problems import blank_rows

if TYPE_CHECKING:
    import polars as pl

BLANK = r"^[\s\x1c-\x1f]*$"
"""A cell of only what Python's ``str.strip()`` removes (Unicode's white space and
``\x1c``-``\x1f``; checked against every code point in the tests), as a polars pattern: a row
of such cells is blank, as for the exact reader."""

AMBIGUOUS = (
    r"-?(?:0|[1-9][0-9]*)\.[0-9]*[1-9]|-0|-?[1-9][0-9]{15,}|true|false"
    r"|(?:[+-][0-9]{4,}|[0-9]{5,}|0[0-9]{3}|1[0-8][0-9]{2}|1900)"
    r"-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?"
    r"|[+-]?[0-9]{4,}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]+")
"""Texts fastexcel may have made of a typed cell that the exact reader writes otherwise: a
decimal number (``0.3`` may be 0.30000000000000004), ``-0``, a whole number of more than 15
digits (past 2**53), ``true``/``false`` (``TRUE``), a date and time in or before 1900 (a time
of day, a duration) or past 9999, or with a fraction of a second (``.441``, ``.441000``). The
same pattern for Python's ``re`` and polars' (Rust's) regex; whole texts only."""
_AMBIGUOUS = re.compile(AMBIGUOUS)


class Ambiguous(Exception):
    """A text that a typed cell might have given otherwise: python-calamine reads it."""


def ambiguous(text: str) -> bool:
    """Whether fastexcel's ``text`` might stand for a typed cell the exact reader would
    write otherwise (:data:`AMBIGUOUS`)."""
    return _AMBIGUOUS.fullmatch(text) is not None


def sheet_frame(data: bytes) -> pl.DataFrame | None:
    """The first worksheet as text columns from A1 (rows are worksheet rows from 1), or None
    when fastexcel cannot read it (the python-calamine path then does).

    Raises:
        Ambiguous: the XML holds what fastexcel writes otherwise (ISO date cells, durations).
        Handback: the XML holds what openpyxl reads otherwise (the exact reader reads it).
    """
    try:
        import fastexcel
    except ImportError:  # an install without it
        return None
    from concurrent.futures import ThreadPoolExecutor

    import polars as pl

    from leadlens.responses.exports.workbook import scan_xml

    # The scan runs beside fastexcel's parse (which releases the GIL).
    with ThreadPoolExecutor(max_workers=1) as pool:
        scan = pool.submit(scan_xml, data)
        try:
            reader = fastexcel.read_excel(data)
            sheet = reader.load_sheet(0, header_row=None, skip_rows=0, dtypes="string")
            if sheet.visible != "visible":
                return None
            columns = sheet.selected_columns
            frame = pl.DataFrame(sheet)
            del sheet, reader
        except (fastexcel.FastExcelError, pl.exceptions.PolarsError, OSError, ValueError):
            return None
        found = scan.result()
    if found.odd:
        raise Handback
    if found.unlike:
        raise Ambiguous
    first = columns[0].absolute_index if columns else 0
    if first:  # the sheet starts right of column A: pad it, as python-calamine does
        pad = [pl.lit(None, dtype=pl.String).alias(f"pad{i}") for i in range(first)]
        frame = frame.select(*pad, pl.all())
    return frame.rename(dict(zip(frame.columns, map(str, range(frame.width)), strict=True)))


def read_frame(frame: pl.DataFrame, path: Path, qs: QuestionSet, options: ImportOptions
               ) -> CellTable:
    """The cell table of a workbook read by :func:`sheet_frame`.

    Raises:
        Ambiguous: a text a typed cell might have given otherwise (python-calamine reads it).
        Handback: anything the exact reader reads or words otherwise.
        ResponsesError: column problems (as the exact reader raises them).
    """
    import polars as pl

    name = str(path)
    if frame.height == 0 or frame.width == 0:
        raise Handback
    if max((n or 0) for n in frame.select(pl.all().str.len_bytes().max()).row(0)) \
            > MAX_FIELD_BYTES and max((n or 0) for n in frame.select(
                pl.all().str.len_chars().max()).row(0)) > MAX_FIELD_BYTES:
        raise Handback  # the exact reader says which cell
    head, head_blank = _head(frame)
    found = match_head(name, head, path, qs, options)
    layout, detection = found.layout, found.detection
    header_end = layout.header_lines[-1] if layout.header_lines else 0
    start = header_end  # rows are worksheet rows from 1: row r is the frame's row r - 1
    body = frame.slice(start)
    del frame
    warnings = checked_columns(found, qs)
    header_width = len(layout.columns)
    wide = body.columns[header_width:]
    if wide and body.select(pl.any_horizontal(
            (pl.col(c).is_not_null() & (pl.col(c) != "")).any() for c in wide)).item():
        raise Handback  # a row wider than the header
    blank_mask = _blank_rows(body)
    blank = np.flatnonzero(blank_mask)
    kept = np.flatnonzero(~blank_mask)
    if not len(kept):
        raise Handback
    last = int(kept[-1])
    blanks = blank_count(head_blank, header_end) + int(np.count_nonzero(blank < last))
    lines = (kept + (start + 1)).tolist()
    used = found.columns.used()
    labels = scale_labels(qs, [s.settings for s in found.sources])
    check = options.on_invalid == "error"
    if len(blank):
        body = body.filter(pl.Series(~blank_mask))
    table: dict[int, Column] = {}
    for position, match in enumerate(used):
        index = match.column.index
        cells = body.get_column(str(index)) if index < body.width else None
        table[position] = _column(cells, len(lines), labels.get(match.key or ""), check)
    del body
    detection.records = len(lines)
    detection.blank = blanks
    if blanks:
        warnings.append(blank_rows(name, blanks))
    header_lines = detection.header_lines
    return CellTable(name, [m.key or "" for m in used], table, len(lines), lambda: lines,
                     display=[m.column.display for m in used], warnings=warnings,
                     header_line=header_lines[0] if header_lines else 1)


def _head(frame: pl.DataFrame) -> tuple[Grid, list[int]]:
    """The first records as the exact reader's grid holds them, and the blank rows among
    them (every cell checked: the layout is detected from all of them)."""
    def rows() -> Iterator[list[str]]:
        for number in range(frame.height):
            cells = ["" if v is None else v for v in frame.row(number)]
            if any(ambiguous(cell) for cell in cells):
                raise Ambiguous
            yield cells

    return head_grid(rows())


def _blank_rows(body: pl.DataFrame) -> npt.NDArray[np.bool_]:
    """Which rows have only blank cells (none, or only white space); found column by column
    on the shrinking set of candidates (most rows stop at their first cell)."""
    candidates = np.arange(body.height)
    for name in body.columns:
        if not len(candidates):
            break
        cells = body.get_column(name).gather(candidates)
        blank = (cells.is_null() | cells.str.contains(BLANK)).to_numpy()
        candidates = candidates[blank]
    mask = np.zeros(body.height, dtype=np.bool_)
    mask[candidates] = True
    return mask


def _column(cells: pl.Series | None, rows: int, converter: ScaleLabels | None, check: bool
            ) -> Column:
    """A column as :meth:`Column.from_cells` encodes the exact reader's cells: labels in
    order of first appearance, an empty cell the code ``len(labels)``."""
    import polars as pl

    if cells is None:
        return Column(np.full(rows, 0, dtype=np.uint32), [])
    distinct = cells.unique(maintain_order=True).drop_nulls()
    if distinct.str.contains(f"^(?:{AMBIGUOUS})$").any():
        raise Ambiguous
    if converter is None:  # each text is its own label: polars codes them
        labels = distinct.filter(distinct != "").to_list()
        if (distinct == "").any():
            cells = cells.replace("", None)
        physical = cells.cast(pl.Enum(labels)).to_physical().fill_null(len(labels))
        return Column(physical.to_numpy().astype(np.uint32, copy=False), labels)
    index: dict[str, int] = {}
    value_of: dict[str, str] = {}
    for key in distinct.to_list():
        value, issue = converter.read(key, check=check)
        if issue is not None:
            raise Handback  # an unknown answer: the exact reader words it
        value_of[key] = value
        if value:
            index.setdefault(value, len(index))
    empty = len(index)
    if not value_of:
        return Column(np.full(rows, empty, dtype=np.uint32), [])
    old = list(value_of)
    new = [index[value] if value else empty for value in value_of.values()]
    codes = cells.replace_strict(old, new, return_dtype=pl.UInt32).fill_null(empty)
    return Column(codes.to_numpy().astype(np.uint32, copy=False), list(index))
