"""A survey session: one respondent, a fixed number, or a workshop loop.

For each respondent: ask (journaling every answer), append the row to the responses file,
then remove the journal; optionally show their principle scores; in a workshop clear the
screen before the next participant. The prompter, the clock and the id maker are injected.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

from leadlens.errors import Code, Problem, ResponsesError, UsageError
from leadlens.questionset.model import QuestionSet
from leadlens.survey.answers_file import FileAnswers
from leadlens.survey.flow import Prompter, Survey, Value, run_respondent
from leadlens.survey.journal import (
    Journal,
    SessionMark,
    check_folder,
    describe,
    read_journal,
    unfinished,
)
from leadlens.survey.summary import chart_lines, principle_scores
from leadlens.survey.writer import append_row, check_responses_file, saved_respondent_ids


class SessionPrompter(Prompter, Protocol):
    """A prompter that can also run a workshop: start screens, clearing, messages."""

    unicode: bool
    interactive: bool
    """A person at a terminal (who presses Enter after a summary), not a pipe or script."""

    def start(self, number: int, total: int | None) -> bool: ...

    def clear(self) -> None: ...

    def message(self, text: str) -> None: ...

    def summary(self, lines: list[str], *, wait: bool) -> None: ...


@dataclass
class SessionOptions:
    output: Path
    respondents: int | None = 1  # None = a workshop loop until "q"
    resume: bool = False
    summary: bool = False
    explicit: bool = False
    """``respondents`` was given (--respondents/--loop): a resumed session takes it instead
    of the count it was started with."""

    def __post_init__(self) -> None:
        if self.respondents is not None and self.respondents < 1:
            raise UsageError.about("respondents", f"{self.respondents}: must be 1 or more",
                                   code=Code.OPTION_NOT_POSITIVE)


@dataclass
class SessionResult:
    saved: int = 0
    journals_left: list[Path] = field(default_factory=list)


class SurveyInterrupted(Exception):
    """The respondent stopped part-way (Ctrl-C, end of input); their answers are journaled."""

    def __init__(self, journal: Path | None, saved: int, *, end_of_input: bool) -> None:
        super().__init__("survey interrupted")
        self.journal = journal
        self.saved = saved
        self.end_of_input = end_of_input


def new_respondent_id() -> str:
    """A random id: identifies the row, not the person."""
    return uuid.uuid4().hex[:12]


def now_utc() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def make_row(respondent_id: str, submitted_at: str, answers: Mapping[str, Value],
             qs: QuestionSet) -> dict[str, str | None]:
    """A responses CSV row: ids, respondent fields and answer keys (raw values)."""
    row: dict[str, str | None] = {"respondent_id": respondent_id, "submitted_at": submitted_at}
    for key in [*qs.respondent_field_ids(), *qs.answer_keys()]:
        row[key] = answers.get(key)
    return row


def save_file_answers(qs: QuestionSet, checked: FileAnswers, output: Path, *,
                      clock: Callable[[], str] = now_utc,
                      new_id: Callable[[], str] = new_respondent_id) -> str:
    """Append a checked answers file as one row; return the respondent id used."""
    respondent_id = checked.respondent_id or new_id()
    append_row(output, qs, make_row(respondent_id, clock(),
                                    {**checked.fields, **checked.answers}, qs))
    return respondent_id


@runtime_checkable
class Facilitated(Protocol):
    """A prompter with a facilitator: set up before anyone answers, and asked to choose."""

    def begin(self, notes: list[str]) -> None:
        """The facilitator's own screen before the first participant (notes, a PIN)."""

    def choose_journal(self, journals: list[str]) -> int:
        """Which unfinished respondent to continue (an index into ``journals``)."""

    def introduction(self, title: str, text: str) -> None:
        """The question set's introduction, until the participant chooses to continue."""


