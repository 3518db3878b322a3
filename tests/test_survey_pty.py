"""The real interactive survey in a pseudo-terminal (pexpect), read back through pyte.

``python -m leadlens survey`` runs in an 80x24 pty with TERM=xterm-256color, as over SSH or
in tmux. Its output is fed to a pyte terminal emulator, so the tests assert what a person
would actually see on the screen (and its colours and window title), not raw escape codes.
"""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pexpect
import pyte
import pytest

from survey_support import HEADER, SURVEY_SET, write_set

pytestmark = pytest.mark.slow

ROWS, COLS = 24, 80
TIMEOUT = 30.0
SETTLE = 0.3  # seconds without output after which a screen counts as painted
DOWN, ENTER, ESC, CTRL_C = "\x1b[B", "\r", "\x1b", "\x03"


class Terminal:
    """A survey running in an 80x24 pty, with the screen as a person would see it."""

    def __init__(self, cwd: Path, *args: str, env: dict[str, str] | None = None) -> None:
        self.screen = pyte.Screen(COLS, ROWS)
        self.stream = pyte.ByteStream(self.screen)
        self.raw = b""
        environment = {k: v for k, v in os.environ.items()
                       if k not in ("NO_COLOR", "COLUMNS", "LINES", "TMUX")}
        environment.update({"TERM": "xterm-256color", "LANG": "C.UTF-8"})
        environment.update(env or {})
        self.child = pexpect.spawn(sys.executable, ["-m", "leadlens", "survey", *args],
                                   cwd=str(cwd), env=environment, dimensions=(ROWS, COLS),
                                   timeout=TIMEOUT)

    def text(self) -> str:
        """The screen's lines; and, after them, all lines joined, so wrapped text matches."""
        lines = self.screen.display
        return "\n".join(line.rstrip() for line in lines) + "\n\n" + "".join(lines)

    def _pump(self, wait: float) -> bool:
        """Feed any output to the emulator; False once the program has exited."""
        try:
            data = self.child.read_nonblocking(65536, timeout=wait)
            self.raw += data
            self.stream.feed(data)
        except pexpect.TIMEOUT:
            pass
        except pexpect.EOF:
            return False
        return True

    def expect(self, text: str, timeout: float = TIMEOUT) -> str:
        """Wait until ``text`` is on the screen and the screen has stopped changing; return it.

        A screen is painted in several writes: the heading can arrive before the rest, so
        the screen is read only once no output has come for :data:`SETTLE` seconds (on a
        busy machine a paint can pause mid-way; reading it then made tests flaky).
        """
        deadline = time.monotonic() + timeout
        while text not in self.text():
            alive = self._pump(0.1)
            if (not alive and text not in self.text()) or time.monotonic() > deadline:
                raise AssertionError(f"{text!r} never appeared; the screen shows:\n"
                                     + "\n".join(self.screen.display))
        self.settle(deadline)
        return self.text()

    def settle(self, deadline: float) -> None:
        """Read output until none has come for :data:`SETTLE` seconds (or the deadline)."""
        while time.monotonic() < deadline:
            before = len(self.raw)
            if not self._pump(SETTLE) or len(self.raw) == before:
                return

    def send(self, keys: str) -> None:
        self.child.send(keys)

    def wait_exit(self) -> int:
        deadline = time.monotonic() + TIMEOUT
        while self._pump(0.1):
            if time.monotonic() > deadline:
                raise AssertionError(f"still running; the screen shows:\n{self.text()}")
        self.child.close()
        return int(self.child.exitstatus if self.child.exitstatus is not None
                   else 128 + (self.child.signalstatus or 0))

    def line_with(self, text: str) -> int:
        return next(i for i, line in enumerate(self.screen.display) if text in line)


