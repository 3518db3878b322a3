"""Reading responses CSV files into :class:`~leadlens.scoring.data.Responses`.

Two steps, so that other readers (platform exports) can reuse the second:

1. :func:`read_csv_cells` turns one file into a :class:`CellTable`: header names, the text
   cells of each column (dictionary-encoded) and the physical line each row starts on. It
   knows CSV, not question sets.
2. :func:`cells_to_responses` matches columns to answer keys and respondent fields and turns
   cells into values, with located errors and warnings.

Small files are read with Python's ``csv`` module. Large ones are parsed by polars (cells as
text); their structure is then checked cheaply, and the exact ``csv`` scan runs only when
something is wrong or line numbers are needed for an error message.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt

from leadlens.errors import Problem, ResponsesError, did_you_mean
from leadlens.models import QuestionSet, Scale
from leadlens.scoring.data import (
    BoolArray,
    FieldValues,
    IntArray,
    Responses,
    TextAnswers,
    UInt8Array,
    concat,
    rated_keys,
    text_keys,
    unscored_label,
)

if TYPE_CHECKING:
    import polars as pl

    from leadlens.imports import ImportOptions

MAX_PROBLEMS = 50
"""Errors listed before the rest are only counted."""

FAST_READ_BYTES = 1_000_000
"""Files at least this big are parsed with polars; smaller ones need no polars import."""

OnInvalid = Literal["error", "missing"]
ColumnHint = tuple[str, ...] | Literal["category", "text", "skip"]
"""How to hold a column while reading (a speed hint; cells are text either way): the exact
cells expected (an enum, falling back to ``category`` if others occur), ``category`` for few
distinct values, ``text`` for free text, ``skip`` for a column nobody reads."""

RESERVED = ("respondent_id", "submitted_at")
_BOM = b"\xef\xbb\xbf"
_NOT_SPACE = re.compile(rb"\S")
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")


@dataclass
class Column:
    """One column's cells, dictionary-encoded: row i holds ``labels[codes[i]]``.

    The code ``len(labels)`` is an empty cell (so a lookup table with one more entry than
    there are labels maps every code), as is a label "". Codes are any unsigned integer type.
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
    line_numbers: Callable[[], Sequence[int]]
    """The physical line each row starts on (computed only when needed)."""
    display: list[str] | None = None
    """How to name each column in messages (e.g. an export's own headers); default: header."""
    warnings: list[Problem] = field(default_factory=list)
    """Problems found while reading the cells that did not stop it."""
    header_line: int = 1
    """The line the header is on (for messages about columns)."""

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
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ResponsesError([Problem(file=source, message=f"cannot read: {exc.strerror}")]
                             ) from None
    header, body_start = _header(data, source)
    _check_header(header, source)
    hints = [hint(h.strip()) if hint else "text" for h in header]
    if not _NOT_SPACE.search(data, body_start):
        return CellTable(source, header, {i: Column(np.zeros(0, np.uint32), [])
                                          for i, h in enumerate(hints) if h != "skip"},
                         0, lambda: [])
    if len(data) < FAST_READ_BYTES:
        return _read_with_csv_module(data, header, hints, source)
    return _read_with_polars(data, header, hints, source)


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
            hint="Save the file as CSV UTF-8")]) from None
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise ResponsesError([Problem(
            file=source, line=1, message="no header row: the file is empty",
            hint="The first line names the columns: answer keys and respondent fields")])
    return rows[0], start + len(chunk)


def _check_header(header: list[str], source: str) -> None:
    seen: dict[str, int] = {}
    problems: list[Problem] = []
    for position, raw in enumerate(header, start=1):
        name = raw.strip()
        if not name:
            continue
        if name in seen:
            problems.append(Problem(
                file=source, line=1, column=name,
                message=f"duplicate column header (columns {seen[name]} and {position})",
                hint="Each answer key or field may appear only once"))
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
                                  hint="Save the file as CSV UTF-8")])
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    lines: list[int] = []
    problems: list[Problem] = []
    wanted = [i for i, k in enumerate(keep or []) if k]
    cells: dict[int, list[str | None]] = {i: [] for i in wanted}
    first = True
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(_quote_problem(text, start, source, header, str(exc)))
            break
        if first:
            first = False
            continue
        lines.append(start)
        if row and len(row) != width and any(cell.strip() for cell in row):
            problems.append(Problem(
                file=source, line=start,
                message=f"row has {len(row)} fields, expected {width} (one per header column)",
                hint="Check for a missing or extra comma, or an unquoted comma in text"))
        for i in wanted:
            cells[i].append(row[i] if i < len(row) and row[i] else None)
    return _Scan(lines, problems, {i: Column.from_cells(c) for i, c in cells.items()})


