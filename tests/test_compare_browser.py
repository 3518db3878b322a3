"""The comparison and trend reports in a real browser: Debian's headless Chromium renders the
committed example reports with no console errors, charts drawn and untrusted text inert.

Skipped when Chromium is missing on a developer machine, but fails when ``CI`` is set (the
fixtures come from ``tests/test_report_browser.py``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from compare_fixtures import make_wave, people, wave_set
from conftest import EXAMPLES
from leadlens.report.waves import render_comparison
from leadlens.waves.engine import compare
from test_report_browser import _console, _run, chromium, decode_png

__all__ = ["chromium"]  # the fixture, imported for pytest

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("name", ["compare.html", "trend.html"])
def test_example_wave_report_renders_cleanly(chromium: str, tmp_path: Path, name: str) -> None:
    shot = tmp_path / "screenshot.png"
    result = _run(chromium, tmp_path, EXAMPLES / "waves" / name, f"--screenshot={shot}",
                  "--window-size=1280,1800")
    assert result.returncode == 0, result.stderr[-2000:]
    assert _console(result.stderr) == []
    pixels = decode_png(shot.read_bytes())
    assert pixels.shape[:2] == (1800, 1280)
    rgb = pixels[:, :, :3].reshape(-1, 3)
    assert len(np.unique(rgb[::7], axis=0)) > 150  # text, charts and bands, not a blank page
    assert tuple(int(v) for v in pixels[40, 640, :3]) == (0x12, 0x35, 0x5B)  # the cover band
    dom = _run(chromium, tmp_path, EXAMPLES / "waves" / name, "--dump-dom")
    assert "What changed since" in dom.stdout and dom.stdout.count("<svg") >= 1


def test_a_phone_screen_does_not_scroll_sideways(chromium: str, tmp_path: Path) -> None:
    page = tmp_path / "probe.html"
    html = (EXAMPLES / "waves" / "compare.html").read_text(encoding="utf-8")
    # Headless Chromium's narrowest window is 500 pixels: the page must fit it.
    probe = ("<script>var d = document.documentElement; document.title = 'overflow ' + "
             "(d.scrollWidth - d.clientWidth);</script></body>")
    page.write_text(html.replace("</body>", probe), encoding="utf-8")
    dom = _run(chromium, tmp_path, page, "--window-size=390,844", "--dump-dom").stdout
    assert "<title>overflow 0</title>" in dom, dom[:300]


def test_untrusted_group_names_stay_text_in_the_dom(chromium: str, tmp_path: Path) -> None:
    nasty = '<img src=x onerror=alert(1)><script>alert("owned")</script>'
    qs = wave_set()
    orgs = [nasty, "Beta Council"]
    doc = compare(make_wave("a", qs, people(1, 30, orgs=orgs)),
                  make_wave("b", qs, people(2, 30, orgs=orgs, prefix="B")), by=["organisation"])
    page = tmp_path / "nasty.html"
    page.write_text(render_comparison(doc, "html"), encoding="utf-8")
    result = _run(chromium, tmp_path, page, "--dump-dom")
    assert result.returncode == 0 and _console(result.stderr) == []
    assert "<script" not in result.stdout and "<img" not in result.stdout
    assert "&lt;script&gt;alert(\"owned\")&lt;/script&gt;" in result.stdout
