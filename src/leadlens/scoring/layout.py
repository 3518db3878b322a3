"""Which answer columns make up which score: items, principles and their scales."""

from __future__ import annotations

import math
from dataclasses import dataclass

from leadlens.questionset.model import Question, QuestionSet, Scale
from leadlens.responses.table import FloatArray, code_values, rated_keys


@dataclass(frozen=True)
class Item:
    """One rated answer column and how it is scored."""

    column: int
    key: str
    question: Question
    scale_id: str
    scale: Scale
    perspective: str | None
    timepoint: str | None
    scored: bool
    """Counts towards its principle: a principle question's answer (first timepoint only)."""


@dataclass(frozen=True)
class PrincipleItems:
    """The scored items of one principle."""

    principle_id: str
    items: list[Item]
    """Every rated column of the principle's questions (scored or not), in survey order."""

    @property
    def scored(self) -> list[Item]:
        return [item for item in self.items if item.scored]

    @property
    def scale_id(self) -> str | None:
        """The one scale every scored item uses, or None when they mix scales."""
        scales = {item.scale_id for item in self.scored}
        return scales.pop() if len(scales) == 1 else None


def items_of(question_set: QuestionSet) -> list[Item]:
    """Every rated answer column, in the order of :func:`rated_keys`."""
    items: list[Item] = []
    for question in question_set.questions:
        if question.type != "rating" or question.scale is None:
            continue
        scale = question_set.scales[question.scale]
        if len(scale.options) + len(scale.unscored) > 254:  # answer codes are one byte
            raise ValueError(f"scale {question.scale!r} has more than 254 answers")
        for position, key in enumerate(question.answer_keys):
            variant = key.split("@", 1)[1] if "@" in key else None
            perspective = variant if question.perspectives else None
            timepoint = variant if question.timepoints else None
            items.append(Item(
                column=len(items), key=key, question=question, scale_id=question.scale,
                scale=scale, perspective=perspective, timepoint=timepoint,
                scored=question.principle is not None and (timepoint is None or position == 0)))
    assert [i.key for i in items] == rated_keys(question_set)
    return items


def principle_items(question_set: QuestionSet, items: list[Item]) -> list[PrincipleItems]:
    """Items grouped by principle, principles in question-set order."""
    return [PrincipleItems(p.id, [i for i in items if i.question.principle == p.id])
            for p in question_set.principles]


def required_answers(min_answered: float, n_items: int) -> int:
    """How many of a principle's ``n_items`` a respondent must answer to get a score.

    Below 1, ``min_answered`` is a fraction of the items (0.5 of 5 items = 3); from 1 it
    is an item count, capped at the number of items.
    """
    if n_items == 0:
        return 1
    if min_answered < 1:
        return max(1, math.ceil(min_answered * n_items - 1e-9))
    return min(n_items, math.ceil(min_answered - 1e-9))


def code_scores(item: Item) -> FloatArray:
    """The 0-100 score of each answer code of an item (NaN: no answer or unscored).

    Reverse-keyed items are first flipped with the scale's own ends, ``min + max - value``;
    then ``(value - min) / (max - min) * 100``.
    """
    low, high = item.scale.min, item.scale.max
    raw = code_values(item.scale)
    keyed = low + high - raw if item.question.reverse else raw
    result: FloatArray = (keyed - low) / (high - low) * 100.0
    return result
