"""The comparison statistics against scipy (and R's p.adjust for Holm), hand-made and random."""

from __future__ import annotations

import math
import shutil
import subprocess

import numpy as np
import pytest
from scipy import special
from scipy import stats as sps

from leadlens.waves import stats

HAND = ([62.5, 70.0, 45.0, 80.0, 55.0, 67.5], [75.0, 72.5, 60.0, 85.0, 70.0, 90.0, 52.5])


def _summary(values: np.ndarray) -> tuple[float, float, int]:
    return float(values.mean()), float(values.std(ddof=1)), int(values.size)


def _random_waves(seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    n1, n2 = rng.integers(2, 80, size=2)
    return (rng.normal(55, rng.uniform(3, 25), n1).clip(0, 100),
            rng.normal(60, rng.uniform(3, 25), n2).clip(0, 100))


@pytest.mark.parametrize("seed", [None, *range(25)])
def test_welch_matches_scipy(seed: int | None) -> None:
    a, b = (np.array(HAND[0]), np.array(HAND[1])) if seed is None else _random_waves(seed)
    ours = stats.welch(*_summary(a), *_summary(b))
    assert ours is not None
    ref = sps.ttest_ind(b, a, equal_var=False)
    assert ours.t == pytest.approx(ref.statistic, rel=1e-12)
    assert ours.df == pytest.approx(ref.df, rel=1e-12)
    assert ours.p == pytest.approx(ref.pvalue, rel=1e-9, abs=1e-15)
    low, high = ref.confidence_interval(0.95)
    assert ours.ci95 == pytest.approx((low, high), rel=1e-9)
    assert ours.estimate == pytest.approx(b.mean() - a.mean(), rel=1e-12)


@pytest.mark.parametrize("seed", [None, *range(25)])
def test_paired_matches_scipy(seed: int | None) -> None:
    rng = np.random.default_rng(seed)
    if seed is None:
        a, b = np.array(HAND[0]), np.array(HAND[1][:6])
    else:
        n = int(rng.integers(2, 60))
        a = rng.normal(50, 15, n)
        b = a + rng.normal(4, 8, n)
        a[rng.random(n) < 0.1] = np.nan  # a respondent without a score drops out of the pair
    ours = stats.paired(a, b)
    keep = np.isfinite(a) & np.isfinite(b)
    if keep.sum() < 2:
        assert ours is None
        return
    assert ours is not None
    ref = sps.ttest_rel(b[keep], a[keep])
    assert ours.t == pytest.approx(ref.statistic, rel=1e-12)
    assert ours.df == ref.df
    assert ours.p == pytest.approx(ref.pvalue, rel=1e-9, abs=1e-15)
    assert ours.ci95 == pytest.approx(tuple(ref.confidence_interval(0.95)), rel=1e-9)
    assert stats.pairs(a, b) == int(keep.sum())


@pytest.mark.parametrize("df", [1.0, 2.0, 3.7, 9.0, 29.5, 150.0, 1234.5, 1e5])
@pytest.mark.parametrize("p", [0.6, 0.8, 0.975, 0.999])
def test_t_quantile_matches_scipy(df: float, p: float) -> None:
    assert stats.t_quantile(p, df) == pytest.approx(sps.t.ppf(p, df), rel=1e-10)
    assert stats.t_quantile(1 - p, df) == pytest.approx(sps.t.ppf(1 - p, df), rel=1e-10)


@pytest.mark.parametrize("seed", range(20))
def test_hedges_g_matches_its_definition_with_scipy_gamma(seed: int) -> None:
    a, b = _random_waves(seed)
    m = a.size + b.size - 2
    pooled = math.sqrt(((a.size - 1) * a.var(ddof=1) + (b.size - 1) * b.var(ddof=1)) / m)
    j = special.gamma(m / 2) / (math.sqrt(m / 2) * special.gamma((m - 1) / 2)) \
        if m < 300 else math.exp(special.gammaln(m / 2) - special.gammaln((m - 1) / 2)) \
        / math.sqrt(m / 2)
    expected = (b.mean() - a.mean()) / pooled * j
    assert stats.hedges_g(*_summary(a), *_summary(b)) == pytest.approx(expected, rel=1e-10)
    # the usual approximation J = 1 - 3 / (4m - 1) is within 1e-3 of the exact factor
    assert abs(j - (1 - 3 / (4 * m - 1))) < 1e-3


@pytest.mark.parametrize("n1,n2,se", [(10, 10, 4.0), (30, 45, 2.5), (200, 150, 1.2), (6, 5, 8.0)])
def test_minimum_detectable_change_has_80_percent_power(n1: int, n2: int, se: float) -> None:
    """At the stated change, the two-sided 5% test rejects with probability ~0.80 (noncentral
    t from scipy)."""
    df = float(n1 + n2 - 2)
    mdc = stats.minimum_detectable(se, df)
    crit = sps.t.ppf(0.975, df)
    nc = mdc / se
    power = sps.nct.sf(crit, df, nc) + sps.nct.cdf(-crit, df, nc)
    assert 0.79 < power < 0.815
    assert mdc == pytest.approx((sps.t.ppf(0.975, df) + sps.t.ppf(0.8, df)) * se, rel=1e-10)


def _holm_by_definition(p: list[float]) -> list[float]:
    m = len(p)
    order = sorted(range(m), key=lambda i: p[i])
    out = [0.0] * m
    for rank, i in enumerate(order):
        out[i] = min(1.0, max((m - r) * p[order[r]] for r in range(rank + 1)))
    return out


@pytest.mark.parametrize("seed", range(20))
def test_holm_matches_its_definition(seed: int) -> None:
    rng = np.random.default_rng(seed)
    p = list(rng.uniform(0, 0.2, int(rng.integers(1, 9))) ** 2)
    assert stats.holm(p) == pytest.approx(_holm_by_definition(p), rel=1e-12)


def test_holm_leaves_missing_tests_out_of_the_family() -> None:
    assert stats.holm([0.01, None, 0.04, 0.03]) == pytest.approx([0.03, None, 0.06, 0.06])


def test_holm_matches_r_p_adjust() -> None:
    rscript = shutil.which("Rscript")
    if rscript is None:
        pytest.skip("R is not installed (apt-get install r-base-core)")
    p = [0.001, 0.0402, 0.013, 0.2, 0.0099, 0.03]
    out = subprocess.run([rscript, "-e", f"cat(format(p.adjust(c({','.join(map(str, p))}), "
                          "method='holm'), digits=17), sep='\\n')"],
                         capture_output=True, text=True, check=True, timeout=60).stdout
    assert stats.holm(p) == pytest.approx([float(x) for x in out.split()], rel=1e-12)


@pytest.mark.parametrize("k,n", [(0, 10), (3, 10), (10, 10), (56, 70), (1, 1), (123, 456)])
def test_wilson_matches_scipy(k: int, n: int) -> None:
    ref = sps.binomtest(k, n).proportion_ci(0.95, method="wilson")
    assert stats.wilson(k, n) == pytest.approx((ref.low, ref.high), rel=1e-9, abs=1e-12)


def test_newcombe_reproduces_the_published_example() -> None:
    """Newcombe (1998), Table II example (a): 56/70 - 48/80 = 0.2000, 0.0524 to 0.3339."""
    result = stats.newcombe(48, 80, 56, 70)
    assert result is not None
    difference, (low, high) = result
    assert difference == pytest.approx(0.2)
    assert (round(low, 4), round(high, 4)) == (0.0524, 0.3339)


@pytest.mark.parametrize("seed", range(15))
def test_newcombe_is_built_from_scipys_wilson_intervals(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n1, n2 = (int(x) for x in rng.integers(1, 300, 2))
    k1, k2 = int(rng.integers(0, n1 + 1)), int(rng.integers(0, n2 + 1))
    w1 = sps.binomtest(k1, n1).proportion_ci(method="wilson")
    w2 = sps.binomtest(k2, n2).proportion_ci(method="wilson")
    p1, p2 = k1 / n1, k2 / n2
    result = stats.newcombe(k1, n1, k2, n2)
    assert result is not None
    d, (low, high) = result
    assert low == pytest.approx(d - math.hypot(p2 - w2.low, w1.high - p1), abs=1e-12)
    assert high == pytest.approx(d + math.hypot(w2.high - p2, p1 - w1.low), abs=1e-12)


def test_degenerate_inputs() -> None:
    assert stats.welch(50, 10, 1, 60, 10, 5) is None
    flat = stats.welch(50, 0, 5, 60, 0, 5)
    assert flat is not None and flat.t is None and flat.p is None
    assert stats.paired(np.array([1.0, np.nan]), np.array([2.0, 3.0])) is None
    assert stats.hedges_g(50, 0, 4, 60, 0, 4) is None
    assert stats.wilson(0, 0) is None
