"""An output that is one of the command's own inputs is refused, even with --force (tester
F4: ``score same.csv -o same.csv --force`` replaced the raw responses by scores), by name,
through a symbolic link and through a hard link; and --workshop-record names a FIFO the way
every other file option does (tester F5)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import EXAMPLES
from leadlens.cli import app

runner = CliRunner()
REFUSED = "is one of this command's inputs"


def _same(tmp_path: Path, source: Path) -> Path:
    return source


def _symlink(tmp_path: Path, source: Path) -> Path:
    link = tmp_path / ("link" + source.suffix)
    link.symlink_to(source.name)
    return link


def _hardlink(tmp_path: Path, source: Path) -> Path:
    link = tmp_path / ("hard" + source.suffix)
    os.link(source, link)
    return link


HOW = [_same, _symlink, _hardlink]


def _refused(args: list[str], target: Path, kept: Path, before: bytes) -> None:
    result = runner.invoke(app, [*args, "-o", str(target), "--force"])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{target}: {REFUSED}"), result.stderr
    assert kept.read_bytes() == before  # nothing lost


@pytest.mark.parametrize("how", HOW, ids=lambda f: f.__name__)
def test_score_refuses_its_own_responses(tmp_path: Path, how: Callable[[Path, Path], Path]
                                         ) -> None:
    responses = tmp_path / "same.csv"
    shutil.copy(EXAMPLES / "responses.csv", responses)
    before = responses.read_bytes()
    _refused(["score", str(responses), "-f", "csv"], how(tmp_path, responses), responses,
             before)


@pytest.mark.parametrize("how", HOW, ids=lambda f: f.__name__)
def test_report_refuses_its_own_results(tmp_path: Path, how: Callable[[Path, Path], Path]
                                        ) -> None:
    results = tmp_path / "results.md"
    assert runner.invoke(app, ["score", str(EXAMPLES / "responses.csv"), "-o",
                               str(tmp_path / "r.json")]).exit_code == 0
    shutil.copy(tmp_path / "r.json", results)
    before = results.read_bytes()
    _refused(["report", str(results), "--format", "md"], how(tmp_path, results), results,
             before)


def test_compare_and_trend_refuse_a_wave(tmp_path: Path) -> None:
    waves = [tmp_path / f"w{i}.csv" for i in range(3)]
    for wave in waves:
        shutil.copy(EXAMPLES / "responses.csv", wave)
    before = waves[1].read_bytes()
    _refused(["compare", str(waves[0]), str(waves[1]), "--format", "json"], waves[1],
             waves[1], before)
    _refused(["trend", *map(str, waves), "--format", "json"], _symlink(tmp_path, waves[1]),
             waves[1], before)


def test_another_output_is_still_written(tmp_path: Path) -> None:
    responses = tmp_path / "same.csv"
    shutil.copy(EXAMPLES / "responses.csv", responses)
    out = tmp_path / "scores.csv"
    out.write_text("old\n")
    result = runner.invoke(app, ["score", str(responses), "-o", str(out), "--force"])
    assert result.exit_code == 0, result.output
    assert out.read_text() != "old\n"


def test_workshop_record_fifo_is_named_as_a_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "ff"
    os.mkfifo(fifo)
    result = runner.invoke(app, [
        "score", str(EXAMPLES / "responses.csv"), "--agreed",
        str(EXAMPLES / "board.agreed.yaml"), "--workshop-record", str(fifo),
        "-o", str(tmp_path / "out.html")])
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(f"{fifo}: is a FIFO (named pipe), not a regular file"), \
        result.stderr
    assert not (tmp_path / "out.html").exists()
