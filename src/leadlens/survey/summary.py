"""A respondent's own principle scores, for ``leadlens survey --summary``.

Computed by the scoring engine itself (:func:`leadlens.scoring.score` on a one-row
:class:`~leadlens.scoring.Responses`), so the numbers are exactly what ``leadlens score``
gives that respondent: reverse keying, 0-100, weights and ``min_answered`` included.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from leadlens.questionset.model import Principle, QuestionSet, score_text
from leadlens.text import one_line


@dataclass(frozen=True)
class PrincipleScore:
    principle: Principle
    score: float | None  # 0-100, None when too few of its items were answered
    band: str = ""
    text: str = ""  # as shown: QuestionSet.score_text, rounded down, never the band above


def principle_scores(qs: QuestionSet, answers: Mapping[str, str | None]) -> list[PrincipleScore]:
    """Each principle's 0-100 score for one respondent's answers (CSV cell text)."""
    from leadlens.scoring import Responses, score  # numpy: only when a summary is wanted

    responses = Responses.from_records(qs, [dict(answers)], sources=["survey"])
    scored = score(qs, responses, small_figures=True).respondents  # their own, shown to them
    by_id = dict(zip(scored.principle_ids, scored.principles[0].tolist(), strict=True))
    results = []
    for principle in qs.principles:
        value = by_id.get(principle.id, math.nan)
        if math.isnan(value):
            results.append(PrincipleScore(principle, None))
        else:
            results.append(PrincipleScore(principle, value, qs.band_for(value).label,
                                          qs.score_text(value)))
    return results


def chart_lines(scores: list[PrincipleScore], *, width: int = 80,
                unicode: bool = True) -> list[str]:
    """A bar per principle: name, bar on 0-100, score and band; fits ``width`` columns."""
    fill, empty = ("█", "░") if unicode else ("#", ".")
    bar_width = 20
    name_width = max(10, min(24, width - bar_width - 36))
    lines = []
    for item in scores:
        name = one_line(item.principle.name)
        name = name if len(name) <= name_width else name[: name_width - 3] + "..."
        if item.score is None:
            bar, figure = " " * bar_width, "  -"
            tail = "too few answers for a score"
        else:
            filled = round(item.score / 100 * bar_width)
            shown = item.text or score_text(item.score)
            bar, figure = fill * filled + empty * (bar_width - filled), f"{shown:>3}"
            tail = one_line(item.band)
        lines.append(f"{name:<{name_width}} {bar} {figure}  {tail}"[:width].rstrip())
    return lines
