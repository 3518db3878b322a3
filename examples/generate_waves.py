"""Write examples/waves/wave-2025.csv and wave-2026.csv: the bundled set surveyed again.

The first wave is ``examples/responses.csv`` (``generate_responses.py``, spring 2024). These
two follow-up waves are drawn the same way, a year apart each, from different people (their
ids do not link to the first wave's), with real movement on two principles and none on the
others::

    python examples/generate_waves.py

* wave 2 (2025): "Influencing and negotiating" up by 0.45 and "Telling the story" up by 0.35
  on the 1-5 agreement range (about 11 and 9 points out of 100); every other principle as in
  2024;
* wave 3 (2026): influencing up by a further 0.3 and narrative by a further 0.1; the rest
  as in 2025.

Organisations grow or shrink a little between waves, so groups change size. Deterministic:
running it again reproduces the committed files byte for byte.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import random
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate_responses as first  # noqa: E402  (the first wave's generator, beside this file)

OUTPUT = HERE / "waves"
WAVES: list[dict[str, Any]] = [
    {"file": "wave-2025.csv", "seed": 20250428, "prefix": "W25-", "year": 2025,
     "shifts": {"influencing": 0.45, "narrative": 0.35},
     "sizes": {"North Riverside ICB": 13, "Riverside Central GP Federation": 9,
               "Brookfield Care Partnership": 4}},
    {"file": "wave-2026.csv", "seed": 20260428, "prefix": "W26-", "year": 2026,
     "shifts": {"influencing": 0.75, "narrative": 0.45},
     "sizes": {"North Riverside ICB": 12, "Northbridge Hospitals NHS Foundation Trust": 14,
               "Riverside Voluntary Action Alliance": 5}},
]
MOVED = ("influencing", "narrative")


def organisations(shifts: dict[str, float], sizes: dict[str, int]) -> list[dict[str, Any]]:
    """The first wave's organisations with their views shifted and some sizes changed."""
    orgs = copy.deepcopy(first.ORGANISATIONS)
    for org in orgs:
        org["size"] = sizes.get(org["name"], org["size"])
        for principle, shift in shifts.items():
            org["views"][principle] = org["views"].get(principle, first.DEFAULT_VIEW) + shift
    return orgs


def generate_wave(qs: dict[str, Any], wave: dict[str, Any]) -> list[dict[str, str]]:
    """One wave's rows, in order of submission, ids PREFIX001, PREFIX002, ..."""
    # The statements are the same as in the first wave: same ease of agreeing with each.
    seeded = random.Random(first.SEED)
    item_offsets = {q["id"]: seeded.gauss(0, 0.2) for q in qs["questions"]}
    rng = random.Random(wave["seed"])
    texts = {q["id"]: rng.sample(first.TEXTS.get(q["id"], first.GENERIC_TEXTS),
                                 len(first.TEXTS.get(q["id"], first.GENERIC_TEXTS)))
             for q in qs["questions"] if q.get("type") == "text"}
    start = first.START.replace(year=wave["year"])
    dated: list[tuple[dt.datetime, dict[str, str]]] = []
    for org in organisations(wave["shifts"], wave["sizes"]):
        for _ in range(org["size"]):
            row = first._respondent(rng, qs, org, item_offsets, texts)
            day = rng.choices(range(first.SURVEY_DAYS), weights=first.DAY_WEIGHTS)[0]
            hour = rng.choices(range(24), weights=first.HOUR_WEIGHTS)[0]
            when = start + dt.timedelta(days=day, hours=hour, seconds=rng.randrange(3600))
            dated.append((when, row))
    dated.sort(key=lambda pair: pair[0])
    return [{"respondent_id": f"{wave['prefix']}{number:03d}",
             "submitted_at": when.isoformat(), **row}
            for number, (when, row) in enumerate(dated, start=1)]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=OUTPUT,
                        help="folder to write the waves to (default: examples/waves)")
    parser.add_argument("--question-set", type=Path, default=first.DEFAULT_QUESTION_SET)
    args = parser.parse_args(argv)
    qs = first.read_question_set(args.question_set)
    args.output.mkdir(parents=True, exist_ok=True)
    for wave in WAVES:
        first.write_csv(generate_wave(qs, wave), first.header(qs), args.output / wave["file"])


if __name__ == "__main__":
    main()
