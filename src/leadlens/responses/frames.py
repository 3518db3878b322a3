"""DataFrames and Parquet files as the responses reader's cell table.

Step 1 of reading responses for data that is already a table: polars or pandas DataFrames
handed to :func:`leadlens.score`, and Parquet files given to ``leadlens score``. Every cell
becomes text as the CSV reader would have read it (``4``, not ``4.0``, for a whole number a
pandas column holds as a float because it has gaps; NaN and nulls blank), so step 2
(:func:`leadlens.responses.reading.cells_to_responses`) applies the same rules, errors and
``scoring.missing_values`` to a frame as to a CSV file.

DataFrames are read through narwhals, which speaks polars, pandas, PyArrow and others with
their own APIs, so pandas needs neither PyArrow nor a copy through Arrow. A frame has no
lines: problems name its row, counting the first row as 1.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from leadlens.errors import Code, Problem, ResponsesError
from leadlens.files import InputError, read_head, read_input
from leadlens.responses.cells import CellTable, Column, ColumnHint
from leadlens.responses.limits import (
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_FIELD_BYTES,
    MAX_ROWS,
    MAX_UNPACKED_BYTES,
)
from leadlens.responses.problems import duplicate_header

if TYPE_CHECKING:
    from leadlens.responses.parquet_child import Failure

_EXACT = 2.0 ** 53
"""Floats below this in size are whole numbers exactly; larger ones are written as floats
(and so refused as answers, never turned into another number)."""

PARQUET_MAGIC = b"PAR1"
"""The first (and last) four bytes of every Parquet file."""


def is_parquet(path: Path) -> bool:
    """Whether ``path`` is a Parquet file, by its magic bytes (read through
    :func:`leadlens.files.read_head`, which never waits on a FIFO or reads a device). An input
    that cannot be looked at is not Parquet: the reader that takes it says why."""
    try:
        return read_head(path, len(PARQUET_MAGIC)) == PARQUET_MAGIC
    except InputError:
        return False


def frame_name(frame: object) -> str:
    """How a DataFrame is named in messages: ``<polars DataFrame>``, ``<pandas DataFrame>``."""
    library = type(frame).__module__.split(".", 1)[0]
    return f"<{library} {type(frame).__name__}>"


def is_frame(data: object) -> bool:
    """Whether ``data`` is a table narwhals reads, or has the Arrow PyCapsule interface."""
    if isinstance(data, str | bytes | os.PathLike | list | tuple | dict | set):
        return False  # the CLI's list of paths: no need to import narwhals (start-up)
    import narwhals as nw

    return (nw.dependencies.is_into_dataframe(data) or hasattr(data, "__arrow_c_stream__")
            or type(data).__name__ == "LazyFrame")


def frame_cells(frame: Any, source: str | None = None, *, header: list[str] | None = None,
                positions: list[int] | None = None) -> CellTable:
    """A DataFrame's column names and cells as a :class:`CellTable`.

    Args:
        frame: a polars DataFrame or LazyFrame, a pandas DataFrame, or anything narwhals
            reads or that offers ``__arrow_c_stream__``.
        source: how to name it in messages (default: :func:`frame_name`).
        header: the table's column names, when ``frame`` holds only some of its columns
            (a Parquet file's needed ones), which are at ``positions`` in it.

    Raises:
        ResponsesError: duplicate or empty column names.
        TypeError: ``frame`` is not a table.
    """
    import narwhals as nw

    name = source or frame_name(frame)
    if hasattr(frame, "collect") and type(frame).__name__ == "LazyFrame":
        import polars as pl

        _check_shape(name, frame.select(pl.len()).collect().item(),
                     len(frame.collect_schema()))  # before a row is computed
        frame = frame.collect()
    if not nw.dependencies.is_into_dataframe(frame) and hasattr(frame, "__arrow_c_stream__"):
        import polars as pl

        frame = pl.DataFrame(frame)
    table = nw.from_native(frame, eager_only=True)
    _check_shape(name, len(table), len(table.columns))
    if header is None:
        header = [str(column) for column in table.columns]
    at = list(positions) if positions is not None else list(range(len(header)))
    seen: dict[str, int] = {}
    problems: list[Problem] = []
    for position, column in enumerate(header, start=1):
        key = column.strip()
        if key in seen:
            problems.append(duplicate_header(name, None, key, seen[key], position))
        seen.setdefault(key, position)
    if problems:
        raise ResponsesError(problems)
    rows = len(table)
    native = nw.to_native(table)
    too_large: list[Problem] = []
    if nw.dependencies.is_polars_dataframe(native):
        columns = {at[i]: _polars_column(series, name, header[at[i]], too_large)
                   for i, series in enumerate(native.iter_columns())}
    else:
        columns = {at[i]: _bounded_column(series.to_list(), name, header[at[i]], too_large)
                   for i, series in enumerate(table.iter_columns())}
    if too_large:
        raise ResponsesError(too_large)
    return CellTable(name, header, columns, rows, lambda: range(1, rows + 1), header_line=None)


def _check_shape(name: str, rows: int, columns: int) -> None:
    """Refuse a table over :data:`MAX_COLUMNS`, :data:`MAX_ROWS` or :data:`MAX_CELLS`."""
    problems = []
    if columns > MAX_COLUMNS:
        problems.append(_too_large(name, f"{columns:,} columns", f"{MAX_COLUMNS:,} columns"))
    if rows > MAX_ROWS:
        problems.append(_too_large(name, f"{rows:,} rows", f"{MAX_ROWS:,} rows"))
    if not problems and rows * columns > MAX_CELLS:
        problems.append(_too_large(name, f"{rows * columns:,} cells ({rows:,} rows x "
                                         f"{columns:,} columns)", f"{MAX_CELLS:,} cells"))
    if problems:
        raise ResponsesError(problems)


def _too_large(name: str, has: str, most: str) -> Problem:
    return Problem(file=name, message=f"too large: {has}; a table of responses may have at "
                                      f"most {most}",
                   hint="Give only the columns and rows of one survey, or split it",
                   code=Code.RESPONSES_TOO_LARGE)


def _cell_too_large(name: str, row: int, column: str, size: int) -> Problem:
    return Problem(file=name, line=row, column=column,
                   message=f"a cell of {size:,} bytes; a responses table's cells may be at "
                           f"most {MAX_FIELD_BYTES // 1024:,} KiB",
                   hint="Shorten it, or leave the column out", code=Code.RESPONSES_CELL_TOO_LARGE)


def _bounded_column(values: list[Any], name: str, column: str, too_large: list[Problem]
                    ) -> Column:
    """Cells converted one by one (:func:`_text`); the first over :data:`MAX_FIELD_BYTES`
    is a problem (one per column)."""
    cells = []
    for row, value in enumerate(values, start=1):
        cell = _text(value)
        if cell is not None and len(cell) * 4 > MAX_FIELD_BYTES \
                and len(cell.encode("utf-8", "surrogatepass")) > MAX_FIELD_BYTES:
            too_large.append(_cell_too_large(name, row, column,
                                             len(cell.encode("utf-8", "surrogatepass"))))
            return Column.from_cells([])
        cells.append(cell)
    return Column.from_cells(cells)


def _polars_column(series: Any, name: str, column: str, too_large: list[Problem]) -> Column:
    """A polars column as cells, converted by polars itself (several times faster than
    :func:`_text` on each cell, with the same result); a cell over :data:`MAX_FIELD_BYTES`
    is a problem, found by polars before any cell becomes a Python string."""
    import polars as pl

    from leadlens.responses.cells import _encode

    dtype = series.dtype
    if dtype in (pl.String, pl.Binary):
        sizes = (series.str.len_bytes() if dtype == pl.String else series.bin.size())
        if (sizes.max() or 0) > MAX_FIELD_BYTES:
            row = int((sizes > MAX_FIELD_BYTES).arg_true()[0])
            too_large.append(_cell_too_large(name, row + 1, column, int(sizes[row])))
            return Column.from_cells([])
    if dtype.is_float():
        whole = series.is_finite() & (series == series.round()) & (series.abs() < _EXACT)
        text = (pl.select(pl.when(series.is_nan()).then(None)
                          .when(whole).then(series.cast(pl.Int64, strict=False).cast(pl.String))
                          .otherwise(series.cast(pl.String))).to_series())
    elif dtype == pl.String:
        text = series
    elif dtype.is_integer() and (integers := _integer_column(series)) is not None:
        return integers
    elif dtype.is_numeric() or dtype == pl.Boolean or isinstance(dtype, pl.Enum | pl.Categorical):
        text = series.cast(pl.String)
    else:
        return _bounded_column(series.to_list(), name, column, too_large)
    return _encode(text.cast(pl.Categorical(pl.Categories.random())))


def _integer_column(series: Any) -> Column | None:
    """An integer column as cells without a string per cell: each distinct value is made
    text once (``str`` writes integers as polars' cast does). Answers span a few values; a
    column spanning more than 65,536 (identifiers) is None, for the general way.

    No value is copied into a wider type: an 8- or 16-bit column (a Parquet file's answers)
    is counted and looked up through its bytes as unsigned numbers; a wider one is shifted
    by polars to offsets from its smallest value first. A cell costs a few bytes and no
    Python object.
    """
    import polars as pl

    if series.null_count() == series.len():
        return Column(np.zeros(series.len(), dtype=np.uint32), [])
    low, high = int(series.min()), int(series.max())
    if high - low >= 65_536 or max(abs(low), abs(high)) >= 2 ** 62:
        return None
    nulls = series.null_count()
    if series.dtype in (pl.Int8, pl.UInt8, pl.Int16, pl.UInt16):
        raw = (series.fill_null(low) if nulls else series).to_numpy()
        width = raw.dtype.itemsize
        index = raw.view(np.uint8 if width == 1 else np.uint16)  # bijective, no copy
        value_of = np.arange(256 ** width, dtype=index.dtype).view(raw.dtype)
    else:
        index = ((series.cast(pl.Int64) - low).cast(pl.UInt16).fill_null(0)
                 .to_numpy())
        value_of = np.arange(65_536, dtype=np.int64) + low
    counts = np.bincount(index, minlength=value_of.size)
    at = np.flatnonzero(counts)  # the indices present (the null stand-in ``low`` is one)
    ordered = at[np.argsort(value_of[at], kind="stable")]  # labels in numeric order
    code_type = np.uint8 if ordered.size < 255 else np.uint16
    lookup = np.zeros(value_of.size, dtype=code_type)
    lookup[ordered] = np.arange(ordered.size, dtype=code_type)
    codes = np.take(lookup, index)
    if nulls:
        codes[series.is_null().to_numpy()] = ordered.size
    return Column(codes, [str(int(v)) for v in value_of[ordered].tolist()])


def read_parquet_cells(path: Path, source: str | None = None,
                       hint: Callable[[str], ColumnHint] | None = None) -> CellTable:
    """A Parquet file's columns (the CSV layout's names; integer or text answers) as cells.

    Its pages are decoded in a child process (:mod:`leadlens.responses.parquet_child`), so
    a page that makes polars' decoder abort is one located error, not a crash.

    Args:
        path: the file, or ``-`` for standard input.
        source: how to name it in messages (default: ``str(path)``).
        hint: by (trimmed) column name, what the column will be read as; columns hinted
            ``skip`` are not decoded (as the CSV reader leaves them out). Default: all.

    Raises:
        ResponsesError: the file cannot be read or is not Parquet.
    """
    from leadlens.responses.parquet_child import Failure, decode
    from leadlens.responses.parquet_footer import FooterError, read_declared

    name = source or str(path)
    data = read_input(path, "responses file", name=name, error=ResponsesError)  # size-capped
    try:
        declared = read_declared(data, max_columns=MAX_COLUMNS, max_rows=MAX_ROWS,
                                 max_cells=MAX_CELLS)
    except FooterError as exc:
        raise ResponsesError([_not_parquet(name, str(exc))]) from None
    # What the file declares is checked before a page is unpacked: a few KB of Parquet can
    # declare a billion rows or a gigabyte cell.
    _check_shape(name, declared.rows, declared.columns)
    if declared.unpacked > MAX_UNPACKED_BYTES:
        raise ResponsesError([_too_large(
            name, f"its pages unpack to {declared.unpacked:,} bytes",
            f"{_binary_size(MAX_UNPACKED_BYTES)} unpacked")])
    header = list(declared.names)
    positions = ([i for i, column in enumerate(header) if hint(column.strip()) != "skip"]
                 if hint is not None else None) or None
    try:
        frame = decode(data, positions)
    except Failure as failure:
        raise ResponsesError([_not_parquet(name, _failure_detail(failure))]) from None
    del data
    if positions is None:
        return frame_cells(frame, name)
    if frame.columns != [header[i] for i in positions]:  # the footer read otherwise
        raise ResponsesError([_not_parquet(name, "its column names cannot be read")])
    return frame_cells(frame, name, header=header, positions=positions)


def _failure_detail(failure: Failure) -> str:
    """What a failed decode (:class:`~leadlens.responses.parquet_child.Failure`) means for
    the file."""
    kind, detail = failure.kind, failure.detail
    if kind == "panic":  # a Rust panic's text is an assertion deep inside polars
        return "its pages are damaged (they cannot be decoded)"
    if kind == "signal":
        return (f"its pages are damaged: polars' Parquet decoder stopped (signal {detail}) "
                "reading it")
    if kind == "timeout":
        return (f"its pages took more than {detail} s to decode (damaged, or too large for "
                "this machine)")
    if kind == "error":
        return detail
    return f"it could not be decoded: {detail or 'the decoder stopped before it finished'}"


def _binary_size(size: int) -> str:
    return f"{size / 1024**3:g} GiB" if size >= 1024**3 else f"{size / 1024**2:g} MiB"


def _not_parquet(name: str, detail: str) -> Problem:
    return Problem(file=name, message=f"not a readable Parquet file: {detail}",
                   hint="Write it again with polars, pandas or R's arrow package, or give a CSV",
                   code=Code.RESPONSES_NOT_PARQUET)


def _text(value: object) -> str | None:
    """One cell as the CSV reader sees it: whole floats without ``.0``, NaN and nulls blank."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return str(int(value)) if value.is_integer() and abs(value) < _EXACT else repr(value)
    if type(value).__name__ in ("NAType", "NaTType"):  # pandas' missing values
        return None
    item = getattr(value, "item", None)  # numpy scalars
    if callable(item):
        return _text(item())
    return str(value)
