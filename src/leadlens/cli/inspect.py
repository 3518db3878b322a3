"""``leadlens inspect``: what a responses file or platform export is, before any scoring."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from leadlens.cli._app import app, print_problems, run, usage_error
from leadlens.cli._console import say, write_document
from leadlens.errors import Problem
from leadlens.text import json_terminal_safe

if TYPE_CHECKING:  # imported when a command runs, so `leadlens --help` stays quick
    from leadlens.questionset.model import QuestionSet
    from leadlens.responses.exports import ImportOptions, Inspection
    from leadlens.responses.exports.matching import Match

QUESTION_SET_HELP = "A question-set file or a bundled id (default: ggi-systems-leadership)."
MAPPING_HELP = ("A YAML file mapping headers, regexes, Qualtrics ImportIds or LimeSurvey codes "
                "to question ids, and answer codes to values (see docs/imports.md).")
ENCODING_HELP = "Read the file in this encoding (default: UTF-8, falling back to cp1252)."
DELIMITER_HELP = "Field delimiter: ',', ';', 'tab' or one character (default: detected)."

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class InspectFormat(StrEnum):
    text = "text"
    json = "json"


def parse_delimiter(value: str | None) -> str | None:
    """``tab``, ``\\t``, ``comma``, ``semicolon`` or one character; None when not given."""
    if value is None:
        return None
    named = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}
    delimiter = named.get(value.lower(), value)
    if len(delimiter) != 1 or delimiter in "\"\r\n":
        raise usage_error(f"--delimiter must be one character or 'tab', not {value!r}")
    return delimiter


def import_options(mapping: Path | None, encoding: str | None, delimiter: str | None
                   ) -> ImportOptions:
    """The reading options both ``inspect`` and ``score`` take."""
    from leadlens.responses.exports import ImportOptions, load_mapping

    return ImportOptions(encoding=encoding, delimiter=parse_delimiter(delimiter),
                         mapping=run(lambda: load_mapping(mapping)) if mapping else None)


def _shown(text: str) -> str:
    """Header text is untrusted: control characters are printed escaped, never sent raw."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _target(match: Match) -> str:
    if match.kind in ("question", "field"):
        return f"{match.kind} {match.key}"
    return match.kind if match.kind != "unmatched" else "UNMATCHED"


def _missing_problems(inspection: Inspection, qs: QuestionSet, strict: bool) -> list[Problem]:
    texts = {key: q.text for q in qs.questions for key in q.answer_keys}
    return [Problem(file=inspection.detection.file, severity="error" if strict else "warning",
                    message=f"question {key!r} matches no column; its answers would be missing",
                    hint=f"({_shown(texts[key])})")
            for key in inspection.columns.missing]


def _text(inspection: Inspection) -> str:
    from leadlens.responses.exports.platforms import PLATFORM_NAMES
    from leadlens.responses.exports.sniff import DELIMITER_NAMES

    d = inspection.detection
    encoding = d.encoding + (" with byte-order mark" if d.bom else "")
    delimiter = (DELIMITER_NAMES.get(d.delimiter, repr(d.delimiter)) if d.delimiter
                 else "none (workbook)") + (" (from a sep= first line)" if d.sep_line else "")
    lines = [
        f"file: {_shown(d.file)}",
        f"platform: {PLATFORM_NAMES.get(d.platform, d.platform)}",
        f"encoding: {encoding}",
        f"delimiter: {delimiter}",
        f"header rows: {len(d.header_lines)} (line{'s' if len(d.header_lines) != 1 else ''} "
        f"{', '.join(map(str, d.header_lines))})",
        f"responses: {d.records}" + (f" ({d.blank} blank rows skipped)" if d.blank else ""),
        "columns:",
    ]
    matches = inspection.columns.matches
    width = max((len(_target(m)) for m in matches), default=0)
    for m in matches:
        how = f"  ({m.how})" if m.how else ""
        if m.kind == "ambiguous":
            how = f"  (could be {', '.join(m.candidates)})"
        lines.append(f"  {m.column.index + 1:>3}  {_target(m):<{width}}  "
                     f"{_shown(m.column.display)}{_shown(how)}")
    missing = inspection.columns.missing
    lines.append(f"questions with no column: {', '.join(missing) if missing else 'none'}")
    return "\n".join(lines) + "\n"


