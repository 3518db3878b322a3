"""Inline SVG charts as pure functions: plain data in, an SVG string out.

Every chart is ``role="img"`` with an ``aria-label`` and a ``<title>`` summarising what it
shows; the report places a table with the same numbers beside it. All text is XML-escaped
here, so labels taken from question sets or responses cannot add elements or attributes.
Sizes are in SVG user units; charts scale down to the page width through ``viewBox``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from markupsafe import Markup, escape

from leadlens.report.palette import (
    INK,
    MUTED,
    OKABE_BLUE,
    OKABE_VERMILLION,
    SUPPRESSED_FILL,
    text_on,
    tint,
)

FONT = "Segoe UI, Helvetica Neue, Helvetica, Arial, sans-serif"
CHAR_WIDTH = 0.56  # average glyph width in em for the sans-serif stack above


def _n(value: float) -> str:
    """A coordinate with at most one decimal, without trailing zeros."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _esc(text: object) -> str:
    return str(escape(str(text)))


def text_width(text: str, size: float) -> float:
    """Estimated rendered width of ``text`` at font ``size``."""
    return len(text) * size * CHAR_WIDTH


def wrap(text: str, chars: int, max_lines: int) -> list[str]:
    """Greedy word wrap to ``chars`` per line; the last line ends in an ellipsis if cut."""
    words = text.split()
    lines: list[str] = []
    current = ""
    for word in words:
        while len(word) > chars:  # a very long word is cut, not overflowed
            if current:
                lines.append(current)
                current = ""
            lines.append(word[: chars - 1] + "-")
            word = word[chars - 1:]
        candidate = f"{current} {word}".strip()
        if len(candidate) <= chars:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        lines[-1] = (last[: chars - 1].rstrip() if len(last) >= chars else last) + "\u2026"
    return lines or [""]


def _svg(parts: list[str]) -> Markup:
    """The finished chart. Safe by construction: every text in ``parts`` went through
    :func:`_esc`, and every attribute value is a number or a colour from the palette."""
    return Markup("".join(parts))  # noqa: S704


def _svg_open(width: float, height: float, label: str, css_class: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="{css_class}" role="img" '
            f'viewBox="0 0 {_n(width)} {_n(height)}" width="{_n(width)}" '
            f'height="{_n(height)}" aria-label="{_esc(label)}" font-family="{FONT}">'
            f"<title>{_esc(label)}</title>")


def _text(x: float, y: float, content: str, *, size: float = 12, anchor: str = "start",
          fill: str = INK, weight: str = "normal", extra: str = "") -> str:
    weight_attr = f' font-weight="{weight}"' if weight != "normal" else ""
    return (f'<text x="{_n(x)}" y="{_n(y)}" font-size="{_n(size)}" text-anchor="{anchor}" '
            f'fill="{fill}"{weight_attr}{extra}>{_esc(content)}</text>')


def _lines(x: float, y: float, lines: Sequence[str], *, size: float = 12,
           anchor: str = "start", fill: str = INK, weight: str = "normal",
           line_height: float = 1.2) -> str:
    """Multi-line text centred vertically on ``y``."""
    top = y - (len(lines) - 1) * size * line_height / 2
    return "".join(_text(x, top + i * size * line_height + size * 0.35, line, size=size,
                         anchor=anchor, fill=fill, weight=weight)
                   for i, line in enumerate(lines))


@dataclass(frozen=True)
class BandZone:
    """A band's stretch of the 0-100 score scale."""

    label: str
    start: float
    end: float
    colour: str


@dataclass(frozen=True)
class ScoreBar:
    """One bar: a 0-100 score with its band colour and 95% confidence interval."""

    label: str
    score: float | None
    colour: str
    ci: tuple[float, float] | None = None
    value_text: str = ""
    strong: bool = False


