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
from typing import Protocol

from leadlens.errors import Code, Problem, ResponsesError, UsageError
from leadlens.questionset.model import QuestionSet
from leadlens.survey.answers_file import FileAnswers
from leadlens.survey.flow import Prompter, Survey, Value, run_respondent
from leadlens.survey.journal import Journal, check_folder, unfinished
from leadlens.survey.summary import chart_lines, principle_scores
from leadlens.survey.writer import append_row, check_responses_file


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


def run_session(qs: QuestionSet, prompter: SessionPrompter, options: SessionOptions, *,
                clock: Callable[[], str] = now_utc,
                new_id: Callable[[], str] = new_respondent_id) -> SessionResult:
    """Run respondents until the count is reached or the facilitator finishes the loop.

    Raises :class:`SurveyInterrupted` when a respondent stops part-way (their journal is
    kept for ``--resume``) and :class:`ResponsesError` when the responses file cannot take
    the rows (then the journal is kept too).
    """
    output, total = options.output, options.respondents
    check_responses_file(output, qs)
    check_folder(output)
    workshop = total is None or total > 1
    # A summary is private: at a terminal the respondent reads it, presses Enter and it is
    # cleared (screen and scrollback); in a workshop that also readies the next participant.
    # Through a pipe or script it is just printed.
    hide_summary = options.summary and prompter.interactive
    result = SessionResult()
    note = ""
    if not options.resume:
        waiting = unfinished(output)
        if waiting:  # shown on the first screen, where a terminal prompter keeps it visible
            note = (f"Note: {len(waiting)} unfinished respondent(s) beside {output}; "
                    "`leadlens survey --resume` continues them.")
    while total is None or result.saved < total:
        number = result.saved + 1
        banner = f"Respondent {number}" + (f" of {total}" if total else "") if workshop else ""
        journal: Journal | None = None
        if options.resume and result.saved == 0:
            journal = Journal.resume(output, qs)
            if journal is None:
                raise ResponsesError([Problem(file=str(output), message="nothing to resume: "
                                              "no unfinished respondent beside this file",
                                              code=Code.SURVEY_NOTHING_TO_RESUME)])
            respondent_id, answers = journal.respondent_id or new_id(), dict(journal.answers)
        else:
            if workshop and not prompter.start(number, total):
                break
            respondent_id, answers = new_id(), {}
        holder = [journal]

        def record(key: str, value: Value, rid: str = respondent_id,
                   holder: list[Journal | None] = holder) -> None:
            current = holder[0]
            if current is None:
                current = holder[0] = Journal.create(output, qs, rid)
            current.record(key, value)  # on disk before the next screen

        survey = Survey(qs, answers=answers, banner=banner)
        survey.notice, note = note, ""
        try:
            final = run_respondent(survey, prompter, record)
        except (KeyboardInterrupt, EOFError) as exc:
            path = _keep(holder[0])
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
            if options.summary:
                lines = chart_lines(principle_scores(qs, final), unicode=prompter.unicode)
                prompter.summary(lines, wait=workshop or hide_summary)
        except (KeyboardInterrupt, EOFError) as exc:
            if workshop or hide_summary:
                prompter.clear()  # never leave one participant's scores for the next
            raise SurveyInterrupted(None, result.saved,
                                    end_of_input=isinstance(exc, EOFError)) from None
        if workshop or hide_summary:
            prompter.clear()
        prompter.message(f"Saved respondent {number} to {output}.")
    return result


def _keep(journal: Journal | None) -> Path | None:
    """Close ``journal`` for a later --resume; one without any answer is removed."""
    if journal is None:
        return None
    if not journal.answers:
        journal.remove()
        return None
    journal.close()
    return journal.path
