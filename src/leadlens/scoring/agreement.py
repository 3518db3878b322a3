"""Agreement within groups: rwg(j) and AD_M per group, ICC(1) and ICC(2) per breakdown.

These say whether a group's mean can be read as the group's view (organisational research
reports them before aggregating answers to a team). The definitions are those of R's
``multilevel`` package, which the conformance test checks them against:

- ``rwg.j`` (James, Demaree & Wolf 1984): with ``s`` the mean of the items' variances (n - 1)
  over a group's respondents who answered every item, and ``u`` the variance expected if
  answers were uniformly random, ``(A^2 - 1) / 12`` for A equally spaced options,
  ``rwg(j) = J (1 - s/u) / (J (1 - s/u) + s/u)`` with ``s`` capped at ``u``. Items on
  different scales each use their own ``u`` (``s/u`` is then the mean of the items' ratios).
- ``ad.m`` (Burke, Finkelstein & Dusig 1999): the mean over items of the average absolute
  deviation from the item's mean (divided by n), same respondents, on the scale's units.
- ``ICC1``/``ICC2`` (Bliese 2000): from a one-way ANOVA of the principle score on group,
  ``(MSB - MSW) / (MSB + (k - 1) MSW)`` with k the mean group size, and ``(MSB - MSW) / MSB``;
  with the ANOVA's F test p value.

Every input is a sum over answer patterns or group cells, never a loop over respondents.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from leadlens.questionset.model import Scale
from leadlens.responses.table import BoolArray, FloatArray, IntArray, code_values
from leadlens.scoring.favourable import code_sides, side_counts
from leadlens.scoring.layout import Item
from leadlens.scoring.patterns import Patterns
from leadlens.scoring.stats import f_cdf, finite

GroupCodes = npt.NDArray[np.integer[Any]]

_CELL_TABLE_LIMIT = 1 << 26
"""Up to this many (group, pattern) combinations the cells are counted in a table."""

AGREES = 0.7
"""rwg(j) from which a group is read as agreed (LeBreton & Senter 2008: strong agreement)."""
SPLIT = 0.5
"""rwg(j) below which a group is read as split (weak agreement or none)."""


def uniform_variance(scale: Scale) -> float:
    """The variance of answers spread evenly over a scale's options: ``(A^2 - 1) / 12`` for
    A consecutive values, in general the options' population variance."""
    values = np.array([o.value for o in scale.options], dtype=np.float64)
    return float(((values - values.mean()) ** 2).mean())


@dataclass
class Cells:
    """Respondents counted by (group, answer pattern): every group statistic is a sum over
    these, however many respondents there are."""

    group: IntArray
    pattern: IntArray
    count: IntArray


