"""``leadlens.score``: responses (files or DataFrames) and a question set in, results out.

One function behind both the Python API and ``leadlens score``, so a notebook and the
command line refuse the same options in the same words (:class:`~leadlens.errors.UsageError`)
and give the same results for the same answers.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

from leadlens.errors import Code, UsageError
from leadlens.files import STDIN

if TYPE_CHECKING:
    from leadlens.questionset.model import QuestionSet
    from leadlens.report.writers import ScoreOutput
    from leadlens.responses.exports import ImportOptions
    from leadlens.responses.table import Responses
    from leadlens.results.document import Results
    from leadlens.workshop.published import PackGuard

ON_INVALID = ("error", "missing")
"""What ``on_invalid`` may be: stop on an answer not on its scale, or count it as missing."""

PathLike: TypeAlias = "str | os.PathLike[str]"
Data: TypeAlias = Any
"""A path, a list of paths, a polars (or pandas, PyArrow, ...) DataFrame, or a list of them."""


def generated_at() -> dt.datetime | None:
    """``SOURCE_DATE_EPOCH`` as a time stamp, when set (reproducible builds' convention: a
    fixed time makes the document byte-identical); None means now."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    return None


def score(data: Data, question_set: str | os.PathLike[str] | QuestionSet | None = None,
          by: str | Sequence[str] = (), *, min_group_size: int | None = None,
          on_invalid: Literal["error", "missing"] = "error", strict: bool = False,
          allow_missing_questions: bool = False, mapping: str | os.PathLike[str] | None = None,
          encoding: str | None = None, delimiter: str | None = None,
          keep_unfinished: bool = False, sheet: str | None = None) -> Results:
    """Score responses as ``leadlens score`` does, and return the results document.

    Args:
        data: a responses file (CSV, survey-platform export, .xlsx, Parquet) or a list of
            them, or a DataFrame (polars, pandas, or anything narwhals reads or with the Arrow
            PyCapsule interface) with the responses CSV's columns, or a list of DataFrames.
        question_set: a question-set file, a bundled id, or a loaded
            :class:`~leadlens.questionset.model.QuestionSet` (default: the bundled
            ``ggi-systems-leadership``).
        by: respondent field(s) to break the results down by (``--by``).
        min_group_size: raise the set's anonymity threshold (``--min-group-size``).
        on_invalid: ``"missing"`` counts answers not on their scale as missing, with a
            warning (``--on-invalid``).
        strict: treat warnings about the responses as errors (``--strict``).
        allow_missing_questions: score even when a question has no column; its answers
            count as missing (``--allow-missing-questions``).
        mapping, encoding, delimiter: how to read survey-platform export files
            (``--mapping``, ``--encoding``, ``--delimiter``); not for DataFrames.
        keep_unfinished: score Qualtrics responses marked ``Finished`` False
            (``--keep-unfinished``); by default they are left out with a warning.
        sheet: the worksheet to read in a workbook (``--sheet``); by default the first, or
            the first whose header has question columns.

    Returns:
        The results document (:class:`~leadlens.results.document.Results`); its ``warnings``
        are the lines the command line prints on stderr.

    Raises:
        UsageError: an option the command line would refuse with exit code 2 (its
            ``option`` names the argument).
        LeadlensError: bad data, with located problems (file or DataFrame, line or row,
            column), as the command line prints them before exit code 1.
    """
    from leadlens.questionset.loading import load_question_set
    from leadlens.questionset.model import QuestionSet

    qs = (question_set if isinstance(question_set, QuestionSet)
          else load_question_set(question_set if question_set is None
                                 or isinstance(question_set, str) else Path(question_set)))
    from leadlens.workshop.records import workshop_guard

    guard = workshop_guard(qs, data, min_group_size)
    output = score_output(data, qs, by, min_group_size=min_group_size,
                          on_invalid=on_invalid, strict=strict,
                          allow_missing_questions=allow_missing_questions, mapping=mapping,
                          encoding=encoding, delimiter=delimiter,
                          keep_unfinished=keep_unfinished, sheet=sheet,
                          hold_back=guard.responses if guard else None)
    if guard is not None:
        hold_back_shown(output, guard)
    return output.results


