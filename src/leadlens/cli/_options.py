"""Options several commands share, typed once with ``Annotated``: one spelling, one help text.

A command declares ``question_set: QuestionSetOption = None`` and gets the same flag, metavar
and help as every other command. Format options are built from the writers' own tables
(:class:`Formats`), so the choices in ``--help`` are the ones that exist, and
:func:`choose_format` is the one place that reads a format from ``--format`` or from the
output's extension. ``-`` as an output means standard output for every command.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer

from leadlens.cli._app import run, usage_error

STDOUT = "-"
"""``-o -``: write to standard output."""

QUESTION_SET_HELP = "A question-set file or a bundled id (default: ggi-systems-leadership)."
MAPPING_HELP = ("A YAML file mapping headers, regexes, Qualtrics ImportIds or LimeSurvey codes "
                "to question ids, and answer codes to values (see docs/imports.md).")
ENCODING_HELP = "Read the file in this encoding (default: UTF-8, falling back to cp1252)."
DELIMITER_HELP = "Field delimiter: ',', ';', 'tab' or one character (default: detected)."


def whole_number(value: str) -> int:
    """A count typed on the command line; its range is the library's rule, not Click's."""
    try:
        return int(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a whole number") from None


QuestionSetOption = Annotated[str | None, typer.Option(
    "--question-set", "-q", metavar="SET", show_default=False, help=QUESTION_SET_HELP)]
QuestionSetArgument = Annotated[str | None, typer.Argument(
    metavar="QUESTION_SET", show_default=False, help=QUESTION_SET_HELP)]
MappingOption = Annotated[Path | None, typer.Option(
    "--mapping", metavar="FILE", show_default=False, help=MAPPING_HELP)]
SheetOption = Annotated[str | None, typer.Option(
    "--sheet", metavar="NAME", show_default=False,
    help="Read this worksheet of a workbook (default: the first, or the first whose header "
    "has question columns).")]
KeepUnfinishedOption = Annotated[bool, typer.Option(
    "--keep-unfinished", help="Score Qualtrics responses marked Finished False too (by "
    "default they are left out, with a warning, as Qualtrics' reports leave them out).")]
EncodingOption = Annotated[str | None, typer.Option(
    "--encoding", metavar="NAME", show_default=False, help=ENCODING_HELP)]
DelimiterOption = Annotated[str | None, typer.Option(
    "--delimiter", metavar="CHAR", show_default=False, help=DELIMITER_HELP)]
ForceOption = Annotated[bool, typer.Option(
    "--force", help="Replace an existing output file (without it, one is never touched).")]
QuietOption = Annotated[bool, typer.Option(
    "--quiet", help="Print errors only: no warnings, no progress or 'wrote ...' lines.")]


def output_option(help: str, *, metavar: str = "FILE", **settings: Any) -> Any:
    """``-o/--output`` for a command that writes a document; ``-`` is standard output."""
    return typer.Option("--output", "-o", metavar=metavar, show_default=False, help=help,
                        **settings)


def is_stdout(output: Path | None) -> bool:
    """True when ``output`` is ``-`` (or not given): the document goes to standard output."""
    return output is None or str(output) == STDOUT


@dataclass(frozen=True)
class Formats:
    """A command's output formats: the names its writers are registered under, and which
    file extensions mean which format."""

    names: tuple[str, ...]
    by_suffix: Mapping[str, str]
    what: str = "format"
    """What the format is called in messages ("report format")."""

    @classmethod
    def of(cls, writers: Iterable[str], by_suffix: Mapping[str, str] | None = None,
           what: str = "format") -> Formats:
        return cls(tuple(dict.fromkeys(writers)), dict(by_suffix or {}), what)

    @property
    def metavar(self) -> str:
        return "|".join(self.names)


def format_option(formats: Formats, help: str) -> Any:
    """``-f/--format`` with the choices of ``formats`` as its metavar."""
    return typer.Option("--format", "-f", metavar=formats.metavar, show_default=False,
                        help=help)


def choose_format(formats: Formats, requested: str | None, output: Path | None = None, *,
                  to_stdout: str | None = None, otherwise: str | None = None) -> str:
    """The format: ``--format``, else the output file's extension, else a fallback.

    Args:
        formats: the command's formats.
        requested: ``--format`` as given (None when not given).
        output: the output path (None or ``-``: standard output).
        to_stdout: the format for standard output when ``--format`` is not given.
        otherwise: the format when a file's extension does not tell.

    Raises:
        typer.Exit: (code 2) an unknown format, or no way to tell.
    """
    if requested is not None:
        if requested not in formats.names:
            raise usage_error(f"--format {requested!r}: choose one of "
                              f"{', '.join(formats.names)}")
        return requested
    stdout = is_stdout(output)
    if not stdout and output is not None:
        found = formats.by_suffix.get(output.suffix.lower())
        if found is not None:
            return found
    fallback = to_stdout if stdout else otherwise
    if fallback is not None:
        return fallback
    if output is not None and not stdout and output.is_dir():
        from leadlens.files import check_writable

        run(lambda: check_writable(output, force=True))  # "is a folder, not a file" (exit 1)
    shown = "standard output" if stdout or output is None else repr(output.name)
    suffixes = ", ".join(f"*{suffix}" for suffix in formats.by_suffix)
    raise usage_error(f"cannot tell the {formats.what} from {shown}: give --format "
                      f"{formats.metavar}" + (f" or name the output {suffixes}" if suffixes
                                              else ""))
