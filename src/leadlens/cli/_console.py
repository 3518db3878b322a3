"""Building the rich console: only the CLI makes one."""

from __future__ import annotations

import os
import sys

from rich.console import Console


def make_console(*, stderr: bool = False) -> Console:
    """A console that honours NO_COLOR and never wraps or truncates when not a terminal."""
    stream = sys.stderr if stderr else sys.stdout
    is_tty = stream.isatty()
    return Console(
        file=stream,
        no_color="NO_COLOR" in os.environ,
        highlight=False,
        emoji=False,
        soft_wrap=not is_tty,
        width=None if is_tty else 200,
    )
