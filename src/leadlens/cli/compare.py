"""The ``compare`` and ``trend`` commands: waves in, a comparison document or report out."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

import typer

from leadlens.cli._app import app, run, usage_error
from leadlens.cli._console import say, warn, write_document
from leadlens.cli.report import ReportFormat
from leadlens.cli.score import _generated_at

if TYPE_CHECKING:
    from leadlens.compare.waves import Wave

OutputFormat = Literal["json", "html", "md"]
SUFFIXES: dict[str, OutputFormat] = {".json": "json", ".html": "html", ".htm": "html",
                                     ".md": "md", ".markdown": "md"}
WAVE_HELP = ("A results document (leadlens score -o results.json) or a responses file "
             "(scored here, with --question-set).")


def _format(output: Path | None, given: ReportFormat | None) -> OutputFormat | None:
    if given is not None:
        return "html" if given is ReportFormat.html else "md"
    if output is None:
        return None
    if output.suffix.lower() not in SUFFIXES:
        raise usage_error(f"cannot tell the format from {output.name!r}: name the output "
                          "*.json, *.html or *.md, or pass --format")
    return SUFFIXES[output.suffix.lower()]


def _labels(given: str | None, count: int) -> list[str | None]:
    if given is None:
        return [None] * count
    labels = [part.strip() for part in given.split(",")]
    if len(labels) != count or not all(labels):
        raise usage_error(f"--labels {given!r}: give {count} non-empty names separated by "
                          "commas, one per wave")
    return list(labels)


def _load(paths: list[Path], labels: list[str | None], question_set: str | None,
          by: list[str], min_group_size: int | None) -> list[Wave]:
    from leadlens.compare.loading import load_wave
    from leadlens.errors import LeadlensError

    waves: list[Wave] = []
    problems = []
    for path, label in zip(paths, labels, strict=True):
        try:
            waves.append(load_wave(path, label=label, question_set=question_set, by=by,
                                   min_group_size=min_group_size,
                                   generated_at=_generated_at()))
        except LeadlensError as exc:  # every wave's problems, then stop
            problems += exc.problems
    if problems:
        raise LeadlensError(problems)
    return waves


def _write(text: str, output: Path | None, force: bool, what: str) -> None:
    if output is None:
        write_document(text)
        return
    from leadlens.files import write_atomic

    write_atomic(output, text, force=force)
    warn(f"wrote {output} ({what})\n")


OUTPUT_HELP = ("compare.json (the comparison document), compare.html or compare.md (a "
               "report); without it, the summary is printed.")


@app.command()
def compare(
    baseline: Path = typer.Argument(..., metavar="BASELINE", help=WAVE_HELP),
    followup: Path = typer.Argument(..., metavar="FOLLOWUP", help=WAVE_HELP),
    output: Path | None = typer.Option(None, "--output", "-o", help=OUTPUT_HELP),
    by: list[str] = typer.Option([], "--by", metavar="FIELD",
                                 help="Compare the groups of this respondent field too "
                                      "(repeatable)."),
    labels: str | None = typer.Option(None, "--labels", metavar="BASELINE,FOLLOWUP",
                                      help="Names of the waves, e.g. \"Spring 2026,Spring "
                                           "2027\" (default: the file names)."),
    question_set: str | None = typer.Option(
        None, "--question-set", "-q", help="For waves given as responses: a question-set "
        "file or bundled id (default: ggi-systems-leadership)."),
    independent: bool = typer.Option(
        False, "--independent", help="The waves are different people: refuse respondent ids "
        "found in both instead of pairing them."),
    min_group_size: int | None = typer.Option(
        None, "--min-group-size", metavar="N", help="Raise the anonymity threshold."),
    output_format: ReportFormat | None = typer.Option(
        None, "--format", "-f", help="html or md (default: from the output's extension)."),
    template: Path | None = typer.Option(
        None, "--template", "-t", exists=True, dir_okay=False, readable=True,
        help="Your own Jinja template instead of the bundled compare.html.j2/compare.md.j2."),
    title: str | None = typer.Option(None, "--title", help="Report title."),
    force: bool = typer.Option(False, "--force", help="Replace an existing output file."),
) -> None:
    """Compare two waves: what changed, for whom, and is it more than noise.

    Exit 0 on success, 1 for waves that cannot be compared (located errors on stderr; nothing
    is written), 2 for usage errors.
    """
    fmt = _format(output, output_format)
    names = _labels(labels, 2)

    def action() -> None:
        from leadlens.files import check_writable

        if output is not None:
            check_writable(output, force=force)
        from leadlens.compare.engine import compare as compare_waves
        from leadlens.report.waves import comparison_context, render_comparison

        first, second = _load([baseline, followup], names, question_set, by, min_group_size)
        doc = compare_waves(first, second, by=by, independent=independent,
                            min_group_size=min_group_size, title=title,
                            generated_at=_generated_at())
        if fmt is None:
            report = comparison_context(doc, "md", title)["report"]
            say(f"What changed since {first.label}\n\n{report['headline']}\n\n")
            for entry in ([report["overall"]] if report["overall"] else []) + \
                    report["principles"]:
                say(f"- {entry['sentence']}\n")
            for withheld in doc.withheld:
                say(f"- withheld: {withheld.what}: {withheld.reason}\n")
            return
        text = (doc.model_dump_json(indent=2, by_alias=True) + "\n" if fmt == "json"
                else render_comparison(doc, fmt, template, title))
        _write(text, output, force, {"json": "comparison document", "html": "HTML report",
                                     "md": "Markdown report"}[fmt])

    run(action)


@app.command()
def trend(
    waves: list[Path] = typer.Argument(..., metavar="WAVE...",
                                       help="Three or more waves in order: " + WAVE_HELP),
    output: Path | None = typer.Option(None, "--output", "-o",
                                       help="trend.json, trend.html or trend.md."),
    labels: str | None = typer.Option(None, "--labels", metavar="NAME,...",
                                      help="Names of the waves, comma-separated."),
    question_set: str | None = typer.Option(None, "--question-set", "-q",
                                            help="For waves given as responses files."),
    independent: bool = typer.Option(False, "--independent",
                                     help="Refuse respondent ids found in two waves."),
    min_group_size: int | None = typer.Option(None, "--min-group-size", metavar="N",
                                              help="Raise the anonymity threshold."),
    output_format: ReportFormat | None = typer.Option(None, "--format", "-f",
                                                      help="html or md."),
    template: Path | None = typer.Option(None, "--template", "-t", exists=True,
                                         dir_okay=False, readable=True,
                                         help="Your own Jinja template."),
    title: str | None = typer.Option(None, "--title", help="Report title."),
    force: bool = typer.Option(False, "--force", help="Replace an existing output file."),
) -> None:
    """Follow three or more waves: one line per principle, each wave against the one before.

    Exit 0 on success, 1 for waves that cannot be compared (nothing is written), 2 for usage
    errors.
    """
    if len(waves) < 3:
        raise usage_error(f"trend needs three or more waves, got {len(waves)}; for two, use "
                          "leadlens compare BASELINE FOLLOWUP")
    fmt = _format(output, output_format)
    names = _labels(labels, len(waves))

    def action() -> None:
        from leadlens.files import check_writable

        if output is not None:
            check_writable(output, force=force)
        from leadlens.compare.engine import trend as trend_waves
        from leadlens.report.waves import render_trend, trend_context

        loaded = _load(waves, names, question_set, [], min_group_size)
        doc = trend_waves(loaded, independent=independent, min_group_size=min_group_size,
                          title=title, generated_at=_generated_at())
        if fmt is None:
            report = trend_context(doc, "md", title)["report"]
            say(f"{report['headline']}\n\n")
            for line in report["lines"]:
                points = ", ".join(f"{p['wave_label']} "
                                   f"{'withheld' if p['withheld'] else _score(p['score'])}"
                                   for p in line["points"])
                say(f"- {line['name']}: {points}\n")
            return
        text = (doc.model_dump_json(indent=2, by_alias=True) + "\n" if fmt == "json"
                else render_trend(doc, fmt, template, title))
        _write(text, output, force, {"json": "trend document", "html": "HTML report",
                                     "md": "Markdown report"}[fmt])

    run(action)


def _score(value: float | None) -> str:
    return "no score" if value is None else f"{value:.0f}"
