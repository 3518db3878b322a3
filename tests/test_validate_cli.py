"""`leadlens validate`, `schema`, `list` and `show` as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from conftest import MINIMAL_SET, REPO
from leadlens.cli import app
from leadlens.questionset.schemas import SCHEMA_FILES, json_schema_text

runner = CliRunner()

BAD = MINIMAL_SET.replace("principle: basics, text: One", "principle: basic, text: One") \
    .replace('version: "1.0"', "version: 1.0").replace("questions:\n", "questons: []\nquestions:\n")


def test_validate_bundled_folder_passes() -> None:
    result = runner.invoke(app, ["validate", str(REPO / "question_sets")])
    assert result.exit_code == 0, result.output
    assert "ggi-systems-leadership.yaml: ok" in result.stdout
    assert "0 invalid (0 errors, 0 warnings)" in result.stderr


def test_validate_reports_three_mistakes_with_lines(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD)
    result = runner.invoke(app, ["validate", str(bad)])
    assert result.exit_code == 1
    lines = [line for line in result.stdout.splitlines() if ": warning: " not in line]
    assert [line.split(": ")[0] for line in lines] == [f"{bad}:4:10", f"{bad}:23:1",
                                                       f"{bad}:25:25"]
    assert "1 invalid (3 errors, 1 warning)" in result.stderr


def test_validate_json_format(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD)
    result = runner.invoke(app, ["validate", "--format", "json", str(bad)])
    assert result.exit_code == 1
    problems = json.loads(result.stdout)
    assert [p["severity"] for p in problems] == ["error", "warning", "error", "error"]
    assert [p["code"] for p in problems] == [
        "schema.wrong-type", "questionset.few-questions", "schema.unknown-key",
        "questionset.unknown-principle"]
    assert problems[3] == {
        "code": "questionset.unknown-principle",
        "file": str(bad), "line": 25, "col": 25, "column": None,
        "path": "questions[0].principle", "severity": "error",
        "message": "unknown principle 'basic'", "hint": "Did you mean 'basics'?"}


def test_validate_github_format(tmp_path: Path) -> None:
    bad = tmp_path / "a,b.yaml"
    bad.write_text(BAD)
    result = runner.invoke(app, ["validate", "-f", "github", str(bad)])
    assert result.exit_code == 1
    first = result.stdout.splitlines()[0]
    assert first.startswith("::error file=")
    assert "a%2Cb.yaml,line=4,col=10::version: expected text" in first


def test_warnings_pass_unless_strict(tmp_path: Path) -> None:
    path = tmp_path / "two.yaml"
    path.write_text(MINIMAL_SET.replace(
        "  - {id: b3, principle: basics, text: Three, scale: agreement}\n", ""))
    ok = runner.invoke(app, ["validate", str(path)])
    assert ok.exit_code == 0
    assert "warning: principles[0].id: principle 'basics' has only 2 scored questions" in ok.stdout
    strict = runner.invoke(app, ["validate", "--strict", str(path)])
    assert strict.exit_code == 1


def test_validate_usage_errors_exit_2(tmp_path: Path) -> None:
    missing = runner.invoke(app, ["validate", str(tmp_path / "missing.yaml")])
    assert missing.exit_code == 1  # bad input, like every other unreadable file
    assert missing.stdout == (f"{tmp_path / 'missing.yaml'}: cannot read: "
                              "No such file or directory\n")
    assert runner.invoke(app, ["validate", str(tmp_path)]).exit_code == 2  # no YAML inside
    assert runner.invoke(app, ["validate"]).exit_code == 2
    assert runner.invoke(app, ["validate", "--format", "xml", str(tmp_path)]).exit_code == 2


def test_output_is_not_wrapped_when_piped(tmp_path: Path) -> None:
    bad = tmp_path / ("x" * 150 + ".yaml")
    bad.write_text(BAD)
    proc = subprocess.run([sys.executable, "-m", "leadlens", "validate", str(bad)],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 1
    assert len(proc.stdout.splitlines()) == 4
    assert "Traceback" not in proc.stderr


def test_committed_schemas_are_current() -> None:
    for name, filename in SCHEMA_FILES.items():
        committed = (REPO / "schema" / filename).read_text(encoding="utf-8")
        flag = "" if name == "question-set" else f" --{name}"
        assert committed == json_schema_text(name), (
            f"schema/{filename} is stale: run `leadlens schema{flag} > schema/{filename}`")


def test_schema_command_prints_json_schema() -> None:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert "questions" in schema["required"]
    assert schema["additionalProperties"] is False


def test_list_and_show() -> None:
    listed = runner.invoke(app, ["list"])
    assert listed.exit_code == 0
    assert listed.stdout.startswith("ggi-systems-leadership\t2.1.0\t")
    shown = runner.invoke(app, ["show"])
    assert shown.exit_code == 0
    assert "Understanding the basics" in shown.stdout
    assert "Embracing complexity" in shown.stdout


def test_show_keeps_markup_literal(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(MINIMAL_SET.replace("text: One", 'text: "[bold]One[/bold] [/x]"'))
    shown = runner.invoke(app, ["show", str(path)])
    assert shown.exit_code == 0, shown.output
    assert "[bold]One[/bold] [/x]" in shown.stdout


def test_show_unknown_set_is_a_clean_error() -> None:
    result = runner.invoke(app, ["show", "nope"])
    assert result.exit_code == 1
    assert result.stderr.startswith("nope: no such question-set file or bundled id")


def test_version_and_help_list_every_command() -> None:
    assert runner.invoke(app, ["--version"]).stdout.startswith("leadlens ")
    help_text = runner.invoke(app, ["--help"]).stdout
    for command in ("validate", "schema", "list", "show"):
        assert command in help_text
