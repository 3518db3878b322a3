"""Reading a CSV file into a table of text cells, with its structure checked.

Step 1 of reading responses (see :mod:`leadlens.responses.reading`): header names, each column's
cells (dictionary-encoded) and the physical line each row starts on. It knows CSV, not
question sets; other readers (platform exports) build the same :class:`CellTable`.

Small files are read with Python's ``csv`` module. Large ones are parsed by polars (cells as
text); their structure is then checked cheaply, and the exact ``csv`` scan runs only when
something is wrong or line numbers are needed for an error message.
"""

from __future__ import annotations

import csv
import io
import re
import stat
import sys
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt

from leadlens.errors import MAX_PROBLEMS, Code, Problem, ResponsesError
from leadlens.files import STDIN, InputError, read_head, read_input
from leadlens.responses import numeric
from leadlens.responses.limits import (
    MAX_FIELD_BYTES,
    file_problem,
    line_endings,
    nul_problem,
    size_problem,
)
from leadlens.responses.numeric import NumericColumn
from leadlens.responses.problems import bad_quote, duplicate_header, no_header, ragged_row
from leadlens.responses.records import RecordScan, record_lines, scan_records
from leadlens.responses.table import FieldValues

if TYPE_CHECKING:
    import polars as pl

"""Errors listed before the rest are only counted."""

FAST_READ_BYTES = 1_000_000
"""Files at least this big are parsed with polars; smaller ones need no polars import."""
HEAD_BYTES = 1_000_000
"""How much of a large file is read for its header."""

ColumnHint = tuple[str, ...] | Literal["category", "text", "id", "skip"]
"""How to hold a column while reading (a speed hint; cells are text either way): the exact
cells expected (an enum, falling back to ``category`` if others occur), ``category`` for few
distinct values, ``text`` for free text, ``id`` for identifiers (mostly distinct; its labels
are distinct, so repeats show as repeated codes), ``skip`` for a column nobody reads."""

LineNumbers = Sequence[int] | npt.NDArray[np.int32]
"""The line each row of a table starts on: a list, or 4 bytes a row for large files."""

_BOM = b"\xef\xbb\xbf"
_NOT_SPACE = re.compile(rb"\S")


@dataclass
class Column:
    """One column's cells, dictionary-encoded: row i holds ``labels[codes[i]]``.

    The code ``len(labels)`` is an empty cell (so a lookup table with one more entry than
    there are labels maps every code), as is a label "". Codes are any unsigned integer type.
    Labels are distinct, except in identifier columns read by polars (``id`` hint), where
    each cell is its own label.
    """

    codes: npt.NDArray[np.unsignedinteger[Any]]
    labels: list[str]

    @classmethod
    def from_cells(cls, cells: Iterable[str | None]) -> Column:
        index: dict[str, int] = {}
        codes = np.asarray([-1 if not cell else index.setdefault(cell, len(index))
                            for cell in cells], dtype=np.int64)
        codes[codes < 0] = len(index)
        return cls(codes.astype(np.uint32), list(index))

    def cells(self) -> list[str | None]:
        """One cell per row, None where empty."""
        labels = [label or None for label in self.labels] + [None]
        return [labels[c] for c in self.codes.tolist()]

    def field_values(self) -> FieldValues:
        """As a respondent field: codes with -1 for empty cells."""
        empty = np.array([not label for label in self.labels] + [True])
        codes = self.codes.astype(np.int32)
        codes[empty[self.codes]] = -1
        return FieldValues(codes, self.labels)