def score_bars_svg(rows: Sequence[ScoreBar], bands: Sequence[BandZone], *, label: str,
                   width: float = 880) -> Markup:
    """Horizontal 0-100 bars in band colours, with CI whiskers and the bands along the top."""
    size = 13
    label_chars = 30
    wrapped = [wrap(r.label, label_chars, 2) for r in rows]
    left = min(max((text_width(max(w, key=len), size) for w in wrapped), default=80) + 16, 250)
    right = 56
    plot = width - left - right
    top, row_h = 44, 34
    height = top + row_h * len(rows) + 34

    def x(v: float) -> float:
        return left + plot * min(max(v, 0.0), 100.0) / 100

    out = [_svg_open(width, height, label, "chart chart-bars")]
    for band in bands:  # band strip and names along the top, faint zones behind the bars
        x0, x1 = x(band.start), x(band.end)
        out.append(f'<rect x="{_n(x0)}" y="24" width="{_n(x1 - x0)}" height="8" '
                   f'fill="{band.colour}" stroke="#ffffff" stroke-width="1"/>')
        out.append(_text((x0 + x1) / 2, 17, band.label, size=11, anchor="middle", fill=MUTED))
        if band.start > 0:
            out.append(f'<line x1="{_n(x0)}" y1="34" x2="{_n(x0)}" y2="{_n(height - 30)}" '
                       f'stroke="#c5ccd3" stroke-dasharray="3 3"/>')
    for i, (row, lines) in enumerate(zip(rows, wrapped, strict=True)):
        mid = top + i * row_h + row_h / 2
        weight = "bold" if row.strong else "normal"
        out.append(_lines(left - 10, mid, lines, size=size, anchor="end", weight=weight))
        if row.score is None:
            out.append(_text(left + 4, mid + 4, "no score", size=12, fill=MUTED,
                             extra=' font-style="italic"'))
            continue
        out.append(f'<rect x="{_n(left)}" y="{_n(mid - 9)}" width="{_n(x(row.score) - left)}" '
                   f'height="18" fill="{row.colour}" stroke="{INK}" stroke-width="0.75"/>')
        end = x(row.score)
        if row.ci is not None:
            lo, hi = x(row.ci[0]), x(row.ci[1])
            out.append(f'<path d="M{_n(lo)} {_n(mid)}H{_n(hi)}M{_n(lo)} {_n(mid - 6)}'
                       f'V{_n(mid + 6)}M{_n(hi)} {_n(mid - 6)}V{_n(mid + 6)}" '
                       f'stroke="{INK}" stroke-width="1.5" fill="none"/>')
            end = max(end, hi)
        out.append(_text(end + 6, mid + 4.5, row.value_text, size=size, weight="bold"))
    axis_y = height - 24
    out.append(f'<line x1="{_n(left)}" y1="{_n(axis_y)}" x2="{_n(left + plot)}" '
               f'y2="{_n(axis_y)}" stroke="{MUTED}"/>')
    for tick in range(0, 101, 20):
        out.append(f'<line x1="{_n(x(tick))}" y1="{_n(axis_y)}" x2="{_n(x(tick))}" '
                   f'y2="{_n(axis_y + 4)}" stroke="{MUTED}"/>')
        out.append(_text(x(tick), axis_y + 16, str(tick), size=11, anchor="middle", fill=MUTED))
    out.append("</svg>")
    return _svg(out)


