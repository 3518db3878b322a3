"""A Parquet file whose pages make polars' decoder abort the process is one located error.

Random damage to a small Parquet file made polars abort (SIGABRT, "Fatal Python error:
Aborted") about once in 4,000 tries; every case found was a data page header declaring a
negative number of values. Such a header is now refused before decoding (a located line),
and the pages are decoded in a child process, so an abort the header checks do not foresee
stops only the child. The damage is made here at test time, from a file polars writes.
"""

from __future__ import annotations

import io
import signal
import struct
import subprocess
import sys
import textwrap
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

import leadlens
from conftest import MINIMAL_SET
from leadlens.cli import app
from leadlens.errors import ResponsesError
from leadlens.responses import parquet_child, parquet_footer
from leadlens.responses.parquet_footer import _Reader

runner = CliRunner()
SRC = str(Path(__file__).resolve().parents[1] / "src")
HINT = "Write it again with polars, pandas or R's arrow package, or give a CSV"
ABORTED = ("not a readable Parquet file: its pages are damaged: polars' Parquet decoder "
           f"stopped (signal SIGABRT) reading it. {HINT}")
ROWS = 40


@pytest.fixture(scope="module")
def qs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("qs") / "qs.yaml"
    path.write_text(MINIMAL_SET, encoding="utf-8")
    return path


def _valid() -> bytes:
    buffer = io.BytesIO()
    pl.DataFrame({"organisation": ["A"] * ROWS, "b1": ["1"] * ROWS, "b2": ["2"] * ROWS,
                  "b3": ["3"] * ROWS}).write_parquet(buffer)
    return buffer.getvalue()


def _aborting(valid: bytes) -> bytes:
    """``valid`` with its first column's data page declaring -8 values instead of 40."""
    length = struct.unpack("<I", valid[-8:-4])[0]
    meta = _Reader(valid, len(valid) - 8 - length, len(valid) - 8).struct()
    data_page = meta[4][0][1][0][3][9]  # row group 0, column 0, its data page's offset
    # In the page header (Thrift compact): field 5, the data page header (0x2c), whose
    # field 1 is num_values as a zigzag varint (0x15, then 40 -> 0x50; -8 -> 0x0f).
    at = valid.index(b"\x2c\x15\x50", data_page, data_page + 64) + 2
    return valid[:at] + b"\x0f" + valid[at + 1:]


@pytest.fixture(scope="module")
def damaged(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, bytes]:
    valid = _valid()
    return valid, _aborting(valid)


def _polars_aborts(data: bytes, folder: Path) -> None:
    """Skip unless polars itself (in a process of its own) aborts on ``data``."""
    path = folder / "aborts.parquet"
    path.write_bytes(data)
    probe = subprocess.run(
        [sys.executable, "-c", "import io, sys, polars as pl\n"
         "pl.read_parquet(io.BytesIO(open(sys.argv[1], 'rb').read()))", str(path)],
        capture_output=True, timeout=120, check=False)
    if probe.returncode != -signal.SIGABRT:
        pytest.skip(f"this polars does not abort on the damage (exit {probe.returncode})")


def test_polars_aborts_but_the_child_only_stops(damaged: tuple[bytes, bytes],
                                                tmp_path: Path) -> None:
    _polars_aborts(damaged[1], tmp_path)
    with pytest.raises(parquet_child.Failure) as caught:
        parquet_child.decode(damaged[1], None)
    assert (caught.value.kind, caught.value.detail) == ("signal", "SIGABRT")
    assert parquet_child.decode(damaged[0], None).height == ROWS  # and this process goes on


def test_the_header_check_refuses_the_damage_before_decoding(
        damaged: tuple[bytes, bytes], tmp_path: Path, qs: Path) -> None:
    path = tmp_path / "responses.parquet"
    path.write_bytes(damaged[1])
    result = subprocess.run([sys.executable, "-m", "leadlens", "score", "-q", str(qs),
                             str(path)], capture_output=True, text=True, timeout=120,
                            check=False, env={"PYTHONPATH": SRC, "PATH": "/usr/bin:/bin"})
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (f"{path}: not a readable Parquet file: a page declares a negative "
                             f"number of values. {HINT}\n")


def _unseen(monkeypatch: pytest.MonkeyPatch, valid: bytes) -> None:
    """Make the damage one the header checks do not see: they are shown the intact file."""
    read_declared = parquet_footer.read_declared
    monkeypatch.setattr(parquet_footer, "read_declared",
                        lambda data, **bounds: read_declared(valid, **bounds))


