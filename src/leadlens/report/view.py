"""The report view model: the types of what a report template receives (its context).

Templates are a public contract (``docs/templates.md``), so their context is typed here and
published as a JSON Schema (``schema/report-context.schema.json``, from
:func:`context_json_schema`). At run time the context stays what templates have always
received: plain dictionaries and lists. That is why these are ``TypedDict``\\ s and not models:
Jinja's sandbox and the report environment read dictionary keys (``p.items`` is a principle's
items, not ``dict.items``; a misspelt key gets "Did you mean"), and the builders in
:mod:`leadlens.report.context` keep their dictionary literals, which mypy checks against
these declarations.

Many views are a part of the results document plus display values (an item of the document
plus its answer options and chart, ...). Those are declared as the document's model plus a
``...Extras`` TypedDict of what the report adds, so a field added to the results document
appears in the context's schema without being declared twice. In Python they are typed as
plain dictionaries (:data:`ItemView`, ...); their schema is the model with the extras
(:func:`_view`).
"""

from __future__ import annotations

import typing
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    GetPydanticSchema,
    create_model,
    with_config,
)
from typing_extensions import TypedDict

from leadlens.report import Format
from leadlens.report.measures import AgreementView, ReliabilityView
from leadlens.results.document import (
    GroupResult,
    GroupSpread,
    ItemResult,
    OverallResult,
    PrincipleResult,
    Results,
    TimepointResult,
)

_VIEWS: dict[str, type[BaseModel]] = {}
_STRICT = ConfigDict(extra="forbid")


def _schema_of(name: str) -> GetPydanticSchema:
    """Validate and describe a dictionary view as the model :func:`_view` built for it."""
    return GetPydanticSchema(lambda _type, handler: handler(_VIEWS[name]))


ItemView = Annotated[dict[str, Any], _schema_of("ItemView")]
"""An item of the results document (``ItemResult``) plus :class:`ItemExtras`."""
PrincipleView = Annotated[dict[str, Any], _schema_of("PrincipleView")]
"""A principle of the results document (``PrincipleResult``) plus :class:`PrincipleExtras`."""
OverallView = Annotated[dict[str, Any], _schema_of("OverallView")]
"""The document's ``overall`` plus :class:`OverallExtras`."""
GroupView = Annotated[dict[str, Any], _schema_of("GroupView")]
"""A group of a breakdown (``GroupResult``) plus :class:`GroupExtras`."""
SpreadView = Annotated[dict[str, Any], _schema_of("SpreadView")]
"""A principle's spread across groups (``GroupSpread``) plus :class:`SpreadExtras`."""
TimepointRowView = Annotated[dict[str, Any], _schema_of("TimepointRowView")]
"""A question with timepoints (``TimepointResult``) plus :class:`TimepointRowExtras`."""


BandView = TypedDict("BandView", {
    "id": str,
    "label": str,
    "from": Annotated[float, Field(description="Where the band starts, 0-100.")],
    "to": Annotated[float, Field(description="Where the next band starts (100 for the last).")],
    "description": str,
    "colour": Annotated[str, Field(description="The band's chart colour (#rrggbb).")],
    "text_colour": Annotated[str, Field(description="Black or white: readable on colour.")],
    "range_text": Annotated[str, Field(
        description="The shown scores the band holds, e.g. 40\u201359 (scores are rounded "
                    "down for display).")],
})
"""A band of the question set, with its chart colours."""
BandView.__pydantic_config__ = _STRICT  # type: ignore[attr-defined]


@with_config(_STRICT)
class OptionView(TypedDict):
    """One answer of an item's scale and how many chose it."""

    value: Annotated[int | None, Field(description="The option's value; null for an unscored "
                                                   "answer such as \"Don't know\".")]
    label: str
    count: int
    colour: Annotated[str, Field(description="Its colour in the item's chart (#rrggbb).")]
    share: Annotated[float | None, Field(description="count / answered (0-1); null when nobody "
                                                     "answered.")]


@with_config(_STRICT)
class LegendView(TypedDict):
    """One swatch of an item chart's legend, in the forward-keyed colours."""

    label: str
    colour: Annotated[str, Field(description="#rrggbb")]
    dashed: Annotated[bool, Field(description="An unscored answer such as \"Don't know\".")]


