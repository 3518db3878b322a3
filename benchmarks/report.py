"""Time ``leadlens report`` on a 1M-respondent results document: reading it is one parse.

    python benchmarks/generate.py     # once: benchmarks/data/responses-1m.csv
    python benchmarks/report.py       # scores it once (--by organisation), then times
    python benchmarks/report.py --before /path/to/other/checkout/src --runs 7

Alternately, in one run, as child processes: a bare ``json.load`` of the document (the
baseline: one parse into Python objects), reading it with :func:`leadlens.load_results`
alone (the check of every value, domain and anonymity rule included), and the whole
``leadlens report -f md``. ``--before SRC`` adds the same two leadlens commands run from
another source tree (e.g. main before a change), for a before/after in the same run.
Prints medians, ratios to the baseline, peak memory (``wait4``) and the load average.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import timed  # noqa: E402

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"


def make_document(responses: Path, target: Path) -> None:
    command = [sys.executable, "-m", "leadlens", "score", str(responses), "--question-set",
               str(HERE / "data" / "benchmark.yaml"), "--by", "organisation", "-o",
               str(target), "--force"]
    subprocess.run(command, check=True, env={**os.environ, "PYTHONPATH": str(SRC)})


def commands(document: Path, out: Path, src: Path, label: str) -> dict[str, list[str]]:
    python = sys.executable
    load = ("import sys; sys.path.insert(0, sys.argv[1]); from pathlib import Path; "
            "from leadlens.results.loading import load_results; load_results(Path(sys.argv[2]))")
    report = (f"import sys; sys.path.insert(0, {str(src)!r}); sys.argv = ['leadlens', "
              f"'report', {str(document)!r}, '-f', 'md', '-o', {str(out)!r}, '--force']; "
              "from leadlens.cli import main; main()")
    return {f"load_results{label}": [python, "-c", load, str(src), str(document)],
            f"leadlens report -f md{label}": [python, "-c", report]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--results", type=Path, default=HERE / "data" / "results-1m.json",
                        help="the document (made from responses-1m.csv when missing)")
    parser.add_argument("--before", type=Path, help="another tree's src/ to time beside")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not args.results.exists():
        make_document(HERE / "data" / "responses-1m.csv", args.results)
    before_load = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        todo = {"json.load (baseline)": [sys.executable, "-c", "import json, sys; "
                                         "json.load(open(sys.argv[1], encoding='utf-8'))",
                                         str(args.results)]}
        todo |= commands(args.results, Path(tmp) / "report.md", SRC, "")
        if args.before is not None:
            todo |= commands(args.results, Path(tmp) / "before.md", args.before.resolve(),
                             " (before)")
        times: dict[str, list[float]] = {name: [] for name in todo}
        peaks: dict[str, list[float]] = {name: [] for name in todo}
        for _ in range(args.runs):
            for name, command in todo.items():
                seconds, peak = timed(command)
                times[name].append(seconds)
                peaks[name].append(peak)
    after_load = os.getloadavg()
    size = args.results.stat().st_size / 1024 / 1024
    print(f"{args.results.name}: {size:.0f} MiB; {args.runs} alternating runs; load average "
          f"{before_load[0]:.1f} before, {after_load[0]:.1f} after (1 min)")
    baseline = statistics.median(times["json.load (baseline)"])
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:<34} {median:6.2f} s ({min(values):.2f}-{max(values):.2f})  "
              f"{median / baseline:5.2f}x  peak {statistics.median(peaks[name]):5.0f} MiB")


if __name__ == "__main__":
    main()