def rows(folder: Path) -> list[list[str]]:
    with (folder / "responses.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


PIN = "2468"


def start(folder: Path, *args: str, set_text: str = SURVEY_SET,
          env: dict[str, str] | None = None) -> Terminal:
    """The survey, past the facilitator's screen (the session PIN set)."""
    set_path = write_set(folder, set_text)
    term = Terminal(folder, "--question-set", str(set_path), "-o", "responses.csv", *args,
                    env=env)
    term.expect("New PIN:")
    term.send(PIN + ENTER)
    term.expect("The same PIN again:")
    term.send(PIN + ENTER)
    return term


def pause(term: Terminal) -> None:
    """Ctrl-C, then the facilitator's PIN."""
    term.send(CTRL_C)
    term.expect("Type the session PIN")
    term.send(PIN + ENTER)


def answer_fields(term: Terminal, org: str = "Acme Trust") -> None:
    term.expect("Which organisation?")
    term.send(org + ENTER)
    term.expect("Which sector?")
    term.send(DOWN)
    term.expect(">  2  Local authority")
    term.send(ENTER)


def answer_questions(term: Terminal, story: str = "It worked.") -> None:
    """b1=3, b2 hats 2 and 3, c1 Don't know, i1 now 1 and target 3, the story."""
    for marker, key in [("I know our partners.", "3"), ("Organisation hat (1 of 2)", "2"),
                        ("System hat (2 of 2)", "3"), ("We read the context.", "d"),
                        ("Now (1 of 2)", "1"), ("In 12 months (2 of 2)", "3")]:
        term.expect(marker)
        term.send(key)
    term.expect("Tell us a story.")
    term.send(story + ENTER)


def test_a_full_respondent(tmp_path: Path) -> None:
    term = start(tmp_path)
    screen = term.expect("Which organisation?")
    assert "About you: 1 of 2" in screen and "== About you ==" in screen
    answer_fields(term)
    screen = term.expect("I know our partners.")
    assert screen.splitlines()[0].startswith("Question 1 of 5  [████")
    assert "== Understanding the basics ==" in screen
    assert "Do partners know each other?" in screen
    assert ">  1  Disagree" in screen and "   d  Don't know" in screen
    assert "1-3 or arrows + Enter | d Don't know | b back | Ctrl-C facilitator" in screen
    answer_questions(term)
    screen = term.expect("Review your answers")
    assert ">     Save my answers" in screen
    assert "We plan together. [System hat]" in screen and "It worked." in screen
    assert "b2@system" not in screen
    term.send(ENTER)
    assert term.wait_exit() == 0
    assert rows(tmp_path)[0] == HEADER
    assert rows(tmp_path)[1][2:] == ["Acme Trust", "Local authority", "3", "2", "3",
                                     "Don't know", "1", "3", "It worked."]
    assert not list(tmp_path.glob("*.partial*"))
    assert b"\x1b[6n" not in term.raw  # no cursor-position requests (pexpect, some SSH)
    assert b"WARNING" not in term.raw


def test_back_skip_and_changing_an_answer_on_the_review(tmp_path: Path) -> None:
    term = start(tmp_path)
    answer_fields(term)
    term.expect("I know our partners.")
    term.send("s")  # required: refused
    term.expect("This one needs an answer; it cannot be skipped.")
    term.send("2")
    term.expect("Organisation hat (1 of 2)")
    term.send("b")  # back: the old answer is marked and under the cursor
    screen = term.expect(">* 2  Neutral")
    assert "Question 1 of 5" in screen
    term.send(DOWN + ENTER)  # change it to 3
    term.expect("Organisation hat (1 of 2)")
    term.send("s")
    screen = term.expect("System hat (2 of 2)")
    term.send("1")
    for marker in ("We read the context.", "Now (1 of 2)", "In 12 months (2 of 2)"):
        term.expect(marker)
        term.send("s")
    term.expect("Tell us a story.")
    term.send(ESC)  # Esc goes back from a free-text question
    term.expect("In 12 months (2 of 2)")
    term.send("2")
    term.expect("Tell us a story.")
    term.send(ENTER)  # empty = skip
    screen = term.expect("Review your answers")
    assert "(skipped)" in screen
    term.send("7")  # jump to item 7 (i1@current) ...
    term.expect(">  7  We share a vision. [Now]")
    term.send(ENTER)  # ... and change it
    term.expect("Now (1 of 2)")
    term.send("3")
    term.expect("Review your answers")
    term.send(ENTER)
    assert term.wait_exit() == 0
    assert rows(tmp_path)[1][2:] == ["Acme Trust", "Local authority", "3", "", "1", "", "3",
                                     "2", ""]


def test_ctrl_c_then_resume(tmp_path: Path) -> None:
    term = start(tmp_path)
    answer_fields(term)
    term.expect("I know our partners.")
    term.send("3")
    term.expect("Organisation hat (1 of 2)")
    pause(term)
    screen = term.expect("--resume -o responses.csv")
    assert "Interrupted: 0 respondent(s) saved to responses.csv." in screen
    assert "answers are kept in responses.csv.partial.jsonl; continue with: leadlens survey" \
        in screen
    assert term.wait_exit() == 130
    assert not (tmp_path / "responses.csv").exists()

    again = start(tmp_path, "--resume")
    screen = again.expect("Organisation hat (1 of 2)")  # the next unanswered question
    assert "Question 2 of 5" in screen
    again.send("b")  # earlier answers are there
    again.expect(">* 3  Agree")
    again.send(ENTER)
    for marker, key in [("Organisation hat (1 of 2)", "1"), ("System hat (2 of 2)", "2"),
                        ("We read the context.", "3"), ("Now (1 of 2)", "s"),
                        ("In 12 months (2 of 2)", "s")]:
        again.expect(marker)
        again.send(key)
    again.expect("Tell us a story.")
    again.send("Resumed" + ENTER)
    again.expect("Review your answers")
    again.send(ENTER)
    assert again.wait_exit() == 0
    assert rows(tmp_path)[1][2:] == ["Acme Trust", "Local authority", "3", "1", "2", "3", "",
                                     "", "Resumed"]
    assert not list(tmp_path.glob("*.partial*"))


def test_a_two_respondent_workshop_clears_between_them(tmp_path: Path) -> None:
    term = start(tmp_path, "--respondents", "2", "--summary")
    term.expect("Respondent 1 of 2")
    term.send(ENTER)
    answer_fields(term, "Acme Trust")
    answer_questions(term, "First story")
    term.expect("Review your answers")
    term.send(ENTER)
    screen = term.expect("Your principle scores (0-100)")
    assert "Understanding the basics" in screen and "87" in screen
    term.send(ENTER)
    screen = term.expect("Respondent 2 of 2")
    for private in ("Acme Trust", "First story", "87", "Review your answers"):
        assert private not in screen  # the next participant sees none of it
    term.send(ENTER)
    answer_fields(term, "Beta Council")
    answer_questions(term, "Second story")
    term.expect("Review your answers")
    term.send(ENTER)
    term.expect("Your principle scores (0-100)")
    term.send(ENTER)
    assert term.wait_exit() == 0
    data = rows(tmp_path)
    assert [r[2] for r in data] == ["org", "Acme Trust", "Beta Council"]
    assert [r[-1] for r in data[1:]] == ["First story", "Second story"]
    assert data[1][0] != data[2][0]


HOSTILE = "[/bold] [link=http://x]click[/link] \x1b[31mred\x1b]0;owned\x07 [bold]x"


def test_markup_and_escape_codes_are_shown_literally(tmp_path: Path) -> None:
    hostile_set = SURVEY_SET.replace(
        "text: I know our partners.",
        'text: "[/bold] [link=http://x]click[/link] \\e[31mred\\e]0;owned\\a [bold]x"').replace(
        "prompt: \"Which organisation?\"", "prompt: \"Org [red]name[/red]? \\e[2J\"")
    term = start(tmp_path, set_text=hostile_set)
    screen = term.expect("Org [red]name[/red]? \\x1b[2J")
    # An answer with markup is kept as typed; a pasted colour code must not crash anything.
    term.send("[b]Acme[/b] \x1b[31m" + ENTER)
    term.expect("Which sector?")
    term.send(ENTER)
    literal = "[/bold] [link=http://x]click[/link] \\x1b[31mred\\x1b]0;owned\\x07 [bold]x"
    screen = term.expect(literal)
    y = term.line_with(literal)
    x = term.screen.display[y].index("red")
    assert all(term.screen.buffer[y][x + i].fg == "default" for i in range(3))
    assert term.screen.title == ""  # the OSC sequence did not retitle the window
    term.send("3")
    for marker in ("Organisation hat (1 of 2)", "System hat (2 of 2)", "We read the context.",
                   "Now (1 of 2)", "In 12 months (2 of 2)"):
        term.expect(marker)
        term.send("s")
    term.expect("Tell us a story.")
    term.send(ENTER)
    screen = term.expect("Review your answers")
    assert "[b]Acme[/b]" in screen  # the earlier answer shown literally too
    term.send(ENTER)
    assert term.wait_exit() == 0
    assert rows(tmp_path)[1][2] == "[b]Acme[/b]"


def test_no_color_still_shows_the_selection(tmp_path: Path) -> None:
    term = start(tmp_path, env={"NO_COLOR": "1"})
    answer_fields(term)
    screen = term.expect("I know our partners.")
    for line in term.screen.buffer.values():
        for char in line.values():
            assert char.fg == "default" and char.bg == "default"
    y = term.line_with(">  1  Disagree")
    assert term.screen.buffer[y][1].reverse  # selection in reverse video, not colour
    assert ">" in screen
    pause(term)
    assert term.wait_exit() == 130


@pytest.mark.parametrize("how", ["closed terminal", "killed"])
def test_a_closed_terminal_or_a_crash_loses_no_answer(tmp_path: Path, how: str) -> None:
    term = start(tmp_path)
    answer_fields(term)
    term.expect("I know our partners.")
    term.send("3")
    term.expect("Organisation hat (1 of 2)")
    term.send("2")
    term.expect("System hat (2 of 2)")  # shown only after b2@organisation was journaled
    if how == "closed terminal":
        term.child.close(force=True)  # the pty goes away: SIGHUP, as when a window closes
    else:
        term.child.kill(signal.SIGKILL)
        term.child.close(force=True)
    assert not (tmp_path / "responses.csv").exists()
    # the rest through a pipe: it carries on at b2@system
    resumed = subprocess.run(
        [sys.executable, "-m", "leadlens", "survey", "--question-set", "set.yaml", "-o",
         "responses.csv", "--resume"], input="1\ns\ns\ns\n\n\n", capture_output=True,
        text=True, cwd=tmp_path, timeout=60, check=False)
    assert resumed.returncode == 0, resumed.stderr
    note, _, rest = resumed.stdout.lstrip().partition("\n")
    assert note.startswith("Continuing responses.csv.partial.jsonl: respondent 1 of 1")
    assert rest.lstrip().startswith("Question 2 of 5")
    assert rows(tmp_path)[1][2:] == ["Acme Trust", "Local authority", "3", "2", "1", "", "",
                                     "", ""]


def test_one_respondents_summary_waits_for_enter_then_is_cleared(tmp_path: Path) -> None:
    term = start(tmp_path, "--summary")
    answer_fields(term, "Acme Trust")
    answer_questions(term, "A story")
    term.expect("Review your answers")
    term.send(ENTER)
    screen = term.expect("Press Enter to continue")
    assert "Your principle scores (0-100)" in screen and "87" in screen
    time.sleep(0.5)
    assert term.child.isalive()  # waiting for the respondent, not gone
    before = len(term.raw)
    term.send(ENTER)
    assert term.wait_exit() == 0
    assert b"\x1b[3J" in term.raw[before:]  # scrollback cleared too
    for private in ("Acme Trust", "A story", "87", "Your principle scores"):
        assert private not in term.text()
    assert len(rows(tmp_path)) == 2
