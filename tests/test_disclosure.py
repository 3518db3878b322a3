"""Disclosure control: nothing one run publishes lets a reader work out a hidden figure.

The property test plays the attacker with everything a results document gives away: the
published counts of the whole survey and of every shown group, and what each hidden
group's label says ("fewer than 5": 1 to 4; hidden to protect another: at least 5). It
checks, with exact rational arithmetic and by listing every possible set of respondents,
that no hidden count or sum is fixed by the published equations, that none can be narrowed
to a single value, and that no set of respondents that can be worked out by adding and
subtracting published groups has fewer than ``min_group_size`` people (but some).
"""

from __future__ import annotations

import itertools
import os
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadlens.results.document import Results
from leadlens.scoring import score
from leadlens.scoring.disclosure import atoms_of, protect
from leadlens.scoring.groups import NOT_STATED
from scoring_fixtures import build_set, responses

UNBOUNDED = 10**9


# --- an independent attacker: exact ranks and every possible set of respondents ---------------

def rank(rows: Sequence[Sequence[int]]) -> int:
    """Rank over the rationals (Gaussian elimination on Fractions)."""
    matrix = [[Fraction(x) for x in row] for row in rows]
    found = 0
    columns = len(matrix[0]) if matrix else 0
    for column in range(columns):
        pivot = next((r for r in range(found, len(matrix)) if matrix[r][column] != 0), None)
        if pivot is None:
            continue
        matrix[found], matrix[pivot] = matrix[pivot], matrix[found]
        for r in range(len(matrix)):
            if r != found and matrix[r][column] != 0:
                factor = matrix[r][column] / matrix[found][column]
                matrix[r] = [a - factor * b for a, b in zip(matrix[r], matrix[found], strict=True)]
        found += 1
    return found


def in_row_space(vector: Sequence[int], rows: Sequence[Sequence[int]]) -> bool:
    return rank([*rows, vector]) == rank(rows)


@dataclass
class Cell:
    name: str
    members: tuple[int, ...]
    """0/1 per atom."""
    published: int | None
    low: int = 0
    high: int = UNBOUNDED


def solutions(atoms: int, total: int, cells: list[Cell]) -> Iterator[tuple[int, ...]]:
    """Every count per atom (>= 0, summing to ``total``) agreeing with what is published."""
    tops = [c.published if c.published is not None else c.high for c in cells]

    def extend(prefix: list[int], left: int, sums: list[int]) -> Iterator[tuple[int, ...]]:
        index = len(prefix)
        if index == atoms - 1:
            candidates: Sequence[int] = [left]
        else:
            candidates = range(left + 1)
        for value in candidates:
            new = [s + value * c.members[index] for s, c in zip(sums, cells, strict=True)]
            if any(s > top for s, top in zip(new, tops, strict=True)):
                continue
            if index == atoms - 1:
                if all((c.published is None or s == c.published) and s >= c.low
                       for s, c in zip(new, cells, strict=True)):
                    yield (*prefix, value)
            else:
                yield from extend([*prefix, value], left - value, new)

    yield from extend([], total, [0] * len(cells))


def check_linked_tables(counts: Sequence[int], cells: list[Cell], min_size: int,
                        *, bounds: bool = True) -> None:
    atoms = len(counts)
    total = sum(counts)
    published = [[1] * atoms] + [list(c.members) for c in cells if c.published is not None]
    hidden = [c for c in cells if c.published is None]
    for cell in hidden:
        # Neither its count nor its sum is a combination of published equations (a group
        # of everyone is the whole survey, published anyway).
        if all(cell.members):
            continue
        assert not in_row_space(cell.members, published), f"{cell.name} is determined"
    if hidden and bounds:
        values: dict[str, set[int]] = {c.name: set() for c in hidden}
        truth = tuple(counts)
        seen_truth = False
        for solution in solutions(atoms, total, cells):
            seen_truth |= solution == truth
            for cell in hidden:
                values[cell.name].add(sum(a * b for a, b in zip(solution, cell.members,
                                                                 strict=True)))
        assert seen_truth, "the attacker's model excludes the real data"
        everyone = {c.name for c in hidden if all(c.members)}  # the whole survey again
        for name, found in values.items():
            assert name in everyone or len(found) >= 2, f"{name} can only be {found}"
    # Any set of respondents a reader can work out has none or at least min_size of them.
    for chosen in itertools.product((0, 1), repeat=atoms):
        size = sum(a * b for a, b in zip(chosen, counts, strict=True))
        if 0 < size < min_size and in_row_space(chosen, published):
            raise AssertionError(f"atoms {chosen} ({size} respondents) can be worked out")


