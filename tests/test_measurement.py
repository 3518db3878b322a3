"""Reliability, key check, agreement, ICC and % favourable on small data worked out by hand.

R's psych and multilevel check the same figures on published data in
``test_conformance_r.py``; scipy checks the F distribution here.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy import stats as scipy_stats
from typer.testing import CliRunner

from leadlens.cli import app
from leadlens.questionset.loading import validate_bytes
from leadlens.scoring import score
from leadlens.scoring.agreement import icc, rwg_j, uniform_variance
from leadlens.scoring.favourable import favourable_values, wilson
from leadlens.scoring.reliability import MIN_RELIABILITY_N, feldt_ci95, reliability
from leadlens.scoring.stats import f_cdf, f_quantile, f_sf
from scoring_fixtures import build_set, responses, scale

approx = pytest.approx
TWO_ITEMS = [{"a": a, "b": b} for a, b in ((1, 2), (2, 1), (3, 4), (4, 3))] * 8


# --- reliability -------------------------------------------------------------------------------

def test_two_items_by_hand() -> None:
    # r(a, b) = 0.6 (see test_scoring); R = [[1, .6], [.6, 1]], sum(R) = 3.2:
    # alpha_std = 2 * (1 - 2 / 3.2) = 0.75, average_r = 0.6; smc = r^2 = 0.36, so
    # g6 = 1 - (2 - 0.72) / 3.2 = 0.6.
    qs = build_set([{"id": "a"}, {"id": "b"}])
    p = score(qs, responses(qs, TWO_ITEMS)).results.principles[0]
    assert (p.alpha, p.alpha_std, p.average_r, p.g6) == (approx(0.75), approx(0.75),
                                                         approx(0.6), approx(0.6))
    assert p.reliability_method == "listwise" and p.reliability_withheld is None
    # Feldt: 1 - (1 - alpha) * F(.975 / .025; 31, 31).
    assert p.alpha_ci95 == (approx(1 - 0.25 * scipy_stats.f.ppf(0.975, 31, 31)),
                            approx(1 - 0.25 * scipy_stats.f.ppf(0.025, 31, 31)))
    # Omega needs three items; alpha without one of two items is not defined.
    assert p.omega_total is None
    assert [i.alpha_if_dropped for i in p.items] == [None, None]
    assert p.reverse_suggested == [] and p.alpha_rekeyed is None


def test_alpha_if_dropped_and_omega_by_hand() -> None:
    # Three items, each pair correlating 0.5 (x = f + e, equal variances): alpha of the
    # remaining two is 2 * 0.5 / 1.5 = 2/3, and a one-factor fit has loadings sqrt(0.5),
    # so omega = (3 * .7071)^2 / ((3 * .7071)^2 + 3 * 0.5) = 4.5 / 6 = 0.75 (= alpha_std).
    rng = np.random.default_rng(7)
    base = rng.normal(size=(4000, 1))
    x = base + rng.normal(size=(4000, 3))
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    corr = np.corrcoef(x.T)
    result = reliability(x, np.ones(4000, dtype=np.int64))
    r = float(corr[np.triu_indices(3, 1)].mean())
    assert result.average_r == approx(r)
    assert result.alpha_std == approx(3 * r / (1 + 2 * r))
    for j in range(3):
        rest = [i for i in range(3) if i != j]
        pair = corr[rest[0], rest[1]]
        cov = np.cov(x[:, rest].T)
        assert result.alpha_if_dropped[j] == approx(2 * (1 - np.trace(cov) / cov.sum()))
        assert pair == approx(0.5, abs=0.05)
    assert result.omega_total == approx(0.75, abs=0.02)


def test_pairwise_uses_every_pair() -> None:
    # Pairwise covariances match numpy on each pair's own respondents.
    rng = np.random.default_rng(3)
    x = rng.normal(size=(200, 3)) + rng.normal(size=(200, 1))
    x[rng.random(x.shape) < 0.2] = np.nan
    result = reliability(x, np.ones(200, dtype=np.int64), "pairwise")
    both = np.isfinite(x[:, 0]) & np.isfinite(x[:, 1])
    assert result.n == int(np.isfinite(x).any(axis=1).sum())
    listwise = reliability(x, np.ones(200, dtype=np.int64), "listwise")
    assert listwise.n == int(np.isfinite(x).all(axis=1).sum()) < result.n
    from leadlens.scoring.reliability import covariance
    cov, corr, _, fewest = covariance(x, np.ones(200, dtype=np.int64), "pairwise")
    assert cov[0, 1] == approx(np.cov(x[both][:, :2].T)[0, 1])
    assert corr is not None and corr[0, 1] == approx(np.corrcoef(x[both][:, :2].T)[0, 1])
    assert cov[2, 2] == approx(np.nanvar(x[:, 2], ddof=1))
    assert fewest == min(int((np.isfinite(x[:, i]) & np.isfinite(x[:, j])).sum())
                         for i in range(3) for j in range(3))


def test_answer_patterns_weigh_like_repeated_rows() -> None:
    rows = np.array([[1.0, 2, 4], [2, 1, 3], [4, 5, 5], [5, 4, 4], [3, 3, 2]])
    weights = np.array([7, 9, 11, 5, 8])
    weighted = reliability(rows, weights)
    repeated = reliability(np.repeat(rows, weights, axis=0), np.ones(40, dtype=np.int64))
    for name in ("alpha", "alpha_std", "average_r", "g6", "alpha_ci95", "r_drop",
                 "alpha_if_dropped", "loadings"):
        assert getattr(weighted, name) == approx(getattr(repeated, name)), name


def test_small_samples_publish_no_reliability_and_say_why() -> None:
    # Three people: alpha would be -0.28 here, and an item-total r of -1.
    qs = build_set([{"id": "a"}, {"id": "b"}, {"id": "c"}])
    rows = [{"a": 1, "b": 5, "c": 2}, {"a": 5, "b": 4, "c": 1}, {"a": 3, "b": 1, "c": 5}]
    # (three people: below the whole-survey minimum, so the arithmetic alone)
    p = score(qs, responses(qs, rows), small_figures=True).results.principles[0]
    assert p.alpha is None and p.alpha_std is None and p.alpha_ci95 is None
    assert p.alpha_n == 3
    assert p.reliability_withheld == (f"it needs at least {MIN_RELIABILITY_N} respondents "
                                      "who answered every question; there were 3")
    assert not any(i.flagged for i in p.items)
    assert all(i.item_total_r is None and i.alpha_if_dropped is None for i in p.items)


def test_key_check_flags_only_the_miskeyed_item() -> None:
    # c runs against a, b and d. Its r.drop is negative; the key check says to reverse it,
    # and alpha with c reversed is what the question set would give with reverse: true.
    rows = [{"a": 1, "b": 1, "c": 5, "d": 2}, {"a": 2, "b": 2, "c": 4, "d": 1},
            {"a": 4, "b": 5, "c": 1, "d": 4}, {"a": 5, "b": 4, "c": 2, "d": 5},
            {"a": 3, "b": 3, "c": 3, "d": 2}] * 8
    qs = build_set([{"id": k} for k in "abcd"])
    p = score(qs, responses(qs, rows)).results.principles[0]
    assert p.reverse_suggested == ["c"]
    assert [i.flagged for i in p.items] == [False, False, True, False]
    assert p.items[2].pc1_loading is not None and p.items[2].pc1_loading < 0
    fixed = build_set([{"id": "a"}, {"id": "b"}, {"id": "c", "reverse": True}, {"id": "d"}])
    rekeyed = score(fixed, responses(fixed, rows)).results.principles[0]
    assert p.alpha_rekeyed == approx(rekeyed.alpha)
    assert rekeyed.reverse_suggested == [] and rekeyed.alpha_rekeyed is None


def test_perspectives_get_their_own_reliability() -> None:
    qs = build_set([{"id": "a", "perspectives": ["org", "sys"]},
                    {"id": "b", "perspectives": ["org", "sys"]}], perspectives=["org", "sys"])
    rows = [{"a@org": a, "b@org": b, "a@sys": b, "b@sys": a} for a, b in
            ((1, 2), (2, 1), (3, 4), (4, 3))] * 8
    p = score(qs, responses(qs, rows)).results.principles[0]
    assert [(s.id, s.alpha, s.alpha_n) for s in p.perspectives] == [
        ("org", approx(0.75), 32), ("sys", approx(0.75), 32)]


def test_reliability_setting_pairwise() -> None:
    qs = build_set([{"id": "a"}, {"id": "b"}])
    data = qs.model_dump(by_alias=True)
    data["scoring"]["reliability"] = "pairwise"
    pairwise = type(qs).model_validate(data)
    rows = [*TWO_ITEMS, {"a": 5, "b": None}]
    listwise_p = score(qs, responses(qs, rows)).results.principles[0]
    pairwise_p = score(pairwise, responses(pairwise, rows)).results.principles[0]
    assert (listwise_p.reliability_method, listwise_p.alpha_n) == ("listwise", 32)
    assert (pairwise_p.reliability_method, pairwise_p.alpha_n) == ("pairwise", 33)
    assert pairwise_p.alpha != listwise_p.alpha


@pytest.mark.parametrize(("df1", "df2"), [(1, 1), (3, 7), (31, 31), (2999, 11996),
                                          (10**6, 4 * 10**6)])
def test_f_distribution_matches_scipy(df1: int, df2: int) -> None:
    for p in (0.025, 0.5, 0.975):
        assert f_quantile(p, df1, df2) == approx(scipy_stats.f.ppf(p, df1, df2), rel=1e-9)
    assert f_cdf(1.3, df1, df2) == approx(scipy_stats.f.cdf(1.3, df1, df2), abs=1e-12)
    assert f_sf(40.0, df1, df2) == approx(scipy_stats.f.sf(40.0, df1, df2), rel=1e-8)


def test_feldt_interval_is_psychs_alpha_ci() -> None:
    # psych::alpha.ci(0.8, 100, 5): 0.73055820 to 0.85588675 (psych 2.2.9).
    low, high = feldt_ci95(0.8, 100, 5) or (0.0, 0.0)
    assert (low, high) == (approx(0.73055820, abs=1e-8), approx(0.85588675, abs=1e-8))


# --- agreement ---------------------------------------------------------------------------------

def test_rwg_j_and_ad_m_by_hand() -> None:
    # A group of three on a 1-5 scale (uniform-null variance (25 - 1) / 12 = 2):
    # item a 1, 2, 3 (variance 1), item b 2, 2, 2 (variance 0): mean variance 0.5, so
    # rwg(j) = 2 * (1 - .25) / (2 * (1 - .25) + .25) = 1.5 / 1.75 = 0.857.
    # AD_M: a's deviations from 2 are 1, 0, 1 (mean 2/3); b's 0: (2/3 + 0) / 2 = 1/3.
    qs = build_set([{"id": "a"}, {"id": "b"}], min_group_size=3)
    rows = [{"organisation": "X", "a": a, "b": 2} for a in (1, 2, 3)]
    rows += [{"organisation": "Y", "a": a, "b": b} for a, b in ((1, 5), (5, 1), (3, 3))]
    results = score(qs, responses(qs, rows), by=["organisation"]).results
    x, y = (g.principles[0] for g in results.groups["organisation"].groups)
    assert x.rwg_j == approx(1.5 / 1.75) and x.ad_m == approx(1 / 3)
    assert x.agreement == "agreed"
    # Y: a 1, 5, 3 and b 5, 1, 3 have variance 4, above the null (2): capped, rwg(j) = 0.
    # Each item's deviations from 3 are 2, 2, 0: AD_M = 4/3.
    assert y.rwg_j == 0 and y.agreement == "split"
    assert y.ad_m == approx(4 / 3)
    assert uniform_variance(build_set([{"id": "a"}]).scales["agree"]) == approx(2.0)


def test_rwg_j_with_mixed_scales_uses_each_items_null() -> None:
    variances = np.array([[1.0, 3.0]])
    # Items on 1-5 (null 2) and 1-7 (null 4): ratios 0.5 and 0.75, mean 0.625.
    ratio = 0.625
    assert rwg_j(variances, np.array([2.0, 4.0]))[0] == approx(
        2 * (1 - ratio) / (2 * (1 - ratio) + ratio))


def test_group_sd_and_ci95_like_the_whole() -> None:
    qs = build_set([{"id": "a"}], min_group_size=3)
    rows = [{"organisation": "X", "a": a} for a in (1, 2, 4, 5)]
    group = score(qs, responses(qs, rows), by=["organisation"]).results \
        .groups["organisation"].groups[0].principles[0]
    # Scores 0, 25, 75, 100: mean 50, sd 45.64 on 0-100 = 1.826 on the 1-5 scale.
    sd100 = math.sqrt((50**2 + 25**2 + 25**2 + 50**2) / 3)
    assert group.sd == approx(sd100 * 4 / 100)
    half = scipy_stats.t.ppf(0.975, 3) * sd100 / 2
    assert group.ci95 == (approx(max(0, 50 - half)), approx(min(100, 50 + half)))


def test_icc_by_hand() -> None:
    # Groups A 10, 20, 30 and B 40, 50, 60: MSB = 1350, MSW = 100, k = 3:
    # ICC(1) = 1250 / 1550, ICC(2) = 1250 / 1350, F = 13.5 on (1, 4).
    fit = icc(np.array([3, 3]), np.array([20.0, 50.0]), np.array([200.0, 200.0]))
    assert fit.icc1 == approx(1250 / 1550) and fit.icc2 == approx(1250 / 1350)
    assert fit.p == approx(scipy_stats.f.sf(13.5, 1, 4))
    assert icc(np.array([3]), np.array([20.0]), np.array([200.0])).icc1 is None


def test_icc_is_over_shown_groups_only() -> None:
    qs = build_set([{"id": "a"}, {"id": "b"}], min_group_size=3)
    rows = [{"organisation": org, "a": a, "b": a} for org, values in
            (("X", (1, 2, 2)), ("Y", (4, 5, 5, 4)), ("Z", (3, 3, 3, 3, 3)), ("W", (1, 5)))
            for a in values]
    breakdown = score(qs, responses(qs, rows), by=["organisation"]).results \
        .groups["organisation"]
    shown = [g for g in breakdown.groups if not g.suppressed]
    assert breakdown.icc[0].groups == len(shown) and breakdown.icc[0].n == sum(
        g.n or 0 for g in shown)
    hidden = [g for g in breakdown.groups if g.suppressed]
    assert hidden and all(not g.principles for g in hidden)


# --- % favourable ------------------------------------------------------------------------------

def test_wilson_interval_matches_prop_test() -> None:
    # R: prop.test(5, 10, correct = FALSE)$conf.int = 0.2365931 0.7634069.
    assert wilson(5, 10) == (approx(0.2365931, abs=1e-7), approx(0.7634069, abs=1e-7))
    assert wilson(0, 20)[0] == 0.0 and wilson(20, 20)[1] == 1.0


@pytest.mark.parametrize(("points", "favourable"), [
    (2, None), (3, None), (4, {3, 4}), (5, {4, 5}), (6, {5, 6}), (7, {5, 6, 7}), (10, None)])
def test_default_favourable_values(points: int, favourable: set[int] | None) -> None:
    qs = build_set([{"id": "a"}], scales={"agree": scale(1, points)})
    found = favourable_values(qs.scales["agree"])
    assert (set(found) if found is not None else None) == favourable


def test_favourable_neutral_unfavourable_per_item_principle_and_group() -> None:
    # a: 5, 4, 3, 1 -> 2 favourable, 1 neutral, 1 unfavourable. b is reverse-keyed:
    # answers 1, 2 are favourable (keyed 5, 4), 5 unfavourable, 3 neutral.
    qs = build_set([{"id": "a"}, {"id": "b", "reverse": True}], min_group_size=3)
    rows = [{"organisation": "X", "a": a, "b": b}
            for a, b in ((5, 1), (4, 2), (3, 5), (1, "Don't know"))]
    results = score(qs, responses(qs, rows), by=["organisation"]).results
    a, b = results.principles[0].items
    assert a.favourability is not None and b.favourability is not None
    assert (a.favourability.favourable, a.favourability.neutral,
            a.favourability.unfavourable, a.favourability.answers) == (0.5, 0.25, 0.25, 4)
    assert (b.favourability.favourable, b.favourability.unfavourable,
            b.favourability.answers) == (approx(2 / 3), approx(1 / 3), 3)
    assert a.favourability.favourable_ci95 == wilson(2, 4)
    pooled = results.principles[0].favourability
    assert pooled is not None and (pooled.favourable, pooled.answers) == (approx(4 / 7), 7)
    group = results.groups["organisation"].groups[0].principles[0].favourability
    assert group == pooled


def test_favourable_setting_and_no_default() -> None:
    scales: dict[str, Any] = {"agree": {**scale(1, 5), "favourable": [5]},
                              "wide": scale(0, 10)}
    qs = build_set([{"id": "a"}, {"id": "b", "scale": "wide", "principle": "p"}],
                   scales=scales)
    rows = [{"a": v, "b": 3} for v in (5, 4, 1, 2)]
    # (four people: below the whole-survey minimum, so the arithmetic alone)
    p = score(qs, responses(qs, rows), small_figures=True).results.principles[0]
    a, b = p.items
    assert a.favourability is not None
    # Favourable {5}; its mirror {1} unfavourable; 2, 3, 4 neutral.
    assert (a.favourability.favourable, a.favourability.neutral,
            a.favourability.unfavourable) == (0.25, 0.5, 0.25)
    assert b.favourability is None and p.favourability is None
    off = build_set([{"id": "a"}], scales={"agree": {**scale(1, 5), "favourable": []}})
    item = score(off, responses(off, rows)).results.principles[0].items[0]
    assert item.favourability is None


FAVOURABLE_SET = """\
schema_version: 1
id: fav
title: Fav
version: "1"
scales:
  agree:
    options:
      - {value: 1, label: No}
      - {value: 2, label: Maybe}
      - {value: 3, label: Yes}
    favourable: [3, 4, 3]
  all:
    options:
      - {value: 1, label: No}
      - {value: 2, label: Yes}
    favourable: [1, 2]
  none:
    options:
      - {value: 1, label: No}
      - {value: 2, label: Yes}
    favourable: []
bands:
  - {id: low, label: Low, from: 0}
principles:
  - {id: p, name: P}
scoring:
  reliability: sometimes
questions:
  - {id: q, principle: p, text: Q, scale: agree}
"""


def test_favourable_and_reliability_settings_are_validated(tmp_path: Path) -> None:
    path = tmp_path / "fav.yaml"
    path.write_text(FAVOURABLE_SET, encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert any(":11:" in line and "favourable[1]: 4 is not a value of this scale" in line
               and "1, 2, 3" in line for line in lines), lines
    assert any(":11:" in line and "favourable[2]: 3 is listed twice" in line
               for line in lines), lines
    assert any(":16:" in line and "every option is favourable" in line for line in lines)
    assert any(":27:" in line and "scoring.reliability" in line and "listwise" in line
               for line in lines), lines
    assert not any("scales.none.favourable" in line for line in lines)  # [] switches it off
    assert validate_bytes(FAVOURABLE_SET.encode(), "fav.yaml").question_set is None
