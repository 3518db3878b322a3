"""Large platform exports read column by column: polars parses, labels map per distinct cell.

The exact reader (:mod:`leadlens.responses.exports.reader`) holds every record as Python
lists, which a national export (a million rows, half a gigabyte) cannot afford. This reader
takes the same steps with other means, for UTF-8 CSV exports of at least
:data:`~leadlens.responses.cells.FAST_READ_BYTES`:

1. the header records (platform, layout, column matches) from the first KB, by the exact
   reader's own functions, so detection and column problems are the same;
2. the body parsed by polars straight from the file, rated columns and fields as categories
   (a few distinct cells each), beside a structure scan over the file in blocks (numpy):
   strict quoting, the field count of every record, and each record's first line, kept as one
   small integer per row instead of the text;
3. each column's distinct cells read once by the scale's
   :class:`~leadlens.responses.exports.answers.ScaleLabels`, the codes remapped in numpy.

A file that is not what it seems (a record with the wrong number of fields, odd quoting, a
bare CR, polars refusing it) is handed back: :func:`read_export_columns` returns None and
the exact reader reads it, and words its problems, as it does for every smaller file.
Unknown answers are found here; they carry the same words, lines and order as the exact
reader's.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from leadlens.errors import MAX_PROBLEMS, Problem, ResponsesError
from leadlens.files import STDIN, InputError, read_head
from leadlens.questionset.model import QuestionSet
from leadlens.responses.cells import (
    FAST_READ_BYTES,
    CellTable,
    Column,
    ColumnHint,
    _categories,
    _encode,
    _encode_ids,
)
from leadlens.responses.exports import platforms, sniff
from leadlens.responses.exports.answers import ScaleLabels, scale_labels
from leadlens.responses.exports.grid import Grid, csv_records
from leadlens.responses.exports.kept import left_out_warnings, record_columns, record_kind
from leadlens.responses.exports.mapping import rule_sources
from leadlens.responses.exports.matching import Match
from leadlens.responses.exports.reader import (
    Detection,
    ImportOptions,
    _Matched,
    checked_columns,
    detect_layout,
    match_layout,
)
from leadlens.responses.exports.recodes import recode_problems
from leadlens.responses.limits import MAX_FIELD_BYTES
from leadlens.responses.problems import blank_rows

if TYPE_CHECKING:
    import polars as pl

MIN_BYTES = FAST_READ_BYTES
"""Smaller exports are read by the exact reader (this one pays for importing polars)."""
HEAD_BYTES = 256 * 1024
"""The header records must end within this many bytes (else the exact reader reads)."""
BLOCK_BYTES = 8 * 1024 * 1024
"""The structure scan reads the file in blocks of this size (its memory, about 4x this)."""

_QUOTE, _NL, _CR = ord('"'), ord("\n"), ord("\r")

IntArray = npt.NDArray[np.int64]


@dataclass
class _Head:
    detection: Detection
    grid: Grid
    layout: platforms.Layout
    warnings: list[Problem]
    body_line: int
    """The physical line the body (the first record after the header) starts on."""
    body_offset: int
    """Its byte offset."""


@dataclass
class _Structure:
    """What the block scan found: one entry per body record (blank lines included)."""

    lines: npt.NDArray[np.int32]
    starts: IntArray
    """Byte offset each record starts at."""
    short: IntArray
    """Records with fewer fields than the header (blank ones, or ragged)."""


def read_export_columns(path: Path, qs: QuestionSet, options: ImportOptions,
                        hint: Callable[[str], ColumnHint]) -> CellTable | None:
    """Read a large UTF-8 CSV export as the responses reader's cell table, or None when the
    exact reader must read it (small, another encoding, a workbook, odd structure).

    Raises:
        ResponsesError: the problems the exact reader would give: column problems, unknown
            answers (located, in file order, capped at :data:`MAX_PROBLEMS`).
    """
    head = _head(path, options)
    found = _matched(path, qs, options, head) if head is not None else None
    if head is None or found is None:
        return None
    warnings = checked_columns(found, qs)
    name = str(path)
    used = found.columns.used()
    labels = scale_labels(qs, [s.settings for s in found.sources])
    wanted = {m.column.index: _hint(m, labels, hint) for m in used}
    wanted = {i: h for i, h in wanted.items() if h != "skip"}
    sorting = [i for i in record_columns(head.layout) if i is not None]
    body = _body(path, head, {**dict.fromkeys(sorting, "category"), **wanted})
    if body is None:
        return None
    frame, lines = body
    if sorting:
        frame, lines, left_out = _responses_only(frame, lines, head.layout, name, options)
        warnings += left_out
    detection = head.detection
    header_lines = head.detection.header_lines
    columns, problems, total = _convert(frame, used, wanted, labels, options, name, lines,
                                        (detection.platform,
                                         header_lines[0] if header_lines else None))
    if problems:
        raise ResponsesError(problems, omitted=max(0, total - len(problems)))
    if detection.blank:
        warnings.append(blank_rows(name, detection.blank))
    header_lines = detection.header_lines
    return CellTable(name, [m.key or "" for m in used], columns, frame.height, lambda: lines,
                     display=[m.column.display for m in used], warnings=warnings,
                     header_line=header_lines[0] if header_lines else 1)


def inspect_columns(path: Path, qs: QuestionSet, options: ImportOptions,
                    hint: Callable[[str], ColumnHint]) -> _Matched | None:
    """What ``leadlens inspect`` shows of a large UTF-8 CSV export (its layout, column
    matches, records and blank rows, as the exact reader counts them), found as
    :func:`read_export_columns` reads the file; None when the exact reader must look.
    Give it to :func:`~leadlens.responses.exports.reader.inspect_export` as ``found``."""
    head = _head(path, options)
    found = _matched(path, qs, options, head) if head is not None else None
    if head is None or found is None:
        return None
    labels = scale_labels(qs, [s.settings for s in found.sources])
    wanted = {m.column.index: _hint(m, labels, hint) for m in found.columns.used()}
    wanted = {i: h for i, h in wanted.items() if h != "skip"}
    sorting = [i for i in record_columns(head.layout) if i is not None]
    body = _body(path, head, {**dict.fromkeys(sorting, "category"), **wanted})
    if body is None:
        return None
    if sorting:  # the records left out, as the exact reader's inspection counts them
        found.warnings = found.warnings + _responses_only(*body, head.layout, str(path),
                                                          options)[2]
    return found


def _responses_only(frame: pl.DataFrame, lines: npt.NDArray[np.int32],
                    layout: platforms.Layout, name: str, options: ImportOptions
                    ) -> tuple[pl.DataFrame, npt.NDArray[np.int32], list[Problem]]:
    """The records that are responses (:mod:`~leadlens.responses.exports.kept`): each
    distinct (Status, Finished) pair is classified once."""
    import polars as pl

    status, finished = record_columns(layout)
    pairs = pl.DataFrame({
        "s": frame[f"c{status}"].cast(pl.String) if status is not None else pl.repeat(
            "", frame.height, eager=True),
        "f": frame[f"c{finished}"].cast(pl.String) if finished is not None else pl.repeat(
            "", frame.height, eager=True)}).fill_null("")
    codes = pairs.select(pl.struct("s", "f").rank("dense").cast(pl.Int64) - 1)
    index = codes.to_series().to_numpy()
    firsts = np.unique(index, return_index=True)[1]
    kinds = [record_kind(pairs["s"][int(i)], pairs["f"][int(i)]) for i in firsts]
    found: dict[str, list[int]] = {}
    keep = np.ones(frame.height, dtype=bool)
    for code, kind in enumerate(kinds):
        if kind is None:
            continue
        rows = index == code
        found.setdefault(kind, []).extend(lines[rows].tolist())
        if not (kind == "unfinished" and options.keep_unfinished):
            keep &= ~rows
    if not found:
        return frame, lines, []
    found = {kind: sorted(at) for kind, at in found.items()}
    warnings = left_out_warnings(name, dict(sorted(found.items(), key=lambda k: k[1][0])),
                                 keep_unfinished=options.keep_unfinished)
    return frame.filter(_series(keep)), lines[keep], warnings


def _matched(path: Path, qs: QuestionSet, options: ImportOptions, head: _Head
             ) -> _Matched | None:
    """The header's column matches, or None when a mapping names another platform."""
    sources = rule_sources(qs, options.mapping)
    forced = next((s.settings.platform for s in sources if s.settings.platform), None)
    if forced is not None and forced != head.detection.platform:
        return None  # a mapping's platform: let the exact reader apply it
    return match_layout(path, qs, head.detection, head.grid, head.layout, sources,
                        head.warnings)


