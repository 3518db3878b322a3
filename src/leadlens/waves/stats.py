"""The statistics of a comparison between waves, in numpy and the standard library.

Every function here is checked against scipy (and R for Holm) in ``tests/test_compare_stats.py``;
scipy is a test dependency only. Student t probabilities come from the regularised incomplete
beta function already used for confidence intervals (:mod:`leadlens.scoring.stats`), which
accepts fractional degrees of freedom, as Welch's test needs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from leadlens.responses.table import FloatArray
from leadlens.scoring.stats import incomplete_beta, t_cdf

ALPHA = 0.05
"""Two-sided significance level of every test (after the Holm adjustment)."""
POWER = 0.80
"""The power at which the minimum detectable change is stated."""
Z95 = NormalDist().inv_cdf(0.975)


def t_sf2(t: float, df: float) -> float:
    """Two-sided p-value of a t statistic: P(|T| >= |t|)."""
    return incomplete_beta(df / 2.0, 0.5, df / (df + t * t))


def t_pdf(t: float, df: float) -> float:
    """Student's t density."""
    return math.exp(math.lgamma((df + 1) / 2) - math.lgamma(df / 2)
                    - 0.5 * math.log(df * math.pi) - (df + 1) / 2 * math.log1p(t * t / df))


def t_quantile(p: float, df: float) -> float:
    """The ``p`` quantile of Student's t for any real ``df`` > 0.

    Newton's method on the CDF from the normal quantile, kept inside a bracket that halves
    whenever a step would leave it (so it converges for heavy tails too); a few CDF
    evaluations instead of the hundred or so of plain bisection.
    """
    if not 0.0 < p < 1.0:
        raise ValueError(f"probability {p} is not between 0 and 1")
    if df <= 0:
        raise ValueError(f"degrees of freedom {df} must be positive")
    if p < 0.5:
        return -t_quantile(1.0 - p, df)
    if p == 0.5:
        return 0.0
    low, high = 0.0, 1.0
    while t_cdf(high, df) < p:
        low, high = high, high * 2.0
    x = min(max(NormalDist().inv_cdf(p), low), high)
    for _ in range(200):
        error = t_cdf(x, df) - p
        if error < 0:
            low = max(low, x)
        else:
            high = min(high, x)
        step = error / t_pdf(x, df)
        candidate = x - step
        if not low < candidate < high:
            candidate = (low + high) / 2.0
        if abs(candidate - x) < 1e-14 * max(1.0, abs(x)) or high - low < 1e-14 * max(1.0, high):
            return candidate
        x = candidate
    return x


@dataclass(frozen=True)
class TTest:
    """A two-sided t-test of a difference, with its 95% interval and detectable change."""

    estimate: float
    """The difference: follow-up minus baseline (for a paired test, the mean change)."""
    se: float
    df: float
    t: float | None
    """None when the standard error is 0 (every answer the same): no test is possible."""
    p: float | None
    ci95: tuple[float, float]
    detectable: float
    """The smallest true change this test detects with :data:`POWER` at :data:`ALPHA`."""


def _test(estimate: float, se: float, df: float) -> TTest:
    half = t_quantile(1.0 - ALPHA / 2.0, df) * se
    t = estimate / se if se > 0 else None
    return TTest(estimate=estimate, se=se, df=df, t=t,
                 p=t_sf2(t, df) if t is not None else None,
                 ci95=(estimate - half, estimate + half),
                 detectable=minimum_detectable(se, df))


def welch(mean1: float, sd1: float, n1: int, mean2: float, sd2: float, n2: int) -> TTest | None:
    """Welch's unequal-variances t-test of ``mean2 - mean1`` from summary figures.

    The Welch-Satterthwaite degrees of freedom; as ``scipy.stats.ttest_ind(a, b,
    equal_var=False)``. None when a wave has fewer than 2 values.
    """
    if n1 < 2 or n2 < 2:
        return None
    v1, v2 = sd1 * sd1 / n1, sd2 * sd2 / n2
    se = math.sqrt(v1 + v2)
    if se == 0:
        return _test(mean2 - mean1, 0.0, float(n1 + n2 - 2))
    df = (v1 + v2) ** 2 / (v1 * v1 / (n1 - 1) + v2 * v2 / (n2 - 1))
    return _test(mean2 - mean1, se, df)


