"""Reports: the results document rendered to Markdown or self-contained HTML through Jinja.

``render_report`` is the one entry point; ``load_results`` reads a results JSON file.
"""

from __future__ import annotations

from pathlib import Path

from leadlens.report.context import build_context
from leadlens.report.cover import Cover
from leadlens.report.environment import make_templates, render
from leadlens.report.filters import Format
from leadlens.results.document import Results
from leadlens.results.loading import ResultsError, load_results, parse_results

FORMAT_BY_SUFFIX: dict[str, Format] = {
    ".html": "html", ".htm": "html", ".md": "md", ".markdown": "md"}
"""Report formats by output file extension."""


def render_report(results: Results, fmt: Format, template: Path | None = None,
                  title: str | None = None, cover: Cover | None = None) -> str:
    """Render ``results`` as a report in ``fmt`` ("html" or "md").

    Args:
        results: The results document.
        fmt: Output format; decides escaping (HTML or Markdown).
        template: A user template to render instead of the bundled one.
        title: Report title; defaults to the question set's title.
        cover: Title (instead of ``title``), organisation or system name and logo.

    Raises:
        TemplateError: The template has a syntax error, uses an unknown name, tries something
            the sandbox forbids, or fails while rendering; each problem is located.
    """
    templates = make_templates(fmt, template)
    return render(templates, build_context(results, fmt, title, cover))


__all__ = ["FORMAT_BY_SUFFIX", "Cover", "Format", "ResultsError", "load_results", "parse_results",
           "render_report"]
