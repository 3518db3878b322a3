"""A breakdown's figures beyond group means: sd and ci95, rwg(j), AD_M, % favourable, ICC.

Added to the groups :func:`leadlens.scoring.groups.group_results` builds, shown groups only:
hidden groups publish none of them, and ICC is computed over the shown groups alone, so no
figure rests on a hidden group.
"""

from __future__ import annotations

import math

import numpy as np

from leadlens.results.document import GroupICC, GroupResult
from leadlens.scoring.agreement import GroupFigures, agreement_words, icc, principle_by_group
from leadlens.scoring.favourable import favourability
from leadlens.scoring.groups import Grouping
from leadlens.scoring.principles import PrincipleScores
from leadlens.scoring.stats import ci95, finite


def breakdown_figures(grouping: Grouping, principles: list[PrincipleScores],
                      groups: list[GroupResult]) -> tuple[list[GroupResult], list[GroupICC]]:
    """``groups`` with each shown group's principles completed, and ICC per principle."""
    count = len(grouping.values)
    shown = np.array([not g.suppressed for g in groups], dtype=bool)
    figures = [principle_by_group(own.patterns, own.pattern_scores, own.items,
                                  grouping.codes, count)
               if own.patterns is not None else None for own in principles]
    iccs: list[GroupICC] = []
    for own, fig in zip(principles, figures, strict=True):
        if fig is None:
            continue
        result = icc(np.where(shown, fig.n, 0), fig.mean, fig.within)
        iccs.append(GroupICC(principle=own.principle.id, groups=result.groups, n=result.n,
                             icc1=result.icc1, icc2=result.icc2, p=result.p))
    completed: list[GroupResult] = []
    for g, group in enumerate(groups):
        if group.suppressed:
            completed.append(group)
            continue
        by_id = {own.principle.id: (own, fig) for own, fig in zip(principles, figures,
                                                                 strict=True)}
        updated = []
        for gp in group.principles:
            own, fig = by_id[gp.id]
            updated.append(gp.model_copy(update=_figures(own, fig, g, gp.score))
                           if fig is not None else gp)
        completed.append(group.model_copy(update={"principles": updated}))
    return completed, iccs


def _figures(own: PrincipleScores, fig: GroupFigures, g: int, score: float | None
             ) -> dict[str, object]:
    n = int(fig.n[g])
    sd100 = finite(fig.sd100[g])
    span = own.scale[1] - own.scale[0] if own.scale is not None else math.nan
    rwg = finite(fig.agreement.rwg_j[g])
    return {
        "sd": finite(sd100 * span / 100.0) if sd100 is not None else None,
        "ci95": ci95(score, sd100, n),
        "rwg_j": rwg,
        "ad_m": finite(fig.agreement.ad_m[g]) if own.scale is not None else None,
        "agreement": agreement_words(rwg),
        "favourability": favourability(fig.sides[g]) if fig.sides is not None else None,
    }
