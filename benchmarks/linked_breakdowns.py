"""Two linked breakdowns: ``--by organisation --by sector`` against ``--by sector`` alone.

3,000 respondents in 600 organisations of 4 to 6 (a dozen of 1 to 3) nested in 60 sectors,
30 five-point items in 6 principles (2% of answers blank): the shape of tester finding F10,
where the organisation breakdown is withheld for some figures and the sectors must still be
shown. Both runs are timed alternately in one process (``leadlens.score`` on the same
files), and the sectors' published figures compared::

    python benchmarks/linked_breakdowns.py            # 5 alternating runs, medians
    python benchmarks/linked_breakdowns.py --runs 3 --organisations 120
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl
from generate import ITEMS_PER_PRINCIPLE, PRINCIPLES, question_set_yaml

import leadlens


def nested_frame(organisations: int = 600, sectors: int = 60, tiny: int = 12,
                 seed: int = 7) -> pl.DataFrame:
    """Organisations of 4 to 6 respondents (``tiny`` of 1 to 3), organisation ``o`` in
    sector ``o % sectors``; answers 1-5, 2% blank."""
    rng = np.random.default_rng(seed)
    sizes = rng.integers(4, 7, organisations)
    small = rng.choice(organisations, tiny, replace=False)
    sizes[small] = rng.integers(1, 4, tiny)
    org = np.repeat(np.arange(organisations), sizes)
    rows = org.size
    columns: dict[str, pl.Series] = {
        "organisation": pl.Series([f"Org {o}" for o in org.tolist()]),
        "sector": pl.Series([f"Sector {o % sectors}" for o in org.tolist()]),
    }
    for p in PRINCIPLES:
        for i in range(1, ITEMS_PER_PRINCIPLE + 1):
            raw = rng.integers(1, 6, rows).astype(str).astype(object)
            raw[rng.random(rows) < 0.02] = None
            columns[f"{p}-{i}"] = pl.Series(raw.tolist(), dtype=pl.String)
    return pl.DataFrame(columns)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--organisations", type=int, default=600)
    args = parser.parse_args()
    sectors = max(1, args.organisations // 10)
    with tempfile.TemporaryDirectory() as folder:
        csv, qs = Path(folder, "responses.csv"), Path(folder, "qs.yaml")
        frame = nested_frame(args.organisations, sectors, max(1, args.organisations // 50))
        frame.write_csv(csv)
        qs.write_text(question_set_yaml(text=False).replace("{id: role, prompt: Role level}",
                                                            "{id: sector, prompt: Sector}"),
                      encoding="utf-8")
        times: dict[str, list[float]] = {"sector": [], "organisation+sector": []}
        shown: dict[str, object] = {}
        for _ in range(args.runs):
            for name, by in (("sector", ["sector"]),
                             ("organisation+sector", ["organisation", "sector"])):
                start = time.perf_counter()
                results = leadlens.score(csv, qs, by)
                times[name].append(time.perf_counter() - start)
                shown[name] = [(g.value, g.n, g.overall, [p.score for p in g.principles])
                               for g in results.groups["sector"].groups]
    alone, both = (statistics.median(times[k]) for k in times)
    print(f"{frame.height:,} respondents, {args.organisations} organisations, {sectors} "
          f"sectors; {args.runs} alternating runs, load {os.getloadavg()[0]:.2f}")
    print(f"--by sector alone:           {alone:6.2f} s (median)")
    print(f"--by organisation --by sector: {both:6.2f} s (median), {both / alone:.1f}x")
    same = shown["sector"] == shown["organisation+sector"]
    print(f"sectors' figures the same with both breakdowns: {same}")


if __name__ == "__main__":
    main()
