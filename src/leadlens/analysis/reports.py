"""``leadlens.load_results`` and ``leadlens.render_report``: saved results, reports as text."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, get_args

from leadlens.errors import Code, UsageError

if TYPE_CHECKING:
    from leadlens.results.document import Results


def load_results(path: str | os.PathLike[str]) -> Results:
    """Read and check a results document (``leadlens score -o results.json``).

    Raises:
        ResultsError: located problems (not JSON, not a results document, a newer version).
    """
    from leadlens.results.loading import load_results as load

    return load(Path(path))


def render_report(results: Results, format: str = "html",
                  template: str | os.PathLike[str] | None = None, title: str | None = None
                  ) -> str:
    """The report as text, as ``leadlens report`` writes it.

    Args:
        results: a results document (:func:`leadlens.score` or :func:`load_results`).
        format: ``"html"`` (one self-contained page) or ``"md"`` (GitHub-flavoured
            Markdown).
        template: your own Jinja template instead of the bundled one (docs/templates.md).
        title: the report's title (default: the question set's).

    Raises:
        UsageError: an unknown format (option ``format``).
        TemplateError: the template failed to compile or render (located problems).
    """
    from leadlens.report import Format
    from leadlens.report import render_report as render

    formats = get_args(Format)
    if format not in formats:
        raise UsageError.about("format", f"{format!r}: choose one of {', '.join(formats)}",
                               code=Code.OPTION_UNKNOWN_FORMAT)
    chosen: Format = "html" if format == "html" else "md"
    return render(results, chosen, None if template is None else Path(template), title)