@with_config(_STRICT)
class ItemExtras(TypedDict):
    """What the report adds to each item of the results document."""

    section_title: Annotated[str | None, Field(
        description="The title of the question's section; empty when it has none.")]
    variant: Annotated[str | None, Field(description="The perspective's or timepoint's label.")]
    label: Annotated[str, Field(description="The question text with the variant in brackets.")]
    options: Annotated[list[OptionView], Field(
        description="The scale's answers; colours follow the keyed direction (reversed for a "
                    "reverse-keyed statement, where agreeing is the unfavourable answer).")]
    legend: Annotated[list[LegendView], Field(
        description="The scale's answers in the forward-keyed colours, for a legend.")]
    answered: Annotated[int, Field(description="Respondents who gave any answer (scored or not).")]
    scale_range: Annotated[str, Field(description="The scale's values, e.g. 1-5.")]
    chart: Annotated[str, Field(description="SVG: a stacked bar of the answers.")]
    favourable_short: Annotated[str, Field(
        description="% favourable with its 95% interval, e.g. 62% (58-66%); empty when none.")]
    neutral_unfavourable: Annotated[str, Field(
        description="% neutral / % unfavourable, e.g. 25% / 13%; empty when none.")]


@with_config(_STRICT)
class PrincipleExtras(TypedDict):
    """What the report adds to each principle of the results document."""

    band_label: str | None
    band_colour: str | None
    band_description: str
    band_position: Annotated[float | None, Field(
        description="Where the score sits in its band, 0-1 (worked out when the document has "
                    "none).")]
    recommendation: Annotated[str | None, Field(
        description="The question set's recommendation for the band (when the document has "
                    "none).")]
    dont_know_flag: Annotated[bool, Field(
        description="At least dont_know_threshold of the answers were unscored.")]
    alpha_reading: Annotated[str, Field(description="Cronbach's alpha in plain English.")]
    alpha_flag: Annotated[bool, Field(description="Alpha below alpha_threshold.")]
    items: list[ItemView]
    flagged_items: Annotated[list[ItemView], Field(
        description="The items the reliability check flagged.")]
    perspective_flag: Annotated[bool, Field(
        description="The perspective gap is at least one scale point.")]
    perspective_step: Annotated[float | None, Field(
        description="One scale point on the 0-100 score.")]
    band_position_text: Annotated[Literal["lower", "middle", "upper"] | None, Field(
        description="The third of the band the score sits in.")]
    reliability: ReliabilityView
    favourable_text: Annotated[str | None, Field(
        description="% favourable, neutral and unfavourable in words, with the interval.")]
    favourable_short: Annotated[str, Field(description="% favourable, e.g. 62%; or empty.")]


@with_config(_STRICT)
class OverallExtras(TypedDict):
    """What the report adds to the document's ``overall``."""

    band_label: str | None
    band_colour: str | None


@with_config(_STRICT)
class CellView(TypedDict):
    """One principle's score in one group (a cell of the group x principle table)."""

    id: Annotated[str, Field(description="The principle's id.")]
    name: Annotated[str, Field(description="The principle's name.")]
    score: float | None
    n: int | None
    mean: float | None
    band_label: str | None
    colour: Annotated[str | None, Field(description="The band's colour.")]
    contested: bool
    hidden: Annotated[str | None, Field(
        description="Why this figure is hidden ('fewer than N', 'withheld to protect a "
                    "smaller figure', 'withheld'); null when shown.")]


@with_config(_STRICT)
class GroupExtras(TypedDict):
    """What the report adds to each group of a breakdown."""

    suppressed_text: Annotated[str | None, Field(
        description="For a hidden group: 'fewer than N' or 'withheld to protect a smaller "
                    "group'; null when shown.")]
    cells: Annotated[list[CellView], Field(
        description="One per principle, empty scores for a hidden group.")]
    overall_hidden: Annotated[str | None, Field(
        description="Why the group's overall score is hidden; null when shown.")]


@with_config(_STRICT)
class SpreadExtras(TypedDict):
    """What the report adds to each spread of a breakdown."""

    name: Annotated[str, Field(description="The principle's name.")]
    shown_spread: Annotated[float | None, Field(
        description="The highest minus the lowest shown group score as the report shows "
                    "them (rounded down, whole points): the difference a reader works out "
                    "from the heatmap; null without a spread.")]


