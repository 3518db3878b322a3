"""``leadlens survey`` without a terminal: plain prompts driven through a pipe."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from leadlens.cli import app
from survey_support import HEADER, SURVEY_SET, write_set

# org, sector (by label), b1, b2 hats, c1 ("d" = Don't know), i1 now/target, story; then save
FULL_INPUT = "Acme Trust\nlocal authority\n3\n2\n3\nd\n1\n3\nA story, with \"quotes\"\n\n"


def survey(tmp_path: Path, stdin: str, *args: str,
           set_text: str = SURVEY_SET) -> subprocess.CompletedProcess[str]:
    set_path = write_set(tmp_path, set_text)
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    return subprocess.run(
        [sys.executable, "-m", "leadlens", "survey", "--question-set", str(set_path),
         "-o", "responses.csv", *args],
        input=stdin, capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60,
        check=False)


def rows(tmp_path: Path) -> list[list[str]]:
    with (tmp_path / "responses.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_a_full_respondent_through_a_pipe(tmp_path: Path) -> None:
    result = survey(tmp_path, FULL_INPUT)
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stdout  # plain text only
    out = result.stdout
    assert "About you: 1 of 2" in out and "Question 5 of 5" in out
    assert "== Understanding the basics ==\nDo partners know each other?" in out
    assert "Organisation hat (1 of 2): As a leader of your organisation." in out
    assert "System hat (2 of 2): As a partner in the whole system." in out
    assert "Review your answers" in out
    assert result.stderr.endswith("1 respondent(s) saved to responses.csv.\n")
    data = rows(tmp_path)
    assert data[0] == HEADER
    assert data[1][2:] == ["Acme Trust", "Local authority", "3", "2", "3", "Don't know", "1",
                           "3", "A story, with \"quotes\""]
    assert len(data[1][0]) == 12 and data[1][1].endswith("+00:00")
    assert not list(tmp_path.glob("*.partial*"))


def test_back_skip_and_review_change_through_a_pipe(tmp_path: Path) -> None:
    typed = ("Acme\n"        # org
             "s\n"           # sector: skip
             "s\n"           # b1 is required: refused
             "2\n"           # b1
             "b\n"           # back to b1, old answer shown
             "\n"            # Enter keeps 2
             "3\n" "s\n"     # b2 hats
             "x\n" "1\n"     # c1: not a choice, then 1
             "skip\n" "skip\n"  # i1 pair
             "\n"            # story: empty = skip
             "4\n" "agree\n"  # review: change item 4 (b2@organisation) to Agree by label
             "\n")            # save
    result = survey(tmp_path, typed)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "! This one needs an answer; it cannot be skipped." in out
    assert "Your answer so far: 2  Neutral (Enter keeps it)" in out
    assert "! 'x' is not one of the choices" in out
    assert rows(tmp_path)[1][2:] == ["Acme", "", "2", "3", "", "1", "", "", ""]


def test_end_of_input_keeps_the_journal_and_resume_finishes(tmp_path: Path) -> None:
    first = survey(tmp_path, "Acme\nNHS trust\n3\n")
    assert first.returncode == 1
    set_path = tmp_path / "set.yaml"
    assert first.stderr.splitlines()[-1] == (
        "The unfinished respondent's answers are kept in responses.csv.partial.jsonl; continue "
        f"with: leadlens survey --question-set {set_path} --resume -o responses.csv")
    assert "Input ended: 0 respondent(s) saved" in first.stderr
    assert not (tmp_path / "responses.csv").exists()

    second = survey(tmp_path, "1\n2\n\ns\ns\ns\n\n\n", "--resume")
    assert second.returncode == 0, second.stderr
    assert "About you" not in second.stdout  # it starts at the next unanswered question
    head, _, rest = second.stdout.lstrip().partition("\n")
    assert head.startswith(
        "Continuing responses.csv.partial.jsonl: respondent 1 of 1, started ")
    assert head.endswith(", 3 answer(s) so far.")
    assert rest.lstrip().startswith("Question 2 of 5")
    assert "! Type a key shown on the left, or s to skip" in second.stdout
    assert rows(tmp_path)[1][2:] == ["Acme", "NHS trust", "3", "1", "2", "", "", "", ""]
    assert not (tmp_path / "responses.csv.partial.jsonl").exists()


def test_two_respondents_in_workshop_mode_through_a_pipe(tmp_path: Path) -> None:
    typed = "\n" + FULL_INPUT + "\n" + FULL_INPUT.replace("Acme Trust", "Beta")
    result = survey(tmp_path, typed, "--respondents", "2", "--summary")
    assert result.returncode == 0, result.stderr
    assert "Respondent 1 of 2: ready for the next participant." in result.stdout
    assert "Respondent 2 of 2: ready for the next participant." in result.stdout
    assert result.stdout.count("Your principle scores (0-100)") == 2
    assert [r[2] for r in rows(tmp_path)] == ["org", "Acme Trust", "Beta"]


def test_loop_ends_at_the_start_screen(tmp_path: Path) -> None:
    result = survey(tmp_path, "\n" + FULL_INPUT + "q\n", "--loop")
    assert result.returncode == 0, result.stderr
    assert len(rows(tmp_path)) == 2
    ended = survey(tmp_path, "\n" + FULL_INPUT, "--loop")  # end of input at the start screen
    assert ended.returncode == 0 and len(rows(tmp_path)) == 3


MARKUP = "[/bold] [link=http://x]click[/link] \x1b[31mred\x1b]0;owned\x07 [bold red]x"


def test_markup_and_escape_codes_are_shown_literally(tmp_path: Path) -> None:
    hostile = SURVEY_SET.replace("text: I know our partners.",
                                 'text: "[/bold] [link=http://x]click[/link] \\e[31mred'
                                 '\\e]0;owned\\a [bold red]x"')
    rest = FULL_INPUT.split("\n", 3)[3]
    result = survey(tmp_path, "[/bold]\n1\n3\n" + rest, set_text=hostile)
    assert result.returncode == 0, result.stderr
    assert ("[/bold] [link=http://x]click[/link] \\x1b[31mred\\x1b]0;owned\\x07 [bold red]x"
            in result.stdout)
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert rows(tmp_path)[1][2] == "[/bold]"  # an answer with markup is kept as typed


def test_a_different_header_is_refused_before_any_question(tmp_path: Path) -> None:
    (tmp_path / "responses.csv").write_text("respondent_id,x\n", encoding="utf-8")
    result = survey(tmp_path, FULL_INPUT)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith("responses.csv:1: the header does not match question set "
                                    "'workshop' 2.0 (missing 'submitted_at', 'org'")


def test_help_names_the_default_output_and_the_modes() -> None:
    result = CliRunner().invoke(app, ["survey", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    assert "default: responses.csv in the current folder" in text
    for option in ("--resume", "--respondents", "--loop", "--answers", "--summary", "--plain"):
        assert option in text


def test_loop_and_respondents_together_is_a_usage_error() -> None:
    result = CliRunner().invoke(app, ["survey", "--loop", "--respondents", "2"])
    assert result.exit_code == 2
    assert result.stderr == "Error: use either --loop or --respondents N, not both\n"


@pytest.mark.parametrize("count", ["0", "-1", "x"])
def test_respondents_must_be_a_positive_number(count: str) -> None:
    assert CliRunner().invoke(app, ["survey", "--respondents", count]).exit_code == 2
