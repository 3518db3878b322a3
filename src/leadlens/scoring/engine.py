"""Score responses against a question set: the numbers every report is built from."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np

from leadlens._version import __version__
from leadlens.errors import Code
from leadlens.questionset.model import QuestionSet
from leadlens.responses.table import FloatArray, Responses
from leadlens.results.document import (
    DisclosureAudit,
    DisclosureStep,
    OverallResult,
    PrincipleResult,
    Results,
    ResultWarning,
    sealed,
)
from leadlens.scoring.breakdowns import publish
from leadlens.scoring.collected import collection_period
from leadlens.scoring.layout import items_of, principle_items
from leadlens.scoring.options import check_score_options, effective_min_group_size
from leadlens.scoring.principles import (
    PrincipleScores,
    code_counts,
    item_result,
    left_out_text,
    score_principle,
)
from leadlens.scoring.published import (
    METHOD,
    item_minimum,
    no_respondents,
    overall_minimum,
    principle_minimum,
    survey_withheld,
    timepoint_minimum,
)
from leadlens.scoring.stats import band_of, ci95, mean_sd
from leadlens.scoring.timepoints import one_sided_left_out, timepoint_results

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


class RespondentScores:
    """Each respondent's principle scores and overall score (0-100, NaN = no score).

    A principle's scores are looked up from its answer patterns when asked for
    (:attr:`by_principle`), so a national survey's scores are not all held at once.
    """

    def __init__(self, by_principle: Mapping[str, FloatArray | PrincipleScores],
                 overall: FloatArray) -> None:
        self._by_principle = dict(by_principle)
        self.overall = overall

    @property
    def by_principle(self) -> dict[str, FloatArray]:
        """Each principle's scores by principle id, in question-set order."""
        return {pid: own.scores if isinstance(own, PrincipleScores) else own
                for pid, own in self._by_principle.items()}

    @property
    def principle_ids(self) -> list[str]:
        return list(self._by_principle)

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
    details: dict[int, ResultWarning] = field(default_factory=dict)
    """Per index into ``results.warnings``: the warning as the facilitator's terminal shows
    it, naming what a published document must not (:func:`terminal_warnings`)."""

    def terminal_warnings(self) -> list[ResultWarning]:
        """The warnings as ``leadlens score`` prints them: the near-duplicate groups warning
        with each spelling's lines and the repeated-ids warning with the ids. The document
        (and every report) says only what they are about: the lines would give a hidden
        group's size away, and an id may be a person's name or e-mail address."""
        return [self.details.get(i, w) for i, w in enumerate(self.results.warnings)]


def overall_scores(principles: list[PrincipleScores],
                   means: Mapping[str, float | None] | None = None) -> FloatArray:
    """Per respondent with at least one principle score: the weighted mean (principle
    weights) of their principle scores, a principle they have no score on counted at
    ``means[id]`` (its whole-survey mean over those scored on it).

    So the whole survey's overall is the weighted mean of the principle means and
    publishes nothing beyond them. A principle whose mean is None (no score, or withheld)
    counts for nobody. Without ``means`` (the waves' own checks), the mean of each
    principle's scores is used.
    """
    if not principles:
        return np.zeros(0)
    total = np.zeros(principles[0].scores.shape[0])
    weight_sum = 0.0
    anyone = np.zeros(total.shape[0], dtype=bool)
    for own in principles:
        scores = own.scores
        present = np.isfinite(scores)
        if means is None:
            mean = float(scores[present].mean()) if present.any() else None
        else:
            mean = means.get(own.principle.id)
        if mean is None:
            continue
        weight = own.principle.weight
        anyone |= present
        np.copyto(scores, mean, where=~present)
        np.multiply(scores, weight, out=scores)
        np.add(total, scores, out=total)
        weight_sum += weight
        del scores, present
    result: FloatArray = np.where(anyone & (weight_sum > 0),
                                  total / (weight_sum or 1.0), np.nan)
    return result


def left_out_steps(principles: Sequence[PrincipleResult], min_group_size: int
                   ) -> list[DisclosureStep]:
    """An audit step per item left out of its principle's figures (too few answered)."""
    return [DisclosureStep(breakdown=None, group=None, figure=f"item:{i.key}", reason="small",
                           text=f"{i.key}: not counted in principle {p.id!r}: "
                                f"{left_out_text(min_group_size)}")
            for p in principles for i in p.items
            if i.withheld == left_out_text(min_group_size)]


