"""Every scoring formula against values worked out by hand (see docs/scoring.md)."""

from __future__ import annotations

import math
from typing import Any

import pytest

from leadlens.scoring import score as protected_score
from scoring_fixtures import build_set, responses, scale

approx = pytest.approx


def score(*args: Any, **kwargs: Any) -> Any:
    """The arithmetic on tiny inputs: whole-survey and cell minimums off (see
    tests/test_disclosure.py for them)."""
    return protected_score(*args, small_figures=True, **kwargs)


def one_principle(rows: list[dict[str, Any]], **kwargs: Any) -> Any:
    qs = build_set([{"id": "a"}, {"id": "b", "reverse": True}, {"id": "c"}], **kwargs)
    return score(qs, responses(qs, rows))


# --- reverse keying and the 0-100 scale --------------------------------------------------------

@pytest.mark.parametrize(("low", "high", "answer", "reversed_units"), [
    (1, 5, 1, 100.0),        # 1 + 5 - 1 = 5 -> (5 - 1) / 4 = 100
    (1, 5, 2, 75.0),         # 4 -> 3/4
    (0, 4, 1, 75.0),         # 0 + 4 - 1 = 3 -> 3/4
    (0, 4, 4, 0.0),
    (1, 7, 2, 500 / 6),      # 1 + 7 - 2 = 6 -> 5/6
    (1, 7, 7, 0.0),
])
def test_reverse_keying_uses_the_scales_own_ends(low: int, high: int, answer: int,
                                                 reversed_units: float) -> None:
    qs = build_set([{"id": "a", "scale": "s", "reverse": True}], scales={"s": scale(low, high)})
    result = score(qs, responses(qs, [{"a": answer}])).results.principles[0]
    assert result.score == approx(reversed_units)
    # The mean is on the scale's own units, reverse-keyed: min + max - answer.
    assert result.mean == approx(low + high - answer)


def test_principle_score_is_the_mean_of_0_to_100_values() -> None:
    # a = 5 -> 100; b = 1 reversed -> 5 -> 100; c = 3 -> 50: (100 + 100 + 50) / 3
    scored = one_principle([{"a": 5, "b": 1, "c": 3}])
    principle = scored.results.principles[0]
    assert principle.score == approx(250 / 3)
    assert principle.mean == approx(1 + 4 * (250 / 3) / 100)  # 4.333 on the 1-5 scale
    assert scored.respondents.by_principle["p"][0] == approx(250 / 3)


def test_item_weights() -> None:
    qs = build_set([{"id": "a", "weight": 2.0}, {"id": "b"}])
    principle = score(qs, responses(qs, [{"a": 5, "b": 1}])).results.principles[0]
    assert principle.score == approx((2 * 100 + 1 * 0) / 3)


def test_mixed_scales_have_a_score_but_no_mean() -> None:
    qs = build_set([{"id": "a", "scale": "five"}, {"id": "b", "scale": "seven"}],
                   scales={"five": scale(1, 5), "seven": scale(1, 7)})
    principle = score(qs, responses(qs, [{"a": 4, "b": 4}])).results.principles[0]
    assert principle.score == approx((75 + 50) / 2)
    assert principle.mean is None and principle.scale is None and principle.sd is None


# --- missing answers ---------------------------------------------------------------------------

@pytest.mark.parametrize(("min_answered", "answered", "scored"), [
    (0.5, 1, False),   # half of 3 items = 1.5 -> 2 needed
    (0.5, 2, True),
    (0.34, 1, False),  # 0.34 * 3 = 1.02 -> 2 needed
    (0.3, 1, True),    # 0.9 -> 1 needed
    (1, 1, True),      # a count: 1 item
    (2, 1, False),
    (2, 2, True),
    (5, 3, True),      # more than the principle has: all of its 3 items
    (5, 2, False),
])
def test_min_answered_as_fraction_or_count(min_answered: float, answered: int,
                                           scored: bool) -> None:
    row: dict[str, Any] = dict(list({"a": 4, "b": 2, "c": 4}.items())[:answered])
    principle = one_principle([row], min_answered=min_answered).results.principles[0]
    assert (principle.n == 1) is scored
    if scored:
        assert principle.score == approx(75.0)


