"""A workbook's first worksheet as text rows, read by calamine (a Rust reader), quickly.

openpyxl, the exact reader of ``.xlsx`` files
(:func:`leadlens.responses.exports.grid.openpyxl_rows`), takes about 37 s for a
100,000-row export; calamine (python-calamine) reads the same sheet about 12 times faster
and gives each cell's value with its type, which become text by the one rule both readers
share (:func:`leadlens.responses.exports.grid.cell_text`). Rows are worksheet rows from 1,
so a problem's "line" is the same row number either way.

calamine and openpyxl read a few things differently, so a workbook holding any of them is
left to openpyxl, which words it as it always has (:func:`calamine_rows` returns None):

- an error cell (``#DIV/0!``, ``#N/A``: openpyxl gives the error's text, calamine a blank),
  and an ``_xHHHH_`` escape (openpyxl leaves inline strings' escapes as written), both found
  by a scan of the worksheets' XML as it is unpacked; and text starting or ending with white
  space not marked ``xml:space="preserve"`` (calamine trims it, openpyxl keeps it), found by
  the same scan of the worksheets and the shared strings;
- a time of day (calamine's reading of a date before 1900, or of a time that rounds to the
  next day, both dates for openpyxl), and a number of 2,958,466 or more either side of 0
  (past 31 December 9999: openpyxl reads a date-formatted one as ``#VALUE!``; and beyond
  2**53 a whole number openpyxl reads exactly);
- the first sheet not a visible worksheet, or a sheet calamine cannot read.

A date-formatted cell is a date and time for openpyxl, so calamine's plain dates become
midnight. The unpacked size is checked before either reader starts
(:func:`leadlens.responses.exports.grid.read_xlsx_grid`).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import compress

ERROR_CELLS = (b't="e"', b"t='e'")
"""An error cell in a worksheet's XML, either quote (found by plain byte searches: fast)."""
ISO_DATE_CELLS = (b't="d"', b"t='d'")
"""A date written as ISO 8601 text in the XML (strict OOXML), either quote."""
DURATION = re.compile(rb'formatCode="[^"]*\[(?:h|m|s)+\]|numFmtId="46"', re.IGNORECASE)
"""A duration number format in the styles: ``[h]:mm:ss`` written out, or built-in format 46."""
ESCAPE = re.compile(rb"_x[0-9A-Fa-f]{4}_")
"""An ``_xHHHH_`` escape (a literal prefix, so the search is fast too)."""
EDGE_SPACE = re.compile(rb"<t>(?:[ \t\r\n]|[^<]*[ \t\r\n]</t>)")
"""Text starting or ending with white space, not marked ``xml:space="preserve"``: calamine
trims it (a cell of spaces becomes empty), openpyxl keeps it as written."""
EDGE_PARTS = tuple(b"<t>" + c for c in (b" ", b"\t", b"\r", b"\n")) + tuple(
    c + b"</t>" for c in (b" ", b"\t", b"\r", b"\n"))
"""What every match of :data:`EDGE_SPACE` holds: a block with none of them has none."""
BATCH = 16
"""Blocks searched at once."""
TAIL_BYTES = 40_000
"""Blocks overlap by this much: a cell's text (at most 32,767 characters) and its tags."""

LAST_DATE = 2_958_466
"""Excel's serial of 1 January 10000: no date reaches it."""

MIDNIGHT = dt.time(0, 0)


def calamine_rows(data: bytes, text: Callable[[object], str]) -> list[list[str]] | None:
    """The first worksheet's rows as text (``text`` turns a value into a cell), or None when
    the workbook holds something openpyxl reads otherwise (see the module's docstring)."""
    values = calamine_values(data)
    if values is None:
        return None
    try:
        return [[v if type(v) is str else cell_value_text(v, text) for v in row]
                for row in values]
    except Unlike:
        return None


def calamine_values(data: bytes) -> Sequence[Sequence[object]] | None:
    """The first worksheet's rows of typed values as calamine reads them (not yet text:
    :func:`cell_value_text`), or None when the workbook holds something openpyxl reads
    otherwise, found before reading the values (see the module's docstring)."""
    try:
        from python_calamine import (
            CalamineError,
            CalamineWorkbook,
            SheetTypeEnum,
            SheetVisibleEnum,
        )
    except ImportError:  # an install without it: the exact reader
        return None
    from concurrent.futures import ThreadPoolExecutor

    # The scan runs beside calamine's parse (which releases the GIL): on two cores it is free.
    with ThreadPoolExecutor(max_workers=1) as pool:
        odd = pool.submit(_odd_xml, data)
        try:
            book = CalamineWorkbook.from_filelike(io.BytesIO(data))
            with book:
                sheets = book.sheets_metadata
                if not sheets or sheets[0].typ != SheetTypeEnum.WorkSheet \
                        or sheets[0].visible != SheetVisibleEnum.Visible:
                    return None
                values = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
        except (CalamineError, ValueError, OSError):
            return None
        if odd.result():
            return None
    return values


