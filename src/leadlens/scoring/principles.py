"""Per-respondent principle scores and the per-principle and per-item results.

The people scored on a principle are those who answered at least the required number of
its counted items (``scoring.min_answered``). For each of them, a counted item left blank
or answered with an unscored option ("Don't know") is filled with that item's mean among
the people scored on the principle who answered it (item-mean imputation, as R's
``psych::scoreItems(impute = "mean")``), and their score is the weighted mean of the filled
0-100 values. So the principle's mean is the weighted mean of its items' means, and every
item figure of the principle is counted over the people scored on it: none of them adds a
sum of a few people's answers to what the items publish.

An item answered by 1 to ``min_group_size - 1`` of those people is withheld and counts
towards nothing (not the score, % favourable or a perspective): the principle is scored on
its other items. Scores are computed once per distinct answer pattern (see
:mod:`leadlens.scoring.patterns`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt

from leadlens.questionset.model import Principle, QuestionSet
from leadlens.responses.table import FloatArray, IntArray, Responses
from leadlens.results.document import ItemResult, PerspectiveScore, PrincipleResult
from leadlens.scoring.agreement import room_agreement
from leadlens.scoring.contested import clear_split, side_margin
from leadlens.scoring.favourable import code_sides, favourability, side_counts
from leadlens.scoring.layout import Item, PrincipleItems, code_scores, required_answers
from leadlens.scoring.patterns import Patterns, answer_patterns
from leadlens.scoring.reliability import Reliability, reliability
from leadlens.scoring.stats import NOISE, band_of, ci95, mean_sd


@dataclass
class PrincipleScores:
    """One principle's 0-100 score per respondent (NaN = no score) and its scale's ends."""

    principle: Principle
    scale: tuple[float, float] | None
    """(min, max) of the principle's one scale, or None when its items mix scales."""
    patterns: Patterns | None = None
    """The answer patterns the scores come from (a respondent's is ``patterns.index``)."""
    pattern_scores: FloatArray = field(default_factory=lambda: np.zeros(0))
    items: list[Item] = field(default_factory=list)
    """The scored items, in the order of ``patterns.codes``' columns."""
    given: FloatArray | None = None
    """Each respondent's score, when there are no patterns to look it up from."""
    counted: list[bool] = field(default_factory=list)
    """Per item of ``items``: counts towards the score, the perspectives and % favourable
    (False: answered by too few of the people scored; see :func:`imputed_scores`)."""

    @property
    def members(self) -> npt.NDArray[np.bool_]:
        """Each respondent: scored on the principle."""
        if self.patterns is not None:  # per pattern, then looked up: no scores made
            flags: npt.NDArray[np.bool_] = np.isfinite(self.pattern_scores)[self.patterns.index]
            return flags
        return np.isfinite(self.scores)

    @property
    def scores(self) -> FloatArray:
        """Each respondent's score (NaN = none), looked up from their answer pattern when
        asked for: 8 bytes a respondent are not held for every principle at once."""
        if self.patterns is None:
            return self.given.copy() if self.given is not None else np.zeros(0)
        scores: FloatArray = self.pattern_scores[self.patterns.index]
        return scores

    def on_scale(self, score: float | None) -> float | None:
        """A 0-100 score on the scale's own units (None for mixed scales)."""
        if score is None or self.scale is None:
            return None
        low, high = self.scale
        return low + (high - low) * score / 100.0


def weighted_scores(units: FloatArray, weights: FloatArray, required: int
                    ) -> tuple[FloatArray, IntArray]:
    """Weighted mean of each row's answered values, NaN below ``required`` answers.

    Args:
        units: ``(rows, items)`` 0-100 values, NaN = not answered.
        weights: one weight per item.
        required: answered items needed for a score (at least 1).

    Returns:
        The scores and the number of answered items per row.
    """
    answered = np.isfinite(units)
    count = answered.sum(axis=1).astype(np.int64)
    weight_sum = answered @ weights
    total = np.where(answered, units, 0.0) @ weights
    with np.errstate(invalid="ignore", divide="ignore"):
        scores: FloatArray = np.where(count >= max(required, 1), total / weight_sum, np.nan)
    return scores, count


