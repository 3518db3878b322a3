"""The ``score`` command: responses files in, results document / scores CSV / table out.

Heavy libraries (numpy, polars) are imported inside the command, so ``leadlens --help``
and other commands start fast.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import typer

from leadlens.cli._app import app, run, usage_error
from leadlens.cli._console import make_console, warn, write_document
from leadlens.cli.inspect import DELIMITER_HELP, ENCODING_HELP, MAPPING_HELP, import_options

ON_INVALID = ("error", "missing")


def _generated_at() -> dt.datetime | None:
    # Reproducible builds' convention: a fixed time stamp makes the document byte-identical.
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    return None


def _choose_format(requested: str | None, output: Path | None) -> str:
    from leadlens.report.writers import FORMAT_BY_SUFFIX, OUTPUT_WRITERS

    names = ", ".join(OUTPUT_WRITERS)
    if requested is not None:
        if requested not in OUTPUT_WRITERS:
            raise usage_error(f"--format {requested!r}: choose one of {names}")
        return requested
    if output is None:
        return "table"
    suffix = output.suffix.lower()
    if suffix not in FORMAT_BY_SUFFIX:
        raise usage_error(f"cannot tell the format from {output.name!r}: give --format "
                          f"({names}) or use one of {', '.join(FORMAT_BY_SUFFIX)}")
    return FORMAT_BY_SUFFIX[suffix]


@app.command()
def score(
    responses: list[Path] = typer.Argument(
        ..., metavar="RESPONSES...",
        help="Responses CSVs or survey-platform exports (.csv, .xlsx); concatenated."),
    question_set: str | None = typer.Option(
        None, "--question-set", "-q",
        help="A question-set file or a bundled id (default: ggi-systems-leadership)."),
    by: list[str] = typer.Option(
        [], "--by", metavar="FIELD",
        help="Break results down by this respondent field (repeatable)."),
    output_format: str | None = typer.Option(
        None, "--format", "-f", metavar="FORMAT",
        help="json (results document), csv (one row per respondent) or table; default: "
             "from -o's extension, else a table on the terminal."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write to this file."),
    force: bool = typer.Option(False, "--force", help="Overwrite the output file."),
    strict: bool = typer.Option(False, "--strict",
                                help="Treat warnings about the responses as errors."),
    on_invalid: str = typer.Option(
        "error", "--on-invalid", metavar="error|missing",
        help="What to do with answers not on their scale: stop with an error (default) or "
             "count them as missing, with a warning."),
    min_group_size: int | None = typer.Option(
        None, "--min-group-size", metavar="N",
        help="Raise the question set's anonymity threshold for groups (never lower it)."),
    mapping: Path | None = typer.Option(None, "--mapping", metavar="FILE", help=MAPPING_HELP),
    encoding: str | None = typer.Option(None, "--encoding", help=ENCODING_HELP),
    delimiter: str | None = typer.Option(None, "--delimiter", help=DELIMITER_HELP),
) -> None:
    """Score responses: principle scores, reliability, groups with anonymity.

    Exit 0 on success, 1 for bad data (located errors on stderr), 2 for usage errors.
    """
    if on_invalid not in ON_INVALID:
        raise usage_error(f"--on-invalid {on_invalid!r}: choose error or missing")
    chosen = _choose_format(output_format, output)
    if output is not None:
        from leadlens.files import check_writable

        run(lambda: check_writable(output, force=force))

    from leadlens.questionset.loading import load_question_set

    qs = run(lambda: load_question_set(question_set))
    fields = qs.respondent_field_ids()
    for field_id in by:
        if field_id not in fields:
            raise usage_error(f"--by {field_id!r}: not a respondent field of {qs.id}; "
                              f"choose from {', '.join(fields) or '(none)'}")
    floor = max(3, qs.scoring.min_group_size)
    if min_group_size is not None and min_group_size < floor:
        raise usage_error(f"--min-group-size {min_group_size}: may raise the question set's "
                          f"threshold ({floor}) but not lower it")

    from leadlens.report.writers import OUTPUT_WRITERS, ScoreOutput, render_table
    from leadlens.responses.reading import read_responses
    from leadlens.scoring import score as score_responses

    options = import_options(mapping, encoding, delimiter)
    data = run(lambda: read_responses(
        responses, qs, on_invalid="missing" if on_invalid == "missing" else "error",
        strict=strict, import_options=options))
    scored = score_responses(qs, data, by=by, min_group_size=min_group_size,
                             generated_at=_generated_at())
    for warning in scored.results.warnings:
        warn(f"{warning}\n")
    result = ScoreOutput(scored, data)
    if output is None and chosen == "table":
        render_table(scored.results, make_console())
        return
    text = OUTPUT_WRITERS[chosen](result)
    if output is None:
        write_document(text)
        return
    from leadlens.files import write_atomic
    from leadlens.report.writers import FORMAT_NAMES, wrote_message

    run(lambda: write_atomic(output, text, force=force))
    warn(wrote_message(output, scored.results.respondents, FORMAT_NAMES[chosen]))