@with_config(_STRICT)
class BreakdownView(TypedDict):
    """One ``--by`` field: its groups, spreads and heatmap."""

    field: str
    prompt: str
    groups: list[GroupView]
    shown: Annotated[int, Field(description="Groups shown.")]
    suppressed: Annotated[int, Field(description="Groups hidden for anonymity.")]
    spread: list[SpreadView]
    ranked: Annotated[list[SpreadView], Field(
        description="The spreads whose shown groups differ (shown_spread above 0), largest "
                    "first; empty when no group differs.")]
    chart: Annotated[str, Field(description="SVG: the group x principle heatmap.")]
    agreement: AgreementView
    withheld: Annotated[str | None, Field(
        description="Why no group of this breakdown is listed; null when some are.")]


@with_config(_STRICT)
class PerspectivesView(TypedDict):
    """Scores as answered from each perspective (e.g. organisation and system hat)."""

    first: Annotated[str, Field(description="The first perspective's label.")]
    last: Annotated[str, Field(description="The last perspective's label.")]
    rows: Annotated[list[PrincipleView], Field(description="The principles with perspectives.")]
    chart: Annotated[str, Field(description="SVG: a dumbbell per principle.")]
    chart_narrow: Annotated[str, Field(description="SVG: the same, laid out for a phone.")]


@with_config(_STRICT)
class TimepointRowExtras(TypedDict):
    """What the report adds to each question with timepoints."""

    section: Annotated[str | None, Field(description="The title of the question's section.")]


@with_config(_STRICT)
class TimepointsView(TypedDict):
    """Questions answered at several timepoints (e.g. now and in 12 months)."""

    first: str
    last: str
    rows: list[TimepointRowView]
    chart: Annotated[str | None, Field(
        description="SVG: a dumbbell per question (means of those who answered both); null "
                    "when the questions' scales differ.")]
    chart_narrow: Annotated[str | None, Field(description="SVG: the same, laid out for a phone.")]
    scale: Annotated[str, Field(description="The scale's label.")]


@with_config(_STRICT)
class CommentView(TypedDict):
    """The comments on one free-text question, in question-set order."""

    question: Annotated[str, Field(description="The question id.")]
    text: Annotated[str, Field(description="The question text.")]
    comments: list[str]


@with_config(_STRICT)
class AgreedRowView(TypedDict):
    """One principle the board agreed about, beside the individual answers."""

    id: Annotated[str, Field(description="The principle id.")]
    name: str
    score: Annotated[float | None, Field(description="The individual answers' 0-100 score.")]
    band_label: Annotated[str | None, Field(description="The individual answers' band.")]
    contested: bool
    withheld: Annotated[str | None, Field(
        description="Why the individual answers' score is not shown (e.g. held back from a "
                    "board pack); null when it is.")]
    agreed_label: Annotated[str | None, Field(description="The band the board agreed it is at.")]
    target_label: Annotated[str | None, Field(description="The 12-month target band.")]
    comparison: Annotated[str | None, Field(
        description="e.g. '1 band above the individual answers'; null without both bands.")]
    notes: str
    actions: Annotated[int, Field(description="How many actions the principle has.")]


@with_config(_STRICT)
class AgreedActionView(TypedDict):
    """One row of the action plan."""

    principle: Annotated[str, Field(description="The principle's name.")]
    text: str
    owner: str
    due: Annotated[str | None, Field(description="YYYY-MM-DD, or null.")]


@with_config(_STRICT)
class AgreedView(TypedDict):
    """What the board agreed in a workshop (``score --agreed``)."""

    rows: list[AgreedRowView]
    actions: list[AgreedActionView]
    source: Annotated[str, Field(description="The agreed-levels file's name.")]
    agreed_at: Annotated[str | None, Field(description="When it last changed, e.g. "
                                                       "1 December 2026.")]


@with_config(_STRICT)
class ChartsView(TypedDict):
    """The report's headline charts (SVG)."""

    scores: Annotated[str, Field(description="Score bars with 95% confidence-interval whiskers.")]
    scores_narrow: Annotated[str, Field(description="The score bars laid out for a phone.")]
    radar: Annotated[str | None, Field(description="A radar of the principles; null with fewer "
                                                   "than three.")]


@with_config(_STRICT)
class PriorityView(TypedDict):
    """One item of "What to discuss first"."""

    kind: Literal["split", "ambition", "hats", "weakest"]
    heading: Annotated[str, Field(description="A principle's name or a question's text.")]
    finding: Annotated[str, Field(description="Why it is here, in numbers.")]
    recommendation: str | None
    anchor: Annotated[str, Field(description="The id of the section with the detail.")]