def test_an_abort_the_checks_miss_is_one_located_line(
        damaged: tuple[bytes, bytes], tmp_path: Path, qs: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    _polars_aborts(damaged[1], tmp_path)
    path = tmp_path / "responses.parquet"
    path.write_bytes(damaged[1])
    _unseen(monkeypatch, damaged[0])
    result = runner.invoke(app, ["score", "-q", str(qs), str(path), "-o",
                                 str(tmp_path / "results.json")])
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"{path}: {ABORTED}\n"
    assert not (tmp_path / "results.json").exists()
    with pytest.raises(ResponsesError) as caught:
        leadlens.score(path, qs)
    assert [str(p) for p in caught.value.problems] == [f"{path}: {ABORTED}"]


@pytest.mark.parametrize("threads", [1, 3], ids=["fork", "fresh-interpreter"])
def test_a_real_process_survives_an_abort_either_way(
        damaged: tuple[bytes, bytes], tmp_path: Path, qs: Path, threads: int) -> None:
    """``leadlens score`` in a process of its own, the checks shown the intact file: exit 1
    and one line, whether the child is a fork (one thread: polars not yet imported) or a
    fresh interpreter (threads running)."""
    _polars_aborts(damaged[1], tmp_path)
    path = tmp_path / "responses.parquet"
    path.write_bytes(damaged[1])
    (tmp_path / "valid.parquet").write_bytes(damaged[0])
    script = textwrap.dedent(f"""
        import os, sys, threading
        from pathlib import Path
        from leadlens.responses import parquet_child, parquet_footer
        read_declared = parquet_footer.read_declared
        valid = Path({str(tmp_path / "valid.parquet")!r}).read_bytes()
        parquet_footer.read_declared = lambda data, **bounds: read_declared(valid, **bounds)
        held = threading.Event()
        for _ in range({threads} - 1):
            threading.Thread(target=held.wait, daemon=True).start()
        forks = []
        real_fork = os.fork
        os.fork = lambda: forks.append(1) or real_fork()
        sys.argv = ["leadlens", "score", "-q", {str(qs)!r}, {str(path)!r}]
        from leadlens.cli import _app
        try:
            _app.main()
        finally:
            print("forked" if forks else "spawned")
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=120, check=False,
                            env={"PYTHONPATH": SRC, "PATH": "/usr/bin:/bin"})
    assert result.returncode == 1, result.stderr
    assert result.stderr == f"{path}: {ABORTED}\n"
    assert "Fatal Python error" not in result.stderr
    assert result.stdout.split()[-1] == ("forked" if threads == 1 else "spawned")


def test_a_decoder_past_its_time_is_stopped(damaged: tuple[bytes, bytes], tmp_path: Path,
                                            qs: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "responses.parquet"
    path.write_bytes(damaged[0])
    monkeypatch.setattr(parquet_child, "DECODE_SECONDS", 0.001)
    result = runner.invoke(app, ["score", "-q", str(qs), str(path)])
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (f"{path}: not a readable Parquet file: its pages took more than "
                             f"0.001 s to decode (damaged, or too large for this machine). "
                             f"{HINT}\n")


def test_a_child_that_cannot_start_is_one_line(damaged: tuple[bytes, bytes], tmp_path: Path,
                                               qs: Path, monkeypatch: pytest.MonkeyPatch
                                               ) -> None:
    path = tmp_path / "responses.parquet"
    path.write_bytes(damaged[0])
    monkeypatch.setattr(parquet_child, "_BOOT", "raise SystemExit('no polars here')")
    monkeypatch.setattr(parquet_child, "_single_thread", lambda: False)
    result = runner.invoke(app, ["score", "-q", str(qs), str(path)])
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (f"{path}: not a readable Parquet file: it could not be decoded: "
                             f"no polars here. {HINT}\n")


def test_only_the_columns_read_are_decoded(tmp_path: Path, qs: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "responses.parquet"
    pl.DataFrame({"export_id": list(range(6)), "organisation": ["A"] * 6, "b1": ["1"] * 6,
                  "unused": ["x" * 1000] * 6, "b2": ["2"] * 6, "b3": [3] * 6}
                 ).write_parquet(path)
    asked: list[list[int] | None] = []
    decode = parquet_child.decode
    monkeypatch.setattr(parquet_child, "decode",
                        lambda data, columns, **kw: asked.append(columns) or decode(
                            data, columns, **kw))
    result = leadlens.score(path, qs)
    assert asked == [[1, 2, 4, 5]]
    assert result.respondents == 6


def test_without_memory_files_a_private_temporary_file_serves(
        damaged: tuple[bytes, bytes], monkeypatch: pytest.MonkeyPatch) -> None:
    """macOS has no ``memfd_create``: the child's output goes to an unlinked temporary file."""
    import os

    monkeypatch.delattr(os, "memfd_create")
    frame = parquet_child.decode(damaged[0], [0, 2])
    assert frame.columns == ["organisation", "b2"]
    assert frame.height == ROWS
