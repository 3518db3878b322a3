"""Generate the scoring benchmark: a responses CSV and the question set it answers.

1,000,000 respondents x 30 five-point items in 6 principles, 2 respondent fields and
3 free-text columns (mostly blank, as in real surveys), about 90 MB::

    python benchmarks/generate.py                  # benchmarks/data/responses-1m.csv
    python benchmarks/generate.py --rows 1000 --out /tmp/small.csv
    python benchmarks/generate.py --no-text --out benchmarks/data/responses-1m-no-text.csv
                                                   # and benchmark-no-text.yaml (no text questions)
    python benchmarks/generate.py --out benchmarks/data/responses-1m.parquet
                                                   # Parquet: answers as Int8 (blank and
                                                   # "Don't know" as null), text as strings

The data are random but shaped like survey answers: each respondent has a leaning per
principle, organisations differ, about 2% of answers are blank and 1% "Don't know", one item
per principle is reverse-keyed, and some comments contain commas, quotes and newlines.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import polars as pl

PRINCIPLES = ["basics", "context", "influencing", "complexity", "adaptive", "narrative"]
ITEMS_PER_PRINCIPLE = 5
TEXT_QUESTIONS = ["story", "barrier", "next-step"]
HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "data" / "responses-1m.csv"

COMMENTS = [
    "We meet as partners but decide as organisations.",
    "Shared data, at last",
    "The \"system hat\" is still new to most of us, honestly.",
    "Funding rules pull us apart; the people on the ground pull together.",
    "Too many boards,\ntoo little time.",
    "Primary care is not at the table often enough.",
    "=SUM(A1:A2) is not a comment",
    "Better since the place-based teams started",
]


def question_set_yaml(text: bool = True) -> str:
    """The question set whose answer keys are the CSV's item columns (and, with ``text``,
    its free-text columns)."""
    lines = [
        "schema_version: 1",
        "id: benchmark",
        "title: Benchmark question set",
        "version: '1'",
        "scales:",
        "  agreement:",
        "    label: Agreement",
        "    options:",
        *[f"      - {{value: {v}, label: '{label}'}}" for v, label in enumerate(
            ["Strongly disagree", "Disagree", "Neither", "Agree", "Strongly agree"], start=1)],
        "    unscored: [\"Don't know\"]",
        "bands:",
        "  - {id: emerging, label: Emerging, from: 0}",
        "  - {id: developing, label: Developing, from: 40}",
        "  - {id: established, label: Established, from: 60}",
        "  - {id: leading, label: Leading, from: 80}",
        "principles:",
        *[f"  - {{id: {p}, name: {p.title()}}}" for p in PRINCIPLES],
        "respondent:",
        "  - {id: organisation, prompt: Organisation}",
        "  - {id: role, prompt: Role level}",
        "questions:",
    ]
    for p in PRINCIPLES:
        for i in range(1, ITEMS_PER_PRINCIPLE + 1):
            reverse = "true" if i == ITEMS_PER_PRINCIPLE else "false"
            lines.append(f"  - {{id: {p}-{i}, principle: {p}, scale: agreement, "
                         f"reverse: {reverse}, text: Statement {i} about {p}}}")
    for q in TEXT_QUESTIONS if text else []:
        lines.append(f"  - {{id: {q}, type: text, text: Tell us about {q}}}")
    return "\n".join(lines) + "\n"


def responses_frame(rows: int, seed: int = 20230428) -> pl.DataFrame:
    """The responses table, all cells as text (as the survey writes them); blank = null."""
    rng = np.random.default_rng(seed)
    n_orgs = 200
    org = rng.integers(0, n_orgs, rows)
    org_effect = rng.normal(0, 0.4, n_orgs)[org]
    org_names = pl.Series([f"Org {i}" for i in range(n_orgs)])
    roles = pl.Series(["Board", "Senior", "Manager", "Staff"])
    columns: dict[str, pl.Series] = {
        "organisation": org_names.gather(org),
        "role": roles.gather(rng.integers(0, len(roles), rows)),
    }
    for p in PRINCIPLES:
        leaning = rng.normal(0, 0.8, rows) + org_effect
        for i in range(1, ITEMS_PER_PRINCIPLE + 1):
            raw = np.clip(np.rint(3.3 + leaning + rng.normal(0, 0.9, rows)), 1, 5).astype(np.int8)
            if i == ITEMS_PER_PRINCIPLE:
                raw = 6 - raw  # reverse-keyed: agreeing means a lower score
            u = rng.random(rows)
            cells = (pl.when(pl.lit(u) < 0.02).then(None)
                     .when(pl.lit(u) < 0.03).then(pl.lit("Don't know"))
                     .otherwise(pl.lit(raw).cast(pl.String)))
            columns[f"{p}-{i}"] = pl.select(cells.alias("x")).to_series()
    comments = pl.Series(COMMENTS)
    for q in TEXT_QUESTIONS:
        picked = comments.gather(rng.integers(0, len(COMMENTS), rows))
        chosen = pl.Series(rng.random(rows) < 0.05)
        columns[q] = pl.select(pl.when(chosen).then(picked).alias("x")).to_series()
    return pl.DataFrame(columns)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--no-text", action="store_true",
                        help="leave out the free-text columns")
    args = parser.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    frame = responses_frame(args.rows)
    frame = frame.drop(TEXT_QUESTIONS) if args.no_text else frame
    if args.out.suffix == ".parquet":  # as an analyst's script writes it: integer answers
        items = [f"{p}-{i}" for p in PRINCIPLES for i in range(1, ITEMS_PER_PRINCIPLE + 1)]
        frame.with_columns(pl.col(items).cast(pl.Int8, strict=False)).write_parquet(args.out)
    else:
        frame.write_csv(args.out)
    qs_path = args.out.with_name("benchmark-no-text.yaml" if args.no_text else "benchmark.yaml")
    qs_path.write_text(question_set_yaml(text=not args.no_text), encoding="utf-8")
    size = args.out.stat().st_size / 1e6
    print(f"wrote {args.out} ({args.rows:,} rows, {size:.0f} MB) and {qs_path}")


if __name__ == "__main__":
    main()