class Unlike(Exception):
    """A value openpyxl reads otherwise: the workbook goes to openpyxl."""


def cell_value_text(value: object, text: Callable[[object], str]) -> str:
    """A cell's text, as openpyxl's value would give it (strings are taken as they are).

    Raises:
        Unlike: a value openpyxl reads otherwise (the workbook goes to openpyxl).
    """
    if type(value) is float and not -LAST_DATE < value < LAST_DATE:
        raise Unlike
    if type(value) is dt.date:
        return text(dt.datetime.combine(value, MIDNIGHT))
    if type(value) is dt.time:
        raise Unlike
    return text(value)


@dataclass(frozen=True)
class Scan:
    """What a workbook's XML holds that a reader reads otherwise."""

    odd: bool
    """An error cell, an ``_xHHHH_`` escape or text calamine trims: openpyxl must read it."""
    unlike: bool
    """An ISO date cell (``t="d"``) or a duration format (``[h]:mm``), which fastexcel
    writes as text otherwise than the exact reader."""


def _odd_xml(data: bytes) -> bool:
    return scan_xml(data).odd


def scan_xml(data: bytes) -> Scan:
    """Whether any worksheet's XML holds an error cell or an ``_xHHHH_`` escape, or it or
    the shared strings hold text calamine trims, or a small part (the workbook, styles,
    relationships, content types) is not well-formed XML (calamine reads some that openpyxl
    refuses with a located message: ``odd``), and whether a worksheet holds an
    ISO date cell or the styles a duration format (``unlike``); streamed: 1 MiB blocks, 16
    at a time, each with the end of the one before (the longest match). The literal searches
    run in polars (Rust's memchr, a few times faster than ``bytes.find`` here, and without
    the GIL); the white-space pattern only on the blocks holding one of its literal parts."""
    from xml.etree.ElementTree import ParseError, fromstring

    import polars as pl

    from leadlens.responses.exports.workbook_sheets import first_sheet_part, formula_rows

    unlike = False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            first = first_sheet_part(archive)
            for info in archive.infolist():
                sheet = info.filename.startswith("xl/worksheets/") \
                    and info.filename.endswith(".xml")
                if not sheet and info.filename != "xl/sharedStrings.xml":
                    if info.filename.endswith((".xml", ".rels")):  # small parts: whole
                        part = archive.read(info)
                        # Only well-formedness: nothing is read from the tree, and expat
                        # (2.4 and later) bounds entity expansion.
                        fromstring(part)  # noqa: S314
                        if info.filename == "xl/styles.xml":
                            unlike = unlike or bool(DURATION.search(part))
                    continue
                tail = b""
                with archive.open(info) as member:
                    while True:
                        batch: list[bytes] = []
                        while len(batch) < BATCH and (block := member.read(1 << 20)):
                            batch.append(tail + block)
                            tail = batch[-1][-TAIL_BYTES:]
                        if not batch:
                            break
                        blocks = pl.Series(batch, dtype=pl.Binary)
                        if sheet and (any(blocks.bin.contains(m).any() for m in ERROR_CELLS)
                                      or any(ESCAPE.search(b) for b in batch)):
                            return Scan(odd=True, unlike=unlike)
                        if info.filename == first and formula_rows(batch):
                            # A formula with no saved result: the exact reader's path
                            # refuses it, located (every reader would read a blank).
                            return Scan(odd=True, unlike=unlike)
                        edge = pl.select(pl.any_horizontal(
                            pl.lit(blocks).bin.contains(m) for m in EDGE_PARTS)).to_series()
                        if any(EDGE_SPACE.search(b) for b in compress(batch, edge)):
                            return Scan(odd=True, unlike=unlike)
                        if sheet and not unlike:
                            unlike = any(blocks.bin.contains(m).any() for m in ISO_DATE_CELLS)
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError,
            ParseError):
        return Scan(odd=True, unlike=unlike)  # the exact reader says what is wrong
    return Scan(odd=False, unlike=unlike)