def test_unscored_answers_are_missing_but_counted() -> None:
    scored = one_principle([{"a": 5, "b": "Don't know", "c": " don't KNOW "},
                            {"a": 3, "b": 3, "c": 3}], min_answered=1)
    principle = scored.results.principles[0]
    assert principle.n == 2
    # The Don't knows count as their items' means among those scored (50 each).
    assert scored.respondents.by_principle["p"].tolist() == approx([(100 + 50 + 50) / 3, 50])
    assert principle.score == approx(((100 + 50 + 50) / 3 + 50) / 2)
    assert principle.unscored_share == approx(2 / 6)  # 2 of the 6 answers given
    item_b = principle.items[1]
    assert (item_b.n, item_b.missing, item_b.unscored) == (1, 1, 1)
    assert item_b.counts["Don't know"] == 1


def test_a_principle_nobody_answered_has_no_score_never_zero() -> None:
    qs = build_set([{"id": "a"}, {"id": "x", "principle": "q"}],
                   principles=[{"id": "p", "name": "P"}, {"id": "q", "name": "Q"}])
    scored = score(qs, responses(qs, [{"a": 4}, {"a": 2, "x": "Don't know"}]))
    empty = scored.results.principles[1]
    assert (empty.n, empty.score, empty.mean, empty.sd, empty.band, empty.ci95) == \
        (0, None, None, None, None, None)
    assert empty.bands == {"low": 0, "middle": 0, "high": 0}
    assert empty.contested is False
    (warning,) = scored.results.warnings
    assert (warning.code, warning.file, warning.line) == ("scoring.unscored-principle", None, None)
    assert str(warning) == ("principle 'q': no respondent answered enough of its items to be "
                            "scored (min_answered 0.5); it has no score")
    assert math.isnan(scored.respondents.by_principle["q"][0])
    # The overall score only uses the principles a respondent has.
    assert scored.results.overall.score == approx((75 + 25) / 2)


# --- the principle's summary -------------------------------------------------------------------

def test_n_mean_sd_ci_and_band() -> None:
    # Principle scores 25, 50, 75, 100 (one item, 1-5 scale).
    qs = build_set([{"id": "a"}])
    principle = score(qs, responses(qs, [{"a": v} for v in (2, 3, 4, 5)])).results.principles[0]
    assert principle.n == 4
    assert principle.score == approx(62.5)
    assert principle.mean == approx(3.5)
    sd100 = math.sqrt((37.5**2 + 12.5**2 + 12.5**2 + 37.5**2) / 3)  # 32.27
    assert principle.sd == approx(sd100 * 4 / 100)
    half = 3.182446305284263 * sd100 / 2  # t(0.975, 3) * sd / sqrt(4)
    assert principle.ci95 == approx((62.5 - half, min(100, 62.5 + half)))
    assert principle.band == "middle"
    assert principle.band_position == approx((62.5 - 40) / (80 - 40))
    assert principle.bands == {"low": 1, "middle": 2, "high": 1}


def test_ci_is_clipped_to_0_100_and_absent_for_one_respondent() -> None:
    qs = build_set([{"id": "a"}])
    wide = score(qs, responses(qs, [{"a": 1}, {"a": 5}])).results.principles[0]
    assert wide.ci95 == (0.0, 100.0)
    single = score(qs, responses(qs, [{"a": 4}])).results.principles[0]
    assert single.ci95 is None and single.sd is None and single.score == 75.0


def test_top_band_position_runs_to_100() -> None:
    qs = build_set([{"id": "a"}])
    principle = score(qs, responses(qs, [{"a": 5}, {"a": 4}, {"a": 5}])).results.principles[0]
    assert principle.band == "high"
    assert principle.band_position == approx((275 / 3 - 80) / 20)  # mean of 100, 75, 100


@pytest.mark.parametrize(("answers", "contested", "below", "above"), [
    ((1, 1, 5, 5), True, 0.5, 0.5),
    ((1, 4, 4, 4), True, 0.25, 0.75),     # a quarter on each side is enough
    ((1, 4, 4, 4, 4), False, 0.2, 0.8),
    ((3, 3, 3, 3), False, 0.0, 0.0),      # 50 is neither side
])
def test_contested(answers: tuple[int, ...], contested: bool, below: float, above: float
                   ) -> None:
    qs = build_set([{"id": "a"}])
    principle = score(qs, responses(qs, [{"a": v} for v in answers])).results.principles[0]
    assert principle.contested is contested
    assert (principle.below_50, principle.above_50) == (approx(below), approx(above))


def test_recommendation_follows_the_band() -> None:
    qs = build_set([{"id": "a"}], principles=[
        {"id": "p", "name": "P", "recommendations": {"low": "Start.", "high": "Share."}}])
    low = score(qs, responses(qs, [{"a": 1}])).results.principles[0]
    middle = score(qs, responses(qs, [{"a": 3}])).results.principles[0]
    assert low.recommendation == "Start." and middle.recommendation is None


