"""Plain-English readings of the measurement figures: reliability, agreement, % favourable.

Each reading puts the words first and the statistic beside them; templates print the text
as given (escaped once). Nothing here changes a number.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import ConfigDict, Field, with_config
from typing_extensions import TypedDict

from leadlens.report.filters import format_number, format_percent
from leadlens.results.document import (
    Favourability,
    GroupBreakdown,
    GroupICC,
    PrincipleResult,
)

_STRICT = ConfigDict(extra="forbid")


@with_config(_STRICT)
class ReliabilityView(TypedDict):
    """A principle's reliability for display: words first, the statistics beside them."""

    words: Annotated[str, Field(description="The reading, or why nothing is shown.")]
    stats: Annotated[str, Field(description="Alpha with its 95% interval and omega, or empty.")]
    rekey: Annotated[str | None, Field(description="The key check's suggestion in words.")]
    method: Annotated[str, Field(description="Listwise or pairwise, in words.")]


@with_config(_STRICT)
class AgreementReading(TypedDict):
    """Which shown groups agree on a principle."""

    name: Annotated[str, Field(description="The principle's name.")]
    agreed: list[str]
    partly_agreed: list[str]
    split: list[str]


@with_config(_STRICT)
class IccReading(TypedDict):
    """Whether the groups differ on a principle (ICC and the F test), in words."""

    principle: str
    name: str
    words: str
    stats: Annotated[str, Field(description="ICC(1), ICC(2) and p, or empty.")]
    differ: Annotated[bool, Field(description="p below 0.05.")]


@with_config(_STRICT)
class AgreementCell(TypedDict):
    """One principle in one shown group: agreement, % favourable and the 95% CI."""

    text: Annotated[str, Field(description="agreed, partly agreed, split, \"agreement withheld\" "
                                           "(a shown score), or empty.")]
    stats: Annotated[str, Field(description="rwg(j), AD and sd, or empty.")]
    favourable: Annotated[str, Field(
        description="% favourable / neutral / unfavourable, e.g. 62% / 25% / 13%; or empty.")]
    ci95: Annotated[list[float] | None, Field(description="The group's 95% CI, 0-100.")]


@with_config(_STRICT)
class AgreementRow(TypedDict):
    value: str
    n: int | None
    cells: list[AgreementCell]


@with_config(_STRICT)
class AgreementView(TypedDict):
    """A breakdown's agreement within groups and whether its groups differ."""

    readings: list[AgreementReading]
    rows: Annotated[list[AgreementRow], Field(description="One per shown group.")]
    icc: list[IccReading]
    meaningful: Annotated[bool, Field(
        description="On some principle the groups differ beyond chance.")]

ICC_P = 0.05
"""Groups differ beyond chance when the ANOVA's p value is below this."""

METHOD_TEXT = {
    "listwise": "respondents who answered every question of the principle (listwise)",
    "pairwise": "every pair of answers given (pairwise, as R's psych does by default)",
}


def favourable_text(f: Favourability | None) -> str | None:
    """``62% favourable (95% CI 58-66%), 20% neutral, 18% unfavourable``."""
    if f is None:
        return None
    low, high = f.favourable_ci95
    return (f"{format_percent(f.favourable)} favourable (95% CI {_span(low, high)}), "
            f"{format_percent(f.neutral)} neutral, "
            f"{format_percent(f.unfavourable)} unfavourable")


def favourable_short(f: Favourability | None) -> str:
    """``62%`` (the share favourable), or an empty string."""
    return format_percent(f.favourable) if f is not None else ""


def favourable_shares(f: Favourability | None) -> str:
    """``62% / 25% / 13%``: favourable, neutral and unfavourable, or an empty string."""
    if f is None:
        return ""
    return (f"{format_percent(f.favourable)} / {format_percent(f.neutral)} / "
            f"{format_percent(f.unfavourable)}")


def favourable_cell(f: Favourability | None) -> str:
    """``62% (58-66%)``: the share favourable and its 95% interval, or an empty string."""
    if f is None:
        return ""
    low, high = f.favourable_ci95
    return f"{format_percent(f.favourable)} ({_span(low, high)})"


def neutral_unfavourable(f: Favourability | None) -> str:
    """``25% / 13%``: the shares neutral and unfavourable, or an empty string."""
    if f is None:
        return ""
    return f"{format_percent(f.neutral)} / {format_percent(f.unfavourable)}"


def _span(low: float, high: float) -> str:
    return f"{format_percent(low).rstrip('%')}\u2013{format_percent(high)}"


