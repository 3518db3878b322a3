"""The HTML report printed to PDF by a headless Chromium (or Chrome), when one is installed.

Chromium prints a tagged PDF (a structure tree for screen readers), with a document outline
from the report's headings and the page's language (``en-GB``) as the document's. No PDF
library is bundled: the browser that lays the report out on screen lays it out on paper.
The page is printed offline: every host name resolves to nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path, PureWindowsPath

from leadlens.errors import Code, LeadlensError, Problem

BROWSER_VARIABLE = "LEADLENS_CHROMIUM"
"""An environment variable naming the browser to print with (a path or a command)."""

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome",
            "microsoft-edge", "msedge")
"""Commands tried in turn on the PATH, when :data:`BROWSER_VARIABLE` is not set."""

WINDOWS_FOLDERS = ("ProgramFiles", "ProgramFiles(x86)", "LocalAppData")
"""Environment variables naming the folders Windows browsers install into (per machine, and
per user for Chrome and Chromium installed without administrator rights)."""
WINDOWS_BROWSERS = (r"Google\Chrome\Application\chrome.exe",
                    r"Microsoft\Edge\Application\msedge.exe",
                    r"Chromium\Application\chrome.exe")
MACOS_BROWSERS = ("Google Chrome.app/Contents/MacOS/Google Chrome",
                  "Microsoft Edge.app/Contents/MacOS/Microsoft Edge",
                  "Chromium.app/Contents/MacOS/Chromium")
"""Inside /Applications, or the user's own ~/Applications."""

TIMEOUT_SECONDS = 180

INSTALL_HINT = ("Install Chromium (Debian or Ubuntu: apt-get install chromium; macOS: brew "
                "install --cask chromium), Google Chrome or Microsoft Edge, or set "
                "LEADLENS_CHROMIUM to the browser's path; or write -o report.html and print "
                "it from a browser")


class PdfError(LeadlensError):
    """The PDF could not be printed (no browser, or the browser failed)."""


def install_locations(platform: str, environ: Mapping[str, str], home: Path) -> list[str]:
    """Where Chrome, Edge and Chromium install themselves on ``platform`` (``sys.platform``)
    when they are not on the PATH, as they seldom are on Windows and macOS."""
    if platform == "win32":
        return [str(PureWindowsPath(folder, browser)) for browser in WINDOWS_BROWSERS
                for name in WINDOWS_FOLDERS if (folder := environ.get(name, "").strip())]
    if platform == "darwin":
        return [str(root / browser) for browser in MACOS_BROWSERS
                for root in (Path("/Applications"), home / "Applications")]
    return []


def find_browser(platform: str | None = None, environ: Mapping[str, str] | None = None,
                 home: Path | None = None) -> str | None:
    """The browser to print with: :data:`BROWSER_VARIABLE`, else the first of :data:`BROWSERS`
    on the PATH, else the first installed at :func:`install_locations`, else None."""
    env = os.environ if environ is None else environ
    chosen = env.get(BROWSER_VARIABLE, "").strip()
    if chosen:
        return shutil.which(chosen) or (chosen if Path(chosen).is_file() else None)
    found = next((path for name in BROWSERS if (path := shutil.which(name))), None)
    if found is not None:
        return found
    places = install_locations(sys.platform if platform is None else platform, env,
                               Path.home() if home is None else home)
    return next((place for place in places if os.path.isfile(place)), None)


def html_to_pdf(html: str) -> bytes:
    """Print a self-contained HTML page to PDF (A4, as its print styles say).

    Raises:
        PdfError: no browser was found (the message names what to install), or it failed.
    """
    browser = find_browser()
    if browser is None:
        chosen = os.environ.get(BROWSER_VARIABLE, "").strip()
        message = (f"{BROWSER_VARIABLE}={chosen!r} is not a browser on this machine" if chosen
                   else "printing a PDF needs a headless Chromium, Google Chrome or Microsoft "
                   f"Edge; none found ({', '.join(BROWSERS)} on the PATH"
                   + (", nor where they install" if install_locations(
                       sys.platform, os.environ, Path.home()) else "") + ")")
        raise PdfError([Problem(file="PDF", message=message, hint=INSTALL_HINT,
                                code=Code.OUTPUT_NO_BROWSER)])
    with tempfile.TemporaryDirectory(prefix="leadlens-pdf-") as folder:
        page = Path(folder) / "report.html"
        page.write_text(html, encoding="utf-8")
        target = Path(folder) / "report.pdf"
        command = [browser, "--headless", "--disable-gpu", "--no-first-run",
                   "--disable-background-networking", "--disable-component-update",
                   "--disable-sync", "--disable-extensions", "--disable-quic",
                   "--host-resolver-rules=MAP * ~NOTFOUND",
                   f"--user-data-dir={Path(folder) / 'profile'}",
                   "--no-pdf-header-footer", "--generate-pdf-document-outline",
                   f"--print-to-pdf={target}", page.as_uri()]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            # Chromium will not start its sandbox as root; the page is our own report,
            # offline, with every untrusted text escaped.
            command.insert(1, "--no-sandbox")
        try:
            done = subprocess.run(command, capture_output=True, text=True, check=False,
                                  timeout=TIMEOUT_SECONDS, stdin=subprocess.DEVNULL)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PdfError([Problem(file="PDF", message=f"{browser} could not print the "
                                    f"report: {exc}", hint=INSTALL_HINT,
                                    code=Code.OUTPUT_BROWSER_FAILED)]) from None
        if done.returncode != 0 or not target.is_file() or target.stat().st_size == 0:
            last = next((line for line in reversed(done.stderr.splitlines())
                         if line.strip()), "no output")
            raise PdfError([Problem(file="PDF", message=f"{browser} could not print the "
                                    f"report (exit {done.returncode}): {last[:300]}",
                                    hint=INSTALL_HINT, code=Code.OUTPUT_BROWSER_FAILED)])
        return target.read_bytes()
