"""Score responses against a question set: the numbers every report is built from."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from leadlens._version import __version__
from leadlens.errors import Code
from leadlens.questionset.model import QuestionSet
from leadlens.responses.table import FloatArray, IntArray, Responses
from leadlens.results.document import GroupBreakdown, OverallResult, Results, ResultWarning
from leadlens.scoring.breakdown import breakdown_figures
from leadlens.scoring.collected import collection_period
from leadlens.scoring.comments import comment_order, shuffled, shuffled_by_group
from leadlens.scoring.groups import group_respondents, group_results
from leadlens.scoring.layout import items_of, principle_items
from leadlens.scoring.options import check_score_options, effective_min_group_size
from leadlens.scoring.principles import PrincipleScores, item_result, score_principle
from leadlens.scoring.stats import band_of, ci95, mean_sd
from leadlens.scoring.timepoints import timepoint_results

PARALLEL_FROM = 100_000
"""From this many respondents, principles are scored on all cores (numpy releases the GIL)."""

T = TypeVar("T")
R = TypeVar("R")


def parallel_map(function: Callable[[T], R], items: Iterable[T], respondents: int) -> list[R]:
    """``list(map(function, items))``, in threads when there are many respondents."""
    if respondents < PARALLEL_FROM:
        return [function(item) for item in items]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        return list(pool.map(function, items))


@dataclass
class RespondentScores:
    """Each respondent's principle scores and overall score (0-100, NaN = no score)."""

    by_principle: dict[str, FloatArray]
    """Each principle's scores by principle id, in question-set order."""
    overall: FloatArray

    @property
    def principle_ids(self) -> list[str]:
        return list(self.by_principle)

    @property
    def principles(self) -> FloatArray:
        """``(respondents, principles)``, columns in :attr:`principle_ids` order."""
        matrix: FloatArray = np.column_stack(list(self.by_principle.values()))
        return matrix


@dataclass
class Scored:
    """What scoring produces: the results document and the per-respondent scores."""

    results: Results
    respondents: RespondentScores


def overall_scores(principles: list[PrincipleScores]) -> FloatArray:
    """Per respondent: the weighted mean of the principle scores they have (principle weights)."""
    if not principles:
        return np.zeros(0)
    total = np.zeros(principles[0].scores.shape[0])
    weight_sum = np.zeros_like(total)
    for own in principles:
        present = np.isfinite(own.scores)
        weight = own.principle.weight
        np.add(total, own.scores * weight, out=total, where=present)
        np.add(weight_sum, weight, out=weight_sum, where=present)
    with np.errstate(invalid="ignore", divide="ignore"):
        result: FloatArray = np.where(weight_sum > 0, total / weight_sum, np.nan)
    return result


def score(question_set: QuestionSet, responses: Responses, *, by: Sequence[str] = (),
          min_group_size: int | None = None, generated_at: dt.datetime | None = None
          ) -> Scored:
    """Score every respondent and summarise principles, items, timepoints and groups.

    Args:
        question_set: the validated question set the responses answer.
        responses: the answers (see :mod:`leadlens.responses.table`).
        by: respondent field ids to break results down by.
        min_group_size: raises the question set's anonymity threshold (never lowers it).
        generated_at: the time stamped on the document (default: now, UTC).

    Raises:
        UsageError: a ``by`` field is not a respondent field of the question set, or
            ``min_group_size`` is below the set's threshold (see
            :func:`leadlens.scoring.options.check_score_options`).
    """
    check_score_options(question_set, by=by, min_group_size=min_group_size)
    threshold = effective_min_group_size(question_set, min_group_size)
    items = items_of(question_set)
    principle_results = []
    own_scores: list[PrincipleScores] = []
    warnings = [ResultWarning.of(w) for w in responses.warnings]
    scored = parallel_map(lambda group: score_principle(question_set, group, responses),
                          principle_items(question_set, items), responses.n)
    for result, own in scored:
        principle_results.append(result)
        own_scores.append(own)
        if result.n == 0 and responses.n:
            warnings.append(ResultWarning(
                code=Code.SCORING_UNSCORED_PRINCIPLE,
                message=f"principle {result.id!r}: no respondent answered enough of its items "
                        f"to be scored (min_answered {question_set.scoring.min_answered:g}); "
                        "it has no score"))
    overall = overall_scores(own_scores)
    n, overall_mean, overall_sd = mean_sd(overall)
    overall_band = band_of(question_set, overall_mean) if overall_mean is not None else None

    comments: dict[str, list[str]] = {}
    orders: dict[str, IntArray] = {}
    withheld = None
    if responses.n < threshold:
        withheld = (f"Comments are not shown because there are fewer than {threshold} "
                    "respondents.")
    else:
        orders = {key: comment_order(answers) for key, answers in responses.texts.items()}
        comments = {key: shuffled(answers, orders[key])
                    for key, answers in responses.texts.items()}

    breakdowns: dict[str, GroupBreakdown] = {}
    prompts = {f.id: f.prompt for f in question_set.respondent}
    for field_id in by:
        values = responses.fields[field_id]
        grouping = group_respondents(field_id, values)
        groups, spread = group_results(question_set, grouping, own_scores, overall, threshold,
                                       parallel=responses.n >= PARALLEL_FROM)
        groups, iccs = breakdown_figures(grouping, own_scores, groups)
        shown = [not g.suppressed for g in groups]
        by_group = {key: shuffled_by_group(answers, grouping.codes, shown, orders[key])
                    for key, answers in responses.texts.items()} if withheld is None else {}
        groups = [g.model_copy(update={"comments": {key: texts[i] for key, texts
                                                    in by_group.items() if texts[i]}})
                  if shown[i] else g for i, g in enumerate(groups)]
        breakdowns[field_id] = GroupBreakdown(field=field_id, prompt=prompts[field_id],
                                              groups=groups, spread=spread, icc=iccs)

    collected = collection_period(responses.submitted)
    results = Results(
        leadlens_version=__version__,
        generated_at=generated_at or dt.datetime.now(dt.UTC),
        collected_from=collected[0] if collected else None,
        collected_to=collected[1] if collected else None,
        sources=list(responses.sources),
        question_set=question_set,
        respondents=responses.n,
        min_group_size=threshold,
        by=list(by),
        overall=OverallResult(n=n, score=overall_mean, sd=overall_sd,
                              ci95=ci95(overall_mean, overall_sd, n),
                              band=overall_band.id if overall_band else None),
        principles=principle_results,
        timepoints=timepoint_results(question_set, items, responses),
        items=[item_result(i, responses) for i in items if i.question.principle is None],
        groups=breakdowns,
        comments=comments,
        comments_withheld=withheld,
        warnings=warnings,
    )
    return Scored(results, RespondentScores({p.principle.id: p.scores for p in own_scores},
                                            overall))
