"""The yardstick for platform exports: polars reads the export, maps labels, takes the means.

    python benchmarks/polars_exports_baseline.py benchmarks/data/google-1m.csv google
    python benchmarks/polars_exports_baseline.py benchmarks/data/qualtrics-1m.csv qualtrics

It reads the file written by ``exports.py`` (question texts as headers; Qualtrics' two more
header rows skipped), maps each item's labels to values with ``replace_strict`` ("Don't
know" and blanks, quoted or not, as missing; any other label is an error), flips the
reverse-keyed items and averages each respondent's principle means per organisation.
"""

from __future__ import annotations

import sys

import polars as pl

PRINCIPLES = ["basics", "context", "influencing", "complexity", "adaptive", "narrative"]
ITEMS = 5
LABELS = {"Strongly disagree": 1, "Disagree": 2, "Neither": 3, "Agree": 4, "Strongly agree": 5,
          "Don't know": 0, "": 0}


def main(path: str, platform: str) -> None:
    texts = {f"{p}-{i}": f"Statement {i} about {p}" for p in PRINCIPLES
             for i in range(1, ITEMS + 1)}
    if platform == "qualtrics":
        frame = pl.read_csv(path, skip_rows=1, skip_rows_after_header=1, infer_schema=False)
    else:
        frame = pl.read_csv(path, infer_schema=False)
    # replace_strict, but with its check made explicit: polars 2.1 sometimes reports an
    # "incomplete mapping" for a complete one when many columns are mapped at once.
    values = [pl.col(text).fill_null("Don't know").replace_strict(LABELS, default=-1,
                                                                  return_dtype=pl.Int8)
              .alias(key) for key, text in texts.items()]
    frame = frame.select(pl.col("Organisation").alias("organisation"), *values)
    if frame.select(pl.any_horizontal(pl.col(list(texts)) == -1).any()).item():
        sys.exit(f"{path}: an answer that is not a label")
    frame = frame.with_columns(pl.col(list(texts)).replace(0, None))
    keyed = [(6 - pl.col(f"{p}-{i}")).alias(f"{p}-{i}") if i == ITEMS else pl.col(f"{p}-{i}")
             for p in PRINCIPLES for i in range(1, ITEMS + 1)]
    frame = frame.with_columns(keyed)
    means = frame.group_by("organisation").agg(
        pl.mean_horizontal([pl.col(f"{p}-{i}") for i in range(1, ITEMS + 1)]).mean().alias(p)
        for p in PRINCIPLES)
    print(f"{means.height} organisations")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "google")
