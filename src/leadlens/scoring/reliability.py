"""Reliability of a principle's items: alpha and its relatives, omega, and a key check.

Everything starts from one item covariance matrix, weighted by answer pattern (a pattern
stands for every respondent who gave it), so a million respondents cost no more than the
few thousand patterns they give. The definitions follow R's psych package (``alpha``,
``smc``, ``principal``, ``fa(nfactors = 1, fm = "minres")``), which the conformance test
checks them against:

- raw alpha ``k / (k - 1) * (1 - tr(C) / sum(C))``; standardised alpha and the average
  inter-item correlation from ``R = cov2cor(C)``; Guttman's lambda-6
  ``1 - (k - sum(smc)) / sum(R)`` with squared multiple correlations from ``pinv(R)``;
- Feldt's 95% interval ``1 - (1 - alpha) * F(q; n - 1, (n - 1)(k - 1))`` for q = .975, .025;
- r.drop (each item against the sum of the others) and alpha if the item is dropped;
- omega total ``(sum l)^2 / ((sum l)^2 + sum(1 - l^2))`` from a one-factor minres
  (unweighted least squares) fit of ``R``;
- the key check of psych's ``check.keys``: items loading negatively on the first principal
  component of ``R`` (signed so that the loadings sum to at least 0) should be reversed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from leadlens.responses.table import FloatArray, IntArray
from leadlens.scoring.stats import f_quantile, finite

Method = Literal["listwise", "pairwise"]

MIN_RELIABILITY_N = 30
"""Respondents (each pair of items, pairwise) needed for alpha, its relatives and any item
flag. Below it the figures swing widely from one respondent to the next (three people can
give an alpha of -0.3 and an item-total r of -1 on sound questions)."""
MIN_OMEGA_N = 100
"""Respondents needed for omega: a factor analysis needs far more cases than alpha."""
MIN_OMEGA_ITEMS = 3
"""A one-factor model of two items is not identified."""

_SMALL = 1e-12


@dataclass
class Reliability:
    """The reliability figures of one set of items (None: not computed; see ``withheld``)."""

    method: Method
    n: int
    """Listwise: respondents who answered every item. Pairwise: who answered any (each
    item's variance uses all its answers, as psych's default does)."""
    alpha: float | None = None
    alpha_std: float | None = None
    average_r: float | None = None
    g6: float | None = None
    alpha_ci95: tuple[float, float] | None = None
    omega_total: float | None = None
    r_drop: list[float | None] = field(default_factory=list)
    alpha_if_dropped: list[float | None] = field(default_factory=list)
    loadings: list[float | None] = field(default_factory=list)
    """Each item's loading on the first principal component (the key check)."""
    reverse: list[bool] = field(default_factory=list)
    """Items the key check says to reverse."""
    alpha_rekeyed: float | None = None
    """Raw alpha with the suggested keys, when any item should be reversed."""
    withheld: str | None = None
    """Why alpha (and every item flag) is not given, in words."""
    omega_withheld: str | None = None


