"""Commands about question sets: validate, schema, list, show."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Protocol

import typer

from leadlens.cli._app import app, run, usage_error
from leadlens.cli._console import make_console, say, warn, write_document
from leadlens.cli._lazy import load_question_set
from leadlens.cli._options import (
    Formats,
    QuestionSetArgument,
    QuietOption,
    choose_format,
    format_option,
)
from leadlens.errors import Problem

if TYPE_CHECKING:
    from leadlens.questionset.loading import Validation


def _yaml_files(paths: list[Path]) -> list[Path]:
    """The files to validate: files as given, folders' YAML files, bundled ids' files."""
    from leadlens.questionset.loading import bundled_sets

    files: list[Path] = []
    for path in paths:
        bundled = bundled_sets() if not path.exists() else {}
        if str(path) in bundled:
            files.append(bundled[str(path)])
        elif path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml")
                           and p.is_file() and not any(part.startswith(".") for part in
                                                       p.relative_to(path).parts))
            if not found:
                raise usage_error(f"{path}: no .yaml or .yml files in this folder")
            files += found
        else:
            files.append(path)
    return files


def _github_escape(text: str, *, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def _github_line(problem: Problem) -> str:
    props = [f"file={_github_escape(problem.file, prop=True)}"]
    if problem.line is not None:
        props.append(f"line={problem.line}")
    if problem.col is not None:
        props.append(f"col={problem.col}")
    message = (f"{problem.path}: " if problem.path else "") + problem.message
    if problem.hint:
        message += f". {problem.hint}"
    return f"::{problem.severity} {','.join(props)}::{_github_escape(message)}"


def _report_text(results: list[Validation], *, strict: bool, quiet: bool) -> None:
    """One line per problem, an ``ok`` line per valid file; the count on stderr."""
    for result in results:
        for problem in result.problems:
            if not quiet or problem.severity == "error" or strict:
                say(f"{problem}\n")
        if result.question_set is not None and not (strict and result.warnings) and not quiet:
            qs = result.question_set
            say(f"{result.file}: ok ({qs.id} {qs.version}: "
                f"{_count(len(qs.principles), 'principle')}, "
                f"{_count(len(qs.questions), 'question')})\n")
    if quiet:
        return
    failed = sum(1 for r in results if _failed(r, strict))
    errors = sum(len(r.errors) for r in results)
    warnings = sum(len(r.warnings) for r in results)
    warn(f"{len(results)} file{'s' if len(results) != 1 else ''} checked, "
         f"{failed} invalid ({errors} error{'s' if errors != 1 else ''}, "
         f"{warnings} warning{'s' if warnings != 1 else ''})\n")


def _count(number: int, word: str) -> str:
    return f"{number} {word}{'' if number == 1 else 's'}"


def _shown_problems(results: list[Validation], *, strict: bool, quiet: bool) -> list[Problem]:
    return [p for r in results for p in r.problems
            if not quiet or strict or p.severity == "error"]


def _report_json(results: list[Validation], *, strict: bool, quiet: bool) -> None:
    """A JSON list of problems, for scripts."""
    problems = _shown_problems(results, strict=strict, quiet=quiet)
    write_document(json.dumps([p.as_dict() for p in problems], indent=2) + "\n")


def _report_github(results: list[Validation], *, strict: bool, quiet: bool) -> None:
    """GitHub Actions workflow commands: each problem an annotation on its line."""
    for problem in _shown_problems(results, strict=strict, quiet=quiet):
        say(_github_line(problem) + "\n")


class Reporter(Protocol):
    def __call__(self, results: list[Validation], *, strict: bool, quiet: bool) -> None: ...


REPORTERS: dict[str, Reporter] = {
    "text": _report_text,
    "json": _report_json,
    "github": _report_github,
}
"""``validate --format`` name -> reporter (called with the results, ``strict``, ``quiet``)."""

VALIDATE_FORMATS = Formats.of(REPORTERS)


def _failed(result: Validation, strict: bool) -> bool:
    return bool(result.errors or (strict and result.warnings))


@app.command()
def validate(
    paths: Annotated[list[Path], typer.Argument(metavar="PATH...",
                                                help="Question-set files or folders.")],
    output_format: Annotated[str, format_option(
        VALIDATE_FORMATS, "text, json (a list of problems) or github (workflow annotations); "
        "default: text.")] = "text",
    strict: Annotated[bool, typer.Option("--strict", help="Treat warnings as errors.")] = False,
    quiet: QuietOption = False,
) -> None:
    """Check question-set files; report every problem, location first.

    Exit 0 when all are valid, 1 when any is not, 2 for usage errors.
    """
    from leadlens.questionset.loading import validate_file

    reporter = REPORTERS[choose_format(VALIDATE_FORMATS, output_format)]
    results: list[Validation] = [validate_file(p) for p in _yaml_files(paths)]
    reporter(results, strict=strict, quiet=quiet)
    if any(_failed(r, strict) for r in results):
        raise typer.Exit(1)


@app.command(short_help="Print the JSON Schema of question sets (or of a document).")
def schema(
    results: Annotated[bool, typer.Option(
        "--results", help="The results document's schema instead.")] = False,
    report_context: Annotated[bool, typer.Option(
        "--report-context", help="The schema of what report templates see.")] = False,
    compare: Annotated[bool, typer.Option(
        "--compare", help="The comparison document's schema (leadlens compare).")] = False,
    trend: Annotated[bool, typer.Option(
        "--trend", help="The trend document's schema (leadlens trend).")] = False,
) -> None:
    """Print the JSON Schema of the question-set format (or of a document leadlens writes)."""
    from leadlens.questionset.schemas import SchemaName, json_schema_text

    flags: list[tuple[SchemaName, bool]] = [("results", results),
                                            ("report-context", report_context),
                                            ("compare", compare), ("trend", trend)]
    chosen = [name for name, given in flags if given]
    if len(chosen) > 1:
        raise usage_error("give at most one of --results, --report-context, --compare and "
                          "--trend")
    write_document(json_schema_text(chosen[0] if chosen else "question-set"))


@app.command("list", short_help="List the bundled question sets.")
def list_sets() -> None:
    """List the bundled question sets (id, version, title; tab-separated)."""
    from leadlens.questionset.loading import bundled_sets

    for ident, path in bundled_sets().items():
        qs = run(lambda p=path: load_question_set(p))  # type: ignore[misc]
        say(f"{ident}\t{qs.version}\t{qs.title}\n")


@app.command()
def show(question_set: QuestionSetArgument = None) -> None:
    """Show a question set's principles and questions."""
    from leadlens.cli._show import show_question_set

    qs = run(lambda: load_question_set(question_set))
    show_question_set(qs, make_console())
