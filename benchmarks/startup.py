"""Time leadlens's start-up: ``--help`` and scoring the 60-row example, end to end.

    python benchmarks/startup.py              # 11 alternating rounds, prints the medians
    python benchmarks/startup.py --runs 21
    python benchmarks/startup.py --before /path/to/other/checkout/src   # beside another tree

Each round runs every command below once, in turn, as a child process (so a busy moment
of the shared machine falls on all of them alike); the medians and each command's ratio to
the bare interpreter and to a bare ``import numpy, pydantic`` (the two libraries every
scoring run needs) are printed with the load average before and after. Peak memory is the
child's maximum resident set size (``wait4``). The package is byte-compiled first, as an
installed wheel would be.
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import timed  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "responses.csv"
TARGETS = {"leadlens --help": 0.15, "leadlens score (60 rows)": 0.5}
"""Seconds, end to end (issue 17)."""


def commands(folder: Path, before: Path | None) -> dict[str, list[str]]:
    python = sys.executable
    out = folder / "results.json"
    found = {
        "python -c pass": [python, "-c", "pass"],
        "import numpy, pydantic": [python, "-c", "import numpy, pydantic; pydantic.BaseModel"],
        "leadlens --help": [python, "-m", "leadlens", "--help"],
        "leadlens score (60 rows)": [python, "-m", "leadlens", "score", str(EXAMPLE), "-o",
                                     str(out), "--force"],
    }
    if before is not None:  # the same two commands from another tree's src/
        run = ("import sys; sys.path.insert(0, sys.argv.pop(1)); sys.argv[0] = 'leadlens'; "
               "from leadlens.cli import main; main()")
        found["--help (before)"] = [python, "-c", run, str(before), "--help"]
        found["score (before)"] = [python, "-c", run, str(before), "score", str(EXAMPLE), "-o",
                                   str(out), "--force"]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=11, help="alternating rounds (default 11)")
    parser.add_argument("--before", type=Path, help="another tree's src/ to time beside")
    args = parser.parse_args()
    compileall.compile_dir(ROOT / "src" / "leadlens", quiet=1)
    before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        todo = commands(Path(tmp), args.before)
        times: dict[str, list[float]] = {name: [] for name in todo}
        peaks: dict[str, list[float]] = {name: [] for name in todo}
        cpus: dict[str, list[float]] = {name: [] for name in todo}
        for command in todo.values():  # warm the file cache once
            timed(command)
        for _ in range(args.runs):
            for name, command in todo.items():
                seconds, peak, cpu = timed(command)  # cpu: user + system
                times[name].append(seconds)
                peaks[name].append(peak)
                cpus[name].append(cpu)
    after = os.getloadavg()
    bare = statistics.median(times["python -c pass"])
    libraries = statistics.median(times["import numpy, pydantic"])
    print(f"{args.runs} alternating rounds; load average {before[0]:.1f} before, "
          f"{after[0]:.1f} after (1 min)")
    print(f"{'command':<26} {'median':>8} {'min-max':>13} {'x bare':>7} {'x libs':>7} "
          f"{'CPU':>7} {'peak':>8}  target")
    for name, values in times.items():
        median = statistics.median(values)
        target = TARGETS.get(name)
        verdict = "" if target is None else (
            f"{target:.2f} s: {'met' if median <= target else 'NOT met'}")
        print(f"{name:<26} {median:7.3f}s {min(values):5.3f}-{max(values):5.3f}s "
              f"{median / bare:6.1f}x {median / libraries:6.2f}x "
              f"{statistics.median(cpus[name]):6.3f}s "
              f"{statistics.median(peaks[name]):5.0f} MiB  {verdict}")


if __name__ == "__main__":
    main()