def _quote_problem(text: str, start_line: int, source: str, header: list[str],
                   detail: str) -> Problem:
    """Locate where the record starting at ``start_line`` went wrong: the opening quote."""
    offset = 0
    for _ in range(start_line - 1):
        offset = text.index("\n", offset) + 1
    position, field_index, line = offset, 0, start_line
    while position < len(text):
        char = text[position]
        if char == '"':
            opened_line = line
            cursor = position + 1
            while True:
                close = text.find('"', cursor)
                if close < 0:
                    return Problem(
                        file=source, line=opened_line, column=_name(header, field_index),
                        message="quoted field is never closed (it runs to the end of the file)",
                        hint='Close the quote, and double any quote inside quoted text ("")')
                if text.startswith('""', close):
                    cursor = close + 2
                    continue
                break
            line += text.count("\n", position, close)
            after = text[close + 1:close + 2]
            if after not in ("", ",", "\n", "\r"):
                return Problem(
                    file=source, line=opened_line, column=_name(header, field_index),
                    message=f"quoted field is closed at line {line} and followed by {after!r}",
                    hint='A quote inside quoted text must be doubled ("")')
            position = close + 1
            continue
        if char == ",":
            field_index += 1
        elif char in "\r\n":
            break
        position += 1
    return Problem(file=source, line=start_line, message=f"not valid CSV: {detail}")


def _name(header: list[str], index: int) -> str | None:
    return header[index].strip() if index < len(header) else None


def _capped(problems: list[Problem]) -> ResponsesError:
    return ResponsesError(problems[:MAX_PROBLEMS], omitted=max(0, len(problems) - MAX_PROBLEMS))


def _read_with_polars(data: bytes, header: list[str], hints: list[ColumnHint],
                      source: str) -> CellTable:
    scanned: list[_Scan] = []

    def scan() -> _Scan:
        if not scanned:
            scanned.append(_scan(data, header, source))
        return scanned[0]

    # The byte-level checks run beside the parse (numpy releases the GIL while it counts).
    with ThreadPoolExecutor(max_workers=1) as pool:
        checks = pool.submit(_byte_checks, data)
        frame = _parse(data, hints)
        commas, quoted = checks.result()
    if frame is None:
        # Polars refused the file: the csv module finds out why, or reads it if it can.
        return _read_with_csv_module(data, header, hints, source)
    columns = _encode_all(frame, hints)
    expected = ((len(header) - 1) * (frame.height + 1)
                + _content_commas(frame, header, columns))
    if commas != expected or not quoted:
        result = scan()  # blank lines, short rows or odd quoting: find out exactly
        if result.problems:
            raise _capped(result.problems)
        if len(result.lines) != frame.height:
            return _read_with_csv_module(data, header, hints, source)
    return CellTable(source, header, columns, frame.height, lambda: scan().lines)


def _byte_checks(data: bytes) -> tuple[int, bool]:
    """The number of commas, and whether the quoting is strict (:func:`_strictly_quoted`)."""
    commas = int(np.count_nonzero(np.frombuffer(data, dtype=np.uint8) == ord(",")))
    return commas, _strictly_quoted(data)


def _read_with_csv_module(data: bytes, header: list[str], hints: list[ColumnHint],
                          source: str) -> CellTable:
    result = _scan(data, header, source, keep=[h != "skip" for h in hints])
    if result.problems:
        raise _capped(result.problems)
    return CellTable(source, header, result.columns, len(result.lines), lambda: result.lines)


