"""The comparison and trend documents: what ``leadlens compare`` and ``leadlens trend`` write.

Stable and versioned (``compare_version``, ``trend_version``), like the results document.
Numbers are never rounded here; reports round for display only. ``leadlens schema --compare``
and ``leadlens schema --trend`` print their JSON Schemas (committed under ``schema/``).
Scores are 0-100; differences are in points on that scale, follow-up minus baseline.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

COMPARE_VERSION: Literal[1] = 1
TREND_VERSION: Literal[1] = 1


class Doc(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WaveInfo(Doc):
    label: str = Field(description="The wave's name in reports (--labels, else the file).")
    kind: Literal["results", "responses"] = Field(
        description="Given as a results document, or as responses files scored on the spot.")
    sources: list[str] = Field(description="The files given for this wave.")
    question_set_version: str
    respondents: int
    generated_at: dt.datetime | None = Field(
        default=None, description="When the wave's results document was made.")


class Test(Doc):
    name: Literal["welch", "paired"] = Field(
        description="welch: Welch's unequal-variances t-test; paired: paired t-test on the "
                    "respondents linked by respondent_id.")
    statistic: float | None = Field(description="t (null when every answer was the same).")
    df: float = Field(description="Degrees of freedom (Welch-Satterthwaite for welch).")
    p: float | None = Field(description="Two-sided p-value, unadjusted.")
    p_holm: float | None = Field(
        default=None, description="Holm-adjusted across the principles of the breakdown (or "
                                  "the items compared); equal to p for the overall score.")
    linked: int | None = Field(
        default=None, description="Respondents in both waves with a score in both (paired).")


class Side(Doc):
    """One wave's figure."""

    n: int
    score: float | None
    sd: float | None = Field(default=None, description="Standard deviation, 0-100.")
    ci95: tuple[float, float] | None = None
    band: str | None = None


class Favourable(Doc):
    """% favourable in both waves and the difference with Newcombe's interval."""

    baseline: float | None = Field(description="Share of answers that were favourable.")
    baseline_n: int = Field(description="Scored answers (the share's denominator).")
    followup: float | None
    followup_n: int
    difference: float | None = Field(description="Follow-up minus baseline, as a share.")
    ci95: tuple[float, float] | None = Field(
        default=None, description="Newcombe's hybrid score interval (method 10).")


class Change(Doc):
    """One principle (or the overall score) compared between the waves."""

    id: str = Field(description="Principle id, or 'overall'.")
    name: str
    baseline: Side
    followup: Side
    difference: float | None = Field(
        description="Follow-up minus baseline in points; with a paired test, the mean change "
                    "of the linked respondents.")
    ci95: tuple[float, float] | None = Field(description="95% interval of the difference.")
    test: Test | None = None
    hedges_g: float | None = Field(default=None,
                                   description="Hedges' g (pooled sd, exact correction).")
    detectable: float | None = Field(
        default=None, description="Smallest change the test detects with 80% power at 5%.")
    significant: bool = Field(
        default=False, description="p_holm below 0.05: more than noise.")
    direction: Literal["up", "down", "none"] = Field(
        default="none", description="up or down when significant; none otherwise.")
    band_moved: bool = False
    favourable: Favourable | None = None
    note: str | None = Field(default=None, description="Why there is no test, when there is none.")


class NotCompared(Doc):
    id: str
    reason: str


class ItemMatch(Doc):
    """How one question of the follow-up was matched with the baseline's."""

    question: str = Field(description="Follow-up question id (or the baseline's, if dropped).")
    baseline_question: str | None
    status: Literal["same", "replaced", "declared", "changed", "new", "dropped"] = Field(
        description="same: unchanged; replaced: matched through replaces; declared: changed "
                    "but comparable_with lists the baseline version; changed: changed and not "
                    "declared comparable; new / dropped: in one wave only.")
    compared: bool
    changes: list[str] = Field(default_factory=list,
                               description="What differs: wording, scale, principle, ...")
    reason: str = ""
    baseline_at: str | None = Field(default=None, description="Where, in the baseline's set.")
    followup_at: str | None = None


class ItemChange(Doc):
    """One answer key compared (raw scale units; % favourable when the scale has it)."""

    key: str
    baseline_key: str
    text: str
    principle: str | None
    baseline: Side = Field(description="Mean on the scale's own units in score/sd.")
    followup: Side
    difference: float | None
    ci95: tuple[float, float] | None
    test: Test | None = None
    significant: bool = False
    favourable: Favourable | None = None


class TimepointChange(Doc):
    """Where the board said it wanted to be then, and where it says it is now."""

    question: str
    text: str
    scale: str
    target_label: str
    target_then: float | None = Field(description="Baseline mean of the last timepoint.")
    target_n: int
    current_label: str
    current_now: float | None = Field(description="Follow-up mean of the first timepoint.")
    current_n: int
    current_then: float | None
    gap: float | None = Field(description="current_now - target_then, on the scale's units; "
                                          "negative: short of the target.")