def covariance(units: FloatArray, weights: IntArray, method: Method
               ) -> tuple[FloatArray, FloatArray | None, int, int]:
    """The item covariances (n - 1 denominators) and correlations, sample and fewest pairs.

    Args:
        units: ``(patterns, items)`` keyed item values, NaN = no answer.
        weights: respondents per pattern.
        method: ``listwise`` (respondents who answered every item) or ``pairwise`` (each
            covariance from the respondents who answered both items, as R's
            ``cov(use = "pairwise")``).

    Returns:
        ``(C, R, n, fewest)``: ``C`` has NaN where fewer than two respondents answered a
        pair. ``R`` is None listwise (it is ``cov2cor(C)``); pairwise it is R's
        ``cor(use = "pairwise")``, each pair standardised on its own respondents, which
        psych's ``principal`` and ``fa`` use. ``n`` as in :attr:`Reliability.n`; ``fewest``
        the smallest pair count (``n`` listwise).
    """
    k = units.shape[1]
    answered = np.isfinite(units)
    counts = weights.astype(np.float64)
    if method == "listwise":
        keep = answered.all(axis=1)
        values, w = units[keep], counts[keep]
        n = int(round(float(w.sum())))
        if n < 2:
            return np.full((k, k), np.nan), None, n, n
        centred = values - (w @ values) / n
        matrix: FloatArray = (centred * w[:, None]).T @ centred / (n - 1)
        return matrix, None, n, n
    n = int(round(float(counts[answered.any(axis=1)].sum())))
    mask = answered.astype(np.float64)
    pair_n = (mask * counts[:, None]).T @ mask
    item_n = np.diag(pair_n)
    with np.errstate(invalid="ignore", divide="ignore"):
        centre = np.where(item_n > 0, (np.where(answered, units, 0.0).T @ counts) / item_n, 0.0)
    centred = np.where(answered, units - centre, 0.0)
    weighted = centred * counts[:, None]
    sums = weighted.T @ mask                      # sums[i, j]: x_i where j is answered too
    products = weighted.T @ centred
    squares = (centred * weighted).T @ mask       # squares[i, j]: x_i^2 where j is answered
    with np.errstate(invalid="ignore", divide="ignore"):
        matrix = (products - sums * sums.T / pair_n) / (pair_n - 1)
        spread = squares - sums ** 2 / pair_n
        corr: FloatArray = (products - sums * sums.T / pair_n) / np.sqrt(spread * spread.T)
    matrix[pair_n < 2] = np.nan
    corr[pair_n < 2] = np.nan
    np.fill_diagonal(corr, 1.0)
    fewest = int(round(float(pair_n.min()))) if k else 0
    return matrix, corr, n, fewest


def raw_alpha(cov: FloatArray) -> float | None:
    """Raw Cronbach's alpha of a covariance matrix (None below 2 items or without variance)."""
    k = cov.shape[0]
    total = float(cov.sum())
    if k < 2 or not math.isfinite(total) or total <= _SMALL:
        return None
    return finite(k / (k - 1) * (1.0 - float(np.trace(cov)) / total))


def _correlation(cov: FloatArray) -> FloatArray | None:
    sd = np.sqrt(np.diag(cov))
    if not np.isfinite(cov).all() or (sd <= _SMALL).any():
        return None
    corr: FloatArray = cov / np.outer(sd, sd)
    return corr


def smc(corr: FloatArray) -> FloatArray:
    """Squared multiple correlations ``1 - 1 / diag(pinv(R))``, capped at 1 (as psych's)."""
    inverse = np.linalg.pinv(corr)
    with np.errstate(divide="ignore"):
        values: FloatArray = 1.0 - 1.0 / np.diag(inverse)
    return np.minimum(values, 1.0)


def feldt_ci95(alpha: float, n: int, k: int) -> tuple[float, float] | None:
    """Feldt's 95% interval for alpha from ``n`` respondents and ``k`` items."""
    if n < 2 or k < 2:
        return None
    df1, df2 = n - 1, (n - 1) * (k - 1)
    return (1.0 - (1.0 - alpha) * f_quantile(0.975, df1, df2),
            1.0 - (1.0 - alpha) * f_quantile(0.025, df1, df2))


def first_component(corr: FloatArray) -> FloatArray:
    """Loadings on the first principal component, signed so that they sum to at least 0."""
    values, vectors = np.linalg.eigh(corr)
    loadings: FloatArray = vectors[:, -1] * math.sqrt(max(float(values[-1]), 0.0))
    return -loadings if loadings.sum() < 0 else loadings


def one_factor_minres(corr: FloatArray, *, tolerance: float = 1e-10,
                      max_iterations: int = 5000) -> FloatArray:
    """Loadings of a one-factor minres (unweighted least squares) fit of a correlation matrix.

    Iterated principal axes from squared multiple correlations: the fixed point minimises the
    off-diagonal residuals, as psych's ``fa(fm = "minres")`` does. Communalities are kept at
    or below 0.995 (psych's lower bound of 0.005 on uniquenesses).
    """
    communality = np.clip(smc(corr), 0.005, 0.995)
    loadings = np.sqrt(communality)
    for _ in range(max_iterations):
        reduced = corr.copy()
        np.fill_diagonal(reduced, communality)
        values, vectors = np.linalg.eigh(reduced)
        loadings = vectors[:, -1] * math.sqrt(max(float(values[-1]), 0.0))
        updated = np.minimum(loadings ** 2, 0.995)
        change = float(np.abs(updated - communality).max())
        communality = updated
        if change < tolerance:
            break
    signed: FloatArray = -loadings if loadings.sum() < 0 else loadings
    return signed


