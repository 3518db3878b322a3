"""Reading responses into :class:`~leadlens.responses.table.Responses`, with located errors.

Two steps, so that other readers (platform exports) can reuse the second:

1. :func:`~leadlens.responses.cells.read_csv_cells` turns one CSV file into a
   :class:`~leadlens.responses.cells.CellTable`: header names, text cells and the physical line
   each row starts on (:mod:`leadlens.responses.cells`).
2. :func:`cells_to_responses` matches columns to answer keys and respondent fields and turns
   cells into answer codes, with located errors and warnings.

:func:`read_responses` does both for several files (platform exports through
:mod:`leadlens.responses.exports`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

from leadlens.errors import MAX_PROBLEMS, Code, Problem, ResponsesError, closest, did_you_mean
from leadlens.questionset.model import QuestionSet, Scale
from leadlens.responses.cells import (
    FAST_READ_BYTES,
    CellTable,
    Column,
    ColumnHint,
    check_text_file,
    read_csv_cells,
)
from leadlens.responses.layout import RESERVED_COLUMNS
from leadlens.responses.limits import RunBudget, capped_warnings
from leadlens.responses.numeric import numeric_hint
from leadlens.responses.problems import blank_rows
from leadlens.responses.stamps import read_stamps
from leadlens.responses.table import (
    BoolArray,
    FieldValues,
    IntArray,
    LinePart,
    Responses,
    TextAnswers,
    UInt8Array,
    concat,
    rated_keys,
    text_keys,
)

if TYPE_CHECKING:
    from leadlens.responses.exports import ImportOptions
    from leadlens.responses.exports.answers import AnswerIssue

__all__ = ["FAST_READ_BYTES", "MAX_PROBLEMS", "CellTable", "Column", "ColumnHint",
           "Conversion", "OnInvalid", "cells_to_responses", "column_hints", "read_csv_cells",
           "read_responses"]

OnInvalid = Literal["error", "missing"]
RESERVED = RESERVED_COLUMNS


# --- step 2: CellTable -> Responses -----------------------------------------------------------

@dataclass
class _Invalid:
    """Cells of one column holding one invalid label."""

    rows: IntArray
    position: int
    column: str
    issue: AnswerIssue


@dataclass
class Conversion:
    """What :func:`cells_to_responses` found: responses (with warnings) and errors."""

    responses: Responses
    errors: list[Problem]
    omitted: int = 0
    """Errors found beyond the :data:`MAX_PROBLEMS` listed."""
    table: CellTable | None = None
    """The table read (for locating respondents)."""
    rows: IntArray | None = None
    """The table row of each respondent kept (blank rows are dropped)."""


def column_hints(question_set: QuestionSet) -> Callable[[str], ColumnHint]:
    """Speed hints for :func:`read_csv_cells` from what each column should hold."""
    hints: dict[str, ColumnHint] = {"respondent_id": "id", "submitted_at": "id", "": "text"}
    for question in question_set.questions:
        scale = question_set.scale_of(question)
        for key in question.answer_keys:
            if question.type == "text" or scale is None:
                hints[key] = "text"
            else:
                missing = question_set.scoring.missing_values
                cells = (tuple(str(o.value) for o in scale.options) + tuple(scale.unscored)
                         + tuple(m for m in missing if m))
                # Whole numbers may be parsed as integers if no label reads as a number.
                hints[key] = numeric_hint(
                    [o.value for o in scale.options],
                    [*(t for o in scale.options for t in (o.label, *o.aliases)),
                     *scale.unscored, *missing], cells, list(scale.unscored))
    for respondent_field in question_set.respondent:
        hints[respondent_field.id] = "category"
    return lambda name: hints.get(name, "skip")


def cells_to_responses(table: CellTable, question_set: QuestionSet, *,
                       on_invalid: OnInvalid = "error",
                       allow_missing_questions: bool = False) -> Conversion:
    """Match a table's columns to the question set and turn cells into answer codes.

    The answer, field and free-text columns are taken out of ``table`` as they are
    converted (a national file's cells are not held twice); its ids stay.

    Errors (answers not on their scale, no responses, a header that looks like a question's
    but is not, a question without a column unless ``allow_missing_questions``) are located
    and in file order. Rows with no answer at all are dropped with a warning. Cells listed
    in the set's ``scoring.missing_values`` are blank.
    """
    source = table.source
    names = [h.strip() for h in table.header]
    position = {name: i for i, name in enumerate(names) if name}
    keys = rated_keys(question_set)
    texts = text_keys(question_set)
    field_ids = question_set.respondent_field_ids()
    column_errors, column_warnings, omitted = _check_columns(
        table, names, keys + texts, field_ids, allow_missing_questions=allow_missing_questions)
    warnings = list(table.warnings) + column_warnings
    n = table.rows
    _blank_missing(table, [position[k] for k in (*texts, *field_ids, "respondent_id")
                           if k in position], question_set.scoring.missing_values)

    codes: UInt8Array = np.zeros((n, len(keys)), dtype=np.uint8, order="F")
    invalid: list[_Invalid] = []
    for j, key in enumerate(keys):
        if key not in position:
            continue
        question = question_set.question_by_id[key.split("@", 1)[0]]
        scale_id = question.scale or ""
        # Taken out of the table: its codes are never held twice for the whole file.
        column = table.columns.pop(position[key])
        lookup, problems = _lookup(column.labels, scale_id, question_set.scales[scale_id],
                                   question_set.scoring.missing_values)
        target = codes[:, j]
        count = len(column.labels)
        if np.array_equal(lookup, np.append(np.arange(1, count + 1), 0)):
            # Labels already in answer-code order (an enum of the scale's answers): shift.
            np.add(column.codes, 1, out=target, casting="unsafe")
            target[target == count + 1] = 0
        else:
            # take into the column: fancy indexing through a narrow index is about twice
            # as slow, and makes a copy of the column first
            np.take(lookup, column.codes, out=target)
        if problems:
            is_bad = np.zeros(len(column.labels) + 1, dtype=bool)
            is_bad[list(problems)] = True
            rows = np.flatnonzero(is_bad[column.codes])
            cell_codes = column.codes[rows]
            for code, issue in problems.items():
                picked = rows[cell_codes == code]
                if picked.size:
                    invalid.append(_Invalid(picked, position[key], table.shown(position[key]),
                                            issue))
        del column, target
    fields = {f: (table.columns.pop(position[f]).field_values() if f in position
                  else FieldValues(np.full(n, -1, dtype=np.int32), [])) for f in field_ids}
    answers = {key: (_text_answers(table.columns.pop(position[key])) if key in position
                     else TextAnswers(np.zeros(0, dtype=np.int64), [])) for key in texts}
    ids = (table.columns[position["respondent_id"]].cells()
           if "respondent_id" in position else None)
    when = (table.columns[position["submitted_at"]].cells()
            if "submitted_at" in position else None)
    if when is not None:
        when, stamp_warnings = read_stamps(when, source, table.shown(position["submitted_at"]),
                                           table.header_line)
        warnings += stamp_warnings

    blank = _blank_rows(codes, fields, answers, ids)
    for bad in invalid:
        blank[bad.rows] = False
    errors: list[Problem] = list(column_errors)
    total_invalid = sum(bad.rows.size for bad in invalid)
    if invalid and on_invalid == "missing":
        per_column: dict[str, int] = {}
        for bad in invalid:
            per_column[bad.column] = per_column.get(bad.column, 0) + bad.rows.size
        warnings.append(Problem(
            file=source, severity="warning",
            message=f"{total_invalid} answer(s) not on their scale were treated as missing "
                    "(--on-invalid missing): "
                    + ", ".join(f"{c!r} {k}" for c, k in per_column.items()),
            code=Code.RESPONSES_INVALID_AS_MISSING))
    elif invalid:
        listed = _invalid_problems(table, invalid)
        errors += listed
        omitted += total_invalid - len(listed)
    if blank.any():
        warnings.append(blank_rows(source, int(blank.sum())))
    kept = np.flatnonzero(~blank)
    if kept.size == 0 and not errors:
        errors.append(Problem(file=source,
                              message="no responses: no row after the header has an answer",
                              code=Code.RESPONSES_NONE))
    responses = Responses(keys=keys, codes=codes, fields=fields, texts=answers,
                          respondent_ids=ids, sources=[source], warnings=warnings,
                          submitted=when)
    if blank.any():
        responses = _select(responses, kept)
    return Conversion(responses, errors, omitted, table, kept)


def _invalid_problems(table: CellTable, invalid: list[_Invalid]) -> list[Problem]:
    """The first :data:`MAX_PROBLEMS` invalid cells in file order, located."""
    rows = np.concatenate([bad.rows for bad in invalid])
    positions = np.concatenate([np.full(bad.rows.size, bad.position) for bad in invalid])
    which = np.concatenate([np.full(bad.rows.size, i) for i, bad in enumerate(invalid)])
    first = np.lexsort((positions, rows))[:MAX_PROBLEMS]
    lines = table.line_numbers()
    problems: list[Problem] = []
    for index in first.tolist():
        bad = invalid[int(which[index])]
        row = int(rows[index])
        problems.append(Problem(file=table.source,
                                line=int(lines[row]) if row < len(lines) else None,
                                column=bad.column, message=bad.issue.message,
                                hint=bad.issue.hint, code=bad.issue.code))
    return problems


MISSING_QUESTIONS_HINT = ("Add the column(s), or score without them (their answers count as "
                          "missing) with --allow-missing-questions "
                          "(allow_missing_questions=True in Python)")


def _check_columns(table: CellTable, names: list[str], keys: list[str], field_ids: list[str],
                   *, allow_missing_questions: bool
                   ) -> tuple[list[Problem], list[Problem], int]:
    """Errors and warnings about the header: unknown columns, missing questions and fields,
    and how many errors were left out of the list.

    A header that matches nothing but looks like a question or field the file lacks (R's and
    SPSS's ``wide.awake`` for ``wide_awake``, ``a1`` for ``A1``, a typo) is an error with the
    suggestion: left out, its answers would silently not count. A header that resembles
    nothing stays a warning. When many headers differ the same way (every ``-`` and ``@``
    written as ``.``), one line says so with the --mapping rules that fix them all, followed
    by the first few columns as located examples; the others are counted, not listed.
    """
    source = table.source
    errors: list[Problem] = []
    warnings: list[Problem] = []
    dotted: list[tuple[Problem, str, str]] = []
    known = set(keys) | set(field_ids) | set(RESERVED)
    present = set(names)
    wanted = [k for k in [*keys, *field_ids] if k not in present]
    for i, name in enumerate(names):
        if name and name not in known:
            alike = _looks_like(name, wanted)
            if alike is not None:
                similar = Problem(
                    file=source, line=table.header_line, column=table.shown(i),
                    message=f"not a column of the question set, but it looks like {alike!r}, "
                            "which has no column",
                    hint=f"Rename the column to {alike!r} (or map it in a --mapping file)",
                    code=Code.RESPONSES_SIMILAR_COLUMN)
                if _dots_for(name, alike) is not None:
                    dotted.append((similar, name, alike))
                else:
                    errors.append(similar)
                continue
            warnings.append(Problem(
                file=source, line=table.header_line, column=table.shown(i), severity="warning",
                message="not a question, respondent field, respondent_id or submitted_at; "
                        "ignored", hint=did_you_mean(name, known),
                code=Code.RESPONSES_UNKNOWN_COLUMN))
        elif not name and i in table.columns and any(
                label.strip() for label in table.columns[i].labels):
            warnings.append(Problem(file=source, line=table.header_line, severity="warning",
                                    message=f"column {i + 1} has no header; ignored",
                                    code=Code.RESPONSES_BLANK_HEADER))
    omitted = 0
    if len(dotted) >= DOTTED_SUMMARY_FROM:
        errors[:0] = [_dotted_summary(table, dotted),
                      *(similar for similar, _, _ in dotted[:DOTTED_EXAMPLES])]
        omitted = len(dotted) - DOTTED_EXAMPLES
    else:
        errors[:0] = [similar for similar, _, _ in dotted]
    absent = [k for k in keys if k not in present]
    if absent:
        shown = ", ".join(repr(k) for k in absent[:10]) + (
            f" and {len(absent) - 10} more" if len(absent) > 10 else "")
        if allow_missing_questions:
            warnings.append(Problem(
                file=source, severity="warning",
                message=f"{len(absent)} question column(s) missing, their answers count as "
                        f"missing: {shown}", code=Code.RESPONSES_MISSING_COLUMNS))
        else:
            errors.append(Problem(
                file=source, line=table.header_line,
                message=f"{len(absent)} question column(s) missing: {shown}",
                hint=MISSING_QUESTIONS_HINT, code=Code.RESPONSES_MISSING_QUESTIONS))
    absent_fields = [f for f in field_ids if f not in present]
    if absent_fields:
        warnings.append(Problem(
            file=source, severity="warning",
            message="respondent field column(s) missing: "
                    + ", ".join(repr(f) for f in absent_fields),
            code=Code.RESPONSES_MISSING_FIELDS))
    return errors, warnings, omitted


DOTTED_SUMMARY_FROM = 5
"""From this many headers with '.' for '-'/'@' (SPSS, R), one summary line and examples."""
DOTTED_EXAMPLES = 3


def _dots_for(name: str, alike: str) -> str | None:
    """The characters ``name`` writes as '.' where ``alike`` has them (``"-@"`` for
    ``icb.9.current`` and ``icb-9@current``), or None when they differ otherwise."""
    if "." not in name or len(name) != len(alike):
        return None
    swapped = ""
    for mine, theirs in zip(name.lower(), alike.lower(), strict=True):
        if mine == "." and theirs in "-@_":
            swapped += theirs
        elif mine != theirs:
            return None
    return swapped


def _dotted_summary(table: CellTable, dotted: list[tuple[Problem, str, str]]) -> Problem:
    """One line for many headers that write '-' and '@' as '.', with the mapping rules."""
    shapes = sorted({swapped for _, name, alike in dotted
                     if (swapped := _dots_for(name, alike)) is not None}, key=len)
    rules = []
    for shape in shapes:
        parts = len(shape) + 1
        regex = "^" + r"\.".join(["([^.]+)"] * parts) + "$"
        to = "\\1" + "".join(f"{sep}\\{k + 2}" for k, sep in enumerate(shape))
        rules.append(f"{{regex: '{regex}', to: '{to}'}}")
    (_, first, first_alike), *_ = dotted
    return Problem(
        file=table.source, line=table.header_line,
        message=f"{len(dotted)} headers write '-' or '@' of the question set's ids as '.' "
                f"(as SPSS and R export them: {first!r} for {first_alike!r}); none is read",
        hint="Map them all with a --mapping file holding: columns: [" + ", ".join(rules)
             + "] (see docs/imports.md)",
        code=Code.RESPONSES_SIMILAR_COLUMN)


def _looks_like(name: str, wanted: list[str]) -> str | None:
    """The answer key or field among ``wanted`` that header ``name`` was probably meant as.

    Spellings that statistics packages make of a name come first: R's ``make.names`` writes
    ``-`` and ``_`` as ``.`` and puts ``X`` before a leading digit; SPSS and Excel users
    change case. Then a close match (:func:`leadlens.errors.did_you_mean`).
    """
    def folded(text: str) -> str:
        return text.casefold().replace(".", "_").replace("-", "_")

    by_fold = {folded(w): w for w in wanted}
    for spelling in (name, name[1:] if name[:1] in "Xx" and name[1:2].isdigit() else ""):
        if spelling and folded(spelling) in by_fold:
            return by_fold[folded(spelling)]
    return closest(name, wanted)


def _blank_missing(table: CellTable, positions: list[int], missing: list[str]) -> None:
    """Free-text, field and id cells listed in ``missing`` (``NA``) become blank."""
    codes = {m.strip() for m in missing if m.strip()}
    if not codes:
        return
    for i in positions:
        column = table.columns.get(i)
        if column is not None and any(label.strip() in codes for label in column.labels):
            table.columns[i] = Column(column.codes, ["" if label.strip() in codes else label
                                                     for label in column.labels])


def _blank_rows(codes: UInt8Array, fields: dict[str, FieldValues],
                answers: dict[str, TextAnswers], ids: list[str | None] | None) -> BoolArray:
    """Rows without any answer, field value, comment or respondent id."""
    blank: BoolArray = np.ones(codes.shape[0], dtype=bool)
    for j in range(codes.shape[1]):
        blank &= codes[:, j] == 0
    for values_of_field in fields.values():
        present = np.array([bool(label.strip()) for label in values_of_field.labels] + [False])
        blank &= ~present[values_of_field.codes]
    for text_answers in answers.values():
        blank[text_answers.rows] = False
    if ids is not None:
        blank &= np.array([i is None or not i.strip() for i in ids], dtype=bool)
    return blank


def _lookup(labels: list[str], scale_id: str, scale: Scale, missing: list[str]
            ) -> tuple[UInt8Array, dict[int, AnswerIssue]]:
    """Answer code per cell label (plus a last slot, 0, for empty cells), and the invalid
    labels with their messages.

    A cell is read as the import reader reads it
    (:class:`leadlens.responses.exports.answers.ScaleLabels`):
    a value on the scale, an option's label or alias, or an unscored label, the texts compared
    without regard to case, spaces or smart quotes. So a file scores the same, and a bad cell
    gets the same message, whichever reader the file takes.
    """
    from leadlens.responses.exports.answers import ScaleLabels

    accepted = ScaleLabels(scale_id, scale, {}, missing)
    option_code = {o.value: i + 1 for i, o in enumerate(scale.options)}
    unscored_code = {u: len(scale.options) + i + 1 for i, u in enumerate(scale.unscored)}
    lookup = np.zeros(len(labels) + 1, dtype=np.uint8)
    problems: dict[int, AnswerIssue] = {}
    for code, label in enumerate(labels):
        value = accepted.convert(label)
        if value == "":
            continue
        issue = accepted.issue(label, value)
        if issue is not None:
            problems[code] = issue
        elif value is not None and value in unscored_code:
            lookup[code] = unscored_code[value]
        elif value is not None:
            lookup[code] = option_code[int(value)]
    return lookup, problems


def _text_answers(column: Column) -> TextAnswers:
    stripped = np.array([label.strip() for label in column.labels] + [""], dtype=object)
    rows = np.flatnonzero((stripped != "")[column.codes])
    texts: list[str] = stripped[column.codes[rows]].tolist()
    return TextAnswers(rows.astype(np.int64), texts)


def _select(responses: Responses, rows: IntArray) -> Responses:
    """Only the given respondents (rows ascending)."""
    new_index = np.full(responses.n, -1, dtype=np.int64)
    new_index[rows] = np.arange(rows.size)
    texts = {}
    for key, answers in responses.texts.items():
        keep = new_index[answers.rows] >= 0
        texts[key] = TextAnswers(new_index[answers.rows][keep],
                                 [t for t, k in zip(answers.texts, keep.tolist(), strict=True)
                                  if k])
    ids = responses.respondent_ids
    when = responses.submitted
    return Responses(
        submitted=[when[i] for i in rows.tolist()] if when is not None else None,
        keys=responses.keys, codes=np.asfortranarray(responses.codes[rows]),
        fields={k: FieldValues(v.codes[rows], v.labels) for k, v in responses.fields.items()},
        texts=texts, respondent_ids=[ids[i] for i in rows.tolist()] if ids is not None else None,
        sources=responses.sources, warnings=responses.warnings)


# --- both steps, several files ----------------------------------------------------------------

Reader = Callable[[Path, QuestionSet, Callable[[str], ColumnHint], "ImportOptions"], CellTable]


def _leadlens_csv(path: Path, question_set: QuestionSet, hint: Callable[[str], ColumnHint],
                  options: ImportOptions) -> CellTable:
    return read_csv_cells(path, hint=hint)


def _export(path: Path, question_set: QuestionSet, hint: Callable[[str], ColumnHint],
            options: ImportOptions) -> CellTable:
    from leadlens.responses.exports.cells import read_export_cells
    from leadlens.responses.exports.columnar import read_export_columns

    # Large UTF-8 CSV exports column by column; the rest (and anything odd) record by record.
    table = read_export_columns(path, question_set, options, hint)
    return table if table is not None else read_export_cells(path, question_set, options)


def _parquet(path: Path, question_set: QuestionSet, hint: Callable[[str], ColumnHint],
             options: ImportOptions) -> CellTable:
    from leadlens.responses.frames import read_parquet_cells

    return read_parquet_cells(path, hint=hint)


READERS: dict[str, Reader] = {"leadlens CSV": _leadlens_csv, "export": _export,
                              "parquet": _parquet}
"""Step 1 of reading a file, by kind: the fast reader for leadlens' own CSV layout, the
Parquet reader (the same columns; integer or text answers), the export reader for
everything else (platform layouts, workbooks, other encodings and delimiters)."""


def file_kind(path: Path, question_set: QuestionSet, options: ImportOptions) -> str:
    """Which of :data:`READERS` reads ``path``: decided before reading, never by retrying.

    A leadlens CSV is UTF-8 with commas and leadlens' own header (judged from the first few
    KB by :func:`leadlens.responses.exports.needs_import`) and UTF-8 to its last byte
    (checked in one streaming pass); anything else is an export.
    """
    from leadlens.responses.exports import needs_import
    from leadlens.responses.exports.cells import is_utf8
    from leadlens.responses.frames import is_parquet

    if is_parquet(path):
        return "parquet"
    if needs_import(path, question_set, encoding=options.encoding,
                    delimiter=options.delimiter, mapping=options.mapping is not None):
        return "export"
    return "leadlens CSV" if is_utf8(path) else "export"


def _read_cells(path: Path, question_set: QuestionSet, hint: Callable[[str], ColumnHint],
                import_options: ImportOptions | None, on_invalid: OnInvalid) -> CellTable:
    """Step 1 for one file, by the reader :func:`file_kind` picks."""
    from leadlens.responses.exports import ImportOptions
    from leadlens.responses.frames import is_parquet
    from leadlens.responses.own_outputs import (
        check_before_reading,
        check_scores_header,
        check_table_header,
    )

    check_before_reading(path, parquet=is_parquet(path))  # before any reader guesses
    options = replace(import_options or ImportOptions(), on_invalid=on_invalid)
    kind = file_kind(path, question_set, options)
    if kind != "parquet":
        check_text_file(path, encoding=options.encoding)
    table = READERS[kind](path, question_set, hint, options)
    if kind == "parquet":
        check_table_header(table.source, table.header)
    check_scores_header(table.source, table.header,
                        [principle.id for principle in question_set.principles],
                        rated_keys(question_set))
    return table


def read_responses(paths: Iterable[Path | CellTable], question_set: QuestionSet, *,
                   on_invalid: OnInvalid = "error", strict: bool = False,
                   import_options: ImportOptions | None = None,
                   allow_missing_questions: bool = False,
                   budget: RunBudget | None = None) -> Responses:
    """Read and concatenate responses CSV files (columns may come in any order).

    Each file is matched to the question set on its own, so files may differ in which
    columns they have; a question without a column is an error unless
    ``allow_missing_questions`` (then a warning). All problems of all files are collected
    before raising. Survey-platform exports (Google Forms, Microsoft Forms, Qualtrics, ...)
    are detected and read by :mod:`leadlens.responses.exports`, with ``import_options``
    (mapping file, encoding, delimiter); Parquet files by :mod:`leadlens.responses.frames`.
    A :class:`CellTable` (a DataFrame's, from :func:`~leadlens.responses.frames.frame_cells`)
    is taken as read.

    The files of one call (or of every call given the same ``budget``: the waves of one
    ``compare``) hold at most :data:`~leadlens.responses.limits.MAX_RUN_COLUMNS` columns and
    :data:`~leadlens.responses.limits.MAX_RUN_CELLS` cells in all; no file is read past
    the one that passes them.

    Raises:
        ResponsesError: located errors (capped at :data:`MAX_PROBLEMS`); with ``strict``,
            warnings too.
    """
    budget = RunBudget() if budget is None else budget
    parts: list[Responses] = []
    conversions: list[Conversion] = []
    errors: list[Problem] = []
    omitted = 0
    hint = column_hints(question_set)
    for path in paths:
        try:
            table = path if isinstance(path, CellTable) else _read_cells(
                path, question_set, hint, import_options, on_invalid)
        except ResponsesError as exc:
            errors.extend(exc.problems)
            omitted += exc.omitted
            continue
        over = budget.take(table.source, len(table.header), table.rows)
        if over is not None:
            errors.append(over)
            break
        conversion = cells_to_responses(table, question_set, on_invalid=on_invalid,
                                        allow_missing_questions=allow_missing_questions)
        errors.extend(conversion.errors)
        omitted += conversion.omitted
        conversion.responses.line_parts = [_line_part(conversion)]
        parts.append(conversion.responses)
        conversions.append(_ids_only(conversion))
    repeated = duplicate_ids_warning(conversions)
    if strict:
        errors.extend(replace(w, severity="error") for part in parts for w in part.warnings)
        if repeated is not None:
            errors.append(replace(repeated, severity="error"))
    if errors or omitted:
        raise ResponsesError(errors[:MAX_PROBLEMS],
                             omitted=omitted + max(0, len(errors) - MAX_PROBLEMS))
    responses = concat(parts)
    if repeated is not None:
        responses.warnings = [*responses.warnings, repeated]
    responses.warnings = capped_warnings(responses.warnings)  # 100,000 columns: 51 lines
    return responses


def _line_part(conversion: Conversion) -> LinePart:
    """Where the conversion's respondents are: their lines, held as int32, or (a CSV parsed
    by polars) found again from the file when a warning needs one."""
    table, rows, n = conversion.table, conversion.rows, conversion.responses.n
    if table is None or rows is None:
        return LinePart("", n)
    kept = rows.astype(np.int32)
    if table.rescan_lines:
        return LinePart(table.source, n, rescan=table.line_numbers, kept=kept)
    lines = np.asarray(table.line_numbers(), dtype=np.int32)
    return LinePart(table.source, n, lines=lines[kept] if lines.size > int(rows.max(initial=-1))
                    else None)


def _ids_only(conversion: Conversion) -> Conversion:
    """The conversion with only what :func:`duplicate_ids_warning` reads of its table (the
    respondent ids and line numbers): ten files of a million rows must not all stay held."""
    table = conversion.table
    if table is None:
        return conversion
    kept = {i: c for i, c in table.columns.items()
            if i < len(table.header) and table.header[i].strip() == "respondent_id"}
    return replace(conversion, table=replace(table, columns=kept))


# --- respondents given twice --------------------------------------------------------------------

SHOWN_REPEATS = 5
"""Repeated respondent ids named in the warning; the rest are counted."""


def _id_codes(conversion: Conversion) -> tuple[IntArray, list[str]] | None:
    """The kept rows' respondent ids as codes into distinct labels (-1 = empty), or None."""
    table, rows = conversion.table, conversion.rows
    if table is None or rows is None:
        return None
    position = next((i for i, h in enumerate(table.header) if h.strip() == "respondent_id"),
                    None)
    if position is None or position not in table.columns:
        return None
    column = table.columns[position]
    codes = column.codes[rows].astype(np.int64)
    codes[codes == len(column.labels)] = -1
    return codes, column.labels


def duplicate_ids_warning(conversions: list[Conversion]) -> Problem | None:
    """A warning naming respondent ids that occur more than once, within or across files.

    Only files with a ``respondent_id`` column take part (rows without ids cannot be told
    apart). Ids are compared as written; blank ids are not compared. Repeats are found with
    array operations on the id codes; a dictionary of ids is built only when several files
    have ids. The warning is located at the first repeat (its second occurrence) and names a
    few more.
    """
    found = [(c, coded) for c in conversions if (coded := _id_codes(c)) is not None]
    if not found:
        return None
    if len(found) == 1:
        all_codes, all_labels = found[0][1]
    else:
        index: dict[str, int] = {}
        pieces = []
        for _, (codes, labels) in found:
            mapped = np.array([index.setdefault(label, len(index)) for label in labels] + [-1],
                              dtype=np.int64)
            pieces.append(mapped[codes])  # -1 stays -1: the last slot
        all_codes, all_labels = np.concatenate(pieces), list(index)
    present = all_codes[all_codes >= 0]
    if present.size == 0:
        return None
    counts = np.bincount(present)
    for code in np.flatnonzero(counts > 1).tolist():
        if not all_labels[code].strip():
            counts[code] = 0  # blank ids say nothing about who answered
    if counts.max() <= 1:
        return None
    at = np.flatnonzero((all_codes >= 0) & (counts[np.maximum(all_codes, 0)] > 1))
    order = np.argsort(all_codes[at], kind="stable")
    sorted_codes = all_codes[at][order]
    starts = np.flatnonzero(np.r_[True, sorted_codes[1:] != sorted_codes[:-1]])
    firsts, seconds = at[order[starts]], at[order[starts + 1]]
    shown = np.argsort(seconds, kind="stable")[:SHOWN_REPEATS]
    offsets = np.cumsum([0] + [codes.size for _, (codes, _) in found])

    def place(position: int) -> tuple[str, int | None]:
        part = int(np.searchsorted(offsets, position, side="right")) - 1
        conversion = found[part][0]
        assert conversion.table is not None and conversion.rows is not None
        row = int(conversion.rows[position - offsets[part]])
        lines = conversion.table.line_numbers()
        return conversion.table.source, (int(lines[row]) if row < len(lines) else None)

    def where(position: int) -> str:
        file, line = place(position)
        return file if line is None else f"{file}:{line}"

    named = [f"{all_labels[int(all_codes[seconds[i]])]!r} (at {where(int(seconds[i]))}, "
             f"first at {where(int(firsts[i]))})" for i in shown.tolist()]
    repeats = int(starts.size)
    more = f" and {repeats - len(named)} more" if repeats > len(named) else ""
    sources = [c.table.source for c, _ in found if c.table is not None]
    twice = "".join(f" ({name} is given {sources.count(name)} times)"
                    for name in dict.fromkeys(sources) if sources.count(name) > 1)
    file, line = place(int(seconds[shown[0]]))
    return Problem(
        file=file, line=line, severity="warning",
        message=(f"{repeats} respondent id{' appears' if repeats == 1 else 's appear'} more "
                 f"than once, so {'that respondent is' if repeats == 1 else 'they are'} "
                 f"counted more than once{twice}: {', '.join(named)}{more}"),
        hint="Remove the repeated rows (or the file given twice), or give each respondent "
             "their own respondent_id", code=Code.RESPONSES_DUPLICATE_IDS)