def _strictly_quoted(data: bytes) -> bool:
    """Whether every quote opens a field, closes it, or is doubled inside it.

    Polars accepts ``"say "hi" now"`` as ``say hi now``; Python's csv module in strict mode
    refuses it. Quotes toggle "inside quoted text", so the even-numbered ones must open a
    field (after a comma, a line break or the previous quote, which it escapes) and the
    odd-numbered ones must end one (before a comma, a line break, the end or a quote).
    """
    if b'"' not in data:
        return True
    buffer = np.frombuffer(data, dtype=np.uint8)
    quotes = np.flatnonzero(buffer == ord('"'))
    if quotes.size % 2:
        return False
    opening, closing = quotes[0::2], quotes[1::2]
    before = buffer[np.maximum(opening - 1, 0)]
    opens_ok = (before == ord(",")) | (before == ord("\n"))
    opens_ok[1:] |= closing[:-1] == opening[1:] - 1  # an escaped quote: ""
    if opening[0] == (len(_BOM) if data.startswith(_BOM) else 0):
        opens_ok[0] = True
    after = buffer[np.minimum(closing + 1, buffer.size - 1)]
    closes_ok = ((after == ord(",")) | (after == ord("\n")) | (after == ord("\r"))
                 | (after == ord('"')) | (closing + 1 == buffer.size))
    return bool(opens_ok.all() and closes_ok.all())


def _dtype(hint: ColumnHint) -> pl.DataType:
    import polars as pl

    if hint in ("text", "skip"):
        return pl.String()
    if hint == "category":
        return pl.Categorical(pl.Categories.random())
    return pl.Enum(list(dict.fromkeys(hint)))


def _parse(data: bytes, hints: list[ColumnHint]) -> pl.DataFrame | None:
    """The cells as polars columns, or None when polars cannot read the file."""
    import polars as pl

    attempts = [hints]
    if any(isinstance(h, tuple) for h in hints):
        # Enums are fastest; any other cell (" 4", "don't know", "7") falls back to categories.
        attempts.append([h if not isinstance(h, tuple) else "category" for h in hints])
    for attempt in attempts:
        schema = {f"c{i}": _dtype(h) for i, h in enumerate(attempt)}
        try:
            return pl.read_csv(data, has_header=False, skip_rows=1, schema=schema,
                               raise_if_empty=False)
        except pl.exceptions.PolarsError:
            continue
    return None


def _categories(series: pl.Series) -> list[str]:
    import polars as pl

    dtype = series.dtype
    if isinstance(dtype, pl.Enum):
        return [str(c) for c in dtype.categories.to_list()]
    if isinstance(dtype, pl.Categorical):
        return [str(c) for c in dtype.categories.to_series().to_list()]
    raise TypeError(f"not a categorical column: {dtype}")


def _encode_all(frame: pl.DataFrame, hints: list[ColumnHint]) -> dict[int, Column]:
    """Every column read (not skipped) as a :class:`Column`."""
    import polars as pl

    # Category codes for all categorical columns at once (polars spreads them over cores).
    coded = [i for i, h in enumerate(hints) if h != "skip"
             and isinstance(frame[f"c{i}"].dtype, pl.Enum | pl.Categorical)]
    labels = {i: _categories(frame[f"c{i}"]) for i in coded}
    physical = frame.select(pl.col(f"c{i}").to_physical().fill_null(len(labels[i]))
                            for i in coded)
    columns = {i: Column(physical[f"c{i}"].to_numpy(), labels[i]) for i in coded}
    for i, hint in enumerate(hints):
        if hint != "skip" and i not in columns:
            columns[i] = _encode(frame[f"c{i}"])
    return dict(sorted(columns.items()))


def _encode(series: pl.Series) -> Column:
    import polars as pl

    if not isinstance(series.dtype, pl.Enum | pl.Categorical):
        # Free text: mostly blank and mostly distinct, so each cell is its own label.
        present = series.is_not_null().to_numpy()
        texts: list[str] = series.drop_nulls().to_list()
        codes = np.full(series.len(), len(texts), dtype=np.uint32)
        codes[present] = np.arange(len(texts), dtype=np.uint32)
        return Column(codes, texts)
    labels = _categories(series)
    codes = series.to_physical().fill_null(len(labels)).to_numpy()
    return Column(codes, labels)


def _content_commas(frame: pl.DataFrame, header: list[str], columns: dict[int, Column]
                    ) -> int:
    """Commas inside cells (quoted), header included: the others separate fields."""
    total = sum(h.count(",") for h in header)
    for i in range(len(header)):
        if i not in columns:  # skipped: still text that polars parsed
            total += int(frame[f"c{i}"].cast(str).str.count_matches(",", literal=True).sum()
                         or 0)
            continue
        column = columns[i]
        per_label = [label.count(",") for label in column.labels]
        if any(per_label):
            total += int(np.array([*per_label, 0], dtype=np.int64)[column.codes].sum())
    return total


# --- step 2: CellTable -> Responses -----------------------------------------------------------