@dataclass
class CellTable:
    """One source's table of text cells, before it is matched to a question set."""

    source: str
    header: list[str]
    columns: dict[int, Column]
    """Cells by header position; columns read with the ``skip`` hint are absent."""
    rows: int
    line_numbers: Callable[[], LineNumbers]
    """The physical line each row starts on (computed only when needed)."""
    display: list[str] | None = None
    """How to name each column in messages (e.g. an export's own headers); default: header."""
    warnings: list[Problem] = field(default_factory=list)
    """Problems found while reading the cells that did not stop it."""
    header_line: int | None = 1
    """The line the header is on (for messages about columns); None for a DataFrame or a
    Parquet file, whose column names are on no line."""
    rescan_lines: bool = False
    """Whether :attr:`line_numbers` reads the file again (a CSV parsed by polars from its
    path): then it is called only when a line is needed, never to hold every line."""

    def shown(self, position: int) -> str:
        """The name of the column at ``position`` for messages."""
        names = self.display or self.header
        return (names[position] if position < len(names) else self.header[position]).strip()


# --- step 1: CSV file -> CellTable ------------------------------------------------------------

def read_csv_cells(path: Path, *, name: str | None = None,
                   hint: Callable[[str], ColumnHint] | None = None) -> CellTable:
    """Read a CSV file's header and cells, checking its structure.

    Args:
        path: the file (UTF-8, optional byte-order mark, any line endings).
        name: how to name the file in messages (default: ``str(path)``).
        hint: column type hint by (trimmed) header name (default: all ``text``).

    Raises:
        ResponsesError: unreadable file, broken quoting, rows with too many or too few
            fields, duplicate headers, no header.
    """
    source = name or str(path)
    if str(path) != STDIN:
        large = _read_large(path, source, hint)
        if large is not None:
            return large
    data = _read_bytes(path, source)
    header, body_start = _header(data, source)
    _check_header(header, source)
    hints = [hint(h.strip()) if hint else "text" for h in header]
    if not _NOT_SPACE.search(data, body_start):
        return CellTable(source, header, {i: Column(np.zeros(0, np.uint32), [])
                                          for i, h in enumerate(hints) if h != "skip"},
                         0, lambda: [])
    if len(data) < FAST_READ_BYTES:
        return _read_with_csv_module(data, header, hints, source)
    if str(path) == STDIN or b"\n" not in read_head(path, FAST_READ_BYTES):
        # Standard input, or CR line ends read as LF: polars takes the bytes in memory.
        return _read_with_polars(data, header, hints, source)
    del data  # polars reads the file itself; the text is never held for line numbers
    return _read_with_polars(path, header, hints, source)


def _read_large(path: Path, source: str, hint: Callable[[str], ColumnHint] | None
                ) -> CellTable | None:
    """A large file with line feeds, read by polars from its path and checked in one pass
    over its bytes in blocks (:mod:`leadlens.responses.records`): its text is never held.
    None for a small file, a file without line feeds or a header over :data:`HEAD_BYTES`
    (the caller reads those from their bytes)."""
    try:
        info = path.stat()
    except OSError:
        return None  # the exact reader says why
    if not stat.S_ISREG(info.st_mode) or info.st_size < max(FAST_READ_BYTES, 1):
        return None
    head = read_head(path, HEAD_BYTES, name=source, error=ResponsesError)
    if b"\n" not in head:
        return None
    header, body_start = _header(head, source)
    if body_start >= len(head) and len(head) == HEAD_BYTES:
        return None
    _check_header(header, source)
    hints = [hint(h.strip()) if hint else "text" for h in header]
    plan = numeric.numeric_columns(hints)
    if plan is not None and (info.st_size > numeric.MAX_BYTES
                             or not numeric.head_is_numeric(head, body_start, plan[0])):
        plan = None  # too large to hold, or labels ("Agree") in the first rows
    with ThreadPoolExecutor(max_workers=1) as pool:
        # The pass and the polars import are both slow; reads and numpy release the GIL.
        scanning = pool.submit(_scan_and_stand_in, path, body_start, plan)
        import polars  # noqa: F401
        found, numbers = scanning.result()
    if found.nul or found.longest > MAX_FIELD_BYTES:
        # Says where, in a second pass in blocks (a long record may still have short cells).
        problem = file_problem(path, source)
        if problem is not None:
            raise ResponsesError([problem])
    if not found.content:
        return CellTable(source, header, {i: Column(np.zeros(0, np.uint32), [])
                                          for i, h in enumerate(hints) if h != "skip"},
                         0, lambda: [])
    return _read_with_polars(path, header, hints, source, found, body_start, numbers)