@with_config(_STRICT)
class IcbStepView(TypedDict):
    """A question with timepoints and its next step."""

    question: str
    text: str
    level: Annotated[int | None, Field(description="The median answer at the first timepoint.")]
    level_label: str | None
    means: Annotated[list[float | None], Field(
        description="Each timepoint's mean among the gap_n who answered both.")]
    gap: float | None
    gap_n: Annotated[int | None, Field(
        description="Who answered both timepoints; null when the gap is withheld.")]
    recommendation: Annotated[str | None, Field(
        description="The question's recommendation for level, or null.")]


@with_config(_STRICT)
class ReportView(TypedDict):
    """``report``: values worked out for display. Nothing here changes a number."""

    title: Annotated[str, Field(description="--title, or the question set's title.")]
    format: Format
    generated: Annotated[str, Field(description="The date scored, e.g. 2 June 2025.")]
    source_citation: Annotated[str | None, Field(
        description="The question set's source as one line, or null.")]
    source_files: Annotated[list[str], Field(
        description="The responses files' names, without folders.")]
    bands: list[BandView]
    overall: OverallView
    principles: list[PrincipleView]
    strongest: Annotated[list[PrincipleView], Field(
        description="More than one on a tie; empty unless two principles' scores differ.")]
    weakest: list[PrincipleView]
    strongest_weakest_overlap: Annotated[bool, Field(
        description="The strongest's and weakest's confidence intervals overlap.")]
    breakdowns: list[BreakdownView]
    perspectives: PerspectivesView | None
    timepoints: TimepointsView | None
    other_items: Annotated[list[ItemView], Field(
        description="Rated questions outside principles.")]
    comments: list[CommentView]
    min_answered_text: Annotated[str, Field(
        description="e.g. 'at least half of its questions'.")]
    dont_know_threshold: float
    alpha_threshold: float
    charts: ChartsView
    warnings: Annotated[list[str], Field(
        description="The document's warnings as text, location first, file names without "
                    "folders.")]
    organisation: Annotated[str | None, Field(
        description="--organisation: the organisation or system the report is for.")]
    logo: Annotated[str | None, Field(
        description="--logo as a data: URI (PNG, JPEG, GIF or WebP), or null.")]
    collected: Annotated[str | None, Field(
        description="When the answers were submitted, e.g. 4\u201315 March 2024 (from "
                    "collected_from/collected_to); null without time stamps.")]
    produced: Annotated[str, Field(description="The day the results were scored.")]
    discuss_first: Annotated[list[PriorityView], Field(
        description="At most three things to discuss first (report.priorities' rule).")]
    next_steps: Annotated[list[PrincipleView], Field(
        description="The principles in priority order: those discussed first, then weakest "
                    "first.")]
    icb_steps: Annotated[list[IcbStepView], Field(
        description="Questions with timepoints, largest gap first, with the recommendation "
                    "for the room's current (median) level.")]
    agreed: Annotated[AgreedView | None, Field(
        description="What the board agreed (score --agreed); null without it.")]
    disclosure_steps: Annotated[list[str], Field(
        description="The disclosure audit as sentences, one per breakdown, figure and "
                    "reason (never a hidden size).")]


def _view(name: str, document: type[BaseModel], extras: type, doc: str) -> None:
    """Declare the schema of a dictionary view: ``document``'s fields plus ``extras``'."""
    fields: dict[str, Any] = {key: (hint, ...) for key, hint
                              in typing.get_type_hints(extras, include_extras=True).items()}
    _VIEWS[name] = create_model(name, __base__=document, __doc__=doc, **fields)


_view("ItemView", ItemResult, ItemExtras, "An item of the results document, for display.")
_view("PrincipleView", PrincipleResult, PrincipleExtras,
      "A principle of the results document, for display.")
_view("OverallView", OverallResult, OverallExtras, "The overall score, for display.")
_view("GroupView", GroupResult, GroupExtras, "A group of a breakdown, for display.")
_view("SpreadView", GroupSpread, SpreadExtras, "A principle's spread across groups.")
_view("TimepointRowView", TimepointResult, TimepointRowExtras,
      "A question with timepoints, for display.")


class ReportContext(Results):
    """What every report template sees: each top-level key of the results document, the
    whole document again as ``results``, and ``report``."""

    results: Results
    report: ReportView


def context_json_schema() -> dict[str, Any]:
    """The JSON Schema of the template context (``schema/report-context.schema.json``)."""
    return ReportContext.model_json_schema(by_alias=True, mode="serialization")
