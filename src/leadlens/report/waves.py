"""Reports of waves: a comparison or a trend rendered through the report templates.

Templates see every top-level key of the document (``principles``, ``groups``, ...), the
whole document again as ``comparison`` (or ``trend``), and ``report``: display values derived
here (plain-English sentences, band labels and colours, charts). Nothing here changes a
number; templates round through the filters. The bundled templates are
``report_templates/compare.{html,md}.j2`` and ``trend.{html,md}.j2``; ``--template`` replaces
them as for ``leadlens report`` (see docs/templates.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path, PurePath
from typing import Any

from leadlens._version import __version__
from leadlens.questionset.model import score_text, shown_difference, shown_range
from leadlens.report import Format
from leadlens.report.charts import BandZone
from leadlens.report.environment import make_templates, render
from leadlens.report.filters import format_signed
from leadlens.report.palette import band_colours, text_on
from leadlens.report.wave_charts import TrendMark, WavePair, trend_svg, wave_pairs_svg
from leadlens.waves.document import BandInfo, Change, Comparison, Trend, WaveInfo

Data = dict[str, Any]


def _bands(bands: list[BandInfo]) -> list[Data]:
    colours = band_colours(len(bands))
    out = []
    for i, band in enumerate(bands):
        end = bands[i + 1].from_ if i + 1 < len(bands) else 100.0
        out.append({"id": band.id, "label": band.label, "from": band.from_, "to": end,
                    "range_text": shown_range([b.from_ for b in bands], i),
                    "colour": colours[i], "text_colour": text_on(colours[i])})
    return out


def p_text(p: float | None, adjusted: bool = False) -> str:
    """The p-value in words; "Holm-adjusted" only in front of a p-value there is."""
    if p is None:
        return "no p-value"
    shown = "p < 0.001" if p < 0.001 else f"p = {p:.3f}"
    return f"Holm-adjusted {shown}" if adjusted else shown


def test_text(change: Change) -> str:
    """The test in words, e.g. "Welch's t-test" or "paired t-test on 40 respondents"."""
    if change.test is None:
        return "no test"
    if change.test.name == "paired":
        return f"paired t-test on the {change.test.linked} respondents in both waves"
    return "Welch's t-test"


def _signed(value: float, digits: int = 1) -> str:
    return format_signed(value, digits)


def _points(value: float | None, cuts: Sequence[float] = (), digits: int = 0) -> str:
    """A score as every report shows it (rounded down: never a number from the band above)."""
    return "no score" if value is None else score_text(value, cuts, digits)


def shown_change(change: Change, cuts: Sequence[float] = ()) -> float | None:
    """The change as reports show it, to one decimal: the follow-up's shown score minus the
    baseline's (:func:`~leadlens.questionset.model.shown_difference`), so "rose by 3.7 points,
    from 55.2 to 58.9" adds up; a paired test's mean change of the people in both waves, when
    the scores also count people in one wave only (then it is not "now minus then")."""
    before, after = change.baseline.score, change.followup.score
    if change.difference is None or before is None or after is None or \
            _stayers(change) is not None:
        return change.difference
    return shown_difference(before, after, cuts, 1)


def _distance(value: float) -> str:
    """A distance in points: whole points, one decimal below 1 (never "0 points")."""
    return f"{value:.0f}" if value >= 1 else f"{value:.1f}"


def _testable(change: Change) -> bool:
    """A test with a p-value: the answers varied (a test with none cannot detect anything)."""
    return change.test is not None and change.test.p is not None


def _stayers(change: Change) -> int | None:
    """The respondents of a paired test, when the scores also count people in one wave only.

    The difference of a paired test is their mean change, not "now minus then": said so in
    words, or "57 now (+0.0 points)" reads as a contradiction.
    """
    test = change.test
    if test is None or test.name != "paired" or test.linked is None:
        return None
    if change.baseline.n == test.linked and change.followup.n == test.linked:
        return None
    return test.linked


def sentence(change: Change, labels: dict[str, str], cuts: Sequence[float] = ()) -> str:
    """What happened to one principle, in plain words first and the statistics after.

    ``cuts`` are the band starts: scores show as in every other report (rounded down, so a
    49.6 in the band from 50 reads 49, never 50).
    """
    before, after = change.baseline.score, change.followup.score
    name = change.name
    stayers = _stayers(change)
    # Beside a change to one decimal, the scores it is the difference of, to one decimal too.
    digits = 1 if change.difference is not None and stayers is None else 0
    then, now = _points(before, cuts, digits), _points(after, cuts, digits)
    if change.difference is None or before is None or after is None:
        return f"{name}: {then} then, {now} now; {change.note}."
    difference = shown_change(change, cuts) or 0.0
    band = ""
    if change.band_moved:
        moved = (f"from {labels.get(change.baseline.band or '', change.baseline.band)} to "
                 f"{labels.get(change.followup.band or '', change.followup.band)}")
        band = (f" It moved band, {moved}." if change.significant else
                f" Its band changed, {moved}, but within noise.")
    if change.ci95 is None or change.test is None:
        return (f"{name}: {then} then, {now} now ({_signed(difference)} "
                f"points); {change.note or 'no test'}.{band}")
    adjusted = change.id != "overall"
    if change.test.p is None:
        return f"{name}: {then} then, {now} now. {_untested(change, stayers, difference)}{band}"
    low, high = change.ci95
    p = p_text(change.test.p_holm if change.test.p_holm is not None else change.test.p,
               adjusted)
    if stayers is not None:
        among = (f"the {stayers} respondents in both waves changed by "
                 f"{_signed(change.difference)} points on average (95% CI {_signed(low)} to "
                 f"{_signed(high)})")
        stats = f"(paired t-test, {p})"
        if change.significant:
            return (f"{name}: {then} then, {now} now, counting everyone who answered; {among}: "
                    f"more than noise {stats}.{band}")
        return (f"{name}: {then} then, {now} now, counting everyone who answered; {among}. "
                f"Not more than noise {stats}.{_detectable(change)}{band}")
    if change.significant:
        verb = "rose" if change.difference > 0 else "fell"
        return (f"{name} {verb} by {abs(difference):.1f} points, from {then} to "
                f"{now} (95% CI of the change {_signed(low)} to {_signed(high)}): more "
                f"than noise ({test_text(change)}, {p}).{band}")
    return (f"{name}: {then} then, {now} now ({_signed(difference)} points, "
            f"95% CI {_signed(low)} to {_signed(high)}). Not more than noise "
            f"({test_text(change)}, {p}).{_detectable(change)}{band}")


def _detectable(change: Change) -> str:
    if change.detectable is None or change.detectable <= 0:
        return ""
    return (f" With these numbers of respondents, a change of less than "
            f"{_distance(change.detectable)} points could not have been detected.")


def _untested(change: Change, stayers: int | None, shown: float) -> str:
    """Why a test gave no p-value: nobody's score varied, so there is nothing to weigh
    (``shown``: the change as the sentence shows it, :func:`shown_change`)."""
    difference = change.difference or 0.0
    test = change.test
    if test is not None and test.name == "paired":
        people = f"the {test.linked} respondents in both waves"
        if round(difference, 1) == 0:
            text = f"{people.capitalize()} gave the same scores both times: no change among them"
        else:
            text = (f"Each of {people} changed by exactly {_signed(difference)} points, so "
                    "there is no variation to test")
        if stayers is not None:
            text += "; the scores also count people who answered in one wave only"
        return text + "."
    return ("Every respondent gave the same score within each wave, so there is no "
            f"variation to test (difference {_signed(shown)} points).")


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def headline(changes: list[Change], since: str, withheld: bool = False,
             cuts: Sequence[float] = ()) -> str:
    """The lead paragraph: how many principles moved by more than noise, which way."""
    if not changes and withheld:
        return (f"Since {since}: the whole-survey figures are withheld, because comparing "
                "them could reveal individual answers (see What was not compared).")
    if not changes:
        return f"Since {since}, no principle could be compared (see What was not compared)."
    moved = [c for c in changes if c.significant]
    tested = [c.detectable for c in changes
              if _testable(c) and c.detectable is not None and c.detectable > 0]
    if not moved:
        text = f"Since {since}, no principle changed by more than noise."
        if tested:
            low, high = _distance(min(tested)), _distance(max(tested))
            span = low if low == high else f"{low} to {high}"
            text += (f" With these numbers of respondents, changes smaller than {span} points "
                     "could not have been detected, so this is not evidence of no change.")
        elif all(c.test is not None and c.test.p is None for c in changes):
            text += (" The scores did not vary enough to test any change (see each "
                     "principle).")
        return text
    parts = [f"{c.name} ({'up' if c.direction == 'up' else 'down'} "
             f"{abs(shown_change(c, cuts) or 0):.1f} points)" for c in moved]
    rest = len(changes) - len(moved)
    text = (f"Since {since}, {len(moved)} of {len(changes)} principles changed by more than "
            f"noise: {_and(parts)}.")
    if rest:
        text += (f" The other {rest} did not change detectably." if rest > 1 else
                 " The other one did not change detectably.")
    return text


def _change(change: Change, labels: dict[str, str], colours: dict[str, str],
            cuts: Sequence[float] = ()) -> Data:
    return {**change.model_dump(mode="json", by_alias=True),
            "sentence": sentence(change, labels, cuts), "test_text": test_text(change),
            "shown_difference": shown_change(change, cuts),
            "baseline_band_label": labels.get(change.baseline.band or ""),
            "followup_band_label": labels.get(change.followup.band or ""),
            "baseline_band_colour": colours.get(change.baseline.band or ""),
            "followup_band_colour": colours.get(change.followup.band or "")}


def _wave(info: WaveInfo) -> Data:
    return {**info.model_dump(mode="json"),
            "files": [PurePath(s).name for s in info.sources]}


def _pair(change: Change, strong: bool = False) -> WavePair:
    return WavePair(change.name, change.baseline.score, change.baseline.ci95,
                    change.followup.score, change.followup.ci95, strong)


def comparison_context(doc: Comparison, fmt: Format, title: str | None = None) -> Data:
    """Everything a compare template sees."""
    bands = _bands(doc.bands)
    labels = {b["id"]: b["label"] for b in bands}
    colours = {b["id"]: b["colour"] for b in bands}
    zones = [BandZone(b["label"], b["from"], b["to"], b["colour"]) for b in bands]
    since = doc.baseline.label
    rows = ([_pair(doc.overall, strong=True)] if doc.overall else []) + [
        _pair(c) for c in doc.principles]
    cuts = [b.from_ for b in doc.bands]
    summary = "; ".join(f"{c.name} {_points(c.baseline.score, cuts)} to "
                        f"{_points(c.followup.score, cuts)}"
                        for c in ([doc.overall] if doc.overall else []) + doc.principles)
    chart = wave_pairs_svg(rows, zones, baseline_name=since, followup_name=doc.followup.label,
                           label=f"Scores out of 100 in {since} and {doc.followup.label}, with "
                                 f"95% confidence intervals: {summary}.") if rows else None
    breakdowns = []
    for breakdown in doc.groups.values():
        breakdowns.append({
            "field": breakdown.field, "prompt": breakdown.prompt,
            "groups": [{**g.model_dump(mode="json"),
                        "moved": [c.name for c in g.changes if c.significant],
                        "changes": [_change(c, labels, colours, cuts) for c in g.changes]}
                       for g in breakdown.groups]})
    report = {
        "title": title or doc.title, "format": fmt,
        "generated": f"{doc.generated_at.day} {doc.generated_at:%B %Y}",
        "baseline": _wave(doc.baseline), "followup": _wave(doc.followup),
        "headline": headline(doc.principles, since, withheld=any(
            w.what.startswith("the whole survey") for w in doc.withheld), cuts=cuts),
        "overall": _change(doc.overall, labels, colours, cuts) if doc.overall else None,
        "principles": [_change(c, labels, colours, cuts) for c in doc.principles],
        "moved_band": [c.name for c in doc.principles if c.band_moved],
        "bands": bands, "chart": chart, "breakdowns": breakdowns,
        "significant_items": [i.key for i in doc.items if i.significant],
    }
    return {**doc.model_dump(mode="json", by_alias=True), "comparison":
            doc.model_dump(mode="json", by_alias=True), "report": report,
            "leadlens_version": __version__}


def trend_context(doc: Trend, fmt: Format, title: str | None = None) -> Data:
    """Everything a trend template sees."""
    bands = _bands(doc.bands)
    labels = {b["id"]: b["label"] for b in bands}
    colours = {b["id"]: b["colour"] for b in bands}
    zones = [BandZone(b["label"], b["from"], b["to"], b["colour"]) for b in bands]
    names = [w.label for w in doc.waves]
    cuts = [b.from_ for b in doc.bands]
    lines = []
    for line in [doc.overall, *doc.principles]:
        marks = [TrendMark(names[p.wave], p.score, p.ci95, p.withheld) for p in line.points]
        shown = ", ".join(f"{names[p.wave]} {_points(p.score, cuts)}" for p in line.points)
        lines.append({
            **line.model_dump(mode="json", by_alias=True),
            "chart": trend_svg(marks, zones, label=f"{line.name}, score out of 100 by wave "
                                                    f"with 95% confidence intervals: {shown}."),
            "steps": [_change(s, labels, colours, cuts) for s in line.steps],
            "since_first": _change(line.since_first, labels, colours, cuts)
            if line.since_first else None,
            "points": [{**p.model_dump(mode="json"), "wave_label": names[p.wave],
                        "band_label": labels.get(p.band or "")} for p in line.points]})
    firsts = [line.since_first for line in doc.principles if line.since_first is not None]
    report = {
        "title": title or doc.title, "format": fmt,
        "generated": f"{doc.generated_at.day} {doc.generated_at:%B %Y}",
        "waves": [_wave(w) for w in doc.waves], "wave_names": names,
        "headline": headline(firsts, names[0], cuts=cuts).replace(
            f"Since {names[0]},", f"From {names[0]} to {names[-1]},", 1),
        "lines": lines, "bands": bands,
    }
    return {**doc.model_dump(mode="json", by_alias=True),
            "trend": doc.model_dump(mode="json", by_alias=True), "report": report,
            "leadlens_version": __version__}


def render_comparison(doc: Comparison, fmt: Format, template: Path | None = None,
                      title: str | None = None) -> str:
    """Render a comparison as Markdown or self-contained HTML (located TemplateErrors)."""
    templates = make_templates(fmt, template, bundled=f"compare.{fmt}.j2")
    return render(templates, comparison_context(doc, fmt, title))


def render_trend(doc: Trend, fmt: Format, template: Path | None = None,
                 title: str | None = None) -> str:
    """Render a trend as Markdown or self-contained HTML (located TemplateErrors)."""
    templates = make_templates(fmt, template, bundled=f"trend.{fmt}.j2")
    return render(templates, trend_context(doc, fmt, title))
