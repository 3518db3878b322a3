"""The public result objects print as one readable line, not their whole model."""

from __future__ import annotations

import leadlens
from conftest import EXAMPLES

WAVES = [EXAMPLES / "responses.csv", EXAMPLES / "waves" / "wave-2025.csv",
         EXAMPLES / "waves" / "wave-2026.csv"]


def test_results_repr_is_short_and_says_what_matters() -> None:
    results = leadlens.score(EXAMPLES / "responses.csv", by=["organisation", "role"])
    text = repr(results)
    assert str(results) == text and len(text) < 400
    assert text.startswith("<Results ggi-systems-leadership ") and text.endswith(">")
    assert "60 respondents" in text and "overall 55.0 (Developing)" in text
    complexity = next(p for p in results.principles if p.id == "complexity")
    assert f"complexity {results.question_set.score_text(complexity.score, 1)}" in text
    for field, breakdown in results.groups.items():
        shown = sum(not g.suppressed for g in breakdown.groups)
        assert f"by {field}: {shown} groups shown, {len(breakdown.groups) - shown} hidden" \
            in text


def test_comparison_and_trend_repr() -> None:
    change = leadlens.compare(WAVES[0], WAVES[1], by="sector")
    text = repr(change)
    assert str(change) == text and len(text) < 600
    assert "March 2024 (60) -> March 2025 (64)" in text
    assert "overall 55.0 -> 58.7 (+3.7*)" in text and "; by sector" in text
    trend = leadlens.trend(WAVES)
    text = repr(trend)
    assert len(text) < 600 and "March 2024 -> March 2025 -> March 2026" in text
    assert "overall 55.0, 58.7, 59.3" in text