def _body(path: Path, head: _Head, wanted: dict[int, ColumnHint]
          ) -> tuple[pl.DataFrame, npt.NDArray[np.int32]] | None:
    """The wanted columns of the body without its blank records, and each record's line;
    the records and blank rows counted in ``head.detection``. None when the exact reader
    must read the file."""
    width = len(head.layout.columns)
    delimiter = head.detection.delimiter or ","
    with ThreadPoolExecutor(max_workers=1) as pool:
        scanning = pool.submit(_scan, path, head.body_offset, head.body_line, delimiter, width)
        frame = _parse(path, head.body_line - 1, delimiter, width, wanted)
        structure = scanning.result()
    if frame is None or structure is None or frame.height != structure.lines.size:
        return None
    blank = _blank(frame, structure, path, delimiter)
    if blank is None:
        return None  # a short record that is not blank: the exact reader words it
    lines = structure.lines
    head_blank = sum(1 for line in head.grid.blank_lines if line < head.body_line)
    if blank.any():
        filled = np.flatnonzero(~blank)
        last = int(filled[-1]) if filled.size else -1
        between = int(np.count_nonzero(blank[:last + 1]))
        head_blank += between
        frame = frame.filter(_series(~blank))
        lines = lines[~blank]
    detection = head.detection
    detection.records = frame.height
    detection.blank = head_blank if frame.height else 0
    return frame, lines


