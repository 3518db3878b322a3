"""The CLI's output: rich consoles and plain writers, all through the one terminal sanitiser.

Only the CLI writes to the terminal, and it writes only through here: :func:`make_console`
for rich output and :func:`say` / :func:`warn` for plain lines, all made safe by
:func:`leadlens.text.terminal_safe`. Documents asked for on standard output (``-o -``) go
through :func:`write_document`, exact when piped and made safe when it is a terminal.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from leadlens.text import terminal_safe

if TYPE_CHECKING:  # rich is imported by the commands that print with it (start-up: --help)
    from leadlens.report.console import SafeConsole


def make_console(*, stderr: bool = False) -> SafeConsole:
    """A console that honours NO_COLOR and never wraps or truncates when not a terminal."""
    from leadlens.report.console import SafeConsole

    stream = sys.stderr if stderr else sys.stdout
    is_tty = stream.isatty()
    return SafeConsole(
        file=stream,
        no_color="NO_COLOR" in os.environ,
        highlight=False,
        emoji=False,
        soft_wrap=not is_tty,
        width=None if is_tty else 200,
    )


def say(text: str) -> None:
    """Human-readable text on standard output."""
    sys.stdout.write(terminal_safe(text))


def warn(text: str) -> None:
    """Messages (problems, warnings, what was written) on standard error."""
    sys.stderr.write(terminal_safe(text))


def stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


def write_document(text: str) -> None:
    """A document (JSON, CSV, Markdown, HTML) on standard output: byte-exact into a pipe or
    file, made safe when standard output is a terminal."""
    sys.stdout.write(terminal_safe(text) if stdout_is_terminal() else text)
