"""Raw records from a file: string cells and the physical line each record starts on.

CSV text is parsed strictly (a quote left open is an error at the line where it opens,
not a silently swallowed rest of file); ``.xlsx`` workbooks are streamed with openpyxl in
read-only mode, and a record's "line" is its worksheet row number.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from leadlens.errors import Code, Problem, ResponsesError
from leadlens.responses.problems import bad_quote

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


def read_xlsx_grid(path: Path, name: str) -> Grid:
    """The first worksheet of a workbook as strings (dates as ISO 8601).

    Raises:
        ResponsesError: the file is not a readable workbook.
    """
    from openpyxl import load_workbook  # type: ignore[import-untyped]
    from openpyxl.utils.exceptions import InvalidFileException  # type: ignore[import-untyped]

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as exc:
        raise ResponsesError([Problem(file=name, message=f"not a readable .xlsx workbook "
                                      f"({exc})", code=Code.XLSX_UNREADABLE)]) from None
    try:
        sheet = book.worksheets[0]
        grid = Grid(records=[])
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [_cell_text(v) for v in values]
            while cells and cells[-1] == "":
                cells.pop()
            if not "".join(cells).strip():
                grid.blank_lines.append(number)
                continue
            grid.records.append((number, cells))
    finally:
        book.close()
    return grid


def _cell_text(value: object) -> str:
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
