"""The yardstick: a minimal polars script computing per-organisation principle means.

It reads the benchmark CSV ("Don't know" as missing, items as small integers), takes each
respondent's mean per principle (reverse-keyed items flipped) and averages them per
organisation. ``leadlens score`` does all this and much more; the benchmark compares the two.
"""

from __future__ import annotations

import sys

import polars as pl

PRINCIPLES = ["basics", "context", "influencing", "complexity", "adaptive", "narrative"]
ITEMS = 5


def main(path: str) -> None:
    items = [f"{p}-{i}" for p in PRINCIPLES for i in range(1, ITEMS + 1)]
    frame = pl.read_csv(path, null_values=["Don't know"],
                        schema_overrides=dict.fromkeys(items, pl.Int8))
    keyed = [(6 - pl.col(f"{p}-{i}")).alias(f"{p}-{i}") if i == ITEMS else pl.col(f"{p}-{i}")
             for p in PRINCIPLES for i in range(1, ITEMS + 1)]
    frame = frame.with_columns(keyed)
    means = frame.group_by("organisation").agg(
        pl.mean_horizontal([pl.col(f"{p}-{i}") for i in range(1, ITEMS + 1)]).mean().alias(p)
        for p in PRINCIPLES)
    print(f"{means.height} organisations")


if __name__ == "__main__":
    main(sys.argv[1])
