"""Reports: the results document rendered to Markdown or self-contained HTML through Jinja.

``render_report`` is the one entry point; ``load_results`` reads a results JSON file.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from leadlens.report.cover import Cover
    from leadlens.results.document import Results
    from leadlens.results.loading import ResultsError, load_results, parse_results

Format = Literal["html", "md"]
"""A report format: ``html`` or ``md`` (decides the escaping)."""

# Imported on first use, so that importing a light module of this package (the console, the
# writer tables the CLI needs for --help) does not load Jinja, pydantic and the context.
_LAZY = {"Cover": "leadlens.report.cover", "ResultsError": "leadlens.results.loading",
         "load_results": "leadlens.results.loading", "parse_results": "leadlens.results.loading"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'leadlens.report' has no attribute {name!r}")

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
    from leadlens.report.context import build_context
    from leadlens.report.environment import make_templates, render

    templates = make_templates(fmt, template)
    return render(templates, build_context(results, fmt, title, cover))


__all__ = ["FORMAT_BY_SUFFIX", "Cover", "Format", "ResultsError", "load_results", "parse_results",
           "render_report"]
