"""Regenerate the example comparison and trend reports in examples/waves/.

Run from anywhere (after ``python examples/generate_waves.py`` if the waves changed)::

    python examples/make_wave_reports.py

It does what a user would do::

    leadlens compare examples/responses.csv examples/waves/wave-2025.csv --by sector \\
        --labels "Spring 2024,Spring 2025" -o compare.html      # and compare.md
    leadlens trend examples/responses.csv examples/waves/wave-2025.csv \\
        examples/waves/wave-2026.csv --labels "2024,2025,2026" -o trend.html   # and trend.md

It calls the library functions those commands call, with the date fixed, so the committed
reports only change when the data, the comparison or the templates do;
``tests/test_compare_reports.py`` checks that they are up to date.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from leadlens.files import write_atomic
from leadlens.report.waves import render_comparison, render_trend
from leadlens.waves.engine import compare, trend
from leadlens.waves.loading import load_wave

EXAMPLES = Path(__file__).resolve().parent
REPO = EXAMPLES.parent
FIXED_DATE = dt.datetime.fromtimestamp(1748854800, dt.UTC)  # 2 June 2025, 09:00 UTC
WAVES = [EXAMPLES / "responses.csv", EXAMPLES / "waves" / "wave-2025.csv",
         EXAMPLES / "waves" / "wave-2026.csv"]


def build_reports() -> dict[Path, str]:
    """The example reports, by the path each belongs at (what the commands above write)."""
    first, second = (load_wave(path, label=label, by=["sector"], generated_at=FIXED_DATE)
                     for path, label in zip(WAVES, ["Spring 2024", "Spring 2025"],
                                            strict=False))
    comparison = compare(first, second, by=["sector"], generated_at=FIXED_DATE)
    waves = [load_wave(path, label=label, generated_at=FIXED_DATE)
             for path, label in zip(WAVES, ["2024", "2025", "2026"], strict=True)]
    followed = trend(waves, generated_at=FIXED_DATE)
    folder = EXAMPLES / "waves"
    return {folder / "compare.html": render_comparison(comparison, "html"),
            folder / "compare.md": render_comparison(comparison, "md"),
            folder / "trend.html": render_trend(followed, "html"),
            folder / "trend.md": render_trend(followed, "md")}


def main() -> None:
    for path, text in build_reports().items():
        write_atomic(path, text, force=True)
        print(f"wrote {path.relative_to(REPO)} ({len(text.encode()):,} bytes)")


if __name__ == "__main__":
    main()