@dataclass
class _Numbers:
    """The rated columns to parse as integers (:mod:`leadlens.responses.numeric`): the file's
    text with the unscored label replaced by the stand-in, and how many times it was."""

    columns: dict[int, NumericColumn]
    text: bytes | Path
    token: str | None
    replaced: int


def _scan_and_stand_in(path: Path, body_start: int,
                       plan: tuple[dict[int, NumericColumn], str | None] | None
                       ) -> tuple[RecordScan, _Numbers | None]:
    """The block pass over the file (:func:`scan_records`) and, for the integer parse, its
    text with the stand-in (read once for both)."""
    if plan is None:
        return scan_records(path, body_start), None
    columns, token = plan
    if token is None:  # nothing to replace: polars parses the file from its path
        return scan_records(path, body_start), _Numbers(columns, path, None, 0)
    with path.open("rb") as handle:
        data = handle.read(numeric.MAX_BYTES + 1)
    if len(data) > numeric.MAX_BYTES:
        return scan_records(path, body_start), None
    found = scan_records(data, body_start)
    text, replaced = numeric.stand_in(data, token)
    del data
    return found, _Numbers(columns, text, token, replaced)


TEXT_CHECK_BYTES = 16 * 1024
"""How much of a file :func:`check_text_file` looks at."""

_WIDE_TEXT_MARKS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff",  # UTF-16/32 byte-order marks
                    b"PK\x03\x04")  # an .xlsx workbook (a zip file): the import reader's
_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\r") + b"\x7f"


def check_text_file(path: Path, *, name: str | None = None, encoding: str | None = None
                    ) -> None:
    """Refuse a file that is plainly not text (a binary file, an image, an old .xls).

    Looks at the first :data:`TEXT_CHECK_BYTES`: NUL bytes, or mostly control bytes, mean
    it is not a CSV file, which says more than an encoding error would. UTF-16/32 text (with
    a byte-order mark, or named with ``encoding``) and .xlsx workbooks pass; so does a file
    that cannot be opened (the reader reports that).

    Raises:
        ResponsesError: the file is not text.
    """
    import codecs

    if encoding is not None:
        try:
            if codecs.lookup(encoding).name.startswith(("utf-16", "utf-32")):
                return
        except LookupError:
            return  # the reader reports the unknown encoding
    try:
        head = read_head(path, TEXT_CHECK_BYTES)
    except InputError:
        return
    if head.startswith(_WIDE_TEXT_MARKS):
        return
    nul = head.find(b"\x00")
    if nul >= 0:
        why, at = "it contains NUL bytes", nul
    elif len(head) >= 64 and sum(head.count(b) for b in _CONTROL_BYTES) > len(head) // 10:
        why, at = "it is mostly control characters", 0
    else:
        return
    raise ResponsesError([Problem(
        file=name or str(path), line=head.count(b"\n", 0, at) + 1,
        message=f"not a text (CSV) file: {why}",
        hint="Give a responses CSV (UTF-8) or a survey platform's CSV or .xlsx export",
        code=Code.FILE_NOT_TEXT)])


def _read_bytes(path: Path, source: str) -> bytes:
    """The file's bytes, checked (:func:`_checked`); a large file is read and checked while
    polars is imported (all three are slow; reads and numpy release the GIL)."""
    head = read_head(path, FAST_READ_BYTES, name=source, error=ResponsesError)
    if len(head) < FAST_READ_BYTES or "polars" in sys.modules:
        return _checked(path, source)
    with ThreadPoolExecutor(max_workers=1) as pool:
        reading = pool.submit(_checked, path, source)
        import polars  # noqa: F401
        return reading.result()


