"""Beyond one machine: answer-pattern counts are additive, so any engine can count them per
partition and the counts merge into exactly what leadlens computes from all rows at once.

Shown with polars' streaming engine over a hive-partitioned Parquet folder
(``year=/organisation=``), as docs/scale.md describes: respondents' answer codes (one byte
each) are written partition by partition, each partition's patterns are counted on its own,
the counts are summed, and a principle's score computed from the merged counts by leadlens'
own pattern functions equals the score ``leadlens.scoring`` gives for every row together.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from conftest import EXAMPLES
from leadlens.questionset.loading import load_question_set
from leadlens.responses.reading import read_responses
from leadlens.responses.table import Responses
from leadlens.scoring.layout import items_of, principle_items
from leadlens.scoring.patterns import Patterns, answer_patterns
from leadlens.scoring.principles import (
    answer_sizes,
    imputed_scores,
    pattern_units,
    score_principle,
)
from leadlens.scoring.stats import mean_sd


def _partitioned(responses: Responses, folder: Path, years: list[int]) -> None:
    """Every respondent once per year (answers shifted a little), as a hive-partitioned
    Parquet folder: ``folder/year=Y/organisation=O/*.parquet``."""
    organisation = responses.fields["organisation"]
    names = [organisation.labels[c] if c >= 0 else "(not stated)"
             for c in organisation.codes.tolist()]
    frames = []
    rng = np.random.default_rng(17)
    for year in years:
        codes = responses.codes.copy()
        if year != years[0]:  # another wave: some answers change
            flip = rng.random(codes.shape) < 0.2
            codes[flip] = rng.integers(0, 6, size=int(flip.sum()), dtype=np.uint8)
        frame = pl.DataFrame({key: codes[:, j] for j, key in enumerate(responses.keys)})
        frames.append(frame.with_columns(pl.lit(year).alias("year"),
                                         pl.Series("organisation", names)))
    pl.concat(frames).write_parquet(folder, partition_by=["year", "organisation"])


def _all_rows(folder: Path, keys: list[str]) -> Responses:
    """The whole folder in memory, as leadlens' scoring takes it (for the comparison)."""
    frame = pl.read_parquet(folder, hive_partitioning=True)
    codes = np.asfortranarray(frame.select(keys).to_numpy().astype(np.uint8))
    return Responses(keys=keys, codes=codes, fields={}, texts={}, respondent_ids=None,
                     sources=["partitions"], warnings=[])


def test_pattern_counts_per_partition_add_up_to_the_whole(tmp_path: Path) -> None:
    qs = load_question_set(None)
    responses = read_responses([EXAMPLES / "responses.csv"], qs)
    folder = tmp_path / "survey"
    _partitioned(responses, folder, [2024, 2025, 2026])
    partitions = sorted(p.parent for p in folder.glob("year=*/organisation=*/*.parquet"))
    assert len({p.parent for p in partitions}) == 3 and len(partitions) > 6
    whole = _all_rows(folder, responses.keys)
    checked = 0
    for group in principle_items(qs, items_of(qs)):
        scored = group.scored
        keys = [i.key for i in scored]
        # Each partition on its own, by the streaming engine; then the counts are summed.
        per_partition = (pl.scan_parquet(folder, hive_partitioning=True)
                         .group_by(["year", "organisation", *keys]).agg(pl.len().alias("n"))
                         .collect(engine="streaming"))
        assert per_partition["year"].n_unique() == 3
        merged = per_partition.group_by(keys).agg(pl.col("n").sum()).sort(keys)
        codes = merged.select(keys).to_numpy().astype(np.uint8)
        counts = merged["n"].to_numpy().astype(np.int64)

        direct = answer_patterns(whole, [i.column for i in scored], answer_sizes(scored))
        order = np.lexsort(direct.codes.T[::-1])
        assert np.array_equal(direct.codes[order], codes)
        assert np.array_equal(direct.counts[order], counts)

        patterns = Patterns(codes, counts, np.zeros(0, dtype=np.int64))
        units = pattern_units(patterns, scored)
        weights = np.array([i.question.answer_weight for i in scored], dtype=np.float64)
        scores = imputed_scores(units, weights, counts, qs.scoring.min_answered,
                                qs.scoring.min_group_size).scores
        n, score, sd = mean_sd(scores, counts)
        result, _ = score_principle(qs, group, whole, qs.scoring.min_group_size)
        assert n == result.n and n > 0
        assert score == pytest.approx(result.score, abs=1e-9)
        checked += 1
    assert checked == len(qs.principles)
