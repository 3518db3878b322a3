"""A second, plain-Python implementation of the scoring rules agrees with the engine.

The reference below follows docs/scoring.md line by line, one respondent at a time, with
no numpy and no answer patterns; hypothesis generates small question sets and responses.
"""

from __future__ import annotations

import math
import statistics
import unicodedata
from collections import Counter
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadlens.questionset.model import Question, QuestionSet
from leadlens.scoring import score
from leadlens.scoring.reliability import MIN_RELIABILITY_N
from leadlens.scoring.stats import t_quantile
from scoring_fixtures import build_set, responses, scale

SCALES = {"five": (1, 5), "zero": (0, 4), "seven": (1, 7)}
ORGS = ["Acme", "acme ", "ACME", "Beta", "Gamma", " gamma", None]


@st.composite
def survey(draw: st.DrawFn) -> tuple[QuestionSet, list[dict[str, Any]]]:
    n_principles = draw(st.integers(1, 3))
    principles = [{"id": f"p{i}", "name": f"P{i}",
                   "weight": draw(st.sampled_from([1.0, 2.0, 0.5]))}
                  for i in range(n_principles)]
    questions: list[dict[str, Any]] = []
    for p in principles:
        for k in range(draw(st.integers(1, 4))):
            question: dict[str, Any] = {
                "id": f"{p['id']}-{k}", "principle": p["id"],
                "scale": draw(st.sampled_from(sorted(SCALES))),
                "reverse": draw(st.booleans()),
                "weight": draw(st.sampled_from([1.0, 1.0, 2.0, 0.5]))}
            if draw(st.integers(0, 4)) == 0:
                question["perspectives"] = ["org", "sys"]
            questions.append(question)
    qs = build_set(questions, principles=principles,
                   scales={name: scale(*ends) for name, ends in SCALES.items()},
                   min_answered=draw(st.sampled_from([0.3, 0.5, 0.75, 1, 2])),
                   min_group_size=3, perspectives=["org", "sys"])
    rows: list[dict[str, Any]] = []
    for _ in range(draw(st.integers(1, 45))):
        row: dict[str, Any] = {"organisation": draw(st.sampled_from(ORGS))}
        for q in qs.questions:
            low, high = SCALES[q.scale or ""]
            for key in q.answer_keys:
                row[key] = draw(st.one_of(st.integers(low, high), st.none(),
                                          st.just("Don't know")))
        rows.append(row)
    return qs, rows


def units(q: Question, value: Any) -> float | None:
    if not isinstance(value, int):
        return None
    low, high = SCALES[q.scale or ""]
    keyed = low + high - value if q.reverse else value
    return (keyed - low) / (high - low) * 100


def required(qs: QuestionSet, k: int) -> int:
    m = qs.scoring.min_answered
    return max(1, math.ceil(m * k - 1e-9)) if m < 1 else min(k, math.ceil(m))


def principle_items(qs: QuestionSet, pid: str) -> list[tuple[Question, str, float]]:
    # A two-hat question counts once: its weight is split between its hats' answers.
    return [(q, key, q.weight / (len(q.perspectives) or 1))
            for q in qs.questions if q.principle == pid for key in q.answer_keys]


def principle_scores(qs: QuestionSet, pid: str, rows: list[dict[str, Any]],
                     perspective: str | None = None) -> list[float | None]:
    """docs/scoring.md: scored when at least min_answered of the items are answered; a
    blank or Don't know counts as the item's mean among those scored who answered it."""
    items = principle_items(qs, pid)
    given = [[units(q, row.get(key)) for q, key, _ in items] for row in rows]
    scored = [sum(v is not None for v in row) >= required(qs, len(items)) for row in given]
    means: list[float | None] = []
    for j in range(len(items)):
        answers = [row[j] for row, s in zip(given, scored, strict=True)
                   if s and row[j] is not None]
        means.append(statistics.fmean(answers) if answers else None)  # type: ignore[type-var]
    wanted = [j for j, (q, key, _) in enumerate(items) if means[j] is not None
              and (perspective is None or key.endswith("@" + perspective))]
    scores: list[float | None] = []
    for row, s in zip(given, scored, strict=True):
        if not s or not wanted:
            scores.append(None)
            continue
        filled = [(row[j] if row[j] is not None else means[j], items[j][2]) for j in wanted]
        scores.append(sum(v * w for v, w in filled if v is not None)
                      / sum(w for _, w in filled))
    return scores


def overall_scores_of(qs: QuestionSet, rows: list[dict[str, Any]]) -> list[float | None]:
    """A principle someone has no score on counts at its mean (over those scored)."""
    columns = [(principle_scores(qs, p.id, rows), p.weight) for p in qs.principles]
    means = [(statistics.fmean(k), w) for c, w in columns
             if (k := [s for s in c if s is not None])]
    total_weight = sum(w for _, w in means)
    result: list[float | None] = []
    for i in range(len(rows)):
        if all(c[i] is None for c, _ in columns):
            result.append(None)
            continue
        values = [(c[i] if c[i] is not None else statistics.fmean(
            [s for s in c if s is not None]), w) for c, w in columns
            if any(s is not None for s in c)]
        result.append(sum(v * w for v, w in values) / total_weight)
    return result