def _checked(path: Path, source: str) -> bytes:
    """The bytes with CR-only line endings read as LF, after the readers' bounds: no NUL
    anywhere, no cell or row past its size (:mod:`leadlens.responses.limits`)."""
    data = line_endings(read_input(path, "responses file", name=source, error=ResponsesError))
    problem = nul_problem(data, source) or size_problem(data, source)
    if problem is not None:
        raise ResponsesError([problem])
    return data


def _header(data: bytes, source: str) -> tuple[list[str], int]:
    """The header record (after any byte-order mark) and where the next record starts."""
    start = len(_BOM) if data.startswith(_BOM) else 0
    end = -1
    while True:
        end = data.find(b"\n", end + 1)
        chunk = data[start:] if end < 0 else data[start:end + 1]
        if chunk.count(b'"') % 2 == 0 or end < 0:
            break
    try:
        text = chunk.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ResponsesError([Problem(
            file=source, line=1, message=f"not UTF-8 text (byte 0x{chunk[exc.start]:02x})",
            hint="Save the file as CSV UTF-8", code=Code.FILE_NOT_UTF8)]) from None
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise ResponsesError([no_header(source)])
    return rows[0], start + len(chunk)


def _check_header(header: list[str], source: str) -> None:
    seen: dict[str, int] = {}
    problems: list[Problem] = []
    for position, raw in enumerate(header, start=1):
        name = raw.strip()
        if not name:
            continue
        if name in seen:
            problems.append(duplicate_header(source, 1, name, seen[name], position))
        else:
            seen[name] = position
    if problems:
        raise ResponsesError(problems)


@dataclass
class _Scan:
    lines: list[int]
    problems: list[Problem] = field(default_factory=list)
    columns: dict[int, Column] = field(default_factory=dict)


def _scan(data: bytes, header: list[str], source: str, keep: list[bool] | None = None
          ) -> _Scan:
    """The exact pass with Python's csv module: each row's start line and every problem.

    With ``keep``, also collects the cells of the kept columns.
    """
    width = len(header)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return _Scan([], [Problem(file=source, line=line,
                                  message=f"not UTF-8 text (byte 0x{data[exc.start]:02x})",
                                  hint="Save the file as CSV UTF-8", code=Code.FILE_NOT_UTF8)])
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    physical = physical_lines(data)
    lines: list[int] = []
    problems: list[Problem] = []
    wanted = [i for i, k in enumerate(keep or []) if k]
    cells: dict[int, list[str | None]] = {i: [] for i in wanted}
    first = True
    while True:
        start = reader.line_num + 1 if physical is None else int(physical[reader.line_num])
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(bad_quote(text, start, source, header, str(exc)))
            break
        if first:
            first = False
            continue
        lines.append(start)
        if row and len(row) != width and any(cell.strip() for cell in row):
            problems.append(ragged_row(source, start, len(row), width))
        for i in wanted:
            cells[i].append(row[i] if i < len(row) and row[i] else None)
    return _Scan(lines, problems, {i: Column.from_cells(c) for i, c in cells.items()})


def physical_lines(data: bytes) -> npt.NDArray[np.int64] | None:
    """The physical line each of the csv module's lines starts on, where they differ.

    Python's csv module (reading text split with ``newline=""``) starts a new line at a
    bare CR as well as at LF and CRLF; a text editor, ``wc -l`` and every other count in
    leadlens start one at LF only (CRLF is one line break; a file with no LF at all had its
    CRs read as LF already, :func:`line_endings`). ``table[k]`` is the physical line of the
    csv module's line ``k + 1``; None when the file has no bare CR and the two agree.
    """
    if b"\r" not in data:
        return None
    view = np.frombuffer(data, dtype=np.uint8)
    returns = np.flatnonzero(view == ord("\r"))
    following = np.append(view, np.uint8(0))[returns + 1]
    bare = returns[following != ord("\n")]
    if not bare.size:
        return None
    feeds = np.flatnonzero(view == ord("\n"))
    breaks = np.concatenate((feeds, bare))
    is_feed = np.concatenate((np.ones(feeds.size, np.int64), np.zeros(bare.size, np.int64)))
    feeds_before = np.cumsum(is_feed[np.argsort(breaks, kind="stable")])
    # one entry per line start, and one past a last line with no line break after it
    return np.concatenate(([1], feeds_before + 1, feeds_before[-1:] + 1)).astype(np.int64)


