"""Time ``leadlens score`` against a minimal polars script on the 1M-row benchmark file.

    python benchmarks/generate.py      # once: writes benchmarks/data/ (about 90 MB)
    python benchmarks/run.py           # prints times, the ratio and peak memory

Both run as child processes, alternately, several times; the medians are compared. Peak
memory is each child's maximum resident set size (``wait4``). Start-up time is included
on both sides.
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data" / "responses-1m.csv"
QUESTION_SET = HERE / "data" / "benchmark.yaml"


def timed(command: list[str]) -> tuple[float, float]:
    """Wall time in seconds and peak RSS in MiB of one child process."""
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    assert child.stderr is not None
    errors = child.stderr.read().decode(errors="replace")
    child.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(command)} failed:\n{errors}")
    return elapsed, usage.ru_maxrss / 1024  # ru_maxrss is in KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args()
    if not args.data.exists():
        sys.exit(f"{args.data} is missing: run python benchmarks/generate.py first")
    python = sys.executable
    # An installed wheel ships compiled bytecode; an editable checkout may not have it yet
    # (and PYTHONDONTWRITEBYTECODE keeps it that way), so compile once, as pip would.
    import leadlens

    compileall.compile_dir(Path(leadlens.__file__).parent, quiet=1)
    leadlens_cmd = [python, "-m", "leadlens"]
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "results.json"
        polars_cmd = [python, str(HERE / "polars_baseline.py"), str(args.data)]
        score_cmd = [*leadlens_cmd, "score", str(args.data), "--question-set", str(QUESTION_SET),
                     "--by", "organisation", "-o", str(out), "--force"]
        baseline, ours, peaks = [], [], []
        for _ in range(args.runs):
            seconds, _ = timed(polars_cmd)
            baseline.append(seconds)
            seconds, peak = timed(score_cmd)
            ours.append(seconds)
            peaks.append(peak)
        size = out.stat().st_size / 1e6
    base, score = statistics.median(baseline), statistics.median(ours)
    mb = args.data.stat().st_size / 1e6
    print(f"data:            {args.data.name}, {mb:.0f} MB")
    print(f"polars baseline: {base:.2f} s (median of {args.runs}: "
          f"{', '.join(f'{s:.2f}' for s in baseline)})")
    print(f"leadlens score:  {score:.2f} s (median of {args.runs}: "
          f"{', '.join(f'{s:.2f}' for s in ours)}), results document {size:.1f} MB")
    print(f"ratio:           {score / base:.2f}x (target: at most 2x)")
    print(f"peak memory:     {max(peaks):.0f} MiB (target: under 1024 MiB)")


if __name__ == "__main__":
    main()