@dataclass
class _Invalid:
    """Cells of one column holding one invalid label."""

    rows: IntArray
    position: int
    column: str
    message: str
    hint: str


@dataclass
class Conversion:
    """What :func:`cells_to_responses` found: responses (with warnings) and errors."""

    responses: Responses
    errors: list[Problem]
    omitted: int = 0
    """Errors found beyond the :data:`MAX_PROBLEMS` listed."""


def column_hints(question_set: QuestionSet) -> Callable[[str], ColumnHint]:
    """Speed hints for :func:`read_csv_cells` from what each column should hold."""
    hints: dict[str, ColumnHint] = {"respondent_id": "text", "": "text"}
    for question in question_set.questions:
        scale = question_set.scale_of(question)
        for key in question.answer_keys:
            if question.type == "text" or scale is None:
                hints[key] = "text"
            else:
                hints[key] = tuple(str(o.value) for o in scale.options) + tuple(scale.unscored)
    for respondent_field in question_set.respondent:
        hints[respondent_field.id] = "category"
    return lambda name: hints.get(name, "skip")


def cells_to_responses(table: CellTable, question_set: QuestionSet, *,
                       on_invalid: OnInvalid = "error") -> Conversion:
    """Match a table's columns to the question set and turn cells into answer codes.

    Errors (answers not on their scale, no responses) are located and in file order.
    Rows with no answer at all are dropped with a warning.
    """
    source = table.source
    names = [h.strip() for h in table.header]
    position = {name: i for i, name in enumerate(names) if name}
    keys = rated_keys(question_set)
    texts = text_keys(question_set)
    field_ids = question_set.respondent_field_ids()
    warnings = list(table.warnings) + _column_warnings(table, names, keys + texts, field_ids)
    n = table.rows

    codes: UInt8Array = np.zeros((n, len(keys)), dtype=np.uint8, order="F")
    invalid: list[_Invalid] = []
    for j, key in enumerate(keys):
        if key not in position:
            continue
        question = question_set.question_by_id[key.split("@", 1)[0]]
        scale_id = question.scale or ""
        column = table.columns[position[key]]
        lookup, problems = _lookup(column.labels, scale_id, question_set.scales[scale_id])
        target = codes[:, j]
        count = len(column.labels)
        if np.array_equal(lookup, np.append(np.arange(1, count + 1), 0)):
            # Labels already in answer-code order (an enum of the scale's answers): shift.
            np.add(column.codes, 1, out=target, casting="unsafe")
            target[target == count + 1] = 0
        else:
            target[:] = lookup[column.codes]
        if problems:
            is_bad = np.zeros(len(column.labels) + 1, dtype=bool)
            is_bad[list(problems)] = True
            rows = np.flatnonzero(is_bad[column.codes])
            cell_codes = column.codes[rows]
            for code, (message, hint) in problems.items():
                picked = rows[cell_codes == code]
                if picked.size:
                    invalid.append(_Invalid(picked, position[key], table.shown(position[key]),
                                            message, hint))
    fields = {f: (table.columns[position[f]].field_values() if f in position
                  else FieldValues(np.full(n, -1, dtype=np.int32), [])) for f in field_ids}
    answers = {key: (_text_answers(table.columns[position[key]]) if key in position
                     else TextAnswers(np.zeros(0, dtype=np.int64), [])) for key in texts}
    ids = (table.columns[position["respondent_id"]].cells()
           if "respondent_id" in position else None)

    blank = _blank_rows(codes, fields, answers, ids)
    for bad in invalid:
        blank[bad.rows] = False
    errors: list[Problem] = []
    omitted = 0
    total_invalid = sum(bad.rows.size for bad in invalid)
    if invalid and on_invalid == "missing":
        per_column: dict[str, int] = {}
        for bad in invalid:
            per_column[bad.column] = per_column.get(bad.column, 0) + bad.rows.size
        warnings.append(Problem(
            file=source, severity="warning",
            message=f"{total_invalid} answer(s) not on their scale were treated as missing "
                    "(--on-invalid missing): "
                    + ", ".join(f"{c!r} {k}" for c, k in per_column.items())))
    elif invalid:
        errors = _invalid_problems(table, invalid)
        omitted = total_invalid - len(errors)
    if blank.any():
        warnings.append(Problem(file=source, severity="warning",
                                message=f"{int(blank.sum())} blank row(s) ignored"))
    kept = np.flatnonzero(~blank)
    if kept.size == 0 and not errors:
        errors.append(Problem(file=source,
                              message="no responses: no row after the header has an answer"))
    responses = Responses(keys=keys, codes=codes, fields=fields, texts=answers,
                          respondent_ids=ids, sources=[source], warnings=warnings)
    if blank.any():
        responses = _select(responses, kept)
    return Conversion(responses, errors, omitted)


