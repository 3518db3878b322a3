"""The results document as tidy tables: one row per figure, for polars, pandas, Parquet, R.

Every table has the same columns (:data:`COLUMNS`), so they stack into one long table
(``-o results.parquet`` writes that, with the ``table`` column telling them apart) and an
analyst filters rather than reshapes. A figure the anonymity rules withhold is still a row:
``value`` and ``n`` are null, ``suppressed`` is true and ``note`` says why (``[c]: fewer
than 5``), so a suppressed cell is never silently missing and never shows a number. What
each ``statistic`` is, is :data:`STATISTICS`.

Numbers are never rounded. The overall score is the row whose ``principle`` is null.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the document calls this module: no import back at run time
    import polars as pl

    from leadlens.results.document import (
        Favourability,
        GroupBreakdown,
        GroupPrinciple,
        ItemResult,
        PerspectiveScore,
        PrincipleResult,
        Results,
        TimepointResult,
    )

TABLES = ("principles", "items", "groups", "timepoints", "perspectives")
"""The tables, in order: one per level of the results."""

SUPPRESSED_MARK = "[c]"
"""What a spreadsheet shows for a withheld figure (the Government Statistical Service's
symbol for "confidential"), explained in the notes."""

NOT_AVAILABLE_MARK = "[x]"
"""What a spreadsheet shows for a figure that does not exist (the same convention's "not
available"); a ``note`` starting with it says why, where the results say."""

COLUMNS: dict[str, str] = {
    "table": "which table: " + ", ".join(TABLES),
    "group_field": "the respondent field of a breakdown (groups table), else null",
    "group_value": "the group (groups table); null for a figure of the whole breakdown "
                   "(icc1, spread, ...) and outside the groups table",
    "principle": "principle id; null for the overall score",
    "item": "answer key (question id, or id@perspective / id@timepoint), else null",
    "variant": "perspective or timepoint id, else null",
    "option": "answer option value (item counts) or band id (respondents per band), else null",
    "statistic": "what the value is (the statistics are listed below)",
    "value": "the figure, never rounded; null when suppressed or not defined; a flag "
             "(contested, reverse_suggested) is 1 or 0",
    "n": "respondents behind the figure (for reliability figures, alpha's sample); null "
         "when suppressed, and for figures of more than one count (gaps, spread)",
    "band": "band id of a score, else null",
    "agreement": "how a group's rwg(j) reads: agreed (from 0.7), partly agreed (from 0.5) "
                 "or split; the groups table's rwg_j rows only, else null",
    "suppressed": "true when the anonymity rules withhold the figure",
    "note": "why a figure is withheld (\"[c]: fewer than 5\"), or why it does not exist "
            "(\"[x]: it needs at least 30 respondents ...\") when the results say; else null",
}
"""The columns of every tidy table, with what each holds (docs/api.md lists them too)."""

_SHARES = {
    "favourable": "share of scored answers that were favourable (0-1; section 4a of "
                  "docs/scoring.md)",
    "favourable_ci95_low": "Wilson 95% interval of the favourable share, lower end",
    "favourable_ci95_high": "Wilson 95% interval of the favourable share, upper end",
    "neutral": "share of scored answers that were neutral (0-1)",
    "neutral_ci95_low": "Wilson 95% interval of the neutral share, lower end",
    "neutral_ci95_high": "Wilson 95% interval of the neutral share, upper end",
    "unfavourable": "share of scored answers that were unfavourable (0-1)",
    "unfavourable_ci95_low": "Wilson 95% interval of the unfavourable share, lower end",
    "unfavourable_ci95_high": "Wilson 95% interval of the unfavourable share, upper end",
    "answers": "scored answers the shares count (unscored answers excluded)",
}
_RELIABILITY = {
    "alpha": "raw Cronbach's alpha (scoring.reliability: listwise or pairwise)",
    "alpha_n": "alpha's sample: respondents with every question answered (listwise) or "
               "with any (pairwise)",
    "alpha_std": "standardised alpha",
    "average_r": "mean inter-item correlation",
    "g6": "Guttman's lambda-6 (smc-based, as psych's)",
    "alpha_ci95_low": "Feldt's 95% interval for alpha, lower end",
    "alpha_ci95_high": "Feldt's 95% interval for alpha, upper end",
    "omega_total": "omega total from a one-factor minres factor analysis",
}

STATISTICS: dict[str, dict[str, str]] = {
    "principles": {
        "score": "mean 0-100 score (band: its band); the row with a null principle is the "
                 "overall score",
        "mean": "mean on the scale's own units (null for mixed scales)",
        "sd": "standard deviation (scale units; of 0-100 scores for the overall score)",
        "ci95_low": "95% t interval of the score, lower end",
        "ci95_high": "95% t interval of the score, upper end",
        "band_position": "where the score sits within its band, 0 (bottom) to 1 (top)",
        "below_50": "share of respondents' scores below 50",
        "above_50": "share of respondents' scores above 50",
        "clearly_below": "share of scores at least half an answer step below 50",
        "clearly_above": "share of scores at least half an answer step above 50",
        "contested": "1 when the room disagrees (clearly_below and clearly_above both at "
                     "least 25%), else 0",
        "unscored_share": "share of the principle's answers that were unscored (Don't know)",
        "respondents_in_band": "respondents whose score is in the band named by option",
        **_RELIABILITY,
        "alpha_rekeyed": "raw alpha with the key check's suggested keys (when any)",
        "rwg_j": "rwg(j) of the whole room: agreement, 0 none to 1 full (n: respondents who "
                 "answered every question; null below min_group_size of them)",
        "ad_m": "AD_M of the whole room: mean absolute deviation from the item means, scale "
                "units",
        **_SHARES,
    },
    "items": {
        "n": "respondents with a scored answer",
        "missing": "respondents without a scored answer (blank or unscored)",
        "unscored": "answers such as \"Don't know\"",
        "mean": "mean on the scale's own units",
        "sd": "standard deviation on the scale's own units",
        "item_total_r": "r.drop: the keyed question against the sum of its principle's "
                        "other questions",
        "alpha_if_dropped": "raw alpha of the principle without this question",
        "pc1_loading": "loading on the first principal component of the principle's keyed "
                       "questions (the key check)",
        "reverse_suggested": "1 when the key check says to reverse this question, else 0",
        "count": "respondents who gave the answer named by option",
        **_SHARES,
    },
    "groups": {
        "n": "respondents in the group (principle null)",
        "score": "mean 0-100 score of the group (principle null: its overall score)",
        "mean": "mean on the scale's own units",
        "sd": "standard deviation on the scale's own units",
        "ci95_low": "95% t interval of the group's score, lower end",
        "ci95_high": "95% t interval of the group's score, upper end",
        "contested": "1 when the group disagrees (as for principles), else 0",
        "rwg_j": "rwg(j) within the group (agreement: its reading); n: group members who "
                 "answered every question, null below min_group_size of them",
        "ad_m": "AD_M within the group, scale units",
        **_SHARES,
        "icc1": "ICC(1) of the breakdown (group_value null): share of score variance "
                "between groups",
        "icc2": "ICC(2) of the breakdown (group_value null): reliability of the group means",
        "icc_p": "the F test's p value of the breakdown (group_value null)",
        "icc_groups": "shown groups the ICCs are computed over (group_value null)",
        "spread": "highest minus lowest shown group's score (group_value null)",
        "spread_lowest": "the lowest-scoring shown group's score (group_value: which group)",
        "spread_highest": "the highest-scoring shown group's score (group_value: which group)",
    },
    "timepoints": {
        "mean": "mean of the timepoint's answers (scale units)",
        "score": "the same on 0-100",
        "paired_mean": "the timepoint's mean among those who answered both the first and "
                       "the last timepoint (n: how many), so the gap is a difference of "
                       "these",
        "gap": "last timepoint's mean minus the first's among those who answered both",
    },
    "perspectives": {
        "mean": "mean on the scale's own units",
        "score": "mean 0-100 score of the principle's questions from this perspective",
        **_RELIABILITY,
        "gap": "score of the last perspective minus the first (variant null)",
    },
}
"""Per table, every ``statistic`` its rows can hold and what it is (docs/api.md and the
spreadsheet's notes list them too)."""


@dataclass
class _Row:
    table: str
    statistic: str
    value: float | None
    n: int | None
    group_field: str | None = None
    group_value: str | None = None
    principle: str | None = None
    item: str | None = None
    variant: str | None = None
    option: str | None = None
    band: str | None = None
    agreement: str | None = None
    suppressed: bool = False
    note: str | None = None


def tidy(results: Results) -> pl.DataFrame:
    """All tables stacked: one row per figure (the ``-o results.parquet`` layout)."""
    import polars as pl

    schema: dict[str, Any] = dict.fromkeys(COLUMNS, pl.String)
    schema |= {"value": pl.Float64, "n": pl.Int64, "suppressed": pl.Boolean}
    rows = list(_rows(results))
    data = {name: [getattr(row, name) for row in rows] for name in COLUMNS}
    return pl.DataFrame(data, schema=schema)


def tables(results: Results) -> dict[str, pl.DataFrame]:
    """One tidy table per level (:data:`TABLES`), each with every column of :data:`COLUMNS`."""
    import polars as pl

    stacked = tidy(results)
    return {name: stacked.filter(pl.col("table") == name) for name in TABLES}


def to_pandas(results: Results) -> dict[str, Any]:
    """:func:`tables` as pandas DataFrames (nullable ``Int64`` counts; no PyArrow needed).

    Raises:
        ModuleNotFoundError: pandas is not installed.
    """
    try:
        import pandas as pd  # type: ignore[import-untyped,unused-ignore]
    except ModuleNotFoundError as exc:
        raise ModuleNotFoundError("Results.to_pandas() needs pandas: pip install pandas "
                                  "(Results.tables() gives the same tables in polars)",
                                  name=exc.name) from None
    frames = {}
    for name, frame in tables(results).items():
        data: dict[str, Any] = {}
        for column in frame.columns:
            values = frame[column].to_list()
            if column == "value":
                data[column] = pd.array([float("nan") if v is None else v for v in values],
                                        dtype="float64")
            elif column == "n":
                data[column] = pd.array(values, dtype="Int64")
            elif column == "suppressed":
                data[column] = pd.array(values, dtype="bool")
            else:
                data[column] = pd.array(values, dtype=object)
        frames[name] = pd.DataFrame(data)
    return frames


def _hidden(rows: Iterable[_Row], why: str | None) -> Iterator[_Row]:
    """``rows`` as they are, or, when ``why`` says they are withheld, each present and
    marked with no figure, count, band or reading that could be added up or subtracted."""
    for row in rows:
        if why is None:
            yield row
        else:
            yield replace(row, value=None, n=None, band=None, agreement=None,
                          suppressed=True, note=f"{SUPPRESSED_MARK}: {why}")


def _float(value: float | int | bool | None) -> float | None:
    return None if value is None else float(value)


def _rows(results: Results) -> Iterator[_Row]:
    survey = (f"fewer than {results.min_group_size} respondents in the whole survey"
              if results.withheld else None)
    yield from _hidden(_principle_rows(results), survey)
    for principle in results.principles:
        for item in principle.items:
            yield from _hidden(_item_rows(item), survey or item.withheld)
    for item in results.items:
        yield from _hidden(_item_rows(item), survey or item.withheld)
    for breakdown in results.groups.values():
        yield from _hidden(_group_rows(results, breakdown), survey)
    for timepoint in results.timepoints:
        yield from _hidden(_timepoint_rows(timepoint), survey)
    for principle in results.principles:
        yield from _hidden(_perspective_rows(principle), survey or principle.withheld)


def _shares(table: str, shares: Favourability | None, n: int | None, *,
            hidden: bool = False, **where: Any) -> Iterator[_Row]:
    """% favourable, neutral and unfavourable with their intervals; none when the scale
    defines no favourable answers, every row (to be marked) when the figure is ``hidden``."""
    if shares is None and not hidden:
        return
    for side in ("favourable", "neutral", "unfavourable"):
        share = None if shares is None else getattr(shares, side)
        low, high = (None, None) if shares is None else getattr(shares, f"{side}_ci95")
        for statistic, value in ((side, share), (f"{side}_ci95_low", low),
                                 (f"{side}_ci95_high", high)):
            yield _Row(table, statistic, value, n, **where)
    yield _Row(table, "answers", None if shares is None else float(shares.answers), n,
               **where)


def _reliability(table: str, figures: PrincipleResult | PerspectiveScore, why: str | None,
                 **where: Any) -> Iterator[_Row]:
    """Alpha and its companions, on alpha's sample; ``why`` is why they do not exist."""
    low, high = figures.alpha_ci95 or (None, None)
    values = {"alpha": figures.alpha, "alpha_n": _float(figures.alpha_n),
              "alpha_std": figures.alpha_std, "average_r": figures.average_r,
              "g6": figures.g6, "alpha_ci95_low": low, "alpha_ci95_high": high,
              "omega_total": figures.omega_total}
    for statistic, value in values.items():
        note = (f"{NOT_AVAILABLE_MARK}: {why}" if value is None and why is not None
                and statistic != "omega_total" else None)
        yield _Row(table, statistic, value, figures.alpha_n, note=note, **where)


def _principle_rows(results: Results) -> Iterator[_Row]:
    overall = results.overall
    interval = overall.ci95 or (None, None)
    yield from _hidden(
        (_Row("principles", statistic, value, overall.n,
              band=overall.band if statistic == "score" else None)
         for statistic, value in (("score", overall.score), ("sd", overall.sd),
                                  ("ci95_low", interval[0]), ("ci95_high", interval[1]))),
        overall.withheld)
    minimum = results.min_group_size
    for p in results.principles:
        low, high = p.ci95 or (None, None)
        where: dict[str, Any] = {"principle": p.id}
        rows = [_Row("principles", statistic, value, p.n, **where)
                for statistic, value in (
                    ("mean", p.mean), ("sd", p.sd), ("ci95_low", low), ("ci95_high", high),
                    ("band_position", p.band_position), ("below_50", p.below_50),
                    ("above_50", p.above_50), ("clearly_below", p.clearly_below),
                    ("clearly_above", p.clearly_above), ("contested", _float(p.contested)),
                    ("unscored_share", p.unscored_share))]
        rows.insert(2, _Row("principles", "score", p.score, p.n, band=p.band, **where))
        rows += [_Row("principles", "respondents_in_band", float(count), p.n, option=band,
                      **where) for band, count in p.bands.items()]
        # Alpha on fewer than min_group_size respondents is withheld (scoring publishes no
        # alpha then); its companions rest on the same few, so they go with it.
        few = (f"alpha would rest on fewer than {minimum} respondents"
               if 0 < (p.alpha_n or 0) < minimum else None)
        rows += _hidden(_reliability("principles", p, p.reliability_withheld, **where), few)
        rows += _hidden([_Row("principles", "alpha_rekeyed", p.alpha_rekeyed, p.alpha_n,
                              **where)], few)
        rows += [_Row("principles", "rwg_j", p.rwg_j, p.agreement_n, **where),
                 _Row("principles", "ad_m", p.ad_m, p.agreement_n, **where)]
        rows += _shares("principles", p.favourability, p.n, **where)
        yield from _hidden(rows, p.withheld)


def _item_rows(item: ItemResult) -> Iterator[_Row]:
    where: dict[str, Any] = {"principle": item.principle, "item": item.key,
             "variant": item.perspective or item.timepoint}
    for statistic, value in (("n", item.n), ("missing", item.missing),
                             ("unscored", item.unscored), ("mean", item.mean),
                             ("sd", item.sd), ("item_total_r", item.item_total_r),
                             ("alpha_if_dropped", item.alpha_if_dropped),
                             ("pc1_loading", item.pc1_loading)):
        yield _Row("items", statistic, _float(value), item.n, **where)
    if item.principle is not None:
        yield _Row("items", "reverse_suggested", _float(item.flagged), item.n, **where)
    yield from _shares("items", item.favourability, item.n, **where)
    for option, count in item.counts.items():
        yield _Row("items", "count", float(count), item.n, option=option, **where)


_GROUP_NOTES = {"small": "fewer than {m}", "complement": "not shown (protects a smaller group)",
                "withheld": "withheld for every group of this breakdown (no safe pattern "
                            "found)"}


def _group_principle_rows(gp: GroupPrinciple | None, shares: bool, **at: Any
                          ) -> list[_Row]:
    """One group's figures for one principle (all null when ``gp`` is None: to be marked)."""
    def get(name: str) -> Any:
        return None if gp is None else getattr(gp, name)

    n = get("n")
    low, high = get("ci95") or (None, None)
    return [_Row("groups", "mean", get("mean"), n, **at),
            _Row("groups", "score", get("score"), n, band=get("band"), **at),
            _Row("groups", "sd", get("sd"), n, **at),
            _Row("groups", "ci95_low", low, n, **at),
            _Row("groups", "ci95_high", high, n, **at),
            _Row("groups", "contested", None if gp is None else float(gp.contested), n, **at),
            _Row("groups", "rwg_j", get("rwg_j"), get("agreement_n"),
                 agreement=get("agreement"), **at),
            _Row("groups", "ad_m", get("ad_m"), get("agreement_n"), **at),
            *_shares("groups", get("favourability"), n,
                     hidden=shares and (gp is None or gp.suppressed_reason is not None),
                     **at)]


_GROUP_NOTES = {"small": "fewer than {m}", "complement": "not shown (protects a smaller group)",
                "withheld": "withheld for every group of this breakdown (no safe pattern "
                            "found)"}


def _group_rows(results: Results, breakdown: GroupBreakdown) -> Iterator[_Row]:
    # Every group has the same rows, hidden ones marked, so a filter on one statistic
    # lists every group; shares only where the whole survey's principle has them.
    shares = {p.id: p.favourability is not None for p in results.principles}
    principles = [p.id for p in results.question_set.principles]
    field: dict[str, Any] = {"group_field": breakdown.field}
    minimum = results.min_group_size
    if breakdown.withheld is not None:
        yield from _hidden([_Row("groups", "n", None, None, **field)], breakdown.withheld)
    for group in breakdown.groups:
        where: dict[str, Any] = {**field, "group_value": group.value}
        if group.suppressed:
            # Present and marked, with nothing that could be added up or subtracted.
            yield from _hidden(
                [_Row("groups", "n", None, None, **where),
                 _Row("groups", "score", None, None, **where),
                 *(row for principle in principles for row in _group_principle_rows(
                     None, shares.get(principle, False), principle=principle, **where))],
                group.n_text)
            continue
        yield _Row("groups", "n", _float(group.n), group.n, **where)
        reason = group.overall_suppressed_reason
        yield from _hidden([_Row("groups", "score", group.overall, group.n,
                                 band=group.overall_band, **where)],
                           None if reason is None else _GROUP_NOTES[reason].format(m=minimum))
        for gp in group.principles:
            hidden = gp.suppressed_reason
            yield from _hidden(
                _group_principle_rows(gp, shares.get(gp.id, False), principle=gp.id,
                                      **where),
                None if hidden is None else _GROUP_NOTES[hidden].format(m=minimum))
    for icc in breakdown.icc:
        at = {**field, "principle": icc.principle}
        for statistic, value in (("icc1", icc.icc1), ("icc2", icc.icc2), ("icc_p", icc.p),
                                 ("icc_groups", float(icc.groups))):
            yield _Row("groups", statistic, value, icc.n, **at)
    scores = {(g.value, gp.id): gp.score for g in breakdown.groups for gp in g.principles}
    for spread in breakdown.spread:
        at = {**field, "principle": spread.principle}
        yield _Row("groups", "spread", spread.spread, None, **at)
        for statistic, name in (("spread_lowest", spread.lowest),
                                ("spread_highest", spread.highest)):
            if name is not None:
                yield _Row("groups", statistic, scores.get((name, spread.principle)), None,
                           group_value=name, **at)


def _timepoint_rows(timepoint: TimepointResult) -> Iterator[_Row]:
    where: dict[str, Any] = {"item": timepoint.question}
    paired = timepoint.paired_means
    for position, mean in enumerate(timepoint.timepoints):
        at = {**where, "variant": mean.id}
        yield from _hidden([_Row("timepoints", statistic, getattr(mean, statistic), mean.n,
                                 **at) for statistic in ("mean", "score")], mean.withheld)
        if position < len(paired):
            yield from _hidden([_Row("timepoints", "paired_mean", paired[position],
                                     timepoint.gap_n, **at)], timepoint.gap_withheld)
    yield from _hidden([_Row("timepoints", "gap", timepoint.gap, timepoint.gap_n, **where)],
                       timepoint.gap_withheld)


def _perspective_rows(principle: PrincipleResult) -> Iterator[_Row]:
    for perspective in principle.perspectives:
        where: dict[str, Any] = {"principle": principle.id, "variant": perspective.id}
        rows = [_Row("perspectives", statistic, getattr(perspective, statistic),
                     perspective.n, **where) for statistic in ("mean", "score")]
        rows += _reliability("perspectives", perspective, None, **where)
        yield from _hidden(rows, perspective.withheld)
    if principle.perspectives:
        yield _Row("perspectives", "gap", principle.perspective_gap, None,
                   principle=principle.id)
