"""One run's inputs together are bounded (issue 16): each file may hold up to 100,000
columns, and the files of one ``score`` (or the waves of one ``compare`` or ``trend``, given
as responses) hold at most that many in all, refused at the file that passes it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from leadlens.cli import app
from leadlens.errors import Code
from leadlens.responses.limits import MAX_RUN_CELLS, MAX_RUN_COLUMNS, RunBudget
from test_hostile_mapping import SET

Write = Callable[[str, "str | bytes"], Path]
runner = CliRunner()
WIDE = 30_001
"""Extra columns per file: three such files pass the run's bound only with a fourth."""


def _wide(write: Write, name: str, extra: int = WIDE) -> Path:
    header = ",".join(["org", "a1", "a2", "b1", "b2"] + [f"x{i}" for i in range(extra)])
    rows = "\n".join(",".join(["Acme", "1", "2", "3", "4"] + [""] * extra) for _ in range(3))
    return write(name, f"{header}\n{rows}\n")


def test_score_of_files_over_the_run_bound_is_refused_at_the_file_that_passes_it(
        write: Write) -> None:
    qs = write("qs.yaml", SET)
    files = [_wide(write, f"r{n}.csv") for n in range(4)]
    result = runner.invoke(app, ["score", *map(str, files), "-q", str(qs), "-o",
                                 str(files[0].with_name("out.json"))])
    assert result.exit_code == 1 and result.stdout == ""
    total = 4 * (WIDE + 5)
    assert result.stderr == (
        f"{files[3]}: too large for one run: with this file, its 4 responses files hold "
        f"{total:,} columns in all; one run reads at most {MAX_RUN_COLUMNS:,} columns. Give "
        "only the columns of the survey, or read fewer files at once\n")
    assert not files[0].with_name("out.json").exists()
    # Three of them are within the bound.
    assert runner.invoke(app, ["score", *map(str, files[:3]), "-q", str(qs)]).exit_code == 0


@pytest.mark.parametrize("command", ["compare", "trend"])
def test_waves_given_as_responses_share_the_run_bound(write: Write, command: str) -> None:
    qs = write("qs.yaml", SET)
    count = 2 if command == "compare" else 3
    extra = MAX_RUN_COLUMNS // count  # each wave within the file bound, all of them not
    files = [_wide(write, f"w{n}.csv", extra) for n in range(count)]
    result = runner.invoke(app, [command, *map(str, files), "-q", str(qs)])
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith(
        f"{files[-1]}: too large for one run: with this file, its {count} responses files "
        f"hold {count * (extra + 5):,} columns in all")
    assert "Traceback" not in result.output


def test_the_budget_counts_cells_too() -> None:
    budget = RunBudget()
    assert budget.take("a.parquet", 1000, MAX_RUN_CELLS // 2000) is None
    assert budget.take("b.parquet", 1000, MAX_RUN_CELLS // 2000) is None
    over = budget.take("c.parquet", 10, 1000)
    assert over is not None and over.code is Code.RESPONSES_RUN_TOO_LARGE
    assert over.file == "c.parquet" and f"one run reads at most {MAX_RUN_CELLS:,} cells" in (
        over.message)
    assert (budget.files, budget.columns) == (2, 2000)  # a refused file is not counted


def test_ten_national_waves_fit_one_run() -> None:
    """Issue 17's ten waves of a million respondents (35 columns each), and ten years of a
    national staff survey (680,000 by 100), are one run."""
    for columns, rows in ((35, 1_000_000), (100, 680_000)):
        budget = RunBudget()
        assert all(budget.take(f"wave{k}.csv", columns, rows) is None for k in range(10))


def test_one_file_over_the_bound_is_said_as_one_file() -> None:
    over = RunBudget().take("wide.csv", MAX_RUN_COLUMNS + 1, 1)
    assert over is not None and over.message.startswith(
        f"too large for one run: it holds {MAX_RUN_COLUMNS + 1:,} columns;")
