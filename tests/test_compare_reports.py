"""The worked example of waves: its generator and its committed reports are up to date.

Regenerate after an intended change, then read the diff::

    python examples/generate_waves.py && python examples/make_wave_reports.py
"""

from __future__ import annotations

import difflib
import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from conftest import EXAMPLES

HOW = "python examples/generate_waves.py && python examples/make_wave_reports.py"


def _module(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _same(path: Path, text: str) -> None:
    expected = path.read_text(encoding="utf-8")
    if text != expected:
        diff = list(difflib.unified_diff(expected.splitlines(keepends=True),
                                         text.splitlines(keepends=True), fromfile=str(path),
                                         tofile="generated now", n=1))
        pytest.fail(f"{path} is out of date: run {HOW} and review the diff.\n"
                    + "".join(diff[:60]), pytrace=False)


def test_the_wave_generator_reproduces_the_committed_waves(tmp_path: Path) -> None:
    _module("generate_waves").main(["--output", str(tmp_path)])
    for name in ("wave-2025.csv", "wave-2026.csv"):
        _same(EXAMPLES / "waves" / name, (tmp_path / name).read_text(encoding="utf-8"))


def test_the_example_wave_reports_are_up_to_date() -> None:
    reports = _module("make_wave_reports").build_reports()
    assert sorted(p.name for p in reports) == ["compare.html", "compare.md", "trend.html",
                                               "trend.md"]
    for path, text in reports.items():
        _same(path, text)
