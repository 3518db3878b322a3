"""Drive headless Chromium through chromedriver's WebDriver HTTP API (no Selenium needed).

Why WebDriver and not ``chromium --dump-dom``: headless Chromium will not make its window
narrower than 500 px, so a phone cannot be tested by ``--window-size``. chromedriver's mobile
emulation gives the page a true 390 px viewport, and WebDriver runs a script in the page and
returns what it measured. chromedriver listens on a free loopback port; the browser resolves
no host names (``--host-resolver-rules``), so a report that loaded anything would show it.
"""

from __future__ import annotations

import base64
import json
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

BROWSER_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--host-resolver-rules=MAP * ~NOTFOUND"]

TEXT_SIZES = r"""
var out = [];
var all = document.querySelectorAll("body *");
for (var i = 0; i < all.length; i++) {
  var el = all[i];
  if (el.closest("script,style,title,.sr-only")) continue;
  var own = "";
  for (var c = el.firstChild; c; c = c.nextSibling) if (c.nodeType === 3) own += c.nodeValue;
  if (!own.trim()) continue;
  var rects = el.getClientRects();
  if (!rects.length || rects[0].width === 0) continue;
  var size = parseFloat(getComputedStyle(el).fontSize);
  var svg = el.closest("svg");
  if (svg) { var m = el.getScreenCTM(); size = size * Math.sqrt(m.a * m.a + m.b * m.b); }
  out.push({size: size, tag: el.tagName, text: own.trim().slice(0, 40),
            chart: svg ? svg.getAttribute("class") : null});
}
return {width: innerWidth, scrollWidth: document.documentElement.scrollWidth,
        height: document.documentElement.scrollHeight, texts: out};
"""
"""Every visible element with its own text and its rendered font size in CSS pixels (SVG text
scaled by its chart's transform to the screen), and whether the page scrolls sideways."""


def chromedriver() -> str | None:
    return shutil.which("chromedriver")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Browser:
    """One WebDriver session."""

    def __init__(self, port: int, session: str) -> None:
        self.port, self.session = port, session

    def call(self, method: str, path: str, body: object = None) -> Any:
        return _call(self.port, method, f"/session/{self.session}{path}", body)

    def open(self, page: Path) -> None:
        self.call("POST", "/url", {"url": page.resolve().as_uri()})

    def run(self, script: str) -> Any:
        return self.call("POST", "/execute/sync", {"script": script, "args": []})["value"]

    def screenshot(self, path: Path) -> None:
        path.write_bytes(base64.b64decode(self.call("GET", "/screenshot")["value"]))


def _call(port: int, method: str, path: str, body: object = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method, data=data,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as reply:  # noqa: S310 (loopback)
        return json.load(reply)


@contextmanager
def phone(driver: str, chromium: str, width: int = 390, height: int = 844
          ) -> Iterator[Browser]:
    """A browser whose viewport is ``width`` x ``height`` CSS pixels (mobile emulation)."""
    port = _free_port()
    process = subprocess.Popen([driver, f"--port={port}"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                _call(port, "GET", "/status")
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        capabilities = {"capabilities": {"alwaysMatch": {
            "browserName": "chrome", "goog:chromeOptions": {
                "binary": chromium, "args": BROWSER_ARGS,
                "mobileEmulation": {"deviceMetrics": {"width": width, "height": height,
                                                      "pixelRatio": 1}}}}}}
        session = _call(port, "POST", "/session", capabilities)["value"]["sessionId"]
        browser = Browser(port, session)
        try:
            yield browser
        finally:
            _call(port, "DELETE", f"/session/{session}")
    finally:
        process.terminate()
        process.wait(timeout=30)
