"""Bounds every responses reader applies before it parses: field and record sizes, NUL,
line endings, and how many warnings are listed.

A parser's memory grows with its longest field (a 1 GiB cell took 4.4 GB), so the longest
field and record are measured first, in one pass over the bytes in blocks (quote-aware:
separators inside quotes do not count), and a file over :data:`MAX_FIELD_BYTES` or
:data:`MAX_RECORD_BYTES` is refused at the line where it happens.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from leadlens.errors import MAX_PROBLEMS, Code, Problem

MAX_FIELD_BYTES = 128 * 1024
"""The longest cell a responses file may hold (128 KiB, Python's csv limit: a long comment
is a few KB)."""
MAX_RECORD_BYTES = 16 * 1024 * 1024
"""The longest record (a row, with all its cells) a responses file may hold."""
MAX_WARNINGS = MAX_PROBLEMS
"""Warnings listed per kind; the rest are counted in one more line."""

# Tables that are not text (DataFrames, Parquet files): the same cell bound, and bounds on
# their shape, checked before a cell is converted (for Parquet, before a page is unpacked).
MAX_COLUMNS = 100_000
"""The most columns a DataFrame or Parquet file may have."""
MAX_ROWS = 50_000_000
"""The most rows a DataFrame or Parquet file may have (a 1 GiB CSV holds no more)."""
MAX_CELLS = 256 * 1024 * 1024
"""The most cells (rows x columns) a DataFrame or Parquet file may have: each becomes a
4-byte code, so at most 1 GiB of codes."""
MAX_UNPACKED_BYTES = 1024 * 1024 * 1024
"""The most bytes a Parquet file's pages may unpack to, as their headers declare (the size
of the largest CSV file read)."""

MAX_RUN_COLUMNS = MAX_COLUMNS
"""The most columns one run reads over all its responses files (``score`` of several files,
``compare`` or ``trend`` of waves given as responses): what one file may hold, in all. Each
column is matched to the question set and each unknown one warned about, so ten files of
100,000 columns would be ten times the work one file may cause."""
MAX_RUN_CELLS = 4 * MAX_CELLS
"""The most cells one run reads over all its responses files: 1 Gi, four files' worth. A
file's cells leave memory as they are converted, and its answers stay, a byte each, until
the run is scored: ten waves of a million respondents by 35 columns (350 Mi cells) score in
about 1.6 GiB, and ten years of a national staff survey (680,000 respondents by 100 columns)
fit (benchmarks/README.md, ``ten-waves``); at the bound a run holds about 5 GiB."""


@dataclass
class RunBudget:
    """The columns and cells one run has read so far, against :data:`MAX_RUN_COLUMNS` and
    :data:`MAX_RUN_CELLS`."""

    columns: int = 0
    cells: int = 0
    files: int = 0

    def take(self, source: str, columns: int, rows: int) -> Problem | None:
        """Count one more file (``source``, its shape); the problem when the run's total
        passes a bound with it (the file is then not counted)."""
        total_columns, total_cells = self.columns + columns, self.cells + columns * rows
        over = (f"{total_columns:,} columns" if total_columns > MAX_RUN_COLUMNS else
                f"{total_cells:,} cells" if total_cells > MAX_RUN_CELLS else None)
        if over is None:
            self.columns, self.cells, self.files = total_columns, total_cells, self.files + 1
            return None
        bound = (f"{MAX_RUN_COLUMNS:,} columns" if total_columns > MAX_RUN_COLUMNS else
                 f"{MAX_RUN_CELLS:,} cells")
        held = (f"it holds {over}" if not self.files else
                f"with this file, its {self.files + 1} responses files hold {over} in all")
        return Problem(file=source, message=f"too large for one run: {held}; one run reads "
                       f"at most {bound}",
                       hint="Give only the columns of the survey, or read fewer files at once",
                       code=Code.RESPONSES_RUN_TOO_LARGE)


_BLOCK = 16 * 1024 * 1024
_QUOTE, _NEWLINE = ord('"'), ord("\n")


def line_endings(data: bytes) -> bytes:
    """One reading of line endings for every reader: a file without any LF uses CR (classic
    Mac, some exports) as its line ending, so each CR is read as a line break."""
    if b"\r" in data and b"\n" not in data:
        return data.replace(b"\r", b"\n")
    return data


def text_line_endings(text: str) -> str:
    """:func:`line_endings` for decoded text (exports in UTF-16 or cp1252)."""
    if "\r" in text and "\n" not in text:
        return text.replace("\r", "\n")
    return text


def nul_problem(data: bytes | str, source: str) -> Problem | None:
    """The one rule for NUL, anywhere in the file: it is not a text (CSV) file."""
    if isinstance(data, bytes):
        nul = data.find(b"\x00")
        line = data.count(b"\n", 0, nul) + 1 if nul >= 0 else 0
    else:
        nul = data.find("\x00")
        line = data.count("\n", 0, nul) + 1 if nul >= 0 else 0
    if nul < 0:
        return None
    return Problem(file=source, line=line,
                   message="not a text (CSV) file: it contains NUL bytes",
                   hint="Give a responses CSV (UTF-8) or a survey platform's CSV or .xlsx "
                        "export", code=Code.FILE_NOT_TEXT)


def size_problem(data: bytes, source: str, delimiter: str = ",") -> Problem | None:
    """A field or record longer than its bound, located at its line; None when all fit."""
    view = memoryview(data)
    return _measured(source, (view[at:at + _BLOCK] for at in range(0, len(data), _BLOCK)),
                     ord(delimiter))


def file_problem(path: Path, source: str) -> Problem | None:
    """:func:`nul_problem`, then :func:`size_problem`, for a comma-separated file with line
    feeds, read in :data:`_BLOCK` blocks: nothing file-sized is held (a 200 MB cell is
    located in a few blocks' memory)."""
    with path.open("rb") as handle:
        return _measured(source, iter(lambda: handle.read(_BLOCK), b""), ord(","), nul=True)


def _measured(source: str, blocks: Iterable[bytes | memoryview], delimiter: int, *,
              nul: bool = False) -> Problem | None:
    found = _Longest()
    for block in blocks:
        if nul and isinstance(block, bytes) and (at := block.find(b"\x00")) >= 0:
            line = found.newlines + block.count(b"\n", 0, at) + 1
            return Problem(file=source, line=line,
                           message="not a text (CSV) file: it contains NUL bytes",
                           hint="Give a responses CSV (UTF-8) or a survey platform's CSV or "
                                ".xlsx export", code=Code.FILE_NOT_TEXT)
        found.feed(np.frombuffer(block, dtype=np.uint8), delimiter)
    found.end()
    if found.field > MAX_FIELD_BYTES:
        line, what, limit, size = found.field_line, "a cell", MAX_FIELD_BYTES, found.field
    elif found.record > MAX_RECORD_BYTES:
        line, what, limit, size = found.record_line, "a row", MAX_RECORD_BYTES, found.record
    else:
        return None
    return Problem(file=source, line=line,
                   message=f"{what} of {size:,} bytes; a responses file's "
                           f"{'cells' if what == 'a cell' else 'rows'} may be at most "
                           f"{limit // 1024:,} KiB",
                   hint="Shorten it; or close a quote left open, which makes the rest "
                        "of the file one cell", code=Code.CSV_CELL_TOO_LARGE)


@dataclass
class _Longest:
    """The longest field and record (quote-aware: separators inside quotes do not count) and
    the lines they start on, measured block by block."""

    offset: int = 0
    quotes: int = 0
    """Quotes before this block (an odd number: inside quoted text)."""
    newlines: int = 0
    """Line feeds before this block (inside quotes too: lines are physical)."""
    field_start: int = 0
    field_start_line: int = 1
    record_start: int = 0
    record_start_line: int = 1
    field: int = 0
    field_line: int = 1
    record: int = 0
    record_line: int = 1

    def feed(self, view: npt.NDArray[np.uint8], delimiter: int) -> None:
        quotes = np.flatnonzero(view == _QUOTE)
        feeds = np.flatnonzero(view == _NEWLINE)
        separators = np.flatnonzero((view == delimiter) | (view == _NEWLINE))
        if quotes.size:
            separators = separators[(np.searchsorted(quotes, separators) + self.quotes) % 2 == 0]
            records = feeds[(np.searchsorted(quotes, feeds) + self.quotes) % 2 == 0]
        elif self.quotes % 2:
            separators = records = separators[:0]
        else:
            records = feeds
        self.field_start, self.field_start_line = self._longest(
            "field", separators, feeds, self.field_start, self.field_start_line)
        self.record_start, self.record_start_line = self._longest(
            "record", records, feeds, self.record_start, self.record_start_line)
        self.quotes += int(quotes.size)
        self.newlines += int(feeds.size)
        self.offset += int(view.size)

    def _longest(self, what: str, ends: npt.NDArray[np.intp], feeds: npt.NDArray[np.intp],
                 start: int, start_line: int) -> tuple[int, int]:
        """Spans ending at ``ends`` (this block's separators), the first from ``start``; the
        start (and its line) of the span still open after the block."""
        if not ends.size:
            return start, start_line
        stops = ends + self.offset
        starts = np.empty(stops.size, dtype=np.int64)
        starts[0] = start
        starts[1:] = stops[:-1] + 1
        spans = stops - starts
        at = int(np.argmax(spans))
        if int(spans[at]) > getattr(self, what):
            line = start_line if at == 0 else (
                self.newlines + int(np.searchsorted(feeds, ends[at - 1], side="right")) + 1)
            setattr(self, what, int(spans[at]))
            setattr(self, f"{what}_line", line)
        last = int(ends[-1])
        return int(stops[-1]) + 1, self.newlines + int(
            np.searchsorted(feeds, last, side="right")) + 1

    def end(self) -> None:
        """The last field and record, without a separator after them."""
        for what, start, line in (("field", self.field_start, self.field_start_line),
                                  ("record", self.record_start, self.record_start_line)):
            if self.offset - start > getattr(self, what):
                setattr(self, what, self.offset - start)
                setattr(self, f"{what}_line", line)


def capped_warnings(warnings: list[Problem]) -> list[Problem]:
    """The first :data:`MAX_WARNINGS` warnings, then one line counting the rest."""
    if len(warnings) <= MAX_WARNINGS:
        return warnings
    rest = len(warnings) - MAX_WARNINGS
    last = warnings[MAX_WARNINGS]
    return [*warnings[:MAX_WARNINGS],
            Problem(file=last.file, severity="warning",
                    message=f"... and {rest:,} more warning{'s' if rest != 1 else ''} "
                            "not shown", code=Code.RESPONSES_MORE_WARNINGS)]