def group_cells(group_codes: GroupCodes, groups: int, patterns: Patterns) -> Cells:
    """Count respondents per (group, pattern) combination that occurs."""
    size = int(patterns.counts.size)
    joint = group_codes.astype(np.int64) * size + patterns.index
    if groups * size <= _CELL_TABLE_LIMIT:
        table = np.bincount(joint, minlength=groups * size)
        present = np.flatnonzero(table)
        counts = table[present]
    else:
        present, counts = np.unique(joint, return_counts=True)
    return Cells(present // size, present % size, counts.astype(np.int64))


@dataclass
class GroupAgreement:
    """Per group: respondents who answered every item, rwg(j) and AD_M (NaN below 2)."""

    n: IntArray
    rwg_j: FloatArray
    ad_m: FloatArray


def rwg_j(variances: FloatArray, null: FloatArray) -> FloatArray:
    """rwg(j) per row of a ``(groups, items)`` matrix of item variances (NaN stays NaN).

    Args:
        variances: observed item variances (n - 1) per group.
        null: the variance of each item under the uniform null (:func:`uniform_variance`).
    """
    items = variances.shape[1]
    ratio = np.minimum((variances / null).mean(axis=1), 1.0)
    agreement = items * (1.0 - ratio)
    with np.errstate(invalid="ignore", divide="ignore"):
        result: FloatArray = agreement / (agreement + ratio)
    return result


def agreement(values: FloatArray, cells: Cells, groups: int, null: FloatArray
              ) -> GroupAgreement:
    """rwg(j) and AD_M per group from the raw item values of each answer pattern.

    Args:
        values: ``(patterns, items)`` raw answer values (NaN = no answer or unscored).
        cells: respondents per (group, pattern), see :func:`group_cells`.
        groups: how many groups there are.
        null: each item's uniform-null variance.

    Returns:
        Per group, over its respondents who answered every item (as ``multilevel``'s
        ``na.exclude``): their number, rwg(j) and AD_M (NaN with fewer than 2 of them).
    """
    complete_patterns: BoolArray = np.all(np.isfinite(values), axis=1)
    complete = complete_patterns[cells.pattern]
    group, counts = cells.group[complete], cells.count[complete].astype(np.float64)
    rows = values[cells.pattern[complete]]
    n = np.bincount(group, weights=counts, minlength=groups)
    items = values.shape[1]
    variances = np.full((groups, items), np.nan)
    deviations = np.full((groups, items), np.nan)
    enough = n >= 2
    with np.errstate(invalid="ignore", divide="ignore"):
        for j in range(items):
            mean = np.bincount(group, weights=counts * rows[:, j], minlength=groups) / n
            centred = rows[:, j] - mean[group]
            square = np.bincount(group, weights=counts * centred ** 2, minlength=groups)
            absolute = np.bincount(group, weights=counts * np.abs(centred), minlength=groups)
            variances[enough, j] = square[enough] / (n[enough] - 1)
            deviations[enough, j] = absolute[enough] / n[enough]
    return GroupAgreement(np.round(n).astype(np.int64), rwg_j(variances, null),
                          deviations.mean(axis=1))


@dataclass
class IntraclassCorrelation:
    icc1: float | None
    icc2: float | None
    p: float | None
    """p value of the ANOVA's F test (groups differ beyond chance when small)."""
    groups: int
    n: int


def icc(n: IntArray, mean: FloatArray, within: FloatArray) -> IntraclassCorrelation:
    """ICC(1), ICC(2) and the F test of a one-way ANOVA from per-group summaries.

    Args:
        n: respondents with a score, per group (groups with none are left out).
        mean: each group's mean score.
        within: each group's sum of squared deviations from its own mean.
    """
    keep = n > 0
    sizes, means, squares = n[keep].astype(np.float64), mean[keep], within[keep]
    groups, total = int(keep.sum()), int(n[keep].sum())
    if groups < 2 or total <= groups:
        return IntraclassCorrelation(None, None, None, groups, total)
    grand = float(sizes @ means) / total
    msb = float(sizes @ (means - grand) ** 2) / (groups - 1)
    msw = float(squares.sum()) / (total - groups)
    if msb <= 0.0 or msw <= 0.0:
        return IntraclassCorrelation(None, None, None, groups, total)
    k = total / groups
    p = 1.0 - f_cdf(msb / msw, groups - 1, total - groups)
    return IntraclassCorrelation(finite((msb - msw) / (msb + (k - 1.0) * msw)),
                                 finite((msb - msw) / msb), finite(max(p, 0.0)), groups, total)


def agreement_words(rwg: float | None) -> str | None:
    """``agreed``, ``partly agreed`` or ``split``: how a facilitator reads rwg(j)."""
    if rwg is None:
        return None
    if rwg >= AGREES:
        return "agreed"
    return "partly agreed" if rwg >= SPLIT else "split"


@dataclass
class GroupFigures:
    """One principle's per-group figures beyond the mean (see :func:`principle_by_group`)."""

    n: IntArray
    """Respondents with a score, per group."""
    sd100: FloatArray
    """Sample standard deviation of the 0-100 scores (NaN below 2)."""
    within: FloatArray
    mean: FloatArray
    agreement: GroupAgreement
    sides: IntArray | None
    """``(groups, 4)`` answers per favourable side, or None when a scale defines none."""


def pattern_values(patterns: Patterns, items: list[Item]) -> FloatArray:
    """``(patterns, items)`` raw answer values (NaN = no answer or unscored)."""
    values = np.empty(patterns.codes.shape, dtype=np.float64)
    for j, item in enumerate(items):
        values[:, j] = code_values(item.scale)[patterns.codes[:, j]]
    return values


def principle_by_group(patterns: Patterns, pattern_scores: FloatArray, items: list[Item],
                       group_codes: GroupCodes, groups: int) -> GroupFigures:
    """Spread, agreement and favourable answers of one principle in every group.

    Args:
        patterns: the principle's answer patterns (columns: its scored ``items``).
        pattern_scores: each pattern's 0-100 principle score (NaN = no score).
        items: the principle's scored items.
        group_codes: each respondent's group.
        groups: how many groups there are.
    """
    cells = group_cells(group_codes, groups, patterns)
    scores = pattern_scores[cells.pattern]
    scored = np.isfinite(scores)
    group, weight = cells.group[scored], cells.count[scored].astype(np.float64)
    n = np.bincount(group, weights=weight, minlength=groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.bincount(group, weights=weight * scores[scored], minlength=groups) / n
        within = np.bincount(group, weights=weight * (scores[scored] - mean[group]) ** 2,
                             minlength=groups).astype(np.float64)
        sd100 = np.where(n >= 2, np.sqrt(within / (n - 1)), np.nan)
    null = np.array([uniform_variance(i.scale) for i in items], dtype=np.float64)
    agreed = agreement(pattern_values(patterns, items), cells, groups, null)
    sides_of = [code_sides(i.scale, i.question.reverse) for i in items]
    sides: IntArray | None = None
    if items and all(s is not None for s in sides_of):
        sides = np.zeros((groups, 4), dtype=np.int64)
        for j, item_sides in enumerate(sides_of):
            assert item_sides is not None
            size = item_sides.size
            table = np.bincount(cells.group * size + patterns.codes[cells.pattern, j],
                                weights=cells.count, minlength=groups * size)
            sides += side_counts(item_sides, np.round(table).astype(np.int64)
                                 .reshape(groups, size))
    return GroupFigures(np.round(n).astype(np.int64), sd100, within,
                        np.nan_to_num(mean), agreed, sides)


def room_agreement(patterns: Patterns, items: list[Item]) -> tuple[float | None, float | None]:
    """rwg(j) and AD_M of everyone who answered every item (AD_M null for mixed scales)."""
    if not items:
        return None, None
    count = patterns.counts.size
    cells = Cells(np.zeros(count, dtype=np.int64), np.arange(count, dtype=np.int64),
                  patterns.counts)
    null = np.array([uniform_variance(i.scale) for i in items], dtype=np.float64)
    agreed = agreement(pattern_values(patterns, items), cells, 1, null)
    one_scale = len({i.scale_id for i in items}) == 1
    return finite(agreed.rwg_j[0]), finite(agreed.ad_m[0]) if one_scale else None