def run_session(qs: QuestionSet, prompter: SessionPrompter, options: SessionOptions, *,
                clock: Callable[[], str] = now_utc,
                new_id: Callable[[], str] = new_respondent_id) -> SessionResult:
    """Run respondents until the count is reached or the facilitator finishes the loop.

    With ``resume``, the interrupted session carries on where it stopped: the journal's
    respondent first (the facilitator chooses when there are several), then the rest of
    that session (its count, or its loop), unless ``options.respondents`` is given
    explicitly. After every saved or abandoned participant the screen and the scrollback
    are cleared (at a terminal), in every mode.

    Raises :class:`SurveyInterrupted` when a respondent stops part-way (their journal is
    kept for ``--resume``) and :class:`ResponsesError` when the responses file cannot take
    the rows (then the journal is kept too).
    """
    output, total = options.output, options.respondents
    check_responses_file(output, qs)
    check_folder(output)
    facilitated = prompter if isinstance(prompter, Facilitated) else None
    result = SessionResult()
    notes: list[str] = []
    resumed: Journal | None = None
    waiting = unfinished(output)
    if options.resume:
        if waiting:
            notes += _drop_saved(output, qs, waiting)
            waiting = unfinished(output)
        if not waiting and notes:
            raise ResponsesError([Problem(file=str(output), message="nothing to resume: "
                                          "the unfinished respondent had already been saved "
                                          "(a crash came after saving their answers); its "
                                          "journal is removed, so nobody is saved twice",
                                          code=Code.SURVEY_NOTHING_TO_RESUME)])
        if not waiting:
            raise ResponsesError([Problem(file=str(output), message="nothing to resume: "
                                          "no unfinished respondent beside this file",
                                          code=Code.SURVEY_NOTHING_TO_RESUME)])
        chosen = 0
        if len(waiting) > 1 and facilitated is not None:
            try:
                chosen = facilitated.choose_journal([describe(p) for p in waiting])
            except (KeyboardInterrupt, EOFError) as exc:
                raise SurveyInterrupted(None, 0, end_of_input=isinstance(exc, EOFError)) \
                    from None
        resumed = Journal.resume(output, qs, waiting[chosen])
        if resumed is None:  # taken by another survey meanwhile
            raise ResponsesError([Problem(file=str(waiting[chosen]), message="another survey "
                                          "is continuing this respondent",
                                          code=Code.SURVEY_NOTHING_TO_RESUME)])
        mark = resumed.session
        notes.append(f"Continuing {describe(resumed.path)}.")
        if not options.explicit:
            total = mark.respondents
        first_number = mark.number
        summary = options.summary or mark.summary
        others = [p for p in waiting if p != resumed.path]
        if others:
            notes.append(f"{len(others)} other unfinished respondent(s) beside {output}: "
                         + "; ".join(describe(p) for p in others)
                         + ". Run --resume again afterwards to continue them.")
    else:
        first_number, summary = 1, options.summary
        if waiting:
            notes.append(f"Note: {len(waiting)} unfinished respondent(s) beside {output}; "
                         "`leadlens survey --resume` continues them.")
    if facilitated is not None:
        try:
            facilitated.begin(notes)
        except (KeyboardInterrupt, EOFError) as exc:
            if resumed is not None:
                resumed.close()
            raise SurveyInterrupted(None, 0, end_of_input=isinstance(exc, EOFError)) from None
    else:
        for note in notes:
            prompter.message(note)
    workshop = total is None or total > 1
    private = prompter.interactive  # a person at a terminal: clear after each of them
    number = first_number - 1
    while total is None or number < total:
        number += 1
        banner = f"Respondent {number}" + (f" of {total}" if total else "") if workshop else ""
        journal: Journal | None = None
        if resumed is not None:
            journal, resumed = resumed, None
            respondent_id, answers = journal.respondent_id or new_id(), dict(journal.answers)
        else:
            if workshop and not prompter.start(number, total):
                break
            respondent_id, answers = new_id(), {}
            if qs.introduction and facilitated is not None:
                try:
                    facilitated.introduction(qs.title, qs.introduction)
                except (KeyboardInterrupt, EOFError) as exc:
                    raise SurveyInterrupted(None, result.saved,
                                            end_of_input=isinstance(exc, EOFError)) from None
        holder = [journal]
        mark = SessionMark(respondents=total, number=number, summary=summary)

        def record(key: str, value: Value, rid: str = respondent_id,
                   holder: list[Journal | None] = holder, mark: SessionMark = mark) -> None:
            current = holder[0]
            if current is None:
                current = holder[0] = Journal.create(output, qs, rid, mark)
            current.record(key, value)  # on disk before the next screen

        survey = Survey(qs, answers=answers, banner=banner)
        try:
            final = run_respondent(survey, prompter, record)
        except (KeyboardInterrupt, EOFError) as exc:
            path = _keep(holder[0])
            if private or workshop:
                prompter.clear()  # the abandoned participant's screens go too
            raise SurveyInterrupted(path, result.saved,
                                    end_of_input=isinstance(exc, EOFError)) from None
        except ResponsesError:
            _keep(holder[0])  # e.g. a full disk: every answer journaled so far is whole
            raise
        try:
            append_row(output, qs, make_row(respondent_id, clock(), final, qs))
        except BaseException:
            _keep(holder[0])  # the row is not saved: the journal stays for --resume
            raise
        if holder[0] is not None:
            holder[0].remove()
        result.saved += 1
        try:
            if summary:
                # A summary is private: at a terminal the respondent reads it and presses
                # Enter; through a pipe or script it is just printed.
                lines = chart_lines(principle_scores(qs, final), unicode=prompter.unicode)
                prompter.summary(lines, wait=workshop or private)
        except (KeyboardInterrupt, EOFError) as exc:
            if private or workshop:
                prompter.clear()  # never leave one participant's scores for the next
            raise SurveyInterrupted(None, result.saved,
                                    end_of_input=isinstance(exc, EOFError)) from None
        if private or workshop:
            prompter.clear()
        prompter.message(f"Saved respondent {number} to {output}.")
    result.journals_left = unfinished(output)
    return result


def _drop_saved(output: Path, qs: QuestionSet, journals: list[Path]) -> list[str]:
    """Remove each journal whose respondent is already in the responses file (the process
    died between appending the row and removing the journal); a note for each."""
    saved = saved_respondent_ids(output)
    notes: list[str] = []
    for path in journals:
        try:
            header, _ = read_journal(path)
        except (OSError, ValueError, ResponsesError):
            continue  # Journal.resume reports a damaged journal
        rid = header.get("respondent_id")
        if not isinstance(rid, str) or rid not in saved:
            continue
        journal = Journal.resume(output, qs, path)
        if journal is None:  # another survey holds it
            continue
        journal.remove()
        notes.append(f"Respondent {rid} was already saved to {output} (the survey stopped "
                     "before removing their journal); the journal is removed, not saved "
                     "again.")
    return notes


def _keep(journal: Journal | None) -> Path | None:
    """Close ``journal`` for a later --resume; one without any answer is removed."""
    if journal is None:
        return None
    if not journal.answers:
        journal.remove()
        return None
    journal.close()
    return journal.path
