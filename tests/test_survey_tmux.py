"""The survey in tmux, read back with the scrollback: what the next participant could see.

Each test runs ``python -m leadlens survey`` in a private tmux server (80x24) and reads the
pane with ``capture-pane -S -``, i.e. the whole history a person could scroll up to, not only
the visible screen. A participant's answers must be gone from both after they are saved or
abandoned, in every mode; Ctrl-C and q ask for the facilitator's PIN.
"""

from __future__ import annotations

import csv
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from survey_support import SURVEY_SET, write_set

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(shutil.which("tmux") is None and not os.environ.get("CI"),
                                 reason="tmux is not installed (CI installs it)")]

TIMEOUT = 30.0
PIN = "2468"
PRIVATE = ("Acme Trust", "First story", "Review your answers", "It worked.")


class Pane:
    """A survey in a tmux pane; ``history()`` is everything one could scroll back to."""

    def __init__(self, cwd: Path, *args: str) -> None:
        self.socket = f"leadlens-test-{uuid.uuid4().hex[:8]}"
        command = shlex.join([sys.executable, "-m", "leadlens", "survey", *args])
        script = f"{command}; echo EXIT=$?; sleep 600"
        env = {k: v for k, v in os.environ.items() if k not in ("TMUX", "NO_COLOR")}
        env.update({"LANG": "C.UTF-8", "PYTHONPATH": os.pathsep.join(sys.path)})
        subprocess.run(["tmux", "-L", self.socket, "-f", "/dev/null", "new-session", "-d",
                        "-x", "80", "-y", "24", "-c", str(cwd), "sh", "-c", script],
                       check=True, env=env)

    def tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", "-L", self.socket, *args], check=True,
                              capture_output=True, text=True).stdout

    def history(self) -> str:
        """The pane's scrollback and screen, lines joined too so wrapped text matches."""
        text = self.tmux("capture-pane", "-p", "-J", "-S", "-", "-E", "-")
        return text + "\n" + text.replace("\n", "")

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-J")

    def expect(self, text: str, timeout: float = TIMEOUT) -> str:
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if text in screen or text in screen.replace("\n", ""):
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} never appeared; the pane shows:\n{screen}")
            time.sleep(0.1)

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", *keys)

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-l", text)

    def exit_code(self) -> int:
        screen = self.expect("EXIT=")
        return int(screen.split("EXIT=")[1].split()[0])

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], check=False,
                       capture_output=True)


@pytest.fixture
def panes() -> Iterator[list[Pane]]:
    opened: list[Pane] = []
    yield opened
    for pane in opened:
        pane.close()


def start(folder: Path, panes: list[Pane], *args: str, pin: bool = True) -> Pane:
    write_set(folder, SURVEY_SET)
    pane = Pane(folder, "--question-set", "set.yaml", "-o", "responses.csv", *args)
    panes.append(pane)
    if pin:
        set_pin(pane)
    return pane


def set_pin(pane: Pane) -> None:
    pane.expect("New PIN:")
    pane.type(PIN)
    pane.keys("Enter")
    pane.expect("The same PIN again:")
    pane.type(PIN)
    pane.keys("Enter")


def answer_all(pane: Pane, org: str = "Acme Trust", story: str = "First story") -> None:
    pane.expect("Which organisation?")
    pane.type(org)
    pane.keys("Enter")
    pane.expect("Which sector?")
    pane.keys("Enter")
    for marker, key in [("I know our partners.", "3"), ("Organisation hat (1 of 2)", "2"),
                        ("System hat (2 of 2)", "3"), ("We read the context.", "d"),
                        ("Now (1 of 2)", "1"), ("In 12 months (2 of 2)", "3")]:
        pane.expect(marker)
        pane.type(key)
    pane.expect("Tell us a story.")
    pane.type(story)
    pane.keys("Enter")
    pane.expect("Review your answers")


