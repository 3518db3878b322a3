"""Template filters: numbers rounded for display only, and never "None" on the page.

Each filter turns a missing value (``None``) into an em dash, so a template can print any
field of the results document without a test for null first.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from jinja2 import pass_context

from leadlens.questionset.model import score_text
from leadlens.report.markdown import md_escape, md_lines, text_bar

"""Report output formats."""

DASH = "\u2014"
MINUS = "\u2212"


def _finite(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def format_score(value: object, cuts: Sequence[float] = (), digits: int = 0) -> str:
    """A 0-100 score, rounded down so it never contradicts its band: ``59.7`` gives ``59``.

    The one display rule (:func:`leadlens.questionset.model.score_text`); ``cuts`` are the
    band starts (a cut such as 62.5 makes scores show one decimal).
    """
    return score_text(_finite(value), cuts, digits)


def band_cuts(context: Any) -> list[float]:
    """The band starts of a template context: its question set's, or a comparison's or trend's
    own ``bands`` (none if it has none)."""
    qs = context.get("question_set") if hasattr(context, "get") else None
    bands = qs.get("bands") if isinstance(qs, dict) else None
    if bands is None and hasattr(context, "get"):
        bands = context.get("bands")  # a comparison or trend: the follow-up's bands, top level
    if not isinstance(bands, list):
        return []
    return [float(b["from"]) for b in bands
            if isinstance(b, dict) and _finite(b.get("from")) is not None]


@pass_context
def score_filter(context: Any, value: object, digits: int = 0) -> str:
    """``{{ x | score }}`` (``{{ x | score(1) }}``: one decimal, beside a change to one
    decimal): :func:`format_score` with the report's own band cuts."""
    return format_score(value, band_cuts(context), digits)


def format_points(value: object) -> str:
    """A distance in score points (not a score, so not banded): ``12``."""
    number = _finite(value)
    return DASH if number is None else f"{number:.0f}"


def format_number(value: object, digits: int = 1) -> str:
    """A number with ``digits`` decimals: ``3.4``; negative numbers with a true minus sign."""
    number = _finite(value)
    if number is None:
        return DASH
    text = f"{number:.{digits}f}"
    return MINUS + text[1:] if text.startswith("-") else text


def format_signed(value: object, digits: int = 0) -> str:
    """A difference with its sign: ``+12``, ``\u221212``, ``0``."""
    number = _finite(value)
    if number is None:
        return DASH
    text = f"{number:+.{digits}f}"
    if float(text) == 0:
        return f"{0:.{digits}f}"
    return text.replace("-", MINUS)


def format_percent(value: object, digits: int = 0) -> str:
    """A share (0-1) as a percentage: ``0.234`` gives ``23%``."""
    number = _finite(value)
    return DASH if number is None else f"{number * 100:.{digits}f}%"


def format_ci(value: object) -> str:
    """A 95% confidence interval ``[low, high]`` on 0-100: ``57\u201367``."""
    if not isinstance(value, Sequence) or isinstance(value, str) or len(value) != 2:
        return DASH
    low, high = _finite(value[0]), _finite(value[1])
    if low is None or high is None:
        return DASH
    return f"{low:.0f}\u2013{high:.0f}"


def plural(count: object, word: str, words: str | None = None) -> str:
    """``1 respondent``, ``2 respondents``."""
    number = count if isinstance(count, int) and not isinstance(count, bool) else None
    if number is None:
        return f"{DASH} {words or word + 's'}"
    return f"{number:,} {word if number == 1 else (words or word + 's')}"


def heading_anchor(text: object) -> str:
    """The anchor GitHub gives a Markdown heading: ``Now and in 12 months`` gives
    ``now-and-in-12-months`` (lower case, punctuation dropped, spaces as hyphens)."""
    lowered = str(text).strip().lower()
    kept = "".join(c for c in lowered if c.isalnum() or c in " -_")
    return kept.replace(" ", "-")


FILTERS: dict[str, Callable[..., Any]] = {
    "score": score_filter,
    "points": format_points,
    "num": format_number,
    "signed": format_signed,
    "pct": format_percent,
    "ci": format_ci,
    "plural": plural,
    "anchor": heading_anchor,
    "bar": text_bar,
    "md": md_escape,
    "md_lines": md_lines,
}
"""Filters available in every template (bundled and ``--template``)."""

