"""Finding the browser that prints PDFs: LEADLENS_CHROMIUM, the PATH, then where Chrome, Edge
and Chromium install on Windows and macOS (seldom on the PATH there)."""

from __future__ import annotations

from pathlib import Path, PureWindowsPath

import pytest

from leadlens.report import pdf
from leadlens.report.pdf import find_browser, install_locations


@pytest.fixture
def nothing_on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)


def _installed(monkeypatch: pytest.MonkeyPatch, *paths: str) -> None:
    present = set(paths)
    monkeypatch.setattr(pdf.os.path, "isfile", lambda place: place in present)


WINDOWS = {"ProgramFiles": r"C:\Program Files", "ProgramFiles(x86)": r"C:\Program Files (x86)",
           "LocalAppData": r"C:\Users\ana\AppData\Local"}


@pytest.mark.usefixtures("nothing_on_path")
@pytest.mark.parametrize(("installed", "expected"), [
    ([r"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe"],
     r"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe"),
    ([r"C:\Users\ana\AppData\Local\Google\Chrome\Application\chrome.exe",
      r"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe"],
     r"C:\Users\ana\AppData\Local\Google\Chrome\Application\chrome.exe"),  # Chrome first
    ([r"C:\Program Files\Chromium\Application\chrome.exe"],
     r"C:\Program Files\Chromium\Application\chrome.exe"),
    ([], None),
])
def test_windows_install_folders(monkeypatch: pytest.MonkeyPatch, installed: list[str],
                                 expected: str | None) -> None:
    _installed(monkeypatch, *installed)
    assert find_browser("win32", WINDOWS, Path("/home/ana")) == expected


@pytest.mark.usefixtures("nothing_on_path")
@pytest.mark.parametrize(("installed", "expected"), [
    (["/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"],
     "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"),
    (["/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge"],
     "/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge"),
    (["/Users/ana/Applications/Chromium.app/Contents/MacOS/Chromium"],
     "/Users/ana/Applications/Chromium.app/Contents/MacOS/Chromium"),
    ([], None),
])
def test_macos_applications(monkeypatch: pytest.MonkeyPatch, installed: list[str],
                            expected: str | None) -> None:
    _installed(monkeypatch, *installed)
    assert find_browser("darwin", {}, Path("/Users/ana")) == expected


def test_linux_has_no_install_folders_to_guess() -> None:
    assert install_locations("linux", WINDOWS, Path("/home/ana")) == []


def test_windows_without_its_folder_variables_guesses_nothing() -> None:
    assert install_locations("win32", {}, Path("/home/ana")) == []
    assert all(PureWindowsPath(place).is_absolute()
               for place in install_locations("win32", WINDOWS, Path("/home/ana")))


def test_the_variable_comes_first(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    mine = tmp_path / "my-chrome"
    mine.write_text("", encoding="utf-8")
    monkeypatch.setattr(pdf.shutil, "which", lambda name: f"/usr/bin/{name}")
    _installed(monkeypatch, "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome")
    env = {"LEADLENS_CHROMIUM": str(mine)}
    assert find_browser("darwin", env, Path("/Users/ana")) == f"/usr/bin/{mine}"  # which()
    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    assert find_browser("darwin", env, Path("/Users/ana")) == str(mine)
    # A variable naming nothing is an error, not a reason to pick another browser.
    assert find_browser("darwin", {"LEADLENS_CHROMIUM": str(tmp_path / "none")},
                        Path("/Users/ana")) is None


def test_the_path_comes_before_install_folders(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf.shutil, "which",
                        lambda name: r"C:\tools\msedge.exe" if name == "msedge" else None)
    _installed(monkeypatch, r"C:\Program Files\Google\Chrome\Application\chrome.exe")
    assert find_browser("win32", WINDOWS, Path("/home/ana")) == r"C:\tools\msedge.exe"
