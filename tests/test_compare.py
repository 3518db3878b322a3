"""Comparing waves: every figure against scipy, matching across versions, anonymity, trend."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import special
from scipy import stats as sps

from compare_fixtures import ORGS, QUESTIONS, make_wave, people, wave_set
from leadlens.errors import Code
from leadlens.questionset.loading import validate_bytes
from leadlens.scoring import score
from leadlens.waves import stats
from leadlens.waves.engine import CompareError, compare, trend
from leadlens.waves.waves import results_wave
from scoring_fixtures import responses


def _scores(wave, principle):  # type: ignore[no-untyped-def]
    values = wave.respondents.principles[principle] if principle != "overall" \
        else wave.respondents.overall
    return values[np.isfinite(values)]


def test_independent_waves_match_scipy_welch() -> None:
    qs = wave_set()
    a = make_wave("2024", qs, people(1, 40))
    b = make_wave("2025", qs, people(2, 55, shift={"p": 0.6}, prefix="B"))
    doc = compare(a, b)
    assert doc.independent and doc.linked == 0
    changes = {c.id: c for c in doc.principles}
    assert doc.overall is not None
    changes["overall"] = doc.overall
    for pid, c in changes.items():
        x, y = _scores(a, pid), _scores(b, pid)
        ref = sps.ttest_ind(y, x, equal_var=False)
        assert c.test is not None and c.test.name == "welch"
        assert c.test.statistic == pytest.approx(ref.statistic, rel=1e-9)
        assert c.test.df == pytest.approx(ref.df, rel=1e-9)
        assert c.test.p == pytest.approx(ref.pvalue, rel=1e-7, abs=1e-14)
        assert c.ci95 == pytest.approx(tuple(ref.confidence_interval(0.95)), rel=1e-7)
        assert c.difference == pytest.approx(y.mean() - x.mean(), rel=1e-12)
        m = x.size + y.size - 2
        pooled = math.sqrt(((x.size - 1) * x.var(ddof=1) + (y.size - 1) * y.var(ddof=1)) / m)
        j = math.exp(special.gammaln(m / 2) - special.gammaln((m - 1) / 2)) / math.sqrt(m / 2)
        assert c.hedges_g == pytest.approx((y.mean() - x.mean()) / pooled * j, rel=1e-9)
        assert c.detectable == pytest.approx(
            (sps.t.ppf(0.975, ref.df) + sps.t.ppf(0.8, ref.df))
            * (y.mean() - x.mean()) / ref.statistic, rel=1e-7)
    holm = stats.holm([changes["p"].test.p, changes["q"].test.p])  # type: ignore[union-attr]
    assert [changes["p"].test.p_holm, changes["q"].test.p_holm] == holm  # type: ignore[union-attr]
    assert changes["p"].significant and changes["p"].direction == "up"
    assert not changes["q"].significant and changes["q"].direction == "none"


def test_linked_respondents_are_paired_as_scipy_ttest_rel() -> None:
    qs = wave_set()
    before = people(3, 30)
    after = [{**row} for row in people(4, 30, shift={"q": -0.5})]  # same ids A000..A029
    doc = compare(make_wave("then", qs, before), make_wave("now", qs, after))
    assert doc.linked == 30 and not doc.independent
    a, b = make_wave("then", qs, before), make_wave("now", qs, after)
    for c in doc.principles:
        x, y = a.respondents.principles[c.id], b.respondents.principles[c.id]  # type: ignore[union-attr]
        keep = np.isfinite(x) & np.isfinite(y)
        ref = sps.ttest_rel(y[keep], x[keep])
        assert c.test is not None and c.test.name == "paired"
        assert c.test.linked == int(keep.sum())
        assert c.test.statistic == pytest.approx(ref.statistic, rel=1e-9)
        assert c.test.p == pytest.approx(ref.pvalue, rel=1e-7, abs=1e-14)
        assert c.ci95 == pytest.approx(tuple(ref.confidence_interval(0.95)), rel=1e-7)


def test_results_documents_give_the_same_welch_figures_as_responses() -> None:
    qs = wave_set()
    ra, rb = people(5, 40), people(6, 50, shift={"q": 0.4}, prefix="B")
    from_responses = compare(make_wave("a", qs, ra), make_wave("b", qs, rb))
    docs = [score(qs, responses(qs, rows), by=["organisation"]).results for rows in (ra, rb)]
    from_results = compare(results_wave("a", "a.json", docs[0]),
                           results_wave("b", "b.json", docs[1]))
    for x, y in zip(from_responses.principles, from_results.principles, strict=True):
        assert y.test is not None and x.test is not None
        assert y.test.statistic == pytest.approx(x.test.statistic, rel=1e-9)
        assert y.test.p_holm == pytest.approx(x.test.p_holm, rel=1e-9)
        assert y.hedges_g == pytest.approx(x.hedges_g, rel=1e-9)


def test_groups_are_compared_with_their_own_sd() -> None:
    qs = wave_set()
    a = make_wave("a", qs, people(7, 60))
    b = make_wave("b", qs, people(8, 70, shift={"p": 0.8}, prefix="B"))
    doc = compare(a, b, by=["organisation"])
    groups = {g.value: g for g in doc.groups["organisation"].groups}
    assert set(groups) == set(ORGS)
    alpha = groups["Alpha Trust"]
    assert alpha.withheld is None
    mask_a = a.respondents.members("organisation", "alpha trust")  # type: ignore[union-attr]
    mask_b = b.respondents.members("organisation", "alpha trust")  # type: ignore[union-attr]
    for c in alpha.changes:
        x = a.respondents.principles[c.id][mask_a]  # type: ignore[union-attr]
        y = b.respondents.principles[c.id][mask_b]  # type: ignore[union-attr]
        ref = sps.ttest_ind(y[np.isfinite(y)], x[np.isfinite(x)], equal_var=False)
        assert c.test is not None and c.test.p == pytest.approx(ref.pvalue, rel=1e-7)
    # From results documents without group sd there is a difference but no test, and it says so
    plain = compare(results_wave("a", "a.json", a.results), results_wave("b", "b.json", b.results),
                    by=["organisation"])
    change = plain.groups["organisation"].groups[0].changes[0]
    if not hasattr(a.results.groups["organisation"].groups[0].principles[0], "sd"):
        assert change.test is None and change.difference is not None
        assert change.note is not None and "standard deviation" in change.note


def test_favourable_shares_and_newcombe_interval() -> None:
    qs = wave_set()
    a = make_wave("a", qs, people(9, 40))
    b = make_wave("b", qs, people(10, 45, shift={"p": 1.0}, prefix="B"))
    doc = compare(a, b)
    p = next(c for c in doc.principles if c.id == "p")
    assert p.favourable is not None

    def counts(wave):  # type: ignore[no-untyped-def]
        fav = total = 0
        for item in next(x for x in wave.results.principles if x.id == "p").items:
            chosen = ("1", "2") if item.reverse else ("4", "5")  # reverse-keyed: the low end
            fav += sum(item.counts[v] for v in chosen)
            total += sum(item.counts[str(v)] for v in range(1, 6))
        return fav, total

    (ka, na), (kb, nb) = counts(a), counts(b)
    assert (p.favourable.baseline_n, p.favourable.followup_n) == (na, nb)
    assert p.favourable.baseline == pytest.approx(ka / na)
    w1 = sps.binomtest(ka, na).proportion_ci(method="wilson")
    w2 = sps.binomtest(kb, nb).proportion_ci(method="wilson")
    d = kb / nb - ka / na
    assert p.favourable.ci95 == pytest.approx(
        (d - math.hypot(kb / nb - w2.low, w1.high - ka / na),
         d + math.hypot(w2.high - kb / nb, ka / na - w1.low)), abs=1e-12)


def test_items_and_timepoints() -> None:
    qs = wave_set(timepoints=True)
    a = make_wave("a", qs, people(11, 40, timepoints=True))
    b = make_wave("b", qs, people(12, 50, timepoints=True, prefix="B"))
    doc = compare(a, b)
    keys = [i.key for i in doc.items]
    assert keys[:6] == [q["id"] for q in QUESTIONS] and "t1@now" in keys
    item = doc.items[0]
    ia = next(i for p in a.results.principles for i in p.items if i.key == "p1")
    ib = next(i for p in b.results.principles for i in p.items if i.key == "p1")
    welch = stats.welch(ia.mean, ia.sd, ia.n, ib.mean, ib.sd, ib.n)  # type: ignore[arg-type]
    assert welch is not None and item.test is not None and item.test.p == welch.p
    (t,) = doc.timepoints
    assert t.target_then == a.results.timepoints[0].timepoints[-1].mean
    assert t.current_now == b.results.timepoints[0].timepoints[0].mean
    assert t.gap == pytest.approx(t.current_now - t.target_then)  # type: ignore[operator]


# --- question sets of different versions ----------------------------------------------------

def _changed(version: str, **changes: object) -> list[dict[str, object]]:
    questions = [dict(q) for q in QUESTIONS]
    questions[1].update(changes)
    return questions


def test_same_questions_are_matched_silently() -> None:
    doc = compare(make_wave("a", wave_set("1"), people(13, 30)),
                  make_wave("b", wave_set("2"), people(14, 40, prefix="B")))
    assert doc.matching == [] and [c.id for c in doc.principles] == ["p", "q"]


def test_changed_wording_is_not_compared_silently() -> None:
    qs2 = wave_set("2", _changed("2", text="A new wording"))
    doc = compare(make_wave("a", wave_set("1"), people(15, 30)),
                  make_wave("b", qs2, people(16, 40, prefix="B")))
    (entry,) = doc.matching
    assert entry.question == "p2" and entry.status == "changed" and not entry.compared
    assert entry.changes == ["wording"] and "comparable_with: ['1']" in entry.reason
    assert entry.followup_at == "b.csv: questions[1] (p2)"
    assert [c.id for c in doc.principles] == ["q"] and doc.overall is None
    (why_p, *_) = [n for n in doc.principles_not_compared if n.id == "p"]
    assert why_p.reason.startswith("p2 (b.csv: questions[1] (p2)): wording changed")
    assert "p2" not in [i.key for i in doc.items]


def test_declared_and_replaced_questions_are_compared() -> None:
    declared = wave_set("2", _changed("2", text="A new wording", comparable_with=["1"]))
    doc = compare(make_wave("a", wave_set("1"), people(17, 30)),
                  make_wave("b", declared, people(18, 40, prefix="B")))
    assert [(e.status, e.compared) for e in doc.matching] == [("declared", True)]
    assert [c.id for c in doc.principles] == ["p", "q"]
    replaced = wave_set("2", _changed("2", id="p2b", text="Reworded", replaces="p2"))
    rows = [{("p2b" if k == "p2" else k): v for k, v in row.items()}
            for row in people(19, 40, prefix="B")]
    doc = compare(make_wave("a", wave_set("1"), people(17, 30)),
                  make_wave("b", replaced, rows))
    assert [(e.question, e.baseline_question, e.status) for e in doc.matching] == [
        ("p2b", "p2", "replaced")]
    assert any(i.key == "p2b" and i.baseline_key == "p2" for i in doc.items)
    # replaces declares a new wording, not a new scale or principle
    moved = wave_set("2", _changed("2", id="p2b", principle="q", replaces="p2"))
    doc = compare(make_wave("a", wave_set("1"), people(17, 30)),
                  make_wave("b", moved, rows))
    assert doc.matching[0].status == "changed" and doc.principles == []


QS_HEAD = """\
schema_version: 1
id: mini
title: Mini
version: "2"
scales:
  agreement:
    options: [{value: 1, label: Low}, {value: 2, label: Some}, {value: 3, label: High}]
