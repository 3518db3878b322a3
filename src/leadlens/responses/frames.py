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
from pathlib import Path
from typing import Any

from leadlens.errors import Code, Problem, ResponsesError
from leadlens.files import InputError, read_head, read_input
from leadlens.responses.cells import CellTable, Column
from leadlens.responses.problems import duplicate_header

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


def frame_cells(frame: Any, source: str | None = None) -> CellTable:
    """A DataFrame's column names and cells as a :class:`CellTable`.

    Args:
        frame: a polars DataFrame or LazyFrame, a pandas DataFrame, or anything narwhals
            reads or that offers ``__arrow_c_stream__``.
        source: how to name it in messages (default: :func:`frame_name`).

    Raises:
        ResponsesError: duplicate or empty column names.
        TypeError: ``frame`` is not a table.
    """
    import narwhals as nw

    name = source or frame_name(frame)
    if hasattr(frame, "collect") and type(frame).__name__ == "LazyFrame":
        frame = frame.collect()
    if not nw.dependencies.is_into_dataframe(frame) and hasattr(frame, "__arrow_c_stream__"):
        import polars as pl

        frame = pl.DataFrame(frame)
    table = nw.from_native(frame, eager_only=True)
    header = [str(column) for column in table.columns]
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
    if nw.dependencies.is_polars_dataframe(native):
        columns = {i: _polars_column(series) for i, series in enumerate(native.iter_columns())}
    else:
        columns = {i: Column.from_cells([_text(value) for value in series.to_list()])
                   for i, series in enumerate(table.iter_columns())}
    return CellTable(name, header, columns, rows, lambda: range(1, rows + 1), header_line=None)


def _polars_column(series: Any) -> Column:
    """A polars column as cells, converted by polars itself (several times faster than
    :func:`_text` on each cell, with the same result)."""
    import polars as pl

    from leadlens.responses.cells import _encode

    dtype = series.dtype
    if dtype.is_float():
        whole = series.is_finite() & (series == series.round()) & (series.abs() < _EXACT)
        text = (pl.select(pl.when(series.is_nan()).then(None)
                          .when(whole).then(series.cast(pl.Int64, strict=False).cast(pl.String))
                          .otherwise(series.cast(pl.String))).to_series())
    elif dtype == pl.String:
        text = series
    elif dtype.is_numeric() or dtype == pl.Boolean or isinstance(dtype, pl.Enum | pl.Categorical):
        text = series.cast(pl.String)
    else:
        return Column.from_cells([_text(value) for value in series.to_list()])
    return _encode(text.cast(pl.Categorical(pl.Categories.random())))


def read_parquet_cells(path: Path, source: str | None = None) -> CellTable:
    """A Parquet file's columns (the CSV layout's names; integer or text answers) as cells.

    Raises:
        ResponsesError: the file cannot be read or is not Parquet.
    """
    import io

    import polars as pl

    name = source or str(path)
    data = read_input(path, "responses file", name=name, error=ResponsesError)  # size-capped
    try:
        frame = pl.read_parquet(io.BytesIO(data))
    except pl.exceptions.PolarsError as exc:
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ResponsesError([Problem(file=name, message=f"not a readable Parquet file: "
                                      f"{detail}", hint="Write it again with polars, pandas "
                                      "or R's arrow package, or give a CSV",
                                      code=Code.RESPONSES_NOT_PARQUET)]) from None
    return frame_cells(frame, name)


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
