"""What the facilitator can reveal: each principle, the now-vs-target questions, and the
free-text comments, each with the answer keys it shows."""

from __future__ import annotations

from dataclasses import dataclass

from leadlens.questionset.model import QuestionSet
from leadlens.responses.table import text_keys

TIMEPOINTS = "timepoints"
COMMENTS = "comments"


@dataclass(frozen=True)
class Unit:
    """Something the facilitator can reveal: a principle, the now-vs-target questions, or
    the free-text comments."""

    id: str
    title: str
    keys: tuple[str, ...]


def units(qs: QuestionSet) -> list[Unit]:
    """Every revealable unit of a question set, in order."""
    found = [Unit(f"principle:{p.id}", p.name,
                  tuple(k for q in qs.questions if q.principle == p.id and q.type == "rating"
                        for k in q.answer_keys))
             for p in qs.principles]
    paired = tuple(k for q in qs.questions if q.timepoints and q.type == "rating"
                   for k in q.answer_keys)
    if paired:
        first, last = qs.timepoints[0].label, qs.timepoints[-1].label
        found.append(Unit(TIMEPOINTS, f"{first} and {last[:1].lower()}{last[1:]}", paired))
    texts = tuple(text_keys(qs))
    if texts:
        found.append(Unit(COMMENTS, "Comments", texts))
    return found
