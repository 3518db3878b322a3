"""The ``compare`` and ``trend`` commands: waves in, a comparison document or report out."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from leadlens.cli._app import app, run, usage_error
from leadlens.cli._console import say, warn, write_document
from leadlens.cli._options import (
    ForceOption,
    Formats,
    QuietOption,
    choose_format,
    format_option,
    is_stdout,
    output_option,
    whole_number,
)

if TYPE_CHECKING:
    from leadlens.waves.document import Comparison, Trend

WAVE_FORMATS = Formats.of(("json", "html", "md"), {
    ".json": "json", ".html": "html", ".htm": "html", ".md": "md", ".markdown": "md"})
WHAT = {"json": "document", "html": "HTML report", "md": "Markdown report"}
WAVE_HELP = ("A results document (leadlens score -o results.json) or a responses file "
             "(scored here, with --question-set).")

QuestionSetsOption = Annotated[list[str] | None, typer.Option(
    "--question-set", "-q", metavar="SET", show_default=False,
    help="A question-set file or a bundled id for the waves given as responses (default: "
    "ggi-systems-leadership); give it once for all, or once per wave in order when the waves used "
    "different versions.")]
LabelsOption = Annotated[str | None, typer.Option(
    "--labels", metavar="NAMES", show_default=False,
    help="The waves' names, comma-separated, e.g. \"Spring 2026,Spring 2027\" (default: when "
         "each wave was collected, from submitted_at, e.g. \"March 2026\"; else \"wave 1\", "
         "\"wave 2\", ...).")]
IndependentOption = Annotated[bool, typer.Option(
    "--independent", help="The waves are different people: refuse respondent ids found in "
    "two waves instead of pairing them.")]
MinGroupSizeOption = Annotated[int | None, typer.Option(
    "--min-group-size", metavar="N", parser=whole_number, show_default=False,
    help="Raise the anonymity threshold (never lower it).")]
TemplateOption = Annotated[Path | None, typer.Option(
    "--template", "-t", metavar="FILE", exists=True, dir_okay=False, readable=True,
    show_default=False, help="Your own Jinja template instead of the bundled one (see "
    "docs/templates.md).")]
TitleOption = Annotated[str | None, typer.Option(
    "--title", metavar="TEXT", show_default=False,
    help="Report title (default: the question set's title).")]
FormatOption = Annotated[str | None, format_option(
    WAVE_FORMATS, "json (the document), html or md (a report); default: from -o's "
    "extension, else a summary on the terminal.")]


def _labels(given: str | None, count: int) -> list[str] | None:
    """``--labels "A,B"`` as names (checked here: the option's own spelling is the error)."""
    if given is None:
        return None
    labels = [part.strip() for part in given.split(",")]
    if len(labels) != count or not all(labels):
        raise usage_error(f"--labels {given!r}: give {count} non-empty names separated by "
                          "commas, one per wave")
    # Two waves of one name make "Since Spring, ... Spring" sentences nobody can read.
    twice = [label for label in dict.fromkeys(labels) if labels.count(label) > 1]
    if twice:
        raise usage_error(f"--labels {given!r}: {twice[0]!r} named twice; give each wave its "
                          "own name")
    return list(labels)


def _question_sets(given: list[str] | None) -> str | list[str] | None:
    """``--question-set`` once (for every wave) or repeated (one per wave: the library
    checks the count)."""
    if not given:
        return None
    return given[0] if len(given) == 1 else list(given)


def _write(text: str, target: Path | None, force: bool, quiet: bool, what: str) -> None:
    if target is None:
        write_document(text)
        return
    from leadlens.files import write_atomic

    write_atomic(target, text, force=force)
    if not quiet:
        warn(f"wrote {target} ({what})\n")


@app.command(short_help="Compare two waves: what changed, and is it more than noise.")
def compare(
    baseline: Annotated[Path, typer.Argument(metavar="BASELINE", help=WAVE_HELP)],
    followup: Annotated[Path, typer.Argument(metavar="FOLLOWUP", help=WAVE_HELP)],
    output: Annotated[Path | None, output_option(
        "compare.json (the comparison document), compare.html or compare.md (a report); "
        "'-': standard output; without it, a summary is printed.")] = None,
    by: Annotated[list[str] | None, typer.Option(
        "--by", metavar="FIELD", show_default=False,
        help="Compare the groups of this respondent field too (repeatable).")] = None,
    labels: LabelsOption = None,
    question_set: QuestionSetsOption = None,
    independent: IndependentOption = False,
    min_group_size: MinGroupSizeOption = None,
    output_format: FormatOption = None,
    template: TemplateOption = None,
    title: TitleOption = None,
    force: ForceOption = False,
    quiet: QuietOption = False,
) -> None:
    """Compare two waves: what changed, for whom, and is it more than noise.

    Exit 0 on success, 1 for waves that cannot be compared (located errors on stderr; nothing
    is written), 2 for usage errors.
    """
    fields = by or []
    fmt = choose_format(WAVE_FORMATS, output_format, output, to_stdout="summary")
    target = None if is_stdout(output) else output
    names = _labels(labels, 2)
    sets = _question_sets(question_set)

    def action() -> Comparison:
        from leadlens.analysis.waves import compare as compare_waves
        from leadlens.files import check_writable

        if target is not None:
            check_writable(target, force=force, inputs=[baseline, followup])
        return compare_waves(baseline, followup, by=fields, question_set=sets, labels=names,
                             independent=independent, min_group_size=min_group_size,
                             title=title)

    doc = run(action)

    def write() -> None:
        from leadlens.report.waves import comparison_context, render_comparison

        if fmt == "summary":
            report = comparison_context(doc, "md", title)["report"]
            say(f"What changed since {doc.baseline.label}\n\n{report['headline']}\n\n")
            for entry in ([report["overall"]] if report["overall"] else []) + \
                    report["principles"]:
                say(f"- {entry['sentence']}\n")
            for withheld in doc.withheld:
                say(f"- withheld: {withheld.what}: {withheld.reason}\n")
            return
        text = (doc.model_dump_json(indent=2, by_alias=True) + "\n" if fmt == "json"
                else render_comparison(doc, "html" if fmt == "html" else "md", template,
                                       title))
        _write(text, target, force, quiet,
               "comparison document" if fmt == "json" else WHAT[fmt])

    run(write)


@app.command(short_help="Follow three or more waves: one line per principle.")
def trend(
    waves: Annotated[list[Path], typer.Argument(
        metavar="WAVE...", help="Three or more waves in order. " + WAVE_HELP)],
    output: Annotated[Path | None, output_option(
        "trend.json (the trend document), trend.html or trend.md (a report); '-': standard "
        "output; without it, a summary is printed.")] = None,
    labels: LabelsOption = None,
    question_set: QuestionSetsOption = None,
    independent: IndependentOption = False,
    min_group_size: MinGroupSizeOption = None,
    output_format: FormatOption = None,
    template: TemplateOption = None,
    title: TitleOption = None,
    force: ForceOption = False,
    quiet: QuietOption = False,
) -> None:
    """Follow three or more waves: one line per principle, each wave against the one before.

    Exit 0 on success, 1 for waves that cannot be compared (nothing is written), 2 for usage
    errors.
    """
    if len(waves) < 3:
        raise usage_error(f"trend needs three or more waves, got {len(waves)}; for two, use "
                          "leadlens compare BASELINE FOLLOWUP")
    fmt = choose_format(WAVE_FORMATS, output_format, output, to_stdout="summary")
    target = None if is_stdout(output) else output
    names = _labels(labels, len(waves))
    sets = _question_sets(question_set)

    def action() -> Trend:
        from leadlens.analysis.waves import trend as trend_waves
        from leadlens.files import check_writable

        if target is not None:
            check_writable(target, force=force, inputs=waves)
        return trend_waves(waves, question_set=sets, labels=names, independent=independent,
                           min_group_size=min_group_size, title=title)

    doc = run(action)

    def write() -> None:
        from leadlens.report.waves import render_trend, trend_context

        if fmt == "summary":
            report = trend_context(doc, "md", title)["report"]
            cuts = [band.from_ for band in doc.bands]
            say(f"{report['headline']}\n\n")
            for line in report["lines"]:
                points = ", ".join(
                    f"{p['wave_label']} "
                    f"{'withheld' if p['withheld'] else _score(p['score'], cuts)}"
                    for p in line["points"])
                say(f"- {line['name']}: {points}\n")
            return
        text = (doc.model_dump_json(indent=2, by_alias=True) + "\n" if fmt == "json"
                else render_trend(doc, "html" if fmt == "html" else "md", template, title))
        _write(text, target, force, quiet, "trend document" if fmt == "json" else WHAT[fmt])

    run(write)


def _score(value: float | None, cuts: list[float]) -> str:
    """A score as every report shows it (:func:`~leadlens.questionset.model.score_text`)."""
    from leadlens.questionset.model import score_text

    return "no score" if value is None else score_text(value, cuts)
