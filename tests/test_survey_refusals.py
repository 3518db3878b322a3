"""The terminal survey refuses what it cannot keep, says how to carry on after a full disk,
and never saves a respondent twice after a crash (issue 16 and issue 10)."""

from __future__ import annotations

import csv
import errno
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from leadlens.cli import app
from leadlens.errors import ResponsesError
from leadlens.survey.flow import Answer, Survey, refused_characters
from leadlens.survey.journal import Journal, unfinished
from leadlens.survey.session import SessionOptions, run_session
from survey_support import FULL, ScriptedPrompter, answers, survey_set, write_set

REAL_WRITE = os.write
FULL_INPUT = "Acme Trust\nlocal authority\n3\n2\n3\nd\n1\n3\nA story\n\n"


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize(("typed", "named"), [
    ("Acme\x00Trust", "a control character (U+0000, NUL)"),
    ("red \x1b[31m", "a control character (U+001B, ESC)"),
    ("ring\x07", "a control character (U+0007, BEL)"),
    ("\u202eevil", "a text-direction override (U+202E, RIGHT-TO-LEFT OVERRIDE)"),
    ("C1 \x85 here", "a control character (U+0085)"),
])
def test_a_control_character_is_refused_with_a_message_and_asked_again(
        typed: str, named: str) -> None:
    survey = Survey(survey_set())
    assert survey.reply(Answer(typed)) is None  # nothing recorded
    assert survey.notice == (f"Your answer contains {named}, which cannot be saved. Please "
                             "type it again without it.")
    assert survey.step.key == "org" and "org" not in survey.answers
    assert survey.reply(Answer("Acme Trust")) == ("org", "Acme Trust")


def test_tabs_line_breaks_and_emoji_are_fine() -> None:
    assert refused_characters("two\tcolumns\nand lines\r\n") == ""
    assert refused_characters("family \U0001f468\u200d\U0001f469\u200d\U0001f467 ok") == ""


def test_the_plain_survey_asks_again_after_a_typed_nul(tmp_path: Path) -> None:
    set_path = write_set(tmp_path)
    out = tmp_path / "responses.csv"
    typed = "Acme\x00 Trust\n" + FULL_INPUT
    result = CliRunner().invoke(app, ["survey", "-q", str(set_path), "-o", str(out),
                                      "--plain"], input=typed)
    assert result.exit_code == 0, result.stderr
    assert ("! Your answer contains a control character (U+0000, NUL), which cannot be saved. "
            "Please type it again without it.") in result.stdout
    [row] = rows(out)
    assert row["org"] == "Acme Trust"
    assert "\x00" not in out.read_text(encoding="utf-8")


def _failing(target: str, after: int, code: int) -> Callable[[int, bytes], int]:
    calls = [0]

    def write(fd: int, data: bytes) -> int:
        if os.readlink(f"/proc/self/fd/{fd}").endswith(target):
            calls[0] += 1
            if calls[0] >= after:
                raise OSError(code, os.strerror(code))
        return REAL_WRITE(fd, data)

    return write


@pytest.mark.parametrize(("target", "after", "code", "said"), [
    (".partial.jsonl", 3, errno.ENOSPC,
     "cannot write the survey journal: No space left on device"),
    (".partial.jsonl", 3, errno.EROFS, "cannot write the survey journal: Read-only file system"),
    ("board.csv", 1, errno.ENOSPC, "cannot write the responses file: No space left on device"),
])
def test_a_full_disk_or_read_only_folder_mid_survey_prints_the_exact_resume_command(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, target: str, after: int, code: int,
        said: str) -> None:
    write_set(tmp_path)
    folder = tmp_path / "my board"
    folder.mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(os, "write", _failing(target, after=after, code=code))
    result = CliRunner().invoke(app, ["survey", "-q", "set.yaml", "-o", "my board/board.csv",
                                      "--plain"], input=FULL_INPUT)
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert said in last
    assert last.endswith("Free some space or make the folder writable; every answer given so "
                         "far is kept. Then continue with: leadlens survey --question-set "
                         "set.yaml --resume -o 'my board/board.csv'")
    assert unfinished(folder / "board.csv")  # what the command will continue
    monkeypatch.setattr(os, "write", REAL_WRITE)
    again = CliRunner().invoke(app, ["survey", "--question-set", "set.yaml", "--resume", "-o",
                                     "my board/board.csv", "--plain"], input=FULL_INPUT)
    assert again.exit_code == 0, again.stderr
    assert len(rows(folder / "board.csv")) == 1 and not unfinished(folder / "board.csv")


def test_resume_after_a_crash_between_the_row_and_the_journal_saves_nobody_twice(
        tmp_path: Path) -> None:
    qs = survey_set()
    out = tmp_path / "responses.csv"
    run_session(qs, ScriptedPrompter(answers(*FULL)), SessionOptions(output=out),
                new_id=lambda: "saved1")
    assert len(rows(out)) == 1
    # The journal as it was just before it would have been removed (the process died).
    journal = Journal.create(out, qs, "saved1")
    for key, value in zip(["org", "sector"], FULL[:2], strict=True):
        journal.record(key, value)
    journal.close()
    prompter = ScriptedPrompter([])
    with pytest.raises(ResponsesError) as caught:
        run_session(qs, prompter, SessionOptions(output=out, resume=True))
    assert "the unfinished respondent had already been saved" in str(caught.value)
    assert not unfinished(out) and len(rows(out)) == 1


def test_a_saved_journal_is_dropped_and_the_real_one_continued(tmp_path: Path) -> None:
    qs = survey_set()
    out = tmp_path / "responses.csv"
    run_session(qs, ScriptedPrompter(answers(*FULL)), SessionOptions(output=out),
                new_id=lambda: "saved1")
    stale = Journal.create(out, qs, "saved1")
    stale.record("org", "Acme Trust")
    stale.close()
    waiting = Journal.create(out, qs, "other2")
    waiting.record("org", "Beta Council")
    waiting.close()
    prompter = ScriptedPrompter(answers(*FULL[1:]))
    result = run_session(qs, prompter, SessionOptions(output=out, resume=True))
    assert result.saved == 1
    ids = [r["respondent_id"] for r in rows(out)]
    assert ids == ["saved1", "other2"]
    [begin] = [e for e in prompter.events if e.startswith("begin")]
    assert "Respondent saved1 was already saved" in begin and "not saved again" in begin
    assert not unfinished(out)
