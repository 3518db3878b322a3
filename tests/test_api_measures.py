"""The measurement figures (reliability, agreement, ICC, % favourable, contested) in the
tidy tables, each equal to the results document's, every withheld one present and marked."""

from __future__ import annotations

import re
from typing import Any

import polars as pl
import pytest

import leadlens
from conftest import EXAMPLES, REPO
from leadlens.results.document import Favourability, Results
from leadlens.results.tables import COLUMNS, STATISTICS

RESPONSES = EXAMPLES / "responses.csv"


@pytest.fixture(scope="module")
def results() -> Results:
    return leadlens.score(RESPONSES, by=["role", "sector"])


@pytest.fixture(scope="module")
def tables(results: Results) -> dict[str, pl.DataFrame]:
    return results.tables()


def _value(table: pl.DataFrame, statistic: str, **where: str | None) -> tuple[Any, ...]:
    rows = table.filter(pl.col("statistic") == statistic, *(
        pl.col(k).is_null() if v is None else pl.col(k) == v for k, v in where.items()))
    assert rows.height == 1, (statistic, where, rows)
    return tuple(rows.select("value", "n", "suppressed").row(0))


def _shares(table: pl.DataFrame, shares: Favourability | None, n: int | None,
            **where: str | None) -> None:
    assert shares is not None
    for side in ("favourable", "neutral", "unfavourable"):
        low, high = getattr(shares, f"{side}_ci95")
        assert _value(table, side, **where) == (getattr(shares, side), n, False)
        assert _value(table, f"{side}_ci95_low", **where)[0] == low
        assert _value(table, f"{side}_ci95_high", **where)[0] == high
    assert _value(table, "answers", **where)[0] == shares.answers


def test_every_statistic_is_listed_and_documented(tables: dict[str, pl.DataFrame]) -> None:
    doc = (REPO / "docs" / "api.md").read_text(encoding="utf-8")
    for name, table in tables.items():
        assert set(table["statistic"]) <= set(STATISTICS[name]), name
        for statistic, what in STATISTICS[name].items():
            assert f"| `{statistic}` | {what} |" in doc, statistic  # the same words
    for column, what in COLUMNS.items():
        assert f"| `{column}` | {what} |" in doc, column


def test_principle_measures_are_the_documents(results: Results,
                                              tables: dict[str, pl.DataFrame]) -> None:
    table = tables["principles"]
    for p in results.principles:
        at = {"principle": p.id}
        for name in ("alpha", "alpha_std", "average_r", "g6", "omega_total", "alpha_rekeyed"):
            assert _value(table, name, **at) == (getattr(p, name), p.alpha_n, False), name
        assert p.alpha_ci95 is not None
        assert _value(table, "alpha_ci95_low", **at)[0] == p.alpha_ci95[0]
        assert _value(table, "alpha_ci95_high", **at)[0] == p.alpha_ci95[1]
        for name in ("rwg_j", "ad_m"):  # on those who answered every question
            assert _value(table, name, **at) == (getattr(p, name), p.agreement_n, False), name
        assert p.agreement_n is not None and p.agreement_n < p.n
        for name in ("clearly_below", "clearly_above"):
            assert _value(table, name, **at) == (getattr(p, name), p.n, False), name
        assert _value(table, "contested", **at)[0] == (1.0 if p.contested else 0.0)
        _shares(table, p.favourability, p.n, **at)
    assert table["agreement"].null_count() == table.height  # a group's reading only


def test_item_measures_are_the_documents(results: Results,
                                         tables: dict[str, pl.DataFrame]) -> None:
    table = tables["items"]
    for item in (i for p in results.principles for i in p.items):
        at = {"item": item.key}
        for name in ("alpha_if_dropped", "pc1_loading", "item_total_r"):
            assert _value(table, name, **at) == (getattr(item, name), item.n, False), name
        assert _value(table, "reverse_suggested", **at)[0] == float(item.flagged)
        _shares(table, item.favourability, item.n, **at)


def test_group_measures_and_iccs_are_the_documents(results: Results,
                                                   tables: dict[str, pl.DataFrame]) -> None:
    table = tables["groups"]
    checked = 0
    for breakdown in results.groups.values():
        for group in (g for g in breakdown.groups if not g.suppressed):
            for gp in group.principles:
                at = {"group_field": breakdown.field, "group_value": group.value,
                      "principle": gp.id}
                assert gp.ci95 is not None
                for name, value in (("sd", gp.sd), ("ci95_low", gp.ci95[0]),
                                    ("ci95_high", gp.ci95[1]),
                                    ("contested", float(gp.contested))):
                    assert _value(table, name, **at) == (value, gp.n, False), name
                for name, value in (("rwg_j", gp.rwg_j), ("ad_m", gp.ad_m)):
                    # n: those who answered every question, as the document's agreement_n
                    assert _value(table, name, **at) == (value, gp.agreement_n, False), name
                rwg = table.filter(pl.col("statistic") == "rwg_j", *(
                    pl.col(k) == v for k, v in at.items()))
                assert rwg["agreement"].to_list() == [gp.agreement]
                if gp.agreement_n is not None:
                    assert gp.agreement_n >= results.min_group_size
                    assert gp.agreement in ("agreed", "partly agreed", "split")
                _shares(table, gp.favourability, gp.n, **at)
                checked += 1
        for icc in breakdown.icc:
            at = {"group_field": breakdown.field, "group_value": None,
                  "principle": icc.principle}
            assert _value(table, "icc1", **at) == (icc.icc1, icc.n, False)
            assert _value(table, "icc2", **at) == (icc.icc2, icc.n, False)
            assert _value(table, "icc_p", **at) == (icc.p, icc.n, False)
            assert _value(table, "icc_groups", **at)[0] == icc.groups
        for spread in breakdown.spread:
            at = {"group_field": breakdown.field, "principle": spread.principle}
            assert _value(table, "spread", group_value=None, **at)[0] == spread.spread
            lowest = table.filter(pl.col("statistic") == "spread_lowest",
                                  *(pl.col(k) == v for k, v in at.items()))
            assert lowest["group_value"].to_list() == [spread.lowest]
    assert checked > 0


