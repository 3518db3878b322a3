"""Partial answers give no respondent away at the whole-survey level (issue 10).

Before, a principle's score was the mean of the questions each person answered, so the
principle's sum minus its questions' sums gave a partial answerer's own answers; the same for
the overall against its principles, a timepoint's mean against its paired mean, and a
withheld question inside its principle's % favourable. Now a blank or "Don't know" counts as
the question's mean among those scored on the principle (psych's ``scoreItems(impute =
"mean")``), every question figure of a principle is over those people, a question answered by
too few of them counts towards nothing, and 1 to min_group_size - 1 people who answered one
timepoint only count on none of its figures (the paired figures are withheld instead for a
principle's question).

The property test builds every linear equation the whole survey publishes on the answers
(question sums over those scored, principle, perspective and overall sums, timepoint sums,
published means used as imputation constants counted as constants) and checks with exact
rational arithmetic that no nonzero combination of one person's answers is in their span.
"""

from __future__ import annotations

import json
import math
from fractions import Fraction
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadlens.questionset.model import QuestionSet
from leadlens.results.document import Results
from leadlens.scoring import score
from scoring_fixtures import build_set, responses

DK = "Don't know"


def document(qs: QuestionSet, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The results document as ``leadlens score -o results.json`` writes it."""
    data: dict[str, Any] = json.loads(score(qs, responses(qs, rows)).results.model_dump_json())
    return data


def keyed_sum(item: dict[str, Any]) -> float:
    """An item's sum in 0-100 units from its published n and raw mean (scale 1-5)."""
    return float(item["n"] * (item["mean"] - 1) * 25)


# --- the four attacks, one by one -------------------------------------------------------------

def test_principle_minus_its_questions_no_longer_gives_a_partial_answerer() -> None:
    qs = build_set([{"id": f"b{k}"} for k in range(1, 6)], min_group_size=5)
    rows = [{f"b{k}": 1 + (i * k + i // 2) % 5 for k in range(1, 6)} for i in range(10)]
    rows[3]["b2"] = None
    theirs = sum((v - 1) * 25 for k, v in rows[3].items() if v is not None)
    assert theirs > 0
    doc = document(qs, rows)
    [p] = doc["principles"]
    # 20 x (n x mean - 1/5 x the questions' sums) was person 3's keyed sum.
    recovered = 20 * (p["n"] * p["score"] - sum(keyed_sum(i) for i in p["items"]) / 5)
    assert not math.isclose(recovered, theirs, abs_tol=1e-6), recovered
    # The principle's mean is its questions' means' mean: nothing beyond them.
    means = [(i["mean"] - 1) * 25 for i in p["items"]]
    assert math.isclose(p["score"], sum(means) / 5, abs_tol=1e-9)
    # A "Don't know" the same way.
    rows[3]["b2"] = DK
    p = document(qs, rows)["principles"][0]
    recovered = 20 * (p["n"] * p["score"] - sum(keyed_sum(i) for i in p["items"]) / 5)
    assert not math.isclose(recovered, theirs, abs_tol=1e-6), recovered


def test_a_timepoint_minus_its_paired_mean_no_longer_gives_a_lone_answer() -> None:
    qs = build_set([{"id": "t", "principle": None, "timepoints": ["current", "target"]}],
                   timepoints=["current", "target"], min_group_size=5)
    rows = [{"t@current": 1 + i % 5, "t@target": 1 + (i + 2) % 5} for i in range(10)]
    rows[3]["t@target"] = None
    doc = document(qs, rows)
    [t] = doc["timepoints"]
    current = t["timepoints"][0]
    # current.mean x n - paired_means[0] x gap_n was person 3's current answer: now person 3
    # counts on no figure of t@current (the gap stays, over the 9 pairs).
    assert current["n"] == 9 and t["gap_n"] == 9 and t["gap_withheld"] is None
    recovered = current["mean"] * current["n"] - t["paired_means"][0] * t["gap_n"]
    assert math.isclose(recovered, 0.0, abs_tol=1e-9), recovered
    [item] = [i for i in doc["items"] if i["key"] == "t@current"]
    assert item["n"] == 9  # the question's own answers leave person 3 out too
    assert math.isclose(sum(int(v) * c for v, c in item["counts"].items() if v.isdigit()),
                        current["mean"] * 9)
    assert t["timepoints"][0]["n"] == 9  # its own n says who it is counted over
    # With none (or at least 5) answering one end only, every answer counts.
    rows[3]["t@target"] = 2
    [t] = document(qs, rows)["timepoints"]
    assert t["gap_n"] == 10 and t["timepoints"][0]["n"] == 10 and t["gap_withheld"] is None


def test_overall_minus_its_principles_no_longer_gives_a_partial_answerer() -> None:
    qs = build_set([{"id": "a"}, {"id": "b"}, {"id": "c", "principle": "q"},
                    {"id": "d", "principle": "q"}],
                   principles=[{"id": "p", "name": "P"}, {"id": "q", "name": "Q"}],
                   min_answered=1, min_group_size=5)
    rows = [{"a": 1 + i % 5, "b": 1 + (2 * i) % 5, "c": 1 + (i + 1) % 5, "d": 1 + (3 * i) % 5}
            for i in range(10)]
    rows[3]["c"] = rows[3]["d"] = None  # scored on p only
    theirs = ((rows[3]["a"] - 1) * 25 + (rows[3]["b"] - 1) * 25) / 2
    assert theirs > 0
    doc = document(qs, rows)
    overall, (p, q) = doc["overall"], doc["principles"]
    assert overall["n"] == 10 and q["n"] == 9
    # overall x n - (p's sum + q's sum) / 2 was half person 3's score on p.
    recovered = 2 * (overall["n"] * overall["score"] - (p["n"] * p["score"]
                                                        + q["n"] * q["score"]) / 2)
    assert not math.isclose(recovered, theirs, abs_tol=1e-6), recovered
    assert math.isclose(overall["score"], (p["score"] + q["score"]) / 2, abs_tol=1e-9)


def test_a_withheld_question_is_not_in_its_principles_favourable() -> None:
    qs = build_set([{"id": "a"}, {"id": "b"}], min_answered=1, min_group_size=5)
    rows = [{"a": 1 + i % 5, "b": (5 if i < 2 else 1) if i < 3 else None} for i in range(10)]
    doc = document(qs, rows)
    [p] = doc["principles"]
    a, b = p["items"]
    pooled = p["favourability"]
    # Pooled answers minus the shown question's were b's count; the shares its split.
    assert pooled["answers"] - a["n"] == 0
    assert math.isclose(pooled["favourable"] * pooled["answers"],
                        a["favourability"]["favourable"] * a["n"], abs_tol=1e-9)
    assert b["n"] is None and b["counts"] == {} and "counts towards none" in b["withheld"]
    # The principle is scored on a alone: its mean is a's.
    assert math.isclose(p["score"], (a["mean"] - 1) * 25, abs_tol=1e-9)
    steps = [s for s in doc["disclosure"]["steps"] if s["figure"] == "item:b"]
    assert steps and "not counted in principle 'p'" in steps[0]["text"]


def test_a_principle_nobody_is_scored_on_publishes_no_pooled_favourable() -> None:
    """Both answers needed, and nobody gave both (found by tests/test_disclosure.py's
    property test): the questions are counted over everyone, each on one answer (withheld),
    but the pooled % favourable went out on their two answers."""
    qs = build_set([{"id": "a"}, {"id": "b"}, {"id": "c", "principle": "q"}],
                   min_answered=2, min_group_size=3,
                   principles=[{"id": "p", "name": "P"}, {"id": "q", "name": "Q"}])
    rows = [{"a": 1, "b": None, "c": 1}, {"a": None, "b": 2, "c": 1},
            {"a": None, "b": None, "c": 1}]
    doc = document(qs, rows)
    p = doc["principles"][0]
    assert not p["n"] and p["score"] is None
    assert all(i["counts"] == {} for i in p["items"])
    assert p["favourability"] is None
    from leadlens.results.checks import anonymity_problems

    assert anonymity_problems(Results.model_validate(doc), "r.json") == []


def test_a_principle_with_every_question_too_thin_is_withheld_with_a_reason() -> None:
    # Ten scored (min_answered 1), but each question answered by 1 to 4 of them.
    qs = build_set([{"id": f"q{k}"} for k in range(3)], min_answered=1, min_group_size=5)
    rows = [{f"q{k}": (1 + i % 5 if i // 4 == k else None) for k in range(3)}
            for i in range(10)]
    p = document(qs, rows)["principles"][0]
    assert p["score"] is None and p["withheld"] and "counts towards a score" in p["withheld"]
    assert all(i["n"] is None for i in p["items"])


# --- the rank test ----------------------------------------------------------------------------

Row = dict[tuple[int, str], Fraction]


def rank(rows: list[Row], columns: list[tuple[int, str]]) -> int:
    """Exact rank of ``rows`` restricted to ``columns`` (Gaussian elimination on fractions)."""
    matrix = [[r.get(c, Fraction(0)) for c in columns] for r in rows]
    matrix = [m for m in matrix if any(m)]
    found = 0
    for col in range(len(columns)):
        pivot = next((i for i in range(found, len(matrix)) if matrix[i][col] != 0), None)
        if pivot is None:
            continue
        matrix[found], matrix[pivot] = matrix[pivot], matrix[found]
        head = matrix[found]
        for i in range(len(matrix)):
            if i != found and matrix[i][col] != 0:
                factor = matrix[i][col] / head[col]
                matrix[i] = [v - factor * h for v, h in zip(matrix[i], head, strict=True)]
        found += 1
    return found


def leaked(rows: list[Row]) -> list[int]:
    """People for whom a nonzero combination of their own answers is in the row space:
    rank(R) - rank(R without their columns) = dim(row space within their columns)."""
    columns = sorted({c for r in rows for c in r})
    whole = rank(rows, columns)
    people = sorted({x for x, _ in columns})
    return [x for x in people
            if whole - rank(rows, [c for c in columns if c[0] != x]) > 0]


def value(row: dict[str, Any], key: str) -> int | None:
    answer = row.get(key)
    return answer if isinstance(answer, int) else None


def published_equations(qs: QuestionSet, rows: list[dict[str, Any]], doc: Results,
                        members: dict[str, set[int]]) -> list[Row]:
    """Every linear equation on the raw answers the whole survey publishes, with the
    documented rule's coefficients (a keyed 0-100 value is a constant plus +-25 x raw)."""
    equations: list[Row] = []
    principle_rows: dict[str, Row] = {}
    if doc.withheld:  # fewer than min_group_size in all: nothing computed from answers
        return []
    for question_set_p, result in zip(qs.principles, doc.principles, strict=True):
        pid = question_set_p.id
        # Nobody scored: the principle publishes no figure beside its items, counted over
        # everyone.
        people = members[pid] or set(range(len(rows)))
        by_key = {i.key: i for i in result.items}
        for item in result.items:
            if item.n is not None and item.withheld is None:
                equations.append({(x, item.key): Fraction(1) for x in people
                                  if value(rows[x], item.key) is not None})
                assert len(equations[-1]) == item.n, (item.key, sorted(people))
        if result.score is None:
            continue
        scored = [(q, key) for q in qs.questions if q.principle == pid
                  for n, key in enumerate(q.answer_keys) if not q.timepoints or n == 0]
        counted = [(q, key) for q, key in scored if by_key[key].withheld is None
                   and by_key[key].n]

        def mean_row(chosen: list[Any], people: set[int] = people) -> Row:
            weights = {key: Fraction(q.weight) / (len(q.perspectives) or 1) for q, key in chosen}
            total = sum(weights.values())
            out: Row = {}
            for q, key in chosen:
                for x in people:
                    if value(rows[x], key) is not None:
                        out[x, key] = weights[key] / total * (-25 if q.reverse else 25)
            return out

        principle_rows[pid] = mean_row(counted)
        equations.append(principle_rows[pid])
        for perspective in result.perspectives:
            if perspective.score is not None and perspective.withheld is None:
                equations.append(mean_row([(q, key) for q, key in counted
                                           if key.endswith("@" + perspective.id)]))
    if doc.overall.score is not None:
        weights = {p.id: Fraction(p.weight) for p in qs.principles if p.id in principle_rows}
        total = sum(weights.values())
        overall: Row = {}
        for pid, row in principle_rows.items():
            for cell, coefficient in row.items():
                overall[cell] = overall.get(cell, Fraction(0)) + weights[pid] / total * coefficient
        equations.append(overall)
    for t in doc.timepoints:
        question = next(q for q in qs.questions if q.id == t.question)
        people = members.get(question.principle or "") or set(range(len(rows)))
        keys = question.answer_keys
        answered = {key: {x for x in people if value(rows[x], key) is not None}
                    for key in keys}
        if not question.principle and len(keys) >= 2:  # 1..m-1 one-sided: left out
            ends = answered[keys[0]] & answered[keys[-1]]
            for key in keys:
                if 0 < len(answered[key] - ends) < doc.min_group_size:
                    answered[key] = answered[key] & ends
        for mean, key in zip(t.timepoints, keys, strict=True):
            if mean.n is not None and mean.withheld is None:
                equations.append({(x, key): Fraction(1) for x in answered[key]})
                assert len(equations[-1]) == mean.n
        if t.paired_means:
            both = [x for x in people if value(rows[x], keys[0]) is not None
                    and value(rows[x], keys[-1]) is not None]
            assert len(both) == t.gap_n
            for key in keys:
                equations.append({(x, key): Fraction(1) for x in both
                                  if x in answered[key]})
    return [e for e in equations if e]


def available_case_equations(qs: QuestionSet, rows: list[dict[str, Any]]) -> list[Row]:
    """What main published: each item over everyone who answered it, each person's principle
    score the mean of the items they answered (imputation switched off)."""
    equations: list[Row] = []
    for p in qs.principles:
        keys = [(q, k) for q in qs.questions if q.principle == p.id for k in q.answer_keys]
        for _, key in keys:
            equations.append({(x, key): Fraction(1) for x, r in enumerate(rows)
                              if value(r, key) is not None})
        total: Row = {}
        for x, r in enumerate(rows):
            mine = [(q, key) for q, key in keys if value(r, key) is not None]
            if len(mine) < math.ceil(qs.scoring.min_answered * len(keys) - 1e-9):
                continue
            weight = sum(Fraction(q.weight) for q, _ in mine)
            for q, key in mine:
                total[x, key] = Fraction(q.weight) / weight * (-25 if q.reverse else 25)
        equations.append(total)
    return [e for e in equations if e]


def reference_members(qs: QuestionSet, rows: list[dict[str, Any]], doc: Results
                      ) -> dict[str, set[int]]:
    """Who is scored on each published principle, by the documented rule."""
    out: dict[str, set[int]] = {}
    for p, result in zip(qs.principles, doc.principles, strict=True):
        # Every scored item (a timepoint question's first) except those left out.
        counted = [i.key for i in result.items
                   if "counts towards none" not in (i.withheld or "")
                   and i.timepoint in (None, qs.timepoints[0].id if qs.timepoints else None)]
        k = len(counted)
        m = qs.scoring.min_answered
        need = max(1, math.ceil(m * k - 1e-9)) if m < 1 else min(k, math.ceil(m - 1e-9))
        out[p.id] = {x for x, r in enumerate(rows)
                     if k and sum(value(r, key) is not None for key in counted) >= need}
    return out


@st.composite
def partial_survey(draw: st.DrawFn) -> tuple[QuestionSet, list[dict[str, Any]]]:
    questions: list[dict[str, Any]] = []
    principles = [{"id": f"p{i}", "name": f"P{i}", "weight": draw(st.sampled_from([1, 2]))}
                  for i in range(draw(st.integers(1, 2)))]
    for p in principles:
        for k in range(draw(st.integers(1, 3))):
            question: dict[str, Any] = {"id": f"{p['id']}-{k}", "principle": p["id"],
                                        "reverse": draw(st.booleans()),
                                        "weight": draw(st.sampled_from([1.0, 2.0, 0.5]))}
            kind = draw(st.integers(0, 5))
            if kind == 0:
                question["perspectives"] = ["own", "sys"]
            elif kind == 1:
                question["timepoints"] = ["current", "target"]
            questions.append(question)
    if draw(st.booleans()):
        questions.append({"id": "plain", "principle": None, "timepoints": ["current", "target"]})
    qs = build_set(questions, principles=principles, perspectives=["own", "sys"],
                   timepoints=["current", "target"],
                   min_answered=draw(st.sampled_from([0.5, 1, 2, 0.75])),
                   min_group_size=draw(st.integers(3, 5)), respondent=())
    rows: list[dict[str, Any]] = []
    for _ in range(draw(st.integers(3, 12))):
        row: dict[str, Any] = {}
        for q in qs.questions:
            for key in q.answer_keys:
                row[key] = draw(st.one_of(st.integers(1, 5), st.integers(1, 5), st.none(),
                                          st.just(DK)))
        rows.append(row)
    return qs, rows


def check_no_leak(qs: QuestionSet, rows: list[dict[str, Any]]) -> None:
    scored = score(qs, responses(qs, rows))
    doc = scored.results
    members = reference_members(qs, rows, doc)
    for p, result in zip(qs.principles, doc.principles, strict=True):
        if result.score is None:
            continue
        engine = {x for x, s in enumerate(scored.respondents.by_principle[p.id]) if s == s}
        assert engine == members[p.id]
        # The published mean is the documented one: the weighted mean of the counted
        # questions' means over those scored, so the equations below are the true ones.
        counted = [i for i in result.items if i.withheld is None and i.n
                   and (i.timepoint is None or i.key.endswith("@" + qs.timepoints[0].id))]
        weights = [next(q for q in qs.questions if q.id == i.question).answer_weight
                   for i in counted]
        means = [((6 - i.mean) if i.reverse else i.mean) for i in counted if i.mean is not None]
        expected = sum(w * (v - 1) * 25 for w, v in zip(weights, means, strict=True)) \
            / sum(weights)
        assert math.isclose(result.score, expected, abs_tol=1e-7)
        if result.favourability is not None:
            assert result.favourability.answers == sum(i.n or 0 for i in counted)
    shown = [p.score for p, q in zip(doc.principles, qs.principles, strict=True)
             if p.score is not None]
    if doc.overall.score is not None:
        weights = [q.weight for p, q in zip(doc.principles, qs.principles, strict=True)
                   if p.score is not None]
        assert math.isclose(doc.overall.score, sum(w * s for w, s in zip(weights, shown,
                                                                         strict=True))
                            / sum(weights), abs_tol=1e-7)
    equations = published_equations(qs, rows, doc, members)
    assert leaked(equations) == [], "a respondent's answers are in the published span"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(partial_survey())
def test_no_partial_answerer_is_in_the_span_of_the_published_sums(
        case: tuple[QuestionSet, list[dict[str, Any]]]) -> None:
    check_no_leak(*case)


def test_the_checker_finds_the_leak_without_imputation() -> None:
    # The first attack's survey under main's available-case rule: person 0 is found.
    qs = build_set([{"id": f"b{k}"} for k in range(1, 6)], min_group_size=5)
    rows: list[dict[str, Any]] = [{f"b{k}": 1 + (i * k + i // 2) % 5 for k in range(1, 6)}
                                  for i in range(10)]
    rows[3]["b2"] = None
    assert leaked(available_case_equations(qs, rows)) == [3]
    # And the same survey as published now: nobody.
    check_no_leak(qs, rows)