def omega_total(corr: FloatArray) -> float:
    """``(sum l)^2 / ((sum l)^2 + sum(1 - l^2))`` from :func:`one_factor_minres`."""
    loadings = one_factor_minres(corr)
    common = float(loadings.sum()) ** 2
    return common / (common + float((1.0 - loadings ** 2).sum()))


def _r_drop(cov: FloatArray) -> list[float | None]:
    total = float(cov.sum())
    row_sums = cov.sum(axis=1)
    result: list[float | None] = []
    for j in range(cov.shape[0]):
        rest_cov = float(row_sums[j] - cov[j, j])
        rest_var = total - 2.0 * float(row_sums[j]) + float(cov[j, j])
        denominator = float(cov[j, j]) * rest_var
        result.append(finite(rest_cov / math.sqrt(denominator))
                      if denominator > _SMALL else None)
    return result


def _without(cov: FloatArray, j: int) -> FloatArray:
    keep = [i for i in range(cov.shape[0]) if i != j]
    sub: FloatArray = cov[np.ix_(keep, keep)]
    return sub


def reliability(units: FloatArray, weights: IntArray, method: Method = "listwise", *,
                items: bool = True) -> Reliability:
    """Every reliability figure of one set of items.

    Args:
        units: ``(patterns, items)`` keyed item values (NaN = no answer).
        weights: respondents per pattern.
        method: how missing answers are handled (see :func:`covariance`).
        items: also compute the per-item figures (r.drop, alpha if dropped, key check).
    """
    k = units.shape[1]
    cov, pair_corr, n, fewest = covariance(units, weights, method)
    none: list[float | None] = [None] * k
    result = Reliability(method, n, r_drop=list(none), alpha_if_dropped=list(none),
                         loadings=list(none), reverse=[False] * k)
    if k < 2:
        result.withheld = "it needs at least two questions"
        return result
    if fewest < MIN_RELIABILITY_N:
        who = ("respondents who answered every question" if method == "listwise"
               else "respondents who answered both of every pair of questions")
        result.withheld = (f"it needs at least {MIN_RELIABILITY_N} {who}; "
                           f"{'there were' if fewest != 1 else 'there was'} {fewest}")
        return result
    result.alpha = raw_alpha(cov)
    if result.alpha is None:
        result.withheld = "the answers do not vary"
        return result
    result.alpha_ci95 = feldt_ci95(result.alpha, n, k)
    corr = _correlation(cov)
    if corr is not None:
        total_r = float(corr.sum())
        result.alpha_std = finite(k / (k - 1) * (1.0 - k / total_r))
        result.average_r = finite((total_r - k) / (k * (k - 1)))
        result.g6 = finite(1.0 - (k - float(smc(corr).sum())) / total_r)
        if k < MIN_OMEGA_ITEMS:
            result.omega_withheld = f"it needs at least {MIN_OMEGA_ITEMS} questions"
        elif n < MIN_OMEGA_N:
            result.omega_withheld = (f"it needs at least {MIN_OMEGA_N} respondents; "
                                     f"there were {n}")
        else:
            result.omega_total = finite(omega_total(pair_corr if pair_corr is not None
                                                    else corr))
    else:
        result.omega_withheld = "a question's answers do not vary"
    if not items:
        return result
    result.r_drop = _r_drop(cov)
    if k > 2:
        result.alpha_if_dropped = [raw_alpha(_without(cov, j)) for j in range(k)]
    if corr is not None:
        loadings = first_component(pair_corr if pair_corr is not None else corr)
        result.loadings = [finite(v) for v in loadings]
        result.reverse = [bool(v < 0) for v in loadings]
        if any(result.reverse):
            signs = np.where(loadings < 0, -1.0, 1.0)
            result.alpha_rekeyed = raw_alpha(cov * np.outer(signs, signs))
    return result