def _series(values: npt.NDArray[np.bool_]) -> pl.Series:
    import polars as pl

    return pl.Series(values)


def _hint(match: Match, labels: dict[str, ScaleLabels], hint: Callable[[str], ColumnHint]
          ) -> ColumnHint:
    key = match.key or ""
    if key in labels:
        return "category"  # labels, not the scale's values: the enum would not fit
    given = hint(key)
    return "category" if isinstance(given, tuple) else given


# --- 1. the header ----------------------------------------------------------------------------

def _head(path: Path, options: ImportOptions) -> _Head | None:
    """The header records and where the body starts, or None when this reader cannot read
    the file (small, a workbook, not UTF-8, a header past :data:`HEAD_BYTES`)."""
    if str(path) == STDIN:
        return None
    try:
        data = read_head(path, HEAD_BYTES)  # a regular file within the size cap
        size = path.stat().st_size
    except (InputError, OSError):
        return None  # the exact reader's message
    if size < MIN_BYTES or sniff.is_xlsx(data[:8]):
        return None
    if options.encoding is not None and codecs.lookup(options.encoding).name != "utf-8":
        return None
    bom = data.startswith(codecs.BOM_UTF8)
    try:
        text = codecs.getincrementaldecoder("utf-8")().decode(data[3 if bom else 0:])
    except UnicodeDecodeError:
        return None
    first_line = 1
    sep_delimiter = sniff.sep_line(text)
    if sep_delimiter is not None:
        text, first_line = sniff.skip_sep_line(text), 2
    delimiter = options.delimiter or sep_delimiter or sniff.guess_delimiter(text)
    if len(delimiter) != 1 or delimiter in "\"\r\n" or not delimiter.isascii():
        return None
    grid = Grid(records=[])
    starts: list[int] = []
    try:
        for line, row in csv_records(text, delimiter, str(path), first_line=first_line):
            starts.append(line)
            if not "".join(row).strip():
                grid.blank_lines.append(line)
            else:
                grid.records.append((line, row))
            if len(grid.records) > 3:  # the last is cut short, perhaps: never a header
                break
    except ResponsesError:
        return None
    if len(grid.records) <= 3:
        return None
    detection, grid, layout, warnings = detect_layout(
        str(path), Grid(grid.records[:3], grid.blank_lines), None, encoding="utf-8", bom=bom,
        delimiter=delimiter, sep=sep_delimiter is not None, warnings=[])
    last_header = detection.header_lines[-1] if detection.header_lines else first_line
    body_line = next(line for line in starts if line > last_header)
    offset = 0
    for _ in range(body_line - 1):
        offset = data.index(b"\n", offset) + 1
    return _Head(detection, grid, layout, warnings, body_line, offset)


