"""Time ``leadlens score`` against minimal polars scripts on the benchmark files.

    python benchmarks/generate.py      # once: writes benchmarks/data/ (about 90 MB)
    python benchmarks/run.py           # prints times, the ratio and peak memory
    python benchmarks/run.py --case google --case qualtrics --runs 5   # exports.py first

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
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent


def timed(command: list[str]) -> tuple[float, float, float]:
    """Wall time in seconds, peak RSS in MiB and CPU time in seconds (user + system, every
    thread; steadier than wall time on a shared machine) of one child process."""
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    assert child.stderr is not None
    errors = child.stderr.read().decode(errors="replace")
    child.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(command)} failed:\n{errors}")
    # ru_maxrss is in KiB on Linux
    return elapsed, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


@dataclass(frozen=True)
class Case:
    """One comparison: a data file, the polars script, and what leadlens is given."""

    data: str
    baseline: list[str]
    target: str
    make: str
    waves: int = 1
    """Score this many copies of the file in one call (the baseline: leadlens on one)."""
    question_set: str = "benchmark.yaml"


CASES = {
    "canonical": Case("responses-1m.csv", ["polars_baseline.py"], "at most 2x",
                      "python benchmarks/generate.py"),
    "canonical-scan": Case("responses-1m.csv", ["polars_baseline.py", "--scan"], "at most 1.5x",
                           "python benchmarks/generate.py"),
    "no-text": Case("responses-1m-no-text.csv", ["polars_baseline.py", "--scan"],
                    "at most 1.5x", "python benchmarks/generate.py --no-text "
                    "--out benchmarks/data/responses-1m-no-text.csv",
                    question_set="benchmark-no-text.yaml"),
    "google": Case("google-1m.csv", ["polars_exports_baseline.py", "{data}", "google"],
                   "at most 2x", "python benchmarks/exports.py"),
    "qualtrics": Case("qualtrics-1m.csv", ["polars_exports_baseline.py", "{data}", "qualtrics"],
                      "at most 2x", "python benchmarks/exports.py"),
    "ten-waves": Case("responses-1m.csv", [], "10x one file's time within 15%, under 2 GiB",
                      "python benchmarks/generate.py", waves=10),
    "parquet": Case("responses-1m.parquet", ["polars_baseline.py"], "at most 1.5x",
                    "python benchmarks/generate.py --out benchmarks/data/responses-1m.parquet"),
    "canonical-5m": Case("responses-5m.csv", ["polars_baseline.py", "--scan"], "memory < 1 GiB",
                         "python benchmarks/generate.py --rows 5000000 "
                         "--out benchmarks/data/responses-5m.csv"),
}
"""Cases by name (``--case``): the data file under benchmarks/data/, the baseline's
arguments (``{data}`` is the file; else it comes first), the target, how to make the file."""


def run_case(name: str, case: Case, data: Path, runs: int, folder: Path) -> None:
    python = sys.executable
    out = folder / f"{name}.json"
    command = [python, "-m", "leadlens", "score", "--question-set",
               str(HERE / "data" / case.question_set),
             "--by", "organisation", "-o", str(out), "--force"]
    if case.waves > 1:  # one file per wave (year); the baseline is leadlens on one of them
        waves = []
        for year in range(case.waves):
            wave = folder / f"wave-{2016 + year}.csv"
            wave.unlink(missing_ok=True)
            wave.symlink_to(data)
            waves.append(str(wave))
        polars_cmd = [*command, str(data)]
        score_cmd = [*command, *waves]
    else:
        args = [a.replace("{data}", str(data)) for a in case.baseline]
        polars_cmd = [python, str(HERE / args[0])] + (
            args[1:] if "{data}" in " ".join(case.baseline) else [str(data), *args[1:]])
        score_cmd = [*command, str(data)]
    baseline, ours, peaks, base_peaks, loads = [], [], [], [], []
    base_cpu: list[float] = []
    our_cpu: list[float] = []
    for _ in range(runs):
        loads.append(os.getloadavg()[0])
        seconds, peak, cpu = timed(polars_cmd)
        baseline.append(seconds)
        base_peaks.append(peak)
        base_cpu.append(cpu)
        seconds, peak, cpu = timed(score_cmd)
        ours.append(seconds)
        peaks.append(peak)
        our_cpu.append(cpu)
    base, score = statistics.median(baseline), statistics.median(ours)
    cpu_base, cpu_score = statistics.median(base_cpu), statistics.median(our_cpu)
    mb = data.stat().st_size / 1e6
    print(f"== {name}: {data.name}, {mb:.0f} MB; load average {min(loads):.1f}-{max(loads):.1f}")
    what = "one file (1x)" if case.waves > 1 else "polars baseline"
    print(f"{what + ':':16} {base:.2f} s (median of {runs}: "
          f"{', '.join(f'{s:.2f}' for s in baseline)}), peak {max(base_peaks):.0f} MiB")
    print(f"leadlens score:  {score:.2f} s (median of {runs}: "
          f"{', '.join(f'{s:.2f}' for s in ours)}), results document "
          f"{out.stat().st_size / 1e6:.1f} MB")
    print(f"ratio:           {score / base:.2f}x (target: {case.target})")
    print(f"CPU time:        {cpu_base:.2f} s vs {cpu_score:.2f} s (medians, user + system): "
          f"{cpu_score / cpu_base:.2f}x")
    if case.waves > 1:
        print(f"per 1M rows:     {score / base / case.waves:.2f}x one file's time")
    print(f"peak memory:     {max(peaks):.0f} MiB (one file: {max(base_peaks):.0f} MiB)",
          flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--case", action="append", choices=sorted(CASES),
                        help="what to compare (repeatable; default: canonical)")
    parser.add_argument("--data", type=Path, help="another file for the (single) case")
    args = parser.parse_args()
    names = args.case or ["canonical"]
    for name in names:
        data = args.data or HERE / "data" / CASES[name].data
        if not data.exists():
            sys.exit(f"{data} is missing: run {CASES[name].make} first")
    # An installed wheel ships compiled bytecode; an editable checkout may not have it yet
    # (and PYTHONDONTWRITEBYTECODE keeps it that way), so compile once, as pip would.
    import leadlens

    compileall.compile_dir(Path(leadlens.__file__).parent, quiet=1)
    with tempfile.TemporaryDirectory() as folder:
        for name in names:
            run_case(name, CASES[name], args.data or HERE / "data" / CASES[name].data,
                     args.runs, Path(folder))


if __name__ == "__main__":
    main()
