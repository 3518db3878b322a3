"""One respondent's way through a survey, as a pure state machine.

:class:`Survey` knows the steps (respondent fields, then every answer key of every question
in file order), where the respondent is, and what they have answered. It does no I/O: a
:class:`Prompter` shows each :class:`Screen` and returns a reply, and :func:`run_respondent`
drives the two together, handing each answer to a ``record`` callback (the journal) the
moment it is given.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol

from leadlens.questionset.model import Question, QuestionSet, RespondentField, Scale
from leadlens.text import one_line

Value = str | None
"""A recorded answer: the CSV cell text, or None when the respondent skipped it."""


_REFUSED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""What a typed answer may not hold: control characters (NUL, ESC, BEL, ..., DEL, C1; tab and
line breaks are fine) and bidirectional overrides, which could reorder what a line shows.
The CSV could not keep them faithfully (NUL) or a report would have to drop them."""


def refused_characters(text: str) -> str:
    """The first character ``text`` may not hold, named for the person typing it ("" if
    none): e.g. "a control character (U+0000, NUL)"."""
    found = _REFUSED.search(text)
    if found is None:
        return ""
    char = found.group()
    names = {"\x00": "NUL", "\x1b": "ESC", "\x07": "BEL", "\x08": "backspace",
             "\x7f": "DEL"}
    name = names.get(char) or unicodedata.name(char, "")
    kind = ("a text-direction override" if "\u202a" <= char <= "\u202e"
            or "\u2066" <= char <= "\u2069" else "a control character")
    return f"{kind} (U+{ord(char):04X}" + (f", {name})" if name else ")")


@dataclass(frozen=True)
class Choice:
    """One option on a pick list: the key to type, what it says, and what is stored."""

    key: str
    label: str
    value: str
    scored: bool = True


@dataclass(frozen=True)
class Variant:
    """Which hat (perspective) or which timepoint an answer key is asked under."""

    kind: Literal["perspective", "timepoint"]
    id: str
    label: str
    description: str
    index: int  # 1-based position within the question's pair (or group)
    count: int


@dataclass(frozen=True)
class SectionInfo:
    """The heading a step sits under: a section of the set, or a principle."""

    id: str
    title: str
    description: str


@dataclass(frozen=True)
class Step:
    """One thing to ask: a respondent field or one answer key of a question."""

    key: str
    kind: Literal["field", "question"]
    question_id: str
    text: str
    help: str
    choices: tuple[Choice, ...]
    required: bool
    number: int  # k in "question k of n" (or "k of n" among the fields)
    total: int
    section: SectionInfo | None
    variant: Variant | None = None

    @property
    def free_text(self) -> bool:
        return not self.choices

    def describe(self, value: Value) -> str:
        """How an answer to this step reads on the review screen."""
        if value is None:
            return "(skipped)"
        for choice in self.choices:
            if choice.value == value:
                return f"{choice.key}  {choice.label}" if choice.scored else choice.label
        return value


@dataclass(frozen=True)
class Screen:
    """Everything a prompter needs to ask one step."""

    step: Step
    current: Value  # the answer given before (shown and changeable after "back")
    answered: bool  # whether the step has a record (an answer or a skip)
    can_back: bool
    can_skip: bool
    position: int  # index of the step among all steps
    steps: int
    partners: tuple[tuple[Variant, str], ...] = ()  # the pair's other answers, described
    notice: str = ""
    banner: str = ""


@dataclass(frozen=True)
class ReviewItem:
    key: str
    label: str
    """The statement and its hat or timepoint, whole (:func:`review_label`)."""
    answer: str
    missing_required: bool = False
    text: str = ""
    """The statement alone (one line)."""
    variant: str = ""
    """Its hat or timepoint (``System hat``, ``In 12 months``); empty for other steps."""


@dataclass(frozen=True)
class ReviewScreen:
    items: tuple[ReviewItem, ...]
    notice: str = ""
    banner: str = ""


@dataclass(frozen=True)
class Answer:
    value: str


@dataclass(frozen=True)
class Skip:
    pass


@dataclass(frozen=True)
class Back:
    pass


@dataclass(frozen=True)
class Change:
    key: str


@dataclass(frozen=True)
class Submit:
    pass


Reply = Answer | Skip | Back
ReviewReply = Change | Submit


class Prompter(Protocol):
    """Shows screens and returns the respondent's replies (terminal, plain lines or a script)."""

    def ask(self, screen: Screen) -> Reply: ...

    def review(self, screen: ReviewScreen) -> ReviewReply: ...


