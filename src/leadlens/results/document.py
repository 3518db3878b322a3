"""The results document: what ``leadlens score`` produces and every report is rendered from.

Stable and versioned (``results_version``). Numbers are never rounded here; reports round
for display only. ``leadlens schema --results`` prints its JSON Schema.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from leadlens.errors import Problem, location, problem_text
from leadlens.questionset.model import QuestionSet

if TYPE_CHECKING:
    import polars as pl

RESULTS_VERSION: Literal[2] = 2

MAX_LIST = 2_000_000
"""The most comments, groups or disclosure steps one list may hold (as
:data:`leadlens.results.bounds.MAX_ITEMS`, which every list and object keeps)."""
MAX_RESULT_WARNINGS = 10_000
"""The most warnings a document may hold: reading a responses file lists at most 51
(:func:`leadlens.responses.limits.capped_warnings`), so this admits about 190 files scored
together with every one capped."""
Comments = Annotated[list[str], Field(max_length=MAX_LIST)]


class ResultModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Favourability(ResultModel):
    """Answers split into favourable, neutral and unfavourable, with Wilson 95% intervals."""

    answers: int = Field(description="Scored answers counted (unscored answers excluded).")
    favourable: float = Field(description="Share of answers that were favourable (0-1).")
    neutral: float
    unfavourable: float
    favourable_ci95: tuple[float, float]
    neutral_ci95: tuple[float, float]
    unfavourable_ci95: tuple[float, float]


class ItemResult(ResultModel):
    """One answer column (``question id`` or ``id@perspective``/``id@timepoint``)."""

    key: str = Field(description="The answer key, as in the responses CSV header.")
    question: str = Field(description="Question id.")
    text: str
    principle: str | None = None
    perspective: str | None = None
    timepoint: str | None = None
    scale: str
    reverse: bool = False
    weight: float = 1.0
    n: int | None = Field(description="Respondents with a scored answer (a principle's item: "
                          "among those scored on the principle); null when the item is "
                          "withheld (fewer than min_group_size answered).")
    missing: int | None = Field(
        description="Respondents without a scored answer (blank or unscored; a principle's "
                    "item: among those scored on the principle); null when the item is "
                    "withheld.")
    unscored: int | None = Field(
        description="Answers such as \"Don't know\"; null when the item is withheld.")
    mean: float | None = Field(description="Mean of the raw values on the scale's own units.")
    sd: float | None = None
    counts: dict[str, int] = Field(
        description="Respondents per answer option, keyed by option value, then unscored labels.")
    item_total_r: float | None = Field(
        default=None,
        description="r.drop: the keyed item against the sum of the principle's other items "
                    "(the reliability sample); null below the minimum sample.")
    flagged: bool = Field(
        default=False,
        description="The key check says to reverse this item: it loads negatively on the "
                    "first principal component of its principle's keyed items.")
    alpha_if_dropped: float | None = Field(
        default=None, description="Raw alpha of the principle without this item.")
    pc1_loading: float | None = Field(
        default=None, description="Loading on the first principal component (the key check).")
    favourability: Favourability | None = Field(
        default=None, description="% favourable; null when the scale defines none.")
    withheld: str | None = Field(
        default=None, description="Why this figure is not shown (it would rest on fewer "
        "than min_group_size respondents), when it is not.")


class PerspectiveScore(ResultModel):
    id: str
    label: str
    n: int | None = Field(description="Respondents with a score for this perspective; null "
                          "when the figure is withheld.")
    mean: float | None
    score: float | None
    alpha: float | None = Field(default=None, description="As the principle's, on these items.")
    alpha_n: int | None = Field(default=0, description="alpha's sample; null below "
                                "min_group_size or when the figure is withheld.")
    alpha_std: float | None = None
    average_r: float | None = None
    g6: float | None = None
    alpha_ci95: tuple[float, float] | None = None
    omega_total: float | None = None
    withheld: str | None = Field(
        default=None, description="Why this figure is not shown (it would rest on fewer "
        "than min_group_size respondents), when it is not.")


class PrincipleResult(ResultModel):
    id: str
    name: str
    description: str = ""
    weight: float = 1.0
    n: int | None = Field(description="Respondents with a score for this principle; null when "
                          "the principle is withheld (withheld says why).")
    mean: float | None = Field(description="Mean on the scale's own units; null for mixed scales.")
    sd: float | None
    scale: str | None = Field(description="The principle's one scale, or null for mixed scales.")
    score: float | None = Field(description="Mean 0-100 score.")
    ci95: tuple[float, float] | None
    band: str | None
    band_position: float | None = Field(
        default=None, description="Where the score sits within its band, 0 (bottom) to 1 (top).")
    bands: dict[str, int] = Field(description="Respondents per band.")
    contested: bool = Field(description="The room disagrees: at least a quarter of respondents "
                            "clearly below 50 and a quarter clearly above (scoring.contested).")
    below_50: float | None = Field(default=None, description="Share of scores below 50.")
    above_50: float | None = Field(default=None, description="Share of scores above 50.")
    clearly_below: float | None = Field(
        default=None, description="Share of scores at least half an answer step below 50.")
    clearly_above: float | None = Field(
        default=None, description="Share of scores at least half an answer step above 50.")
    unscored_share: float | None = Field(
        description="Share of this principle's answers that were unscored (e.g. Don't know); "
                    "null when the principle is withheld.")
    alpha: float | None = Field(
        description="Raw Cronbach's alpha (scoring.reliability: listwise or pairwise); null "
                    "below the minimum sample (reliability_withheld says why).")
    alpha_n: int | None = Field(
        description="alpha's sample: respondents with every item answered (listwise) or with "
                    "any (pairwise); null below min_group_size or when the principle is "
                    "withheld.")
    reliability_method: Literal["listwise", "pairwise"] = "listwise"
    reliability_withheld: str | None = Field(
        default=None, description="Why reliability figures and item flags are not given.")
    alpha_std: float | None = Field(default=None, description="Standardised alpha.")
    average_r: float | None = Field(default=None, description="Mean inter-item correlation.")
    g6: float | None = Field(default=None, description="Guttman's lambda-6 (smc-based).")
    alpha_ci95: tuple[float, float] | None = Field(
        default=None, description="Feldt's 95% interval for alpha.")
    omega_total: float | None = Field(
        default=None, description="Omega total from a one-factor minres factor analysis; null "
                                  "below 100 respondents or 3 items.")
    reverse_suggested: list[str] = Field(
        default_factory=list, description="Item keys the key check says to reverse.")
    alpha_rekeyed: float | None = Field(
        default=None, description="Raw alpha with the suggested keys (when any).")
    rwg_j: float | None = Field(
        default=None, description="rwg(j) of the whole room (respondents with every item).")
    ad_m: float | None = Field(
        default=None, description="AD_M of the whole room, on the scale's units.")
    agreement_n: int | None = Field(
        default=None, description="Respondents who answered every item (behind rwg_j and "
                                  "ad_m); null, with them, below min_group_size.")
    favourability: Favourability | None = Field(
        default=None, description="% favourable over the principle's answers.")
    perspectives: list[PerspectiveScore] = Field(default_factory=list)
    perspective_gap: float | None = Field(
        default=None,
        description="Score of the last perspective minus the first (e.g. system - organisation).")
    recommendation: str | None = Field(
        default=None, description="The question set's recommendation for this band.")
    items: list[ItemResult]
    withheld: str | None = Field(
        default=None, description="Why this figure is not shown (it would rest on fewer "
        "than min_group_size respondents), when it is not.")


class OverallResult(ResultModel):
    n: int | None = Field(description="Respondents with an overall score; null when the "
                          "figure is withheld.")
    score: float | None
    sd: float | None = None
    ci95: tuple[float, float] | None = None
    band: str | None
    withheld: str | None = Field(
        default=None, description="Why this figure is not shown (it would rest on fewer "
        "than min_group_size respondents), when it is not.")


class TimepointMean(ResultModel):
    id: str
    label: str
    n: int | None = Field(description="Respondents who answered this timepoint; null when the "
                          "figure is withheld.")
    mean: float | None
    score: float | None
    withheld: str | None = Field(
        default=None, description="Why this figure is not shown (it would rest on fewer "
        "than min_group_size respondents), when it is not.")


class TimepointResult(ResultModel):
    question: str
    text: str
    scale: str
    timepoints: list[TimepointMean]
    gap: float | None = Field(
        description="Mean of the last timepoint minus the first (e.g. target - current), "
                    "on the scale's own units.")
    gap_n: int | None = Field(description="Respondents who answered both timepoints; null when "
                              "the gap is withheld.")
    paired_means: list[float | None] = Field(
        default_factory=list,
        description="Each timepoint's mean among the gap_n respondents who answered both the "
                    "first and the last, so that the gap is the difference of these means; "
                    "empty when the gap is withheld.")
    gap_withheld: str | None = Field(
        default=None, description="Why the gap is not shown (fewer than min_group_size "
        "answered both timepoints), when it is not.")


Hidden = Literal["small", "complement", "withheld"]


class GroupPrinciple(ResultModel):
    id: str
    n: int | None = Field(description="Respondents with a score; null when the figure is hidden.")
    mean: float | None
    score: float | None
    band: str | None
    contested: bool
    sd: float | None = Field(default=None, description="On the scale's units, as the whole's.")
    ci95: tuple[float, float] | None = Field(default=None, description="On 0-100.")
    rwg_j: float | None = Field(
        default=None, description="rwg(j): agreement within the group (respondents who "
                                  "answered every item), 0 none to 1 full.")
    ad_m: float | None = Field(
        default=None, description="AD_M: mean absolute deviation from the item means, on the "
                                  "scale's units; null for mixed scales.")
    agreement: Literal["agreed", "partly agreed", "split"] | None = Field(
        default=None, description="rwg(j) from 0.7: agreed; from 0.5: partly agreed; else split.")
    agreement_n: int | None = Field(
        default=None, description="Group members who answered every item (behind rwg_j, "
                                  "ad_m and agreement); null, with them, where hidden.")
    favourability: Favourability | None = None
    favourability_suppressed_reason: Hidden | None = Field(
        default=None, description="Why this group's % favourable is hidden while its score "
        "is shown: % favourable counts answers, so it is protected as a table of its own "
        "(see the disclosure audit).")
    suppressed_reason: Hidden | None = Field(
        default=None, description="Why this figure is hidden: fewer than min_group_size "
        "scored (small), it would reveal a smaller figure (complement), or no safe pattern "
        "exists for this breakdown (withheld). See the disclosure audit.")


class GroupResult(ResultModel):
    value: str = Field(description="Display value (the most frequent original spelling).")
    not_stated: bool = Field(
        default=False, description="The group of respondents who left the field blank.")
    n: int | None = Field(
        description="Respondents in the group; null when suppressed, so that hidden groups "
                    "cannot be worked out by subtraction.")
    n_text: str = Field(
        default="",
        description="What to show for n: the count, or e.g. \"fewer than 5\" when suppressed.")
    suppressed: bool
    suppressed_reason: Literal["small", "complement"] | None = None
    overall: float | None = None
    overall_band: str | None = Field(
        default=None, description="Band id of the group's overall score (shown groups only).")
    overall_suppressed_reason: Hidden | None = Field(
        default=None, description="Why the group's overall score is hidden, when it is.")
    principles: list[GroupPrinciple] = Field(default_factory=list)
    comments: dict[str, Comments] = Field(
        default_factory=dict, description="This group's free-text answers: shown groups, "
        "questions at least min_group_size of its members answered, when safe.")


class GroupSpread(ResultModel):
    principle: str
    spread: float | None = Field(description="Highest minus lowest group score (shown groups).")
    lowest: str | None
    highest: str | None


class GroupICC(ResultModel):
    """Whether groups differ: a one-way ANOVA of the principle score on group (shown groups)."""

    principle: str
    groups: int
    n: int
    icc1: float | None = Field(description="ICC(1): share of score variance between groups.")
    icc2: float | None = Field(description="ICC(2): reliability of the group means.")
    p: float | None = Field(description="F test p value; from 0.05 groups differ no more than "
                                        "chance would make them.")


class GroupBreakdown(ResultModel):
    field: str
    prompt: str
    groups: list[GroupResult] = Field(max_length=MAX_LIST)
    spread: list[GroupSpread] = Field(description="Principles, most differently seen first.")
    icc: list[GroupICC] = Field(default_factory=list, description="Per principle.")
    withheld: str | None = Field(
        default=None, description="Why no group of this breakdown is listed, when none is.")


class DisclosureStep(ResultModel):
    """One figure hidden by the disclosure control (never how many it would have shown)."""

    breakdown: str | None = Field(description="The --by field, or null for the whole survey.")
    group: str | None = Field(description="The group's display value, or null.")
    figure: str = Field(description="'group' (all its figures), 'overall', a principle id, "
                        "'favourable:PRINCIPLE' (its % favourable), 'agreement:PRINCIPLE' (its "
                        "rwg(j) and AD_M), 'comments:KEY', or an "
                        "answer key.")
    reason: Literal["small", "complement", "withheld", "survey"]
    text: str = Field(description="The step in plain words.")


def step_text(breakdown: str, values: list[str], figure: str, reason: str,
              min_group_size: int) -> str:
    """One disclosure step in plain words, for one or more groups (never a hidden size)."""
    comments = figure.startswith("comments:")
    small = {"group": "respondents", "overall": "have an overall score"}.get(
        figure, "commented" if comments else "have a score")
    words = {
        "small": f"fewer than {min_group_size} {small}",
        "complement": "hidden as well, so that no smaller figure can be worked out from "
                      "published ones",
        "withheld": "no pattern of shown and hidden groups keeps every hidden figure safe, "
                    "so it is withheld for every group of the breakdown",
    }[reason]
    favourable = figure.startswith("favourable:")
    agreeing = figure.startswith("agreement:")
    if favourable or agreeing:
        small = "answered its questions" if favourable else "answered all its questions"
        words = words.replace("have a score", small)
    what = {"group": "every figure", "overall": "overall score"}.get(
        figure, f"comments on {figure[9:]!r}" if comments
        else f"% favourable of principle {figure[11:]!r}" if favourable
        else f"agreement (rwg(j), AD_M) of principle {figure[10:]!r}" if agreeing
        else f"principle {figure!r}")
    return f"{breakdown} {', '.join(map(repr, values))}: {what} not shown: {words}"


class DisclosureAudit(ResultModel):
    method: str = Field(description="The disclosure-control method, in one paragraph.")
    steps: list[DisclosureStep] = Field(default_factory=list, max_length=MAX_LIST)


class ResultWarning(ResultModel):
    """A warning from reading or scoring the responses, with where it was found."""

    code: str = Field(description="What kind of warning: a stable code from the catalogue in "
                                  "docs/errors.md (e.g. responses.blank-rows).")
    file: str | None = Field(
        default=None, description="The responses file, as given; null for a warning about "
                                  "the scoring as a whole.")
    line: int | None = Field(default=None, description="1-based line in the file.")
    col: int | None = Field(default=None, description="1-based column (character) in the line.")
    column: str | None = Field(default=None, description="The CSV column's header.")
    path: str = Field(default="", description="Where inside a structured document, "
                                              "e.g. principles[2].")
    message: str
    hint: str = Field(default="", description="How to fix it, when there is a fix.")

    @classmethod
    def of(cls, problem: Problem) -> ResultWarning:
        """The warning a located :class:`~leadlens.errors.Problem` becomes in the document."""
        return cls(code=str(problem.code), file=problem.file, line=problem.line,
                   col=problem.col, column=problem.column, path=problem.path,
                   message=problem.message, hint=problem.hint)

    def __str__(self) -> str:
        """The plain-text form (terminal, reports): as the problem was printed, location first."""
        return problem_text(location(self.file, self.line, self.col, self.column), "warning",
                            self.path, self.message, self.hint)


class AgreedAction(ResultModel):
    """One action the board agreed: what, who and by when."""

    text: str
    owner: str = ""
    due: dt.date | None = None


class AgreedPrinciple(ResultModel):
    """What the board agreed about one principle in a workshop."""

    principle: str = Field(description="Principle id.")
    current: str | None = Field(
        default=None, description="The band id the board agreed it is at now.")
    target: str | None = Field(
        default=None, description="The band id the board aims for in 12 months.")
    notes: str = ""
    actions: list[AgreedAction] = Field(default_factory=list)


class AgreedResult(ResultModel):
    """What the board agreed (``leadlens score --agreed``), beside the individual scores."""

    source: str = Field(description="The agreed-levels file read (e.g. board.agreed.yaml).")
    agreed_at: dt.datetime | None = Field(
        default=None, description="When the agreed levels were last changed.")
    principles: list[AgreedPrinciple] = Field(
        default_factory=list, description="Principles the board agreed something about, "
                                          "in question-set order.")


class Results(ResultModel):
    results_version: Literal[2] = RESULTS_VERSION
    leadlens_version: str
    generated_at: dt.datetime
    collected_from: dt.date | None = Field(
        default=None, description="First day an answer was submitted (submitted_at).")
    collected_to: dt.date | None = Field(
        default=None, description="Last day an answer was submitted (submitted_at).")
    sources: list[str] = Field(description="The responses files scored.")
    question_set: QuestionSet
    respondents: int
    min_group_size: int = Field(description="The anonymity threshold applied.")
    by: list[str] = Field(default_factory=list, description="Fields broken down with --by.")
    overall: OverallResult
    principles: list[PrincipleResult]
    timepoints: list[TimepointResult] = Field(default_factory=list)
    items: list[ItemResult] = Field(
        default_factory=list, description="Rated answers that belong to no principle.")
    groups: dict[str, GroupBreakdown] = Field(default_factory=dict)
    comments: dict[str, Comments] = Field(
        default_factory=dict, description="Free-text answers by question id, shuffled.")
    comments_withheld: str | None = Field(
        default=None, description="Why comments were withheld, when they were.")
    warnings: list[ResultWarning] = Field(
        default_factory=list, max_length=MAX_RESULT_WARNINGS,
        description="Warnings from reading and scoring the responses, each located (file, "
                    "line, column) and coded.")
    agreed: AgreedResult | None = Field(
        default=None, description="What the board agreed in a workshop, when scored with "
                                  "--agreed: agreed and target bands and actions per principle.")

    def tables(self) -> dict[str, pl.DataFrame]:
        """Tidy polars tables, one per level: principles, items, groups, timepoints,
        perspectives (see :mod:`leadlens.results.tables`; suppressed cells present, marked)."""
        from leadlens.results.tables import tables

        return tables(self)

    def to_pandas(self) -> dict[str, Any]:
        """:meth:`tables` as pandas DataFrames (needs pandas, not PyArrow)."""
        from leadlens.results.tables import to_pandas

        return to_pandas(self)

    def _repr_html_(self) -> str:
        from leadlens.results.display import headline_html

        return headline_html(self)

    def __repr__(self) -> str:
        """A line a person can read (the whole document is ``model_dump()``): respondents,
        the overall and each principle's score as shown, and each breakdown's groups."""
        from leadlens.results.display import headline_text

        return headline_text(self)

    __str__ = __repr__
    withheld: str | None = Field(
        default=None, description="Why no figure is published (fewer respondents than "
        "min_group_size in the whole survey), when none is.")
    disclosure: DisclosureAudit | None = Field(
        default=None, description="What the disclosure control hid, and why.")
    seal: str | None = Field(
        default=None, description="SHA-256 of the document as leadlens score wrote it (this "
        "field empty). Whether several breakdowns can be shown together depends on who is in "
        "which group of each, which a results document never holds; leadlens report shows "
        "only the first breakdown of a document whose seal does not match (changed after "
        "scoring, or made by something else). A check against mistakes, not a signature.")


def seal_of(results: Results) -> str:
    """SHA-256 of the document with its seal left empty."""
    text = results.model_copy(update={"seal": None}).model_dump_json(by_alias=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sealed(results: Results) -> Results:
    """The document with its seal, as ``leadlens score`` writes it."""
    return results.model_copy(update={"seal": seal_of(results)})


_NO_SEAL = ',"seal":null}'


def sealed_json(results: Results) -> str:
    """``sealed(results).model_dump_json(by_alias=True)``, from one serialisation instead
    of two: the seal is the last field, and the text it hashes is this one with it empty
    (a million respondents' document takes about 0.03 s a serialisation)."""
    text = results.model_copy(update={"seal": None}).model_dump_json(by_alias=True)
    if not text.endswith(_NO_SEAL):  # not the layout relied on: serialise the sealed copy
        return sealed(results).model_dump_json(by_alias=True)
    seal = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return f'{text[:-len(_NO_SEAL)]},"seal":"{seal}"}}'