class GroupComparison(Doc):
    value: str
    baseline_n: int | None
    followup_n: int | None
    changes: list[Change] = Field(default_factory=list)
    withheld: str | None = Field(default=None, description="Why nothing is shown, when so.")


class BreakdownComparison(Doc):
    field: str
    prompt: str
    groups: list[GroupComparison]


class BandInfo(Doc):
    id: str
    label: str
    from_: float = Field(alias="from", description="Lowest 0-100 score in the band.")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Withheld(Doc):
    what: str
    reason: str


def _score(value: float | None, bands: list[BandInfo]) -> str:
    from leadlens.questionset.model import score_text

    return "withheld" if value is None else score_text(value, [b.from_ for b in bands], 1)


def _change_text(change: Change, bands: list[BandInfo]) -> str:
    """``basics 47.1 -> 49.1 (+2.0)``, a ``*`` when more than noise."""
    from leadlens.questionset.model import shown_difference

    before, after = change.baseline.score, change.followup.score
    text = f"{change.id} {_score(before, bands)} -> {_score(after, bands)}"
    if change.difference is not None and before is not None and after is not None:
        paired = change.test is not None and change.test.name == "paired"
        moved = change.difference if paired else shown_difference(
            before, after, [b.from_ for b in bands], 1)
        text += f" ({moved:+.1f}{'*' if change.significant else ''})"
    return text


class Comparison(Doc):
    compare_version: Literal[1] = COMPARE_VERSION
    leadlens_version: str
    generated_at: dt.datetime
    question_set: str = Field(description="Question-set id (the same in both waves).")
    title: str
    baseline: WaveInfo
    followup: WaveInfo
    min_group_size: int = Field(description="The anonymity threshold applied (the larger).")
    alpha: float = Field(description="Significance level after adjustment.")
    power: float = Field(description="Power of the stated minimum detectable change.")
    independent: bool = Field(description="Waves treated as independent samples (Welch).")
    linked: int = Field(description="Respondents present in both waves (by respondent_id).")
    overall: Change | None
    principles: list[Change]
    principles_not_compared: list[NotCompared] = Field(default_factory=list)
    items: list[ItemChange] = Field(default_factory=list)
    matching: list[ItemMatch] = Field(
        default_factory=list, description="Every question that is not simply the same.")
    timepoints: list[TimepointChange] = Field(default_factory=list)
    bands: list[BandInfo] = Field(description="The follow-up's bands, lowest first.")
    groups: dict[str, BreakdownComparison] = Field(default_factory=dict)
    withheld: list[Withheld] = Field(
        default_factory=list, description="What was not published, and why (anonymity).")
    warnings: list[str] = Field(default_factory=list)

    def __repr__(self) -> str:
        """A line a person can read: the waves, then each change as shown (``*``: more than
        noise), the breakdowns and how much is withheld."""
        changes = [self.overall, *self.principles] if self.overall else self.principles
        parts = [f"{self.baseline.label} ({self.baseline.respondents}) -> "
                 f"{self.followup.label} ({self.followup.respondents})",
                 ", ".join(_change_text(c, self.bands) for c in changes) or "nothing compared"]
        if self.groups:
            parts.append("by " + ", ".join(self.groups))
        if self.withheld:
            parts.append(f"{len(self.withheld)} withheld")
        return f"<Comparison {self.question_set}: {'; '.join(parts)}>"

    __str__ = __repr__


class TrendPoint(Doc):
    wave: int = Field(description="Index into waves.")
    n: int | None
    score: float | None
    ci95: tuple[float, float] | None = None
    band: str | None = None
    withheld: bool = False


class TrendLine(Doc):
    id: str
    name: str
    points: list[TrendPoint]
    steps: list[Change] = Field(description="Each wave against the one before.")
    step_waves: list[list[int]] = Field(
        default_factory=list, description="The two waves (indices) of each step: a wave "
                                          "withheld on this line is stepped over.")
    since_first: Change | None = Field(description="The last wave against the first.")


class Trend(Doc):
    trend_version: Literal[1] = TREND_VERSION
    leadlens_version: str
    generated_at: dt.datetime
    question_set: str
    title: str
    waves: list[WaveInfo]
    min_group_size: int
    alpha: float
    power: float
    overall: TrendLine
    principles: list[TrendLine]
    principles_not_compared: list[NotCompared] = Field(default_factory=list)
    bands: list[BandInfo]
    withheld: list[Withheld] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)

    def __repr__(self) -> str:
        """A line a person can read: the waves, then each line's scores as shown."""
        lines = [f"{line.id} " + ", ".join(
            "withheld" if p.withheld else _score(p.score, self.bands) for p in line.points)
            for line in [self.overall, *self.principles]]
        parts = [" -> ".join(w.label for w in self.waves), "; ".join(lines)]
        if self.withheld:
            parts.append(f"{len(self.withheld)} withheld")
        return f"<Trend {self.question_set}: {'; '.join(parts)}>"

    __str__ = __repr__