# ----------------------------------------------------------------------------- steps

_RESERVED_KEYS = set("bsq")  # back, skip, quit in the prompters


def scale_choices(scale: Scale) -> tuple[Choice, ...]:
    """Pick-list choices for a scale: its options, then its unscored answers.

    Options are typed by their value when every value is a single digit (so the key pressed
    is the number stored), otherwise by position. Unscored answers get a letter, the first
    free one of their own label where possible.
    """
    values = [o.value for o in scale.options]
    by_value = all(0 <= v <= 9 for v in values)
    choices = [Choice(key=str(o.value) if by_value else str(i), label=o.label,
                      value=str(o.value)) for i, o in enumerate(scale.options, start=1)]
    used = {c.key for c in choices} | _RESERVED_KEYS
    for label in scale.unscored:
        letters = [c for c in label.lower() if c.isascii() and c.isalpha()]
        key = next((c for c in [*letters, *"xyzuvwrtpnmlkjhgfedca"] if c not in used), "")
        used.add(key)
        choices.append(Choice(key=key, label=label, value=label, scored=False))
    return tuple(choices)


def _field_choices(respondent_field: RespondentField) -> tuple[Choice, ...]:
    return tuple(Choice(key=str(i), label=c, value=c)
                 for i, c in enumerate(respondent_field.choices, start=1))


def section_of(qs: QuestionSet, question: Question) -> SectionInfo | None:
    if question.section is not None and question.section in qs.section_by_id:
        section = qs.section_by_id[question.section]
        return SectionInfo(id=f"section:{section.id}", title=section.title,
                           description=section.description)
    if question.principle is not None and question.principle in qs.principle_by_id:
        principle = qs.principle_by_id[question.principle]
        return SectionInfo(id=f"principle:{principle.id}", title=principle.name,
                           description=principle.description)
    return None


def variants_of(qs: QuestionSet, question: Question) -> list[Variant | None]:
    if question.perspectives:
        labels = {p.id: p for p in qs.perspectives}
        return [Variant("perspective", pid, labels[pid].label if pid in labels else pid,
                        labels[pid].description if pid in labels else "", i,
                        len(question.perspectives))
                for i, pid in enumerate(question.perspectives, start=1)]
    if question.timepoints:
        points = {t.id: t for t in qs.timepoints}
        return [Variant("timepoint", tid, points[tid].label if tid in points else tid,
                        points[tid].description if tid in points else "", i,
                        len(question.timepoints))
                for i, tid in enumerate(question.timepoints, start=1)]
    return [None]


def review_label(step: Step) -> str:
    """How a step is named on the review screen: its text and hat or timepoint
    (``We share a vision. (Now)``), never the internal answer key."""
    label = one_line(step.text)
    if step.variant is not None:
        label += f" ({one_line(step.variant.label)})"
    return label


ABOUT_YOU = SectionInfo(id="respondent", title="About you",
                        description="A few details used only to group the results.")


def build_steps(qs: QuestionSet) -> list[Step]:
    """Every step of the survey in order: respondent fields, then each question's answer keys."""
    steps: list[Step] = []
    fields = qs.respondent
    for i, rf in enumerate(fields, start=1):
        steps.append(Step(key=rf.id, kind="field", question_id=rf.id, text=rf.prompt,
                          help=rf.help, choices=_field_choices(rf) if rf.type == "choice" else (),
                          required=rf.required, number=i, total=len(fields), section=ABOUT_YOU))
    total = len(qs.questions)
    for number, question in enumerate(qs.questions, start=1):
        scale = qs.scale_of(question)
        choices = scale_choices(scale) if question.type == "rating" and scale else ()
        section = section_of(qs, question)
        for variant, key in zip(variants_of(qs, question), question.answer_keys, strict=True):
            steps.append(Step(key=key, kind="question", question_id=question.id,
                              text=question.text, help=question.help, choices=choices,
                              required=question.required, number=number, total=total,
                              section=section, variant=variant))
    return steps


# ----------------------------------------------------------------------------- state