def hold_back_shown(output: ScoreOutput, guard: PackGuard,
                    aliases: Mapping[str, Mapping[str, str]] | None = None) -> list[str]:
    """``output``'s results with the figures ``guard`` holds back marked so, and its ``--by``
    groups checked against what the workshop showed; one line per figure held back."""
    from leadlens.workshop.packcells import check_pack_groups

    checked, held = check_pack_groups(guard, guard.results(output.scored.results),
                                      output.responses, output.scored.respondents, aliases)
    output.scored.results = checked
    return held


def score_output(data: Data, question_set: str | os.PathLike[str] | QuestionSet | None = None,
                 by: str | Sequence[str] = (), *, min_group_size: int | None = None,
                 on_invalid: str = "error", strict: bool = False,
                 allow_missing_questions: bool = False,
                 mapping: str | os.PathLike[str] | None = None, encoding: str | None = None,
                 delimiter: str | None = None, keep_unfinished: bool = False,
                 sheet: str | None = None,
                 withhold_comments: Collection[str] = (),
                 group_aliases: Mapping[str, Mapping[str, str]] | None = None,
                 respondent_fields: str = "all",
                 hold_back: Callable[[Responses], Responses] | None = None) -> ScoreOutput:
    """:func:`score`, keeping what the writers need besides the results (each respondent's
    scores, for ``-o scores.csv``). The command line's ``score`` calls this.

    ``withhold_comments``: comment ids (``leadlens score --list-comments``) left out of every
    output; ``group_aliases``: per respondent field, spelling -> the group it counts as;
    ``respondent_fields``: what scores.csv carries (``all``, ``none`` or ``large``);
    ``hold_back``: answers to leave out before scoring (``score --agreed``: what a
    workshop's screen showed with a slightly different set of answers, see
    :class:`leadlens.workshop.published.PackGuard`).
    """
    from leadlens.report.writers import SCORES_FIELDS, ScoreOutput
    from leadlens.scoring import score as score_responses

    if respondent_fields not in SCORES_FIELDS:
        raise UsageError.about("scores_fields", f"{respondent_fields!r}: choose all, none or "
                               "large", code=Code.OPTION_UNKNOWN_CHOICE)
    fields = [by] if isinstance(by, str) else list(by)
    qs, responses = read_input(data, question_set, fields, min_group_size=min_group_size,
                               on_invalid=on_invalid, strict=strict,
                               allow_missing_questions=allow_missing_questions,
                               mapping=mapping, encoding=encoding, delimiter=delimiter,
                               keep_unfinished=keep_unfinished, sheet=sheet)
    if hold_back is not None:
        responses = hold_back(responses)
    scored = score_responses(qs, responses, by=fields, min_group_size=min_group_size,
                             generated_at=generated_at(), withhold_comments=withhold_comments,
                             group_aliases=typed_not_stated(fields, group_aliases))
    return ScoreOutput(scored, responses, respondent_fields=respondent_fields)


TYPED_NOT_STATED = '"(not stated)" (typed)'
"""How a group of respondents who *typed* "(not stated)" is shown."""


def typed_not_stated(fields: Sequence[str],
                     aliases: Mapping[str, Mapping[str, str]] | None
                     ) -> dict[str, dict[str, str]]:
    """``aliases`` with the typed text "(not stated)" kept apart from the blank answers.

    Respondents who left a field blank form the "(not stated)" group; someone who typed those
    very words is another group, and two rows with one label would read as one group listed
    twice (and, across waves, as a group that vanished). The typed one is shown as
    :data:`TYPED_NOT_STATED`, also when a --group-aliases file names "(not stated)" as a
    group or a spelling.
    """
    from leadlens.scoring.groups import NOT_STATED, group_key

    blank = group_key(NOT_STATED)
    out: dict[str, dict[str, str]] = {}
    for field in {*fields, *(aliases or {})}:
        given = (aliases or {}).get(field, {})
        mine = {k: TYPED_NOT_STATED if group_key(v) == blank else v for k, v in given.items()}
        if not any(group_key(k) == blank for k in mine):
            mine[NOT_STATED] = TYPED_NOT_STATED
        out[field] = mine
    return out


