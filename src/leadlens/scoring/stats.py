"""Small statistics the engine needs, without a scipy dependency.

The Student t quantile is computed from the regularised incomplete beta function (continued
fraction, as in Numerical Recipes section 6.4) inverted by bisection, and from the
Cornish-Fisher expansion for large degrees of freedom where both agree to better than 1e-9.
"""

from __future__ import annotations

import math
from functools import lru_cache
from statistics import NormalDist

import numpy as np

from leadlens.questionset.model import BAND_TOLERANCE, Band, QuestionSet
from leadlens.responses.table import FloatArray, IntArray

_LARGE_DF = 300

NOISE = BAND_TOLERANCE
"""Scores this close to a cut point count as on it (the question set's banding tolerance)."""


def band_of(question_set: QuestionSet, score: float) -> Band:
    """The band a 0-100 score falls in (:meth:`QuestionSet.band_for`, the one banding rule)."""
    return question_set.band_for(score)


def _beta_cf(a: float, b: float, x: float) -> float:
    """Continued fraction for the incomplete beta function (modified Lentz).

    ``m`` counts as a float and the magnitude tests are comparisons rather than ``abs``
    calls: the same arithmetic (an int meets a float as that float; NaN still fails every
    test), a fifth faster in this loop, which Feldt's interval runs a few hundred times.
    """
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if d > tiny or d < -tiny else tiny)
    h = d
    m = 0.0
    for _ in range(1, 10_000):
        m += 1.0
        m2 = m + m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if d > tiny or d < -tiny else tiny)
        c = 1.0 + aa / c
        c = c if c > tiny or c < -tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if d > tiny or d < -tiny else tiny)
        c = 1.0 + aa / c
        c = c if c > tiny or c < -tiny else tiny
        delta = d * c
        h *= delta
        if -1e-15 < delta - 1.0 < 1e-15:
            break
    return h


def incomplete_beta(a: float, b: float, x: float) -> float:
    """The regularised incomplete beta function I_x(a, b) for 0 <= x <= 1."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = (math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
                 + a * math.log(x) + b * math.log1p(-x))
    front = math.exp(log_front)
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _beta_cf(a, b, x) / a
    return 1.0 - front * _beta_cf(b, a, 1.0 - x) / b


def t_cdf(t: float, df: float) -> float:
    """P(T <= t) for Student's t with ``df`` degrees of freedom."""
    tail = 0.5 * incomplete_beta(df / 2.0, 0.5, df / (df + t * t))
    return 1.0 - tail if t > 0 else tail


def _cornish_fisher(p: float, df: float) -> float:
    z = NormalDist().inv_cdf(p)
    z2 = z * z
    return (z
            + z * (z2 + 1) / (4 * df)
            + z * ((5 * z2 + 16) * z2 + 3) / (96 * df**2)
            + z * (((3 * z2 + 19) * z2 + 17) * z2 - 15) / (384 * df**3)
            + z * ((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945) / (92160 * df**4))


@lru_cache(maxsize=256)
def t_quantile(p: float, df: int) -> float:
    """The ``p`` quantile of Student's t with ``df`` degrees of freedom (df >= 1)."""
    if not 0.0 < p < 1.0:
        raise ValueError(f"probability {p} is not between 0 and 1")
    if df < 1:
        raise ValueError(f"degrees of freedom {df} must be at least 1")
    if p < 0.5:
        return -t_quantile(1.0 - p, df)
    if p == 0.5:
        return 0.0
    if df >= _LARGE_DF:
        return _cornish_fisher(p, df)
    if df == 1:
        return math.tan(math.pi * (p - 0.5))
    if df == 2:
        return (2 * p - 1) / math.sqrt(2 * p * (1 - p))
    low, high = 0.0, 1.0
    while t_cdf(high, df) < p:
        low, high = high, high * 2.0
    for _ in range(200):
        mid = (low + high) / 2.0
        if t_cdf(mid, df) < p:
            low = mid
        else:
            high = mid
        if high - low < 1e-13 * max(1.0, high):
            break
    return (low + high) / 2.0


def f_cdf(x: float, df1: float, df2: float) -> float:
    """P(F <= x) for Fisher's F with ``df1`` and ``df2`` degrees of freedom."""
    if x <= 0.0:
        return 0.0
    return incomplete_beta(df1 / 2.0, df2 / 2.0, df1 * x / (df1 * x + df2))


def f_sf(x: float, df1: float, df2: float) -> float:
    """P(F > x), from the upper tail itself (no cancellation in ``1 - f_cdf``)."""
    if x <= 0.0:
        return 1.0
    return incomplete_beta(df2 / 2.0, df1 / 2.0, df2 / (df2 + df1 * x))


@lru_cache(maxsize=256)
def f_quantile(p: float, df1: float, df2: float) -> float:
    """The ``p`` quantile of Fisher's F (bisection on :func:`f_cdf`, to 1e-12 relative)."""
    if not 0.0 < p < 1.0:
        raise ValueError(f"probability {p} is not between 0 and 1")
    if df1 <= 0 or df2 <= 0:
        raise ValueError(f"degrees of freedom {df1}, {df2} must be positive")
    low, high = 0.0, 1.0
    while f_cdf(high, df1, df2) < p:
        low, high = high, high * 2.0
    for _ in range(200):
        mid = (low + high) / 2.0
        if f_cdf(mid, df1, df2) < p:
            low = mid
        else:
            high = mid
        if high - low < 1e-12 * high:
            break
    return (low + high) / 2.0


def finite(value: float | np.floating | None) -> float | None:
    """A float for the results document, or None for NaN/inf/None."""
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def mean_sd(values: FloatArray, weights: IntArray | None = None
            ) -> tuple[int, float | None, float | None]:
    """n, mean and sample standard deviation (n-1) of the finite values.

    With ``weights``, each value stands for that many observations (an answer pattern
    given by that many respondents).
    """
    keep = np.isfinite(values)
    if weights is None:
        # Every value finite (a national survey's overall scores): no copy of the same values.
        plain = values if values.ndim == 1 and values.flags.c_contiguous \
            and bool(keep.all()) else values[keep]
        if plain.size == 0:
            return 0, None, None
        centre = float(plain.sum()) / plain.size
        deviations = plain - centre
        spread = (math.sqrt(float(deviations @ deviations) / (plain.size - 1))
                  if plain.size > 1 else None)
        return int(plain.size), centre, spread
    keep &= weights > 0
    kept = values[keep]
    counts = weights[keep].astype(np.float64)
    n = int(round(float(counts.sum())))
    if n == 0:
        return 0, None, None
    mean = float(kept @ counts) / n
    sd = math.sqrt(float(((kept - mean) ** 2) @ counts) / (n - 1)) if n > 1 else None
    return n, mean, sd


def ci95(mean: float | None, sd: float | None, n: int, *, low: float = 0.0,
         high: float = 100.0) -> tuple[float, float] | None:
    """Two-sided 95% t interval for a mean, clipped to the score's range; None if n < 2."""
    if mean is None or sd is None or n < 2:
        return None
    half = t_quantile(0.975, n - 1) * sd / math.sqrt(n)
    return (max(low, mean - half), min(high, mean + half))
