"""Inline SVG charts of waves: two waves side by side, and a trend line per principle.

As in :mod:`leadlens.report.charts`: pure functions, ``role="img"`` with a summarising
``aria-label`` and ``<title>``, every text escaped, a table with the same numbers beside each.
Baseline and follow-up use Okabe-Ito blue and vermillion and differ in marker shape too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from leadlens.questionset.model import score_text
from leadlens.report.charts import (
    BandZone,
    _lines,
    _n,
    _svg,
    _svg_open,
    _text,
    text_width,
    wrap,
)
from leadlens.report.palette import INK, MUTED, OKABE_BLUE, OKABE_VERMILLION, tint


@dataclass(frozen=True)
class WavePair:
    """One principle in two waves: scores and 95% intervals (None: no score or withheld)."""

    label: str
    baseline: float | None
    baseline_ci: tuple[float, float] | None
    followup: float | None
    followup_ci: tuple[float, float] | None
    strong: bool = False


def _whisker(x0: float, x1: float, y: float, colour: str) -> str:
    return (f'<path d="M{_n(x0)} {_n(y)}H{_n(x1)}M{_n(x0)} {_n(y - 4)}V{_n(y + 4)}'
            f'M{_n(x1)} {_n(y - 4)}V{_n(y + 4)}" stroke="{colour}" stroke-width="1.5" '
            'fill="none"/>')


def _circle(x: float, y: float, colour: str, r: float = 5.5) -> str:
    return (f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(r)}" fill="{colour}" stroke="#ffffff" '
            'stroke-width="1.5"/>')


def _diamond(x: float, y: float, colour: str, r: float = 7) -> str:
    return (f'<path d="M{_n(x)} {_n(y - r)}l{_n(r)} {_n(r)}-{_n(r)} {_n(r)}-{_n(r)}-{_n(r)}z" '
            f'fill="{colour}" stroke="#ffffff" stroke-width="1.5"/>')


def wave_pairs_svg(rows: Sequence[WavePair], bands: Sequence[BandZone], *, baseline_name: str,
                   followup_name: str, label: str, width: float = 880) -> Markup:
    """Per row, the baseline (circle, upper) and follow-up (diamond, lower) with CI whiskers."""
    size = 13
    wrapped = [wrap(r.label, 30, 2) for r in rows]
    left = min(max((text_width(max(w, key=len), size) for w in wrapped), default=80) + 16, 250)
    right = 24
    plot = width - left - right
    top, row_h = 62, 44
    height = top + row_h * len(rows) + 34

    def x(v: float) -> float:
        return left + plot * min(max(v, 0.0), 100.0) / 100

    out = [_svg_open(width, height, label, "chart chart-waves")]
    out.append(_circle(left + 6, 12, OKABE_BLUE))
    out.append(_text(left + 16, 16, baseline_name, size=12))
    offset = left + 34 + text_width(baseline_name, 12)
    out.append(_diamond(offset, 12, OKABE_VERMILLION))
    out.append(_text(offset + 12, 16, followup_name, size=12))
    for band in bands:
        x0, x1 = x(band.start), x(band.end)
        out.append(f'<rect x="{_n(x0)}" y="{_n(top - 16)}" width="{_n(x1 - x0)}" height="6" '
                   f'fill="{band.colour}" stroke="#ffffff" stroke-width="1"/>')
        out.append(_text((x0 + x1) / 2, top - 22, band.label, size=11, anchor="middle",
                         fill=MUTED))
        out.append(f'<rect x="{_n(x0)}" y="{_n(top - 8)}" width="{_n(x1 - x0)}" '
                   f'height="{_n(row_h * len(rows) + 8)}" fill="{tint(band.colour, 0.12)}"/>')
    for i, (row, lines) in enumerate(zip(rows, wrapped, strict=True)):
        mid = top + i * row_h + row_h / 2
        out.append(_lines(left - 10, mid, lines, size=size, anchor="end",
                          weight="bold" if row.strong else "normal"))
        if row.baseline is None and row.followup is None:
            out.append(_text(left + 4, mid + 4, "not shown", size=12, fill=MUTED,
                             extra=' font-style="italic"'))
            continue
        up, down = mid - 8, mid + 8
        if row.baseline is not None and row.followup is not None:
            out.append(f'<line x1="{_n(x(row.baseline))}" y1="{_n(up)}" '
                       f'x2="{_n(x(row.followup))}" y2="{_n(down)}" stroke="{MUTED}" '
                       'stroke-width="1" stroke-dasharray="2 2"/>')
        if row.baseline is not None:
            if row.baseline_ci is not None:
                out.append(_whisker(x(row.baseline_ci[0]), x(row.baseline_ci[1]), up,
                                    OKABE_BLUE))
            out.append(_circle(x(row.baseline), up, OKABE_BLUE))
        if row.followup is not None:
            if row.followup_ci is not None:
                out.append(_whisker(x(row.followup_ci[0]), x(row.followup_ci[1]), down,
                                    OKABE_VERMILLION))
            out.append(_diamond(x(row.followup), down, OKABE_VERMILLION))
    axis_y = height - 24
    out.append(f'<line x1="{_n(left)}" y1="{_n(axis_y)}" x2="{_n(left + plot)}" '
               f'y2="{_n(axis_y)}" stroke="{MUTED}"/>')
    for tick in range(0, 101, 20):
        out.append(f'<line x1="{_n(x(tick))}" y1="{_n(axis_y)}" x2="{_n(x(tick))}" '
                   f'y2="{_n(axis_y + 4)}" stroke="{MUTED}"/>')
        out.append(_text(x(tick), axis_y + 16, str(tick), size=11, anchor="middle", fill=MUTED))
    out.append("</svg>")
    return _svg(out)


@dataclass(frozen=True)
class TrendMark:
    """One wave on a trend line (score None: no score, or withheld)."""

    wave: str
    score: float | None
    ci: tuple[float, float] | None
    withheld: bool = False


def trend_svg(marks: Sequence[TrendMark], bands: Sequence[BandZone], *, label: str,
              width: float = 440, height: float = 230) -> Markup:
    """A line through the waves' scores with 95% whiskers, bands shaded behind, y 0-100."""
    left, right, top, bottom = 36, 16, 12, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    count = max(len(marks), 1)

    def x(i: int) -> float:
        return left + plot_w * (i + 0.5) / count

    def y(v: float) -> float:
        return top + plot_h * (1 - min(max(v, 0.0), 100.0) / 100)

    out = [_svg_open(width, height, label, "chart chart-trend")]
    for band in bands:
        out.append(f'<rect x="{_n(left)}" y="{_n(y(band.end))}" width="{_n(plot_w)}" '
                   f'height="{_n(y(band.start) - y(band.end))}" '
                   f'fill="{tint(band.colour, 0.18)}"/>')
    for tick in range(0, 101, 25):
        out.append(f'<line x1="{_n(left)}" y1="{_n(y(tick))}" x2="{_n(left + plot_w)}" '
                   f'y2="{_n(y(tick))}" stroke="#dde2e7"/>')
        out.append(_text(left - 6, y(tick) + 4, str(tick), size=10.5, anchor="end", fill=MUTED))
    points = [(x(i), y(m.score)) for i, m in enumerate(marks) if m.score is not None]
    if len(points) >= 2:
        path = "M" + "L".join(f"{_n(px)} {_n(py)}" for px, py in points)
        out.append(f'<path d="{path}" stroke="{INK}" stroke-width="2" fill="none"/>')
    for i, mark in enumerate(marks):
        cx = x(i)
        for k, line in enumerate(wrap(mark.wave, 14, 2)):
            out.append(_text(cx, height - bottom + 16 + 12 * k, line, size=11, anchor="middle",
                             fill=MUTED))
        if mark.score is None:
            out.append(_text(cx, top + plot_h / 2, "withheld" if mark.withheld else "no score",
                             size=11, anchor="middle", fill=MUTED, extra=' font-style="italic"'))
            continue
        if mark.ci is not None:
            y0, y1 = y(mark.ci[0]), y(mark.ci[1])
            out.append(f'<path d="M{_n(cx)} {_n(y0)}V{_n(y1)}M{_n(cx - 5)} {_n(y0)}'
                       f'H{_n(cx + 5)}M{_n(cx - 5)} {_n(y1)}H{_n(cx + 5)}" stroke="{INK}" '
                       'stroke-width="1.5" fill="none"/>')
        out.append(_circle(cx, y(mark.score), OKABE_BLUE))
        # The one display rule (rounded down), as in the table beside the chart.
        shown = score_text(mark.score, [band.start for band in bands])
        out.append(_text(cx + 9, y(mark.score) - 6, shown, size=11,
                         weight="bold"))
    out.append("</svg>")
    return _svg(out)