def rows(folder: Path) -> list[list[str]]:
    with (folder / "responses.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def assert_nothing_private(pane: Pane) -> None:
    history = pane.history()
    for private in PRIVATE:
        assert private not in history, f"{private!r} is still in the scrollback:\n{history}"


def test_one_respondent_leaves_nothing_in_the_scrollback(tmp_path: Path,
                                                        panes: list[Pane]) -> None:
    pane = start(tmp_path, panes)
    answer_all(pane)
    assert "Acme Trust" in pane.history()  # (the check below can fail)
    pane.keys("Enter")
    assert pane.exit_code() == 0
    assert_nothing_private(pane)
    assert "Saved respondent 1 to responses.csv." in pane.history()
    assert rows(tmp_path)[1][2] == "Acme Trust"


def test_a_resumed_respondent_leaves_nothing_either(tmp_path: Path, panes: list[Pane]) -> None:
    pane = start(tmp_path, panes)
    pane.expect("Which organisation?")
    pane.type("Acme Trust")
    pane.keys("Enter")
    pane.expect("Which sector?")
    pane.keys("C-c")
    pane.expect("Type the session PIN")
    pane.type(PIN)
    pane.keys("Enter")
    assert pane.exit_code() == 130
    assert_nothing_private(pane)  # the abandoned participant is cleared too

    again = start(tmp_path, panes, "--resume", pin=False)
    screen = again.expect("New PIN:")
    # The facilitator (only) is told what is resumed: no answer, just where and when.
    assert "Continuing responses.csv.partial.jsonl: respondent 1 of 1, started" in \
        screen.replace("\n", " ")
    assert "1 answer(s) so far" in screen.replace("\n", "")
    set_pin(again)
    again.expect("Which sector?")
    again.keys("Enter")
    for marker, key in [("I know our partners.", "3"), ("Organisation hat (1 of 2)", "s"),
                        ("System hat (2 of 2)", "s"), ("We read the context.", "s"),
                        ("Now (1 of 2)", "s"), ("In 12 months (2 of 2)", "s")]:
        again.expect(marker)
        again.type(key)
    again.expect("Tell us a story.")
    again.type("It worked.")
    again.keys("Enter")
    again.expect("Review your answers")
    again.keys("Enter")
    assert again.exit_code() == 0
    assert_nothing_private(again)
    assert rows(tmp_path)[1][2:4] == ["Acme Trust", "NHS trust"]


def test_a_workshop_without_summaries_clears_between_participants(
        tmp_path: Path, panes: list[Pane]) -> None:
    pane = start(tmp_path, panes, "--respondents", "2")
    pane.expect("Respondent 1 of 2")
    pane.keys("Enter")
    answer_all(pane)
    pane.keys("Enter")
    pane.expect("Respondent 2 of 2")
    assert_nothing_private(pane)
    pane.keys("Enter")
    answer_all(pane, "Beta Council", "Second story")
    pane.keys("Enter")
    assert pane.exit_code() == 0
    assert "Beta Council" not in pane.history()


def test_participants_cannot_leave_without_the_pin(tmp_path: Path, panes: list[Pane]) -> None:
    pane = start(tmp_path, panes, "--loop")
    pane.expect("Respondent 1")
    pane.type("q")  # a participant pressing q on the start screen
    pane.expect("Type the session PIN")
    pane.type("1111")
    pane.keys("Enter")
    pane.expect("Respondent 1")  # wrong PIN: back to the start screen
    pane.keys("Enter")
    pane.expect("Which organisation?")
    pane.keys("C-c")
    pane.expect("Type the session PIN")
    pane.keys("Escape")
    pane.expect("Which organisation?")  # Esc: back to the survey, not a shell
    pane.type("Acme")
    pane.keys("C-c")
    pane.expect("Type the session PIN")
    pane.type("9999")
    pane.keys("Enter")
    screen = pane.expect("Which organisation?")
    assert "> Acme" in screen  # what was typed is still there
    assert "EXIT=" not in pane.history()
    pane.keys("C-c")
    pane.expect("Type the session PIN")
    pane.type(PIN)
    pane.keys("Enter")
    assert pane.exit_code() == 130


def test_the_review_shows_labels_not_keys(tmp_path: Path, panes: list[Pane]) -> None:
    long = ("We plan together with every partner in the system, and we share what we "
            "learn.")
    write_set(tmp_path, SURVEY_SET.replace("text: We plan together.", f'text: "{long}"'))
    pane = Pane(tmp_path, "--question-set", "set.yaml", "-o", "responses.csv")
    panes.append(pane)
    set_pin(pane)
    answer_all(pane)
    screen = pane.screen()
    assert "b2@system" not in screen and "i1@current" not in screen
    assert "We share a vision. [Now]" in screen and "We share a vision. [In 12 months]" in screen
    # A statement too long for the line is shortened, and its hat still shows whole: the two
    # answers to a two-hat statement never read as two identical lines.
    pair = [line for line in screen.splitlines() if "We plan together with every" in line]
    assert len(pair) == 2, screen
    assert re.search(r"\.\.\. \[Organisation hat\] +2  Neutral$", pair[0].rstrip()), pair
    assert re.search(r"\.\.\. \[System hat\] +3  Agree$", pair[1].rstrip()), pair
    assert pair[0].index("2  Neutral") == pair[1].index("3  Agree")  # one answer column
    assert all("..." in line and len(line) <= 80 for line in pair), pair
    pane.keys("C-c")
    pane.expect("Type the session PIN")
    pane.type(PIN)
    pane.keys("Enter")
    assert pane.exit_code() == 130


def test_the_unfinished_note_is_for_the_facilitator_only(tmp_path: Path,
                                                         panes: list[Pane]) -> None:
    (tmp_path / "responses.csv.partial.jsonl").write_text(
        '{"journal": 1, "question_set": "workshop", "respondent_id": "x", '
        '"started_at": "2026-01-01T09:00:00+00:00"}\n{"key": "org", "value": "Zed"}\n',
        encoding="utf-8")
    pane = start(tmp_path, panes, pin=False)
    screen = pane.expect("New PIN:")
    assert "1 unfinished respondent(s)" in screen
    set_pin(pane)
    screen = pane.expect("Which organisation?")
    assert "unfinished" not in screen and "Zed" not in screen
    pane.keys("C-c")
    pane.expect("Type the session PIN")
    pane.type(PIN)
    pane.keys("Enter")
    assert pane.exit_code() == 130


def test_the_plain_review_names_each_hat_and_timepoint(tmp_path: Path,
                                                       panes: list[Pane]) -> None:
    """The plain prompts (--plain, screen readers) shorten long statements on the review too:
    the hat or timepoint is kept whole at the end of the label."""
    long = ("Our plans take account of how our area is changing and of what partners "
            "expect of us.")
    write_set(tmp_path, SURVEY_SET.replace("text: We plan together.", f'text: "{long}"'))
    pane = Pane(tmp_path, "--question-set", "set.yaml", "-o", "responses.csv", "--plain")
    panes.append(pane)
    pane.expect("Which organisation?")
    for typed in ["Acme Trust", "1", "3", "2", "3", "d", "1", "3", "A story"]:
        pane.type(typed)
        pane.keys("Enter")
    screen = pane.expect("Review your answers")
    lines = [line.strip() for line in screen.splitlines()]
    pair = [line for line in lines if line.startswith(("4. Our plans", "5. Our plans"))]
    assert len(pair) == 2, screen
    assert re.fullmatch(r"4\. Our plans take account of how our area[^\[]*\.\.\. "
                        r"\[Organisation hat\]: 2  Neutral", pair[0]), pair
    assert re.fullmatch(r"5\. Our plans take account of how our area[^\[]*\.\.\. "
                        r"\[System hat\]: 3  Agree", pair[1]), pair
    assert "7. We share a vision. [Now]: 1  Disagree" in lines, screen
    assert "8. We share a vision. [In 12 months]: 3  Agree" in lines, screen
    pane.type("")
    pane.keys("Enter")
    assert pane.exit_code() == 0