def capped(problems: list[Problem]) -> ResponsesError:
    return ResponsesError(problems[:MAX_PROBLEMS], omitted=max(0, len(problems) - MAX_PROBLEMS))


def _read_with_polars(file: Path | bytes, header: list[str], hints: list[ColumnHint],
                      source: str, found: RecordScan | None = None, body_start: int = 0,
                      numbers: _Numbers | None = None) -> CellTable:
    """Parse with polars: from the file's path (its text is not held), or from bytes.

    ``found`` is the block pass over a file's bytes (:func:`scan_records`), made by the
    caller; without it (bytes in memory) it runs beside the parse. With ``numbers``, the
    rated columns are first parsed as integers (:mod:`leadlens.responses.numeric`).
    """
    scanned: list[_Scan] = []
    lines: list[LineNumbers] = []

    def text() -> bytes:
        return file if isinstance(file, bytes) else _read_bytes(file, source)

    def scan() -> _Scan:
        """The exact pass, over the file read again: only for errors."""
        if not scanned:
            scanned.append(_scan(text(), header, source))
        return scanned[0]

    def line_numbers() -> LineNumbers:
        """Recomputed from the bytes in blocks when a message needs them (4 bytes a row)."""
        if not lines:
            lines.append(record_lines(file, body_start))
        return lines[0]

    if found is None:
        body_start = _header(file if isinstance(file, bytes) else text(), source)[1]
        with ThreadPoolExecutor(max_workers=1) as pool:
            checks = pool.submit(scan_records, file, body_start)
            frame = _parse(file, hints)
            found = checks.result()
    else:
        frame = _parse(file, hints, numbers)
        if frame is not None and numbers is not None and not _numbers_agree(frame, numbers):
            frame = _parse(file, hints)  # the stand-in was not only the label: as before
        if numbers is not None:
            numbers.text = file  # the text with the stand-in is not held past its parse
        numbers = None if frame is None or not _integers(frame, numbers) else numbers
    if frame is None:
        # Polars refused the file: the csv module finds out why, or reads it if it can.
        return _read_with_csv_module(text(), header, hints, source)
    height = frame.height
    content = _content_commas(frame, header, hints)
    # Blank records hold no commas; polars keeps them as rows of empty cells, as the csv
    # module does (a polars that skipped them would not match: the exact pass reads it).
    filled = found.records - found.blank
    expected = (len(header) - 1) * (filled + 1) + content
    if (found.commas != expected or not found.strict or not found.closed
            or height != found.records):
        del frame
        result = scan()  # short rows or odd quoting: find out exactly
        if result.problems:
            raise capped(result.problems)
        return _read_with_csv_module(text(), header, hints, source)
    columns = _encode_all(frame, hints, numbers)
    del frame
    return CellTable(source, header, columns, height, line_numbers,
                     rescan_lines=isinstance(file, Path))


def _read_with_csv_module(data: bytes, header: list[str], hints: list[ColumnHint],
                          source: str) -> CellTable:
    result = _scan(data, header, source, keep=[h != "skip" for h in hints])
    if result.problems:
        raise capped(result.problems)
    return CellTable(source, header, result.columns, len(result.lines), lambda: result.lines)


def _dtype(hint: ColumnHint) -> pl.DataType:
    import polars as pl

    if hint in ("id", "skip"):
        return pl.String()
    if hint in ("category", "text"):
        # Free text as categories too: mostly blank, a string view costs 16 bytes a row,
        # a category code 4 (and each distinct comment is held once).
        return pl.Categorical(pl.Categories.random())
    return pl.Enum(list(dict.fromkeys(hint)))