bands: [{id: low, label: Low, from: 0}]
principles: [{id: basics, name: Basics, recommendations: {low: Go.}}]
questions:
  - {id: b1, principle: basics, text: One, scale: agreement}
  - {id: b2, principle: basics, text: Two, scale: agreement}
"""


@pytest.mark.parametrize(("extra", "expected"), [
    ("  - {id: b3, principle: basics, text: T, scale: agreement, replaces: b3}\n",
     "qs.yaml:13:70: questions[2].replaces: a question cannot replace itself"),
    ("  - {id: b3, principle: basics, text: T, scale: agreement, replaces: b1}\n",
     "qs.yaml:13:70: questions[2].replaces: 'b1' is still a question of this set"),
    ("  - {id: b3, principle: basics, text: T, scale: agreement, replaces: b0}\n"
     "  - {id: b4, principle: basics, text: F, scale: agreement, replaces: b0}\n",
     "qs.yaml:14:70: questions[3].replaces: 'b0' is replaced by question 3 too"),
    ("  - {id: b3, principle: basics, text: T, scale: agreement, comparable_with: ['1', '1']}\n",
     "qs.yaml:13:83: questions[2].comparable_with[1]: version '1' is listed twice"),
    ("  - {id: b3, principle: basics, text: T, scale: agreement, comparable_with: ['2']}\n",
     "qs.yaml:13:78: warning: questions[2].comparable_with[0]: '2' is this question set's "
     "own version"),
    ("  - {id: c1, type: text, text: Say, replaces: old}\n",
     "qs.yaml:13:37: questions[2].replaces: 'replaces' does not apply to a free-text question"),
    ("  - {id: b3, principle: basics, text: T, scale: agreement, replaces: Not A Slug}\n",
     "qs.yaml:13:70: questions[2].replaces: "),
])
def test_replaces_and_comparable_with_are_validated(extra: str, expected: str) -> None:
    found = validate_bytes((QS_HEAD + extra).encode(), "qs.yaml").problems
    problems = [str(p) for p in found]
    assert any(p.startswith(expected) for p in problems), problems
    codes = {p.code for p in found if str(p).startswith(expected)}
    assert codes <= {Code.QUESTIONSET_BAD_REPLACES, Code.QUESTIONSET_LISTED_TWICE,
                     Code.QUESTIONSET_OWN_VERSION, Code.QUESTIONSET_NOT_FOR_TEXT,
                     Code.SCHEMA_INVALID_ID}, codes


def test_valid_wave_references_load() -> None:
    extra = "  - {id: b3, principle: basics, text: T, scale: agreement, replaces: b0, " \
            "comparable_with: ['1', '1.1']}\n"
    result = validate_bytes((QS_HEAD + extra).encode(), "qs.yaml")
    assert result.question_set is not None and result.problems == []
    q = result.question_set.question_by_id["b3"]
    assert q.replaces == "b0" and q.comparable_with == ["1", "1.1"]


# --- bad combinations -------------------------------------------------------------------

def test_waves_of_different_question_sets_are_refused() -> None:
    other = wave_set().model_copy(update={"id": "other"})
    with pytest.raises(CompareError) as caught:
        compare(make_wave("a", wave_set(), people(20, 30)),
                make_wave("b", other, people(21, 30, prefix="B")), by=["role"])
    lines = [str(p) for p in caught.value.problems]
    assert [p.code for p in caught.value.problems] == [
        Code.COMPARE_OTHER_QUESTION_SET, Code.COMPARE_NO_BREAKDOWN, Code.COMPARE_NO_BREAKDOWN]
    assert lines[0] == ("b.csv: question_set.id: question set 'other' is not 'test', the question "
                        "set of a.csv. Only waves of one question set (any versions) can be "
                        "compared")
    assert lines[1].startswith("a.csv: groups: no breakdown by 'role'")
    assert len(lines) == 3


def test_overlapping_respondents_given_as_independent_are_refused() -> None:
    qs = wave_set()
    with pytest.raises(CompareError) as caught:
        compare(make_wave("a", qs, people(22, 30)), make_wave("b", qs, people(23, 30)),
                independent=True)
    (problem,) = caught.value.problems
    assert problem.code == Code.COMPARE_NOT_INDEPENDENT
    assert str(problem) == (
        "b.csv: column 'respondent_id': 30 respondent ids are also in a.csv (A000, A001, A002, "
        "...): the waves are not independent. Leave out --independent to pair them by "
        "respondent_id, or give each wave its own ids if they are different people")


# --- anonymity across waves -------------------------------------------------------------

def test_one_more_respondent_withholds_the_survey_and_their_group() -> None:
    qs = wave_set()
    base = people(24, 40)
    extra = people(25, 1, prefix="Z")
    doc = compare(make_wave("a", qs, base), make_wave("b", qs, base + extra),
                  by=["organisation"])
    assert doc.overall is None and doc.principles == [] and doc.items == []
    assert doc.withheld[0].what.startswith("the whole survey")
    joined = extra[0]["organisation"]
    groups = {g.value: g for g in doc.groups["organisation"].groups}
    assert groups[joined].withheld is not None and groups[joined].changes == []
    # The other groups did not change, so the whole survey minus them (its n is published)
    # is the joined group again: they are withheld too (linked tables), never a count.
    others = [g for v, g in groups.items() if v != joined]
    assert all(g.withheld is not None and "protects the groups not compared" in g.withheld
               for g in others)
    assert all(g.baseline_n is None and g.followup_n is None for g in others)


def test_without_ids_a_small_change_in_n_withholds() -> None:
    qs = wave_set()
    docs = [score(qs, responses(qs, people(seed, n))).results
            for seed, n in ((26, 40), (27, 43), (28, 45))]
    close = compare(results_wave("a", "a.json", docs[0]), results_wave("b", "b.json", docs[1]))
    assert close.principles == [] and "respondent ids do not link" in close.withheld[0].reason
    far = compare(results_wave("a", "a.json", docs[0]), results_wave("c", "c.json", docs[2]))
    assert far.withheld == [] and len(far.principles) == 2


# --- trend --------------------------------------------------------------------------------

def test_trend_steps_are_the_pairwise_comparisons() -> None:
    qs = wave_set()
    waves = [make_wave(str(year), qs, people(30 + k, 40 + 6 * k, shift={"p": 0.4 * k},
                                             prefix=f"W{k}"))
             for k, year in enumerate((2024, 2025, 2026))]
    doc = trend(waves)
    assert [w.label for w in doc.waves] == ["2024", "2025", "2026"]
    line = next(p for p in doc.principles if p.id == "p")
    assert [pt.score for pt in line.points] == [
        next(x.score for x in w.results.principles if x.id == "p") for w in waves]
    pair = compare(waves[0], waves[1])
    step = line.steps[0]
    assert step.test is not None and pair.principles[0].test is not None
    assert step.test.p == pytest.approx(pair.principles[0].test.p, rel=1e-12)
    assert step.test.p_holm == pytest.approx(pair.principles[0].test.p_holm, rel=1e-12)
    assert line.since_first is not None and line.since_first.significant


def test_trend_withholds_a_wave_that_differs_by_one_respondent() -> None:
    qs = wave_set()
    base = people(40, 30)
    waves = [make_wave("a", qs, base), make_wave("b", qs, base + people(41, 1, prefix="Z")),
             make_wave("c", qs, people(42, 35, prefix="C"))]
    doc = trend(waves)
    assert [p.withheld for p in doc.overall.points] == [False, True, False]
    assert len(doc.overall.steps) == 1 and doc.withheld


def test_trend_holm_groups_the_steps_of_the_same_two_waves() -> None:
    qs = wave_set()
    base = people(43, 30)
    newcomer = people(44, 1, prefix="Z")[0]
    newcomer.update({"p1": None, "p2": None, "p3": None})  # no score for principle p
    waves = [make_wave("a", qs, base), make_wave("b", qs, [*base, newcomer]),
             make_wave("c", qs, people(45, 35, prefix="C"))]
    doc = trend(waves)
    lines = {line.id: line for line in doc.principles}
    assert [p.withheld for p in lines["p"].points] == [False, False, False]
    assert [p.withheld for p in lines["q"].points] == [False, True, False]
    assert lines["p"].step_waves == [[0, 1], [1, 2]] and lines["q"].step_waves == [[0, 2]]
    unchanged = lines["p"].steps[0]  # the same 30 people, the same answers: no variation
    assert unchanged.test is not None and unchanged.test.name == "paired"
    assert unchanged.difference == 0 and unchanged.test.p is None
    assert unchanged.note == "every answer was the same: no test"
    for line in lines.values():
        assert all(s.test.p_holm is not None for s in line.steps
                   if s.test is not None and s.test.p is not None)
    assert lines["q"].steps[0].test.p_holm is not None  # type: ignore[union-attr]


def test_min_group_size_raises_the_threshold_across_waves() -> None:
    qs = wave_set()
    base = people(46, 30)
    a, b = make_wave("a", qs, base), make_wave("b", qs, base + people(47, 5, prefix="Z"))
    assert compare(a, b).withheld == []  # five joined: at the threshold, shown
    raised = compare(a, b, min_group_size=6)
    assert raised.min_group_size == 6 and raised.principles == []
    assert "fewer than 6 people" in raised.withheld[0].reason
