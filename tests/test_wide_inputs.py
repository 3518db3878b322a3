"""Wide inputs: ``inspect`` of a file with thousands of columns lists the first 500 and counts
the rest (as long lists of problems are cut); ``--format json`` still lists every one."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from leadlens.cli import app

runner = CliRunner()


def _wide_csv(path: Path, columns: int) -> Path:
    header = ",".join(f"extra{i}" for i in range(columns))
    path.write_text(header + "\n" + ",".join("x" for _ in range(columns)) + "\n",
                    encoding="utf-8")
    return path


def test_inspect_lists_the_first_500_columns_then_counts_the_rest(tmp_path: Path) -> None:
    path = _wide_csv(tmp_path / "wide.csv", 2_000)
    result = runner.invoke(app, ["inspect", str(path)])
    assert result.exit_code in (0, 1), result.output
    listed = [line for line in result.stdout.splitlines() if "extra" in line]
    assert len(listed) == 500
    assert listed[0].split()[0] == "1" and listed[-1].split()[0] == "500"
    assert "  ... and 1,500 more columns (--format json lists them all)" in result.stdout
    assert len(result.stdout.splitlines()) < 600


def test_inspect_lists_every_column_of_a_narrow_file_and_all_in_json(tmp_path: Path) -> None:
    path = _wide_csv(tmp_path / "narrow.csv", 500)
    result = runner.invoke(app, ["inspect", str(path)])
    assert sum("extra" in line for line in result.stdout.splitlines()) == 500
    assert "more columns" not in result.stdout
    wide = _wide_csv(tmp_path / "wide.csv", 2_000)
    document = json.loads(runner.invoke(app, ["inspect", "--format", "json", str(wide)]).stdout)
    assert len(document["columns"]) == 2_000
