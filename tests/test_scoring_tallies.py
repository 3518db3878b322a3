"""The shortcuts the national-scale scoring takes give exactly what the plain ways give.

Each is checked against the computation it replaced (issue 17): the scored respondents'
tallies against a second tally over a per-respondent group copy, the per-atom counts of
flagged respondents against weighted counts, who is scored looked up per pattern against
the scores themselves, and the results document serialised once against the
sealed copy serialised.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadlens.questionset.model import QuestionSet
from leadlens.report.writers import results_json
from leadlens.results.document import sealed, sealed_json
from leadlens.scoring import Responses, score
from leadlens.scoring.agreement import tally_groups, tally_scored
from leadlens.scoring.breakdowns import _per_atom, _per_atom_flagged
from leadlens.scoring.layout import items_of, principle_items
from leadlens.scoring.principles import PrincipleScores, score_principle
from leadlens.text import _JSON_UNSAFE, json_terminal_safe
from scoring_fixtures import build_set, responses

QUESTIONS = [{"id": f"q{i}"} for i in range(1, 6)]


def random_rows(seed: int, n: int, groups: int) -> list[dict[str, object]]:
    rng = np.random.default_rng(seed)
    answers = np.array([None, 1, 2, 3, 4, 5, "Don't know"], dtype=object)
    rows: list[dict[str, object]] = []
    for _ in range(n):
        row: dict[str, object] = {"organisation": f"org {rng.integers(groups)}"}
        for q in QUESTIONS:
            # mostly answered, some blank or "Don't know", so some are not scored
            row[q["id"]] = answers[rng.choice(7, p=[0.2, 0.15, 0.15, 0.15, 0.15, 0.1, 0.1])]
        rows.append(row)
    return rows


def principle(seed: int, n: int, groups: int) -> tuple[QuestionSet, Responses, PrincipleScores]:
    qs = build_set(QUESTIONS)
    data = responses(qs, random_rows(seed, n, groups))
    (items,) = principle_items(qs, items_of(qs))
    _, own = score_principle(qs, items, data, 5)
    return qs, data, own


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 400),
       groups=st.sampled_from([1, 2, 7, 60, 2000]))
def test_scored_tallies_equal_a_tally_of_the_scored_in_a_group_of_their_own(
        seed: int, n: int, groups: int) -> None:
    _, _, own = principle(seed, n, groups)
    assert own.patterns is not None
    group = np.random.default_rng(seed).integers(0, groups, size=n).astype(np.intp)
    scored = np.isfinite(own.pattern_scores)
    everyone, among = tally_scored(own.patterns, own.items, group, groups, scored, {})
    assert np.array_equal(everyone.codes,
                          tally_groups(own.patterns, own.items, group, groups).codes)
    # As breakdown_figures tallied them before: the unscored in an extra group, dropped.
    outside = np.where(scored[own.patterns.index], group, groups)
    counted = tally_groups(own.patterns, own.items, outside, groups + 1).codes[:groups]
    assert np.array_equal(among.codes, counted)
    assert everyone.codes.sum() == n * len(own.items) and among.codes.sum() <= everyone.codes.sum()


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 400), groups=st.integers(1, 30))
def test_flagged_counts_per_atom_equal_weighted_counts(seed: int, n: int, groups: int) -> None:
    _, _, own = principle(seed, n, groups)
    assert own.patterns is not None
    atom_of = np.random.default_rng(seed).integers(0, groups, size=n).astype(np.int64)
    scored, complete = _per_atom_flagged(atom_of, groups, own)

    def weighted(flags: np.ndarray) -> np.ndarray:
        return np.bincount(atom_of, weights=flags.astype(np.float64),
                           minlength=groups).round().astype(np.int64)

    assert np.array_equal(scored, weighted(np.isfinite(own.scores)))
    answered = np.ones(n, dtype=bool)
    for j, item in enumerate(own.items):
        codes = own.patterns.codes[own.patterns.index, j]
        answered &= (codes >= 1) & (codes <= len(item.scale.options))
    assert np.array_equal(complete, weighted(answered))
    rows = np.flatnonzero(answered)
    assert np.array_equal(_per_atom(atom_of, groups, rows), weighted(answered))
    assert np.array_equal(_per_atom(atom_of, groups, answered), weighted(answered))


@pytest.mark.parametrize("seed", [3, 4, 5])
def test_members_looked_up_per_pattern_are_those_with_a_score(seed: int) -> None:
    _, _, own = principle(seed, 500, 4)
    assert own.patterns is not None
    assert not own.members.all() and own.members.any()  # both kinds present
    assert np.array_equal(own.members, np.isfinite(own.scores))


TEXTS = ["plain", "caf\u00e9", "del\x7fhere", "bidi \u202eevil", "line\u2028sep", "c1 \x85",
         "quote \" and \\ backslash", "emoji \U0001f600", "tab\tand\nnewline"]


@pytest.mark.parametrize("chosen", [[0], [0, 6, 8], [1], [2], [3], [4], [5], [7],
                                    list(range(len(TEXTS)))])
def test_the_document_serialised_once_is_the_sealed_copy_serialised(chosen: list[int]) -> None:
    qs = build_set([*QUESTIONS, {"id": "story", "type": "text"}])
    rows = random_rows(11, 60, 2)
    for i, row in enumerate(rows):
        row["story"] = TEXTS[chosen[i % len(chosen)]]
    results = score(qs, responses(qs, rows), by=["organisation"]).results
    assert sealed_json(results) == sealed(results).model_dump_json(by_alias=True)
    compact = results.model_copy(update={"respondents": 20_000})  # past INDENT_UP_TO
    expected = _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}",
                                sealed(compact).model_dump_json(by_alias=True)) + "\n"
    assert results_json(compact) == expected


@given(st.text())
def test_terminal_safe_json_takes_its_shortcut_only_where_nothing_changes(text: str) -> None:
    assert json_terminal_safe(text) == _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}",
                                                         text)
