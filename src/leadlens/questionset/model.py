"""The question-set format as pydantic models: plain data, no I/O.

Field names are the YAML keys users write; they may be extended, never renamed.
Cross-reference checks (unknown principle, duplicate ids, ...) live in
:mod:`leadlens.questionset.checks`, which works on the raw YAML data so that every problem in a file
is found in one pass, even when some values have the wrong type.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from leadlens.errors import Code

if TYPE_CHECKING:
    from leadlens.source.yamltree import SourceMap

Slug = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64),
]
"""Ids: lower-case letters, digits, '-' and '_'; they appear in CSV headers and JSON keys."""

QuestionId = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$", max_length=64),
]
"""Question ids may also use upper-case letters (``A1``, ``Q1_2``), as real codebooks do;
they stay unique regardless of case (:mod:`leadlens.questionset.checks`)."""

DEFAULT_MISSING_VALUES = ("", "NA")
"""Cells that mean "no answer" unless a question set says otherwise: blank, and R's ``NA``."""

Text = Annotated[str, StringConstraints(min_length=1, max_length=5000)]

MAX_SCALE_VALUE = 1000
"""Option values lie in -1000..1000."""
MAX_SCALE_SPAN = 100
"""One scale's values are at most 100 apart (a 0-100 scale is the widest)."""
MAX_WEIGHT = 1000.0
"""Weights are finite, above 0 and at most this (relative weights need no more)."""
MAX_MIN_ANSWERED = 1000
"""A ``min_answered`` item count above this cannot be meant (no principle has more items)."""

BAND_TOLERANCE = 1e-9
"""Scores this close to a cut point (50, a band's start) count as on it: 0-100 values such
as 100/3 are not exact in floating point, and sums in another order differ in the last bit."""


def cut_decimals(cuts: Sequence[float]) -> int:
    """Decimals needed to write every band cut exactly (0 for whole numbers, at most 3)."""
    for digits in range(3):
        if all(abs(c * 10**digits - round(c * 10**digits)) < 1e-6 for c in cuts):
            return digits
    return 3


def score_text(score: float | None, cuts: Sequence[float] = (), digits: int = 0) -> str:
    """The one display rule for a 0-100 score: rounded *down*, so it never contradicts its band.

    A score of 59.6 is in the band that starts at 60 only once it reaches 60 (within
    :data:`BAND_TOLERANCE`); rounding it to "60" would print a number from the band above
    beside the band below. Rounding down (to ``digits`` decimals, or to as many as the band
    cuts need, e.g. one for a band from 62.5) keeps the shown number in the score's band.
    """
    if score is None or not math.isfinite(score):
        return "\u2014"
    return f"{shown_score(score, cuts, digits):.{shown_places(cuts, digits)}f}"


def shown_range(cuts: Sequence[float], index: int) -> str:
    """The shown scores the band starting at ``cuts[index]`` holds: ``40–59`` (scores are
    rounded down, so 59.9 shows as 59; ``40.0–62.4`` when a cut such as 62.5 needs decimals)."""
    low = score_text(cuts[index], cuts)
    if index + 1 >= len(cuts):
        return f"{low}\u2013100"
    step = 10.0 ** -cut_decimals(cuts)
    return f"{low}\u2013{score_text(cuts[index + 1] - step, cuts)}"


def shown_places(cuts: Sequence[float] = (), digits: int = 0) -> int:
    """The decimals :func:`score_text` shows: ``digits``, or more when a band cut needs them."""
    return max(digits, cut_decimals(cuts))


def shown_score(score: float, cuts: Sequence[float] = (), digits: int = 0) -> float:
    """The number :func:`score_text` shows, as a number (49.66 -> 49.6 at one decimal): what a
    spreadsheet cell holds, and what a difference between shown scores is taken from."""
    scale = float(10 ** shown_places(cuts, digits))
    return math.floor((score + BAND_TOLERANCE) * scale) / scale


def shown_difference(first: float, second: float, cuts: Sequence[float] = (),
                     digits: int = 0) -> float:
    """``second - first`` as the reader works it out from the two shown scores: 75.0 and 42.5
    show as 75 and 42, so their difference is 33, never the 32 that rounding 32.5 gives."""
    places = shown_places(cuts, digits)
    return round(shown_score(second, cuts, digits) - shown_score(first, cuts, digits), places)


