"""``leadlens inspect`` on a Parquet file (and a DataFrame) as ``score`` reads it."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import polars as pl
import pytest
from typer.testing import CliRunner

from conftest import EXAMPLES
from leadlens.analysis.inspection import PARQUET, inspect_cells
from leadlens.cli import app
from leadlens.questionset.loading import load_question_set
from leadlens.responses.frames import frame_cells

runner = CliRunner()
RESPONSES = EXAMPLES / "responses.csv"


def _inspect(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["inspect", *args])
    return result.exit_code, result.stdout, result.stderr


def _columns(text: str) -> list[str]:
    return text[text.index("columns:"):].splitlines()


@pytest.mark.parametrize("answers", ["integers", "text"])
def test_a_parquet_file_is_inspected_with_the_csvs_columns(tmp_path: Path, answers: str
                                                           ) -> None:
    frame = pl.read_csv(RESPONSES, infer_schema=answers == "integers")
    path = tmp_path / "responses.parquet"
    frame.write_parquet(path)
    code, out, err = _inspect(str(path))
    assert (code, err) == (0, "")
    assert out.splitlines()[:6] == [
        f"file: {path}",
        "platform: Parquet file (read by its column names, as leadlens score reads it)",
        "encoding: utf-8 (Parquet)", "delimiter: none (Parquet)",
        "header rows: none (column names)", "responses: 60"]
    csv = _inspect(str(RESPONSES))
    assert csv[0] == 0 and _columns(out) == _columns(csv[1])
    code, out, err = _inspect(str(path), "-f", "json")
    document = json.loads(out)
    assert (code, document["platform"], document["records"], document["header_lines"]) == (
        0, "parquet", 60, [])
    assert document["columns"] == json.loads(_inspect(str(RESPONSES), "-f", "json")[1])[
        "columns"]


def test_a_parquet_columns_problems_name_the_column_not_a_line(tmp_path: Path) -> None:
    path = tmp_path / "renamed.parquet"
    pl.read_csv(RESPONSES).rename({"basics-1": "basics.1"}).write_parquet(path)
    code, out, err = _inspect(str(path))
    assert code == 0 and "questions with no column: basics-1" in out
    assert err.splitlines() == [
        f"{path}: column 'basics.1': warning: matches no question or respondent field; "
        "ignored",
        f"{path}: warning: question 'basics-1' matches no column; its answers would be "
        "missing (I understand how the other organisations in our system are funded.)"]
    strict = _inspect(str(path), "--strict")
    assert strict[0] == 1 and "warning" not in strict[2]


def test_a_broken_parquet_file_is_one_clean_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.parquet"
    path.write_bytes(b"PAR1 and then nothing a Parquet reader wants")
    code, out, err = _inspect(str(path))
    assert (code, out) == (1, "")
    assert err.startswith(f"{path}: not a readable Parquet file: ")
    assert len(err.splitlines()) == 1 and "Traceback" not in err


def test_a_dataframe_is_inspected_as_its_parquet_file_is(tmp_path: Path) -> None:
    qs = load_question_set(None)
    path = tmp_path / "responses.parquet"
    pl.read_csv(RESPONSES).write_parquet(path)
    from leadlens.analysis.inspection import inspect_file
    from leadlens.responses.exports import ImportOptions

    from_file = inspect_file(path, qs, ImportOptions())
    from_frame = inspect_cells(frame_cells(pd.read_csv(RESPONSES)), qs)
    assert from_frame.detection.platform == from_file.detection.platform == PARQUET
    assert from_frame.detection.records == 60
    assert [(m.kind, m.key) for m in from_frame.columns.matches] == [
        (m.kind, m.key) for m in from_file.columns.matches]
    assert from_frame.columns.missing == from_file.columns.missing == []
