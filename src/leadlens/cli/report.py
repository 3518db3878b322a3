"""The ``report`` command: a results, comparison or trend document rendered as a report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal, cast, get_args

import typer

from leadlens.cli._app import app, run, usage_error
from leadlens.cli._console import warn, write_document
from leadlens.cli._options import (
    ForceOption,
    Formats,
    QuietOption,
    choose_format,
    format_option,
    is_stdout,
    output_option,
)
from leadlens.cli._paths import check_paths
from leadlens.cli.cover import LogoOption, OrganisationOption, TitleOption, make_cover
from leadlens.errors import Code, LeadlensError, Problem
from leadlens.files import write_atomic
from leadlens.report import FORMAT_BY_SUFFIX, Format

REPORT_FORMATS = Formats.of((*get_args(Format), "pdf"), {**FORMAT_BY_SUFFIX, ".pdf": "pdf"},
                            what="report format")
"""The template formats, and the HTML report printed to PDF by a headless Chromium."""


def template_format(template: Path | None) -> Format | None:
    """The format a template's name says (``x.html.j2``, ``x.md``), if it says one."""
    from leadlens.report.environment import is_html_name

    if template is None:
        return None
    if is_html_name(template.name):
        return "html"
    if ".md" in template.suffixes or ".markdown" in template.suffixes:
        return "md"
    return None


def report_format(output: Path | None, template: Path | None, given: str | None
                  ) -> Format | Literal["pdf"]:
    """The format from ``--format``, else the output's extension, else the template's name."""
    guess = template_format(template)
    return cast(Format | Literal["pdf"], choose_format(REPORT_FORMATS, given, output,
                                                       to_stdout=guess, otherwise=guess))


@app.command(short_help="Render a results, comparison or trend document as a report.")
def report(
    results: Annotated[Path, typer.Argument(
        metavar="DOCUMENT", help="A results document (leadlens score -o results.json), or a "
        "comparison or trend document (leadlens compare / trend -o compare.json).")],
    output: Annotated[Path, output_option(
        "The report file: *.html (one self-contained page), *.md (GitHub-flavoured "
        "Markdown) or *.pdf (the HTML page printed by a headless Chromium); '-' writes to "
        "standard output.")],
    template: Annotated[Path | None, typer.Option(
        "--template", "-t", metavar="FILE", exists=True, dir_okay=False, readable=True,
        show_default=False, help="Your own Jinja template instead of the bundled one "
        "(rendered in a sandbox; see docs/templates.md).")] = None,
    title: TitleOption = None,
    organisation: OrganisationOption = None,
    logo: LogoOption = None,
    output_format: Annotated[str | None, format_option(
        REPORT_FORMATS, "html, md or pdf (default: from the output's extension).")] = None,
    force: ForceOption = False,
    quiet: QuietOption = False,
) -> None:
    """Render a report from a results, comparison or trend document, as HTML, Markdown or PDF.

    The HTML report is one file with inline styles and charts: it opens offline, can be
    e-mailed, and prints to A4. A comparison or trend document gives the report leadlens
    compare or trend writes with -o compare.html. Every document is checked again (types,
    domains, anonymity) before anything is written. Exit 0 on success, 1 on bad input or a
    template error, 2 for usage errors.
    """
    # Jinja and the report modules load only when a report is made (fast start-up).
    from leadlens.report.documents import document_what, load_document, render_document
    from leadlens.results.document import Results

    path = None if is_stdout(output) else output
    fmt = report_format(path, template, output_format)
    if fmt == "pdf" and path is None:
        raise usage_error("--format pdf: a binary file; name it with -o FILE")

    def action() -> None:
        # Every problem of the named files at once, before any work: the logo's, the
        # results document missing, the output there already.
        found: list[Problem] = []
        cover = None
        try:
            cover = make_cover(title, organisation, logo)
        except LeadlensError as exc:
            found += exc.problems
        try:
            check_paths([results], path, force=force)
        except LeadlensError as exc:
            found += exc.problems
        if found:
            raise LeadlensError(found)
        document = load_document(results)
        if isinstance(document, Results):
            for warning in document.warnings:
                if warning.code == Code.RESULTS_UNCHECKED_BREAKDOWNS:  # added by load_results
                    warn(f"{warning}\n")
        elif cover is not None and (cover.organisation or cover.logo):
            raise usage_error(f"--organisation and --logo make a results report's cover; "
                              f"{results} is a {document_what(document)} document, whose "
                              "report has none (--title names it)")
        text: str | bytes
        if fmt == "pdf":
            from leadlens.report.pdf import html_to_pdf

            text = html_to_pdf(render_document(document, "html", template, cover=cover))
        else:
            text = render_document(document, fmt, template, cover=cover)
        if path is None:
            assert isinstance(text, str)  # a PDF needs -o FILE (above)
            write_document(text)
        else:
            from leadlens.report.writers import FORMAT_NAMES, wrote_message

            write_atomic(path, text, force=force)
            if not quiet:
                kind = document_what(document)
                warn(f"wrote {path} ({kind}, {FORMAT_NAMES[fmt]})\n" if not isinstance(
                    document, Results) else wrote_message(path, document.respondents,
                                                          FORMAT_NAMES[fmt]))

    run(action)
