"""``--summary``: a respondent's own principle scores and the terminal chart."""

from __future__ import annotations

import pytest
import yaml

from leadlens.questionset.model import QuestionSet
from leadlens.survey.summary import chart_lines, principle_scores
from survey_support import survey_set


def scores(qs: QuestionSet, answers: dict[str, str | None]) -> dict[str, float | None]:
    return {s.principle.id: s.score for s in principle_scores(qs, answers)}


def test_reverse_keying_and_unscored_answers() -> None:
    qs = survey_set()  # agree 1-3; c1 is reverse-keyed
    result = scores(qs, {"b1": "3", "b2@organisation": "2", "b2@system": "1", "c1": "1"})
    # b2 has two hats: it counts once, each hat's answer at half weight
    assert result["basics"] == pytest.approx((100 + 50 / 2 + 0 / 2) / 2)
    assert result["context"] == pytest.approx(100)  # 1 reversed on 1-3 is 3
    result = scores(qs, {"b1": "2", "c1": "Don't know"})
    # basics: 1 of 3 answered is below min_answered 0.5; context: unscored is missing
    assert result == {"basics": None, "context": None}


def test_weights_and_min_answered_and_other_scales() -> None:
    qs = QuestionSet.model_validate(yaml.safe_load("""
        schema_version: 1
        id: w
        title: W
        version: "1"
        scales:
          five: {options: [{value: 0, label: a}, {value: 1, label: b}, {value: 2, label: c},
                           {value: 3, label: d}, {value: 4, label: e}]}
        bands: [{id: low, label: Low, from: 0}, {id: high, label: High, from: 60}]
        scoring: {min_answered: 2}
        principles: [{id: p, name: P}]
        questions:
          - {id: q1, principle: p, scale: five, text: One, weight: 3}
          - {id: q2, principle: p, scale: five, text: Two, reverse: true}
          - {id: q3, principle: p, scale: five, text: Three}
        """))
    # q1 = 4 -> 100 (weight 3); q2 = 4 reversed -> 0 -> 0 (weight 1)
    [result] = principle_scores(qs, {"q1": "4", "q2": "4"})
    assert result.score == pytest.approx(75) and result.band == "High"
    [result] = principle_scores(qs, {"q1": "4"})
    assert result.score is None  # min_answered 2 items


def test_the_chart_fits_80_columns() -> None:
    qs = survey_set()
    lines = chart_lines(principle_scores(qs, {"b1": "3", "b2@organisation": "2",
                                              "b2@system": "3"}), width=80, unicode=True)
    assert lines == [
        # (100 + 50 / 2 + 100 / 2) / 2 = 87.5, shown rounded down (the display rule)
        "Understanding the basics " + "█" * 18 + "░" * 2 + "  87  High",
        "Context                                         -  too few answers for a score",
    ]
    long = qs.model_copy(update={"principles": [
        p.model_copy(update={"name": "A very long principle name \x1b[31m that goes on"})
        for p in qs.principles]})
    for line in chart_lines(principle_scores(long, {"b1": "1"}), width=80, unicode=False):
        assert len(line) <= 80 and "\x1b" not in line
