"""The ``score`` command: responses files in, results document / scores CSV / table out.

Heavy libraries (numpy, polars) are imported inside the command, so ``leadlens --help``
and other commands start fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from leadlens.cli._app import app, run, usage_error
from leadlens.cli._console import make_console, warn, write_document
from leadlens.cli._options import (
    DelimiterOption,
    EncodingOption,
    ForceOption,
    Formats,
    MappingOption,
    QuestionSetOption,
    QuietOption,
    choose_format,
    format_option,
    is_stdout,
    output_option,
    whole_number,
)
from leadlens.cli.cover import LogoOption, OrganisationOption, TitleOption, make_cover
from leadlens.report.writers import BINARY_FORMATS, FORMAT_BY_SUFFIX, OUTPUT_WRITERS

SCORE_FORMATS = Formats.of(OUTPUT_WRITERS, FORMAT_BY_SUFFIX)


@app.command(short_help="Score responses: principles, reliability, groups with anonymity.")
def score(
    responses: Annotated[list[Path], typer.Argument(
        metavar="RESPONSES...",
        help="Responses CSVs, Parquet files or survey-platform exports (.csv, .xlsx); "
        "concatenated.")],
    question_set: QuestionSetOption = None,
    by: Annotated[list[str] | None, typer.Option(
        "--by", metavar="FIELD", show_default=False,
        help="Break results down by this respondent field (repeatable).")] = None,
    output_format: Annotated[str | None, format_option(
        SCORE_FORMATS, "json (results document), csv (one row per respondent), table, html or "
        "md (reports), parquet (tidy tables), xlsx (an accessible spreadsheet), pdf (the "
        "report, printed by Chromium); default: from -o's extension, else a table on the "
        "terminal.")] = None,
    output: Annotated[Path | None, output_option(
        "Write to this file ('-': standard output).")] = None,
    force: ForceOption = False,
    strict: Annotated[bool, typer.Option(
        "--strict", help="Treat warnings about the responses as errors.")] = False,
    on_invalid: Annotated[str, typer.Option(
        "--on-invalid", metavar="error|missing", show_default=False,
        help="What to do with answers not on their scale: stop with an error (default) or "
        "count them as missing, with a warning.")] = "error",
    allow_missing_questions: Annotated[bool, typer.Option(
        "--allow-missing-questions",
        help="Score even when a question has no column (its answers count as missing, with "
        "a warning); without it, that is an error.")] = False,
    min_group_size: Annotated[int | None, typer.Option(
        "--min-group-size", metavar="N", parser=whole_number, show_default=False,
        help="Raise the question set's anonymity threshold for groups (never lower "
        "it).")] = None,
    mapping: MappingOption = None,
    encoding: EncodingOption = None,
    delimiter: DelimiterOption = None,
    quiet: QuietOption = False,
    title: TitleOption = None,
    organisation: OrganisationOption = None,
    logo: LogoOption = None,
    agreed: Annotated[Path | None, typer.Option(
        "--agreed", metavar="FILE", dir_okay=False, show_default=False,
        help="What the board agreed in a workshop (board.agreed.yaml): adds the agreed and "
        "target bands and the actions to the results and the report.")] = None,
) -> None:
    """Score responses: principle scores, reliability, groups with anonymity.

    Exit 0 on success, 1 for bad data (located errors on stderr), 2 for usage errors.
    """
    chosen = choose_format(SCORE_FORMATS, output_format, output, to_stdout="table")
    target = None if is_stdout(output) else output
    if target is None and chosen in BINARY_FORMATS:
        raise usage_error(f"--format {chosen}: a binary file; name it with -o FILE")
    if target is not None:
        from leadlens.files import check_writable

        run(lambda: check_writable(target, force=force))

    from leadlens.analysis.scoring import score_output
    from leadlens.questionset.loading import load_question_set
    from leadlens.scoring.options import check_score_options

    qs = run(lambda: load_question_set(question_set))
    run(lambda: check_score_options(qs, by=by or [], min_group_size=min_group_size))

    board = None
    if agreed is not None:  # checked before the responses: a quick file, a quick answer
        from leadlens.workshop.agreed import load_agreed

        board = run(lambda: load_agreed(agreed, qs))

    cover = run(lambda: make_cover(title, organisation, logo))  # a bad logo: before any work
    result = run(lambda: score_output(
        responses, qs, by or [], min_group_size=min_group_size,
        on_invalid=on_invalid, strict=strict, allow_missing_questions=allow_missing_questions,
        mapping=mapping, encoding=encoding, delimiter=delimiter))
    result.cover = cover
    if board is not None and agreed is not None:
        from leadlens.workshop.pack import with_agreed

        result.scored.results = with_agreed(result.scored.results, board, agreed.name)
    results = result.results
    if not quiet:
        for warning in results.warnings:
            warn(f"{warning}\n")
    if target is None and chosen == "table":
        from leadlens.report.writers import render_table

        render_table(results, make_console())
        return
    document = run(lambda: OUTPUT_WRITERS[chosen](result))
    if target is None:
        assert isinstance(document, str)  # binary formats need -o FILE (above)
        write_document(document)
        return
    from leadlens.files import write_atomic
    from leadlens.report.writers import FORMAT_NAMES, wrote_message

    run(lambda: write_atomic(target, document, force=force))
    if not quiet:
        warn(wrote_message(target, results.respondents, FORMAT_NAMES[chosen]))