def score_bars_narrow_svg(rows: Sequence[ScoreBar], bands: Sequence[BandZone], *,
                          label: str, width: float = 360) -> Markup:
    """The score bars laid out for a phone: each label on its own line above its bar.

    Drawn at about the width a phone shows it, so its text stays at its own size (13 px)
    instead of shrinking with a wide chart's ``viewBox``.
    """
    size = 13
    left, right = 4, 40
    plot = width - left - right
    top, label_h, bar_h = 38, 18, 26
    wrapped = [wrap(r.label, 44, 2) for r in rows]
    heights = [label_h * len(w) + bar_h for w in wrapped]
    height = top + sum(heights) + 30

    def x(v: float) -> float:
        return left + plot * min(max(v, 0.0), 100.0) / 100

    out = [_svg_open(width, height, label, "chart chart-bars chart-narrow")]
    for band in bands:
        x0, x1 = x(band.start), x(band.end)
        out.append(f'<rect x="{_n(x0)}" y="14" width="{_n(x1 - x0)}" height="8" '
                   f'fill="{band.colour}" stroke="#ffffff" stroke-width="1"/>')
    # No band names on the strip: a phone has no room for them; the legend below names them.
    y = float(top)
    for row, lines, h in zip(rows, wrapped, heights, strict=True):
        weight = "bold" if row.strong else "normal"
        for k, line in enumerate(lines):
            out.append(_text(left, y + size + k * label_h, line, size=size, weight=weight))
        mid = y + label_h * len(lines) + bar_h / 2 - 2
        if row.score is None:
            out.append(_text(left, mid + 4, "no score", size=12, fill=MUTED,
                             extra=' font-style="italic"'))
        else:
            out.append(f'<rect x="{_n(left)}" y="{_n(mid - 8)}" '
                       f'width="{_n(x(row.score) - left)}" height="16" fill="{row.colour}" '
                       f'stroke="{INK}" stroke-width="0.75"/>')
            end = x(row.score)
            if row.ci is not None:
                lo, hi = x(row.ci[0]), x(row.ci[1])
                out.append(f'<path d="M{_n(lo)} {_n(mid)}H{_n(hi)}M{_n(lo)} {_n(mid - 5)}'
                           f'V{_n(mid + 5)}M{_n(hi)} {_n(mid - 5)}V{_n(mid + 5)}" '
                           f'stroke="{INK}" stroke-width="1.5" fill="none"/>')
                end = max(end, hi)
            out.append(_text(min(end + 5, width - 30), mid + 4.5, row.value_text, size=size,
                             weight="bold"))
        y += h
    axis_y = height - 22
    out.append(f'<line x1="{_n(left)}" y1="{_n(axis_y)}" x2="{_n(left + plot)}" '
               f'y2="{_n(axis_y)}" stroke="{MUTED}"/>')
    for tick in range(0, 101, 20):
        out.append(_text(x(tick), axis_y + 15, str(tick), size=11,
                         anchor="start" if tick == 0 else "middle", fill=MUTED))
    out.append("</svg>")
    return _svg(out)


@dataclass(frozen=True)
class RadarAxis:
    """One spoke of the radar: a principle and its 0-100 score (None = no score)."""

    label: str
    value: float | None
    value_text: str = ""


