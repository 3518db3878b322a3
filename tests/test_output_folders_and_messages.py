"""Outputs into a missing folder are refused (never created), an answers file follows the
typed-answer rule for control characters, and a bad agreed date is one problem on one line
(tester F19.7-10)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from conftest import EXAMPLES
from leadlens.cli import app
from leadlens.workshop import server as workshop_server

runner = CliRunner()
RESPONSES = str(EXAMPLES / "responses.csv")
WAVE2 = str(EXAMPLES / "waves" / "wave-2025.csv")
WAVE3 = str(EXAMPLES / "waves" / "wave-2026.csv")


def _refused(result: Result, target: Path) -> None:
    assert result.exit_code == 1
    assert result.stdout == ""
    folder = target.parent
    assert result.stderr == (
        f"{target}: the folder {str(folder)!r} does not exist. Create it first (mkdir -p "
        f"{folder}), or check the path\n")
    assert not folder.exists()


@pytest.mark.parametrize("args", [
    ["score", RESPONSES, "-o", "{out}.json"],
    ["score", RESPONSES, "-o", "{out}.html"],
    ["compare", RESPONSES, WAVE2, "-o", "{out}.md"],
    ["trend", RESPONSES, WAVE2, WAVE3, "-o", "{out}.json"],
    ["template", "-o", "{out}.yaml"],
    ["survey", "-o", "{out}.csv", "--answers", str(EXAMPLES / "answers.yaml")],
], ids=lambda a: f"{a[0]}-{a[-1] if a[0] != 'survey' else 'answers'}")
def test_an_output_in_a_missing_folder_is_refused(tmp_path: Path, args: list[str]) -> None:
    target = tmp_path / "nodir" / "x"
    words = [w.replace("{out}", str(target)) for w in args]
    result = runner.invoke(app, words)
    _refused(result, Path(next(w for w in words if w.startswith(str(target)))))


def test_report_into_a_missing_folder_is_refused(tmp_path: Path) -> None:
    doc = tmp_path / "r.json"
    assert runner.invoke(app, ["score", RESPONSES, "-o", str(doc)]).exit_code == 0
    target = tmp_path / "nodir" / "r.md"
    _refused(runner.invoke(app, ["report", str(doc), "-o", str(target)]), target)


def test_workshop_into_a_missing_folder_is_refused(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    def serve(*args: object, **kwargs: object) -> None:
        raise AssertionError("the server must not start")

    monkeypatch.setattr(workshop_server, "serve", serve)
    target = tmp_path / "nodir" / "board.csv"
    _refused(runner.invoke(app, ["workshop", "-o", str(target), "--port", "0"]), target)


def test_an_answers_file_with_esc_is_refused_as_a_typed_answer_is(tmp_path: Path) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text('respondent:\n  organisation: "Acme\\e[31m red"\n  sector: NHS trust\n'
                       "  role: Manager\nanswers:\n  basics-1: 4\n  story-1: \"fine\\athere\"\n",
                       encoding="utf-8")
    out = tmp_path / "responses.csv"
    result = runner.invoke(app, ["survey", "--answers", str(answers), "-o", str(out)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"{answers}:2:17: respondent.organisation: contains a control character (U+001B, "
        "ESC), which cannot be saved. Remove it from the text",
        f"{answers}:7:12: answers.story-1: contains a control character (U+0007, BEL), "
        "which cannot be saved. Remove it from the text"]
    assert not out.exists()


def test_a_date_that_does_not_exist_is_one_problem_on_one_line(tmp_path: Path) -> None:
    agreed = tmp_path / "ag.yaml"
    agreed.write_text("agreed: 1\nquestion_set: ggi-systems-leadership\nprinciples:\n"
                      "  basics:\n    actions:\n      - {text: Map the funding, due: 2027-13-45}\n"
                      "updated_at: 2026-12-01T25:00:00\n", encoding="utf-8")
    result = runner.invoke(app, ["score", RESPONSES, "--agreed", str(agreed), "-o",
                                 str(tmp_path / "r.json")])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"{agreed}:6:38: principles.basics.actions[0].due: '2027-13-45' is not a date. Write "
        "it as YYYY-MM-DD, e.g. 2027-03-31",
        f"{agreed}:7:13: updated_at: '2026-12-01T25:00:00' is not a date and time. Write it as "
        "2026-12-01T10:42:00+00:00, or leave it out"]


def test_typed_not_stated_is_a_group_apart_from_the_blank_answers(tmp_path: Path) -> None:
    """F16: respondents who typed "(not stated)" and those who left the field blank are two
    groups; they are shown under two labels, not one label twice."""
    with (EXAMPLES / "responses.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    for number, row in enumerate(rows):
        if number < 6:
            row["organisation"] = "(not stated)"
        elif number < 12:
            row["organisation"] = ""
    path = tmp_path / "ns.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    out = tmp_path / "ns.json"
    result = runner.invoke(app, ["score", str(path), "--by", "organisation", "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    groups = json.loads(out.read_text(encoding="utf-8"))["groups"]["organisation"]["groups"]
    labels = [(g["value"], g["not_stated"]) for g in groups]
    assert ('"(not stated)" (typed)', False) in labels
    assert ("(not stated)", True) in labels
    assert [v for v, _ in labels].count("(not stated)") == 1
    table = runner.invoke(app, ["score", str(path), "--by", "organisation"])
    assert table.exit_code == 0
    assert '"(not stated)" (typed)' in table.stdout


@pytest.mark.parametrize("option", ["--agreed", "--pack"])
def test_workshop_files_in_a_missing_folder_are_refused_before_it_starts(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, option: str) -> None:
    def serve(*args: object, **kwargs: object) -> None:
        raise AssertionError("the server must not start")

    monkeypatch.setattr(workshop_server, "serve", serve)
    target = tmp_path / "nodir" / "file"
    result = runner.invoke(app, ["workshop", "-o", str(tmp_path / "board.csv"), option,
                                 str(target), "--port", "0"])
    _refused(result, target)
