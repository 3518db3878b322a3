"""The ``report`` command: a results document rendered as Markdown or self-contained HTML."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from leadlens.cli._app import app, run, usage_error
from leadlens.cli._console import warn, write_document
from leadlens.files import check_writable, write_atomic

if TYPE_CHECKING:
    from leadlens.report import Format


class ReportFormat(StrEnum):
    html = "html"
    md = "md"


def report_format(output: Path | None, template: Path | None,
                  given: ReportFormat | None) -> Format:
    """The format from ``--format``, else the output's extension, else the template's name."""
    from leadlens.report import FORMAT_BY_SUFFIX
    from leadlens.report.environment import is_html_name

    if given is not None:
        return "html" if given is ReportFormat.html else "md"
    if output is not None and output.suffix.lower() in FORMAT_BY_SUFFIX:
        return FORMAT_BY_SUFFIX[output.suffix.lower()]
    if template is not None:
        if is_html_name(template.name):
            return "html"
        if ".md" in template.suffixes or ".markdown" in template.suffixes:
            return "md"
    shown = "standard output" if output is None else f"{str(output)!r}"
    raise usage_error(f"cannot tell the report format from {shown}; name the output "
                      f"*.html or *.md, or pass --format html|md")


@app.command()
def report(
    results: Path = typer.Argument(..., help="A results document from leadlens score "
                                   "(-o results.json)."),
    output: str = typer.Option(..., "--output", "-o", help="The report file: *.html (one "
                               "self-contained page) or *.md (GitHub-flavoured Markdown); "
                               "'-' writes to standard output."),
    template: Path | None = typer.Option(
        None, "--template", "-t", exists=True, dir_okay=False, readable=True,
        help="Your own Jinja template instead of the bundled one (rendered in a sandbox; "
             "see docs/templates.md)."),
    title: str | None = typer.Option(None, "--title", help="Report title (default: the "
                                     "question set's title)."),
    output_format: ReportFormat | None = typer.Option(
        None, "--format", "-f", help="html or md (default: from the output's extension)."),
    force: bool = typer.Option(False, "--force", help="Replace an existing output file."),
) -> None:
    """Render a report from a results document, as HTML or Markdown.

    The HTML report is one file with inline styles and charts: it opens offline, can be
    e-mailed, and prints to A4. Exit 0 on success, 1 on bad input or a template error, 2 for
    usage errors.
    """
    # Jinja and the report modules load only when a report is made (fast start-up).
    from leadlens.report import load_results, render_report

    path = None if output == "-" else Path(output)
    fmt = report_format(path, template, output_format)

    def action() -> None:
        if path is not None:
            check_writable(path, force=force)  # before any work
        document = load_results(results)
        text = render_report(document, fmt, template, title)
        if path is None:
            write_document(text)
        else:
            from leadlens.report.writers import FORMAT_NAMES, wrote_message

            write_atomic(path, text, force=force)
            warn(wrote_message(path, document.respondents, FORMAT_NAMES[fmt]))

    run(action)
