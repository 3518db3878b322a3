"""``leadlens.load_results`` and ``leadlens.render_report``: saved results, reports as text."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, get_args

from leadlens.errors import Code, UsageError

if TYPE_CHECKING:
    from leadlens.results.document import Results
    from leadlens.waves.document import Comparison, Trend


def load_results(path: str | os.PathLike[str]) -> Results:
    """Read and check a results document (``leadlens score -o results.json``).

    Raises:
        ResultsError: located problems (not JSON, not a results document, a newer version).
    """
    from leadlens.results.loading import load_results as load

    return load(Path(path))


def render_report(document: Results | Comparison | Trend | str | os.PathLike[str],
                  format: str = "html", template: str | os.PathLike[str] | None = None,
                  title: str | None = None) -> str:
    """The report as text, as ``leadlens report`` writes it.

    Args:
        document: a results document (:func:`leadlens.score` or :func:`load_results`), a
            comparison (:func:`leadlens.compare`) or a trend (:func:`leadlens.trend`), or
            the path of any of them saved as JSON (read and checked as ``leadlens report``
            reads it).
        format: ``"html"`` (one self-contained page) or ``"md"`` (GitHub-flavoured
            Markdown).
        template: your own Jinja template instead of the bundled one (docs/templates.md).
        title: the report's title (default: the question set's).

    Raises:
        TypeError: ``document`` is none of those.
        UsageError: an unknown format (option ``format``).
        ResultsError: the file given is not a document, or does not pass its checks
            (located problems).
        TemplateError: the template failed to compile or render (located problems).
    """
    from leadlens.report import Format
    from leadlens.report.documents import load_document, render_document
    from leadlens.results.document import Results
    from leadlens.waves.document import Comparison, Trend

    formats = get_args(Format)
    if format not in formats:
        raise UsageError.about("format", f"{format!r}: choose one of {', '.join(formats)}",
                               code=Code.OPTION_UNKNOWN_FORMAT)
    chosen: Format = "html" if format == "html" else "md"
    if isinstance(document, str | os.PathLike):
        document = load_document(Path(document))
    if not isinstance(document, Results | Comparison | Trend):
        raise TypeError(f"render_report() takes a Results, Comparison or Trend, or the path "
                        f"of one saved as JSON; got {type(document).__name__}")
    return render_document(document, chosen, None if template is None else Path(template),
                           title)
