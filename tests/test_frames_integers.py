"""Integer columns of a DataFrame or Parquet file become the cells polars' own cast to text
gives (:func:`leadlens.responses.frames._integer_column`), for every integer type, with and
without nulls, whatever range of values they span."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadlens.responses.frames import _integer_column

TYPES = [pl.Int8, pl.UInt8, pl.Int16, pl.UInt16, pl.Int32, pl.UInt32, pl.Int64, pl.UInt64]


def cells_of(series: pl.Series) -> list[str | None] | None:
    column = _integer_column(series)
    if column is None:
        return None
    assert column.labels == sorted(column.labels, key=int)  # distinct, in numeric order
    assert len(set(column.labels)) == len(column.labels)
    labels = [*column.labels, None]
    return [labels[c] for c in column.codes.tolist()]


@settings(max_examples=150, deadline=None)
@given(dtype=st.sampled_from(TYPES), data=st.data(), null_share=st.sampled_from([0, .1, 1]),
       size=st.integers(0, 300))
def test_integer_columns_read_as_polars_casts_them(dtype: pl.DataType, data: st.DataObject,
                                                   null_share: float, size: int) -> None:
    info = np.iinfo(str(dtype).lower())  # e.g. int8
    low = data.draw(st.integers(int(info.min), int(info.max)))
    span = data.draw(st.sampled_from([1, 5, 300, 70_000]))
    high = min(int(info.max), low + span)
    values = data.draw(st.lists(st.integers(low, high), min_size=size, max_size=size))
    nulls = data.draw(st.lists(st.booleans(), min_size=size, max_size=size)) \
        if null_share == .1 else [bool(null_share)] * size
    series = pl.Series([None if n else v for v, n in zip(values, nulls, strict=True)],
                       dtype=dtype)
    expected = series.cast(pl.String).to_list()
    got = cells_of(series)
    present = [v for v, n in zip(values, nulls, strict=True) if not n]
    if got is None:  # left to the general way: only for a wide span or huge values
        assert present and (max(present) - min(present) >= 65_536
                            or max(abs(min(present)), abs(max(present))) >= 2 ** 62)
        return
    assert got == expected


@pytest.mark.parametrize("dtype", [pl.Int8, pl.UInt8, pl.Int16, pl.UInt16])
def test_every_value_of_a_small_type(dtype: pl.DataType) -> None:
    info = np.iinfo(str(dtype).lower())
    width = min(int(info.max) - int(info.min), 60_000)
    series = pl.Series([*range(int(info.min), int(info.min) + width + 1), None], dtype=dtype)
    assert cells_of(series) == series.cast(pl.String).to_list()
