"""Groups by respondent field: normalising values, anonymity and the spread between groups."""

from __future__ import annotations

import unicodedata
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadlens.errors import UsageError
from leadlens.scoring import FieldValues, effective_min_group_size, score
from leadlens.scoring.groups import NOT_STATED, group_key, group_respondents, suppression
from scoring_fixtures import build_set, responses

approx = pytest.approx


def test_values_are_trimmed_nfc_and_case_insensitive() -> None:
    decomposed = unicodedata.normalize("NFD", "Café Trust")
    values = FieldValues.from_strings(
        ["Acme ", "acme", "ACME", "Acme ", "Café Trust", decomposed, "  ", None, "Beta"])
    grouping = group_respondents("organisation", values)
    assert grouping.values == ["Acme", "Beta", "Café Trust", NOT_STATED]
    assert grouping.sizes.tolist() == [4, 1, 2, 2]
    assert grouping.not_stated == [False, False, False, True]
    assert group_key(" Acme\u00a0") == "acme"


def test_display_value_is_the_most_frequent_spelling() -> None:
    grouping = group_respondents("organisation", FieldValues.from_strings(
        ["north trust", "North Trust", "North Trust", "NORTH TRUST"]))
    assert grouping.values == ["North Trust"]


@pytest.mark.parametrize(("sizes", "reasons"), [
    ([10, 8, 6], [None, None, None]),
    ([10, 6, 2], [None, "complement", "small"]),          # one hidden: hide the next smallest
    ([10, 8, 2, 2], [None, "complement", "small", "small"]),  # 2 + 2 < 5 together: one more
    ([10, 8, 3, 4], [None, None, "small", "small"]),      # 3 + 4 hidden together: enough
    ([12, 6, 6, 1], [None, "complement", None, "small"]),  # ties: the first of the smallest
    # A reader knows a hidden small group has 1-4 and a hidden complement at least 5:
    # 5 + 1 hidden together (6) leaves only 5 and 1, and 4 + 4 (8) only 4 and 4.
    ([5, 1], ["withheld"] * 2),
    # Beside a 10, the 10 is hidden with the 1 instead (that pick taken back): 11 as 7 to 10
    # and 1 to 4.
    ([10, 5, 1], ["complement", None, "small"]),
    ([4, 4, 10], ["withheld"] * 3),
    ([10, 6, 6, 4, 4], [None, "complement", None, "small", "small"]),
    ([4], ["withheld"]),  # (the whole survey is below the threshold: nothing is published)
])
def test_suppression_and_its_complement(sizes: list[int], reasons: list[str | None]) -> None:
    assert suppression(sizes, 5) == reasons


@settings(deadline=None)  # the linked-table search runs per example; a loaded CI box is slow
@given(st.lists(st.integers(min_value=1, max_value=30), min_size=1, max_size=12),
       st.integers(min_value=3, max_value=10))
def test_hidden_groups_cannot_be_worked_out_by_subtraction(sizes: list[int],
                                                           threshold: int) -> None:
    reasons = suppression(sizes, threshold)
    if "withheld" in reasons:
        assert set(reasons) == {"withheld"}
        return
    hidden = [s for s, r in zip(sizes, reasons, strict=True) if r is not None]
    shown = [s for s, r in zip(sizes, reasons, strict=True) if r is None]
    assert all(s >= threshold for s in shown)
    # Total minus the shown groups reveals only a combination of at least two hidden
    # groups with at least the threshold of respondents between them.
    assert not hidden or not shown or (len(hidden) >= 2 and sum(hidden) >= threshold)


def grouped(rows: list[dict[str, Any]], **kwargs: Any) -> Any:
    qs = build_set([{"id": "a"}, {"id": "story", "type": "text"}], **kwargs)
    return score(qs, responses(qs, rows), by=["organisation"])


