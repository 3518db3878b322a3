"""Golden files: the rendered reports, reviewed in the diff whenever they change.

Regenerate after an intended change, then read the diff before committing::

    LEADLENS_UPDATE_GOLDENS=1 pytest tests/test_report_golden.py

That rewrites ``tests/golden/sample-report.*`` (the hand-built results in
``test_report_data.py``) and ``examples/report.*`` (the example responses, scored by
``examples/make_report.py``).
"""

from __future__ import annotations

import difflib
import importlib.util
import os
from pathlib import Path
from types import ModuleType

import pytest

from leadlens.report import render_report
from test_report_data import sample_results

GOLDEN = Path(__file__).parent / "golden"
REPO = Path(__file__).resolve().parents[1]
UPDATE = os.environ.get("LEADLENS_UPDATE_GOLDENS") == "1"
HOW = "LEADLENS_UPDATE_GOLDENS=1 pytest tests/test_report_golden.py"


def check_golden(path: Path, text: str) -> None:
    """Compare ``text`` with the golden file (or rewrite it when updating)."""
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        return
    if not path.exists():
        pytest.fail(f"{path} is missing; create it with {HOW}")
    expected = path.read_text(encoding="utf-8")
    if text != expected:
        diff = list(difflib.unified_diff(expected.splitlines(keepends=True),
                                         text.splitlines(keepends=True),
                                         fromfile=str(path), tofile="rendered now", n=1))
        shown = "".join(diff[:80]) + ("...\n" if len(diff) > 80 else "")
        pytest.fail(f"{path} is out of date. If the change is intended, run {HOW} and review "
                    f"the diff.\n{shown}", pytrace=False)


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_sample_report(fmt: str) -> None:
    text = render_report(sample_results(), fmt)  # type: ignore[arg-type]
    check_golden(GOLDEN / f"sample-report.{fmt}", text)


def _make_report() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_report",
                                                  REPO / "examples" / "make_report.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_example_reports_are_up_to_date() -> None:
    reports = _make_report().build_reports()
    assert sorted(p.name for p in reports) == ["report.html", "report.md"]
    for path, text in reports.items():
        check_golden(path, text)