# --- reliability -------------------------------------------------------------------------------

def test_cronbach_alpha_and_item_total_correlations_by_hand() -> None:
    # Units: a = 0, 25, 50, 75; b = 25, 0, 75, 50. var(a) = var(b) = 3125 / 3 = 1041.67,
    # cov(a, b) = 1875 / 3 = 625, var(a + b) = 2 * 1041.67 + 2 * 625 = 3333.33;
    # alpha = 2 / 1 * (1 - 2083.33 / 3333.33) = 0.75. Eight copies of the four rows (the
    # minimum sample is 30) change every variance by the same factor, so alpha stays 0.75.
    qs = build_set([{"id": "a"}, {"id": "b"}])
    rows = [{"a": a, "b": b} for a, b in ((1, 2), (2, 1), (3, 4), (4, 3))] * 8
    principle = score(qs, responses(qs, rows)).results.principles[0]
    assert principle.alpha == approx(0.75)
    assert principle.alpha_n == 32
    # With two items the corrected item-total r is their correlation: 625 / 1041.67.
    assert [i.item_total_r for i in principle.items] == [approx(0.6), approx(0.6)]
    assert not any(i.flagged for i in principle.items)


def test_alpha_is_listwise_and_flags_negative_items() -> None:
    # c runs against a, b and d: most likely a reverse key forgotten in the question set.
    qs = build_set([{"id": "a"}, {"id": "b"}, {"id": "c"}, {"id": "d"}], min_answered=1)
    rows = [{"a": 1, "b": 1, "c": 5, "d": 2}, {"a": 2, "b": 2, "c": 4, "d": 1},
            {"a": 4, "b": 5, "c": 1, "d": 4}, {"a": 5, "b": 4, "c": 2, "d": 5}] * 8 \
        + [{"a": 5, "b": None, "c": 1, "d": 5}]
    principle = score(qs, responses(qs, rows)).results.principles[0]
    assert principle.alpha_n == 32  # the row with a blank is left out
    flagged = {i.key: i.flagged for i in principle.items}
    assert flagged == {"a": False, "b": False, "c": True, "d": False}
    assert principle.items[2].item_total_r is not None and principle.items[2].item_total_r < 0


def test_alpha_is_absent_without_variance_or_items() -> None:
    qs = build_set([{"id": "a"}, {"id": "b"}])
    same = score(qs, responses(qs, [{"a": 3, "b": 3}] * 30)).results.principles[0]
    assert same.alpha is None and same.items[0].item_total_r is None
    single = build_set([{"id": "a"}])
    assert score(single, responses(single, [{"a": 3}, {"a": 4}])).results.principles[0] \
        .alpha is None


# --- items -------------------------------------------------------------------------------------

def test_item_statistics_are_on_raw_values() -> None:
    # min_answered 1: each is scored on b alone (a principle's items are counted over the
    # people scored on it).
    scored = one_principle([{"b": 1}, {"b": 2}, {"b": 2}, {"b": "Don't know", "a": 3},
                            {"b": None, "a": 3}], min_answered=1)
    item = scored.results.principles[0].items[1]
    assert item.reverse is True
    assert (item.n, item.missing, item.unscored) == (3, 2, 1)
    assert item.mean == approx(5 / 3)  # raw, not reverse-keyed
    assert item.sd == approx(math.sqrt(((1 - 5 / 3) ** 2 + 2 * (2 - 5 / 3) ** 2) / 2))
    assert item.counts == {"1": 1, "2": 2, "3": 0, "4": 0, "5": 0, "Don't know": 1}


# --- overall, perspectives, timepoints ---------------------------------------------------------

def test_overall_uses_principle_weights() -> None:
    qs = build_set([{"id": "a"}, {"id": "x", "principle": "q"}],
                   principles=[{"id": "p", "name": "P", "weight": 3.0},
                               {"id": "q", "name": "Q", "weight": 1.0}])
    scored = score(qs, responses(qs, [{"a": 5, "x": 1}, {"a": 1, "x": 5}]))
    assert scored.respondents.overall.tolist() == [approx(75.0), approx(25.0)]
    overall = scored.results.overall
    assert (overall.n, overall.score, overall.band) == (2, approx(50.0), "middle")