# --- 2. the body: parse and structure ---------------------------------------------------------

def _dtype(hint: ColumnHint) -> pl.DataType:
    import polars as pl

    if hint == "category":
        return pl.Categorical(pl.Categories.random())
    return pl.String()


def _parse(path: Path, skip_lines: int, delimiter: str, width: int,
           wanted: dict[int, ColumnHint]) -> pl.DataFrame | None:
    """The wanted columns of the body (all text; categories where few cells repeat)."""
    import polars as pl

    schema = {f"c{i}": _dtype(wanted[i]) if i in wanted else pl.String() for i in range(width)}
    try:
        return pl.read_csv(path, has_header=False, skip_lines=skip_lines, schema=schema,
                           separator=delimiter, columns=sorted(wanted),
                           raise_if_empty=False)
    except pl.exceptions.PolarsError:
        return None


def _scan(path: Path, start: int, first_line: int, delimiter: str, width: int
          ) -> _Structure | None:
    """Each body record's first line and byte offset, and the records with fewer fields;
    None when a record has more fields, the quoting is not strict, a quote is left open, a
    CR stands alone or a NUL byte occurs (the exact reader then reads the file and says what
    is wrong).

    Quotes toggle "inside a quoted field"; the parity of the quotes so far is a running sum
    (taken modulo 256 in bytes: the parity survives). Outside quotes, newlines end records and
    delimiters separate fields. An opening quote must follow a delimiter, a line break or
    the quote before it (``""`` inside quoted text); a closing quote must come before a
    delimiter, a line break, a quote or the end: what Python's csv module accepts in strict
    mode.
    """
    sep = ord(delimiter)
    line_parts: list[npt.NDArray[np.int32]] = [np.array([first_line], dtype=np.int32)]
    start_parts: list[IntArray] = [np.array([start], dtype=np.int64)]
    field_parts: list[IntArray] = []
    parity = 0
    newlines = 0  # every LF so far, quoted or not
    fields = 0  # separators outside quotes so far
    previous = _NL
    try:
        handle = path.open("rb")
    except OSError:
        return None
    with handle:
        handle.seek(start)
        block = handle.read(BLOCK_BYTES)
        offset = start
        while block:
            following = handle.read(BLOCK_BYTES)
            if b"\0" in block:
                return None  # not text: the exact reader says so
            crs = block.count(b"\r")
            if crs and crs != block.count(b"\r\n") + (block.endswith(b"\r")
                                                     and following.startswith(b"\n")):
                return None  # a CR that ends no line
            view = np.frombuffer(block, dtype=np.uint8)
            # Only quotes, separators and line breaks matter: find them in one pass, then
            # work on those positions (a few per field) instead of every byte.
            events = np.flatnonzero((view == _QUOTE) | (view == sep) | (view == _NL))
            kind = view[events]
            is_quote = kind == _QUOTE
            if is_quote.any():
                inside = (np.cumsum(is_quote, dtype=np.uint8) & 1).astype(bool)
                if parity:
                    inside = ~inside
                quotes = events[is_quote]
                nxt = following[0] if following else -1
                if not _quotes_ok(view, quotes, inside[is_quote], sep, previous, nxt):
                    return None
                parity = int(inside[-1])  # at a quote, "inside" already counts it
            else:
                inside = np.full(events.size, bool(parity))
            is_nl = kind == _NL
            every = events[is_nl]
            ends = events[is_nl & ~inside]
            seps = events[(kind == sep) & ~inside]
            field_parts.append(fields + np.searchsorted(seps, ends))
            line_parts.append((first_line + newlines
                               + np.searchsorted(every, ends, side="right")).astype(np.int32))
            start_parts.append(offset + ends + 1)
            newlines += every.size
            fields += seps.size
            previous = int(view[-1])
            offset += view.size
            block = following
    if parity:
        return None  # a quote left open
    at_newline = np.concatenate(field_parts) if field_parts else np.zeros(0, dtype=np.int64)
    lines, starts = np.concatenate(line_parts), np.concatenate(start_parts)
    ends_with_newline = previous == _NL
    if ends_with_newline:  # the "record" after the last line break is not one
        lines, starts = lines[:-1], starts[:-1]
    else:
        at_newline = np.append(at_newline, fields)
    per_record = np.diff(at_newline, prepend=0)
    if (per_record > width - 1).any():
        return None
    if starts.size and int(np.diff(starts, append=offset).max()) > MAX_FIELD_BYTES:
        return None  # perhaps a cell past the readers' bound: the exact reader measures it
    return _Structure(lines, starts, np.flatnonzero(per_record < width - 1))