def _invalid_problems(table: CellTable, invalid: list[_Invalid]) -> list[Problem]:
    """The first :data:`MAX_PROBLEMS` invalid cells in file order, located."""
    rows = np.concatenate([bad.rows for bad in invalid])
    positions = np.concatenate([np.full(bad.rows.size, bad.position) for bad in invalid])
    which = np.concatenate([np.full(bad.rows.size, i) for i, bad in enumerate(invalid)])
    first = np.lexsort((positions, rows))[:MAX_PROBLEMS]
    lines = table.line_numbers()
    problems: list[Problem] = []
    for index in first.tolist():
        bad = invalid[int(which[index])]
        row = int(rows[index])
        problems.append(Problem(file=table.source, line=lines[row] if row < len(lines) else None,
                                column=bad.column, message=bad.message, hint=bad.hint))
    return problems


def _column_warnings(table: CellTable, names: list[str], keys: list[str],
                     field_ids: list[str]) -> list[Problem]:
    source = table.source
    warnings: list[Problem] = []
    known = set(keys) | set(field_ids) | set(RESERVED)
    for i, name in enumerate(names):
        if name and name not in known:
            warnings.append(Problem(
                file=source, line=table.header_line, column=table.shown(i), severity="warning",
                message="not a question, respondent field, respondent_id or submitted_at; "
                        "ignored", hint=did_you_mean(name, known)))
        elif not name and i in table.columns and any(
                label.strip() for label in table.columns[i].labels):
            warnings.append(Problem(file=source, line=table.header_line, severity="warning",
                                    message=f"column {i + 1} has no header; ignored"))
    absent = [k for k in keys if k not in names]
    if absent:
        shown = ", ".join(repr(k) for k in absent[:10]) + (" ..." if len(absent) > 10 else "")
        warnings.append(Problem(
            file=source, severity="warning",
            message=f"{len(absent)} question column(s) missing, their answers count as "
                    f"missing: {shown}"))
    absent_fields = [f for f in field_ids if f not in names]
    if absent_fields:
        warnings.append(Problem(
            file=source, severity="warning",
            message="respondent field column(s) missing: "
                    + ", ".join(repr(f) for f in absent_fields)))
    return warnings


def _blank_rows(codes: UInt8Array, fields: dict[str, FieldValues],
                answers: dict[str, TextAnswers], ids: list[str | None] | None) -> BoolArray:
    """Rows without any answer, field value, comment or respondent id."""
    blank: BoolArray = np.ones(codes.shape[0], dtype=bool)
    for j in range(codes.shape[1]):
        blank &= codes[:, j] == 0
    for values_of_field in fields.values():
        present = np.array([bool(label.strip()) for label in values_of_field.labels] + [False])
        blank &= ~present[values_of_field.codes]
    for text_answers in answers.values():
        blank[text_answers.rows] = False
    if ids is not None:
        blank &= np.array([i is None or not i.strip() for i in ids], dtype=bool)
    return blank


def _lookup(labels: list[str], scale_id: str, scale: Scale
            ) -> tuple[UInt8Array, dict[int, tuple[str, str]]]:
    """Answer code per cell label (plus a last slot, 0, for empty cells), and the invalid
    labels with their messages."""
    option_code = {o.value: i + 1 for i, o in enumerate(scale.options)}
    unscored_code = {unscored_label(u): len(scale.options) + i + 1
                     for i, u in enumerate(scale.unscored)}
    by_label = {unscored_label(a): o.value for o in scale.options for a in [o.label, *o.aliases]}
    lookup = np.zeros(len(labels) + 1, dtype=np.uint8)
    problems: dict[int, tuple[str, str]] = {}
    described = _describe(scale)
    for code, label in enumerate(labels):
        cell = label.strip()
        if not cell:
            continue
        number = int(cell) if _WHOLE_NUMBER.fullmatch(cell) else None
        if number is not None and number in option_code:
            lookup[code] = option_code[number]
        elif unscored_label(cell) in unscored_code:
            lookup[code] = unscored_code[unscored_label(cell)]
        elif number is not None:
            problems[code] = (f"{number} is not on the {scale_id} scale ({described})", "")
        else:
            hint = ""
            if unscored_label(cell) in by_label:
                hint = f"(the answer {cell!r} is written as {by_label[unscored_label(cell)]})"
            problems[code] = (f"{cell!r} is not a whole number on the {scale_id} scale "
                              f"({described})", hint)
    return lookup, problems


