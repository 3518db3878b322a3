"""A YAML file given as responses, or a CSV given as YAML: one line naming what it is and
the command that reads it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import EXAMPLES, REPO
from leadlens.cli import app

Write = Callable[[str, "str | bytes"], Path]
runner = CliRunner()


@pytest.mark.parametrize(("args", "expected"), [
    (["score", str(EXAMPLES / "answers.yaml")],
     "answers.yaml:1: an answers file (YAML), not responses. Add it to a responses file with: "
     "leadlens survey --answers "),
    (["inspect", str(EXAMPLES / "answers.yaml")], "an answers file (YAML), not responses"),
    (["score", str(REPO / "question_sets" / "ggi-systems-leadership.yaml")],
     "ggi-systems-leadership.yaml:1: a question set (YAML), not responses. Use it with "
     "--question-set "),
])
def test_a_yaml_file_given_as_responses(args: list[str], expected: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert result.stdout == ""
    [line] = result.stderr.strip().splitlines()
    assert expected in line


def test_a_mapping_file_given_as_responses(write: Write) -> None:
    path = write("map.yaml", 'answers:\n  agreement: {"6": "Don\'t know"}\n')
    result = runner.invoke(app, ["score", str(path)])
    assert result.exit_code == 1
    [line] = result.stderr.strip().splitlines()
    assert line.endswith(f"map.yaml:1: a mapping file (YAML), not responses. Use it with "
                         f"--mapping {path}")


@pytest.mark.parametrize(("args", "what"), [
    (["validate", str(EXAMPLES / "responses.csv")], "a question set"),
    (["survey", "--answers", str(EXAMPLES / "responses.csv"), "-o", "{tmp}/out.csv"],
     "an answers file"),
])
def test_a_csv_given_as_yaml(args: list[str], what: str, tmp_path: Path) -> None:
    result = runner.invoke(app, [a.format(tmp=tmp_path) for a in args])
    assert result.exit_code == 1
    problems = [line for line in result.output.splitlines() if "responses.csv:" in line]
    assert len(problems) == 1, result.output
    assert "responses.csv:1:1: a CSV file (a header of " in problems[0]
    assert f"'respondent_id', 'submitted_at', 'organisation', ...), not {what} (YAML)" in \
        problems[0]
    assert "leadlens score " in problems[0] and "YAML syntax" not in result.output


def test_yaml_with_commas_is_still_yaml(write: Write) -> None:
    from leadlens.source.kinds import csv_header

    assert csv_header("# a, b, c\nid: x\n") is None
    assert csv_header("title: a, b, c\nid: x, y, z\n") is None
    assert csv_header("- a, b, c\n- d, e, f\n") is None
    assert csv_header("a,b,c\n1,2,3\n") == ["a", "b", "c"]
    assert csv_header("a;b;c\n1;2;3\n") == ["a", "b", "c"]
