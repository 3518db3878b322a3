"""Raw records from a file: string cells and the physical line each record starts on.

CSV text is parsed strictly (a quote left open is an error at the line where it opens,
not a silently swallowed rest of file); ``.xlsx`` workbooks are read by calamine, or
streamed by openpyxl in read-only mode when calamine would read them otherwise
(:mod:`leadlens.responses.exports.workbook`), and a record's "line" is its worksheet row
number.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from leadlens.errors import Code, Problem, ResponsesError
from leadlens.responses.limits import MAX_FIELD_BYTES
from leadlens.responses.problems import bad_quote

MAX_UNPACKED_BYTES = 512 * 1024 * 1024
"""The most a workbook may unpack to (its XML); openpyxl holds shared strings in memory."""

Record = tuple[int, list[str]]
"""(physical line the record starts on, its cells)."""


@dataclass
class Grid:
    """Every non-blank record of a file, in order."""

    records: list[Record]
    blank_lines: list[int] = field(default_factory=list)

    @property
    def blank(self) -> int:
        """Blank records between responses (trailing blank lines are not rows)."""
        last = self.records[-1][0] if self.records else 0
        return sum(1 for line in self.blank_lines if line < last)


def csv_records(text: str, delimiter: str, name: str, *, first_line: int = 1) -> Iterator[Record]:
    """Parse CSV text; yield (start line, cells), skipping blank records.

    Raises:
        ResponsesError: a record cannot be parsed (an unterminated quote, a stray quote).
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    previous = 0
    header: list[str] = []
    while True:
        start = previous + first_line
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ResponsesError([bad_quote(
                text, start, name, header, str(exc), delimiter, first_line)]) from None
        previous = reader.line_num
        if not header:
            header = row
        yield start, row


def read_csv_grid(text: str, delimiter: str, name: str, *, first_line: int = 1) -> Grid:
    grid = Grid(records=[])
    for line, row in csv_records(text, delimiter, name, first_line=first_line):
        if not "".join(row).strip():
            grid.blank_lines.append(line)
            continue
        grid.records.append((line, row))
    return grid


def read_xlsx_grid(data: bytes, name: str, sheet: str | None = None) -> Grid:
    """The first worksheet of a workbook (its bytes), or the sheet named ``sheet``, as
    strings (dates as ISO 8601).

    Read by calamine (:mod:`leadlens.responses.exports.workbook`), or by openpyxl when the
    workbook holds something the two read differently (and for a sheet other than the
    first); the same rows either way.

    Raises:
        ResponsesError: the file is not a readable workbook.
    """
    from leadlens.responses.exports.workbook import calamine_rows
    from leadlens.responses.exports.workbook_sheets import check_formulas

    check_unpacked(data, name, chosen=sheet is not None)
    rows = calamine_rows(data, cell_text) if sheet is None else None
    if rows is None:  # the exact reader's path: formula cells would be read as blanks
        check_formulas(data, name, sheet)
    grid = Grid(records=[])
    for number, cells in enumerate(rows if rows is not None else openpyxl_rows(data, name,
                                                                               sheet),
                                   start=1):
        longest = max(map(len, cells), default=0)
        if longest > MAX_FIELD_BYTES:
            raise ResponsesError([Problem(
                file=name, line=number, message=f"a cell of {longest:,} characters; a "
                f"responses file's cells may be at most {MAX_FIELD_BYTES // 1024:,} KiB",
                code=Code.CSV_CELL_TOO_LARGE)])
        while cells and cells[-1] == "":
            cells.pop()
        if not "".join(cells).strip():
            grid.blank_lines.append(number)
            continue
        grid.records.append((number, cells))
    return grid


def unreadable_workbook(name: str, exc: Exception) -> ResponsesError:
    """A workbook the zip or workbook reader refused, in our words (their own text, such as
    "There is no item named '[Content_Types].xml' in the archive", says nothing to a user)."""
    if isinstance(exc, zipfile.BadZipFile):
        what = "it is not a zip archive, as every .xlsx file is: damaged, cut short, or not " \
               "a workbook"
    elif isinstance(exc, KeyError):
        what = "it is a zip archive but not an Excel workbook (a part every workbook has is " \
               "missing)"
    else:
        what = "its contents are damaged"
    return ResponsesError([Problem(
        file=name, message=f"not a readable .xlsx workbook: {what}",
        hint="Open it in Excel and save it again as .xlsx, or export the sheet as CSV UTF-8",
        code=Code.XLSX_UNREADABLE)])


def check_unpacked(data: bytes, name: str, *, chosen: bool = False) -> None:
    """Refuse a workbook that is no zip archive, or unpacks to more than
    :data:`MAX_UNPACKED_BYTES` (a zip bomb: tiny on disk, gigabytes of XML inside), or whose
    first sheet is not the one its owner sees or spans too many cells
    (:mod:`leadlens.responses.exports.workbook_span`).

    Raises:
        ResponsesError: any of them.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise unreadable_workbook(name, exc) from None
    if unpacked > MAX_UNPACKED_BYTES:  # a zip bomb: tiny on disk, gigabytes of XML inside
        raise ResponsesError([Problem(
            file=name, message=f"the workbook unpacks to {unpacked:,} bytes; at most "
                               f"{MAX_UNPACKED_BYTES // 1024 // 1024:,} MiB is read",
            hint="Export the sheet as CSV UTF-8 instead", code=Code.XLSX_TOO_LARGE)])
    from leadlens.responses.exports.workbook_sheets import check_sheet_choice
    from leadlens.responses.exports.workbook_span import check_sheet_span

    if not chosen:  # a sheet named by --sheet (or found to hold the questions) is clear
        check_sheet_choice(data, name)  # which sheet is read must be the one its owner sees
    check_sheet_span(data, name)  # a stray far cell would make every reader lay out millions


def openpyxl_rows(data: bytes, name: str, sheet: str | None = None) -> Iterator[list[str]]:
    """The first worksheet's rows (or the sheet named ``sheet``'s) as text, streamed by
    openpyxl in read-only mode (the exact reader of workbooks).

    Raises:
        ResponsesError: the file is not a readable workbook.
    """
    from xml.etree.ElementTree import ParseError

    from openpyxl import load_workbook  # type: ignore[import-untyped]
    from openpyxl.utils.exceptions import InvalidFileException  # type: ignore[import-untyped]

    # A damaged part (styles, the workbook, a sheet) fails as an XML syntax error, at the
    # start or while the rows stream.
    unreadable = (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError,
                  ParseError)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except unreadable as exc:
        raise unreadable_workbook(name, exc) from None
    try:
        for values in (book[sheet] if sheet is not None else book.worksheets[0]).iter_rows(
                values_only=True):
            yield [cell_text(v) for v in values]
    except unreadable as exc:
        raise unreadable_workbook(name, exc) from None
    finally:
        book.close()


def cell_text(value: object) -> str:
    """A workbook cell's value as the text a CSV export would hold (one rule, both readers)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)
