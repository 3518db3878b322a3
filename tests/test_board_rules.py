"""Rules that used to mislead a board (issue 14): each fails on the rule it replaced.

* a shown score never contradicts its band (scores are rounded down for display);
* "contested" means the room disagrees, not that it is lukewarm;
* a two-hat question counts once towards its principle.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from conftest import EXAMPLES
from leadlens.questionset.loading import load_question_set
from leadlens.questionset.model import score_text
from leadlens.report.context import band_range_text
from leadlens.report.filters import format_score
from leadlens.responses.reading import read_responses
from leadlens.scoring import score
from leadlens.scoring.contested import clear_split, room_disagrees, side_margin
from leadlens.survey.summary import chart_lines, principle_scores
from scoring_fixtures import build_set, responses

# -- the display rule -------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "shown"), [
    (59.6, "59"), (59.99, "59"), (60.0, "60"), (60 - 1e-12, "60"), (79.5, "79"), (0.0, "0"),
    (100.0, "100"), (39.999999, "39")])
def test_a_shown_score_stays_in_its_band(value: float, shown: str) -> None:
    qs = build_set([{"id": "a"}], bands=[{"id": "low", "label": "Low", "from": 0},
                                          {"id": "mid", "label": "Mid", "from": 40},
                                          {"id": "high", "label": "High", "from": 60},
                                          {"id": "top", "label": "Top", "from": 80}])
    assert qs.score_text(value) == shown
    # Whatever is shown, read back as a score, lands in the same band as the score itself.
    assert qs.band_for(float(shown)).id == qs.band_for(value).id
    assert format_score(value, [b.from_ for b in qs.bands]) == shown


def test_the_old_rounding_contradicted_the_band() -> None:
    """59.6 printed as "60" beside "Developing" while the legend said Established from 60."""
    assert f"{59.6:.0f}" == "60"  # what the report showed
    assert score_text(59.6, [0, 40, 60, 80]) == "59"


def test_band_cuts_between_whole_numbers_show_a_decimal() -> None:
    cuts = [0, 62.5]
    assert score_text(62.7, cuts) == "62.7"
    assert score_text(62.49, cuts) == "62.4"
    assert score_text(62.5, cuts) == "62.5"
    assert score_text(None, cuts) == "\u2014" and score_text(math.nan, cuts) == "\u2014"
    assert score_text(59.96, [0, 60], digits=1) == "59.9"  # the terminal's one decimal


def test_the_band_legend_lists_the_scores_each_band_shows() -> None:
    qs = load_question_set(None)
    assert [band_range_text(qs, i) for i in range(len(qs.bands))] == [
        "0\u201339", "40\u201359", "60\u201379", "80\u2013100"]


def test_survey_summary_uses_the_same_rule() -> None:
    qs = build_set([{"id": "a"}, {"id": "b"}, {"id": "c"}], min_answered=1,
                   bands=[{"id": "low", "label": "Low", "from": 0},
                          {"id": "high", "label": "High", "from": 60}])
    # (75 + 50 + 50) / 3 = 58.3: shown as 58, beside Low.
    lines = chart_lines(principle_scores(qs, {"a": "4", "b": "3", "c": "3"}), width=80)
    assert lines[0].endswith(" 58  Low")


# -- contested: the room disagrees -----------------------------------------------------------


def _room(scores: list[float]) -> bool:
    return clear_split(np.array(scores), side_margin((1, 5))).contested()


def test_a_lukewarm_room_is_not_contested() -> None:
    """Everyone a little either side of neutral: 45 or 55. The old rule called it split."""
    lukewarm = [45.0] * 10 + [55.0] * 10
    assert not _room(lukewarm)
    below = sum(s < 50 for s in lukewarm) / 20
    above = sum(s > 50 for s in lukewarm) / 20
    assert below >= 0.25 and above >= 0.25  # what made the old rule fire


def test_a_split_room_is_contested() -> None:
    assert _room([25.0] * 8 + [75.0] * 8 + [50.0] * 4)
    assert _room([30.0] * 5 + [70.0] * 5 + [55.0] * 10)  # a quarter clearly on each side
    assert not _room([30.0] * 4 + [70.0] * 10 + [55.0] * 6)  # 20% clearly below: not split
    assert not _room([75.0] * 20)


def test_the_margin_is_half_an_answer_step() -> None:
    assert side_margin((1, 5)) == 12.5
    assert side_margin((1, 7)) == pytest.approx(100 / 6 / 2)
    assert side_margin(None) == 12.5
    assert _room([37.5] * 5 + [62.5] * 5)  # exactly half a step away counts
    assert not _room([38.0] * 5 + [62.0] * 5)


def test_room_disagrees_needs_both_sides() -> None:
    assert room_disagrees(0.4, 0.4) and room_disagrees(0.25, 0.25)
    assert not room_disagrees(0.24, 0.6) and not room_disagrees(None, 0.4)


def test_engine_and_groups_use_the_rule() -> None:
    qs = build_set([{"id": "a"}, {"id": "b"}, {"id": "c"}], min_group_size=3)
    # 58.3 and 41.7: a little either side of neutral, every one of them
    lukewarm = [{"organisation": "X", "a": 3, "b": 3, "c": 4},
                {"organisation": "X", "a": 3, "b": 3, "c": 2}] * 4
    split = [{"organisation": "Y", "a": 1, "b": 2, "c": 2},
             {"organisation": "Y", "a": 5, "b": 4, "c": 4}] * 4
    for rows, expected in ((lukewarm, False), (split, True)):
        result = score(qs, responses(qs, rows), by=["organisation"]).results
        assert result.principles[0].contested is expected
        group = result.groups["organisation"].groups[0]
        assert group.principles[0].contested is expected
    p = score(qs, responses(qs, split)).results.principles[0]
    assert (p.clearly_below, p.clearly_above) == (0.5, 0.5)


def test_the_example_data_flags_only_the_split_principle() -> None:
    qs = load_question_set(None)
    data = read_responses([EXAMPLES / "responses.csv"], qs)
    results = score(qs, data).results
    flagged = [p.id for p in results.principles if p.contested]
    assert flagged == ["complexity"]  # the principle the generator splits into two camps
    # rwg(j) would not have found it: the split room is above the .70 agreement line
    split = next(p for p in results.principles if p.id == "complexity")
    assert split.rwg_j is not None and split.rwg_j > 0.7
    old = [p.id for p in results.principles
           if (p.below_50 or 0) >= 0.25 and (p.above_50 or 0) >= 0.25]
    assert len(old) >= 4  # the old rule flagged most principles, so it prioritised nothing


# -- two hats ---------------------------------------------------------------------------------


def test_a_two_hat_question_counts_once() -> None:
    qs = build_set([{"id": "a", "perspectives": ["organisation", "system"]}, {"id": "b"}],
                   perspectives=["organisation", "system"], min_answered=1)
    row = {"a@organisation": 5, "a@system": 5, "b": 1}
    p = score(qs, responses(qs, [row]), small_figures=True).results.principles[0]  # one person
    assert p.score == pytest.approx(50.0)  # (100 + 0) / 2: a and b weigh the same
    assert qs.question_by_id["a"].answer_weight == 0.5