def _json(inspection: Inspection) -> str:
    d = inspection.detection
    document = {
        "file": d.file, "platform": d.platform, "encoding": d.encoding, "bom": d.bom,
        "delimiter": d.delimiter, "sep_line": d.sep_line, "header_lines": d.header_lines,
        "records": d.records, "blank_rows": d.blank,
        "columns": [{"column": m.column.index + 1, "header": m.column.display, "kind": m.kind,
                     "key": m.key, "how": m.how, "candidates": list(m.candidates)}
                    for m in inspection.columns.matches],
        "missing": inspection.columns.missing,
        "problems": [p.as_dict() for p in inspection.errors + inspection.warnings],
    }
    return json_terminal_safe(json.dumps(document, indent=2, ensure_ascii=False)) + "\n"


RENDERERS: dict[InspectFormat, Callable[[Inspection], str]] = {
    InspectFormat.text: _text,
    InspectFormat.json: _json,
}


@app.command()
def inspect(
    # Files are checked by the readers (a missing one is bad input: exit 1, not Click's 2).
    files: list[Path] = typer.Argument(...,
                                       help="Responses CSVs or survey-platform exports."),
    question_set: str = typer.Option(None, "--question-set", help=QUESTION_SET_HELP,
                                     show_default=False),
    mapping: Path = typer.Option(None, "--mapping", show_default=False, help=MAPPING_HELP),
    encoding: str = typer.Option(None, "--encoding", show_default=False, help=ENCODING_HELP),
    delimiter: str = typer.Option(None, "--delimiter", show_default=False, help=DELIMITER_HELP),
    output_format: InspectFormat = typer.Option(InspectFormat.text, "--format", "-f",
                                                help="text or json."),
    strict: bool = typer.Option(False, "--strict", help="Questions with no column, and "
                                "columns that match nothing, are errors."),
) -> None:
    """Show what a file is and how every column maps, before any scoring.

    Detects the platform (Google Forms, Microsoft Forms, Qualtrics, SurveyMonkey, LimeSurvey
    or a leadlens CSV), encoding, delimiter and header rows, and lists each column as a
    question, respondent field, platform metadata (ignored) or unmatched. Exit 1 when a
    column is ambiguous or a question matches two columns (and, with --strict, when a
    question matches no column).
    """
    from leadlens.questionset.loading import load_question_set
    from leadlens.responses.cells import check_text_file
    from leadlens.responses.exports import inspect_export

    qs = run(lambda: load_question_set(question_set))
    options = import_options(mapping, encoding, delimiter)
    failed = False
    for number, path in enumerate(files):
        run(lambda p=path: check_text_file(p, encoding=options.encoding))  # type: ignore[misc]
        inspection = run(lambda p=path: inspect_export(p, qs, options))  # type: ignore[misc]
        problems = inspection.errors + inspection.warnings + _missing_problems(
            inspection, qs, strict)
        if strict:
            problems = [_as_error(p) for p in problems]
        if number and output_format is InspectFormat.text:
            say("\n")
        rendered = RENDERERS[output_format](inspection)
        if output_format is InspectFormat.text:
            say(rendered)
        else:
            write_document(rendered)
        print_problems(problems)
        failed = failed or any(p.severity == "error" for p in problems)
    if failed:
        raise typer.Exit(1)


def _as_error(problem: Problem) -> Problem:
    if problem.severity == "error":
        return problem
    return Problem(file=problem.file, message=problem.message, line=problem.line,
                   col=problem.col, path=problem.path, hint=problem.hint, column=problem.column)
