"""``leadlens inspect``: what a responses file or platform export is, before any scoring."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from leadlens.cli._app import app, print_problems, run
from leadlens.cli._console import say, write_document
from leadlens.cli._options import (
    DelimiterOption,
    EncodingOption,
    Formats,
    KeepUnfinishedOption,
    MappingOption,
    QuestionSetOption,
    QuietOption,
    SheetOption,
    choose_format,
    format_option,
)
from leadlens.errors import Code, Problem
from leadlens.text import json_terminal_safe

if TYPE_CHECKING:  # imported when a command runs, so `leadlens --help` stays quick
    from leadlens.questionset.model import QuestionSet
    from leadlens.responses.exports import ImportOptions, Inspection
    from leadlens.responses.exports.matching import Match

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def import_options(mapping: Path | None, encoding: str | None, delimiter: str | None,
                   question_set: QuestionSet | None = None, *,
                   keep_unfinished: bool = False, sheet: str | None = None) -> ImportOptions:
    """The reading options both ``inspect`` and ``score`` take (the library's rules)."""
    from leadlens.analysis.scoring import import_options as library_options

    return run(lambda: library_options(mapping, encoding, delimiter, question_set,
                                       keep_unfinished=keep_unfinished, sheet=sheet))


def _shown(text: str) -> str:
    """Header text is untrusted: control characters are printed escaped, never sent raw."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _target(match: Match) -> str:
    if match.kind in ("question", "field"):
        return f"{match.kind} {match.key}"
    return match.kind if match.kind != "unmatched" else "UNMATCHED"


def _missing_problems(inspection: Inspection, qs: QuestionSet, strict: bool) -> list[Problem]:
    texts = {key: q.text for q in qs.questions for key in q.answer_keys}
    missing = inspection.columns.missing
    if missing and not any(m.kind == "question" for m in inspection.columns.matches):
        sheet = inspection.detection.sheet
        where = f" of sheet {sheet!r}" if sheet else ""
        return [Problem(  # one line, not one per question of a file that answers none
            file=inspection.detection.file, severity="error" if strict else "warning",
            message=f"no column{where} matches a question of {qs.id!r}: all "
            f"{len(missing)} question columns are missing (see questions with no column)",
            hint="Check the question set (--question-set), or map columns with --mapping",
            code=Code.RESPONSES_MISSING_COLUMNS)]
    return [Problem(file=inspection.detection.file, severity="error" if strict else "warning",
                    message=f"question {key!r} matches no column; its answers would be missing",
                    hint=f"({_shown(texts[key])})", code=Code.RESPONSES_MISSING_COLUMNS)
            for key in inspection.columns.missing]


MAX_LISTED_COLUMNS = 500
"""Columns listed by ``inspect``'s text report (a survey export has tens to a few hundred);
the rest are counted in one more line."""

_PLATFORMS = {"parquet": "Parquet file (read by its column names, as leadlens score reads it)"}
"""Names of the inputs the export layer does not read."""


def _text(inspection: Inspection) -> str:
    from leadlens.analysis.inspection import PARQUET
    from leadlens.responses.exports.platforms import PLATFORM_NAMES
    from leadlens.responses.exports.sniff import DELIMITER_NAMES

    d = inspection.detection
    encoding = d.encoding + (" with byte-order mark" if d.bom else "")
    delimiter = (DELIMITER_NAMES.get(d.delimiter, repr(d.delimiter)) if d.delimiter
                 else "none (workbook)") + (" (from a sep= first line)" if d.sep_line else "")
    header = (f"{len(d.header_lines)} (line{'s' if len(d.header_lines) != 1 else ''} "
              f"{', '.join(map(str, d.header_lines))})")
    if d.platform == PARQUET:  # column names, typed cells: nothing to detect
        encoding, delimiter, header = "utf-8 (Parquet)", "none (Parquet)", "none (column names)"
    lines = [
        f"file: {_shown(d.file)}",
        f"platform: {PLATFORM_NAMES.get(d.platform, _PLATFORMS.get(d.platform, d.platform))}",
        f"encoding: {encoding}",
        f"delimiter: {delimiter}",
        f"header rows: {header}",
        f"responses: {d.records}" + (f" ({d.blank} blank rows skipped)" if d.blank else ""),
        "columns:",
    ]
    matches = inspection.columns.matches[:MAX_LISTED_COLUMNS]
    width = max((len(_target(m)) for m in matches), default=0)
    for m in matches:
        how = f"  ({m.how})" if m.how else ""
        if m.kind == "ambiguous":
            how = f"  (could be {', '.join(m.candidates)})"
        lines.append(f"  {m.column.index + 1:>3}  {_target(m):<{width}}  "
                     f"{_shown(m.column.display)}{_shown(how)}")
    if len(inspection.columns.matches) > len(matches):  # cut as long lists of problems are
        lines.append(f"  ... and {len(inspection.columns.matches) - len(matches):,} more "
                     "columns (--format json lists them all)")
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


def _say_text(inspection: Inspection, first: bool) -> None:
    say(("" if first else "\n") + _text(inspection))


def _write_json(inspection: Inspection, first: bool) -> None:
    write_document(_json(inspection))


REPORTERS: dict[str, Callable[[Inspection, bool], None]] = {
    "text": _say_text,
    "json": _write_json,
}
"""``inspect --format`` name -> reporter, called with each file's inspection and whether it
is the first file."""

INSPECT_FORMATS = Formats.of(REPORTERS)


@app.command(short_help="Show what a responses file is and how its columns map.")
def inspect(
    # Files are checked by the readers (a missing one is bad input: exit 1, not Click's 2).
    files: Annotated[list[Path], typer.Argument(
        metavar="FILE...", help="Responses CSVs, Parquet files or survey-platform exports.")],
    question_set: QuestionSetOption = None,
    mapping: MappingOption = None,
    encoding: EncodingOption = None,
    delimiter: DelimiterOption = None,
    keep_unfinished: KeepUnfinishedOption = False,
    sheet: SheetOption = None,
    output_format: Annotated[str, format_option(
        INSPECT_FORMATS, "text or json; default: text.")] = "text",
    strict: Annotated[bool, typer.Option(
        "--strict", help="Questions with no column, and columns that match nothing, are "
        "errors.")] = False,
    quiet: QuietOption = False,
) -> None:
    """Show what a file is and how every column maps, before any scoring.

    Detects the platform (Google Forms, Microsoft Forms, Qualtrics, SurveyMonkey, LimeSurvey,
    a leadlens CSV or a Parquet file), encoding, delimiter and header rows, and lists each
    column as a question, respondent field, platform metadata (ignored) or unmatched. Exit 1 when a
    column is ambiguous or a question matches two columns (and, with --strict, when a
    question matches no column).
    """
    from leadlens.analysis.inspection import inspect_file
    from leadlens.questionset.loading import load_question_set

    reporter = REPORTERS[choose_format(INSPECT_FORMATS, output_format)]
    qs = run(lambda: load_question_set(question_set))
    options = import_options(mapping, encoding, delimiter, qs,
                             keep_unfinished=keep_unfinished, sheet=sheet)
    failed = False
    for number, path in enumerate(files):
        inspection = run(lambda p=path: inspect_file(p, qs, options))  # type: ignore[misc]
        problems = inspection.errors + inspection.warnings + _missing_problems(
            inspection, qs, strict)
        if strict:
            problems = [_as_error(p) for p in problems]
        reporter(inspection, number == 0)
        print_problems(p for p in problems if not quiet or p.severity == "error")
        failed = failed or any(p.severity == "error" for p in problems)
    if failed:
        raise typer.Exit(1)


def _as_error(problem: Problem) -> Problem:
    if problem.severity == "error":
        return problem
    return replace(problem, severity="error")
