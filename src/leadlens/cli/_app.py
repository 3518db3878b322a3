"""The Typer application object and the helpers every command shares."""

from __future__ import annotations

import inspect
import os
import signal
import sys
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from typer.core import TyperCommand

from leadlens._version import __version__
from leadlens.cli._console import say, warn
from leadlens.errors import LeadlensError, Problem, UsageError

if TYPE_CHECKING:
    from typer._click import Context, HelpFormatter

F = TypeVar("F", bound=Callable[..., Any])


class Command(TyperCommand):
    """A command whose help reads like a Unix tool's: ``score [OPTIONS] RESPONSES...``.

    Arguments are shown by their metavar alone (Typer would add ``{...}`` and the Python type,
    ``<list[Path]>``), and the command list shows each command's first paragraph whole.
    """

    def collect_usage_pieces(self, ctx: Context) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                name = _argument_name(param.metavar or (param.name or "").upper(), param.nargs)
                pieces.append(name if param.required else f"[{name}]")
            else:
                pieces.extend(param.get_usage_pieces(ctx))
        return pieces

    def format_options(self, ctx: Context, formatter: HelpFormatter) -> None:
        arguments: list[tuple[str, str]] = []
        options: list[tuple[str, str]] = []
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                if not getattr(param, "hidden", False):
                    name = param.metavar or (param.name or "").upper()
                    arguments.append((_argument_name(name, param.nargs),
                                      getattr(param, "help", None) or ""))
            elif (record := param.get_help_record(ctx)) is not None:
                options.append(record)
        for title, rows in (("Arguments", arguments), ("Options", options)):
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)

    def invoke(self, ctx: Context) -> Any:
        """Refuse standard input (``-``) named for two inputs before the command runs."""
        named = [_flag(param) for param in self.get_params(ctx)
                 if param.name not in OUTPUT_PARAMS
                 for value in _values(ctx.params.get(param.name or ""))
                 if str(value) == "-"]
        if len(named) > 1:
            shown = " and ".join(dict.fromkeys(named))
            times = "twice" if len(named) == 2 else f"{len(named)} times"
            raise usage_error(f"{shown}: standard input (-) is named {times}; it can be read "
                              "only once. Save it to a file and name the file instead")
        return super().invoke(ctx)

    def get_short_help_str(self, limit: int = 45) -> str:
        """The ``short_help``, else the help's first paragraph: whole, never cut at ``...``."""
        if self.short_help:
            return inspect.cleandoc(self.short_help)
        return inspect.cleandoc(self.help or "").split("\n\n")[0].replace("\n", " ").strip()


OUTPUT_PARAMS = frozenset({"output"})
"""Parameters where ``-`` means standard output, not input."""


def _values(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


def _flag(param: Any) -> str:
    if param.param_type_name == "argument":
        return str(param.metavar or (param.name or "").upper()).removesuffix("...")
    return str(max(param.opts, key=len))


def _argument_name(name: str, nargs: int) -> str:
    return name if nargs == 1 or name.endswith("...") else f"{name}..."


class Typer(typer.Typer):
    """The application: every command it registers is a :class:`Command`."""

    def command(self, name: str | None = None, *, cls: type[TyperCommand] | None = None,
                **settings: Any) -> Callable[[F], F]:
        decorate: Callable[[F], F] = super().command(name, cls=cls or Command, **settings)
        return decorate


app = Typer(
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
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
) -> None:
    """Systems-leadership diagnostics: question sets, surveys, scoring and reports."""


def print_problems(problems: Iterable[Problem]) -> None:
    """One plain line per problem on stderr: never wrapped, never styled."""
    for problem in problems:
        warn(f"{problem}\n")


def run(action: Callable[[], T]) -> T:
    """Call ``action``; a :class:`LeadlensError` becomes its problems on stderr and exit 1.

    A :class:`UsageError` (an option the library refuses) is ``Error: --OPTION MESSAGE`` and
    exit 2, as Click reports the options it refuses itself.
    """
    try:
        return action()
    except UsageError as exc:
        raise usage_error(option_message(exc)) from None
    except LeadlensError as exc:
        print_problems(exc.problems)
        if exc.omitted:
            warn(f"... and {exc.omitted} more problems not shown\n")
        raise typer.Exit(1) from None


def option_flag(option: str) -> str:
    """The command-line spelling of an API argument: ``min_group_size`` -> ``--min-group-size``."""
    return "--" + option.replace("_", "-")


def option_message(error: UsageError) -> str:
    """``--by 'team': not a respondent field ...``: the refused option, as the user typed it."""
    return "\n".join(f"{option_flag(p.path or error.option)} {p.message}"
                     for p in error.problems)


def usage_error(message: str) -> typer.Exit:
    """Report a usage mistake found after parsing (exit code 2, Click's convention)."""
    warn(f"Error: {message}\n")
    return typer.Exit(2)


def main() -> None:
    """Console-script entry point."""
    # Behave like other Unix tools when the reader of a pipe goes away (`leadlens show | head`):
    # end quietly, as killed by SIGPIPE, instead of a BrokenPipeError and exit 1.
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    # One BLAS thread (unless asked otherwise): leadlens' matrices are small (items x items),
    # and a process without other threads decodes Parquet in a cheap fork of itself
    # (responses/parquet_child.py) rather than a fresh interpreter.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from leadlens.files import Terminated, terminate_cleanly

    terminate_cleanly()  # SIGTERM unwinds, so a write in progress removes its temporary
    try:
        app()
    except KeyboardInterrupt:
        warn("\nInterrupted.\n")
        sys.exit(130)
    except Terminated as stop:
        sys.stderr.write("\nTerminated.\n")
        sys.exit(stop.code)