@dataclass
class Imputed:
    """A principle's imputed scores per answer pattern (see :func:`imputed_scores`)."""

    scores: FloatArray
    """Per pattern: the score (NaN: not scored on the principle)."""
    filled: FloatArray
    """``(patterns, items)`` 0-100 values, blanks filled with the item's mean (NaN in the
    columns of items not counted, and in the rows of patterns not scored)."""
    member: npt.NDArray[np.bool_]
    """Per pattern: scored on the principle."""
    counted: npt.NDArray[np.bool_]
    """Per item: counts towards the score (answered by none or at least the threshold of
    the people scored, and not left out); with an answer among them (``usable``)."""
    usable: npt.NDArray[np.bool_]
    answered: IntArray
    """Per item: the people scored on the principle who gave it a scored answer."""


def imputed_scores(units: FloatArray, item_weights: FloatArray, counts: IntArray,
                   min_answered: float, min_group_size: int) -> Imputed:
    """Item-mean imputation over the people scored on a principle.

    Args:
        units: ``(patterns, items)`` 0-100 values, NaN = blank or unscored answer.
        item_weights: one weight per item.
        counts: respondents per pattern.
        min_answered: the question set's ``scoring.min_answered``.
        min_group_size: an item answered by 1 to this minus 1 of the people scored is left
            out, and the people scored are worked out again on the other items (0: none).

    A person is scored when they answered at least ``required_answers(min_answered, k)``
    of the ``k`` items counted; an item is counted while none or at least
    ``min_group_size`` of the people scored answered it. Leaving an item out can only
    shrink both sets, so the loop ends.
    """
    k = units.shape[1]
    given = np.isfinite(units)
    counted = np.ones(k, dtype=bool)
    weights = counts.astype(np.float64)
    while True:
        answered = given & counted
        required = required_answers(min_answered, int(counted.sum()))
        member = (answered.sum(axis=1) >= required) & bool(counted.any())
        n = np.rint((answered & member[:, None]).T.astype(np.float64) @ weights) \
            .astype(np.int64)
        thin = counted & (n > 0) & (n < min_group_size)
        # Too few scored at all: the principle is withheld whole, nothing to leave out.
        if not thin.any() or float(weights[member].sum()) < min_group_size:
            break
        counted &= ~thin
    usable = counted & (n > 0)
    inside = answered & member[:, None]
    total = np.where(inside, units, 0.0).T @ weights
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(usable, total / np.maximum(n, 1), np.nan)
    filled = np.where(given, units, means[None, :])
    filled[:, ~usable] = np.nan
    filled[~member, :] = np.nan
    scores = filled_scores(filled, member, usable, item_weights)
    member &= np.isfinite(scores)
    return Imputed(scores, filled, member, counted, usable, n)


def filled_scores(filled: FloatArray, member: npt.NDArray[np.bool_],
                  usable: npt.NDArray[np.bool_], weights: FloatArray) -> FloatArray:
    """Per pattern: the weighted mean of the filled values of the ``usable`` items (NaN:
    not scored, or no usable item)."""
    if not usable.any():
        return np.full(filled.shape[0], np.nan)
    w = weights[usable]
    scores: FloatArray = np.where(member, np.nan_to_num(filled[:, usable]) @ w / w.sum(),
                                  np.nan)
    return scores


def answer_sizes(items: list[Item]) -> list[int]:
    """How many answer codes each item can hold (no answer, options, unscored)."""
    return [len(i.scale.options) + len(i.scale.unscored) + 1 for i in items]


def pattern_units(patterns: Patterns, items: list[Item]) -> FloatArray:
    """``(patterns, items)`` 0-100 values of each answer pattern."""
    units = np.empty(patterns.codes.shape, dtype=np.float64)
    for j, item in enumerate(items):
        units[:, j] = code_scores(item)[patterns.codes[:, j]]
    return units