def _parse(data: bytes | Path, hints: list[ColumnHint], numbers: _Numbers | None = None
           ) -> pl.DataFrame | None:
    """The cells as polars columns, or None when polars cannot read the file.

    With ``numbers``, the rated columns are first read as ``UInt8`` from the text with the
    stand-in; a cell polars cannot read so ("Agree", "4.0") makes it read them as before.
    """
    import polars as pl

    attempts: list[tuple[bytes | Path, dict[str, pl.DataType]]] = []
    if numbers is not None:
        attempts.append((numbers.text, {f"c{i}": pl.UInt8() if i in numbers.columns
                                        else _dtype(h) for i, h in enumerate(hints)}))
    attempts.append((data, {f"c{i}": _dtype(h) for i, h in enumerate(hints)}))
    if any(isinstance(h, tuple) for h in hints):
        # Enums are fastest; any other cell (" 4", "don't know", "7") falls back to categories.
        attempts.append((data, {f"c{i}": _dtype("category" if isinstance(h, tuple) else h)
                                for i, h in enumerate(hints)}))
    for source, schema in attempts:
        try:
            # A blank first record would make polars take the file for one column: the
            # schema holds (short records are caught by the comma count).
            return pl.read_csv(source, has_header=False, skip_rows=1, schema=schema,
                               raise_if_empty=False, missing_columns="insert")
        except pl.exceptions.PolarsError:
            continue
    return None


def _integers(frame: pl.DataFrame, numbers: _Numbers | None) -> bool:
    """Whether the frame's rated columns are the integer parse's."""
    import polars as pl

    return numbers is not None and all(frame[f"c{i}"].dtype == pl.UInt8
                                       for i in numbers.columns)


def _numbers_agree(frame: pl.DataFrame, numbers: _Numbers) -> bool:
    """Whether the stand-in stood only for the unscored label in the rated columns: they hold
    it (255) exactly as often as it was put in, and no other column holds it."""
    import polars as pl

    if not _integers(frame, numbers) or numbers.token is None:
        return True
    count = sum(int((frame[f"c{i}"] == numeric.STAND_IN_VALUE).sum()) for i in numbers.columns)
    if count != numbers.replaced:
        return False
    mark = numeric.STAND_IN.decode()
    for name in frame.columns:
        if int(name[1:]) in numbers.columns:
            continue
        series = frame[name]
        if isinstance(series.dtype, pl.Enum | pl.Categorical):
            if any(mark in label for label in _categories(series)):
                return False
        elif series.dtype == pl.String and series.str.contains(mark, literal=True).any():
            return False
    return True


def _categories(series: pl.Series) -> list[str]:
    import polars as pl

    dtype = series.dtype
    if isinstance(dtype, pl.Enum):
        return [str(c) for c in dtype.categories.to_list()]
    if isinstance(dtype, pl.Categorical):
        return [str(c) for c in dtype.categories.to_series().to_list()]
    raise TypeError(f"not a categorical column: {dtype}")


def _encode_all(frame: pl.DataFrame, hints: list[ColumnHint], numbers: _Numbers | None = None
                ) -> dict[int, Column]:
    """Every column read (not skipped) as a :class:`Column`; each is taken out of the frame
    as it is encoded, so the codes are never held twice for the whole file."""
    import polars as pl

    columns: dict[int, Column] = {}
    for i, hint in enumerate(hints):
        if hint != "skip":
            series = frame.drop_in_place(f"c{i}")
            if numbers is not None and series.dtype == pl.UInt8:
                columns[i] = _encode_numbers(series, numbers.columns[i], numbers.token)
            else:
                columns[i] = (_encode_ids if hint == "id" else _encode)(series)
            del series
    return columns