def radar_svg(axes: Sequence[RadarAxis], bands: Sequence[BandZone], *, label: str,
              width: float = 520, height: float = 440) -> Markup:
    """A radar (spider) chart of 0-100 scores with the bands as shaded rings."""
    cx, cy = width / 2, height / 2 + 6
    radius = min(width, height) / 2 - 72
    count = len(axes)

    def point(index: int, value: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * index / count
        r = radius * min(max(value, 0.0), 100.0) / 100
        return cx + r * math.cos(angle), cy + r * math.sin(angle)

    def ring(value: float) -> str:
        return " ".join(f"{_n(px)},{_n(py)}" for px, py in
                        (point(i, value) for i in range(count)))

    out = [_svg_open(width, height, label, "chart chart-radar")]
    for band in sorted(bands, key=lambda b: -b.end):  # outer bands first, inner on top
        out.append(f'<polygon points="{ring(band.end)}" fill="{tint(band.colour, 0.18)}" '
                   f'stroke="#b0b8c0" stroke-width="0.75"/>')
    for i in range(count):
        px, py = point(i, 100)
        out.append(f'<line x1="{_n(cx)}" y1="{_n(cy)}" x2="{_n(px)}" y2="{_n(py)}" '
                   f'stroke="#b0b8c0" stroke-width="0.75"/>')
    for band in bands:
        if 0 < band.start < 100:
            px, py = point(0, band.start)
            out.append(_text(px + 4, py + 4, f"{band.start:g}", size=10, fill=MUTED))
    scored = [(i, a.value) for i, a in enumerate(axes) if a.value is not None]
    if len(scored) >= 2:
        pts = " ".join(f"{_n(px)},{_n(py)}" for px, py in (point(i, v) for i, v in scored))
        out.append(f'<polygon points="{pts}" fill="{OKABE_BLUE}" fill-opacity="0.22" '
                   f'stroke="{OKABE_BLUE}" stroke-width="2.5" stroke-linejoin="round"/>')
    for i, value in scored:
        px, py = point(i, value)
        out.append(f'<circle cx="{_n(px)}" cy="{_n(py)}" r="4.5" fill="{OKABE_BLUE}" '
                   f'stroke="#ffffff" stroke-width="1.5"/>')
    for i, axis in enumerate(axes):
        angle = -math.pi / 2 + 2 * math.pi * i / count
        lx = cx + (radius + 16) * math.cos(angle)
        ly = cy + (radius + 16) * math.sin(angle)
        cos = math.cos(angle)
        anchor = "middle" if abs(cos) < 0.3 else ("start" if cos > 0 else "end")
        lines = wrap(axis.label, 18, 2)
        text = axis.value_text if axis.value is not None else "no score"
        block = len(lines) + 1
        sin = math.sin(angle)
        shift = (block - 1) * 14 / 2 * (1 if sin > 0.3 else (-1 if sin < -0.3 else 0))
        out.append(_lines(lx, ly + shift - 7, lines, size=12.5, anchor=anchor))
        out.append(_text(lx, ly + shift + (len(lines) - 1) * 7.5 + 12, text, size=12.5,
                         anchor=anchor, weight="bold", fill=OKABE_BLUE if axis.value is not None
                         else MUTED))
    out.append("</svg>")
    return _svg(out)


@dataclass(frozen=True)
class HeatCell:
    """One cell: the text shown, its fill colour and a tooltip."""

    text: str
    fill: str
    tooltip: str = ""


@dataclass(frozen=True)
class HeatRow:
    """A row of cells, or a ``note`` (such as "fewer than 5") across the whole row."""

    label: str
    cells: Sequence[HeatCell | None] = field(default_factory=list)
    note: str | None = None


def heatmap_svg(columns: Sequence[str], rows: Sequence[HeatRow], *, label: str) -> Markup:
    """A group x principle grid of coloured cells, each showing its score."""
    size = 12
    row_labels = [wrap(r.label, 30, 2) for r in rows]
    left = min(max((text_width(line, size) for lines in row_labels for line in lines),
                   default=60) + 14, 230)
    col_w, row_h = 96, 34
    col_lines = [wrap(c, 13, 3) for c in columns]  # 13 bold characters fit a 96-unit column
    head = 16 + 14 * max((len(c) for c in col_lines), default=1)
    width = left + col_w * len(columns) + 4
    height = head + row_h * len(rows) + 4
    out = [_svg_open(width, height, label, "chart chart-heatmap")]
    for j, lines in enumerate(col_lines):
        cx = left + col_w * j + col_w / 2
        base = head - 8 - (len(lines) - 1) * 14
        out.extend(_text(cx, base + k * 14, line, size=11, anchor="middle", weight="bold")
                   for k, line in enumerate(lines))
    for i, (row, row_label) in enumerate(zip(rows, row_labels, strict=True)):
        y = head + row_h * i
        tip = f"<title>{_esc(row.label)}</title>" if " ".join(row_label) != row.label else ""
        out.append(f"<g>{tip}{_lines(left - 8, y + row_h / 2, row_label, size=size, anchor='end')}"
                   "</g>")
        if row.note is not None:
            out.append(f'<rect x="{_n(left + 1)}" y="{_n(y + 1)}" '
                       f'width="{_n(col_w * len(columns) - 2)}" height="{_n(row_h - 2)}" '
                       f'fill="{SUPPRESSED_FILL}" stroke="#c5ccd3" stroke-dasharray="4 3"/>')
            out.append(_text(left + col_w * len(columns) / 2, y + row_h / 2 + 4, row.note,
                             size=11.5, anchor="middle", fill=MUTED,
                             extra=' font-style="italic"'))
            continue
        for j, cell in enumerate(row.cells):
            x0 = left + col_w * j
            if cell is None:
                out.append(_text(x0 + col_w / 2, y + row_h / 2 + 4, "\u2014", size=size,
                                 anchor="middle", fill=MUTED))
                continue
            tooltip = f"<title>{_esc(cell.tooltip)}</title>" if cell.tooltip else ""
            out.append(f'<g>{tooltip}<rect x="{_n(x0 + 1)}" y="{_n(y + 1)}" '
                       f'width="{_n(col_w - 2)}" height="{_n(row_h - 2)}" fill="{cell.fill}"/>'
                       + _text(x0 + col_w / 2, y + row_h / 2 + 4.5, cell.text, size=12.5,
                               anchor="middle", fill=text_on(cell.fill), weight="bold")
                       + "</g>")
    out.append("</svg>")
    return _svg(out)


@dataclass(frozen=True)
class Segment:
    """Part of a 100% stacked bar: an answer option and how many chose it."""

    label: str
    count: int
    colour: str
    dashed: bool = False


def distribution_svg(segments: Sequence[Segment], *, label: str, width: float = 260,
                     height: float = 22) -> Markup:
    """One 100% stacked bar of answer counts; counts are written inside wide segments."""
    total = sum(s.count for s in segments)
    out = [_svg_open(width, height, label, "chart chart-dist")]
    if total == 0:
        out.append(_text(2, height / 2 + 4, "no answers", size=11, fill=MUTED,
                         extra=' font-style="italic"'))
    x = 0.5
    inner = width - 1
    for seg in segments:
        if seg.count == 0:
            continue
        w = inner * seg.count / total
        dash = ' stroke-dasharray="3 2"' if seg.dashed else ""
        out.append(f'<rect x="{_n(x)}" y="0.5" width="{_n(w)}" height="{_n(height - 1)}" '
                   f'fill="{seg.colour}" stroke="{INK if seg.dashed else "#ffffff"}" '
                   f'stroke-width="{"0.75" if seg.dashed else "1"}"{dash}/>')
        if w >= 8 + 7 * len(str(seg.count)):
            out.append(_text(x + w / 2, height / 2 + 4, str(seg.count), size=11,
                             anchor="middle", fill=text_on(seg.colour)))
        x += w
    if total:
        out.append(f'<rect x="0.5" y="0.5" width="{_n(inner)}" height="{_n(height - 1)}" '
                   f'fill="none" stroke="{INK}" stroke-width="0.75"/>')
    out.append("</svg>")
    return _svg(out)


@dataclass(frozen=True)
class Dumbbell:
    """Two values on one row, e.g. now and in 12 months, or organisation and system hat."""

    label: str
    start: float | None
    end: float | None


def dumbbell_narrow_svg(rows: Sequence[Dumbbell], *, domain: tuple[float, float],
                        ticks: Sequence[tuple[float, str]], start_name: str, end_name: str,
                        label: str, width: float = 360) -> Markup:
    """The dumbbell laid out for a phone: each label above its row, at its own size."""
    size = 13
    left, right = 14, 14
    plot = width - left - right
    lo, hi = domain
    wrapped = [wrap(r.label, 44, 3) for r in rows]
    heights = [18 * len(w) + 24 for w in wrapped]
    tick_lines = [wrap(t, 9, 2) for _, t in ticks]
    top = 34
    bottom = 20 + 13 * max((len(t) for t in tick_lines), default=1)
    height = top + sum(heights) + bottom

    def x(v: float) -> float:
        return left + plot * (min(max(v, lo), hi) - lo) / (hi - lo or 1)

    out = [_svg_open(width, height, label, "chart chart-dumbbell chart-narrow")]
    out.append(f'<circle cx="{_n(left)}" cy="14" r="5.5" fill="{OKABE_BLUE}"/>')
    out.append(_text(left + 10, 18, start_name, size=12))
    offset = left + 30 + text_width(start_name, 12)
    out.append(f'<path d="M{_n(offset)} 8l6 6-6 6-6-6z" fill="{OKABE_VERMILLION}"/>')
    out.append(_text(offset + 12, 18, end_name, size=12))
    y = float(top)
    for row, lines, h in zip(rows, wrapped, heights, strict=True):
        for k, line in enumerate(lines):
            out.append(_text(2, y + size + k * 18, line, size=size))
        mid = y + 18 * len(lines) + 12
        for value, _ in ticks:
            out.append(f'<line x1="{_n(x(value))}" y1="{_n(mid - 6)}" x2="{_n(x(value))}" '
                       f'y2="{_n(mid + 6)}" stroke="#dde2e7"/>')
        if row.start is not None and row.end is not None:
            out.append(f'<line x1="{_n(x(row.start))}" y1="{_n(mid)}" x2="{_n(x(row.end))}" '
                       f'y2="{_n(mid)}" stroke="{MUTED}" stroke-width="2.5"/>')
        if row.start is not None:
            out.append(f'<circle cx="{_n(x(row.start))}" cy="{_n(mid)}" r="6" '
                       f'fill="{OKABE_BLUE}" stroke="#ffffff" stroke-width="1.5"/>')
        if row.end is not None:
            ex = x(row.end)
            out.append(f'<path d="M{_n(ex)} {_n(mid - 7.5)}l7.5 7.5-7.5 7.5-7.5-7.5z" '
                       f'fill="{OKABE_VERMILLION}" stroke="#ffffff" stroke-width="1.5"/>')
        y += h
    axis_y = top + sum(heights)
    out.append(f'<line x1="{_n(left)}" y1="{_n(axis_y)}" x2="{_n(left + plot)}" '
               f'y2="{_n(axis_y)}" stroke="{MUTED}"/>')
    for i, ((value, _), lines) in enumerate(zip(ticks, tick_lines, strict=True)):
        # the end ticks' labels align inwards, so a narrow chart does not clip them
        anchor = "start" if i == 0 else "end" if i == len(ticks) - 1 else "middle"
        tx = x(value) - (6 if anchor == "start" else -6 if anchor == "end" else 0)
        out.extend(_text(tx, axis_y + 15 + 13 * k, line, size=11, anchor=anchor, fill=MUTED)
                   for k, line in enumerate(lines))
    out.append("</svg>")
    return _svg(out)


def dumbbell_svg(rows: Sequence[Dumbbell], *, domain: tuple[float, float],
                 ticks: Sequence[tuple[float, str]], start_name: str, end_name: str,
                 label: str, width: float = 900) -> Markup:
    """Rows of two markers joined by a line: a circle for the start, a diamond for the end.

    Labels wrap to two wide lines rather than three narrow ones, so the chart stays short
    enough to print at a legible size.
    """
    size = 12
    wrapped = [wrap(r.label, 60, 2) for r in rows]
    left = min(max((text_width(max(w, key=len), size) for w in wrapped), default=80) + 18, 420)
    right = 30
    plot = width - left - right
    lo, hi = domain
    top = 34
    heights = [max(30.0, 15 * len(w) + 10) for w in wrapped]
    tick_lines = [wrap(t, 13, 2) for _, t in ticks]
    bottom = 18 + 14 * max((len(t) for t in tick_lines), default=1)
    height = top + sum(heights) + bottom

    def x(v: float) -> float:
        return left + plot * (min(max(v, lo), hi) - lo) / (hi - lo or 1)

    out = [_svg_open(width, height, label, "chart chart-dumbbell")]
    out.append(f'<circle cx="{_n(left + 6)}" cy="14" r="5.5" fill="{OKABE_BLUE}"/>')
    out.append(_text(left + 16, 18, start_name, size=12))
    offset = left + 30 + text_width(start_name, 12)
    out.append(f'<path d="M{_n(offset)} 8l6 6-6 6-6-6z" fill="{OKABE_VERMILLION}"/>')
    out.append(_text(offset + 12, 18, end_name, size=12))
    axis_y = top + sum(heights)
    for value, _ in ticks:
        out.append(f'<line x1="{_n(x(value))}" y1="{_n(top)}" x2="{_n(x(value))}" '
                   f'y2="{_n(axis_y)}" stroke="#dde2e7"/>')
    y = float(top)
    for row, lines, h in zip(rows, wrapped, heights, strict=True):
        mid = y + h / 2
        out.append(_lines(left - 12, mid, lines, size=size, anchor="end"))
        if row.start is not None and row.end is not None:
            out.append(f'<line x1="{_n(x(row.start))}" y1="{_n(mid)}" x2="{_n(x(row.end))}" '
                       f'y2="{_n(mid)}" stroke="{MUTED}" stroke-width="2.5"/>')
        if row.start is not None:
            out.append(f'<circle cx="{_n(x(row.start))}" cy="{_n(mid)}" r="6" '
                       f'fill="{OKABE_BLUE}" stroke="#ffffff" stroke-width="1.5"/>')
        if row.end is not None:
            ex = x(row.end)
            out.append(f'<path d="M{_n(ex)} {_n(mid - 7.5)}l7.5 7.5-7.5 7.5-7.5-7.5z" '
                       f'fill="{OKABE_VERMILLION}" stroke="#ffffff" stroke-width="1.5"/>')
        if row.start is None and row.end is None:
            out.append(_text(left + 4, mid + 4, "no answers", size=11, fill=MUTED,
                             extra=' font-style="italic"'))
        y += h
    out.append(f'<line x1="{_n(left)}" y1="{_n(axis_y)}" x2="{_n(left + plot)}" '
               f'y2="{_n(axis_y)}" stroke="{MUTED}"/>')
    for (value, _), lines in zip(ticks, tick_lines, strict=True):
        out.extend(_text(x(value), axis_y + 15 + 13 * k, line, size=10.5, anchor="middle",
                         fill=MUTED) for k, line in enumerate(lines))
    out.append("</svg>")
    return _svg(out)
