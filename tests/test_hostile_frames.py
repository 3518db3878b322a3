"""DataFrames and Parquet files under the same bounds as CSV files.

A cell over 128 KiB, more than 100,000 columns, 50,000,000 rows or 256 Mi cells end in a
located error, found before the cells are converted; a Parquet file's declarations (rows,
columns, the bytes its pages unpack to) are read from its footer and page headers before a
page is decoded, so a few kilobytes declaring a gigabyte are refused at once. A damaged,
truncated or hostile Parquet file is one clear line, never a traceback or a Rust panic.
"""

from __future__ import annotations

import io
import random
import struct
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pandas as pd
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import leadlens
from conftest import MINIMAL_SET
from leadlens.cli import app
from leadlens.errors import ResponsesError
from leadlens.responses import frames
from leadlens.responses.parquet_footer import FooterError, read_declared

runner = CliRunner()
SRC = str(Path(__file__).resolve().parents[1] / "src")
QS = MINIMAL_SET.replace(
    "  - {id: b3, principle: basics, text: Three, scale: agreement}\n",
    "  - {id: b3, principle: basics, text: Three, scale: agreement}\n"
    "  - {id: note, text: Anything else?, type: text}\n")
CELL = ("a cell of 200,000 bytes; a responses table's cells may be at most 128 KiB. Shorten it, "
        "or leave the column out")
SPLIT = "Give only the columns and rows of one survey, or split it"


@pytest.fixture(scope="module")
def qs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("qs") / "qs.yaml"
    path.write_text(QS, encoding="utf-8")
    return path


def _base(rows: int = 6) -> dict[str, list[str]]:
    return {"organisation": ["A"] * rows, "b1": ["1"] * rows, "b2": ["2"] * rows,
            "b3": ["3"] * rows}


def _problems(data: object, qs: Path) -> list[str]:
    with pytest.raises(ResponsesError) as caught:
        leadlens.score(data, qs)
    return [str(p) for p in caught.value.problems]


def _parquet(path: Path, frame: pl.DataFrame, **options: object) -> Path:
    frame.write_parquet(path, **options)  # type: ignore[arg-type]
    return path


# --- cells ------------------------------------------------------------------------------------

def test_a_huge_cell_in_a_polars_frame_is_located(qs: Path) -> None:
    frame = pl.DataFrame({**_base(), "note": ["x"] * 5 + ["y" * 200_000]})
    assert _problems(frame, qs) == [f"<polars DataFrame>:6: column 'note': {CELL}"]


def test_a_huge_cell_in_a_pandas_frame_is_located(qs: Path) -> None:
    frame = pd.DataFrame({**_base(), "note": ["x", "y" * 200_000, "x", "x", "x", "x"]})
    assert _problems(frame, qs) == [f"<pandas DataFrame>:2: column 'note': {CELL}"]


def test_huge_cells_in_several_columns_are_all_listed(qs: Path) -> None:
    frame = pl.DataFrame({**_base(), "note": ["y" * 200_000] + ["x"] * 5,
                          "other": ["x"] * 3 + ["z" * 200_000] + ["x"] * 2})
    assert _problems(frame, qs) == [f"<polars DataFrame>:1: column 'note': {CELL}",
                                    f"<polars DataFrame>:4: column 'other': {CELL}"]


def test_a_huge_binary_or_list_cell_is_located(qs: Path) -> None:
    frame = pl.DataFrame({**_base(), "blob": [b"x"] * 5 + [b"y" * 200_000]})
    assert _problems(frame, qs) == [f"<polars DataFrame>:6: column 'blob': {CELL}"]
    frame = pl.DataFrame({**_base(), "items": [[1]] * 5 + [list(range(60_000))]})
    [problem] = _problems(frame, qs)
    assert problem.startswith("<polars DataFrame>:6: column 'items': a cell of ")


def test_a_huge_cell_in_a_parquet_file_is_located(tmp_path: Path, qs: Path) -> None:
    path = _parquet(tmp_path / "r.parquet",
                    pl.DataFrame({**_base(), "note": ["x"] * 2 + ["y" * 200_000] + ["x"] * 3}))
    result = runner.invoke(app, ["score", "-q", str(qs), str(path)])
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"{path}:3: column 'note': {CELL}\n"


# --- shape ------------------------------------------------------------------------------------

def test_too_many_columns_is_refused_before_any_cell(qs: Path) -> None:
    frame = pl.DataFrame({f"x{i}": [1] for i in range(100_001)})
    start = time.monotonic()
    assert _problems(frame, qs) == [
        "<polars DataFrame>: too large: 100,001 columns; a table of responses may have at most "
        f"100,000 columns. {SPLIT}"]
    assert time.monotonic() - start < 10


