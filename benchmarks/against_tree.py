"""Time ``leadlens score`` from two source trees alternately (this one against another).

    python benchmarks/against_tree.py /path/to/other/src [--runs 3] [--no-text]
    python benchmarks/against_tree.py /path/to/other/src --data responses-1m.parquet

Each run starts a child process with ``PYTHONPATH`` set to one tree's ``src``; wall time,
CPU time (user + system) and peak memory are taken from ``wait4``. Prints the medians.
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
OURS = HERE.parent / "src"


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak RSS (MiB) of one child process."""
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             env=env)
    _, status, usage = os.wait4(child.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(command)} failed")
    return (time.perf_counter() - start, usage.ru_utime + usage.ru_stime,
            usage.ru_maxrss / 1024)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("other", type=Path, help="the other tree's src folder")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-text", action="store_true",
                        help="the file without free-text columns (generate.py --no-text)")
    parser.add_argument("--data", help="another file under benchmarks/data, e.g. "
                        "responses-1m.parquet (generate.py --out ...parquet)")
    args = parser.parse_args()
    name = args.data or ("responses-1m-no-text.csv" if args.no_text else "responses-1m.csv")
    qs = "benchmark-no-text.yaml" if args.no_text else "benchmark.yaml"
    trees = {"this tree": OURS, "other tree": args.other.resolve()}
    for tree in trees.values():
        compileall.compile_dir(tree / "leadlens", quiet=1)
    results: dict[str, list[tuple[float, float, float]]] = {t: [] for t in trees}
    with tempfile.TemporaryDirectory() as folder:
        command = [sys.executable, "-m", "leadlens", "score", "--question-set",
                   str(HERE / "data" / qs), "--by", "organisation", "-o",
                   str(Path(folder) / "results.json"), "--force", str(HERE / "data" / name)]
        loads = []
        for _ in range(args.runs):
            for label, tree in trees.items():
                loads.append(os.getloadavg()[0])
                results[label].append(timed(command, dict(os.environ, PYTHONPATH=str(tree))))
    print(f"== {name}; load average {min(loads):.1f}-{max(loads):.1f}")
    for label, runs in results.items():
        print(f"{label + ':':12} {statistics.median(r[0] for r in runs):.2f} s "
              f"({', '.join(f'{r[0]:.2f}' for r in runs)}), CPU "
              f"{statistics.median(r[1] for r in runs):.2f} s, peak "
              f"{max(r[2] for r in runs):.0f} MiB")


if __name__ == "__main__":
    main()