def test_perspective_scores_and_gap() -> None:
    qs = build_set([{"id": "a", "perspectives": ["organisation", "system"]}, {"id": "b"}],
                   perspectives=["organisation", "system"], min_answered=1)
    rows = [{"a@organisation": 5, "a@system": 2, "b": 3},
            {"a@organisation": 4, "a@system": 3, "b": 3}]
    principle = score(qs, responses(qs, rows)).results.principles[0]
    assert [(p.id, p.n, p.score, p.mean) for p in principle.perspectives] == [
        ("organisation", 2, approx(87.5), approx(4.5)), ("system", 2, approx(37.5), approx(2.5))]
    assert principle.perspective_gap == approx(37.5 - 87.5)
    # Each perspective's answer is an item of the principle.
    assert [i.key for i in principle.items] == ["a@organisation", "a@system", "b"]
    # A two-hat question counts once: each of its answers has half its weight.
    assert principle.score == approx(((100 / 2 + 25 / 2 + 50) / 2 + (75 / 2 + 50 / 2 + 50) / 2)
                                     / 2)


def test_timepoints_means_and_gap() -> None:
    qs = build_set([{"id": "m", "principle": None, "scale": "maturity",
                     "timepoints": ["current", "target"]}, {"id": "a"}],
                   scales={"agree": scale(1, 5), "maturity": scale(0, 4)},
                   timepoints=["current", "target"])
    rows = [{"m@current": 1, "m@target": 3, "a": 3}, {"m@current": 2, "m@target": 4, "a": 3},
            {"m@current": 0, "m@target": None, "a": 3}]
    results = score(qs, responses(qs, rows)).results
    [timepoints] = results.timepoints
    assert [(t.id, t.n, t.mean, t.score) for t in timepoints.timepoints] == [
        ("current", 3, approx(1.0), approx(25.0)), ("target", 2, approx(3.5), approx(87.5))]
    assert (timepoints.gap, timepoints.gap_n) == (approx(2.0), 2)  # paired: (2 + 2) / 2
    assert [i.key for i in results.items] == ["m@current", "m@target"]


def test_only_the_first_timepoint_of_a_principle_question_is_scored() -> None:
    qs = build_set([{"id": "a", "timepoints": ["current", "target"]}],
                   timepoints=["current", "target"])
    principle = score(qs, responses(qs, [{"a@current": 2, "a@target": 5}])).results.principles[0]
    assert principle.score == approx(25.0)
    assert [i.key for i in principle.items] == ["a@current", "a@target"]


# --- comments ----------------------------------------------------------------------------------

def comment_set() -> Any:
    return build_set([{"id": "a"}, {"id": "story", "type": "text"}], min_group_size=3)


def test_comments_are_shuffled_reproducibly_and_withheld_below_the_threshold() -> None:
    qs = comment_set()
    rows = [{"a": 3, "story": f"story {i}", "organisation": f"org {i}"} for i in range(20)]
    first = protected_score(qs, responses(qs, rows)).results
    again = protected_score(qs, responses(qs, rows)).results
    assert sorted(first.comments["story"]) == sorted(f"story {i}" for i in range(20))
    assert first.comments["story"] != [f"story {i}" for i in range(20)]
    assert first.comments == again.comments
    assert first.comments_withheld is None
    few = protected_score(qs, responses(qs, rows[:2])).results
    assert few.comments == {} and few.comments_withheld is not None
    assert "fewer than the 3 needed" in few.comments_withheld


def test_blank_comments_are_left_out() -> None:
    qs = comment_set()
    rows = [{"a": 3, "story": s} for s in ("  ", "", None, " kept ", "also", "and this")]
    assert sorted(score(qs, responses(qs, rows)).results.comments["story"]) == [
        "also", "and this", "kept"]


# --- purity ------------------------------------------------------------------------------------

# The core's imports are checked against an allow-list in test_imports.py.


def test_threads_give_the_same_results(monkeypatch: pytest.MonkeyPatch) -> None:
    from leadlens.scoring import engine

    qs = build_set([{"id": "a"}, {"id": "x", "principle": "q"}],
                   principles=[{"id": "p", "name": "P"}, {"id": "q", "name": "Q"}],
                   min_group_size=3)
    rows = [{"organisation": org, "a": a, "x": x} for org in ("A", "B", "C")
            for a in (1, 2, 5) for x in (3, 4, None)]
    serial = score(qs, responses(qs, rows), by=["organisation"]).results
    monkeypatch.setattr(engine, "PARALLEL_FROM", 0)
    threaded = score(qs, responses(qs, rows), by=["organisation"]).results
    assert serial.model_dump(exclude={"generated_at", "seal"}) == \
        threaded.model_dump(exclude={"generated_at", "seal"})
