"""Commands about question sets: validate, schema, list, show."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from leadlens.cli._app import app, run, usage_error
from leadlens.cli._console import make_console, say, warn, write_document
from leadlens.cli._lazy import load_question_set
from leadlens.errors import Problem

if TYPE_CHECKING:
    from leadlens.questionset.loading import Validation

QUESTION_SET_HELP = "A question-set file or a bundled id (default: ggi-systems-leadership)."


class ValidateFormat(StrEnum):
    text = "text"
    json = "json"
    github = "github"


def _yaml_files(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
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


@app.command()
def validate(
    paths: list[Path] = typer.Argument(..., metavar="PATH",
                                       help="Question-set files or folders."),
    output_format: ValidateFormat = typer.Option(
        ValidateFormat.text, "--format", "-f", help="text, json (a list of problems) or "
        "github (workflow annotations)."),
    strict: bool = typer.Option(False, "--strict", help="Treat warnings as errors."),
) -> None:
    """Check question-set files; report every problem, location first.

    Exit 0 when all are valid, 1 when any is not, 2 for usage errors.
    """
    from leadlens.questionset.loading import validate_file

    results: list[Validation] = [validate_file(p) for p in _yaml_files(paths)]
    failed = [r for r in results if r.errors or (strict and r.warnings)]
    problems = [p for r in results for p in r.problems]
    if output_format is ValidateFormat.json:
        write_document(json.dumps([p.as_dict() for p in problems], indent=2) + "\n")
    elif output_format is ValidateFormat.github:
        for problem in problems:
            say(_github_line(problem) + "\n")
    else:
        for result in results:
            for problem in result.problems:
                say(f"{problem}\n")
            if result.question_set is not None and not (strict and result.warnings):
                qs = result.question_set
                say(f"{result.file}: ok ({qs.id} {qs.version}: "
                                 f"{len(qs.principles)} principles, {len(qs.questions)} "
                                 "questions)\n")
        errors = sum(len(r.errors) for r in results)
        warnings = sum(len(r.warnings) for r in results)
        warn(f"{len(results)} file{'s' if len(results) != 1 else ''} checked, "
                         f"{len(failed)} invalid ({errors} error{'s' if errors != 1 else ''}, "
                         f"{warnings} warning{'s' if warnings != 1 else ''})\n")
    if failed:
        raise typer.Exit(1)


@app.command()
def schema(
    results: bool = typer.Option(False, "--results",
                                 help="The results document's schema instead."),
) -> None:
    """Print the JSON Schema of the question-set format (or of the results document)."""
    from leadlens.questionset.schemas import json_schema_text

    write_document(json_schema_text("results" if results else "question-set"))


@app.command("list")
def list_sets() -> None:
    """List the bundled question sets (id, version, title; tab-separated)."""
    from leadlens.questionset.loading import bundled_sets

    for ident, path in bundled_sets().items():
        qs = run(lambda p=path: load_question_set(p))  # type: ignore[misc]
        say(f"{ident}\t{qs.version}\t{qs.title}\n")


@app.command()
def show(
    question_set: str = typer.Argument(None, help=QUESTION_SET_HELP, show_default=False),
) -> None:
    """Show a question set's principles and questions."""
    from leadlens.cli._show import show_question_set

    qs = run(lambda: load_question_set(question_set))
    show_question_set(qs, make_console())
