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

Everyone's figures are sums over answer patterns (:func:`tally_room`); a group's come from
its answers tallied into a small (group, item, answer) table (:func:`tally_groups`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from leadlens.questionset.model import Scale
from leadlens.responses.table import BoolArray, FloatArray, IntArray, code_values
from leadlens.scoring.favourable import code_sides, side_counts
from leadlens.scoring.layout import Item
from leadlens.scoring.patterns import Patterns
from leadlens.scoring.stats import f_sf, finite

GroupCodes = npt.NDArray[np.integer[Any]]

AGREES = 0.7
"""rwg(j) from which a group is read as agreed (LeBreton & Senter 2008: strong agreement)."""
SPLIT = 0.5
"""rwg(j) below which a group is read as split (weak agreement or none)."""


def uniform_variance(scale: Scale) -> float:
    """The variance of answers spread evenly over a scale's options: ``(A^2 - 1) / 12`` for
    A consecutive values, in general the options' population variance."""
    values = np.array([o.value for o in scale.options], dtype=np.float64)
    return float(((values - values.mean()) ** 2).mean())


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


@dataclass
class GroupTables:
    """Respondents per answer code of each item, per group: ``codes[group, item, complete,
    code]``, ``complete`` 1 for respondents who answered every item of the principle."""

    codes: IntArray


def answer_width(items: list[Item]) -> int:
    """Answer codes an item of ``items`` can hold, at most (no answer, options, unscored)."""
    return max((len(i.scale.options) + len(i.scale.unscored) + 1 for i in items), default=1)


def _complete(patterns: Patterns, items: list[Item]) -> BoolArray:
    answered = np.ones(patterns.counts.size, dtype=bool)
    for j, item in enumerate(items):
        answered &= (patterns.codes[:, j] >= 1) & (patterns.codes[:, j] <= len(item.scale.options))
    return answered


def tally_room(patterns: Patterns, items: list[Item]) -> GroupTables:
    """Everyone as one group: a sum over the answer patterns."""
    width = answer_width(items)
    complete = _complete(patterns, items)
    weights = patterns.counts.astype(np.float64)
    codes = np.zeros((1, len(items), 2 * width), dtype=np.int64)
    for j in range(len(items)):
        codes[0, j] = np.bincount(complete * width + patterns.codes[:, j], weights=weights,
                                  minlength=2 * width).round().astype(np.int64)
    return GroupTables(codes.reshape(1, len(items), 2, width))


_TALLY_BINS = 1 << 18
"""Bins of one counting pass: items are packed into a pass while their tallies fit."""


def tally_groups(patterns: Patterns, items: list[Item], group: npt.NDArray[np.intp],
                 groups: int, scaled: dict[int, npt.NDArray[np.intp]] | None = None
                 ) -> GroupTables:
    """Per group: respondents per answer of each item, a few counting passes per principle.

    Args:
        patterns: the principle's answer patterns (columns: its scored ``items``).
        items: the principle's scored items.
        group: each respondent's group.
        groups: how many groups there are.
        scaled: ``group * span`` by span, kept between calls (principles share shapes).
    """
    complete = _complete(patterns, items).astype(np.intp)
    return GroupTables(_tally(patterns, items, group, groups, complete, 2, scaled))


def tally_scored(patterns: Patterns, items: list[Item], group: npt.NDArray[np.intp],
                 groups: int, scored: npt.NDArray[np.bool_],
                 scaled: dict[int, npt.NDArray[np.intp]] | None = None
                 ) -> tuple[GroupTables, GroupTables]:
    """:func:`tally_groups` of everyone, and of only the respondents whose pattern is
    ``scored``, from the same counting passes (the split is a property of the pattern, so
    it costs no work per respondent)."""
    state = _complete(patterns, items).astype(np.intp) * 2 + scored.astype(np.intp)
    codes = _tally(patterns, items, group, groups, state, 4, scaled)
    split = codes.reshape(groups, len(items), 2, 2, codes.shape[-1])
    return GroupTables(split.sum(axis=3)), GroupTables(np.ascontiguousarray(split[:, :, :, 1]))


def _tally(patterns: Patterns, items: list[Item], group: npt.NDArray[np.intp], groups: int,
           state: npt.NDArray[np.intp], states: int,
           scaled: dict[int, npt.NDArray[np.intp]] | None) -> IntArray:
    """``codes[group, item, state, answer]``: respondents by their pattern's ``state``.

    Each pass counts respondents by (group, state, answers to a few items), the answers
    looked up from the respondent's pattern; a table of groups times whole patterns would
    have millions of cells, which cost more to allocate and fill than they save.
    """
    width = answer_width(items)
    k = len(items)
    codes = np.zeros((groups, k, states, width), dtype=np.int64)
    # Sized per two states: four states (tally_scored) take the same passes as two,
    # measured faster than more passes over the respondents with smaller tables.
    fit = max(1, _TALLY_BINS // (2 * max(groups, 1)))
    start = 0
    while start < k:
        size = 1
        while start + size < k and width ** (size + 1) <= fit:
            size += 1
        key = state.copy()
        for j in range(start, start + size):
            key = key * width + patterns.codes[:, j]
        span = states * width ** size
        if scaled is None:
            scaled = {}
        if span not in scaled:
            scaled[span] = group * span
        table = np.bincount(scaled[span] + key[patterns.index], minlength=groups * span)
        shaped = table.reshape(groups, states, *([width] * size))
        for offset in range(size):
            others = tuple(2 + t for t in range(size) if t != offset)
            codes[:, start + offset] = shaped.sum(axis=others) if others else shaped
        start += size
    return codes


@dataclass
class GroupAgreement:
    """Per group: respondents who answered every item, rwg(j) and AD_M (NaN below 2)."""

    n: IntArray
    rwg_j: FloatArray
    ad_m: FloatArray


def agreement(tables: GroupTables, items: list[Item]) -> GroupAgreement:
    """rwg(j) and AD_M per group over its respondents who answered every item (as
    ``multilevel``'s ``na.exclude``); NaN with fewer than 2 of them."""
    complete = tables.codes[:, :, 1, :].astype(np.float64)  # (groups, items, codes)
    groups = complete.shape[0]
    n = complete[:, 0, :].sum(axis=1) if items else np.zeros(groups)
    variances = np.full((groups, len(items)), np.nan)
    deviations = np.full((groups, len(items)), np.nan)
    enough = n >= 2
    for j, item in enumerate(items):
        values = np.zeros(complete.shape[2])
        values[:len(item.scale.options) + 1] = np.nan_to_num(
            code_values(item.scale)[:len(item.scale.options) + 1])
        counts = complete[enough, j, :]
        mean = counts @ values / n[enough]
        gaps = values[None, :] - mean[:, None]
        variances[enough, j] = (counts * gaps ** 2).sum(axis=1) / (n[enough] - 1)
        deviations[enough, j] = (counts * np.abs(gaps)).sum(axis=1) / n[enough]
    null = np.array([uniform_variance(i.scale) for i in items], dtype=np.float64)
    return GroupAgreement(np.rint(n).astype(np.int64), rwg_j(variances, null),
                          deviations.mean(axis=1) if items else np.full(groups, np.nan))


def favourable_sides(tables: GroupTables, items: list[Item],
                     kept: Sequence[int] | None = None) -> IntArray | None:
    """``(groups, 4)`` answers per favourable side over the items at ``kept`` (default:
    all), or None when a scale defines none."""
    columns = list(range(len(items))) if kept is None else list(kept)
    sides_of = [code_sides(items[j].scale, items[j].question.reverse) for j in columns]
    if not columns or any(s is None for s in sides_of):
        return None
    every = tables.codes.sum(axis=2)  # (groups, items, codes), complete or not
    total: IntArray = np.zeros((every.shape[0], 4), dtype=np.int64)
    for j, sides in zip(columns, sides_of, strict=True):
        assert sides is not None
        total += side_counts(sides, every[:, j, :sides.size])
    return total


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
    p = f_sf(msb / msw, groups - 1, total - groups)
    return IntraclassCorrelation(finite((msb - msw) / (msb + (k - 1.0) * msw)),
                                 finite((msb - msw) / msb), finite(max(p, 0.0)), groups, total)


def agreement_words(rwg: float | None) -> str | None:
    """``agreed``, ``partly agreed`` or ``split``: how a facilitator reads rwg(j)."""
    if rwg is None:
        return None
    if rwg >= AGREES:
        return "agreed"
    return "partly agreed" if rwg >= SPLIT else "split"


def room_agreement(patterns: Patterns, items: list[Item]
                   ) -> tuple[float | None, float | None, int]:
    """rwg(j) and AD_M of everyone who answered every item (AD_M null for mixed scales),
    and how many they are."""
    if not items:
        return None, None, 0
    agreed = agreement(tally_room(patterns, items), items)
    one_scale = len({i.scale_id for i in items}) == 1
    return (finite(agreed.rwg_j[0]), finite(agreed.ad_m[0]) if one_scale else None,
            int(agreed.n[0]))


def complete_patterns(patterns: Patterns, items: list[Item]) -> BoolArray:
    """Per answer pattern: every item answered (its respondents are behind rwg(j) and
    AD_M)."""
    return _complete(patterns, items)
