"""``leadlens survey --choices FIELD=FILE``: a fixed pick list for a respondent field.

In a workshop, a text field such as "Which organisation do you work for?" splits the room
into spelling variants ("NHS Northbridge", "Northbridge Hospitals", ...), and every variant
becomes its own group, most of them too small to show. Giving the organisations in the room
as a list turns the field into a choice for this survey only: the responses file keeps the
same columns, and the question set on disk is not changed.

The file has one choice per line (UTF-8); blank lines and lines starting with ``#`` are
ignored. A choice listed twice (ignoring case and spaces) is an error, as in a question set.
"""

from __future__ import annotations

from pathlib import Path

from leadlens.errors import Code, LeadlensError, Problem
from leadlens.files import read_input
from leadlens.questionset.model import QuestionSet

MAX_CHOICES = 200
MAX_BYTES = 256 * 1024


class ChoicesError(LeadlensError):
    """A --choices file cannot be used."""


def read_choices(path: Path) -> list[str]:
    """The choices in ``path``, in file order; every problem at once."""
    raw = read_input(path, "choices file", limit=MAX_BYTES, error=ChoicesError)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ChoicesError([Problem(file=str(path), message=f"not UTF-8 text (byte "
                                    f"{exc.start})", hint="Save it as UTF-8",
                                    code=Code.FILE_NOT_UTF8)]) from None
    problems: list[Problem] = []
    choices: list[str] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        choice = " ".join(line.split())
        if not choice or choice.startswith("#"):
            continue
        if not choice.isprintable():
            problems.append(Problem(file=str(path), line=number,
                                    message="contains control characters",
                                    code=Code.SURVEY_CHOICE_NOT_PRINTABLE))
            continue
        key = choice.casefold()
        if key in seen:
            problems.append(Problem(file=str(path), line=number,
                                    message=f"{choice!r} is listed twice",
                                    hint=f"First on line {seen[key]}",
                                    code=Code.SURVEY_CHOICE_TWICE))
            continue
        seen[key] = number
        choices.append(choice)
    if not choices and not problems:
        problems.append(Problem(file=str(path), message="no choices: give one per line",
                                code=Code.SURVEY_NO_CHOICES))
    if len(choices) > MAX_CHOICES:
        problems.append(Problem(file=str(path), message=f"{len(choices)} choices; at most "
                                f"{MAX_CHOICES} can be offered",
                                code=Code.SURVEY_TOO_MANY_CHOICES))
    if problems:
        raise ChoicesError(problems)
    return choices


def with_choices(question_set: QuestionSet, field_id: str, choices: list[str]) -> QuestionSet:
    """The question set with respondent field ``field_id`` asked as a choice of ``choices``.

    Raises:
        KeyError: ``field_id`` is not a respondent field (the CLI reports it as usage).
    """
    fields = {f.id: f for f in question_set.respondent}
    if field_id not in fields:
        raise KeyError(field_id)
    changed = [f.model_copy(update={"type": "choice", "choices": list(choices)})
               if f.id == field_id else f for f in question_set.respondent]
    return question_set.model_copy(update={"respondent": changed})
