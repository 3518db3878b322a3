"""Questions asked at several timepoints (e.g. current and target): means and the gap."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

from leadlens.questionset.model import QuestionSet
from leadlens.responses.table import Responses, code_values
from leadlens.results.document import TimepointMean, TimepointResult
from leadlens.scoring.layout import Item, code_scores
from leadlens.scoring.stats import mean_sd


def one_sided_left_out(items: list[Item], responses: Responses, min_group_size: int
                       ) -> dict[str, npt.NDArray[np.bool_]]:
    """Per timepoint item of a question outside the principles: the respondents counted on
    it (all but those who answered it without both ends of the gap), where 1 to
    ``min_group_size - 1`` people did.

    Those few count on none of that timepoint's figures (its mean, its item's answers): its
    mean times its n minus its paired mean times the pairs would otherwise be the sum of
    their answers. So the gap stays; the timepoint is counted over the pairs only.
    """
    counted: dict[str, npt.NDArray[np.bool_]] = {}
    if min_group_size <= 1:
        return counted
    by_question: dict[str, list[Item]] = {}
    for item in items:
        if item.timepoint and item.question.principle is None:
            by_question.setdefault(item.question.id, []).append(item)
    for chosen in by_question.values():
        if len(chosen) < 2:
            continue
        answered = [np.isfinite(code_values(i.scale)[responses.codes[:, i.column]])
                    for i in chosen]
        both = answered[0] & answered[-1]
        for item, mine in zip(chosen, answered, strict=True):
            if 0 < int((mine & ~both).sum()) < min_group_size:
                counted[item.key] = ~(mine & ~both)
    return counted


def timepoint_results(question_set: QuestionSet, items: list[Item], responses: Responses,
                      min_group_size: int = 0,
                      members: Mapping[str, npt.NDArray[np.bool_]] | None = None,
                      counted: Mapping[str, npt.NDArray[np.bool_]] | None = None
                      ) -> list[TimepointResult]:
    """Per question with timepoints: each timepoint's mean, and last minus first.

    The gap is the mean, over respondents who answered both, of their last-timepoint answer
    minus their first, on the scale's own units (raw values, as the question was asked).

    A principle's question is counted over ``members[principle]`` (those scored on it), as
    its items are. The gap and the paired means are withheld when, for some timepoint, the
    people who answered it but are not in the pairs number 1 to ``min_group_size - 1``:
    that timepoint's mean times its n minus its paired mean times the pairs would be the
    sum of their answers. For a question outside the principles, ``counted``
    (:func:`one_sided_left_out`) leaves those people out of the timepoint instead, so the
    gap is kept.
    """
    label = {t.id: t.label for t in question_set.timepoints}
    results: list[TimepointResult] = []
    for question in question_set.questions:
        chosen = [i for i in items if i.question.id == question.id and i.timepoint]
        if not chosen:
            continue
        rows = (members or {}).get(question.principle or "")
        among = responses.codes if rows is None else responses.codes[rows]
        means: list[TimepointMean] = []
        for item in chosen:
            codes = among[:, item.column]
            if counted and item.key in counted and rows is None:
                codes = codes[counted[item.key]]
            n, mean, _ = mean_sd(code_values(item.scale)[codes])
            _, score, _ = mean_sd(code_scores(item)[codes])
            means.append(TimepointMean(id=item.timepoint or "", label=label.get(
                item.timepoint or "", item.timepoint or ""), n=n, mean=mean, score=score))
        gap, gap_n = None, 0
        paired: list[float | None] = []
        why = None
        if len(chosen) >= 2:
            values = [code_values(i.scale)[among[:, i.column]] for i in chosen]
            if counted and rows is None:
                values = [np.where(counted[i.key], v, np.nan) if i.key in counted else v
                          for i, v in zip(chosen, values, strict=True)]
            gap_n, gap, _ = mean_sd(values[-1] - values[0])
            # The same people's means: those who answered both ends of the gap.
            both = np.isfinite(values[0]) & np.isfinite(values[-1])
            paired = [mean_sd(v[both])[1] for v in values]
            outside = [int((np.isfinite(v) & ~both).sum()) for v in values]
            if any(0 < k < min_group_size for k in outside):
                why = (f"fewer than {min_group_size} people answered one timepoint without "
                       "the others: the gap and the paired means would give their answers")
        result = TimepointResult(question=question.id, text=question.text,
                                 scale=chosen[0].scale_id, timepoints=means, gap=gap,
                                 gap_n=gap_n, paired_means=paired)
        if why is not None:
            result = result.model_copy(update={"gap": None, "gap_n": None, "paired_means": [],
                                               "gap_withheld": why})
        results.append(result)
    return results
