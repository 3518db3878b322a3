"""Regenerate examples/report.html and examples/report.md from examples/responses.csv.

Run from anywhere::

    python examples/make_report.py

It does what a user would do: ``leadlens score examples/responses.csv --by organisation
--by sector -o results.json``, then ``leadlens report results.json -o report.html`` (and
``.md``). The date is fixed (``SOURCE_DATE_EPOCH``) so the committed reports only change
when the data, the scoring or the templates do; ``tests/test_report_golden.py`` checks that
they are up to date.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from leadlens.files import write_atomic
from leadlens.report import load_results, render_report

EXAMPLES = Path(__file__).resolve().parent
REPO = EXAMPLES.parent
FIXED_DATE = "1748854800"  # 2 June 2025, 09:00 UTC
BY = ("organisation", "sector")


def score_examples(folder: Path) -> Path:
    """Score the example responses into ``folder/results.json`` with the leadlens CLI."""
    results = folder / "results.json"
    command = [sys.executable, "-m", "leadlens", "score", "examples/responses.csv"]
    for field in BY:
        command += ["--by", field]
    command += ["-o", str(results), "--force"]
    env = {**os.environ, "SOURCE_DATE_EPOCH": FIXED_DATE}
    subprocess.run(command, cwd=REPO, env=env, check=True, capture_output=True, text=True)
    return results


def build_reports() -> dict[Path, str]:
    """The example reports, by the path each belongs at."""
    with tempfile.TemporaryDirectory() as folder:
        results = load_results(score_examples(Path(folder)))
    return {EXAMPLES / "report.html": render_report(results, "html"),
            EXAMPLES / "report.md": render_report(results, "md")}


def main() -> None:
    for path, text in build_reports().items():
        write_atomic(path, text, force=True)
        print(f"wrote {path.relative_to(REPO)} ({len(text.encode()):,} bytes)")


if __name__ == "__main__":
    main()