def _encode_numbers(series: pl.Series, column: NumericColumn, token: str | None) -> Column:
    """An integer column as the enum column it stands for: codes into the scale's cells
    (``column.labels``); the stand-in (255) as the unscored label ``token`` it replaced; a
    number off the scale as a label of its own (``"7"``), worded by the same lookup as any
    cell; nulls empty."""
    import polars as pl

    labels = list(column.labels)
    code_of = column.numbers()
    if token is not None:
        if token not in labels:
            labels.append(token)
        code_of[numeric.STAND_IN_VALUE] = labels.index(token)
    # Nulls become a value no cell holds, so one lookup a cell gives every code.
    free = next((v for v in range(numeric.STAND_IN_VALUE - 1, -1, -1)
                 if v not in code_of and not (series == v).any()), None)
    if free is None:  # every byte occurs (a column of 255 different numbers): one more
        free = numeric.STAND_IN_VALUE + 1
        values = series.cast(pl.UInt16).fill_null(free).to_numpy()
    else:
        values = series.fill_null(free).to_numpy()
    unknown = np.iinfo(np.uint16).max  # not a code
    table = np.full(free + 1 if free > numeric.STAND_IN_VALUE else 256, unknown,
                    dtype=np.uint16)
    for value, code in code_of.items():
        table[value] = code
    table[free] = 0
    known = sorted(set(code_of) - {numeric.STAND_IN_VALUE})
    if known and known == list(range(known[0], known[-1] + 1)):  # 1-5: two comparisons
        off_scale = bool(((series < known[0]) | ((series > known[-1])
                                                 & (series != numeric.STAND_IN_VALUE))).any())
    else:
        off_scale = bool((np.take(table, values) == unknown).any())
    if off_scale:  # numbers off the scale: rare, so looked for only then
        for value in np.unique(values[np.take(table, values) == unknown]).tolist():
            table[value] = len(labels)
            labels.append(str(value))
    table[free] = len(labels)
    return Column(np.take(table.astype(np.uint8 if len(labels) < 256 else np.uint16), values),
                  labels)


def _encode_ids(series: pl.Series) -> Column:
    """Identifiers: each cell its own label, unless some repeat (then one label per id)."""
    present = series.drop_nulls()
    # Distinct hashes mean distinct ids (equal ids hash alike): polars hashes in Rust, many
    # times faster than comparing the strings. Repeats, or a rare collision, take the exact way.
    if present.hash().n_unique() == present.len():
        return _encode(series)
    return Column.from_cells(series.to_list())


def _encode(series: pl.Series) -> Column:
    import polars as pl

    if not isinstance(series.dtype, pl.Enum | pl.Categorical):
        # Identifiers: mostly distinct, so each cell is its own label.
        present = series.is_not_null().to_numpy()
        texts: list[str] = series.drop_nulls().to_list()
        codes = np.full(series.len(), len(texts), dtype=np.uint32)
        codes[present] = np.arange(len(texts), dtype=np.uint32)
        return Column(codes, texts)
    labels = _categories(series)
    codes = series.to_physical().fill_null(len(labels)).to_numpy()
    return Column(codes, labels)


def _content_commas(frame: pl.DataFrame, header: list[str], hints: list[ColumnHint]) -> int:
    """Commas inside cells (quoted), header included: the others separate fields."""
    import polars as pl

    total = sum(h.count(",") for h in header)
    for i in range(len(header)):
        series = frame[f"c{i}"]
        if series.dtype.is_integer():
            continue  # whole numbers (the integer parse): no commas
        if isinstance(series.dtype, pl.Enum | pl.Categorical):
            labels = _categories(series)
            per_label = [label.count(",") for label in labels]
            if any(per_label):
                codes = series.to_physical().fill_null(len(labels)).to_numpy()
                total += int(np.array([*per_label, 0], dtype=np.int64)[codes].sum())
            continue
        total += int(series.str.count_matches(",", literal=True).sum() or 0)
    return total