# --- what leadlens publishes, read back from the results document ------------------------------

def key(value: str | None) -> str:
    return NOT_STATED if value is None else value


def attacker_cells(results: Results, rows: list[dict[str, Any]], fields: list[str],
                   atom_keys: list[tuple[str, ...]], figure: str) -> tuple[list[Cell], bool]:
    """The cells one figure publishes: ``group`` (sizes), a principle id or ``comments``."""
    m = results.min_group_size
    cells: list[Cell] = []
    withheld_any = False
    steps = {(s.breakdown, s.group, s.figure): s.reason
             for s in results.disclosure.steps} if results.disclosure else {}
    for f, field_id in enumerate(fields):
        breakdown = results.groups[field_id]
        if breakdown.withheld:
            assert breakdown.groups == []
            continue
        for group in breakdown.groups:
            members = tuple(int(a[f] == group.value) for a in atom_keys)
            name = f"{field_id}={group.value}:{figure}"
            size_low, size_high = ((1, m - 1) if group.suppressed_reason == "small"
                                   else (m, UNBOUNDED))
            if figure == "group":
                cells.append(Cell(name, members, group.n) if not group.suppressed
                              else Cell(name, members, None, size_low, size_high))
                continue
            if group.suppressed:
                cells.append(Cell(name, members, None, 0, size_high))
                continue
            if figure == "comments":
                reason = steps.get((field_id, group.value, "comments:story"))
                shown = len(group.comments.get("story", []))
            elif figure == "favourable":
                gp = next(p for p in group.principles if p.id == "p")
                if gp.suppressed_reason is not None:
                    # Hidden with the principle's figure although its own table may show it:
                    # publishing fewer equations never gives more away, and its value is one
                    # the % favourable table allows, so it is neither an equation nor checked.
                    assert gp.favourability is None
                    # The same table as the principle's (the same people): its bounds
                    # are not checked where the principle's are not.
                    withheld_any |= gp.suppressed_reason == "withheld"
                    continue
                reason = gp.favourability_suppressed_reason
                assert reason is None or gp.favourability is None  # (none: no answers)
                # The attacker is given more than is published: respondents, not answers.
                # (those scored on p: both answers)
                shown = sum(1 for r in rows if key(r[field_id]) == group.value
                            and (r["a"] is not None and r["b"] is not None))
            elif figure == "overall":
                reason = group.overall_suppressed_reason
                p_n = sum(r["a"] is not None and r["b"] is not None for r in rows)
                q_n = sum(r["c"] is not None for r in rows)
                shown = sum(1 for r in rows if key(r[field_id]) == group.value
                            and ((r["a"] is not None and r["b"] is not None and p_n >= m)
                                 or (r["c"] is not None and q_n >= m)))
            else:
                gp = next(p for p in group.principles if p.id == figure)
                reason, shown = gp.suppressed_reason, gp.n or 0
            assert group.n is not None
            if reason is None:
                cells.append(Cell(name, members, shown))
            elif reason == "withheld":
                withheld_any = True
                cells.append(Cell(name, members, None, 0, group.n))
            else:
                cells.append(Cell(name, members, None, *(
                    (1, min(m - 1, group.n)) if reason == "small" else (m, group.n))))
    return cells, withheld_any