def alpha(qs: QuestionSet, pid: str, rows: list[dict[str, Any]]) -> float | None:
    items = [(q, key) for q in qs.questions if q.principle == pid for key in q.answer_keys]
    matrix = [[units(q, row.get(key)) for q, key in items] for row in rows]
    complete = [r for r in matrix if all(v is not None for v in r)]
    k = len(items)
    if k < 2 or len(complete) < MIN_RELIABILITY_N:  # docs/scoring.md: too few to publish
        return None
    item_vars = [statistics.variance([r[j] for r in complete]) for j in range(k)]  # type: ignore[misc]
    total_var = statistics.variance([sum(r) for r in complete])  # type: ignore[arg-type]
    if total_var <= 1e-12:
        return None
    return k / (k - 1) * (1 - sum(item_vars) / total_var)


def close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-7)


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(survey())
def test_engine_agrees_with_the_reference(case: tuple[QuestionSet, list[dict[str, Any]]]
                                          ) -> None:
    qs, rows = case
    scored = score(qs, responses(qs, rows), by=["organisation"], small_figures=True)
    results = scored.results
    for p_index, p in enumerate(qs.principles):
        mine = principle_scores(qs, p.id, rows)
        engine = scored.respondents.by_principle[p.id].tolist()
        assert all(close(a, None if math.isnan(b) else b) for a, b in zip(mine, engine,
                                                                          strict=True))
        kept = [s for s in mine if s is not None]
        result = results.principles[p_index]
        assert result.n == len(kept)
        assert close(result.score, statistics.fmean(kept) if kept else None)
        sd = statistics.stdev(kept) if len(kept) > 1 else None
        if sd is not None and result.score is not None:
            half = t_quantile(0.975, len(kept) - 1) * sd / math.sqrt(len(kept))
            assert result.ci95 is not None
            assert close(result.ci95[0], max(0.0, result.score - half))
            assert close(result.ci95[1], min(100.0, result.score + half))
        scales = {q.scale for q in qs.questions if q.principle == p.id}
        if len(scales) == 1 and kept:
            low, high = SCALES[scales.pop() or ""]
            assert close(result.mean, low + (high - low) * statistics.fmean(kept) / 100)
        assert close(result.alpha, alpha(qs, p.id, rows))
        below = sum(s < 50 - 1e-9 for s in kept) / len(kept) if kept else None
        assert close(result.below_50, below)
        for perspective in result.perspectives:
            theirs = principle_scores(qs, p.id, rows, perspective.id)
            values = [s for s in theirs if s is not None]
            assert perspective.n == len(values)
            assert close(perspective.score, statistics.fmean(values) if values else None)
    overall_scores = [s for s in overall_scores_of(qs, rows) if s is not None]
    assert results.overall.n == len(overall_scores)
    assert close(results.overall.score,
                 statistics.fmean(overall_scores) if overall_scores else None)

    # Groups: normalised values, hidden when small, the rest scored like the whole.
    def key(value: str | None) -> str:
        return unicodedata.normalize("NFC", value.strip()).casefold() if value else ""

    sizes = Counter(key(row["organisation"]) for row in rows)
    groups = results.groups["organisation"].groups
    assert sorted(g.n or 0 for g in groups if not g.suppressed) == sorted(
        n for k, n in sizes.items()
        if any(not g.suppressed and key(g.value if not g.not_stated else None) == k
               for g in groups))
    for group in groups:
        if group.suppressed:
            continue
        inside = [key(row["organisation"]) == key(None if group.not_stated else group.value)
                  for row in rows]
        assert group.n == sum(inside) >= 3
        for p_index, p in enumerate(qs.principles):
            # Imputed with the whole survey's item means.
            values = [s for s, i in zip(principle_scores(qs, p.id, rows), inside, strict=True)
                      if i and s is not None]
            if group.principles[p_index].suppressed_reason is not None:
                continue  # tests/test_disclosure.py checks which figures are hidden
            assert group.principles[p_index].n == len(values)
            assert close(group.principles[p_index].score,
                         statistics.fmean(values) if values else None)


@pytest.mark.parametrize(("p", "df", "expected"), [
    # Student t table values (two-sided 95% unless noted).
    (0.975, 1, 12.706204736), (0.975, 2, 4.302652730), (0.975, 3, 3.182446305),
    (0.975, 5, 2.570581836), (0.975, 10, 2.228138852), (0.975, 30, 2.042272456),
    (0.975, 100, 1.983971519), (0.975, 1000, 1.962339081), (0.975, 10**6, 1.959966357),
    (0.995, 4, 4.604094871), (0.9, 7, 1.414923928), (0.025, 10, -2.228138852),
])
def test_t_quantile_matches_tables(p: float, df: int, expected: float) -> None:
    assert t_quantile(p, df) == pytest.approx(expected, abs=1e-8)


def test_t_quantile_methods_agree_where_they_meet() -> None:
    # Below 300 degrees of freedom the incomplete beta is inverted; from 300 an expansion.
    from leadlens.scoring.stats import _cornish_fisher

    assert t_quantile.__wrapped__(0.975, 299) == pytest.approx(_cornish_fisher(0.975, 299),
                                                               abs=1e-10)


def test_t_quantile_refuses_nonsense() -> None:
    with pytest.raises(ValueError):
        t_quantile(1.0, 3)
    with pytest.raises(ValueError):
        t_quantile(0.5, 0)