def reliability(p: PrincipleResult, reading: str) -> ReliabilityView:
    """The principle's reliability in words, with alpha, its interval and omega beside."""
    if p.reliability_withheld is not None:
        words = f"Not shown: {p.reliability_withheld}."
    else:
        words = reading
    stats = []
    if p.alpha is not None:
        ci = (f" (95% CI {format_number(p.alpha_ci95[0], 2)} to "
              f"{format_number(p.alpha_ci95[1], 2)})") if p.alpha_ci95 else ""
        stats.append(f"alpha {format_number(p.alpha, 2)}{ci}")
    if p.omega_total is not None:
        stats.append(f"omega {format_number(p.omega_total, 2)}")
    rekey = None
    if p.reverse_suggested:
        names = {i.key: i.text for i in p.items}
        listed = ", ".join(f"\u201c{names[k]}\u201d ({k})" for k in p.reverse_suggested)
        rekey = (f"The key check suggests reversing {listed}: "
                 f"{'it runs' if len(p.reverse_suggested) == 1 else 'they run'} against the "
                 f"principle's other questions. With that change alpha would be "
                 f"{format_number(p.alpha_rekeyed, 2)} instead of {format_number(p.alpha, 2)}.")
    return {"words": words, "stats": ", ".join(stats), "rekey": rekey,
            "method": METHOD_TEXT[p.reliability_method]}


def icc_reading(icc: GroupICC, name: str) -> IccReading:
    """Whether the groups differ on a principle, in words, with ICC(1), ICC(2) and p."""
    if icc.icc1 is None or icc.p is None:
        words = "cannot be tested (fewer than two groups shown, or no variation)"
    elif icc.p < ICC_P:
        words = "groups differ beyond chance"
    else:
        words = ("groups differ no more than chance would make them: read their differences "
                 "with care")
    stats = ""
    if icc.icc1 is not None:
        p_text = "p < 0.001" if icc.p is not None and icc.p < 0.001 else \
            f"p = {format_number(icc.p, 3)}"
        stats = (f"ICC(1) {format_number(icc.icc1, 2)}, ICC(2) {format_number(icc.icc2, 2)}, "
                 f"{p_text}")
    return {"principle": icc.principle, "name": name, "words": words, "stats": stats,
            "differ": icc.p is not None and icc.p < ICC_P}


def agreement(breakdown: GroupBreakdown, names: dict[str, str]) -> AgreementView:
    """Per principle: which shown groups agree and which are split; per group the figures."""
    shown = [g for g in breakdown.groups if not g.suppressed]
    readings: list[AgreementReading] = []
    for pid, name in names.items():
        by_kind: dict[str, list[str]] = {"agreed": [], "partly agreed": [], "split": []}
        for g in shown:
            gp = next((x for x in g.principles if x.id == pid), None)
            if gp is not None and gp.agreement is not None:
                by_kind[gp.agreement].append(g.value)
        readings.append({"name": name, "agreed": by_kind["agreed"],
                         "partly_agreed": by_kind["partly agreed"], "split": by_kind["split"]})
    rows: list[AgreementRow] = []
    for g in shown:
        cells: list[AgreementCell] = []
        for pid in names:
            gp = next((x for x in g.principles if x.id == pid), None)
            if gp is None:
                cells.append({"text": "", "stats": "", "favourable": "", "ci95": None})
                continue
            stats = []
            if gp.rwg_j is not None:
                stats.append(f"rwg(j) {format_number(gp.rwg_j, 2)}")
            if gp.ad_m is not None:
                stats.append(f"AD {format_number(gp.ad_m, 2)}")
            if gp.agreement_n is not None:
                stats.append(f"{gp.agreement_n} with every answer")
            if gp.sd is not None:
                stats.append(f"sd {format_number(gp.sd, 2)}")
            # A shown score without agreement: fewer than the threshold answered every
            # question (or protecting such a group).
            text = gp.agreement or ("agreement withheld" if gp.score is not None else "")
            cells.append({"text": text, "stats": ", ".join(stats),
                          "favourable": "withheld" if gp.favourability_suppressed_reason
                          else favourable_shares(gp.favourability),
                          "ci95": list(gp.ci95) if gp.ci95 is not None else None})
        rows.append({"value": g.value, "n": g.n, "cells": cells})
    iccs = [icc_reading(i, names.get(i.principle, i.principle)) for i in breakdown.icc]
    return {"readings": readings, "rows": rows, "icc": iccs,
            "meaningful": any(i["differ"] for i in iccs)}