def _describe(scale: Scale) -> str:
    values = sorted(o.value for o in scale.options)
    if values == list(range(values[0], values[-1] + 1)):
        return scale.describe()
    return ", ".join(str(v) for v in values)


def _text_answers(column: Column) -> TextAnswers:
    stripped = np.array([label.strip() for label in column.labels] + [""], dtype=object)
    rows = np.flatnonzero((stripped != "")[column.codes])
    texts: list[str] = stripped[column.codes[rows]].tolist()
    return TextAnswers(rows.astype(np.int64), texts)


def _select(responses: Responses, rows: IntArray) -> Responses:
    """Only the given respondents (rows ascending)."""
    new_index = np.full(responses.n, -1, dtype=np.int64)
    new_index[rows] = np.arange(rows.size)
    texts = {}
    for key, answers in responses.texts.items():
        keep = new_index[answers.rows] >= 0
        texts[key] = TextAnswers(new_index[answers.rows][keep],
                                 [t for t, k in zip(answers.texts, keep.tolist(), strict=True)
                                  if k])
    ids = responses.respondent_ids
    return Responses(
        keys=responses.keys, codes=np.asfortranarray(responses.codes[rows]),
        fields={k: FieldValues(v.codes[rows], v.labels) for k, v in responses.fields.items()},
        texts=texts, respondent_ids=[ids[i] for i in rows.tolist()] if ids is not None else None,
        sources=responses.sources, warnings=responses.warnings)


# --- both steps, several files ----------------------------------------------------------------

def _read_cells(path: Path, question_set: QuestionSet, hint: Callable[[str], ColumnHint],
                import_options: ImportOptions | None, on_invalid: OnInvalid) -> CellTable:
    """Step 1 for one file: a leadlens CSV by the fast reader, anything else by imports.

    Which one is decided from the first few KB (:func:`leadlens.imports.needs_import`); a
    file the fast reader refuses because it is not UTF-8 is read again by imports, which
    falls back to Windows-1252 with a warning.
    """
    from leadlens.imports import ImportOptions, needs_import
    from leadlens.imports.cells import is_utf8, read_export_cells

    options = replace(import_options or ImportOptions(), on_invalid=on_invalid)
    if needs_import(path, question_set, encoding=options.encoding,
                    delimiter=options.delimiter, mapping=options.mapping is not None):
        return read_export_cells(path, question_set, options)
    try:
        return read_csv_cells(path, hint=hint)
    except ResponsesError:
        if is_utf8(path):
            raise
        return read_export_cells(path, question_set, options)


def read_responses(paths: Iterable[Path], question_set: QuestionSet, *,
                   on_invalid: OnInvalid = "error", strict: bool = False,
                   import_options: ImportOptions | None = None) -> Responses:
    """Read and concatenate responses CSV files (columns may come in any order).

    Each file is matched to the question set on its own, so files may differ in which
    columns they have; missing columns are warnings. All problems of all files are collected
    before raising. Survey-platform exports (Google Forms, Microsoft Forms, Qualtrics, ...)
    are detected and read by :mod:`leadlens.imports`, with ``import_options`` (mapping
    file, encoding, delimiter).

    Raises:
        ResponsesError: located errors (capped at :data:`MAX_PROBLEMS`); with ``strict``,
            warnings too.
    """
    parts: list[Responses] = []
    errors: list[Problem] = []
    omitted = 0
    hint = column_hints(question_set)
    for path in paths:
        try:
            table = _read_cells(path, question_set, hint, import_options, on_invalid)
        except ResponsesError as exc:
            errors.extend(exc.problems)
            omitted += exc.omitted
            continue
        conversion = cells_to_responses(table, question_set, on_invalid=on_invalid)
        errors.extend(conversion.errors)
        omitted += conversion.omitted
        parts.append(conversion.responses)
    if strict:
        errors.extend(replace(w, severity="error") for part in parts for w in part.warnings)
    if errors or omitted:
        raise ResponsesError(errors[:MAX_PROBLEMS],
                             omitted=omitted + max(0, len(errors) - MAX_PROBLEMS))
    return concat(parts)