class Model(BaseModel):
    """Strict models: unknown keys are errors and YAML scalars are never coerced."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True,
                              populate_by_name=True)


def _quoted_date(value: object) -> object:
    """A date written quoted (``"2023-04-28"``, text to every YAML reader, as the JSON Schema
    wants it) is the date; an unquoted one is a date already."""
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value  # not a day that exists: refused as not a date
    return value


class Source(Model):
    title: Text
    publisher: str = ""
    author: str = ""
    date: Annotated[dt.date | None, BeforeValidator(_quoted_date)] = None
    url: str = ""


class Option(Model):
    value: int = Field(ge=-MAX_SCALE_VALUE, le=MAX_SCALE_VALUE)
    label: Text
    aliases: list[str] = Field(default_factory=list,
                               description="Other labels that mean this option (imports).")


class Scale(Model):
    label: str = ""
    options: list[Option] = Field(min_length=2, description="Ordered; values are integers.")
    unscored: list[Text] = Field(
        default_factory=list, description="Answers such as \"Don't know\" that count as missing.")
    favourable: list[int] | None = Field(
        default=None,
        description="Option values counted as favourable (% favourable); default: the top two "
                    "of a 4- to 6-point scale, the top three of a 7-point one, else none; [] for "
                    "none.")

    @property
    def min(self) -> int:
        return min(o.value for o in self.options)

    @property
    def max(self) -> int:
        return max(o.value for o in self.options)

    def describe(self) -> str:
        return f"{self.min}-{self.max}"

    @model_validator(mode="after")
    def _bounded_span(self) -> Scale:
        if self.max - self.min > MAX_SCALE_SPAN:
            raise PydanticCustomError(
                "questionset.scale-span", "option values span {low} to {high}, more than "
                f"{MAX_SCALE_SPAN} apart", {"low": self.min, "high": self.max})
        return self


class Band(Model):
    id: Slug
    label: Text
    from_: float = Field(alias="from", ge=0, le=100, allow_inf_nan=False)
    description: str = ""


class Perspective(Model):
    id: Slug
    label: Text
    description: str = ""


class Timepoint(Model):
    id: Slug
    label: Text
    description: str = ""


class Principle(Model):
    id: Slug
    name: Text
    description: str = ""
    recommendations: dict[str, str] = Field(default_factory=dict,
                                            description="Keyed by band id.")
    weight: float = Field(default=1.0, gt=0, le=MAX_WEIGHT, allow_inf_nan=False)


class Section(Model):
    id: Slug
    title: Text
    description: str = ""


class RespondentField(Model):
    id: Slug
    prompt: Text
    type: Literal["text", "choice"] = "text"
    choices: list[Text] = Field(default_factory=list)
    required: bool = False
    help: str = ""


class Scoring(Model):
    min_answered: float = Field(
        default=0.5, gt=0, le=MAX_MIN_ANSWERED, allow_inf_nan=False,
        description="Per principle: below 1 a fraction of its items, a whole number >= 1 an "
                    "item count.")
    min_group_size: int = Field(default=5, ge=3, description="Anonymity threshold for groups.")
    reliability: Literal["listwise", "pairwise"] = Field(
        default="listwise",
        description="Missing answers in reliability: respondents who answered every item "
                    "(listwise), or every available pair of items (pairwise, psych's default).")
    missing_values: list[str] = Field(
        default_factory=lambda: list(DEFAULT_MISSING_VALUES),
        description="Cells that mean no answer, in every responses reader: blank and R's NA "
                    "by default; add e.g. '.' or '-99' for a statistics package's codes. A "
                    "scale's own option or unscored label wins over this list.")


Platform = Literal["google-forms", "microsoft-forms", "qualtrics", "surveymonkey", "limesurvey",
                   "csv"]
"""Survey platforms whose exports ``leadlens score`` and ``leadlens inspect`` read."""


class ColumnRule(Model):
    """One way to find a column in a survey-platform export: give one of the four matchers."""

    header: str | None = Field(
        default=None, description="A header, compared as question texts are (case, spaces, "
        "quotes and trailing punctuation ignored), in any header row.")
    regex: str | None = Field(
        default=None, description="A regular expression matched against whole headers "
        "(case-insensitive); `to` may use its groups (\\1, \\g<name>).")
    import_id: str | None = Field(
        default=None, description="A Qualtrics ImportId from the third header row, e.g. QID12_3.")
    code: str | None = Field(
        default=None, description="A question code: a LimeSurvey heading such as B1[SQ001] or "
        "a Qualtrics short name such as Q1_1.")
    to: Text = Field(description="An answer key (question id, or id@perspective/id@timepoint), "
                     "a respondent field id, respondent_id, submitted_at, or ignore.")

    @field_validator("regex")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        from leadlens.questionset.regexes import regex_error

        error = None if value is None else regex_error(value)
        if error is not None:
            raise PydanticCustomError(
                Code.IMPORT_BAD_REGEX, "invalid regular expression: {error}", {"error": error})
        return value

    @field_validator("to")
    @classmethod
    def _expands(cls, value: str, info: ValidationInfo) -> str:
        pattern = info.data.get("regex")
        if pattern is not None and "\\" in value:
            from leadlens.questionset.regexes import template_error

            error = template_error(pattern, value)
            if error is not None:
                raise PydanticCustomError(Code.IMPORT_BAD_TEMPLATE, "{error}", {"error": error})
        return value

    @model_validator(mode="after")
    def _one_matcher(self) -> ColumnRule:
        given = [m for m in (self.header, self.regex, self.import_id, self.code) if m is not None]
        if len(given) != 1:
            raise PydanticCustomError(
                Code.IMPORT_ONE_MATCHER, "give exactly one of header, regex, import_id or code")
        return self


class ImportSettings(Model):
    """How to read survey-platform exports (the ``import`` section, or a ``--mapping`` file)."""

    platform: Platform | None = Field(
        default=None, description="Read files as this platform's export instead of detecting it.")
    columns: list[ColumnRule] = Field(
        default_factory=list, description="Columns that cannot be matched by their text.")
    answers: dict[str, dict[str, int | str]] = Field(
        default_factory=dict, description="By scale id: platform answer codes or labels and the "
        "option value (or unscored label) each stands for.")


class Question(Model):
    id: QuestionId
    text: Text
    type: Literal["rating", "text"] = "rating"
    help: str = ""
    principle: str | None = None
    scale: str | None = None
    reverse: bool = False
    weight: float = Field(default=1.0, gt=0, le=MAX_WEIGHT, allow_inf_nan=False)
    required: bool = False
    section: str | None = None
    perspectives: list[str] = Field(default_factory=list)
    timepoints: list[str] = Field(default_factory=list)
    replaces: Slug | None = Field(
        default=None, description="The id this question had in earlier versions of the set: "
        "leadlens compare matches it with that question, its wording judged comparable.")
    comparable_with: list[Text] = Field(
        default_factory=list, description="Question-set versions whose answers to this "
        "question (or the one it replaces) may be compared with this version's, though its "
        "wording, scale or principle changed.")
    recommendations: dict[str, Text] = Field(
        default_factory=dict,
        description="For a rated question outside the principles (e.g. a maturity question): "
                    "what to do next, keyed by the option value the room stands at now "
                    "(YAML keys 0, 1, ... are read as text).")

    @field_validator("recommendations", mode="before")
    @classmethod
    def _option_keys_as_text(cls, value: object) -> object:
        # YAML read without leadlens' loader (yaml.safe_load) gives 0: as a number.
        if isinstance(value, dict):
            return {str(k) if isinstance(k, int) and not isinstance(k, bool) else k: v
                    for k, v in value.items()}
        return value

    @property
    def scored(self) -> bool:
        """Whether the question counts towards a principle score."""
        return self.type == "rating" and self.principle is not None

    @property
    def answer_weight(self) -> float:
        """The weight of each of its answers within its principle.

        A two-hat question is answered once per perspective, but it is one question: its
        weight is shared between its answers, so it counts as much as a one-hat question.
        """
        return self.weight / max(1, len(self.perspectives))

    @property
    def answer_keys(self) -> list[str]:
        """Answer columns: ``id``, or ``id@perspective`` / ``id@timepoint`` for each variant."""
        variants = self.perspectives or self.timepoints
        if not variants:
            return [self.id]
        return [f"{self.id}@{v}" for v in variants]


@dataclass(frozen=True)
class Origin:
    """Where a question set was read from: its file's name and the position of each YAML
    node, for problems found only when the set is used (a mapping rule's regex that runs out
    of time on a header, a regex target that names no question)."""

    file: str
    smap: SourceMap


class QuestionSet(Model):
    schema_version: Literal[1]
    id: Slug
    title: Text
    version: Text
    description: str = ""
    introduction: str = Field(
        default="", description="Shown to each participant before the first question, with "
        "an explicit continue: the survey's purpose, who sees the results, anonymity, "
        "consent. Paragraphs are kept.")
    source: Source | None = None
    scales: dict[str, Scale]
    bands: list[Band] = Field(min_length=1)
    perspectives: list[Perspective] = Field(default_factory=list)
    timepoints: list[Timepoint] = Field(default_factory=list)
    principles: list[Principle] = Field(min_length=1)
    sections: list[Section] = Field(default_factory=list)
    respondent: list[RespondentField] = Field(default_factory=list)
    scoring: Scoring = Field(default_factory=Scoring)
    questions: list[Question] = Field(min_length=1)
    import_: ImportSettings | None = Field(
        default=None, alias="import",
        description="Reading survey-platform exports: column and answer-code mappings.")
    @cached_property
    def origin(self) -> Origin | None:
        """Where this set was read from, when it was read from YAML: not part of the data
        (neither dumped nor compared, as no cached value is); None for a set built in code or
        compiled."""
        return None

    def located(self, file: str, smap: SourceMap) -> QuestionSet:
        """This set, remembering that it was read from ``file`` (positions in ``smap``)."""
        self.__dict__["origin"] = Origin(file, smap)  # the cached value, set once on loading
        return self

    @model_validator(mode="after")
    def _references_resolve(self) -> QuestionSet:
        # checks.py reports these with locations first; this guards models built in code.
        principle_ids = {p.id for p in self.principles}
        for q in self.questions:
            if q.principle is not None and q.principle not in principle_ids:
                raise ValueError(f"question {q.id!r}: unknown principle {q.principle!r}")
            if q.type == "rating" and (q.scale is None or q.scale not in self.scales):
                raise ValueError(f"question {q.id!r}: a rating question with no scale"
                                 if q.scale is None else
                                 f"question {q.id!r}: unknown scale {q.scale!r}")
        return self

    # Lookups used everywhere; cached because models are frozen.
    @cached_property
    def principle_by_id(self) -> dict[str, Principle]:
        return {p.id: p for p in self.principles}

    @cached_property
    def question_by_id(self) -> dict[str, Question]:
        return {q.id: q for q in self.questions}

    @cached_property
    def section_by_id(self) -> dict[str, Section]:
        return {s.id: s for s in self.sections}

    @cached_property
    def band_by_id(self) -> dict[str, Band]:
        return {b.id: b for b in self.bands}

    def scale_of(self, question: Question) -> Scale | None:
        return self.scales[question.scale] if question.scale is not None else None

    def scored_questions(self, principle_id: str) -> list[Question]:
        return [q for q in self.questions if q.scored and q.principle == principle_id]

    def band_for(self, score: float) -> Band:
        """The band a 0-100 score falls in (bands ascend from 0).

        The one banding rule: every layer (scoring, reports, the survey's summary) bands
        through here. A score within :data:`BAND_TOLERANCE` of a band's start is in that band.
        """
        chosen = self.bands[0]
        for band in self.bands:
            if score + BAND_TOLERANCE >= band.from_:
                chosen = band
        return chosen

    def score_text(self, score: float | None, digits: int = 0) -> str:
        """A 0-100 score as shown everywhere (:func:`score_text` with this set's band cuts)."""
        return score_text(score, [b.from_ for b in self.bands], digits)

    def answer_keys(self) -> list[str]:
        """Every answer column, in survey order."""
        return [key for q in self.questions for key in q.answer_keys]

    def respondent_field_ids(self) -> list[str]:
        return [f.id for f in self.respondent]
