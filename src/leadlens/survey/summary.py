"""A respondent's own principle scores, for ``leadlens survey --summary``.

The same rules as ``leadlens score`` for one person: reverse-keyed items become
``min + max - value`` on the item's own scale, each item goes on 0-100 as
``(value - min) / (max - min) * 100``, and a principle's score is the weighted mean of the
answered items, given only when at least ``scoring.min_answered`` of its items (answer keys)
are answered. Unscored answers such as "Don't know" and skips are missing.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from leadlens.models import Principle, QuestionSet
from leadlens.survey.display import one_line


@dataclass(frozen=True)
class PrincipleScore:
    principle: Principle
    score: float | None  # 0-100, None when too few items were answered
    answered: int
    items: int
    band: str = ""


def _enough(answered: int, items: int, min_answered: float) -> bool:
    if answered == 0:
        return False
    if min_answered < 1:
        return answered >= math.ceil(min_answered * items - 1e-9)
    return answered >= min(int(min_answered), items)


def principle_scores(qs: QuestionSet, answers: Mapping[str, str | None]) -> list[PrincipleScore]:
    """Each principle's 0-100 score for one respondent's answers (CSV cell text)."""
    results: list[PrincipleScore] = []
    for principle in qs.principles:
        total_weight = weighted = 0.0
        answered = items = 0
        for question in qs.scored_questions(principle.id):
            scale = qs.scale_of(question)
            if scale is None or scale.max == scale.min:
                continue
            values = {o.value for o in scale.options}
            for key in question.answer_keys:
                items += 1
                cell = answers.get(key)
                if cell is None or not cell.strip().lstrip("-").isdigit():
                    continue
                value = int(cell)
                if value not in values:
                    continue
                if question.reverse:
                    value = scale.min + scale.max - value
                weighted += question.weight * (value - scale.min) / (scale.max - scale.min) * 100
                total_weight += question.weight
                answered += 1
        score = weighted / total_weight if total_weight and _enough(
            answered, items, qs.scoring.min_answered) else None
        band = qs.band_for(score).label if score is not None else ""
        results.append(PrincipleScore(principle, score, answered, items, band))
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
            tail = f"too few answers ({item.answered} of {item.items})"
        else:
            filled = round(item.score / 100 * bar_width)
            bar, figure = fill * filled + empty * (bar_width - filled), f"{item.score:3.0f}"
            tail = one_line(item.band)
        lines.append(f"{name:<{name_width}} {bar} {figure}  {tail}"[:width].rstrip())
    return lines
