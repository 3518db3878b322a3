"""Anonymity across waves, as a property: two waves that differ by a few respondents.

The follow-up is the baseline plus ``m`` respondents (or the baseline minus them), who leave
random answers blank. Whatever ``compare`` publishes for a cell (the overall score, a
principle, an item, a group's principle) in both waves, the few who joined must either be
absent from that cell in their wave, or be at least ``min_group_size`` of them: otherwise
``n2 * mean2 - n1 * mean1`` would be their answers. With ``m = 1``: the one person's answers
cannot be recovered from anything published. Checked with and without respondent ids, and
with waves given as results documents.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st

from compare_fixtures import QUESTIONS, make_wave, people, wave_set
from leadlens.waves.document import Comparison, Side
from leadlens.waves.engine import compare
from leadlens.waves.waves import Wave, match_key, results_wave

ITEM_KEYS = [q["id"] for q in QUESTIONS]


def _extras(seed: int, m: int, orgs: list[str]) -> list[dict[str, Any]]:
    rng = np.random.default_rng(seed)
    rows = people(seed, m, prefix="Z", orgs=orgs)
    for row in rows:
        for key in ITEM_KEYS:
            if rng.random() < 0.4:
                row[key] = None
    return rows


def _contributors(wave: Wave, m: int, what: str, org: str | None) -> int:
    """How many of the last ``m`` respondents of ``wave`` count in a cell."""
    people_ = wave.respondents
    assert people_ is not None
    if what in people_.answered:
        present = people_.answered[what]
    else:
        values = people_.overall if what == "overall" else people_.principles[what]
        present = np.isfinite(values)
    if org is not None:
        present = present & people_.members("organisation", match_key(org, False))
    return int(present[-m:].sum())


def _published(doc: Comparison) -> list[tuple[str, str | None, Side, Side]]:
    cells: list[tuple[str, str | None, Side, Side]] = []
    for change in ([doc.overall] if doc.overall else []) + doc.principles:
        cells.append((change.id, None, change.baseline, change.followup))
    cells += [(item.key, None, item.baseline, item.followup) for item in doc.items]
    for breakdown in doc.groups.values():
        for group in breakdown.groups:
            cells += [(c.id, group.value, c.baseline, c.followup) for c in group.changes]
    return cells


@settings(max_examples=60, deadline=None)
# A group's principle hidden in one wave (n null) and shown in the other: found by this test.
@example(threshold=3, base_n=6, m=6, seed=3222, orgs=3, removed=False, mode="no ids")
@given(threshold=st.integers(3, 6), base_n=st.integers(6, 30), m=st.integers(1, 8),
       seed=st.integers(0, 2**31), orgs=st.integers(1, 3), removed=st.booleans(),
       mode=st.sampled_from(["linked", "no ids", "results"]))
def test_a_few_respondents_more_cannot_be_isolated(threshold: int, base_n: int, m: int,
                                                    seed: int, orgs: int, removed: bool,
                                                    mode: str) -> None:
    names = ["Alpha Trust", "Beta Council", "Gamma ICB"][:orgs]
    qs = wave_set(min_group_size=threshold)
    common = people(seed, base_n, orgs=names)
    extras = _extras(seed + 1, m, names)
    if mode != "linked":
        common = [{k: v for k, v in r.items() if k != "respondent_id"} for r in common]
        extras = [{k: v for k, v in r.items() if k != "respondent_id"} for r in extras]
    small = make_wave("small", qs, common)
    large = make_wave("large", qs, common + extras)
    first, second = (large, small) if removed else (small, large)
    if mode == "results":
        first = results_wave("first", "first.json", first.results)
        second = results_wave("second", "second.json", second.results)
    doc = compare(first, second, by=["organisation"])
    for what, org, base, follow in _published(doc):
        joined = _contributors(large, m, what, org)
        assert joined == 0 or joined >= threshold, (what, org, joined, doc.withheld)
        if joined == 0:  # the same people: the same figures, nothing about the newcomers
            assert base.n == follow.n and base.score == follow.score
    if 0 < m < threshold:
        assert doc.withheld, "a change of fewer than min_group_size was not noticed"
