"""Time ``leadlens score`` on a 100,000-row ``.xlsx`` export against polars' calamine reader.

    python benchmarks/generate.py            # once: the respondents and benchmark.yaml
    python benchmarks/xlsx.py --make         # benchmarks/data/microsoft-forms-100000.xlsx
    python benchmarks/xlsx.py --runs 5       # alternating runs, medians, ratio, peaks
    python benchmarks/xlsx.py --before /path/to/other/checkout/src   # and another tree's

The workbook is laid out as Microsoft Forms' "Open in Excel" download: ID, start and
completion times as Excel dates, Email, Name, then the respondent fields and the statements
(question texts as headers, answer labels as cells, some blank; free-text answers). The
baseline reads it with ``pl.read_excel(engine="calamine")`` (fastexcel), maps the labels
with ``replace_strict`` and computes each organisation's mean of respondents' principle
means, as ``polars_exports_baseline.py`` does for CSV exports.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
DATA = HERE / "data"
ROWS = 100_000
QUESTION_SET = DATA / "benchmark.yaml"
META = ["ID", "Start time", "Completion time", "Email", "Name", "Last modified time"]


def make(rows: int, out: Path) -> Path:
    from exports import FIELDS, ITEMS, TEXTS, labelled  # type: ignore[import-not-found]
    from generate import (  # type: ignore[import-not-found]
        TEXT_QUESTIONS,
        question_set_yaml,
        responses_frame,
    )
    from openpyxl import Workbook  # type: ignore[import-untyped]
    from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]

    frame = labelled(responses_frame(rows))
    keys = [*FIELDS, *ITEMS, *TEXT_QUESTIONS]
    header = META + [FIELDS.get(k) or TEXTS[k] for k in keys]
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Sheet1")
    sheet.append(header)
    start = dt.datetime(2025, 3, 1, 9, 0)
    columns = [frame[k].to_list() for k in keys]

    def cell(value: object) -> object:
        # openpyxl writes a string starting with "=" as a formula (with no saved result,
        # which leadlens refuses); a platform exports such a comment as text.
        if isinstance(value, str) and value.startswith("="):
            text = WriteOnlyCell(sheet, value=value)
            text.data_type = "s"
            return text
        return value or None

    for i, cells in enumerate(zip(*columns, strict=True)):
        done = start + dt.timedelta(seconds=7 * i)
        sheet.append([i + 1, done - dt.timedelta(minutes=9), done, "anonymous", None, None,
                      *[cell(c) for c in cells]])
    out.parent.mkdir(parents=True, exist_ok=True)
    if not QUESTION_SET.exists():
        QUESTION_SET.write_text(question_set_yaml(), encoding="utf-8")
    book.save(out)
    return out


def baseline(path: str) -> None:
    import polars as pl
    from polars_exports_baseline import LABELS, PRINCIPLES  # type: ignore[import-not-found]

    items = 5
    texts = {f"{p}-{i}": f"Statement {i} about {p}" for p in PRINCIPLES
             for i in range(1, items + 1)}
    frame = pl.read_excel(path, engine="calamine", infer_schema_length=0)
    values = [pl.col(text).fill_null("Don't know").replace_strict(LABELS, default=-1,
                                                                  return_dtype=pl.Int8)
              .alias(key) for key, text in texts.items()]
    frame = frame.select(pl.col("Organisation").alias("organisation"), *values)
    if frame.select(pl.any_horizontal(pl.col(list(texts)) == -1).any()).item():
        sys.exit(f"{path}: an answer that is not a label")
    frame = frame.with_columns(pl.col(list(texts)).replace(0, None))
    keyed = [(6 - pl.col(f"{p}-{i}")).alias(f"{p}-{i}") if i == items else pl.col(f"{p}-{i}")
             for p in PRINCIPLES for i in range(1, items + 1)]
    frame = frame.with_columns(keyed)
    means = frame.group_by("organisation").agg(
        pl.mean_horizontal([pl.col(f"{p}-{i}") for i in range(1, items + 1)]).mean().alias(p)
        for p in PRINCIPLES)
    print(f"{means.height} organisations")


def main() -> None:
    from run import timed  # type: ignore[import-not-found]

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--make", action="store_true", help="write the workbook first")
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--before", type=Path, metavar="SRC",
                        help="another tree's src/ whose leadlens score is timed beside")
    parser.add_argument("--baseline", metavar="XLSX", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.baseline:
        baseline(args.baseline)
        return
    data = DATA / f"microsoft-forms-{args.rows}.xlsx"
    if args.make or not data.exists():
        print(f"wrote {make(args.rows, data)}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "results.json"
        polars_cmd = [sys.executable, __file__, "--baseline", str(data)]
        score_cmd = [sys.executable, "-m", "leadlens", "score", "--question-set",
                     str(QUESTION_SET), "--by", "organisation", "-o", str(out), "--force",
                     str(data)]
        commands = {"polars calamine": polars_cmd, "leadlens score": score_cmd}
        if args.before is not None:  # the same score from another tree's src/
            run = ("import sys; sys.path.insert(0, sys.argv.pop(1)); sys.argv[0] = 'leadlens'; "
                   "from leadlens.cli import main; main()")
            commands["score (before)"] = [sys.executable, "-c", run, str(args.before),
                                          *score_cmd[3:]]
        subprocess.run(score_cmd, check=True)  # once, to show its messages
        times: dict[str, list[float]] = {name: [] for name in commands}
        peaks: dict[str, list[float]] = {name: [] for name in commands}
        cpus: dict[str, list[float]] = {name: [] for name in commands}
        loads = []
        for _ in range(args.runs):
            loads.append(os.getloadavg()[0])
            for name, command in commands.items():
                seconds, peak, cpu = timed(command)
                times[name].append(seconds)
                peaks[name].append(peak)
                cpus[name].append(cpu)
        loads.append(os.getloadavg()[0])
    medians = {name: statistics.median(found) for name, found in times.items()}
    base = medians["polars calamine"]
    print(f"== {data.name}, {data.stat().st_size / 1e6:.0f} MB; {args.runs} alternating "
          f"rounds; load average {min(loads):.1f}-{max(loads):.1f}")
    for name, found in times.items():
        ratio = "" if name == "polars calamine" else (
            f"; {medians[name] / base:.2f}x polars (target: at most 2x)")
        cpu = statistics.median(cpus[name])
        print(f"{name + ':':17} {medians[name]:.2f} s ({', '.join(f'{x:.2f}' for x in found)}),"
              f" CPU {cpu:.2f} s ({cpu / statistics.median(cpus['polars calamine']):.2f}x),"
              f" peak {max(peaks[name]):.0f} MiB{ratio}")


if __name__ == "__main__":
    main()
