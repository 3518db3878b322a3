"""Write the benchmark's respondents as survey-platform exports (labels, question texts).

The same respondents as ``generate.py`` (run it first), as Google Forms and Qualtrics would
export them: question texts as headers, answer labels ("Strongly agree", "Don't know") as
cells, the platforms' metadata columns, and Qualtrics' three header rows (short names,
question texts, ImportIds)::

    python benchmarks/exports.py                 # benchmarks/data/google-1m.csv, qualtrics-1m.csv
    python benchmarks/exports.py --rows 1000 --out-dir /tmp/exports
"""

from __future__ import annotations

import argparse
import csv
import io
import json
from pathlib import Path

import polars as pl
from generate import (  # type: ignore[import-not-found]
    HERE,
    ITEMS_PER_PRINCIPLE,
    PRINCIPLES,
    TEXT_QUESTIONS,
    question_set_yaml,
    responses_frame,
)

LABELS = ["Strongly disagree", "Disagree", "Neither", "Agree", "Strongly agree"]
ITEMS = [f"{p}-{i}" for p in PRINCIPLES for i in range(1, ITEMS_PER_PRINCIPLE + 1)]
TEXTS = {f"{p}-{i}": f"Statement {i} about {p}" for p in PRINCIPLES
         for i in range(1, ITEMS_PER_PRINCIPLE + 1)}
TEXTS |= {q: f"Tell us about {q}" for q in TEXT_QUESTIONS}
FIELDS = {"organisation": "Organisation", "role": "Role level"}
QUALTRICS_META = [
    ("StartDate", "Start Date", '{"ImportId":"startDate","timeZone":"Europe/London"}'),
    ("EndDate", "End Date", '{"ImportId":"endDate","timeZone":"Europe/London"}'),
    ("Status", "Response Type", '{"ImportId":"status"}'),
    ("Progress", "Progress", '{"ImportId":"progress"}'),
    ("Duration (in seconds)", "Duration (in seconds)", '{"ImportId":"duration"}'),
    ("Finished", "Finished", '{"ImportId":"finished"}'),
    ("ResponseId", "Response ID", '{"ImportId":"_recordId"}'),
    ("DistributionChannel", "Distribution Channel", '{"ImportId":"distributionChannel"}'),
    ("UserLanguage", "User Language", '{"ImportId":"userLanguage"}'),
]


def labelled(frame: pl.DataFrame) -> pl.DataFrame:
    """Answers as the platforms write them: labels instead of values."""
    mapping = {str(v): label for v, label in enumerate(LABELS, start=1)}
    return frame.with_columns(pl.col(ITEMS).replace(mapping))


def _stamps(rows: int) -> pl.Series:
    start = pl.datetime(2025, 3, 1)
    return pl.select((start + pl.duration(seconds=pl.int_range(rows) * 7))
                     .dt.strftime("%Y/%m/%d %I:%M:%S %p GMT").alias("t")).to_series()


def google_forms(frame: pl.DataFrame, out: Path) -> Path:
    """Google Forms' "Download responses (.csv)": every field quoted."""
    rows = frame.height
    body = pl.DataFrame({
        "Timestamp": _stamps(rows),
        "Email address": pl.select(pl.format("person{}@example.org", pl.int_range(rows))
                                   .alias("e")).to_series(),
        **{prompt: frame[key] for key, prompt in FIELDS.items()},
        **{TEXTS[key]: frame[key] for key in [*ITEMS, *TEXT_QUESTIONS]},
    })
    body.write_csv(out, quote_style="always")
    return out


def qualtrics(frame: pl.DataFrame, out: Path) -> Path:
    """Qualtrics' "Download data table" CSV (choice text): three header rows."""
    keys = [*FIELDS, *ITEMS, *TEXT_QUESTIONS]
    names = [m[0] for m in QUALTRICS_META] + [f"Q{n}" for n in range(1, len(keys) + 1)]
    texts = [m[1] for m in QUALTRICS_META] + [FIELDS.get(k) or TEXTS[k] for k in keys]
    ids = [m[2] for m in QUALTRICS_META] + [
        json.dumps({"ImportId": f"QID{n}"}, separators=(",", ":"))
        for n in range(1, len(keys) + 1)]
    head = io.StringIO()
    csv.writer(head, lineterminator="\n").writerows([names, texts, ids])
    rows = frame.height
    stamp = _stamps(rows)
    meta = {"StartDate": stamp, "EndDate": stamp, "Status": pl.Series(["IP Address"] * rows),
            "Progress": pl.Series(["100"] * rows), "Duration": pl.Series(["660"] * rows),
            "Finished": pl.Series(["True"] * rows),
            "ResponseId": pl.select(pl.format("R_{}xYz", pl.int_range(rows)).alias("r"))
            .to_series(),
            "DistributionChannel": pl.Series(["anonymous"] * rows),
            "UserLanguage": pl.Series(["EN-GB"] * rows)}
    body = pl.DataFrame({**meta, **{f"Q{n}": frame[k] for n, k in enumerate(keys, start=1)}})
    with out.open("w", encoding="utf-8", newline="") as handle:
        handle.write(head.getvalue())
        body.write_csv(handle, include_header=False)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--out-dir", type=Path, default=HERE / "data")
    args = parser.parse_args()
    args.out_dir.mkdir(parents=True, exist_ok=True)
    frame = labelled(responses_frame(args.rows))
    suffix = f"{args.rows // 1_000_000}m" if args.rows % 1_000_000 == 0 else f"{args.rows}"
    for build, name in ((google_forms, "google"), (qualtrics, "qualtrics")):
        path = build(frame, args.out_dir / f"{name}-{suffix}.csv")
        print(f"wrote {path} ({args.rows:,} rows, {path.stat().st_size / 1e6:.0f} MB)")
    (args.out_dir / "benchmark.yaml").write_text(question_set_yaml(), encoding="utf-8")


if __name__ == "__main__":
    main()
