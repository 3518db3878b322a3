"""The terminal prompter: arrow-key pick lists and line editing with prompt_toolkit.

Each screen clears the terminal and draws one question: progress, section, the question,
its options as a pick list (number/letter keys or arrows + Enter), and a line of key hints.
Free-text questions use prompt_toolkit's line editor. Text is drawn as literal
(style, text) fragments made safe by :mod:`leadlens.text`: nothing is ever parsed
as markup or passed through as an escape code. Selection is shown with a ``>`` marker and
reverse video, so it reads the same under ``NO_COLOR`` (which prompt_toolkit honours).
Cursor-position requests are switched off: each screen starts from a cleared terminal, and
some terminals (and pexpect) never answer them.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TypeVar

from prompt_toolkit.application import Application
from prompt_toolkit.formatted_text import StyleAndTextTuples
from prompt_toolkit.input import Input, create_input
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.keys import Keys
from prompt_toolkit.layout import FormattedTextControl, HSplit, Layout, Window
from prompt_toolkit.output import Output, create_output
from prompt_toolkit.output.vt100 import Vt100_Output
from prompt_toolkit.shortcuts import PromptSession
from prompt_toolkit.styles import Style

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
from leadlens.survey.render import Line, head_lines, keys_hint, review_line_label
from leadlens.text import one_line, wrap

R = TypeVar("R")

PIN_LENGTH = 4
"""The shortest facilitator PIN."""


class _Facilitator(Exception):
    """Ctrl-C (or q on a start screen): the facilitator is asked for the session PIN."""


_ASK = object()

STYLE = Style.from_dict({
    "banner": "reverse",
    "progress": "bold",
    "section": "bold underline",
    "question": "bold",
    "hat": "bold",
    "selected": "reverse",
    "notice": "bold fg:ansired",
    "hint": "",
})


class _Typed:
    """Keys typed so far on a pick list (options numbered 10 and up take two keys)."""

    def __init__(self, keys: list[str]) -> None:
        self.keys = [k.casefold() for k in keys]
        self.buffer = ""

    def press(self, char: str) -> tuple[int | None, bool]:
        """The row the keys point at, and whether no longer key could still follow."""
        for attempt in (self.buffer + char.casefold(), char.casefold()):
            starting = [i for i, k in enumerate(self.keys) if k.startswith(attempt)]
            if starting:
                self.buffer = attempt
                exact = next((i for i in starting if self.keys[i] == attempt), None)
                return (exact if exact is not None else starting[0]), (
                    exact is not None and len(starting) == 1)
        self.buffer = ""
        return None, False


def _ignore(event: KeyPressEvent) -> None:
    """Swallow a key: mouse reports, and typed or pasted text that looks like one."""


def _guard(keys: KeyBindings) -> KeyBindings:
    """Ignore mouse reports. prompt_toolkit reads a pasted colour code such as ESC [31m as a
    mouse report and its own handler then fails; the survey uses no mouse at all."""
    keys.add(Keys.Vt100MouseEvent)(_ignore)
    return keys


class TerminalPrompter:
    """Asks on a real terminal; ``input``/``output`` may be given for tests."""

    interactive = True

    def __init__(self, input: Input | None = None, output: Output | None = None) -> None:
        self.input = input or create_input()
        self.output = output or create_output()
        if isinstance(self.output, Vt100_Output):
            self.output.enable_cpr = False
        encoding = (self.output.encoding() or "").lower().replace("-", "")
        self.unicode = encoding == "utf8"
        self.pin: str | None = None
        """Set by :meth:`begin`; until then Ctrl-C stops at once (the facilitator is there)."""

    # -- plumbing
    def _size(self) -> tuple[int, int]:
        size = self.output.get_size()
        return max(size.columns, 20), max(size.rows, 5)

    def _clear_screen(self) -> None:
        self.output.erase_screen()
        self.output.cursor_goto(0, 0)
        self.output.flush()

    def _run(self, fragments: Callable[[], StyleAndTextTuples], keys: KeyBindings,
             default: R) -> R:
        """Show ``fragments`` until a key binding exits the application.

        Ctrl-C and Ctrl-D ask for the facilitator's PIN: with it, KeyboardInterrupt (pause);
        without it, the same screen again. Participants cannot leave the survey.
        """
        @keys.add("c-c")
        @keys.add("c-d")
        def _interrupt(event: KeyPressEvent) -> None:
            event.app.exit(result=_ASK)

        while True:
            window = Window(FormattedTextControl(fragments, focusable=True,
                                                 show_cursor=False), wrap_lines=True)
            app: Application[object] = Application(
                layout=Layout(HSplit([window])), key_bindings=_guard(keys), style=STYLE,
                full_screen=False, mouse_support=False, input=self.input, output=self.output)
            self._clear_screen()
            result = app.run()
            if result is _ASK:
                if self.facilitator():
                    raise KeyboardInterrupt
                continue
            return default if result is None else result  # type: ignore[return-value]

    def _secret(self, lines: list[Line], prompt: str) -> str | None:
        """A hidden line (a PIN); None on Esc."""
        keys = KeyBindings()

        @keys.add("escape", eager=True)
        def _cancel(event: KeyPressEvent) -> None:
            event.app.exit(result="\x1b")

        session: PromptSession[str] = PromptSession(
            input=self.input, output=self.output, style=STYLE, key_bindings=_guard(keys),
            enable_history_search=False, mouse_support=False, is_password=True)
        self._clear_screen()
        text = session.prompt(self._join([*lines, [("", prompt)]]))
        return None if text == "\x1b" else text

    def facilitator(self) -> bool:
        """Whether the facilitator gave the session PIN (always, before one is set)."""
        if self.pin is None:
            return True
        lines: list[Line] = [
            [("class:section", "Facilitator")], [],
            [("", "Type the session PIN and Enter to pause the survey (every answer so far")],
            [("", "is kept for `leadlens survey --resume`), or Esc to go back.")], []]
        try:
            typed = self._secret(lines, "PIN: ")
        except (KeyboardInterrupt, EOFError):
            return False
        return typed is not None and typed == self.pin

    # -- the facilitator's own screens
    def begin(self, notes: list[str]) -> None:
        """Before the first participant: notes for the facilitator, then a PIN to set."""
        width, _ = self._size()
        notice = ""
        while True:
            lines: list[Line] = [[("class:section", "Facilitator: before the first "
                                                     "participant")], []]
            for note in notes:
                lines += [[("", t)] for t in wrap(note, width - 1)]
                lines.append([])
            lines += [[("", t)] for t in wrap(
                f"Choose a PIN of at least {PIN_LENGTH} characters. Participants cannot "
                "leave the survey: Ctrl-C, and q on a start screen, ask for this PIN. "
                "Keep it to yourself.", width - 1)]
            if notice:
                lines += [[], [("class:notice", notice)]]
            lines.append([])
            pin = self._secret(lines, "New PIN: ")
            if pin is None or len(pin.strip()) < PIN_LENGTH:
                notice = f"The PIN needs at least {PIN_LENGTH} characters."
                continue
            again = self._secret([*lines[:-1], []], "The same PIN again: ")
            if again != pin:
                notice = "The two did not match; choose the PIN again."
                continue
            self.pin = pin
            return

    def choose_journal(self, journals: list[str]) -> int:
        state = {"cursor": 0}
        keys = KeyBindings()

        def fragments() -> StyleAndTextTuples:
            lines: list[Line] = [[("class:section", "Facilitator: which unfinished "
                                                     "respondent to continue?")], []]
            for i, text in enumerate(journals):
                row = f"{i + 1:>2}  {one_line(text)}"
                lines.append([("[SetCursorPosition]", ""), ("class:selected", ">" + row)]
                             if i == state["cursor"] else [("", " " + row)])
            lines += [[], [("class:hint", "arrows/number + Enter")]]
            return self._join(lines)

        def move(delta: int) -> None:
            state["cursor"] = min(len(journals) - 1, max(0, state["cursor"] + delta))

        keys.add("up")(lambda e: move(-1))
        keys.add("down")(lambda e: move(1))
        keys.add("enter")(lambda e: e.app.exit(result=state["cursor"]))

        @keys.add(Keys.Any)
        def _number(event: KeyPressEvent) -> None:
            if event.data.isdigit() and 1 <= int(event.data) <= len(journals):
                state["cursor"] = int(event.data) - 1

        chosen: int = self._run(fragments, keys, 0)
        return chosen

    def introduction(self, title: str, text: str) -> None:
        width, _ = self._size()
        lines: list[Line] = [[("class:section", one_line(title))], []]
        lines += [[("", t)] for t in wrap(text, width - 1)]
        lines += [[], [("class:hint", "Enter = continue to the questions")]]
        keys = KeyBindings()
        keys.add("enter")(lambda e: e.app.exit(result=True))
        self._run(lambda: self._join(lines), keys, True)

    @staticmethod
    def _join(lines: list[Line]) -> StyleAndTextTuples:
        out: StyleAndTextTuples = []
        for i, line in enumerate(lines):
            if i:
                out.append(("", "\n"))
            out.extend(line)
        return out

    # -- questions
    def ask(self, screen: Screen) -> Reply:
        if screen.step.free_text:
            return self._ask_text(screen)
        return self._ask_choice(screen)

    def _ask_choice(self, screen: Screen) -> Reply:
        step = screen.step
        choices = list(step.choices)
        values = [c.value for c in choices]
        state = {"cursor": values.index(screen.current) if screen.current in values else 0}
        typed = _Typed([c.key for c in choices])
        keys = KeyBindings()

        def fragments() -> StyleAndTextTuples:
            width, _ = self._size()
            lines = head_lines(screen, width - 1, unicode=self.unicode)
            for i, choice in enumerate(choices):
                chosen = "*" if choice.value == screen.current else " "
                label = f"{choice.key:>2}  {one_line(choice.label)}"
                if i == state["cursor"]:
                    lines.append([("[SetCursorPosition]", ""),
                                  ("class:selected", f">{chosen}{label}")])
                else:
                    lines.append([("", f" {chosen}{label}")])
            lines.append([])
            if screen.notice:
                lines += [[("class:notice", t)] for t in wrap(screen.notice, width - 1)]
            lines.append([("class:hint", keys_hint(screen) + " | Ctrl-C facilitator")])
            return self._join(lines)

        # Letters other than b and s are left free: unscored answers use them as keys.
        @keys.add("up")
        def _up(event: KeyPressEvent) -> None:
            state["cursor"] = max(0, state["cursor"] - 1)

        @keys.add("down")
        def _down(event: KeyPressEvent) -> None:
            state["cursor"] = min(len(choices) - 1, state["cursor"] + 1)

        @keys.add("enter")
        def _enter(event: KeyPressEvent) -> None:
            event.app.exit(result=Answer(choices[state["cursor"]].value))

        @keys.add("b")
        @keys.add("left")
        @keys.add("escape", eager=True)
        def _back(event: KeyPressEvent) -> None:
            event.app.exit(result=Back())

        @keys.add("s")
        def _skip(event: KeyPressEvent) -> None:
            event.app.exit(result=Skip())

        @keys.add(Keys.Any)
        def _key(event: KeyPressEvent) -> None:
            row, final = typed.press(event.data)
            if row is None:
                return
            state["cursor"] = row
            if final:
                event.app.exit(result=Answer(choices[row].value))

        return self._run(fragments, keys, Back())

    def _ask_text(self, screen: Screen) -> Reply:
        width, _ = self._size()
        lines = head_lines(screen, width - 1, unicode=self.unicode)
        if screen.notice:
            lines += [[("class:notice", t)] for t in wrap(screen.notice, width - 1)]
        lines.append([("class:hint", keys_hint(screen) + " | Ctrl-C facilitator")])
        lines.append([("", "> ")])
        went_back = [False]
        typed = [screen.current or ""]
        keys = KeyBindings()

        @keys.add("escape", eager=True)
        def _back(event: KeyPressEvent) -> None:
            if screen.can_back:
                went_back[0] = True
                event.app.exit(result="")

        @keys.add("c-c")
        @keys.add("c-d")
        def _interrupt(event: KeyPressEvent) -> None:
            typed[0] = event.app.current_buffer.text
            event.app.exit(exception=_Facilitator())

        @keys.add("c-@")
        def _nul(event: KeyPressEvent) -> None:
            # prompt_toolkit would start a selection and swallow what is typed next; the NUL
            # goes into the answer instead (shown as ^@) and the survey refuses it, saying why.
            event.app.current_buffer.insert_text("\x00")

        session: PromptSession[str] = PromptSession(
            input=self.input, output=self.output, style=STYLE, key_bindings=_guard(keys),
            enable_history_search=False, mouse_support=False)
        while True:
            self._clear_screen()
            try:
                text = session.prompt(self._join(lines), default=typed[0])
                break
            except (_Facilitator, EOFError, KeyboardInterrupt):
                if self.facilitator():
                    raise KeyboardInterrupt from None
        return Back() if went_back[0] else Answer(text)

    # -- review
    def review(self, screen: ReviewScreen) -> ReviewReply:
        rows = [("", "Save my answers", "")] + [
            (str(n), one_line(item.label), one_line(item.answer)
             + ("  (required)" if item.missing_required else ""))
            for n, item in enumerate(screen.items, start=1)]
        state = {"cursor": 0}
        typed = _Typed([key for key, _, _ in rows])
        keys = KeyBindings()

        def fragments() -> StyleAndTextTuples:
            width, height = self._size()
            lines: list[Line] = []
            if screen.banner:
                lines.append([("class:banner", one_line(screen.banner))])
            lines.append([("class:section", "Review your answers")])
            lines.append([("", "Choose an answer to change it, or save.")])
            if screen.notice:
                lines += [[("class:notice", t)] for t in wrap(screen.notice, width - 1)]
            lines.append([])
            footer = [[], [("class:hint",
                            "arrows/number + Enter | PgUp/PgDn | Ctrl-C facilitator")]]
            room = max(3, height - len(lines) - len(footer) - 1)
            top = min(max(0, state["cursor"] - room // 2), max(0, len(rows) - room))
            answer_width = min(28, max((len(a) for _, _, a in rows), default=0))
            label_width = max(20, width - answer_width - 10)
            for i in range(top, min(len(rows), top + room)):
                key, label, answer = rows[i]
                if i > 0:
                    label = review_line_label(screen.items[i - 1], label_width)
                text = f"{key:>3}  {label:<{label_width}}  {answer}" if key else f"     {label}"
                text = text[: width - 2]
                if i == state["cursor"]:
                    lines.append([("[SetCursorPosition]", ""), ("class:selected", ">" + text)])
                else:
                    lines.append([("", " " + text)])
            return self._join(lines + footer)

        def move(delta: int) -> None:
            state["cursor"] = min(len(rows) - 1, max(0, state["cursor"] + delta))

        keys.add("up")(lambda e: move(-1))
        keys.add("k")(lambda e: move(-1))
        keys.add("down")(lambda e: move(1))
        keys.add("j")(lambda e: move(1))
        keys.add("pageup")(lambda e: move(-(self._size()[1] - 8)))
        keys.add("pagedown")(lambda e: move(self._size()[1] - 8))
        keys.add("home")(lambda e: move(-len(rows)))
        keys.add("end")(lambda e: move(len(rows)))

        @keys.add("enter")
        def _enter(event: KeyPressEvent) -> None:
            cursor = state["cursor"]
            event.app.exit(result=Submit() if cursor == 0 else
                           Change(screen.items[cursor - 1].key))

        @keys.add(Keys.Any)
        def _key(event: KeyPressEvent) -> None:
            row, _ = typed.press(event.data)
            if row is not None:
                state["cursor"] = row

        return self._run(fragments, keys, Submit())

    # -- session
    def start(self, number: int, total: int | None) -> bool:
        of = f" of {total}" if total else ""
        keys = KeyBindings()

        def fragments() -> StyleAndTextTuples:
            return self._join([
                [("class:banner", f"Respondent {number}{of}")], [],
                [("", "Ready for the next participant.")], [],
                [("class:hint", "Enter = begin | q = finish the session (facilitator)")]])

        keys.add("enter")(lambda e: e.app.exit(result=True))
        keys.add("q")(lambda e: e.app.exit(result=_ASK))  # the facilitator's PIN ends it
        try:
            return self._run(fragments, keys, True)
        except KeyboardInterrupt:
            return False

    def clear(self) -> None:
        """Clear the screen and the scrollback, so the next participant sees nothing."""
        self._clear_screen()
        self.output.write_raw("\x1b[3J")
        self.output.flush()

    def message(self, text: str) -> None:
        self.output.write(one_line(text) + "\n")
        self.output.flush()

    def summary(self, lines: list[str], *, wait: bool) -> None:
        self._clear_screen()
        body = [[("class:section", "Your principle scores (0-100)")], []]
        body += [[("", line)] for line in lines]
        if not wait:
            for line in body:
                self.output.write("".join(text for _, text in line) + "\n")
            self.output.flush()
            return
        keys = KeyBindings()
        keys.add("enter")(lambda e: e.app.exit(result=True))
        body += [[], [("class:hint", "Press Enter to continue")]]
        self._run(lambda: self._join(body), keys, True)


def terminal_available(plain: bool = False) -> bool:
    """Whether the terminal prompter can be used: stdin and stdout are terminals."""
    import os

    if plain or os.environ.get("TERM", "") == "dumb":
        return False
    return sys.stdin.isatty() and sys.stdout.isatty()