def test_a_lazy_frame_of_a_billion_rows_is_refused_without_computing_it(qs: Path) -> None:
    lazy = pl.LazyFrame({"a": [1]}).select(pl.repeat("A", 10**9).alias("organisation"))
    start = time.monotonic()
    assert _problems(lazy, qs) == [
        "<polars LazyFrame>: too large: 1,000,000,000 rows; a table of responses may have at "
        f"most 50,000,000 rows. {SPLIT}"]
    assert time.monotonic() - start < 5


def test_too_many_rows_or_cells_in_a_frame(qs: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(frames, "MAX_ROWS", 100)
    assert _problems(pd.DataFrame(_base(101)), qs) == [
        "<pandas DataFrame>: too large: 101 rows; a table of responses may have at most 100 "
        f"rows. {SPLIT}"]
    monkeypatch.setattr(frames, "MAX_CELLS", 300)
    assert _problems(pl.DataFrame(_base(80)), qs) == [
        "<polars DataFrame>: too large: 320 cells (80 rows x 4 columns); a table of responses "
        f"may have at most 300 cells. {SPLIT}"]


# --- Parquet declarations ---------------------------------------------------------------------

def test_the_footer_reader_agrees_with_polars(tmp_path: Path) -> None:
    frame = pl.DataFrame({"a": list(range(30_000)), "b": [None] * 30_000,
                          "c": [f"t{i}" for i in range(30_000)]})
    for compression in ("zstd", "snappy", "gzip", "lz4", "uncompressed"):
        path = _parquet(tmp_path / f"{compression}.parquet", frame, compression=compression,
                        row_group_size=7_000)
        declared = read_declared(path.read_bytes())
        assert (declared.columns, declared.rows, declared.values) == (3, 30_000, 90_000)
        assert declared.unpacked > 0


def test_a_tiny_file_declaring_huge_pages_is_refused_before_decoding(
        tmp_path: Path, qs: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # 50 MiB of one letter compresses to a few KB: a zip bomb in miniature
    path = _parquet(tmp_path / "bomb.parquet",
                    pl.DataFrame({**_base(1), "note": ["x" * (50 * 1024 * 1024)]}))
    assert path.stat().st_size < 20_000
    assert read_declared(path.read_bytes()).unpacked > 50 * 1024 * 1024
    monkeypatch.setattr(frames, "MAX_UNPACKED_BYTES", 16 * 1024 * 1024)
    monkeypatch.setattr(pl, "read_parquet", None)  # it must not be reached
    unpacked = read_declared(path.read_bytes()).unpacked
    assert _problems(path, qs) == [
        f"{path}: too large: its pages unpack to {unpacked:,} bytes; a table of responses may "
        f"have at most 16 MiB unpacked. {SPLIT}"]


def test_declared_rows_are_refused_before_decoding(tmp_path: Path, qs: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    frame = pl.select(pl.repeat("A", 60_000_000).alias("organisation"))
    path = _parquet(tmp_path / "rows.parquet", frame)
    del frame
    assert path.stat().st_size < 5_000_000
    monkeypatch.setattr(pl, "read_parquet", None)  # refused from the footer alone
    assert _problems(path, qs) == [
        f"{path}: too large: 60,000,000 rows; a table of responses may have at most "
        f"50,000,000 rows. {SPLIT}"]


def _valid_parquet() -> bytes:
    buffer = io.BytesIO()
    pl.DataFrame({**_base(40), "note": [f"comment {i}" for i in range(40)]}).write_parquet(
        buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(("damage", "expected"), [
    (lambda d: d[:-20], "it does not start and end with PAR1 (truncated, or not Parquet)"),
    (lambda d: d[:len(d) // 2], "it does not start and end with PAR1"),
    (lambda d: d[:-8] + struct.pack("<I", 2**31) + b"PAR1", "its footer declares "
     "2,147,483,648 bytes of metadata in a file of"),
    (lambda d: b"PAR1" + b"\x1c" * 5000 + struct.pack("<I", 5000) + b"PAR1",
     "the metadata is nested too deeply"),
    (lambda d: b"PAR1" + b"\x19\xf9" + b"\xff" * 8 + b"\x01" + b"\x00" * 4
     + struct.pack("<I", 15) + b"PAR1", "a list in the metadata is longer than the metadata"),
    (lambda d: b"PAR1PAR1", "it does not start and end with PAR1"),
    (lambda d: b"PAR1" + b"\x00" * 100, "it does not start and end with PAR1"),
])
def test_damaged_parquet_is_one_clear_line(tmp_path: Path, qs: Path, damage: object,
                                           expected: str) -> None:
    path = tmp_path / "bad.parquet"
    path.write_bytes(damage(_valid_parquet()))  # type: ignore[operator]
    result = runner.invoke(app, ["score", "-q", str(qs), str(path)])
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.startswith(f"{path}: not a readable Parquet file: {expected}"), \
        result.stderr
    assert result.stderr.count("\n") == 1


def test_the_footer_reader_refuses_rather_than_allocating() -> None:
    with pytest.raises(FooterError):
        read_declared(b"PAR1" + b"\x18\xff\xff\xff\xff\x0f" + struct.pack("<I", 6) + b"PAR1")


def _damaged_is_read_or_refused(tmp_path: Path, qs: Path, capfd: pytest.CaptureFixture[str],
                                seed: int, flips: int) -> None:
    rng = random.Random(seed)
    data = bytearray(_valid_parquet())
    for _ in range(flips):
        data[rng.randrange(4, len(data) - 4)] = rng.randrange(256)
    path = tmp_path / "f.parquet"
    path.write_bytes(bytes(data))
    try:
        leadlens.score(path, qs, allow_missing_questions=True)
    except ResponsesError as exc:
        assert all(str(p).startswith(str(path)) for p in exc.problems)
    captured = capfd.readouterr()
    assert "panicked" not in captured.err
    assert "Fatal Python error" not in captured.err


# Random (no longer derandomized): a damage that makes polars' decoder abort stops only the
# child process decoding the pages (tests/test_parquet_child.py), not the test run. Each
# decode starts a fresh interpreter here (pytest runs threads), about 0.25 s: few examples in
# the quick suite, many in the slow one.
@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), flips=st.integers(1, 12))
def test_any_damaged_parquet_is_read_or_refused_cleanly(tmp_path: Path, qs: Path,
                                                        capfd: pytest.CaptureFixture[str],
                                                        seed: int, flips: int) -> None:
    """Property: random bytes changed anywhere in a Parquet file: scored or a located
    ResponsesError (every problem naming the file), never another exception, no Rust panic
    text, no abort."""
    _damaged_is_read_or_refused(tmp_path, qs, capfd, seed, flips)


@pytest.mark.slow
@settings(max_examples=1000, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), flips=st.integers(1, 12))
def test_many_damaged_parquet_files_are_read_or_refused_cleanly(
        tmp_path: Path, qs: Path, capfd: pytest.CaptureFixture[str], seed: int, flips: int
) -> None:
    """The same property over many more damaged files (one in about 4,000 aborted polars)."""
    _damaged_is_read_or_refused(tmp_path, qs, capfd, seed, flips)


@pytest.mark.slow
def test_a_parquet_file_with_a_1_gib_cell_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    """A 1 GiB cell compresses to a few KB; reading it is refused from its page headers,
    the reading process staying far below the size of the cell."""
    path = tmp_path / "gib.parquet"
    qs = tmp_path / "qs.yaml"
    qs.write_text(QS, encoding="utf-8")
    subprocess.run([sys.executable, "-c", textwrap.dedent(f"""
        import polars as pl
        pl.DataFrame({{"organisation": ["A"], "b1": ["1"], "b2": ["1"], "b3": ["1"],
                      "note": ["x" * 1024**3]}}).write_parquet({str(path)!r})
    """)], check=True, timeout=300)
    assert path.stat().st_size < 2_000_000
    script = textwrap.dedent(f"""
        import resource, sys
        resource.setrlimit(resource.RLIMIT_AS, (3 * 1024**3, 3 * 1024**3))
        from leadlens.cli import _app
        sys.argv = ["leadlens", "score", "-q", {str(qs)!r}, {str(path)!r}]
        try:
            _app.main()
        finally:
            # VmHWM, not ru_maxrss: after fork and exec, ru_maxrss may be the parent's
            status = open("/proc/self/status").read().split("VmHWM:")[1]
            print(status.split()[0], file=sys.stdout)
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=120, check=False, env={"PYTHONPATH": SRC,
                                                           "PATH": "/usr/bin:/bin"})
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith(f"{path}: too large: its pages unpack to 1,073,7")
    assert result.stderr.count("\n") == 1
    assert int(result.stdout.split()[-1]) < 400 * 1024  # KiB: under 400 MB resident


COLUMN_VALUES = st.one_of(
    st.lists(st.one_of(st.none(), st.integers(-10**12, 10**12)), min_size=6, max_size=6),
    st.lists(st.one_of(st.none(), st.floats()), min_size=6, max_size=6),
    st.lists(st.one_of(st.none(), st.text(max_size=5)), min_size=6, max_size=6),
    st.lists(st.one_of(st.none(), st.booleans()), min_size=6, max_size=6),
    st.lists(st.one_of(st.none(), st.binary(max_size=5)), min_size=6, max_size=6),
    st.lists(st.lists(st.integers(0, 5), max_size=3), min_size=6, max_size=6),
    st.lists(st.dates(), min_size=6, max_size=6),
)
NAMES = st.sampled_from(["organisation", "b1", "b2", "b3", "note", "respondent_id",
                         "submitted_at", "x", " b1", ""])


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(columns=st.lists(st.tuples(NAMES, COLUMN_VALUES), min_size=1, max_size=6),
       library=st.sampled_from(["polars", "pandas"]))
def test_any_frame_is_scored_or_refused_cleanly(qs: Path, columns: list[tuple[str, list[Any]]],
                                                library: str) -> None:
    """Property: DataFrames of any column types and names (duplicates, blanks, nested
    values, dates, NaN, huge integers): scored, or a ResponsesError/UsageError naming the
    frame; never another exception."""
    from leadlens.errors import UsageError

    data = {}
    for name, values in columns:
        data.setdefault(name, values)
    try:
        frame: Any = (pl.DataFrame(data, strict=False) if library == "polars"
                      else pd.DataFrame(data))
    except Exception:  # noqa: BLE001 - a frame the library itself will not build
        return
    try:
        leadlens.score(frame, qs, allow_missing_questions=True)
    except (ResponsesError, UsageError) as exc:
        assert exc.problems
        assert all(str(p).startswith(("<polars DataFrame>", "<pandas DataFrame>", "--"))
                   or p.path for p in exc.problems), [str(p) for p in exc.problems]


def _varint(n: int) -> bytes:
    out = b""
    while True:
        byte, n = n & 0x7F, n >> 7
        out += bytes([byte | (0x80 if n else 0)])
        if not n:
            return out


def test_millions_of_declared_columns_are_refused_from_the_schema_length(
        tmp_path: Path, qs: Path) -> None:
    """A footer whose schema declares 2,000,001 elements: refused on reading that length,
    before the (here absent) elements, in well under a second."""
    footer = b"\x29\xfc" + _varint(2_000_001) + b"\x00" * 64
    path = tmp_path / "wide.parquet"
    path.write_bytes(b"PAR1" + footer + struct.pack("<I", len(footer)) + b"PAR1")
    start = time.monotonic()
    assert _problems(path, qs) == [
        f"{path}: too large: 2,000,000 columns; a table of responses may have at most "
        f"100,000 columns. {SPLIT}"]
    assert time.monotonic() - start < 1


def test_a_billion_declared_rows_are_refused_from_the_row_count(tmp_path: Path, qs: Path
                                                               ) -> None:
    # schema: a root and one column; num_rows 10**9 (zigzag varint); no row groups at all
    schema = b"\x29\x2c" + b"\x18\x04root\x00" + b"\x18\x01a\x00"
    footer = schema + b"\x16" + _varint(2 * 10**9) + b"\x00"
    path = tmp_path / "rows.parquet"
    path.write_bytes(b"PAR1" + footer + struct.pack("<I", len(footer)) + b"PAR1")
    assert _problems(path, qs) == [
        f"{path}: too large: 1,000,000,000 rows; a table of responses may have at most "
        f"50,000,000 rows. {SPLIT}"]


def test_declared_cells_are_refused_from_the_row_count_before_the_row_groups(
        tmp_path: Path, qs: Path) -> None:
    """6 columns of 50,000,000 rows (each within its bound, 300 M cells past 256 Mi): refused
    on reading the row count, before the row groups (here damaged: read, they would be a
    different error). A file of 100,000 columns is answered so in 0.5 s, not 9.8 s."""
    root = b"\x48\x04root" + b"\x15\x0c" + b"\x00"  # name, num_children 6
    schema = b"\x29\x7c" + root + b"\x48\x01a\x00" * 6
    footer = schema + b"\x16" + _varint(2 * 50_000_000) + b"\x19" + b"\xff" * 8 + b"\x00"
    path = tmp_path / "cells.parquet"
    path.write_bytes(b"PAR1" + footer + struct.pack("<I", len(footer)) + b"PAR1")
    declared = read_declared(path.read_bytes(), max_cells=256 * 1024 * 1024)
    assert (declared.columns, declared.rows, declared.values) == (6, 50_000_000, 0)
    assert _problems(path, qs) == [
        f"{path}: too large: 300,000,000 cells (50,000,000 rows x 6 columns); a table of "
        f"responses may have at most 268,435,456 cells. {SPLIT}"]