def score(question_set: QuestionSet, responses: Responses, *, by: Sequence[str] = (),
          min_group_size: int | None = None, generated_at: dt.datetime | None = None,
          withhold_comments: Collection[str] = (), small_figures: bool = False,
          group_aliases: Mapping[str, Mapping[str, str]] | None = None) -> Scored:
    """Score every respondent and summarise principles, items, timepoints and groups.

    Args:
        question_set: the validated question set the responses answer.
        responses: the answers (see :mod:`leadlens.responses.table`).
        by: respondent field ids to break results down by.
        min_group_size: raises the question set's anonymity threshold (never lowers it).
        generated_at: the time stamped on the document (default: now, UTC).
        withhold_comments: ids of comments the facilitator withholds (see
            :func:`leadlens.scoring.breakdowns.comment_id`).
        group_aliases: per ``by`` field, spelling -> the group it belongs to (any case).
        small_figures: publish whole-survey figures that rest on fewer than the threshold
            (the whole-survey and cell minimums off; groups stay protected). Only for
            checking the arithmetic on tiny inputs: no command offers it.

    Raises:
        UsageError: a ``by`` field is not a respondent field of the question set, or
            ``min_group_size`` is below the set's threshold (see
            :func:`leadlens.scoring.options.check_score_options`).
    """
    check_score_options(question_set, by=by, min_group_size=min_group_size)
    threshold = effective_min_group_size(question_set, min_group_size)
    everyone = responses.n
    withheld_all = survey_withheld(
        everyone, threshold,
        requested=threshold > effective_min_group_size(question_set)) \
        if everyone < threshold and not small_figures else None
    if withheld_all:
        responses = no_respondents(responses)
    items = items_of(question_set)
    principle_results = []
    own_scores: list[PrincipleScores] = []
    warnings = [ResultWarning.of(w) for w in responses.warnings]
    details = {i: w for i, w in enumerate(warnings) if w.code == Code.RESPONSES_DUPLICATE_IDS}
    for i in details:
        warnings[i] = ResultWarning(
            code=Code.RESPONSES_DUPLICATE_IDS, file=warnings[i].file,
            message="some respondent ids appear more than "
            "once, so those respondents are counted more than once (leadlens score names "
            "them and their lines on the terminal)", hint=warnings[i].hint)
    floor = 0 if small_figures else threshold
    scored = parallel_map(lambda group: score_principle(question_set, group, responses, floor),
                          principle_items(question_set, items), responses.n)
    for result, own in scored:
        principle_results.append(result)
        own_scores.append(own)
        if result.n == 0 and responses.n and not withheld_all:
            warnings.append(ResultWarning(
                code=Code.SCORING_UNSCORED_PRINCIPLE,
                message=f"principle {result.id!r}: no respondent answered enough of its items "
                        f"to be scored (min_answered {question_set.scoring.min_answered:g}); "
                        "it has no score"))
    # A principle withheld for the whole survey (scored for 1 to threshold - 1 people)
    # counts towards nobody's overall: the overall minus the others would give its mean.
    overall = overall_scores(own_scores, {
        r.id: r.score if (r.n or 0) >= floor else None for r in principle_results})
    n, overall_mean, overall_sd = mean_sd(overall)
    overall_band = band_of(question_set, overall_mean) if overall_mean is not None else None

    published = publish(question_set, responses, own_scores, overall, by, threshold,
                        withhold_comments=withhold_comments, group_aliases=group_aliases,
                        parallel=responses.n >= PARALLEL_FROM)
    comments = published.comments
    details.update({len(warnings) + i: w for i, w in published.details.items()})
    warnings += published.warnings
    withheld = withheld_all or published.comments_withheld
    steps = [*left_out_steps(principle_results, floor), *published.steps]
    collected = collection_period(responses.submitted)
    shown_principles = [principle_minimum(p, floor) for p in principle_results]
    one_sided = one_sided_left_out(items, responses, floor)
    # Who is scored on each principle with a timepoint question (only those are looked up).
    timed = {i.question.principle for i in items if i.timepoint}
    scored_on = {p.principle.id: members for p in own_scores
                 if p.principle.id in timed and (members := p.members).any()}
    results = Results(
        leadlens_version=__version__,
        generated_at=generated_at or dt.datetime.now(dt.UTC),
        collected_from=collected[0] if collected else None,
        collected_to=collected[1] if collected else None,
        sources=list(responses.sources),
        question_set=question_set,
        respondents=everyone,
        min_group_size=threshold,
        by=list(by),
        overall=overall_minimum(OverallResult(
            n=n, score=overall_mean, sd=overall_sd, ci95=ci95(overall_mean, overall_sd, n),
            band=overall_band.id if overall_band else None), floor, shown_principles),
        principles=shown_principles,
        timepoints=[timepoint_minimum(t, floor)
                    for t in timepoint_results(question_set, items, responses, floor,
                                               scored_on, one_sided)],
        items=[item_minimum(item_result(i, responses, counts=code_counts(
                   responses, i, one_sided.get(i.key))), floor)
               for i in items if i.question.principle is None],
        groups=published.breakdowns,
        comments=comments,
        comments_withheld=withheld,
        warnings=warnings,
        withheld=withheld_all,
        disclosure=DisclosureAudit(method=METHOD, steps=steps),
    )
    results = sealed(results)  # as it is written (see leadlens.results.checks)
    if withheld_all:  # no respondent's score either: one row each, every score blank
        blank = np.full(everyone, np.nan)
        return Scored(results, RespondentScores({p.principle.id: blank for p in own_scores},
                                                blank), details)
    # A principle withheld for the whole survey (fewer than the threshold scored) has no
    # column of scores either: scores.csv would list those few people's scores.
    hidden = {p.id for p in results.principles if p.withheld}
    return Scored(results, RespondentScores(
        {p.principle.id: np.full(everyone, np.nan) if p.principle.id in hidden else p
         for p in own_scores}, overall), details)