def read_input(data: Data, question_set: str | os.PathLike[str] | QuestionSet | None,
               by: Sequence[str] = (), *, min_group_size: int | None = None,
               on_invalid: str = "error", strict: bool = False,
               allow_missing_questions: bool = False,
               mapping: str | os.PathLike[str] | None = None, encoding: str | None = None,
               delimiter: str | None = None, keep_unfinished: bool = False,
               sheet: str | None = None) -> tuple[QuestionSet, Responses]:
    """The question set and the responses :func:`score_output` scores, checked as it checks
    them (``score --list-comments`` stops here)."""
    from leadlens.questionset.loading import load_question_set
    from leadlens.questionset.model import QuestionSet
    from leadlens.responses.reading import read_responses
    from leadlens.scoring.options import check_score_options

    fields = [by] if isinstance(by, str) else list(by)
    if on_invalid not in ON_INVALID:
        raise UsageError.about("on_invalid", f"{on_invalid!r}: choose error or missing",
                               code=Code.OPTION_UNKNOWN_CHOICE)
    qs = (question_set if isinstance(question_set, QuestionSet)
          else load_question_set(None if question_set is None else _ref(question_set)))
    check_score_options(qs, by=fields, min_group_size=min_group_size)
    sources = _sources(data)
    if sum(isinstance(s, Path) and str(s) == STDIN for s in sources) > 1:
        raise UsageError.about("data", "'-' given twice: standard input can be read only "
                               "once", code=Code.OPTION_STDIN_TWICE)
    frames = [s for s in sources if not isinstance(s, Path)]
    if frames and (mapping is not None or encoding is not None or delimiter is not None):
        given = "mapping" if mapping is not None else "encoding" if encoding is not None \
            else "delimiter"
        raise UsageError.about(given, "reads export files, not DataFrames: rename a "
                               "DataFrame's columns to the question ids instead",
                               code=Code.OPTION_FILES_ONLY)
    options = import_options(mapping, encoding, delimiter, qs,
                             keep_unfinished=keep_unfinished, sheet=sheet)
    from leadlens.responses.frames import frame_cells

    tables = [s if isinstance(s, Path) else frame_cells(s) for s in sources]
    responses = read_responses(tables, qs, on_invalid="missing" if on_invalid == "missing"
                               else "error", strict=strict, import_options=options,
                               allow_missing_questions=allow_missing_questions)
    return qs, responses


DELIMITER_NAMES = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}


def parse_delimiter(value: str | None) -> str | None:
    """``tab``, ``\\t``, ``comma``, ``semicolon``, ``pipe`` or one character; None if not given.

    Raises:
        UsageError: anything else (option ``delimiter``).
    """
    if value is None:
        return None
    delimiter = DELIMITER_NAMES.get(value.lower(), value)
    if len(delimiter) != 1 or delimiter in "\"\r\n":
        raise UsageError.about("delimiter", f"must be one character or 'tab', not {value!r}",
                               code=Code.OPTION_BAD_DELIMITER)
    return delimiter


def import_options(mapping: str | os.PathLike[str] | None, encoding: str | None,
                   delimiter: str | None, question_set: QuestionSet | None = None, *,
                   keep_unfinished: bool = False, sheet: str | None = None) -> ImportOptions:
    """How to read export files: the options ``score`` and ``inspect`` take; a mapping
    file's rules are checked against ``question_set`` when it is given."""
    from leadlens.responses.exports import ImportOptions, load_mapping

    return ImportOptions(encoding=encoding, delimiter=parse_delimiter(delimiter),
                         keep_unfinished=keep_unfinished, sheet=sheet,
                         mapping=load_mapping(Path(mapping), question_set)
                         if mapping is not None else None)


def _ref(question_set: str | os.PathLike[str]) -> str | Path:
    return question_set if isinstance(question_set, str) else Path(question_set)


def _sources(data: Data) -> list[Path | Any]:
    """Each responses source as a path or a DataFrame."""
    from leadlens.responses.frames import is_frame

    if isinstance(data, str | os.PathLike) or is_frame(data):
        items = [data]
    elif isinstance(data, Iterable):
        items = list(data)
    else:
        raise UsageError.about("data", f"{type(data).__name__}: not a file path or a "
                               "DataFrame", code=Code.OPTION_NOT_DATA)
    if not items:
        raise UsageError.about("data", "no responses given: a file, a DataFrame, or a list "
                               "of them", code=Code.OPTION_NOT_DATA)
    sources: list[Path | Any] = []
    for item in items:
        if isinstance(item, str | os.PathLike):
            sources.append(Path(item))
        elif is_frame(item):
            sources.append(item)
        else:
            raise UsageError.about("data", f"{type(item).__name__}: not a file path or a "
                                   "DataFrame", code=Code.OPTION_NOT_DATA)
    return sources