def test_group_scores_and_suppression_in_the_results() -> None:
    rows = ([{"organisation": "Acme", "a": 5, "story": "acme story"}] * 5
            + [{"organisation": "acme ", "a": 1}]
            + [{"organisation": "Beta", "a": 3, "story": "beta story"}] * 5
            + [{"organisation": "Gamma", "a": 4, "story": "gamma story"}] * 2)
    breakdown = grouped(rows).results.groups["organisation"]
    by_value = {g.value: g for g in breakdown.groups}
    assert list(by_value) == ["Acme", "Beta", "Gamma"]
    acme = by_value["Acme"]
    assert (acme.n, acme.n_text, acme.suppressed) == (6, "6", False)
    assert acme.principles[0].score == approx((5 * 100 + 0) / 6)
    assert acme.principles[0].mean == approx(1 + 4 * (500 / 6) / 100)
    assert acme.principles[0].band == "high"
    assert acme.comments == {"story": ["acme story"] * 5}
    # Gamma (2) is too small; hiding it alone would let total - Acme - Beta reveal it, so
    # Beta, the smallest shown group, is hidden too.
    gamma, beta = by_value["Gamma"], by_value["Beta"]
    assert (gamma.suppressed, gamma.suppressed_reason, gamma.n, gamma.n_text) == \
        (True, "small", None, "fewer than 5")
    assert (beta.suppressed, beta.suppressed_reason, beta.n) == (True, "complement", None)
    for hidden in (gamma, beta):
        assert hidden.principles == [] and hidden.comments == {} and hidden.overall is None


def test_blank_values_form_a_not_stated_group() -> None:
    rows = [{"organisation": "Acme", "a": 5}] * 5 + [{"organisation": " ", "a": 1}] * 5
    groups = grouped(rows).results.groups["organisation"].groups
    assert [(g.value, g.not_stated, g.n) for g in groups] == [
        ("Acme", False, 5), (NOT_STATED, True, 5)]


def test_spread_between_groups_per_principle() -> None:
    qs = build_set([{"id": "a"}, {"id": "x", "principle": "q"}],
                   principles=[{"id": "p", "name": "P"}, {"id": "q", "name": "Q"}],
                   min_group_size=3)
    rows = ([{"organisation": "A", "a": 5, "x": 3}] * 3
            + [{"organisation": "B", "a": 1, "x": 4}] * 3
            + [{"organisation": "C", "a": 3, "x": 3}] * 3)
    breakdown = score(qs, responses(qs, rows), by=["organisation"]).results.groups["organisation"]
    assert [(s.principle, s.spread, s.lowest, s.highest) for s in breakdown.spread] == [
        ("p", approx(100.0), "B", "A"), ("q", approx(25.0), "A", "B")]
    contested = [g.principles[0].contested for g in breakdown.groups]
    assert contested == [False, False, False]


def test_spread_needs_two_shown_groups() -> None:
    rows = [{"organisation": "Acme", "a": 5}] * 6
    [spread] = grouped(rows).results.groups["organisation"].spread
    assert spread.spread is None and spread.lowest is None


def test_min_group_size_may_be_raised_never_lowered() -> None:
    qs = build_set([{"id": "a"}], min_group_size=5)
    assert effective_min_group_size(qs) == 5
    assert effective_min_group_size(qs, 10) == 10
    assert effective_min_group_size(qs, 2) == 5
    rows = [{"organisation": "Acme", "a": 5}] * 6 + [{"organisation": "Beta", "a": 1}] * 6
    results = score(qs, responses(qs, rows), by=["organisation"], min_group_size=7).results
    assert results.min_group_size == 7
    assert all(g.suppressed for g in results.groups["organisation"].groups)


def test_unknown_group_field_is_refused() -> None:
    qs = build_set([{"id": "a"}])
    with pytest.raises(UsageError, match="by 'team': not a respondent field") as refused:
        score(qs, responses(qs, [{"a": 1}]), by=["team"])
    assert isinstance(refused.value, ValueError)  # what the API documented before
    assert (refused.value.option, refused.value.code) == ("by", "option.unknown-field")


def test_the_anonymity_threshold_cannot_be_lowered() -> None:
    qs = build_set([{"id": "a"}], min_group_size=5)
    with pytest.raises(UsageError) as refused:
        score(qs, responses(qs, [{"a": 1}]), min_group_size=4)
    assert (refused.value.option, refused.value.code) == ("min_group_size",
                                                          "option.below-anonymity-floor")
    assert str(refused.value) == ("min_group_size 4: may raise the question set's threshold "
                                  "(5) but not lower it")

