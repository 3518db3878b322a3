"""The terminal table at phone widths: every label and heading is still there (tester F19.11).

Below the width where a label and its value can share a line, each line is "label: value"
on its own; before, the labels' column was squeezed to nothing and only numbers were left.
"""

from __future__ import annotations

import io

import pytest

import leadlens
from conftest import EXAMPLES
from leadlens.report.console import SafeConsole
from leadlens.report.writers import render_table
from leadlens.results.document import Results


@pytest.fixture(scope="module")
def results() -> Results:
    return leadlens.score(EXAMPLES / "responses.csv", by="sector")


def _table(results: Results, width: int) -> list[str]:
    buffer = io.StringIO()
    render_table(results, SafeConsole(file=buffer, width=width, no_color=True,
                                      highlight=False, emoji=False, markup=False))
    return buffer.getvalue().splitlines()


@pytest.mark.parametrize("width", [12, 16, 20])
def test_a_phone_width_table_keeps_every_label(results: Results, width: int) -> None:
    lines = _table(results, width)
    assert all(len(line) <= width for line in lines)
    text = " ".join(" ".join(lines).split())
    for label in ("Score:", "95% CI:", "Band:", "n:", "Mean:", "Alpha:"):
        assert text.count(label) >= len(results.principles), label
    basics = results.principles[0]
    assert f"Score: {results.question_set.score_text(basics.score, 1)}" in text
    assert "By Which sector is your organisation in? (sector)" in text
    assert "Overall:" in text
    shown = next(g for g in results.groups["sector"].groups if not g.suppressed)
    assert f"{shown.value}: n {shown.n}" in text


def test_a_wider_terminal_keeps_labels_and_values_side_by_side(results: Results) -> None:
    lines = _table(results, 40)
    assert all(len(line) <= 40 for line in lines)
    assert any(line.startswith("  Score ") and line.rstrip().endswith(
        results.question_set.score_text(results.principles[0].score, 1)) for line in lines)
