"""The "contested" rule: a principle (or a group's view of it) where the room disagrees.

A middling average can hide a split room, and a split room is where a facilitator starts the
discussion. But a lukewarm room, where everyone scores a little either side of neutral, is
not split: it agrees that the principle is half-practised. So a respondent counts on a side
only when their score is *clearly* away from neutral (50): at least half an answer step of
the principle's scale (12.5 points on a five-point scale, that is nearer "Agree" than
"Neither" on average). The room is contested when at least :data:`SIDE_SHARE` of its
respondents are clearly below and at least as many clearly above.

This is the SCIROCCO workshop rule (a dimension is "uncertain" when ratings split widely
around the median) made concrete, with "at least a quarter on each side of neutral" kept as
the share.

Why not rwg(j) (James, Demaree & Wolf 1984, in the results as ``rwg_j``)? It was tried as a
second condition (contested only below the .70 agreement line) and it hid the one split room
in the example data: the two-camp principle has rwg(j) 0.78, because rwg(j) rises with the
number of items whatever the shape of the answers. Agreement indices are reported beside the
scores; the contested rule reads the shape of the room directly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from leadlens.responses.table import FloatArray, IntArray
from leadlens.scoring.stats import NOISE

NEUTRAL = 50.0
SIDE_SHARE = 0.25
"""At least this share of respondents clearly on each side makes a room contested."""
FIVE_POINT_MARGIN = 12.5
"""Half an answer step of a 1-5 scale on 0-100; used when items mix scales."""


def side_margin(scale: tuple[float, float] | None) -> float:
    """How far from 50 a 0-100 score must be to count as clearly on one side.

    Half an answer step of the scale: ``100 / (max - min) / 2``.
    """
    if scale is None or scale[1] <= scale[0]:
        return FIVE_POINT_MARGIN
    return 100.0 / (scale[1] - scale[0]) / 2


@dataclass(frozen=True)
class Split:
    """Shares of a room clearly below and clearly above neutral."""

    below: float | None
    above: float | None

    def contested(self) -> bool:
        """Whether the room disagrees: see the module docstring."""
        return room_disagrees(self.below, self.above)


def room_disagrees(below: float | None, above: float | None) -> bool:
    """The one contested rule, for principles and for groups."""
    if below is None or above is None:
        return False
    return below >= SIDE_SHARE - NOISE and above >= SIDE_SHARE - NOISE


def clear_split(scores: FloatArray, margin: float, weights: IntArray | None = None) -> Split:
    """The shares of (weighted) scores at least ``margin`` below and above 50."""
    keep = np.isfinite(scores)
    kept = scores[keep]
    counts = (weights[keep] if weights is not None else np.ones(kept.size)).astype(np.float64)
    n = float(counts.sum())
    if n == 0:
        return Split(None, None)
    below = float(counts[kept <= NEUTRAL - margin + NOISE].sum()) / n
    above = float(counts[kept >= NEUTRAL + margin - NOISE].sum()) / n
    return Split(below, above)
