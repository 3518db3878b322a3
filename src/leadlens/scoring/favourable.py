"""% favourable: answers counted as favourable, neutral or unfavourable, with Wilson intervals.

A scale's ``favourable`` values (default: the top two options of a 4- to 6-point scale, the
top three of a 7-point one) are favourable; their mirror images (``min + max - value``, as
reverse keying maps them) are unfavourable; the rest are neutral. A reverse-keyed question is
judged on its keyed answer, so disagreeing with "I feel ignored" is favourable. Unscored
answers ("Don't know") and blanks are not counted.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np

from leadlens.questionset.model import Scale
from leadlens.responses.table import IntArray
from leadlens.results.document import Favourability

Z95 = NormalDist().inv_cdf(0.975)

NONE, UNFAVOURABLE, NEUTRAL, FAVOURABLE = 0, 1, 2, 3
"""What each answer code counts as (:func:`code_sides`)."""

DEFAULT_TOP = {4: 2, 5: 2, 6: 2, 7: 3}
"""Options in a scale -> how many of the top ones are favourable by default."""


def favourable_values(scale: Scale) -> frozenset[int] | None:
    """The option values counted as favourable: the scale's own, else the default, else None."""
    if scale.favourable is not None:
        return frozenset(scale.favourable) or None  # [] switches % favourable off
    top = DEFAULT_TOP.get(len(scale.options))
    if top is None:
        return None
    return frozenset(sorted(o.value for o in scale.options)[-top:])


def code_sides(scale: Scale, reverse: bool) -> IntArray | None:
    """Per answer code (0 no answer, options, unscored): NONE, UNFAVOURABLE, NEUTRAL or
    FAVOURABLE, or None when the scale defines nothing favourable."""
    favourable = favourable_values(scale)
    if favourable is None:
        return None
    low, high = scale.min, scale.max
    unfavourable = {low + high - v for v in favourable} - favourable
    sides = np.full(len(scale.options) + len(scale.unscored) + 1, NONE, dtype=np.int64)
    for index, option in enumerate(scale.options):
        keyed = low + high - option.value if reverse else option.value
        sides[index + 1] = (FAVOURABLE if keyed in favourable
                            else UNFAVOURABLE if keyed in unfavourable else NEUTRAL)
    return sides


def wilson(hits: float, n: float) -> tuple[float, float]:
    """Wilson's 95% score interval for a proportion (R's ``prop.test(correct = FALSE)``)."""
    share = hits / n
    z2 = Z95 * Z95
    centre = (share + z2 / (2 * n)) / (1 + z2 / n)
    half = Z95 / (1 + z2 / n) * math.sqrt(share * (1 - share) / n + z2 / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def favourability(by_side: IntArray) -> Favourability | None:
    """The shares from answers counted per side (``by_side[UNFAVOURABLE]`` ...); None if none."""
    unfavourable, neutral, favourable = (float(by_side[s])
                                         for s in (UNFAVOURABLE, NEUTRAL, FAVOURABLE))
    n = unfavourable + neutral + favourable
    if n <= 0:
        return None
    # Built from counts computed here, so validation (thousands of groups) is skipped.
    return Favourability.model_construct(
        answers=int(round(n)), favourable=favourable / n, neutral=neutral / n,
        unfavourable=unfavourable / n, favourable_ci95=wilson(favourable, n),
        neutral_ci95=wilson(neutral, n), unfavourable_ci95=wilson(unfavourable, n))


def side_counts(sides: IntArray, code_counts: IntArray) -> IntArray:
    """Answers per side from answers per code (the last axis of ``code_counts``)."""
    table: IntArray = np.zeros((*code_counts.shape[:-1], 4), dtype=np.int64)
    for side in (UNFAVOURABLE, NEUTRAL, FAVOURABLE):
        table[..., side] = code_counts[..., sides == side].sum(axis=-1)
    return table
