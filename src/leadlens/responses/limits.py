"""Bounds every responses reader applies before it parses: field and record sizes, NUL,
line endings, and how many warnings are listed.

A parser's memory grows with its longest field (a 1 GiB cell took 4.4 GB), so the longest
field and record are measured first, in one pass over the bytes in blocks (quote-aware:
separators inside quotes do not count), and a file over :data:`MAX_FIELD_BYTES` or
:data:`MAX_RECORD_BYTES` is refused at the line where it happens.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

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
MAX_RUN_CELLS = MAX_CELLS
"""The most cells one run reads over all its responses files (every file's cells are held
until the run is scored)."""


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
    field, field_at, record, record_at = _longest(data, ord(delimiter))
    if field > MAX_FIELD_BYTES:
        at, what, limit, size = field_at, "a cell", MAX_FIELD_BYTES, field
    elif record > MAX_RECORD_BYTES:
        at, what, limit, size = record_at, "a row", MAX_RECORD_BYTES, record
    else:
        return None
    return Problem(file=source, line=data.count(b"\n", 0, at) + 1,
                   message=f"{what} of {size:,} bytes; a responses file's "
                           f"{'cells' if what == 'a cell' else 'rows'} may be at most "
                           f"{limit // 1024:,} KiB",
                   hint="Shorten it; or close a quote left open, which makes the rest "
                        "of the file one cell", code=Code.CSV_CELL_TOO_LARGE)


def _positions(view: np.ndarray, byte: int) -> np.ndarray:
    """Offsets of ``byte`` in ``view``, found block by block (bounded temporary memory)."""
    found = [np.flatnonzero(view[at:at + _BLOCK] == byte) + at
             for at in range(0, len(view), _BLOCK)]
    return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)


def _outside(ends: np.ndarray, quotes: np.ndarray) -> np.ndarray:
    """The separators not inside quotes: an even number of quotes comes before them."""
    if not len(quotes):
        return ends
    kept: np.ndarray = ends[np.searchsorted(quotes, ends) % 2 == 0]
    return kept


def _gaps(ends: np.ndarray, first: int, last: int) -> tuple[int, int]:
    """(longest span between separators in [first, last), where it starts)."""
    starts = np.concatenate(([first], ends + 1))
    stops = np.concatenate((ends, [last]))
    spans = stops - starts
    at = int(np.argmax(spans))
    return int(spans[at]), int(starts[at])


def _longest(data: bytes, delimiter: int) -> tuple[int, int, int, int]:
    """(longest field, its start, longest record, its start), in bytes.

    Records first (newlines outside quotes); a field is never longer than its record, so
    fields are measured only inside the records longer than :data:`MAX_FIELD_BYTES`.
    """
    view = np.frombuffer(data, dtype=np.uint8)
    quotes = _positions(view, _QUOTE)
    records = _outside(_positions(view, _NEWLINE), quotes)
    record, record_at = _gaps(records, 0, len(view))
    if record <= MAX_FIELD_BYTES:
        return record, record_at, record, record_at
    starts = np.concatenate(([0], records + 1))
    stops = np.concatenate((records, [len(view)]))
    field, field_at = 0, 0
    for first, last in zip(starts[stops - starts > MAX_FIELD_BYTES].tolist(),
                           stops[stops - starts > MAX_FIELD_BYTES].tolist(), strict=True):
        part = view[first:last]
        inner = quotes[(quotes >= first) & (quotes < last)] - first
        ends = _outside(np.flatnonzero(part == delimiter), inner)
        span, at = _gaps(ends, 0, len(part))
        if span > field:
            field, field_at = span, first + at
    return field, field_at, record, record_at


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
