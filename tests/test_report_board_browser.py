"""The example report printed to A4 and read on a phone, in a real Chromium.

* Print: ``chromium --print-to-pdf``, then poppler's ``pdfinfo`` (pages), ``pdftoppm`` (how
  full each page is) and ``pdftotext`` (no question's row is split across two pages).
* Phone: chromedriver's mobile emulation gives a true 390 px viewport (headless Chromium's
  window is never narrower than 500 px); a script measures every visible text's rendered
  size, SVG chart text included.

Needs Debian's ``chromium``, ``chromium-driver`` and ``poppler-utils`` (``.ci/run`` installs
them). Skipped when missing on a developer machine, but fails when ``CI`` is set.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from browser_support import TEXT_SIZES, chromedriver, phone
from conftest import EXAMPLES
from leadlens.questionset.loading import load_question_set

pytestmark = pytest.mark.slow

EXAMPLE = EXAMPLES / "report.html"
MAX_PAGES = 10
MIN_FILL = 0.5
"""No printed page may be more than half empty."""
MIN_TEXT_PX = 10.5
"""The smallest text a phone shows (CSS px); the wide charts used to shrink to about 5."""
PRINT_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
               "--host-resolver-rules=MAP * ~NOTFOUND", "--no-pdf-header-footer"]


def _need(*tools: str) -> dict[str, str]:
    found = {t: shutil.which(t) for t in tools}
    missing = [t for t, path in found.items() if path is None]
    if missing:
        message = f"needs {', '.join(missing)} (apt-get install chromium chromium-driver " \
                  "poppler-utils)"
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(message + ", and CI is set")
        pytest.skip(message)
    return {t: p for t, p in found.items() if p is not None}


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pdf = tmp_path_factory.mktemp("print") / "report.pdf"
    print_pdf(EXAMPLE, pdf)
    return pdf


def page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    found = re.search(r"^Pages:\s+(\d+)", info.stdout, re.M)
    assert found is not None
    return int(found.group(1))


def page_fill(pdf: Path, folder: Path) -> list[float]:
    """How far down each page's printable area its last non-white pixel row is (0-1)."""
    subprocess.run(["pdftoppm", "-r", "30", "-gray", str(pdf), str(folder / "page")],
                   check=True)
    fills = []
    for image in sorted(folder.glob("page*.pgm")):
        data = image.read_bytes()
        magic, size, _depth, rest = data.split(b"\n", 3)
        assert magic == b"P5"
        width, height = map(int, size.split())
        pixels = np.frombuffer(rest[-width * height:], dtype=np.uint8).reshape(height, width)
        inked = np.flatnonzero((pixels < 245).any(axis=1))
        top, bottom = height * 12 / 297, height * (297 - 13) / 297  # the @page margins
        fills.append(float((inked.max() - top) / (bottom - top)) if inked.size else 0.0)
    return fills


def test_the_example_prints_on_at_most_ten_full_a4_pages(printed: Path, tmp_path: Path) -> None:
    pages = page_count(printed)
    assert 3 <= pages <= MAX_PAGES
    fills = page_fill(printed, tmp_path)
    assert len(fills) == pages
    assert min(fills) >= MIN_FILL, fills


def split_rows(pdf: Path) -> tuple[list[str], int]:
    """Answer keys whose row starts on one page and ends (with the key) on another."""
    qs = load_question_set(None)
    pages = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                           text=True, check=True).stdout.split("\f")
    flat = [" ".join(page.split()) for page in pages]
    split, checked = [], 0
    for question in qs.questions:
        if question.type != "rating":
            continue
        start = " ".join(question.text.split()[:4])
        for key in question.answer_keys:
            holding = [i for i, page in enumerate(flat) if re.search(
                rf"(?<![\w@-]){re.escape(key)}(?![\w@-])", page)]
            if not any(start in flat[i] for i in holding):
                split.append(key)
            checked += 1
    return split, checked


def print_pdf(page: Path, pdf: Path) -> None:
    tools = _need("chromium", "pdfinfo", "pdftoppm", "pdftotext")
    subprocess.run([tools["chromium"], *PRINT_FLAGS, f"--user-data-dir={pdf.parent / 'p'}",
                    f"--print-to-pdf={pdf}", page.resolve().as_uri()],
                   capture_output=True, timeout=180, check=True)


def test_no_question_row_is_split_across_pages(printed: Path) -> None:
    """A row's answer key (after its text) is on the page where its text starts."""
    split, checked = split_rows(printed)
    assert checked >= 50
    assert split == []


def test_a_split_row_would_be_found(tmp_path: Path) -> None:
    """The check above can fail: rows made tall and breakable do split across pages."""
    page = tmp_path / "breakable.html"
    page.write_text(EXAMPLE.read_text(encoding="utf-8").replace(
        "</style>", "@media print { tr, tbody th, td { break-inside: auto !important; } "
                    "table.items tbody th { line-height: 9 !important; } }</style>", 1),
        encoding="utf-8")
    pdf = tmp_path / "breakable.pdf"
    print_pdf(page, pdf)
    split, _ = split_rows(pdf)
    assert split


def test_a_phone_shows_every_text_at_a_legible_size(tmp_path: Path) -> None:
    tools = _need("chromium", "chromedriver")
    driver = chromedriver()
    assert driver is not None
    with phone(driver, tools["chromium"], width=390) as browser:
        browser.open(EXAMPLE)
        seen = browser.run(TEXT_SIZES)
        browser.screenshot(tmp_path / "phone.png")
    assert seen["width"] == 390
    assert seen["scrollWidth"] <= 390  # the page itself never scrolls sideways
    texts = seen["texts"]
    charts = [t for t in texts if t["chart"]]
    assert len(charts) > 100  # chart text was measured, not only the page's
    small = [t for t in texts if t["size"] < MIN_TEXT_PX]
    assert small == [], small[:10]
    assert (tmp_path / "phone.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_wide_charts_would_be_illegible_on_a_phone(tmp_path: Path) -> None:
    """The check above can fail: shown on a phone, the wide charts' text is far too small."""
    tools = _need("chromium", "chromedriver")
    driver = chromedriver()
    assert driver is not None
    page = tmp_path / "wide.html"
    page.write_text(EXAMPLE.read_text(encoding="utf-8").replace(
        "</style>", ".wide-chart { display: block !important; }"
                    ".narrow-chart { display: none !important; }</style>", 1),
        encoding="utf-8")
    with phone(driver, tools["chromium"], width=390) as browser:
        browser.open(page)
        seen = browser.run(TEXT_SIZES)
    sizes = [t["size"] for t in seen["texts"] if t["chart"] and "chart-bars" in t["chart"]]
    assert sizes and min(sizes) < 7