def _quotes_ok(view: npt.NDArray[np.uint8], quotes: IntArray, opening: npt.NDArray[np.bool_],
               sep: int, previous: int, following: int) -> bool:
    """Whether each quote opens a field (after a separator, a line break or the quote before
    it) or closes one (before a separator, a line break, a quote or the end)."""
    before = np.empty(quotes.size, dtype=np.int16)
    before[1:] = view[quotes[1:] - 1]
    before[0] = view[quotes[0] - 1] if quotes[0] else previous
    after = np.empty(quotes.size, dtype=np.int16)
    after[:-1] = view[quotes[:-1] + 1]
    after[-1] = view[quotes[-1] + 1] if quotes[-1] + 1 < view.size else following
    ok_open = (before == sep) | (before == _NL) | (before == _QUOTE)
    ok_close = ((after == sep) | (after == _NL) | (after == _CR) | (after == _QUOTE)
                | (after == -1))
    return bool(np.where(opening, ok_open, ok_close).all())


# --- blank records ---------------------------------------------------------------------------

def _blank_cells(series: pl.Series) -> npt.NDArray[np.bool_]:
    import polars as pl

    if isinstance(series.dtype, pl.Categorical):
        categories = _categories(series)
        empty = np.array([not c.strip() for c in categories] + [True])
        codes = series.to_physical().fill_null(len(categories)).to_numpy()
        result: npt.NDArray[np.bool_] = empty[codes]
        return result
    return (series.is_null() | (series.str.strip_chars().str.len_bytes() == 0)).to_numpy()


def _blank(frame: pl.DataFrame, structure: _Structure, path: Path, delimiter: str
           ) -> npt.NDArray[np.bool_] | None:
    """Which body records are blank (no cell but spaces), as the exact reader decides; None
    when a record with fewer fields than the header is not blank (a ragged row).

    Candidates are the rows whose read columns are all blank (found column by column on the
    shrinking set); each is then read from the file with the csv module, all its cells.
    """
    candidates = np.arange(frame.height)
    for name in frame.columns:
        if not candidates.size:
            break
        column = frame[name] if candidates.size == frame.height else frame[name].gather(
            candidates)
        candidates = candidates[_blank_cells(column)]
    blank = np.zeros(frame.height, dtype=bool)
    if candidates.size:
        for row, is_blank in zip(candidates.tolist(),
                                 _blank_records(path, structure, candidates, delimiter),
                                 strict=True):
            blank[row] = is_blank
    if structure.short.size and not blank[structure.short].all():
        return None
    return blank


