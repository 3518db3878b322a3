"""How a results document shows itself in a notebook: a compact headline table, escaped.

Jupyter calls ``Results._repr_html_``; everything from the question set or the responses
(titles, names, group values) is untrusted text and is escaped, never markup.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the document calls this module: no import back at run time
    from collections.abc import Sequence

    from leadlens.results.document import GroupBreakdown, GroupSpread, Results


def headline_html(results: Results) -> str:
    """The title, respondents, overall score and one row per principle, as an HTML table,
    then each breakdown's shown groups with their overall scores."""
    qs = results.question_set
    bands = {b.id: b.label for b in qs.bands}

    def number(value: float | None, places: int = 1) -> str:
        return "&ndash;" if value is None else f"{value:.{places}f}"

    def score(value: float | None) -> str:  # rounded down, as every output shows a score
        return "&ndash;" if value is None else qs.score_text(value, 1)

    def interval(ci: tuple[float, float] | None) -> str:
        return "&ndash;" if ci is None else f"{ci[0]:.1f}&ndash;{ci[1]:.1f}"

    rows = [f"<tr><th scope=\"row\" style=\"text-align:left\">{escape(p.name)}</th>"
            f"<td>{p.n}</td><td>{score(p.score)}</td><td>{interval(p.ci95)}</td>"
            f"<td style=\"text-align:left\">{escape(bands.get(p.band or '', '') or '–')}</td>"
            f"<td>{number(p.alpha, 2)}</td></tr>" for p in results.principles]
    overall = results.overall
    rows.append(f"<tr><th scope=\"row\" style=\"text-align:left\">Overall</th><td>{overall.n}"
                f"</td><td>{score(overall.score)}</td><td>{interval(overall.ci95)}</td>"
                f"<td style=\"text-align:left\">"
                f"{escape(bands.get(overall.band or '', '') or '–')}</td><td></td></tr>")
    def shown(breakdown: GroupBreakdown) -> str:
        scores = [f"{escape(g.value)} {score(g.overall)}" for g in breakdown.groups
                  if not g.suppressed]
        return f" ({'; '.join(scores)})" if scores else ""

    groups = "".join(
        f"<li>By {escape(b.field)} (&ldquo;{escape(b.prompt)}&rdquo;): {len(b.groups)} "
        f"groups{shown(b)}, {sum(g.suppressed for g in b.groups)} not shown (fewer than "
        f"{results.min_group_size} respondents, or protecting such a group)</li>"
        for b in results.groups.values())
    warnings = (f"<p>{len(results.warnings)} warning(s) about the responses: see "
                "<code>results.warnings</code>.</p>" if results.warnings else "")
    return (
        f"<div class=\"leadlens-results\"><p><strong>{escape(qs.title)}</strong> "
        f"({escape(qs.id)} {escape(qs.version)}): {results.respondents} respondent"
        f"{'' if results.respondents == 1 else 's'}</p>"
        "<table><thead><tr><th scope=\"col\" style=\"text-align:left\">Principle</th>"
        "<th scope=\"col\">n</th><th scope=\"col\">Score (0-100)</th>"
        "<th scope=\"col\">95% CI</th><th scope=\"col\" style=\"text-align:left\">Band</th>"
        "<th scope=\"col\">Alpha</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
        + (f"<ul>{groups}</ul>" if groups else "") + warnings
        + "<p>All figures: <code>results.tables()</code>.</p></div>")


def shown_spread(breakdown: GroupBreakdown, spread: GroupSpread, cuts: Sequence[float],
                 digits: int = 0) -> float | None:
    """A principle's spread across a breakdown's groups from the shown scores of its highest
    and lowest groups (:func:`~leadlens.questionset.model.shown_difference`), so that the
    text beside a heatmap agrees with its cells; None without a spread (or its groups)."""
    if spread.spread is None:
        return None
    scores = {group.value: gp.score for group in breakdown.groups for gp in group.principles
              if gp.id == spread.principle and not group.suppressed}
    low, high = scores.get(spread.lowest or ""), scores.get(spread.highest or "")
    if low is None or high is None:
        return None
    from leadlens.questionset.model import shown_difference

    return shown_difference(low, high, cuts, digits)


def headline_text(results: Results) -> str:
    """``repr(results)``: the question set, respondents, overall and principle scores (as every
    output shows them, rounded down) and each breakdown's groups shown and hidden, e.g.
    ``<Results ggi-systems-leadership 2.1.0: 60 respondents; overall 55.0 (Developing);
    basics 47.1, ...; by role: 4 groups shown, 1 hidden>``."""
    qs = results.question_set

    def score(value: float | None) -> str:
        return "withheld" if value is None else qs.score_text(value, 1)

    overall = results.overall
    band = next((b.label for b in qs.bands if b.id == overall.band), None)
    parts = [f"{results.respondents:,} respondent{'s' if results.respondents != 1 else ''}",
             f"overall {score(overall.score)}" + (f" ({band})" if band else "")]
    parts.append(", ".join(f"{p.id} {score(p.score)}" for p in results.principles))
    for field, breakdown in results.groups.items():
        shown = sum(not g.suppressed for g in breakdown.groups)
        parts.append(f"by {field}: {shown} group{'s' if shown != 1 else ''} shown, "
                     f"{len(breakdown.groups) - shown} hidden")
    if results.withheld:
        parts.append("figures withheld")
    return f"<Results {qs.id} {qs.version}: {'; '.join(parts)}>"
