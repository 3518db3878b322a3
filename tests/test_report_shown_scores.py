"""One rule for a shown score (rounded down, so it never reads as the band above), and every
difference shown beside shown scores taken from them, in every output."""

from __future__ import annotations

import io
import re

import pytest

import leadlens
from conftest import EXAMPLES
from leadlens.questionset.model import score_text, shown_difference, shown_score
from leadlens.report.context import build_context
from leadlens.report.spreadsheet import results_workbook
from leadlens.report.waves import comparison_context
from leadlens.results.document import Results

WAVES = [EXAMPLES / "waves" / "wave-2025.csv", EXAMPLES / "waves" / "wave-2026.csv"]


@pytest.fixture(scope="module")
def results() -> Results:
    return leadlens.score(EXAMPLES / "responses.csv", by=["organisation", "sector"])


@pytest.mark.parametrize(("first", "second", "digits", "expected"), [
    (42.5, 75.0, 0, 33.0),  # shown 42 and 75; rounding 32.5 gave "32"
    (55.04, 58.71, 1, 3.7), (59.12, 60.96, 1, 1.8), (49.66, 49.66, 1, 0.0),
    (60.0, 59.999999999, 0, 0.0),  # within the band tolerance: the same shown score
])
def test_a_difference_is_that_of_the_shown_scores(first: float, second: float, digits: int,
                                                  expected: float) -> None:
    assert shown_difference(first, second, digits=digits) == expected
    assert float(score_text(second, digits=digits)) - float(score_text(first, digits=digits)) \
        == pytest.approx(expected)


def test_the_spread_beside_a_heatmap_is_its_cells_difference(results: Results) -> None:
    report = build_context(results, "md")["report"]
    checked = 0
    for breakdown in report["breakdowns"]:
        cells = {(g["value"], c["id"]): c["score"] for g in breakdown["groups"]
                 for c in g["cells"]}
        for spread in breakdown["ranked"]:
            low = cells[(spread["lowest"], spread["principle"])]
            high = cells[(spread["highest"], spread["principle"])]
            shown = int(score_text(high)) - int(score_text(low))
            assert spread["shown_spread"] == shown > 0
            checked += 1
    assert checked >= 6
    md = leadlens.render_report(results, format="md")
    assert "Influencing** (33 points between Northbridge" in md  # exact 75.0 - 42.5


def test_no_group_differs_when_every_shown_score_is_the_same(results: Results) -> None:
    """A spread of 0 (or below a shown point) names no principle as seen differently."""
    breakdown = results.groups["sector"]
    flat = breakdown.model_copy(update={"spread": [
        s.model_copy(update={"spread": 0.0}) for s in breakdown.spread]})
    groups = [g.model_copy(update={"principles": [
        gp.model_copy(update={"score": 50.0 if gp.score is not None else None})
        for gp in g.principles]}) for g in breakdown.groups]
    flat = flat.model_copy(update={"groups": groups})
    same = results.model_copy(update={"groups": {"sector": flat}})
    report = build_context(same, "md")["report"]
    assert report["breakdowns"][0]["ranked"] == []
    md = leadlens.render_report(same, format="md")
    section = md.split("By sector", 1)[1][:600]
    assert "Seen most differently" not in section and "0.0 points" not in section
    assert "No group differs" in section


def test_comparison_sentences_add_up() -> None:
    doc = leadlens.compare(EXAMPLES / "responses.csv", WAVES[0])  # overall rose by 3.7
    report = comparison_context(doc, "md")["report"]
    sentences = [c["sentence"] for c in [report["overall"], *report["principles"]]]
    checked = 0
    for text in sentences:
        rose = re.search(r"(rose|fell) by ([\d.]+) points, from ([\d.]+) to ([\d.]+)", text)
        plain = re.search(r": ([\d.]+) then, ([\d.]+) now \(([+\u2212]?[\d.]+) points", text)
        if rose:
            sign = 1 if rose.group(1) == "rose" else -1
            difference = sign * float(rose.group(2))
            then, now = float(rose.group(3)), float(rose.group(4))
        elif plain:
            then, now = float(plain.group(1)), float(plain.group(2))
            difference = float(plain.group(3).replace("\u2212", "-"))
        else:
            continue
        assert round(now - then, 1) == difference, text
        checked += 1
    assert checked == len(sentences)
    assert "rose by 3.7 points, from 55.0 to 58.7" in report["overall"]["sentence"]


def test_the_workbook_holds_scores_as_shown_beside_their_band(results: Results) -> None:
    from openpyxl import load_workbook

    qs = results.question_set
    cuts = [b.from_ for b in qs.bands]
    edge = next(b for b in qs.bands if b.from_ > 0)
    below = qs.bands[qs.bands.index(edge) - 1]
    nearly = edge.from_ - 0.04  # e.g. 59.96: "60.0" with format 0.0 and normal rounding
    principles = [results.principles[0].model_copy(update={"score": nearly, "band": below.id}),
                  *results.principles[1:]]
    edited = results.model_copy(update={"principles": principles})
    book = load_workbook(io.BytesIO(results_workbook(edited)))
    sheet = book["Principles"]
    header = [c.value for c in sheet[4]]
    column = header.index("Score (0 to 100)")
    band_column = header.index("Band [note 6]")
    rows = list(sheet.iter_rows(min_row=5, values_only=True))
    first = rows[0]
    assert first[column] == shown_score(nearly, cuts, 1) < edge.from_
    assert first[band_column] == below.label
    assert sheet.cell(row=5, column=column + 1).number_format == "0.0"
    by_id = {p.id: p for p in edited.principles}
    for row in rows:
        if row[0] in by_id and by_id[row[0]].score is not None:
            assert f"{row[column]:.1f}" == qs.score_text(by_id[row[0]].score, 1)


def test_the_notebook_table_shows_scores_rounded_down(results: Results) -> None:
    html = results._repr_html_()
    complexity = next(p for p in results.principles if p.id == "complexity")
    assert f"<td>{results.question_set.score_text(complexity.score, 1)}</td>" in html
    assert complexity.score is not None and f"{complexity.score:.1f}" != \
        results.question_set.score_text(complexity.score, 1)  # 49.66: 49.7 by rounding


def test_the_workbook_says_how_scores_are_stored() -> None:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(results_workbook(leadlens.score(WAVES[0]))))
    notes = " ".join(str(c.value) for row in book["Notes"].iter_rows() for c in row if c.value)
    assert "Scores are stored rounded down to one decimal" in notes
