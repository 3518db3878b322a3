"""Questions asked at several timepoints (e.g. current and target): means and the gap."""

from __future__ import annotations

import numpy as np

from leadlens.questionset.model import QuestionSet
from leadlens.responses.table import Responses, code_values
from leadlens.results.document import TimepointMean, TimepointResult
from leadlens.scoring.layout import Item, code_scores
from leadlens.scoring.stats import mean_sd


def timepoint_results(question_set: QuestionSet, items: list[Item], responses: Responses
                      ) -> list[TimepointResult]:
    """Per question with timepoints: each timepoint's mean, and last minus first.

    The gap is the mean, over respondents who answered both, of their last-timepoint answer
    minus their first, on the scale's own units (raw values, as the question was asked).
    """
    label = {t.id: t.label for t in question_set.timepoints}
    results: list[TimepointResult] = []
    for question in question_set.questions:
        chosen = [i for i in items if i.question.id == question.id and i.timepoint]
        if not chosen:
            continue
        means: list[TimepointMean] = []
        for item in chosen:
            codes = responses.codes[:, item.column]
            n, mean, _ = mean_sd(code_values(item.scale)[codes])
            _, score, _ = mean_sd(code_scores(item)[codes])
            means.append(TimepointMean(id=item.timepoint or "", label=label.get(
                item.timepoint or "", item.timepoint or ""), n=n, mean=mean, score=score))
        gap, gap_n = None, 0
        paired: list[float | None] = []
        if len(chosen) >= 2:
            values = [code_values(i.scale)[responses.codes[:, i.column]] for i in chosen]
            gap_n, gap, _ = mean_sd(values[-1] - values[0])
            # The same people's means: those who answered both ends of the gap.
            both = np.isfinite(values[0]) & np.isfinite(values[-1])
            paired = [mean_sd(v[both])[1] for v in values]
        results.append(TimepointResult(question=question.id, text=question.text,
                                       scale=chosen[0].scale_id, timepoints=means, gap=gap,
                                       gap_n=gap_n, paired_means=paired))
    return results
