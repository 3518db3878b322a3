"""Results documents past the bounds of :mod:`leadlens.results.bounds`, whatever their shape:
refused before any parser sees them, at the first value past the bound, exit 1, within a few
seconds under a 1 GiB address-space cap (issue 16: 3,000,000 warnings aborted in pydantic)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from leadlens.results.bounds import (
    MAX_DEPTH,
    MAX_ITEMS,
    MAX_MARKS,
    MAX_STRING_BYTES,
    bounds_problem,
)
from test_report_data import sample_document

SRC = str(Path(__file__).resolve().parents[1] / "src")
Doc = dict[str, Any]


def _many_warnings(doc: Doc) -> None:
    doc["warnings"] = ["w"] * 3_000_000  # the tester's case


def _many_groups(doc: Doc) -> None:
    doc["groups"]["organisation"]["groups"] = [{}] * (MAX_ITEMS + 1)


def _many_steps(doc: Doc) -> None:
    doc["disclosure"] = {"method": "m", "steps": [0] * (MAX_ITEMS + 5)}


def _many_comments(doc: Doc) -> None:
    doc["comments"] = {"story": ["a"] * (MAX_ITEMS + 1)}


def _huge_title(doc: Doc) -> None:
    doc["question_set"]["title"] = "x" * (60 * 1024 * 1024)


def _deep(doc: Doc) -> None:
    value: Any = 1
    for _ in range(MAX_DEPTH + 10):
        value = [value]
    doc["question_set"]["title"] = value


def _many_marks(doc: Doc) -> None:
    doc["question_set"]["title"] = "," * (MAX_MARKS + 1)  # marks inside text count too


CASES: dict[str, tuple[Callable[[Doc], None], str]] = {
    "many warnings": (_many_warnings, "a list or object of 3,000,000 items"),
    "many groups": (_many_groups, f"a list or object of {MAX_ITEMS + 1:,} items"),
    "many steps": (_many_steps, f"a list or object of {MAX_ITEMS + 5:,} items"),
    "many comments": (_many_comments, f"a list or object of {MAX_ITEMS + 1:,} items"),
    "huge string": (_huge_title, "a string of 62,914,560 bytes"),
    "deep nesting": (_deep, f"nested more than {MAX_DEPTH} lists and objects deep"),
    "many marks": (_many_marks, f"more than {MAX_MARKS:,} JSON values and marks"),
}


def _report_capped(tmp_path: Path, doc: Doc) -> tuple[Path, subprocess.CompletedProcess[str],
                                                       float, Path]:
    path = tmp_path / "results.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    out = tmp_path / "report.md"
    script = textwrap.dedent(f"""
        import resource, sys
        resource.setrlimit(resource.RLIMIT_AS, (1024**3, 1024**3))
        from leadlens.cli import _app
        sys.argv = ["leadlens", "report", {str(path)!r}, "-o", {str(out)!r}]
        _app.main()
    """)
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                            text=True, timeout=60, check=False)
    return path, result, time.perf_counter() - start, out


@pytest.mark.parametrize("case", list(CASES))
def test_past_a_bound_is_refused_quickly_under_a_memory_cap(tmp_path: Path, case: str) -> None:
    edit, message = CASES[case]
    doc = sample_document()
    edit(doc)
    path, result, took, out = _report_capped(tmp_path, doc)
    assert result.returncode == 1, result.stderr[-800:]
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert re.match(rf"{re.escape(str(path))}:1:\d+: {re.escape(message)}", lines[0]), lines[0]
    assert not out.exists()
    assert took < 20, took  # a few seconds on an idle machine; generous for a loaded one


def test_the_location_is_the_first_value_past_the_bound() -> None:
    text = '{"a": [' + ",\n".join(["1"] * MAX_ITEMS) + ",\n  2]}"
    problem = bounds_problem(text.encode(), "r.json")
    assert problem is not None
    assert (problem.line, problem.col) == (MAX_ITEMS + 1, 3)  # the 2, item MAX_ITEMS + 1


def test_escaped_quotes_and_brackets_in_text_are_not_structure() -> None:
    inside = '\\"[[[[' * (MAX_DEPTH + 1) + "\\\\"
    doc = {"t": inside, "u": "{" * (MAX_DEPTH + 1), "v": [[["ok"]]]}
    assert bounds_problem(json.dumps(doc).encode(), "r.json") is None
    assert bounds_problem(json.dumps({"t": "x" * MAX_STRING_BYTES}).encode(), "r.json") is None
    problem = bounds_problem(json.dumps({"t": "é\\" * MAX_STRING_BYTES}).encode(), "r.json")
    assert problem is not None and (problem.line, problem.col) == (1, 7)


def test_a_national_document_is_within_every_bound() -> None:
    """1,000,000 respondents who all comment on 2 questions, 600 organisations with comments
    of their own, and the most warnings a read lists: far more than a real survey holds."""
    doc = sample_document()
    doc["comments"] = {"story": ["a comment, with [brackets] and \"quotes\""] * 1_000_000,
                       "barrier": ["{"] * 1_000_000}
    group = doc["groups"]["organisation"]["groups"][0]
    doc["groups"]["organisation"]["groups"] = [group] * 600
    doc["warnings"] = [{"code": "responses.unknown-column", "message": "m"}] * 51
    data = json.dumps(doc, indent=2).encode()
    assert bounds_problem(data, "r.json") is None


def test_warnings_within_the_item_bound_meet_the_models_bound(tmp_path: Path) -> None:
    """Below the pass's item bound, the model's (10,000 warnings) refuses it, still under the
    cap: leadlens score lists at most 51 a responses file."""
    doc = sample_document()
    doc["warnings"] = ["w"] * (MAX_ITEMS - 1000)
    path, result, took, out = _report_capped(tmp_path, doc)
    assert result.returncode == 1, result.stderr[-800:]
    assert result.stderr == f"{path}: warnings: has more than 10000 items\n"
    assert not out.exists()
    assert took < 60, took
