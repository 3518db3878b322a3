"""`leadlens inspect` as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import EXAMPLES
from import_fixtures import build_all
from leadlens.cli import app
from leadlens.questionset.loading import load_question_set

runner = CliRunner()


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("exports")
    built = build_all(load_question_set(None), EXAMPLES / "responses.csv", out)
    return {f.name: f.path for f in built} | {
        f"{f.name}.mapping": f.mapping for f in built if f.mapping}


def test_inspect_surveymonkey(exports: dict[str, Path]) -> None:
    path = exports["surveymonkey"]
    result = runner.invoke(app, ["inspect", str(path)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[:7] == [
        f"file: {path}", "platform: SurveyMonkey", "encoding: utf-8", "delimiter: comma",
        "header rows: 2 (lines 1, 2)", "responses: 60", "columns:"]
    assert "    1  respondent_id" in result.stdout
    assert any(line.split()[1:4] == ["question", "context-2@system", "Our"]
               and line.endswith("[System hat]  (question and perspective/timepoint)")
               for line in lines)
    assert lines[-1] == "questions with no column: none"
    assert result.stderr == ""


def test_inspect_cp1252_semicolons_and_sep_line(exports: dict[str, Path]) -> None:
    path = exports["excel-cp1252-semicolon-sep"]
    result = runner.invoke(app, ["inspect", str(path)])
    assert result.exit_code == 0
    assert "encoding: cp1252\ndelimiter: semicolon (from a sep= first line)\n" \
           "header rows: 1 (line 2)\n" in result.stdout
    # the line of the first pound sign (a comment in the example data), counted here
    line = next(i for i, text in enumerate(path.read_bytes().split(b"\n"), start=1)
                if b"\xa3" in text)
    assert result.stderr.startswith(f"{path}:{line}: warning: not UTF-8 (byte 0xa3)")


def test_inspect_json_lists_every_column(exports: dict[str, Path]) -> None:
    result = runner.invoke(app, ["inspect", "--format", "json", str(exports["qualtrics"])])
    document = json.loads(result.stdout)
    assert (document["platform"], document["header_lines"], document["records"]) == (
        "qualtrics", [1, 2, 3], 60)
    kinds = {c["kind"] for c in document["columns"]}
    assert kinds == {"metadata", "respondent_id", "submitted_at", "field", "question"}
    assert document["missing"] == [] and document["problems"] == []


def test_inspect_with_a_mapping_file(exports: dict[str, Path]) -> None:
    path = exports["limesurvey-codes"]
    unmapped = runner.invoke(app, ["inspect", str(path)])
    assert unmapped.exit_code == 0
    assert "questions with no column: basics-1, basics-2" in unmapped.stdout
    assert f"{path}:1: column 'G1[SQ001]': warning: matches no question" in unmapped.stderr
    # No column answers any question: one line says so, not one per question.
    assert f"{path}: warning: no column matches a question of 'ggi-systems-leadership': all " \
        in unmapped.stderr
    assert "question 'basics-1' matches no column" not in unmapped.stderr
    strict = runner.invoke(app, ["inspect", "--strict", str(path)])
    assert strict.exit_code == 1
    assert ": warning:" not in strict.stderr
    mapping = exports["limesurvey-codes.mapping"]
    mapped = runner.invoke(app, ["inspect", "--mapping", str(mapping), str(path)])
    assert mapped.exit_code == 0, mapped.output
    row = next(line for line in mapped.stdout.splitlines() if "G1[SQ001]" in line)
    assert row.split() == ["11", "question", "basics-1", "G1[SQ001]", f"({mapping}:",
                           "columns[3])"]
    assert mapped.stdout.rstrip().endswith("questions with no column: none")


def test_inspect_ambiguous_column_exits_1(tmp_path: Path) -> None:
    path = tmp_path / "twice.csv"
    path.write_text("basics-1,I understand how the other organisations in our system are "
                    "funded\n4,4\n", encoding="utf-8")
    result = runner.invoke(app, ["inspect", str(path)])
    assert result.exit_code == 1
    assert f"{path}:1: column 'basics-1': question 'basics-1' matches more than one column" \
        in result.stderr


def test_inspect_options_and_usage_errors(tmp_path: Path) -> None:
    path = tmp_path / "tabs.txt"
    path.write_bytes("basics-1\tbasics-2\n4\tAgree\n".encode("utf-16"))
    result = runner.invoke(app, ["inspect", "--delimiter", "tab", str(path)])
    assert result.exit_code == 0, result.output
    assert "encoding: utf-16 with byte-order mark\ndelimiter: tab\n" in result.stdout
    bad = runner.invoke(app, ["inspect", "--delimiter", "::", str(path)])
    assert bad.exit_code == 2
    assert "--delimiter must be one character" in bad.stderr
    wrong = runner.invoke(app, ["inspect", "--encoding", "ascii", str(path)])
    assert wrong.exit_code == 1
    assert wrong.stderr.startswith(f"{path}:1: byte 0xff is not valid ascii")


def test_untrusted_header_text_is_printed_escaped(tmp_path: Path) -> None:
    path = tmp_path / "evil.csv"
    path.write_text("basics-1,\x1b[31mred[/red]\n4,x\n", encoding="utf-8")
    result = runner.invoke(app, ["inspect", str(path)])
    assert "\x1b" not in result.stdout
    assert "\\x1b[31mred[/red]" in result.stdout


def test_inspect_a_leadlens_csv() -> None:
    result = runner.invoke(app, ["inspect", str(EXAMPLES / "responses.csv")])
    assert result.exit_code == 0, result.output
    assert "platform: leadlens responses CSV (read by the fast reader)\n" in result.stdout
    assert "  question basics-1" in result.stdout and "basics-1  (id)" in result.stdout