def band_counts(question_set: QuestionSet, scores: FloatArray,
                weights: IntArray | None = None) -> dict[str, int]:
    """Respondents per band, every band listed (0 when empty)."""
    keep = np.isfinite(scores)
    starts = np.array([b.from_ for b in question_set.bands])
    index = np.clip(np.searchsorted(starts, scores[keep] + NOISE, side="right") - 1,
                    0, len(starts) - 1)
    counts = np.bincount(index, weights=None if weights is None else weights[keep],
                         minlength=len(starts))
    return {band.id: int(round(float(counts[i]))) for i, band in enumerate(question_set.bands)}


def band_position(question_set: QuestionSet, score: float) -> float:
    """Where a score sits within its band: 0 at the band's start, 1 at the next band's."""
    band = band_of(question_set, score)
    later = [b.from_ for b in question_set.bands if b.from_ > band.from_]
    top = min(later) if later else 100.0
    if top <= band.from_:
        return 1.0
    return min(1.0, max(0.0, (score - band.from_) / (top - band.from_)))


def split_shares(scores: FloatArray, weights: IntArray | None = None
                 ) -> tuple[float | None, float | None]:
    """Shares of scores below and above 50 (any distance: see :mod:`.contested`)."""
    keep = np.isfinite(scores)
    kept = scores[keep]
    counts = (weights[keep] if weights is not None else np.ones(kept.size)).astype(np.float64)
    n = float(counts.sum())
    if n == 0:
        return None, None
    below = float(counts[kept < 50 - NOISE].sum()) / n
    above = float(counts[kept > 50 + NOISE].sum()) / n
    return below, above


def code_counts(responses: Responses, item: Item,
                rows: npt.NDArray[np.bool_] | None = None) -> IntArray:
    """Respondents (all, or those of ``rows``) per answer code of an item (see
    :func:`answer_codes`)."""
    codes = responses.codes[:, item.column]
    counts: IntArray = np.bincount(codes if rows is None else codes[rows],
                                   minlength=answer_sizes([item])[0]).astype(np.int64)
    return counts


def item_result(item: Item, responses: Responses, *, counts: IntArray | None = None,
                reliable: Reliability | None = None, position: int = -1,
                population: int | None = None) -> ItemResult:
    """Per-item n, missing, unscored, mean and sd (raw values) and answers per option.

    ``counts`` (answers per code) and ``population`` (the people they are counted over:
    a principle's items, those scored on it) default to every respondent.

    With ``reliable`` (its principle's reliability, the item at ``position``), also r.drop,
    alpha if dropped and the key check's loading and flag.
    """
    if counts is None:
        counts = code_counts(responses, item)
    options = len(item.scale.options)
    by_option = counts[1:options + 1]
    values = np.array([o.value for o in item.scale.options], dtype=np.float64)
    n = int(by_option.sum())
    mean = sd = None
    if n:
        mean = float(by_option @ values) / n
        if n > 1:
            sd = float(np.sqrt(float(by_option @ (values - mean) ** 2) / (n - 1)))
    answers = {str(o.value): int(by_option[i]) for i, o in enumerate(item.scale.options)}
    for index, label in enumerate(item.scale.unscored):
        answers[label] = int(counts[options + 1 + index])
    sides = code_sides(item.scale, item.question.reverse)
    mine = reliable is not None and position >= 0
    return ItemResult(
        key=item.key, question=item.question.id, text=item.question.text,
        principle=item.question.principle, perspective=item.perspective,
        timepoint=item.timepoint, scale=item.scale_id, reverse=item.question.reverse,
        weight=item.question.weight, n=n,
        missing=(responses.n if population is None else population) - n,
        unscored=int(counts[options + 1:].sum()), mean=mean, sd=sd, counts=answers,
        item_total_r=reliable.r_drop[position] if mine and reliable else None,
        flagged=bool(mine and reliable and reliable.reverse[position]),
        alpha_if_dropped=reliable.alpha_if_dropped[position] if mine and reliable else None,
        pc1_loading=reliable.loadings[position] if mine and reliable else None,
        favourability=favourability(side_counts(sides, counts)) if sides is not None else None)