@dataclass
class Survey:
    """Where one respondent is and what they have answered so far.

    ``answers`` maps each step key to its recorded value (None = skipped); a key that is
    absent has not been reached yet. ``position == len(steps)`` is the review screen.
    """

    qs: QuestionSet
    answers: dict[str, Value] = field(default_factory=dict)
    banner: str = ""

    def __post_init__(self) -> None:
        self.steps = build_steps(self.qs)
        self._index = {s.key: i for i, s in enumerate(self.steps)}
        self.answers = {k: v for k, v in self.answers.items() if k in self._index}
        self.position = self.next_unanswered()
        self.from_review = False
        self.notice = ""

    # -- queries
    def next_unanswered(self) -> int:
        """The first step with no record (the review screen when every step has one)."""
        return next((i for i, s in enumerate(self.steps) if s.key not in self.answers),
                    len(self.steps))

    @property
    def at_review(self) -> bool:
        return self.position >= len(self.steps)

    @property
    def step(self) -> Step:
        return self.steps[self.position]

    def screen(self) -> Screen:
        step = self.step
        partners = tuple(
            (s.variant, s.describe(self.answers[s.key]))
            for s in self.steps
            if s.question_id == step.question_id and s.kind == step.kind and s.key != step.key
            and s.variant is not None and s.key in self.answers)
        return Screen(step=step, current=self.answers.get(step.key),
                      answered=step.key in self.answers,
                      can_back=self.position > 0 or self.from_review,
                      can_skip=not step.required, position=self.position,
                      steps=len(self.steps), partners=partners, notice=self.notice,
                      banner=self.banner)

    def review_screen(self) -> ReviewScreen:
        items = []
        for step in self.steps:
            label = review_label(step)
            value = self.answers.get(step.key)
            items.append(ReviewItem(key=step.key, label=label, answer=step.describe(value),
                                    missing_required=step.required and not value,
                                    text=one_line(step.text),
                                    variant=one_line(step.variant.label)
                                    if step.variant is not None else ""))
        return ReviewScreen(items=tuple(items), notice=self.notice, banner=self.banner)

    def missing_required(self) -> list[Step]:
        return [s for s in self.steps if s.required and not self.answers.get(s.key)]

    # -- replies; each returns the (key, value) to journal, or None when nothing was recorded
    def reply(self, reply: Reply) -> tuple[str, Value] | None:
        """Apply a reply to the current step."""
        self.notice = ""
        step = self.step
        if isinstance(reply, Back):
            if self.from_review:
                self.from_review = False
                self.position = len(self.steps)
            elif self.position > 0:
                self.position -= 1
            else:
                self.notice = "This is the first question; there is nothing to go back to."
            return None
        if isinstance(reply, Skip):
            if step.required:
                self.notice = "This one needs an answer; it cannot be skipped."
                return None
            return self._record(step, None)
        value = reply.value.strip() if step.free_text else reply.value
        refused = refused_characters(value) if step.free_text else ""
        if refused:
            self.notice = (f"Your answer contains {refused}, which cannot be saved. Please "
                           "type it again without it.")
            return None
        if step.free_text and not value:
            if step.required:
                self.notice = "This one needs an answer."
                return None
            return self._record(step, None)
        if step.choices and value not in {c.value for c in step.choices}:
            self.notice = f"{value!r} is not one of the choices."
            return None
        return self._record(step, value)

    def _record(self, step: Step, value: Value) -> tuple[str, Value]:
        self.answers[step.key] = value
        if self.from_review:
            self.from_review = False
            self.position = len(self.steps)
        else:
            self.position += 1
        return step.key, value

    def review_reply(self, reply: ReviewReply) -> bool:
        """Apply a review reply; True when the respondent is finished."""
        self.notice = ""
        if isinstance(reply, Submit):
            missing = self.missing_required()
            if not missing:
                return True
            self.notice = "Please answer: " + ", ".join(s.key for s in missing)
            self.position = self._index[missing[0].key]
            return False
        if reply.key not in self._index:
            self.notice = f"There is no question {reply.key!r}."
            return False
        self.position = self._index[reply.key]
        self.from_review = True
        return False


def run_respondent(survey: Survey, prompter: Prompter,
                   record: Callable[[str, Value], None]) -> Mapping[str, Value]:
    """Ask until the respondent submits the review screen; return their answers.

    ``record`` is called with every answer the moment it is given, before the next
    screen, so an interruption at any point loses nothing already answered.
    """
    while True:
        if survey.at_review:
            if survey.review_reply(prompter.review(survey.review_screen())):
                return dict(survey.answers)
            continue
        recorded = survey.reply(prompter.ask(survey.screen()))
        if recorded is not None:
            record(*recorded)
