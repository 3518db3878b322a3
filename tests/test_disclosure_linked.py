"""Two linked breakdowns, organisations nested in sectors (tester finding F10).

600 organisations of about 5 respondents in 60 sectors used to withhold every sector's
figures (and take half a minute): once the organisation breakdown was withheld for a
figure, the sectors kept the groups hidden for its sake. A withheld breakdown publishes
nothing, so the sectors are checked afresh without it. The small version of the benchmark's
data (``benchmarks/linked_breakdowns.py``) is built here.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from leadlens.results.document import GroupBreakdown, Results
from leadlens.scoring import score
from leadlens.scoring.disclosure import atoms_of, protect
from scoring_fixtures import build_set, responses


def nested_rows(organisations: int, sectors: int, tiny: int, seed: int = 7
                ) -> list[dict[str, Any]]:
    """Organisations of 4 to 6 respondents (``tiny`` of them 1 to 3), each in one sector;
    two items of principle p and one of q, 15% of answers blank (so some respondents have
    a q score and an overall but no p score)."""
    rng = np.random.default_rng(seed)
    sizes = rng.integers(4, 7, organisations)
    small = rng.choice(organisations, tiny, replace=False)
    sizes[small] = rng.integers(1, 4, tiny)
    rows = []
    for o, size in enumerate(sizes.tolist()):
        for _ in range(size):
            answers = {k: (None if rng.random() < 0.15 else int(rng.integers(1, 6)))
                       for k in ("a", "b", "c")}
            rows.append({"organisation": f"Org {o}", "sector": f"Sector {o % sectors}",
                         **answers})
    return rows


def scored(rows: list[dict[str, Any]], by: list[str]) -> Results:
    qs = build_set([{"id": "a"}, {"id": "b"}, {"id": "c", "principle": "q"}],
                   min_group_size=5, respondent=["organisation", "sector"], min_answered=0.5,
                   principles=[{"id": "p", "name": "P"}, {"id": "q", "name": "Q"}])
    return score(qs, responses(qs, rows), by=by).results


def test_sectors_safe_alone_are_shown_when_organisations_are_withheld() -> None:
    rows = nested_rows(60, 6, 3)
    alone = scored(rows, ["sector"]).groups["sector"]
    both = scored(rows, ["organisation", "sector"]).groups
    assert all(not g.suppressed and g.overall_suppressed_reason is None
               and all(p.suppressed_reason is None for p in g.principles)
               for g in alone.groups)

    def shown(b: GroupBreakdown) -> list[tuple[str, int | None, list[float | None]]]:
        return [(g.value, g.n, [g.overall,
                                *(p.score for p in g.principles)]) for g in b.groups]

    assert shown(both["sector"]) == shown(alone)
    # The organisations' sizes are shown where safe; a score only where it rests on 5.
    organisations = both["organisation"]
    assert organisations.withheld is None
    assert all(p.n is not None and p.n >= 5 for g in organisations.groups
               for p in g.principles if p.score is not None)


def test_no_hidden_organisation_size_is_a_combination_of_the_published_ones() -> None:
    rows = nested_rows(60, 6, 3)
    results = scored(rows, ["organisation", "sector"])
    keys = sorted({(r["organisation"], r["sector"]) for r in rows})
    published = [np.ones(len(keys))]
    hidden = []
    for f, field_id in enumerate(("organisation", "sector")):
        for g in results.groups[field_id].groups:
            vector = np.array([float(k[f] == g.value) for k in keys])
            (hidden if g.suppressed else published).append(vector)
    assert hidden and len(published) > 7
    base = np.linalg.matrix_rank(np.array(published))
    for vector in hidden:  # 0/1 rows of a few dozen columns: floating rank is exact here
        assert np.linalg.matrix_rank(np.array([*published, vector])) == base + 1


def test_protect_checks_the_rest_afresh_without_a_withheld_breakdown() -> None:
    # Two sectors of 10; in each, one organisation of 5 and one of 5 whose count a reader
    # knows exactly (published size 5, hidden as protecting another: at least 5). That
    # organisation's count cannot move, so the organisation breakdown is withheld; the
    # sectors, safe alone, stay shown.
    organisation = np.repeat(np.arange(4), 5)
    sector = np.repeat(np.arange(2), 10)
    atom_of, groups = atoms_of([organisation, sector])
    found = protect(groups, np.bincount(atom_of), [4, 2], 5,
                    given=[[None, "complement", None, None], [None, None]],
                    caps=[[5, 5, 5, 5], [10, 10]], lows=[[0, 5, 0, 0], [0, 0]])
    assert found.withheld == [True, False]
    assert found.reasons[1] == [None, None]