@st.composite
def survey(draw: st.DrawFn, thresholds: tuple[int, int] = (3, 5),
           fields_from: int = 1) -> tuple[int, list[str], list[dict[str, Any]]]:
    m = draw(st.integers(*thresholds))
    fields = [f"f{i}" for i in range(draw(st.integers(fields_from, 3)))]
    n = draw(st.integers(m, max(10, m + 4)))
    alphabets = {f: draw(st.lists(st.sampled_from(["a", "b", "c", None]), min_size=1,
                                  max_size=3, unique=True)) for f in fields}
    rows = []
    for _ in range(n):
        row: dict[str, Any] = {f: draw(st.sampled_from(alphabets[f])) for f in fields}
        row["a"] = draw(st.sampled_from([1, 3, 5, None]))
        row["b"] = draw(st.sampled_from([2, 4, None]))
        row["c"] = draw(st.sampled_from([1, 4, None]))
        row["story"] = draw(st.sampled_from([None, "x", "y"]))
        rows.append(row)
    return m, fields, rows


@pytest.mark.slow
@settings(max_examples=int(os.environ.get("LEADLENS_DISCLOSURE_EXAMPLES", "120")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(survey())
def test_no_hidden_figure_can_be_worked_out(case: tuple[int, list[str], list[dict[str, Any]]]
                                            ) -> None:
    check_survey(*case)


@pytest.mark.slow
@settings(max_examples=int(os.environ.get("LEADLENS_DISCLOSURE_EXAMPLES", "120")) // 3,
          deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                HealthCheck.data_too_large])
@given(survey(thresholds=(6, 10), fields_from=2))
def test_no_hidden_figure_can_be_worked_out_at_thresholds_up_to_10(
        case: tuple[int, list[str], list[dict[str, Any]]]) -> None:
    """Two or three breakdowns, blanks ("(not stated)") among their values, thresholds 6-10."""
    check_survey(*case)


def check_survey(m: int, fields: list[str], rows: list[dict[str, Any]]) -> None:
    # A score needs both answers; % favourable counts the answers of those scored.
    # A second principle (q): the overall is the mean of p and q, so a group's overall
    # and one principle give the other; the overall is hidden exactly where one is.
    qs = build_set([{"id": "a"}, {"id": "b"}, {"id": "c", "principle": "q"},
                    {"id": "story", "type": "text"}], min_group_size=m, respondent=fields,
                   min_answered=2, principles=[{"id": "p", "name": "P"},
                                               {"id": "q", "name": "Q"}])
    results = score(qs, responses(qs, rows), by=fields).results
    per_respondent = [tuple(key(r[f]) for f in fields) for r in rows]
    p_n = sum(r["a"] is not None and r["b"] is not None for r in rows)
    q_n = sum(r["c"] is not None for r in rows)
    atom_keys = sorted(set(per_respondent))
    figures = {
        "group": [1] * len(rows),
        "p": [int(r["a"] is not None and r["b"] is not None) for r in rows],
        "q": [int(r["c"] is not None) for r in rows],
        # A principle scored for fewer than m in all counts towards no one's overall.
        "overall": [int((r["a"] is not None and r["b"] is not None and p_n >= m)
                        or (r["c"] is not None and q_n >= m)) for r in rows],
        # % favourable counts the answers of those scored on p (both answers) only.
        "favourable": [int(r["a"] is not None and r["b"] is not None) for r in rows],
        "comments": [int(r["story"] is not None) for r in rows],
    }
    for figure, flags in figures.items():
        counts = [sum(flag for flag, k in zip(flags, per_respondent, strict=True) if k == a)
                  for a in atom_keys]
        cells, withheld = attacker_cells(results, rows, fields, atom_keys, figure)
        if figure != "group" and sum(counts) < m:
            # The whole-survey figure itself rests on too few: no group shows it.
            assert all(c.published is None or c.published == 0 for c in cells)
            continue
        check_linked_tables(counts, cells, m, bounds=not withheld)
    for breakdown in results.groups.values():
        for group in breakdown.groups:
            if not group.suppressed:
                hidden = any(p.suppressed_reason is not None for p in group.principles)
                assert (group.overall_suppressed_reason is not None) == hidden, group.value
    shown = [g.n for b in results.groups.values() for g in b.groups if not g.suppressed]
    assert all(n is not None and n >= m for n in shown)
    # leadlens report's own checks never refuse or cut down what score publishes.
    from leadlens.report.writers import results_json
    from leadlens.results.loading import parse_results

    assert parse_results(results_json(results), "r.json").groups == results.groups


# --- known attacks, one by one ----------------------------------------------------------------

def two_way(rows: list[tuple[str, str, int]], m: int = 5) -> Results:
    qs = build_set([{"id": "a"}, {"id": "story", "type": "text"}], min_group_size=m,
                   respondent=["sector", "organisation"])
    records = [{"sector": s, "organisation": o, "a": a, "story": f"{o} story {i}"}
               for i, (s, o, a) in enumerate(rows)]
    return score(qs, responses(qs, records), by=["sector", "organisation"]).results


@pytest.mark.parametrize("acme", [6, 5])
def test_sector_minus_its_shown_organisation_no_longer_reveals_the_hidden_one(acme: int
                                                                               ) -> None:
    # The attack: North = Acme (6) + Tiny (1); South = Beta (5) + Gamma (7). Hiding
    # Tiny and, within organisations, the smallest other (Beta) left North and Acme both
    # published: n x mean of North minus n x mean of Acme was Tiny's answer.
    rows = ([("North", "Acme", 5)] * acme + [("North", "Tiny", 1)]
            + [("South", "Beta", 3)] * 5 + [("South", "Gamma", 4)] * 7)
    results = two_way(rows)
    published = {(b.field, g.value): g for b in results.groups.values() for g in b.groups
                 if not g.suppressed}
    north, acme_shown = (published.get(("sector", "North")),
                         published.get(("organisation", "Acme")))
    if north is not None and acme_shown is not None:
        assert north.n is not None and acme_shown.n is not None
        recovered = (north.n * (north.principles[0].score or 0)
                     - acme_shown.n * (acme_shown.principles[0].score or 0))
        raise AssertionError(f"Tiny's score can be worked out: {recovered}")
    assert [g.n for g in results.groups["sector"].groups] == [acme + 1, 12]
    assert results.disclosure is not None
    withheld = ("organisation", "withheld") in [(s.breakdown, s.reason)
                                                for s in results.disclosure.steps]
    if acme == 6:
        # Acme hidden with Tiny: 7 in North as Acme at least 5 and Tiny 1 to 4 (6 and 1, or
        # 5 and 2); Beta and Gamma shown (the first pick, Beta, left Acme and Tiny only 5
        # and 1 or 6 and 1 in North minus nothing, and was taken back).
        assert [(g.value, g.n, g.suppressed_reason)
                for g in results.groups["organisation"].groups] == [
            ("Acme", None, "complement"), ("Beta", 5, None), ("Gamma", 7, None),
            ("Tiny", None, "small")]
        assert not withheld
    else:
        # Acme 5 and Tiny 1 hidden together could only be 5 and 1: nothing safe is found.
        assert results.groups["organisation"].withheld is not None
        assert withheld


def test_sector_by_organisation_subtraction_is_blocked_in_the_linked_tables() -> None:
    sector = np.array([0] * 6 + [1] * 6)
    organisation = np.array([0] * 5 + [1] + [2] * 6)
    atom_of, groups = atoms_of([sector, organisation])
    found = protect(groups, np.bincount(atom_of), [2, 3], 5)
    # Showing both sectors and any organisation of North would reveal Tiny; the
    # organisation breakdown is withheld and the sectors (6 and 6) stay.
    assert found.reasons == [[None, None], ["withheld"] * 3]
    assert found.withheld == [False, True]


def test_two_large_overlapping_groups_do_not_single_out_one_person() -> None:
    # No group is small (threshold 3): sector North 4 = 1 in Acme + 3 in Beta; sector South 3
    # all in Acme; Acme 4, Beta 3. North minus Beta is the one North person in Acme.
    rows = ([("North", "Acme", 1)] + [("North", "Beta", 5)] * 3 + [("South", "Acme", 3)] * 3)
    results = two_way(rows, m=3)
    published = {(b.field, g.value): g for b in results.groups.values() for g in b.groups
                 if not g.suppressed}
    assert not (("sector", "North") in published and ("organisation", "Beta") in published)
    assert results.disclosure is not None and results.disclosure.steps


@pytest.mark.parametrize(("sizes", "reasons"), [
    # Total minus the shown groups: the hidden ones together (8) must not be too few or
    # pin each hidden group down.
    ([10, 6, 2], [None, "complement", "small"]),
    ([10, 8, 2, 2], [None, "complement", "small", "small"]),   # 2 + 2 = 4 < 5 together
    ([5, 1], ["withheld"] * 2),        # 5 + 1: "at least 5" and "1 to 4" leave only 5 and 1
    # Beside a 10, the 10 is hidden with the 1 instead: 11 as 7 to 10 and 1 to 4.
    ([10, 5, 1], ["complement", None, "small"]),
    ([4, 4, 10], ["withheld"] * 3),    # 4 + 4: "fewer than 5" twice in 8 leaves only 4 and 4
])
def test_one_breakdown_attacks(sizes: list[int], reasons: list[str | None]) -> None:
    groups = np.arange(len(sizes)).reshape(-1, 1)
    assert protect(groups, np.array(sizes), [len(sizes)], 5).reasons == [reasons]


def test_a_group_principle_from_three_of_six_is_hidden_and_not_recoverable() -> None:
    # Acme has 6 respondents but only 3 answered: its score would rest on 3 people.
    qs = build_set([{"id": "a"}], min_group_size=5)
    rows = ([{"organisation": "Acme", "a": 5}] * 3 + [{"organisation": "Acme"}] * 3
            + [{"organisation": "Beta", "a": 1}] * 6 + [{"organisation": "Gamma", "a": 3}] * 6)
    results = score(qs, responses(qs, rows), by=["organisation"]).results
    groups = {g.value: g for g in results.groups["organisation"].groups}
    assert groups["Acme"].n == 6
    acme = groups["Acme"].principles[0]
    assert (acme.score, acme.n, acme.suppressed_reason) == (None, None, "small")
    # Overall minus Beta minus Gamma would give Acme's: one of them is hidden as well.
    others = [groups[v].principles[0] for v in ("Beta", "Gamma")]
    assert sum(p.suppressed_reason == "complement" for p in others) == 1
    steps = [(s.group, s.figure, s.reason) for s in results.disclosure.steps]  # type: ignore[union-attr]
    assert ("Acme", "p", "small") in steps
    assert any(f == "p" and r == "complement" for _, f, r in steps)


def test_comments_of_a_hidden_organisation_cannot_be_found_by_set_difference() -> None:
    rows = ([("North", "Acme", 5)] * 6 + [("North", "Tiny", 1)]
            + [("South", "Beta", 3)] * 5 + [("South", "Gamma", 4)] * 7)
    results = two_way(rows)
    tiny = {f"Tiny story {i}" for i, row in enumerate(rows) if row[1] == "Tiny"}
    lists = {(b.field, g.value): set(g.comments.get("story", []))
             for b in results.groups.values() for g in b.groups if not g.suppressed}
    everyone = set(results.comments["story"])
    assert tiny <= everyone  # 19 people commented: the overall list stays
    # No published list minus the published lists inside it isolates Tiny's comment.
    for whole in [everyone, *lists.values()]:
        inside = [other for other in lists.values() if other < whole]
        assert whole - set().union(*inside) != tiny


def test_whole_survey_below_the_threshold_publishes_no_figure() -> None:
    qs = build_set([{"id": "a"}, {"id": "x", "principle": None, "scale": "agree"},
                    {"id": "story", "type": "text"}], min_group_size=5)
    rows = [{"organisation": "Acme", "a": 5, "x": 1, "story": "mine"},
            {"organisation": "Acme", "a": 1, "x": 4, "story": "theirs"}]
    results = score(qs, responses(qs, rows), by=["organisation"]).results
    assert results.respondents == 2
    assert results.withheld is not None and "fewer than the 5 needed" in results.withheld
    assert results.principles[0].score is None and results.principles[0].n == 0
    assert all(not any(c for c in i.counts.values()) for p in results.principles
               for i in p.items)
    assert all(not any(i.counts.values()) for i in results.items)
    assert results.overall.score is None
    assert results.comments == {} and results.groups["organisation"].groups == []


def test_three_respondents_are_allowed_when_the_question_set_says_so() -> None:
    qs = build_set([{"id": "a"}], min_group_size=3)
    rows = [{"a": 5}, {"a": 1}, {"a": 3}]
    results = score(qs, responses(qs, rows)).results
    assert results.withheld is None and results.principles[0].score == pytest.approx(50.0)


def test_a_figure_resting_on_too_few_is_hidden_with_its_reason() -> None:
    qs = build_set([{"id": "a"}, {"id": "b"}, {"id": "x", "principle": None, "scale": "agree"}],
                   min_answered=1, min_group_size=5)
    rows = [{"a": 4, "b": 4}] * 6 + [{"x": 2}] * 2
    results = score(qs, responses(qs, rows)).results
    [x] = results.items
    # Nor how many answered: n, missing and unscored rest on those two as well.
    assert (x.n, x.missing, x.unscored, x.mean, x.counts) == (None, None, None, None, {})
    assert x.withheld == "fewer than 5 respondents answered"
    assert results.principles[0].score is not None  # 6 scored


def test_the_audit_never_gives_the_hidden_size() -> None:
    rows = [{"organisation": "Acme", "a": 5}] * 7 + [{"organisation": "Tiny", "a": 1}] * 2 \
        + [{"organisation": "Beta", "a": 3}] * 6
    qs = build_set([{"id": "a"}], min_group_size=5)
    results = score(qs, responses(qs, rows), by=["organisation"]).results
    assert results.disclosure is not None
    text = " ".join(s.text for s in results.disclosure.steps)
    assert "Tiny" in text and "2" not in text.replace("fewer than 5", "")
    counted = Counter(s.reason for s in results.disclosure.steps)
    assert counted["small"] >= 1 and counted["complement"] >= 1


def test_an_overall_hidden_for_a_principles_sake_keeps_its_labels_bounds() -> None:
    # Found by the property test: b's p rests on 2 (m 3), so a's p is hidden too, and with
    # them both groups' overall. The overall table treated them as 0 or more, but their label
    # ("protects a smaller figure") says at least 3, and then a's overall count was pinned.
    rows = [{"f0": "a", "f1": f, "a": a, "b": b, "c": c, "story": None}
            for f, a, b, c in [("a", 1, 2, 1), ("a", 1, 2, 1), ("b", 1, 2, 1), ("b", 1, None, 1),
                               ("c", 1, None, 1), ("c", 1, None, 1), ("a", 1, 2, 1),
                               ("b", 1, 2, 1), ("c", None, 2, 1), ("a", 1, None, None)]]
    check_survey(3, ["f0", "f1"], rows)


def test_the_property_holds_with_one_breakdown_withheld() -> None:
    # North = Acme 5 + Tiny 1, South = Beta 5 + Gamma 7: the organisations are withheld,
    # the sectors (checked afresh without them) shown; the attacker's check still holds.
    rows = [{"f0": s, "f1": o, "a": 1 + i % 5, "b": 2 + 2 * (i % 2), "c": 1 + 3 * (i % 2),
             "story": "x" if i % 3 else None}
            for i, (s, o) in enumerate([("North", "Acme")] * 5 + [("North", "Tiny")]
                                       + [("South", "Beta")] * 5 + [("South", "Gamma")] * 7)]
    qs = build_set([{"id": "a"}], min_group_size=5, respondent=["f0", "f1"])
    results = score(qs, responses(qs, rows), by=["f0", "f1"]).results
    assert results.groups["f1"].withheld is not None and results.groups["f1"].groups == []
    assert [g.n for g in results.groups["f0"].groups] == [6, 12]
    check_survey(5, ["f0", "f1"], rows)