def test_perspective_and_timepoint_measures_are_the_documents(
        results: Results, tables: dict[str, pl.DataFrame]) -> None:
    table = tables["perspectives"]
    seen = 0
    for p in results.principles:
        for s in p.perspectives:
            at = {"principle": p.id, "variant": s.id}
            for name in ("alpha", "alpha_std", "average_r", "g6", "omega_total"):
                assert _value(table, name, **at) == (getattr(s, name), s.alpha_n, False)
            seen += 1
    assert seen
    table = tables["timepoints"]
    for t in results.timepoints:
        if not t.paired_means:  # withheld: 1 to 4 answered one timepoint only
            assert t.gap_withheld is not None
            continue
        for mean, paired in zip(t.timepoints, t.paired_means, strict=True):
            assert _value(table, "paired_mean", item=t.question, variant=mean.id) == (
                paired, t.gap_n, False)


def _thin_results() -> Results:
    """The example with the executive board members' basics left at four answers (a shown
    group with one principle hidden) and one question answered by three people."""
    frame = pl.read_csv(RESPONSES)
    basics = [c for c in frame.columns if c.startswith("basics-")]
    executive = pl.col("role") == "Board member (executive)"
    rank = pl.int_range(pl.len()).over("role")
    frame = frame.with_columns(
        [pl.when(executive & (rank >= 4)).then(None).otherwise(pl.col(c)).alias(c)
         for c in basics]
        + [pl.when(pl.int_range(pl.len()) >= 3).then(None).otherwise(pl.col("narrative-2"))
           .alias("narrative-2")])
    return leadlens.score(frame, by="role")


def test_withheld_figures_are_present_marked_and_empty() -> None:
    results = _thin_results()
    tables = results.tables()
    (executive,) = [g for g in results.groups["role"].groups
                    if g.value == "Board member (executive)"]
    hidden = [gp.id for gp in executive.principles if gp.suppressed_reason == "small"]
    assert hidden == ["basics"] and not executive.suppressed
    rows = tables["groups"].filter(pl.col("group_value") == executive.value,
                                   pl.col("principle") == "basics")
    assert set(rows["statistic"]) >= {"mean", "score", "sd", "rwg_j", "favourable"}
    assert rows["suppressed"].all()
    assert rows["value"].null_count() == rows["n"].null_count() == rows.height
    assert rows["agreement"].null_count() == rows["band"].null_count() == rows.height
    assert set(rows["note"]) == {"[c]: fewer than 5"}
    others = tables["groups"].filter(pl.col("group_value") == executive.value,
                                     pl.col("principle") == "context")
    assert not others["suppressed"].any()
    # A question three people answered: its n, missing and counts are not published either.
    item = tables["items"].filter(pl.col("item") == "narrative-2")
    assert item.height > 0 and item["suppressed"].all()
    assert item["n"].null_count() == item["value"].null_count() == item.height
    # Answered by 3 of those scored on its principle: left out of the principle's figures.
    assert set(item["note"]) == {"[c]: fewer than 5 of the people scored on its principle "
                                 "answered it, so it counts towards none of the principle's "
                                 "figures (score, perspectives, % favourable)"}


def test_a_survey_too_small_to_publish_has_every_row_marked() -> None:
    results = leadlens.score(pl.read_csv(RESPONSES).head(3), by="role")
    assert results.withheld
    for name, table in results.tables().items():
        assert table.height > 0, name
        assert table["suppressed"].all(), name
        assert table["value"].null_count() == table.height, name
        assert all(re.match(r"\[c\]: fewer than 5", note) for note in table["note"])


def test_reliability_that_does_not_exist_says_why() -> None:
    results = leadlens.score(pl.read_csv(RESPONSES).head(20))
    basics = next(p for p in results.principles if p.id == "basics")
    assert basics.reliability_withheld and basics.alpha_std is None
    row = results.tables()["principles"].filter(pl.col("principle") == "basics",
                                                pl.col("statistic") == "alpha_std")
    assert row["note"].to_list() == [f"[x]: {basics.reliability_withheld}"]
    assert row["suppressed"].to_list() == [False]
