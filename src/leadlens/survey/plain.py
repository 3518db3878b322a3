"""The plain line prompter: for pipes, scripts, dumb terminals and screen readers.

It reads one line per answer from any text stream and writes plain text (no escape codes at
all), so a survey can be driven by ``printf '...' | leadlens survey``. Typing: the option's
key or its label, ``b``/``back``, ``s``/``skip``; Enter alone keeps an earlier answer. For
free-text questions the words ``back`` and ``skip`` on their own are commands.
"""

from __future__ import annotations

from typing import TextIO

from leadlens.survey.flow import (
    Answer,
    Back,
    Change,
    Reply,
    ReviewReply,
    ReviewScreen,
    Screen,
    Skip,
    Submit,
)
from leadlens.survey.render import head_lines, keys_hint, review_line_label
from leadlens.text import one_line, terminal_safe, wrap

WIDTH = 78
REVIEW_LABEL = 60
"""A review line's label at most: the statement shortened, its hat or timepoint whole."""


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


class PlainPrompter:
    """Asks with numbered lists and line input on ``stdin``/``stdout`` streams."""

    unicode = False
    interactive = False  # pipes, scripts, screen readers: a summary is printed, not hidden

    def __init__(self, stdin: TextIO, stdout: TextIO) -> None:
        self.stdin = stdin
        self.stdout = stdout
        self._section = ""

    # -- plumbing
    def _write(self, text: str = "") -> None:
        self.stdout.write(terminal_safe(text) + "\n")

    def _read(self, prompt: str) -> str:
        self.stdout.write(terminal_safe(prompt))
        self.stdout.flush()
        line = self.stdin.readline()
        if not line:
            raise EOFError
        return line.rstrip("\r\n")

    # -- questions
    def ask(self, screen: Screen) -> Reply:
        step = screen.step
        section = step.section.id if step.section else ""
        show_section = section != self._section
        self._section = section
        self._write()
        for line in head_lines(screen, WIDTH, unicode=False, section=show_section):
            self._write("".join(text for _, text in line))
        for choice in step.choices:
            mark = "*" if screen.current == choice.value else " "
            self._write(f" {mark} {choice.key:>2}  {one_line(choice.label)}")
        if screen.answered:
            current = step.describe(screen.current)
            self._write(f"Your answer so far: {one_line(current)} (Enter keeps it)")
        if screen.notice:
            self._write(f"! {screen.notice}")
        hint = keys_hint(screen, plain=True)
        if step.free_text:
            hint += " | the words back and skip alone are commands"
        while True:
            typed = self._read(f"[{hint}] > ")
            reply = self._parse(screen, typed)
            if reply is not None:
                return reply
            if typed.strip():
                self._write(f"! {one_line(typed)!r} is not one of the choices; type a key "
                            "shown on the left")
            else:
                self._write("! Type a key shown on the left" + (", or s to skip"
                                                               if screen.can_skip else ""))

    def _parse(self, screen: Screen, typed: str) -> Reply | None:
        step = screen.step
        word = typed.strip().casefold()
        if word in ("back", "b") and (word == "back" or not step.free_text):
            return Back()
        if word in ("skip", "s") and (word == "skip" or not step.free_text):
            return Skip()
        if not word and screen.answered:
            return Skip() if screen.current is None else Answer(screen.current)
        if step.free_text:
            return Answer(typed)
        for choice in step.choices:
            if word == choice.key.casefold() or _norm(typed) == _norm(choice.label):
                return Answer(choice.value)
        return None

    # -- review
    def review(self, screen: ReviewScreen) -> ReviewReply:
        self._section = ""
        self._write()
        if screen.banner:
            self._write(one_line(screen.banner))
        self._write("Review your answers")
        for number, item in enumerate(screen.items, start=1):
            flag = " (required)" if item.missing_required else ""
            self._write(f"{number:>3}. {review_line_label(item, REVIEW_LABEL)}: "
                        f"{one_line(item.answer)[:60]}{flag}")
        if screen.notice:
            self._write(f"! {one_line(screen.notice)}")
        while True:
            typed = self._read("[Enter = save my answers | a number = change that answer] > ")
            word = typed.strip()
            if not word:
                return Submit()
            if word.isdigit() and 1 <= int(word) <= len(screen.items):
                return Change(screen.items[int(word) - 1].key)
            keys = {item.key.casefold(): item.key for item in screen.items}
            if word.casefold() in keys:
                return Change(keys[word.casefold()])
            self._write(f"! type a number from 1 to {len(screen.items)}, or press Enter")

    # -- session
    def start(self, number: int, total: int | None) -> bool:
        of = f" of {total}" if total else ""
        self._write()
        self._write(f"Respondent {number}{of}: ready for the next participant.")
        try:
            typed = self._read("[Enter = begin | q = finish the session] > ")
        except EOFError:
            return False
        return typed.strip().casefold() not in ("q", "quit")

    def begin(self, notes: list[str]) -> None:
        for note in notes:
            self._write(note)

    def choose_journal(self, journals: list[str]) -> int:
        self._write("Unfinished respondents:")
        for number, text in enumerate(journals, start=1):
            self._write(f"{number:>3}. {one_line(text)}")
        while True:
            typed = self._read(f"[which one to continue, 1-{len(journals)}; Enter = 1] > ")
            word = typed.strip()
            if not word:
                return 0
            if word.isdigit() and 1 <= int(word) <= len(journals):
                return int(word) - 1
            self._write(f"! type a number from 1 to {len(journals)}")

    def introduction(self, title: str, text: str) -> None:
        """Printed before the first question (the next prompt is the explicit step on)."""
        self._write()
        self._write(one_line(title))
        for line in wrap(text, WIDTH):
            self._write(line)

    def clear(self) -> None:
        self._section = ""
        self._write("-" * WIDTH)

    def message(self, text: str) -> None:
        self._write(text)

    def summary(self, lines: list[str], *, wait: bool) -> None:
        self._write()
        self._write("Your principle scores (0-100)")
        for line in lines:
            self._write(line)