def _item_weights(items: list[Item]) -> FloatArray:
    """Answer weights: a two-hat question's weight is shared by its answers."""
    return np.array([i.question.answer_weight for i in items], dtype=np.float64)


def score_principle(question_set: QuestionSet, group: PrincipleItems, responses: Responses,
                    min_group_size: int = 0) -> tuple[PrincipleResult, PrincipleScores]:
    """The principle's result and its per-respondent scores.

    ``min_group_size``: an item answered by fewer of the people scored is left out of every
    figure of the principle (see :func:`imputed_scores`; 0 keeps every item).
    """
    principle = question_set.principle_by_id[group.principle_id]
    scored = group.scored
    scale_id = group.scale_id
    scale = question_set.scales[scale_id] if scale_id is not None else None
    patterns = answer_patterns(responses, [i.column for i in scored], answer_sizes(scored))
    units = pattern_units(patterns, scored)
    item_weights = _item_weights(scored)
    weights = patterns.counts
    imputed = imputed_scores(units, item_weights, weights,
                             question_set.scoring.min_answered, min_group_size)
    pattern_scores = imputed.scores
    own = PrincipleScores(principle, (float(scale.min), float(scale.max)) if scale else None,
                          patterns, pattern_scores, scored,
                          counted=[bool(c) for c in imputed.counted])

    n, score, sd100 = mean_sd(pattern_scores, weights)
    method = question_set.scoring.reliability
    reliable = reliability(units, weights, method)
    position = {i.key: j for j, i in enumerate(scored)}
    below, above = split_shares(pattern_scores, weights)
    split = clear_split(pattern_scores, side_margin(own.scale), weights)
    # Every item figure of the principle is counted over the people scored on it; when
    # nobody is (e.g. an export with only some of its questions), the principle publishes
    # no figure to set against its items, which are then counted over everyone.
    everyone = not imputed.member.any()
    inside = weights if everyone else np.where(imputed.member, weights, 0)
    counts = {item.key: np.bincount(patterns.codes[:, j], weights=inside,
                                    minlength=answer_sizes([item])[0]).round().astype(np.int64)
              for j, item in enumerate(scored)}
    if any(i.key not in counts for i in group.items):
        members = np.ones(responses.n, dtype=bool) if everyone \
            else imputed.member[patterns.index]
        among = restricted(responses, members)
        counts.update({i.key: code_counts(among, i) for i in group.items
                       if i.key not in counts})
    kept = [i for i, c in zip(scored, imputed.counted, strict=True) if c]
    left_out = {i.key for i, c in zip(scored, imputed.counted, strict=True) if not c}
    unscored = answered = 0
    for item in kept:
        answered += int(counts[item.key][1:len(item.scale.options) + 1].sum())
        unscored += int(counts[item.key][len(item.scale.options) + 1:].sum())
    band = band_of(question_set, score) if score is not None else None
    perspectives = _perspectives(question_set, scored, units, weights, own, imputed)
    room_rwg, room_ad, room_complete = room_agreement(patterns, scored)
    item_sides = [code_sides(i.scale, i.question.reverse) for i in kept]
    pooled = None
    # Nobody scored: no principle figure, so no pooled % favourable either (it would rest on
    # the few answers given, and less its shown questions' on a withheld question's).
    if kept and not everyone and all(s is not None for s in item_sides):
        # Only the items counted: a withheld item's answers would be the difference.
        pooled = favourability(sum((side_counts(s, counts[i.key])
                                    for s, i in zip(item_sides, kept, strict=True)
                                    if s is not None), np.zeros(4, dtype=np.int64)))
    gap = None
    if len(perspectives) >= 2 and perspectives[0].score is not None \
            and perspectives[-1].score is not None:
        gap = perspectives[-1].score - perspectives[0].score
    result = PrincipleResult(
        id=principle.id, name=principle.name, description=principle.description,
        weight=principle.weight, n=n, mean=own.on_scale(score),
        sd=(sd100 * (own.scale[1] - own.scale[0]) / 100.0
            if sd100 is not None and own.scale is not None else None),
        scale=scale_id, score=score, ci95=ci95(score, sd100, n),
        band=band.id if band else None,
        band_position=band_position(question_set, score) if score is not None else None,
        bands=band_counts(question_set, pattern_scores, weights),
        contested=split.contested(),
        below_50=below, above_50=above, clearly_below=split.below, clearly_above=split.above,
        unscored_share=unscored / (unscored + answered) if unscored + answered else 0.0,
        alpha=reliable.alpha, alpha_n=reliable.n, reliability_method=method,
        reliability_withheld=reliable.withheld, alpha_std=reliable.alpha_std,
        average_r=reliable.average_r, g6=reliable.g6, alpha_ci95=reliable.alpha_ci95,
        omega_total=reliable.omega_total,
        reverse_suggested=[i.key for i, r in zip(scored, reliable.reverse, strict=True) if r],
        alpha_rekeyed=reliable.alpha_rekeyed, rwg_j=room_rwg, ad_m=room_ad,
        agreement_n=room_complete if room_rwg is not None or room_ad is not None else None,
        favourability=pooled, perspectives=perspectives, perspective_gap=gap,
        recommendation=principle.recommendations.get(band.id) if band else None,
        withheld=_nothing_counted(scored, imputed, min_group_size),
        items=[_left_out(item_result(i, responses, counts=counts[i.key], reliable=reliable,
                                     position=position.get(i.key, -1),
                                     population=None if everyone else n),
                         i.key in left_out, min_group_size)
               for i in group.items])
    return result, own


