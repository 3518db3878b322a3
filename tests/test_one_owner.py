"""Rules that have one owner: the same answer gets the same band in every output."""

from __future__ import annotations

import numpy as np
import yaml

from leadlens.questionset.model import QuestionSet
from leadlens.report import render_report
from leadlens.scoring import Responses, score
from leadlens.survey.summary import chart_lines, principle_scores

# One respondent answering 2, 5, 5 on a 1-7 scale scores (1/6 + 4/6 + 4/6) / 3 * 100, which
# floating point makes 49.99999999999999: on the cut at 50 within the banding tolerance.
SEVEN_POINT = """
schema_version: 1
id: cut
title: Cut
version: "1"
scales:
  seven:
    options: [{value: 1, label: "1"}, {value: 2, label: "2"}, {value: 3, label: "3"},
              {value: 4, label: "4"}, {value: 5, label: "5"}, {value: 6, label: "6"},
              {value: 7, label: "7"}]
bands: [{id: low, label: Low, from: 0}, {id: high, label: High, from: 50}]
principles: [{id: p, name: P}]
questions:
  - {id: q1, principle: p, scale: seven, text: One}
  - {id: q2, principle: p, scale: seven, text: Two}
  - {id: q3, principle: p, scale: seven, text: Three}
"""
ANSWERS = {"q1": "2", "q2": "5", "q3": "5"}


def test_a_score_on_a_cut_gets_the_same_band_in_the_engine_the_summary_and_the_report(
        ) -> None:
    qs = QuestionSet.model_validate(yaml.safe_load(SEVEN_POINT))
    raw = float(np.mean(np.array([1, 4, 4]) / 6 * 100))
    assert raw < 50  # the floating-point sum lands just below the cut
    # one respondent: the arithmetic only (below the whole-survey minimum nothing is published)
    results = score(qs, Responses.from_records(qs, [ANSWERS], sources=["t"]),
                    small_figures=True).results
    assert results.principles[0].band == "high"
    assert results.overall.band == "high"
    summary = principle_scores(qs, ANSWERS)
    assert [s.band for s in summary] == ["High"]
    assert "High" in "\n".join(chart_lines(summary)) and "Low" not in "\n".join(
        chart_lines(summary))
    assert qs.band_for(raw).id == "high"
    markdown = render_report(results, "md")
    assert "Low" not in markdown.split("## ", 2)[1]  # the headline section