def _blank_records(path: Path, structure: _Structure, rows: IntArray, delimiter: str
                   ) -> list[bool]:
    """Whether each of these records has only blank cells, read with the csv module."""
    found = []
    with path.open("rb") as handle:
        for row in rows.tolist():
            handle.seek(int(structure.starts[row]))
            end = (int(structure.starts[row + 1]) if row + 1 < structure.starts.size
                   else None)
            raw = handle.read(end - int(structure.starts[row]) if end is not None else -1)
            cells = next(csv.reader(io.StringIO(raw.decode("utf-8"), newline=""),
                                    delimiter=delimiter), [])
            found.append(not "".join(cells).strip())
    return found


# --- 3. cells to values ----------------------------------------------------------------------

def _convert(frame: pl.DataFrame, used: list[Match], wanted: dict[int, ColumnHint],
             labels: dict[str, ScaleLabels], options: ImportOptions, name: str,
             lines: npt.NDArray[np.int32], where: tuple[str, int | None]
             ) -> tuple[dict[int, Column], list[Problem], int]:
    """Every used column as a :class:`Column` (labels already read as values), and the
    first unknown answers in file order with how many there are. ``where``: the platform
    and the header's first line.

    Raises:
        ResponsesError: Qualtrics codes on a scale that is not 1..k (:mod:`.recodes`).
    """
    platform, header_line = where
    columns: dict[int, Column] = {}
    distinct: list[tuple[str, ScaleLabels, list[str]]] = []
    bad_rows: list[IntArray] = []
    bad_at: list[tuple[int, Match, dict[int, Any], npt.NDArray[np.unsignedinteger[Any]]]] = []
    check = options.on_invalid == "error"
    for position, match in enumerate(used):
        index = match.column.index
        if index not in wanted:
            continue
        series = frame[f"c{index}"]
        column = (_encode_ids if wanted[index] == "id" else _encode)(series)
        converter = labels.get(match.key or "")
        if converter is not None:
            distinct.append((match.column.display, converter, column.labels))
            column, issues = _read_labels(column, converter, check)
            if issues:
                rows = np.flatnonzero(np.isin(column.codes, list(issues)))
                bad_rows.append(rows)
                bad_at.append((position, match, issues, column.codes[rows]))
        columns[position] = column
    recoded = recode_problems(platform, distinct, name, header_line)
    if recoded:
        raise ResponsesError(recoded)
    total = sum(rows.size for rows in bad_rows)
    if not total:
        return columns, [], 0
    rows = np.concatenate(bad_rows)
    which = np.concatenate([np.full(r.size, i) for i, r in enumerate(bad_rows)])
    positions = np.array([bad_at[i][0] for i in range(len(bad_at))])[which]
    offsets = np.cumsum([0] + [r.size for r in bad_rows])
    problems = []
    for k in np.lexsort((positions, rows))[:MAX_PROBLEMS].tolist():
        part = int(which[k])
        _, match, issues, codes = bad_at[part]
        issue = issues[int(codes[k - offsets[part]])]
        problems.append(Problem(file=name, line=int(lines[int(rows[k])]),
                                column=match.column.display, message=issue.message,
                                hint=issue.hint, code=issue.code))
    return columns, problems, total


def _read_labels(column: Column, converter: ScaleLabels, check: bool
                 ) -> tuple[Column, dict[int, Any]]:
    """The column with its labels read as values (each distinct cell once), and the codes
    (in the new column) of cells that are no answer on the scale, with why."""
    index: dict[str, int] = {}
    lookup = np.empty(len(column.labels) + 1, dtype=np.uint32)
    issues: dict[int, Any] = {}
    for code, raw in enumerate(column.labels):
        value, issue = converter.read(raw, check=check)
        if value == "":
            lookup[code] = np.iinfo(np.uint32).max
            continue
        if issue is not None:
            value = f"\0{raw}"  # its own label, so its cells can be found
        lookup[code] = index.setdefault(value, len(index))
        if issue is not None:
            issues[int(lookup[code])] = issue
    empty = len(index)
    lookup[lookup == np.iinfo(np.uint32).max] = empty
    lookup[-1] = empty
    labels = list(index)
    return Column(lookup[column.codes], labels), issues