def left_out_text(min_group_size: int) -> str:
    return (f"fewer than {min_group_size} of the people scored on its principle answered "
            "it, so it counts towards none of the principle's figures (score, perspectives, "
            "% favourable)")


def _left_out(item: ItemResult, out: bool, min_group_size: int) -> ItemResult:
    """An item left out of its principle says so (its figures are then withheld)."""
    return item.model_copy(update={"withheld": left_out_text(min_group_size)}) if out \
        else item


def _nothing_counted(scored: list[Item], imputed: Imputed, min_group_size: int) -> str | None:
    """Why a principle has no score although its items were answered: every item was
    answered by too few of the people who could be scored."""
    if imputed.member.any() or imputed.counted.all() or not scored:
        return None
    return (f"each of its questions was answered by fewer than {min_group_size} of the "
            "people who could be scored on it, so none counts towards a score")


def restricted(responses: Responses, rows: npt.NDArray[np.bool_]) -> Responses:
    """The same responses with only the respondents of ``rows`` (answers only)."""
    return replace(responses, codes=responses.codes[rows])


def _perspectives(question_set: QuestionSet, scored: list[Item], units: FloatArray,
                  weights: IntArray, own: PrincipleScores, imputed: Imputed
                  ) -> list[PerspectiveScore]:
    """The principle scored on each perspective's counted items alone, for every person
    scored on the principle (their blanks filled as for the principle), so a perspective's
    mean is the weighted mean of its items' means and its n the principle's."""
    present = {i.perspective for i in scored if i.perspective}
    item_weights = _item_weights(scored)
    results: list[PerspectiveScore] = []
    for perspective in question_set.perspectives:
        if perspective.id not in present:
            continue
        chosen = np.array([i.perspective == perspective.id for i in scored])
        scores = filled_scores(imputed.filled, imputed.member, imputed.usable & chosen,
                               item_weights)
        n, score, _ = mean_sd(scores, weights)
        columns = np.flatnonzero(chosen)
        own_reliability = reliability(units[:, columns], weights,
                                      question_set.scoring.reliability, items=False)
        results.append(PerspectiveScore(
            id=perspective.id, label=perspective.label, n=n, mean=own.on_scale(score),
            score=score, alpha=own_reliability.alpha, alpha_n=own_reliability.n,
            alpha_std=own_reliability.alpha_std, average_r=own_reliability.average_r,
            g6=own_reliability.g6, alpha_ci95=own_reliability.alpha_ci95,
            omega_total=own_reliability.omega_total))
    return results