def paired(baseline: FloatArray, followup: FloatArray) -> TTest | None:
    """The paired t-test of ``followup - baseline`` on the pairs where both are finite.

    As ``scipy.stats.ttest_rel(followup, baseline)``. None below 2 pairs.
    """
    both = np.isfinite(baseline) & np.isfinite(followup)
    changes = followup[both] - baseline[both]
    n = int(changes.size)
    if n < 2:
        return None
    mean = float(changes.mean())
    sd = float(np.sqrt(((changes - mean) ** 2).sum() / (n - 1)))
    return _test(mean, sd / math.sqrt(n), float(n - 1))


def pairs(baseline: FloatArray, followup: FloatArray) -> int:
    """How many pairs have both values."""
    return int((np.isfinite(baseline) & np.isfinite(followup)).sum())


def minimum_detectable(se: float, df: float, alpha: float = ALPHA, power: float = POWER
                       ) -> float:
    """The minimum detectable change: ``(t(1 - alpha/2, df) + t(power, df)) * se``.

    The usual normal-theory approximation with t quantiles in place of z, so a true change of
    this size is detected with probability close to ``power`` (within about a percentage
    point for df >= 5; checked against the noncentral t in the tests).
    """
    return (t_quantile(1.0 - alpha / 2.0, df) + t_quantile(power, df)) * se


def hedges_g(mean1: float, sd1: float, n1: int, mean2: float, sd2: float, n2: int
             ) -> float | None:
    """Hedges' g of ``mean2 - mean1``: Cohen's d on the pooled sd, times the exact J.

    ``J = Gamma(m/2) / (sqrt(m/2) Gamma((m-1)/2))`` with ``m = n1 + n2 - 2`` (Hedges 1981).
    None when the pooled sd is 0 or a wave has fewer than 2 values.
    """
    if n1 < 2 or n2 < 2:
        return None
    m = n1 + n2 - 2
    pooled = math.sqrt(((n1 - 1) * sd1 * sd1 + (n2 - 1) * sd2 * sd2) / m)
    if pooled == 0:
        return None
    correction = math.exp(math.lgamma(m / 2.0) - 0.5 * math.log(m / 2.0)
                          - math.lgamma((m - 1) / 2.0)) if m > 1 else 0.0
    return (mean2 - mean1) / pooled * correction


def holm(p_values: Sequence[float | None]) -> list[float | None]:
    """Holm's step-down adjustment of a family of p-values (None: not in the family).

    As R's ``p.adjust(p, method = "holm")``: sorted ascending, the i-th (from 0) is multiplied
    by ``m - i``, made non-decreasing and capped at 1.
    """
    present = [(p, i) for i, p in enumerate(p_values) if p is not None]
    m = len(present)
    adjusted: list[float | None] = [None] * len(p_values)
    running = 0.0
    for rank, (p, index) in enumerate(sorted(present)):
        running = max(running, min(1.0, (m - rank) * p))
        adjusted[index] = running
    return adjusted


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """Wilson's score interval for a proportion ``k / n`` (None when n is 0)."""
    if n <= 0:
        return None
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def newcombe(k1: int, n1: int, k2: int, n2: int) -> tuple[float, tuple[float, float]] | None:
    """``k2/n2 - k1/n1`` and Newcombe's hybrid score interval (method 10, 1998).

    Built from the two Wilson intervals: ``d - sqrt((p2 - l2)^2 + (u1 - p1)^2)`` to
    ``d + sqrt((u2 - p2)^2 + (p1 - l1)^2)``. For independent samples.
    """
    first, second = wilson(k1, n1), wilson(k2, n2)
    if first is None or second is None:
        return None
    p1, p2 = k1 / n1, k2 / n2
    (l1, u1), (l2, u2) = first, second
    d = p2 - p1
    return d, (d - math.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2),
               d + math.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2))
