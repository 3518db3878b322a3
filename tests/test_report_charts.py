"""Chart builders and colours: well-formed SVG, escaped labels, readable and ordered colours."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from leadlens.report.charts import (
    BandZone,
    Dumbbell,
    HeatCell,
    HeatRow,
    RadarAxis,
    ScoreBar,
    Segment,
    distribution_svg,
    dumbbell_svg,
    heatmap_svg,
    radar_svg,
    score_bars_svg,
    wrap,
)
from leadlens.report.filters import (
    format_ci,
    format_number,
    format_percent,
    format_score,
    format_signed,
    heading_anchor,
    plural,
)
from leadlens.report.palette import (
    band_colours,
    contrast_ratio,
    option_colours,
    relative_luminance,
    text_on,
)

SVG = "{http://www.w3.org/2000/svg}"
EVIL = '<script>alert(1)</script>" onload="x'
BANDS = [BandZone("Low", 0, 50, "#aaaaaa"), BandZone("High", 50, 100, "#333333")]


def _parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # noqa: S314  (our own output, parsed to prove it is well-formed)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img" and root.get("aria-label")
    assert root[0].tag == f"{SVG}title" and root[0].text == root.get("aria-label")
    assert all(not el.tag.endswith("script") for el in root.iter())
    assert all(not a.startswith("on") for el in root.iter() for a in el.attrib)
    return root


def _texts(root: ET.Element) -> list[str]:
    return [el.text or "" for el in root.iter(f"{SVG}text")]


CHARTS = {
    "bars": lambda label: score_bars_svg(
        [ScoreBar(label, 62.4, "#123456", (55.0, 70.0), "62"), ScoreBar("None", None, "#fff")],
        BANDS, label=label),
    "radar": lambda label: radar_svg(
        [RadarAxis(label, 40, "40"), RadarAxis("b", 60, "60"), RadarAxis("c", None)], BANDS,
        label=label),
    "heatmap": lambda label: heatmap_svg(
        [label, "b"], [HeatRow(label, [HeatCell("5", "#000000", label), None]),
                       HeatRow("hidden", note=label)], label=label),
    "distribution": lambda label: distribution_svg(
        [Segment(label, 3, "#b35806"), Segment("b", 0, "#fff"), Segment("DK", 1, "#fff", True)],
        label=label),
    "dumbbell": lambda label: dumbbell_svg(
        [Dumbbell(label, 1.0, 3.0), Dumbbell("x", None, None)], domain=(0, 4),
        ticks=[(0, label), (4, "top")], start_name=label, end_name="end", label=label),
}


@pytest.mark.parametrize("chart", CHARTS)
def test_charts_are_well_formed_and_escape_text(chart: str) -> None:
    svg = CHARTS[chart](EVIL)
    root = _parse(svg)
    assert "<script" not in svg and 'onload="x' not in svg
    assert root.get("aria-label") == EVIL
    assert any(EVIL[:10] in t for t in _texts(root)) or chart == "distribution"


def test_score_bar_geometry() -> None:
    root = _parse(score_bars_svg([ScoreBar("A", 50, "#123456", (40, 60), "50")], BANDS,
                                 label="x", width=400))
    bars = [r for r in root.iter(f"{SVG}rect") if r.get("fill") == "#123456"]
    assert len(bars) == 1
    left = float(bars[0].get("x", 0))
    width = float(bars[0].get("width", 0))
    plot = 400 - left - 56
    assert width == pytest.approx(plot / 2, abs=0.1)
    assert "50" in _texts(root)


def test_distribution_with_no_answers() -> None:
    root = _parse(distribution_svg([Segment("a", 0, "#000")], label="none"))
    assert _texts(root) == ["no answers"]


def test_distribution_segments_are_proportional() -> None:
    root = _parse(distribution_svg([Segment("a", 1, "#111111"), Segment("b", 3, "#222222")],
                                   label="x", width=401))
    widths = {r.get("fill"): float(r.get("width", 0)) for r in root.iter(f"{SVG}rect")}
    assert widths["#222222"] == pytest.approx(3 * widths["#111111"], abs=0.2)


@pytest.mark.parametrize(("text", "chars", "lines", "expected"), [
    ("one two three", 20, 2, ["one two three"]),
    ("one two three", 7, 2, ["one two", "three"]),
    ("one two three four", 7, 2, ["one two", "three\u2026"]),
    ("supercalifragilistic", 8, 3, ["superca-", "lifragi-", "listic"]),
    ("", 5, 1, [""]),
])
def test_wrap(text: str, chars: int, lines: int, expected: list[str]) -> None:
    assert wrap(text, chars, lines) == expected


@pytest.mark.parametrize("count", range(1, 9))
def test_band_colours_are_ordered_light_to_dark(count: int) -> None:
    colours = band_colours(count)
    assert len(colours) == count
    lum = [relative_luminance(c) for c in colours]
    assert lum == sorted(lum, reverse=True) and len(set(lum)) == count
    for colour in colours:  # numbers printed on a band colour stay readable
        assert contrast_ratio(colour, text_on(colour)) >= 4.5


@pytest.mark.parametrize("count", range(2, 12))
def test_option_colours_diverge_from_a_neutral_middle(count: int) -> None:
    colours = option_colours(count)
    assert len(colours) == count
    lum = [relative_luminance(c) for c in colours]
    if count >= 3:
        middle = max(lum)
        assert lum[0] < middle and lum[-1] < middle
    for colour in colours:
        assert contrast_ratio(colour, text_on(colour)) >= 4.5


@pytest.mark.parametrize(("func", "value", "expected"), [
    (format_score, 62.5, "62"), (format_score, 63.5, "63"), (format_score, 63.99, "63"),
    (format_score, None, "\u2014"),
    (format_score, float("nan"), "\u2014"), (format_score, True, "\u2014"),
    (format_number, -0.123, "\u22120.1"), (format_number, 3.456, "3.5"),
    (format_signed, 12.4, "+12"), (format_signed, -12.4, "\u221212"),
    (format_signed, -0.3, "0"), (format_percent, 0.234, "23%"),
    (format_ci, [55.2, 64.8], "55\u201365"), (format_ci, None, "\u2014"),
    (format_ci, "ab", "\u2014"), (heading_anchor, "Now and in 12 months", "now-and-in-12-months"),
    (heading_anchor, "Perspectives: Organisation hat & System hat",
     "perspectives-organisation-hat--system-hat"),
])
def test_filters(func, value, expected) -> None:  # type: ignore[no-untyped-def]
    assert func(value) == expected


def test_plural() -> None:
    assert plural(1, "respondent") == "1 respondent"
    assert plural(1200, "respondent") == "1,200 respondents"
    assert plural(None, "comment") == "\u2014 comments"
