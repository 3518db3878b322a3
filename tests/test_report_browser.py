"""The HTML report in a real browser: headless Chromium renders it with no console errors.

Needs Debian's ``chromium`` (``apt-get install -y chromium``; ``.ci/run`` installs it).
Skipped when it is missing on a developer machine, but fails when ``CI`` is set.
Network access is blocked, so any external resource would show up as a console error.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import numpy as np
import pytest

from leadlens.report import render_report
from test_report_data import NASTY_COMMENTS, sample_results

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "report.html"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--host-resolver-rules=MAP * ~NOTFOUND", "--enable-logging=stderr", "--v=0"]


@pytest.fixture(scope="module")
def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail("chromium is not installed, and CI is set: apt-get install -y chromium")
        pytest.skip("chromium is not installed (apt-get install -y chromium); with CI=true "
                    "this test fails instead of skipping")
    return found


def _run(chromium: str, tmp: Path, page: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    profile = tmp / f"profile-{len(list(tmp.iterdir()))}"
    return subprocess.run([chromium, *FLAGS, f"--user-data-dir={profile}", *extra,
                           page.resolve().as_uri()], capture_output=True, text=True,
                          timeout=120, check=False)


def _console(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines()
            if ":CONSOLE" in line or "Uncaught" in line]


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else (b if pb <= pc else c)


def decode_png(data: bytes) -> np.ndarray:
    """Pixels of an 8-bit RGB/RGBA, non-interlaced PNG (what Chromium writes): (h, w, c)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat = 8, b""
    width = height = channels = 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunk)
            assert depth == 8 and interlace == 0 and colour in (2, 6)
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    out = np.zeros((height, stride), dtype=np.uint8)
    prev = np.zeros(stride, dtype=np.uint8)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = np.frombuffer(raw, dtype=np.uint8, count=stride, offset=y * (stride + 1) + 1)
        if kind == 0:
            row = line.copy()
        elif kind == 1:  # Sub: a running sum per channel
            row = (np.cumsum(line.reshape(width, channels).astype(np.int64), axis=0) % 256
                   ).astype(np.uint8).reshape(stride)
        elif kind == 2:  # Up
            row = line + prev
        else:  # Average and Paeth depend on the byte to the left: decode byte by byte
            cur = bytearray(line.tobytes())
            up = prev.tobytes()
            for x in range(stride):
                a = cur[x - channels] if x >= channels else 0
                c = up[x - channels] if x >= channels else 0
                pred = (a + up[x]) // 2 if kind == 3 else _paeth(a, up[x], c)
                cur[x] = (cur[x] + pred) & 0xFF
            row = np.frombuffer(bytes(cur), dtype=np.uint8)
        out[y] = row
        prev = row
    return out.reshape(height, width, channels)


def test_png_decoder_round_trip() -> None:
    """The decoder against a PNG built here with every filter type."""
    rng = np.random.default_rng(1)
    pixels = rng.integers(0, 256, size=(5, 7, 3), dtype=np.uint8)
    rows = b""
    prev = np.zeros(21, dtype=np.int64)
    for y, kind in enumerate([0, 1, 2, 3, 4]):
        row = pixels[y].reshape(21).astype(np.int64)
        enc = []
        for x in range(21):
            a = int(row[x - 3]) if x >= 3 else 0
            c = int(prev[x - 3]) if x >= 3 else 0
            pred = [0, a, int(prev[x]), (a + int(prev[x])) // 2, _paeth(a, int(prev[x]), c)][kind]
            enc.append((int(row[x]) - pred) % 256)
        rows += bytes([kind, *enc])
        prev = row

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(
            ">I", zlib.crc32(kind + body))

    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 7, 5, 8, 2, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
    assert (decode_png(png) == pixels).all()


def test_console_errors_are_detected(chromium: str, tmp_path: Path) -> None:
    """The check below can fail: a page with a broken script and a remote image trips it."""
    page = tmp_path / "broken.html"
    page.write_text('<p>x</p><img src="https://example.invalid/x.png">'
                    "<script>undefinedFunction()</script>", encoding="utf-8")
    result = _run(chromium, tmp_path, page, "--dump-dom")
    assert any("Uncaught ReferenceError" in line for line in _console(result.stderr))


def test_example_report_renders_cleanly(chromium: str, tmp_path: Path) -> None:
    page = EXAMPLE
    if not page.exists():  # examples not generated yet: use the sample results
        page = tmp_path / "report.html"
        page.write_text(render_report(sample_results(), "html"), encoding="utf-8")
    shot = tmp_path / "screenshot.png"
    result = _run(chromium, tmp_path, page, f"--screenshot={shot}", "--window-size=1280,2000")
    assert result.returncode == 0, result.stderr[-2000:]
    assert _console(result.stderr) == []
    data = shot.read_bytes()
    assert len(data) > 50_000
    pixels = decode_png(data)
    assert pixels.shape[:2] == (2000, 1280)
    rgb = pixels[:, :, :3].reshape(-1, 3)
    colours = np.unique(rgb[:: 7], axis=0)
    assert len(colours) > 200  # text, charts and band colours, not a blank page
    white = (rgb == 255).all(axis=1).mean()
    assert 0.3 < white < 0.95
    cover = pixels[40, 640, :3]  # the navy cover band: the inline CSS was applied
    assert tuple(int(v) for v in cover) == (0x12, 0x35, 0x5B)


def test_untrusted_text_stays_text_in_the_dom(chromium: str, tmp_path: Path) -> None:
    page = tmp_path / "sample.html"
    page.write_text(render_report(sample_results(), "html"), encoding="utf-8")
    result = _run(chromium, tmp_path, page, "--dump-dom")
    assert result.returncode == 0, result.stderr[-2000:]
    assert _console(result.stderr) == []
    dom = result.stdout
    assert "<script" not in dom and "<img" not in dom and "onerror=" not in dom.replace(
        "onerror=alert(1)&gt;", "")
    assert "At a glance" in dom and dom.count("<svg") >= 10
    assert "&lt;script&gt;alert(\"owned\")&lt;/script&gt;" in dom
    assert NASTY_COMMENTS[-1] in dom
