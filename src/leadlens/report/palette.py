"""Colour-blind-safe colours for charts, and text colours with enough contrast on them.

Bands use a viridis-like sequence (light yellow-green for the lowest band to dark purple for
the highest), which stays ordered for every common colour-vision deficiency and in greyscale
print. Answer distributions use a diverging purple-orange sequence (ColorBrewer PuOr, marked
colour-blind safe). Pairs such as "now vs target" use Okabe-Ito blue and vermillion and also
differ in marker shape.
"""

from __future__ import annotations

# viridis anchor points, t = 0, 0.25, 0.5, 0.75, 1
_VIRIDIS = ["#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"]
# PuOr (orange = disagree end, purple = agree end), grey for the neutral midpoint
_DIVERGING = ["#b35806", "#f1a340", "#d9d9d9", "#998ec3", "#542788"]

OKABE_BLUE = "#0072B2"
OKABE_VERMILLION = "#D55E00"
INK = "#1b2733"
MUTED = "#5a6570"
UNSCORED_FILL = "#ffffff"
SUPPRESSED_FILL = "#eceff1"


def _rgb(colour: str) -> tuple[float, float, float]:
    value = colour.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    return (int(value[0:2], 16) / 255, int(value[2:4], 16) / 255, int(value[4:6], 16) / 255)


def _hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{round(min(max(c, 0.0), 1.0) * 255):02x}" for c in rgb)


def _interpolate(anchors: list[str], t: float) -> str:
    t = min(max(t, 0.0), 1.0)
    pos = t * (len(anchors) - 1)
    i = min(int(pos), len(anchors) - 2)
    frac = pos - i
    a, b = _rgb(anchors[i]), _rgb(anchors[i + 1])
    return _hex((a[0] + (b[0] - a[0]) * frac, a[1] + (b[1] - a[1]) * frac,
                 a[2] + (b[2] - a[2]) * frac))


def band_colours(count: int) -> list[str]:
    """``count`` colours for bands, lowest band first (light to dark)."""
    if count <= 1:
        return [_interpolate(_VIRIDIS, 0.45)]
    # Stop short of viridis' pale yellow end so the lowest band still shows on white.
    return [_interpolate(_VIRIDIS, 0.85 - 0.85 * i / (count - 1)) for i in range(count)]


def option_colours(count: int) -> list[str]:
    """``count`` colours for ordered answer options, lowest option first."""
    if count <= 1:
        return [_DIVERGING[2]]
    if count == len(_DIVERGING):
        return list(_DIVERGING)
    colours = [_interpolate(_DIVERGING, i / (count - 1)) for i in range(count)]
    if count % 2 == 1:
        colours[count // 2] = _DIVERGING[2]
    return colours


def tint(colour: str, strength: float) -> str:
    """``colour`` mixed with white: ``strength`` 1 is the colour itself, 0 is white."""
    r, g, b = _rgb(colour)
    return _hex((1 - (1 - r) * strength, 1 - (1 - g) * strength, 1 - (1 - b) * strength))


def relative_luminance(colour: str) -> float:
    """WCAG relative luminance of a ``#rrggbb`` colour."""

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: str, b: str) -> float:
    """WCAG contrast ratio between two colours (1 to 21)."""
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def text_on(fill: str) -> str:
    """Black or white, whichever reads better on ``fill``."""
    return "#ffffff" if contrast_ratio(fill, "#ffffff") >= contrast_ratio(fill, "#000000") \
        else "#000000"
