"""The yardstick: a minimal polars script computing per-organisation principle means.

It reads the benchmark CSV ("Don't know" as missing, items as small integers), takes each
respondent's mean per principle (reverse-keyed items flipped) and averages them per
organisation. ``leadlens score`` does all this and much more; the benchmark compares the two.
With ``--scan``, the leanest polars: ``scan_csv`` of only the needed columns. Given a
``.parquet`` file (answers already integers), ``read_parquet`` of only the needed columns.
"""

from __future__ import annotations

import sys

import polars as pl

PRINCIPLES = ["basics", "context", "influencing", "complexity", "adaptive", "narrative"]
ITEMS = 5


def main(path: str, scan: bool = False) -> None:
    items = [f"{p}-{i}" for p in PRINCIPLES for i in range(1, ITEMS + 1)]
    keyed = [(6 - pl.col(f"{p}-{i}")).alias(f"{p}-{i}") if i == ITEMS else pl.col(f"{p}-{i}")
             for p in PRINCIPLES for i in range(1, ITEMS + 1)]
    means = [pl.mean_horizontal([pl.col(f"{p}-{i}") for i in range(1, ITEMS + 1)]).mean()
             .alias(p) for p in PRINCIPLES]
    if path.endswith(".parquet"):
        frame = pl.read_parquet(path, columns=["organisation", *items])
        result = frame.with_columns(keyed).group_by("organisation").agg(means)
        print(f"{result.height} organisations")
        return
    if scan:  # the leanest polars: a lazy scan of only the needed columns
        result = (pl.scan_csv(path, null_values=["Don't know"],
                              schema_overrides=dict.fromkeys(items, pl.Int8))
                  .select("organisation", *items).with_columns(keyed)
                  .group_by("organisation").agg(means).collect())
        print(f"{result.height} organisations")
        return
    frame = pl.read_csv(path, null_values=["Don't know"],
                        schema_overrides=dict.fromkeys(items, pl.Int8))
    frame = frame.with_columns(keyed)
    result = frame.group_by("organisation").agg(means)
    print(f"{result.height} organisations")


if __name__ == "__main__":
    main(sys.argv[1], scan="--scan" in sys.argv[2:])
