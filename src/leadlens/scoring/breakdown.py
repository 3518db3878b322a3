"""A breakdown's figures beyond group means: sd and ci95, rwg(j), AD_M, % favourable, ICC.

Added to the groups :func:`leadlens.scoring.groups.group_results` builds, shown groups only:
hidden groups publish none of them, and ICC is computed over the shown groups alone, so no
figure rests on a hidden group.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from leadlens.responses.table import FloatArray, IntArray
from leadlens.results.document import GroupICC, GroupPrinciple, GroupResult
from leadlens.scoring.agreement import (
    GroupAgreement,
    agreement,
    agreement_words,
    favourable_sides,
    icc,
    tally_scored,
)
from leadlens.scoring.disclosure import Reason
from leadlens.scoring.favourable import favourability
from leadlens.scoring.groups import Grouping
from leadlens.scoring.principles import PrincipleScores
from leadlens.scoring.stats import ci95, finite

Figures = tuple[FloatArray, GroupAgreement, IntArray | None]
"""Per principle: each group's squared deviations of scores from 50, agreement, sides."""


def breakdown_figures(grouping: Grouping, principles: list[PrincipleScores],
                      groups: list[GroupResult],
                      favourable: Mapping[str, Sequence[Reason | None]] | None = None,
                      agreeing: Mapping[str, Sequence[Reason | None]] | None = None,
                      ) -> tuple[list[GroupResult], list[GroupICC]]:
    """``groups`` with each shown group's principles completed, and ICC per principle.

    ``favourable``: per principle id, why each group's % favourable is hidden (its own
    linked table, see :func:`leadlens.scoring.breakdowns.publish`); None = shown.
    ``agreeing``: the same for rwg(j) and AD_M (a table of those who answered every item).
    """
    hidden_favourable = favourable or {}
    hidden_agreement = agreeing or {}
    count = len(grouping.values)
    group = grouping.codes.astype(np.intp)
    figures: dict[str, Figures] = {}
    scaled: dict[int, npt.NDArray[np.intp]] = {}
    for own in principles:
        if own.patterns is None:
            continue
        # % favourable: those scored on the principle and its counted items only, as for
        # the whole survey.
        tables, counted = tally_scored(own.patterns, own.items, group, count,
                                       np.isfinite(own.pattern_scores), scaled)
        scores = own.pattern_scores - 50.0  # smaller squares, less rounding
        squares = np.bincount(group, weights=np.nan_to_num(scores * scores)[own.patterns.index],
                              minlength=count).astype(np.float64)
        kept = [j for j, c in enumerate(own.counted or [True] * len(own.items)) if c]
        sides = favourable_sides(counted, own.items, kept)
        figures[own.principle.id] = (squares, agreement(tables, own.items), sides)
    spans = {own.principle.id: (own.scale[1] - own.scale[0] if own.scale else None)
             for own in principles}
    completed: list[GroupResult] = []
    for g, result in enumerate(groups):
        if result.suppressed:
            completed.append(result)
            continue
        updated = [gp.model_copy(update=_figures(
                       gp, figures[gp.id], g, spans[gp.id],
                       hidden_favourable[gp.id][g] if gp.id in hidden_favourable else None,
                       hidden_agreement[gp.id][g] if gp.id in hidden_agreement else None))
                   if gp.id in figures and gp.n is not None else gp  # hidden: none of them
                   for gp in result.principles]
        completed.append(result.model_copy(update={"principles": updated}))
    iccs: list[GroupICC] = []
    for own in principles:
        if own.principle.id not in figures:
            continue
        shown = [(g, gp) for g, r in enumerate(completed) if not r.suppressed
                 for gp in r.principles if gp.id == own.principle.id and gp.score is not None
                 and gp.n is not None]
        n = np.array([gp.n for _, gp in shown], dtype=np.int64)
        mean = np.array([gp.score for _, gp in shown], dtype=np.float64)
        squares = figures[own.principle.id][0][[g for g, _ in shown]]
        fit = icc(n, mean, np.maximum(squares - n * (mean - 50.0) ** 2, 0.0))
        iccs.append(GroupICC(principle=own.principle.id, groups=fit.groups, n=fit.n,
                             icc1=fit.icc1, icc2=fit.icc2, p=fit.p))
    return completed, iccs


def _figures(gp: GroupPrinciple, figures: Figures, g: int, span: float | None,
             favourable_hidden: Reason | None, agreement_hidden: Reason | None
             ) -> dict[str, object]:
    squares, agreed, sides = figures
    sd100 = None
    assert gp.n is not None  # a hidden figure gets none of these (see the caller)
    if gp.score is not None and gp.n >= 2:
        sd100 = math.sqrt(max(float(squares[g]) - gp.n * (gp.score - 50.0) ** 2, 0.0)
                          / (gp.n - 1))
    rwg = finite(agreed.rwg_j[g]) if agreement_hidden is None else None
    ad_m = finite(agreed.ad_m[g]) if span is not None and agreement_hidden is None else None
    return {
        "sd": sd100 * span / 100.0 if sd100 is not None and span is not None else None,
        "ci95": ci95(gp.score, sd100, gp.n),
        "rwg_j": rwg,
        "ad_m": ad_m,
        "agreement": agreement_words(rwg),
        "agreement_n": int(agreed.n[g]) if rwg is not None or ad_m is not None else None,
        "favourability": favourability(sides[g])
        if sides is not None and favourable_hidden is None else None,
        "favourability_suppressed_reason": favourable_hidden if sides is not None else None,
    }
