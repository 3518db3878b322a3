"""Attacks on everything one run publishes, one deterministic test each (issue 10).

Each test builds the smallest data an attack needs, publishes as leadlens does and plays the
attacker with the published figures only. The property test in ``test_disclosure.py`` covers
the linked tables in general; these pin the attacks that worked before their fix.
"""

from __future__ import annotations

from typing import Any

from leadlens.results.document import Results
from leadlens.scoring import score
from scoring_fixtures import build_set, responses


def scored(rows: list[dict[str, Any]], *, by: tuple[str, ...] = ("org",), m: int = 3,
           **options: Any) -> Results:
    qs = build_set([{"id": "a"}, {"id": "b"}], min_group_size=m, respondent=list(by),
                   **options)
    return score(qs, responses(qs, rows), by=list(by)).results


def test_whole_minus_a_group_no_longer_gives_a_lone_answer_to_favourable() -> None:
    # A score needs both answers; % favourable counts either. B's three members: one answered
    # b only (no score). Before: the principle table shows A (3) and B (0 scored), so A's
    # % favourable was published, and the whole survey's answers (7) minus A's (6) gave the
    # one B member's answer (unfavourable). Now % favourable is a table of its own.
    rows = [{"org": "A", "a": 5, "b": 2}, {"org": "A", "a": 1, "b": 2},
            {"org": "A", "a": 5, "b": 2}, {"org": "B", "a": None, "b": None},
            {"org": "B", "a": None, "b": 2}, {"org": "B", "a": None, "b": None}]
    results = scored(rows, min_answered=2)
    whole = results.principles[0].favourability
    assert whole is not None and whole.answers == 7
    for group in results.groups["org"].groups:
        gp = group.principles[0]
        assert gp.favourability is None and gp.favourability_suppressed_reason is not None
    assert results.disclosure is not None
    steps = [s.text for s in results.disclosure.steps if s.figure == "favourable:p"]
    assert steps and all("% favourable of principle 'p' not shown" in s for s in steps)
