"""The results document as tidy tables: one row per figure, for polars, pandas, Parquet, R.

Every table has the same columns (:data:`COLUMNS`), so they stack into one long table
(``-o results.parquet`` writes that, with the ``table`` column telling them apart) and an
analyst filters rather than reshapes. A figure the anonymity rules withhold is still a row:
``value`` and ``n`` are null, ``suppressed`` is true and ``note`` says why (``[c]: fewer
than 5``), so a suppressed cell is never silently missing and never shows a number.

Numbers are never rounded. The overall score is the row whose ``principle`` is null.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the document calls this module: no import back at run time
    import polars as pl

    from leadlens.results.document import GroupBreakdown, ItemResult, Results

TABLES = ("principles", "items", "groups", "timepoints", "perspectives")
"""The tables, in order: one per level of the results."""

SUPPRESSED_MARK = "[c]"
"""What a spreadsheet shows for a withheld figure (the Government Statistical Service's
symbol for "confidential"), explained in the notes."""

COLUMNS: dict[str, str] = {
    "table": "which table: " + ", ".join(TABLES),
    "group_field": "the respondent field of a breakdown (groups table), else null",
    "group_value": "the group (groups table), else null",
    "principle": "principle id; null for the overall score",
    "item": "answer key (question id, or id@perspective / id@timepoint), else null",
    "variant": "perspective or timepoint id, else null",
    "option": "answer option value (item counts) or band id (respondents per band), else null",
    "statistic": "what the value is: n, mean, sd, score, ci95_low, ci95_high, alpha, count, "
                 "gap, ...",
    "value": "the figure, never rounded; null when suppressed or not defined",
    "n": "respondents behind the figure; null when suppressed",
    "band": "band id of a score, else null",
    "suppressed": "true when the anonymity rules withhold the figure",
    "note": "why a figure is withheld (\"[c]: fewer than 5\"), else null",
}
"""The columns of every tidy table, with what each holds (docs/api.md lists them too)."""


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


_PRINCIPLE_STATISTICS = ("mean", "sd", "score", "ci95_low", "ci95_high", "band_position",
                         "below_50", "above_50", "unscored_share", "alpha", "alpha_n")
_ITEM_STATISTICS = ("n", "missing", "unscored", "mean", "sd", "item_total_r")


def _rows(results: Results) -> Iterator[_Row]:
    yield from _principle_rows(results)
    for principle in results.principles:
        for item in principle.items:
            yield from _item_rows(item)
    for item in results.items:
        yield from _item_rows(item)
    for breakdown in results.groups.values():
        yield from _group_rows(results, breakdown)
    for timepoint in results.timepoints:
        for mean in timepoint.timepoints:
            for statistic in ("mean", "score"):
                yield _Row("timepoints", statistic, getattr(mean, statistic), mean.n,
                           item=timepoint.question, variant=mean.id)
        yield _Row("timepoints", "gap", timepoint.gap, timepoint.gap_n, item=timepoint.question)
    for principle in results.principles:
        for perspective in principle.perspectives:
            for statistic in ("mean", "score"):
                yield _Row("perspectives", statistic, getattr(perspective, statistic),
                           perspective.n, principle=principle.id, variant=perspective.id)
        if principle.perspectives:
            yield _Row("perspectives", "gap", principle.perspective_gap, None,
                       principle=principle.id)


def _principle_rows(results: Results) -> Iterator[_Row]:
    overall = results.overall
    interval = overall.ci95 or (None, None)
    for statistic, value in (("score", overall.score), ("sd", overall.sd),
                             ("ci95_low", interval[0]), ("ci95_high", interval[1])):
        yield _Row("principles", statistic, value, overall.n,
                   band=overall.band if statistic == "score" else None)
    for p in results.principles:
        low, high = p.ci95 or (None, None)
        values = {"mean": p.mean, "sd": p.sd, "score": p.score, "ci95_low": low,
                  "ci95_high": high, "band_position": p.band_position, "below_50": p.below_50,
                  "above_50": p.above_50, "unscored_share": p.unscored_share,
                  "alpha": p.alpha, "alpha_n": float(p.alpha_n)}
        for statistic in _PRINCIPLE_STATISTICS:
            yield _Row("principles", statistic, values[statistic],
                       p.alpha_n if statistic in ("alpha", "alpha_n") else p.n,
                       principle=p.id, band=p.band if statistic == "score" else None)
        for band, count in p.bands.items():
            yield _Row("principles", "respondents_in_band", float(count), p.n,
                       principle=p.id, option=band)


def _item_rows(item: ItemResult) -> Iterator[_Row]:
    for statistic in _ITEM_STATISTICS:
        value = getattr(item, statistic)
        yield _Row("items", statistic, None if value is None else float(value), item.n,
                   principle=item.principle, item=item.key,
                   variant=item.perspective or item.timepoint)
    for option, count in item.counts.items():
        yield _Row("items", "count", float(count), item.n, principle=item.principle,
                   item=item.key, variant=item.perspective or item.timepoint, option=option)


def _group_rows(results: Results, breakdown: GroupBreakdown) -> Iterator[_Row]:
    principles = [p.id for p in results.question_set.principles]
    for group in breakdown.groups:
        where: dict[str, Any] = {"group_field": breakdown.field, "group_value": group.value}
        if group.suppressed:
            # Present and marked, with nothing that could be added up or subtracted.
            note = f"{SUPPRESSED_MARK}: {group.n_text}"
            yield _Row("groups", "n", None, None, suppressed=True, note=note, **where)
            for principle in [None, *principles]:
                for statistic in ("score",) if principle is None else ("mean", "score"):
                    yield _Row("groups", statistic, None, None, principle=principle,
                               suppressed=True, note=note, **where)
            continue
        yield _Row("groups", "n", None if group.n is None else float(group.n), group.n,
                   **where)
        yield _Row("groups", "score", group.overall, group.n, band=group.overall_band, **where)
        for gp in group.principles:
            yield _Row("groups", "mean", gp.mean, gp.n, principle=gp.id, **where)
            yield _Row("groups", "score", gp.score, gp.n, principle=gp.id, band=gp.band,
                       **where)
