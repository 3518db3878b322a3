"""The Typer application object and the helpers every command shares."""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable, Iterable
from typing import TypeVar

import typer

from leadlens._version import __version__
from leadlens.cli._console import say, warn
from leadlens.errors import LeadlensError, Problem

app = typer.Typer(
    name="leadlens",
    help="Systems-leadership diagnostics: question sets, surveys, scoring and reports.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

T = TypeVar("T")


def _version(value: bool) -> None:
    if value:
        say(f"leadlens {__version__}\n")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Show the version and exit."),
) -> None:
    """Systems-leadership diagnostics: question sets, surveys, scoring and reports."""


def print_problems(problems: Iterable[Problem]) -> None:
    """One plain line per problem on stderr: never wrapped, never styled."""
    for problem in problems:
        warn(f"{problem}\n")


def run(action: Callable[[], T]) -> T:
    """Call ``action``; a :class:`LeadlensError` becomes its problems on stderr and exit 1."""
    try:
        return action()
    except LeadlensError as exc:
        print_problems(exc.problems)
        if exc.omitted:
            warn(f"... and {exc.omitted} more problems not shown\n")
        raise typer.Exit(1) from None


def usage_error(message: str) -> typer.Exit:
    """Report a usage mistake found after parsing (exit code 2, Click's convention)."""
    warn(f"Error: {message}\n")
    return typer.Exit(2)


def main() -> None:
    """Console-script entry point."""
    # Behave like other Unix tools when the reader of a pipe goes away (`leadlens show | head`):
    # end quietly, as killed by SIGPIPE, instead of a BrokenPipeError and exit 1.
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    try:
        app()
    except KeyboardInterrupt:
        warn("\nInterrupted.\n")
        sys.exit(130)
