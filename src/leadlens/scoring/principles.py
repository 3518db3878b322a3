"""Per-respondent principle scores and the per-principle and per-item results."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from leadlens.models import Principle, QuestionSet
from leadlens.results import ItemResult, PerspectiveScore, PrincipleResult
from leadlens.scoring.data import FloatArray, Responses
from leadlens.scoring.layout import Item, PrincipleItems, required_answers, to_score_units
from leadlens.scoring.stats import ci95, cronbach_alpha, finite, mean_sd


@dataclass
class PrincipleScores:
    """One principle's 0-100 score per respondent (NaN = no score) and its scale's ends."""

    principle: Principle
    scores: FloatArray
    scale: tuple[float, float] | None
    """(min, max) of the principle's one scale, or None when its items mix scales."""

    def on_scale(self, score: float | None) -> float | None:
        """A 0-100 score on the scale's own units (None for mixed scales)."""
        if score is None or self.scale is None:
            return None
        low, high = self.scale
        return low + (high - low) * score / 100.0


def weighted_scores(units: FloatArray, weights: FloatArray, required: int) -> FloatArray:
    """Each respondent's weighted mean over answered items, NaN below ``required`` answers."""
    answered = np.isfinite(units)
    count = answered.sum(axis=1)
    weight_sum = answered @ weights
    total = np.where(answered, units, 0.0) @ weights
    with np.errstate(invalid="ignore", divide="ignore"):
        scores: FloatArray = np.where(count >= required, total / weight_sum, np.nan)
    return scores


def band_counts(question_set: QuestionSet, scores: FloatArray) -> dict[str, int]:
    """Respondents per band, every band listed (0 when empty)."""
    kept = scores[np.isfinite(scores)]
    starts = np.array([b.from_ for b in question_set.bands])
    index = np.clip(np.searchsorted(starts, kept, side="right") - 1, 0, len(starts) - 1)
    counts = np.bincount(index, minlength=len(starts))
    return {band.id: int(counts[i]) for i, band in enumerate(question_set.bands)}


def band_position(question_set: QuestionSet, score: float) -> float:
    """Where a score sits within its band: 0 at the band's start, 1 at the next band's."""
    band = question_set.band_for(score)
    later = [b.from_ for b in question_set.bands if b.from_ > band.from_]
    top = min(later) if later else 100.0
    if top <= band.from_:
        return 1.0
    return min(1.0, max(0.0, (score - band.from_) / (top - band.from_)))


def split_shares(scores: FloatArray) -> tuple[float | None, float | None, bool]:
    """Shares of scores below and above 50, and whether both are at least a quarter."""
    kept = scores[np.isfinite(scores)]
    if kept.size == 0:
        return None, None, False
    below = float((kept < 50).mean())
    above = float((kept > 50).mean())
    return below, above, below >= 0.25 and above >= 0.25


def item_result(item: Item, responses: Responses, *, item_total_r: float | None = None
                ) -> ItemResult:
    """Per-item n, missing, unscored, mean and sd (raw values) and answers per option."""
    raw = responses.values[:, item.column]
    kept = raw[np.isfinite(raw)].astype(np.int64) - item.scale.min
    span = item.scale.max - item.scale.min + 1
    by_value = np.bincount(kept, minlength=span) if kept.size else np.zeros(span, np.int64)
    n = int(kept.size)
    mean = sd = None
    if n:
        offsets = np.arange(span, dtype=np.float64)
        centre = float(by_value @ offsets) / n
        mean = item.scale.min + centre
        if n > 1:
            sd = float(np.sqrt(float(by_value @ (offsets - centre) ** 2) / (n - 1)))
    counts = {str(o.value): int(by_value[o.value - item.scale.min]) for o in item.scale.options}
    unscored_codes = np.bincount(responses.unscored[:, item.column].astype(np.int64),
                                 minlength=len(item.scale.unscored) + 1)
    for index, label in enumerate(item.scale.unscored, start=1):
        counts[label] = int(unscored_codes[index])
    return ItemResult(
        key=item.key, question=item.question.id, text=item.question.text,
        principle=item.question.principle, perspective=item.perspective,
        timepoint=item.timepoint, scale=item.scale_id, reverse=item.question.reverse,
        weight=item.question.weight, n=n, missing=responses.n - n,
        unscored=int(unscored_codes[1:].sum()), mean=mean, sd=sd, counts=counts,
        item_total_r=finite(item_total_r),
        flagged=item_total_r is not None and item_total_r < 0)


def principle_scores(question_set: QuestionSet, group: PrincipleItems, responses: Responses,
                     items: list[Item] | None = None) -> FloatArray:
    """0-100 scores per respondent from ``items`` (default: the principle's scored items)."""
    chosen = group.scored if items is None else items
    units = to_score_units(responses.values[:, [i.column for i in chosen]].astype(np.float64),
                           chosen)
    weights = np.array([i.question.weight for i in chosen], dtype=np.float64)
    required = required_answers(question_set.scoring.min_answered, len(chosen))
    return weighted_scores(units, weights, required)


def score_principle(question_set: QuestionSet, group: PrincipleItems, responses: Responses
                    ) -> tuple[PrincipleResult, PrincipleScores]:
    """The principle's result and its per-respondent scores."""
    principle = question_set.principle_by_id[group.principle_id]
    scored = group.scored
    scale_id = group.scale_id
    scale = question_set.scales[scale_id] if scale_id is not None else None
    units = to_score_units(responses.values[:, [i.column for i in scored]].astype(np.float64),
                           scored)
    weights = np.array([i.question.weight for i in scored], dtype=np.float64)
    required = required_answers(question_set.scoring.min_answered, len(scored))
    scores = weighted_scores(units, weights, required)
    own = PrincipleScores(principle, scores,
                          (float(scale.min), float(scale.max)) if scale else None)

    n, score, sd100 = mean_sd(scores)
    alpha, correlations, alpha_n = cronbach_alpha(units)
    r_by_key = dict(zip([i.key for i in scored], correlations, strict=True))
    below, above, contested = split_shares(scores)
    unscored = int(sum(int((responses.unscored[:, i.column] > 0).sum()) for i in scored))
    answered = int(np.isfinite(units).sum())
    band = question_set.band_for(score) if score is not None else None
    perspectives = _perspectives(question_set, group, responses, own)
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
        bands=band_counts(question_set, scores), contested=contested,
        below_50=below, above_50=above,
        unscored_share=unscored / (unscored + answered) if unscored + answered else 0.0,
        alpha=alpha, alpha_n=alpha_n, perspectives=perspectives, perspective_gap=gap,
        recommendation=principle.recommendations.get(band.id) if band else None,
        items=[item_result(i, responses, item_total_r=r_by_key.get(i.key))
               for i in group.items])
    return result, own


def _perspectives(question_set: QuestionSet, group: PrincipleItems, responses: Responses,
                  own: PrincipleScores) -> list[PerspectiveScore]:
    present = {i.perspective for i in group.scored if i.perspective}
    results: list[PerspectiveScore] = []
    for perspective in question_set.perspectives:
        if perspective.id not in present:
            continue
        chosen = [i for i in group.scored if i.perspective == perspective.id]
        n, score, _ = mean_sd(principle_scores(question_set, group, responses, chosen))
        results.append(PerspectiveScore(id=perspective.id, label=perspective.label, n=n,
                                        mean=own.on_scale(score), score=score))
    return results
