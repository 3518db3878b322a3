"""Reading a survey-platform export into leadlens' own columns.

:func:`read_export` goes bytes -> text (encoding) -> records (delimiter, physical lines) ->
header (platform) -> column matches -> cells with labels turned into values. What it returns
is the intermediate every responses reader shares: canonical headers (answer keys, field
ids, ``respondent_id``, ``submitted_at``), string cells, the physical line each record starts
on and each column's original header for messages. :func:`inspect_export` stops before the
cells and reports what was detected.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from leadlens.errors import MAX_PROBLEMS, Code, Problem, ResponsesError, UsageError, did_you_mean
from leadlens.files import read_input
from leadlens.questionset.model import QuestionSet
from leadlens.responses.exports import platforms, sniff
from leadlens.responses.exports.answers import scale_labels
from leadlens.responses.exports.grid import Grid, Record, read_csv_grid, read_xlsx_grid
from leadlens.responses.exports.kept import responses_to_score
from leadlens.responses.exports.mapping import RuleSource, rule_sources
from leadlens.responses.exports.matching import ColumnMap, QuestionIndex, match_columns
from leadlens.responses.exports.recodes import recode_problems
from leadlens.responses.exports.workbook_sheets import visible_sheets
from leadlens.responses.limits import (
    MAX_FIELD_BYTES,
    capped_warnings,
    nul_problem,
    size_problem,
    text_line_endings,
)
from leadlens.responses.problems import blank_rows, no_header, ragged_row

"""Cell problems listed before the rest are only counted."""


@dataclass(frozen=True)
class ImportOptions:
    """How to read: all optional; detection fills in what is not given."""

    encoding: str | None = None
    delimiter: str | None = None
    mapping: RuleSource | None = None
    """A loaded ``--mapping`` file (:func:`leadlens.responses.exports.mapping.load_mapping`)."""
    on_invalid: Literal["error", "missing"] = "error"
    """``missing``: leave answers that fit no option as they are, for the responses reader
    to count as missing (``score --on-invalid missing``) instead of stopping."""
    keep_unfinished: bool = False
    sheet: str | None = None
    """The worksheet to read in a workbook (``--sheet``); by default the first, or the first
    with question columns. Ignored for other files."""
    """Score Qualtrics responses marked ``Finished`` False (``--keep-unfinished``); by
    default they are left out with a warning, as Qualtrics' own reports leave them out."""


@dataclass
class Detection:
    """What a file turned out to be."""

    file: str
    platform: str
    encoding: str
    bom: bool
    delimiter: str | None
    """None for workbooks."""
    sep_line: bool
    header_lines: list[int]
    records: int
    """Response records after the header (blank ones not counted)."""
    blank: int = 0
    sheet: str | None = None
    """The worksheet read (workbooks with more than one visible sheet)."""
    sheets: list[str] = field(default_factory=list)
    """A workbook's visible sheets, in order."""
    sheet_given: bool = False
    """Whether ``--sheet`` named the sheet (else the others were looked at too)."""


@dataclass
class Inspection:
    """Detection, every column's match and the answer keys no column matched."""

    detection: Detection
    columns: ColumnMap
    warnings: list[Problem] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)


@dataclass
class ImportedTable:
    """Responses in leadlens' own columns, ready for the responses reader's second step."""

    file: str
    headers: list[str]
    """Answer keys, respondent field ids, ``respondent_id``, ``submitted_at``."""
    source_headers: list[str]
    """Each column's header in the export (the question-text row), for messages."""
    columns: list[list[str]]
    """Cells column by column, in the order of ``headers``."""
    lines: list[int]
    """Physical line (worksheet row) each record starts on."""
    detection: Detection
    warnings: list[Problem] = field(default_factory=list)

    @property
    def rows(self) -> list[list[str]]:
        """Cells row by row (for small tables and tests)."""
        return [list(row) for row in zip(*self.columns, strict=True)] if self.columns else [
            [] for _ in self.lines]


def _load(path: Path, options: ImportOptions, forced: str | None) -> tuple[
        Detection, Grid, platforms.Layout, list[Problem]]:
    name = str(path)
    data = read_input(path, "responses file", name=name, error=ResponsesError)
    warnings: list[Problem] = []
    sheets: list[str] = []
    chosen = None
    if sniff.is_xlsx(data[:8]):
        sheets = [s.name for s in visible_sheets(data)]
        chosen = _chosen_sheet(options.sheet, sheets, name)
        grid = read_xlsx_grid(data, name, chosen)
        encoding, bom, delimiter, sep = "xlsx", False, None, False
    else:
        decoded, warnings = sniff.decode(data, name, options.encoding)
        text, first_line = text_line_endings(decoded.text), 1
        problem = nul_problem(text, name)
        sep_delimiter = sniff.sep_line(text)
        if sep_delimiter is not None:
            text, first_line = sniff.skip_sep_line(text), 2
        delimiter = options.delimiter or sep_delimiter or sniff.guess_delimiter(text)
        if problem is None and len(text) > MAX_FIELD_BYTES // 4:  # else no cell can be
            problem = size_problem(text.encode("utf-8"), name, delimiter)
        if problem is not None:
            raise ResponsesError([problem])
        grid = read_csv_grid(text, delimiter, name, first_line=first_line)
        encoding, bom, sep = decoded.encoding, decoded.bom, sep_delimiter is not None
    found = detect_layout(name, grid, forced, encoding=encoding, bom=bom, delimiter=delimiter,
                          sep=sep, warnings=warnings)
    found[0].sheets = sheets
    found[0].sheet = chosen or (sheets[0] if len(sheets) > 1 else None)
    found[0].sheet_given = chosen is not None
    return found


def _chosen_sheet(sheet: str | None, sheets: list[str], name: str) -> str | None:
    """The sheet ``--sheet`` names, as the workbook spells it (any case).

    Raises:
        UsageError: the workbook has no visible sheet of that name (option ``sheet``).
    """
    if sheet is None:
        return None
    found = next((s for s in sheets if s.casefold() == sheet.strip().casefold()), None)
    if found is None:
        close = did_you_mean(sheet, sheets)
        raise UsageError.about("sheet", f"{sheet!r}: {name} has no such sheet; its sheets: "
                               f"{', '.join(map(repr, sheets))}{'. ' + close if close else ''}",
                               code=Code.OPTION_UNKNOWN_CHOICE)
    return found


def detect_layout(name: str, grid: Grid, forced: str | None, *, encoding: str, bom: bool,
                  delimiter: str | None, sep: bool, warnings: list[Problem]) -> tuple[
        Detection, Grid, platforms.Layout, list[Problem]]:
    """The platform and header of a file from its first records.

    Raises:
        ResponsesError: the file has no records at all.
    """
    if not grid.records:
        raise ResponsesError([no_header(name)])
    head = [cells for _, cells in grid.records[:3]]
    lines = [line for line, _ in grid.records[:3]]
    platform = forced or platforms.detect(head)
    layout = platforms.layout(platform, head, lines[:3], name)
    count = len(layout.header_lines)
    detection = Detection(file=name, platform=platform, encoding=encoding, bom=bom,
                          delimiter=delimiter, sep_line=sep, header_lines=layout.header_lines,
                          records=len(grid.records) - count, blank=grid.blank)
    return detection, grid, layout, warnings + layout.problems


@dataclass
class _Matched:
    detection: Detection
    grid: Grid
    layout: platforms.Layout
    columns: ColumnMap
    sources: list[RuleSource]
    warnings: list[Problem]


Loader = Callable[[Path, ImportOptions, "str | None"],
                  tuple[Detection, Grid, platforms.Layout, list[Problem]]]
"""Reads a file's records (all of them, or only the header's) and detects its layout."""


def _match(path: Path, qs: QuestionSet, options: ImportOptions, load: Loader | None = None
           ) -> _Matched:
    sources = rule_sources(qs, options.mapping)
    forced = next((s.settings.platform for s in sources if s.settings.platform), None)
    detection, grid, layout, warnings = (load or _load)(path, options, forced)
    found = match_layout(path, qs, detection, grid, layout, sources, warnings)
    if len(detection.sheets) > 1 and options.sheet is None and not _answers_questions(found):
        return _other_sheet(path, qs, found, forced) or found
    return found


def _answers_questions(found: _Matched) -> bool:
    return any(m.kind == "question" for m in found.columns.matches)


def _other_sheet(path: Path, qs: QuestionSet, first: _Matched, forced: str | None
                 ) -> _Matched | None:
    """The first other visible sheet of a workbook whose header has question columns, with
    a warning saying which sheet is read; None when no sheet has them."""
    name = str(path)
    data = read_input(path, "responses file", name=name, error=ResponsesError)
    for sheet in first.detection.sheets[1:]:
        grid = read_xlsx_grid(data, name, sheet)
        if not grid.records:
            continue
        detection, grid, layout, warnings = detect_layout(
            name, grid, forced, encoding="xlsx", bom=False, delimiter=None, sep=False,
            warnings=[])
        detection.sheets, detection.sheet = first.detection.sheets, sheet
        found = match_layout(path, qs, detection, grid, layout, first.sources, warnings)
        if _answers_questions(found):
            found.warnings.insert(0, Problem(
                file=name, severity="warning", code=Code.XLSX_OTHER_SHEET,
                message=f"read sheet {sheet!r}: the first sheet, "
                f"{first.detection.sheets[0]!r}, has no column that matches a question",
                hint="Move the responses sheet to the front (or save it on its own) to "
                "read it without this note"))
            return found
    return None


def match_layout(path: Path, qs: QuestionSet, detection: Detection, grid: Grid,
                 layout: platforms.Layout, sources: list[RuleSource], warnings: list[Problem]
                 ) -> _Matched:
    columns = match_columns(layout, QuestionIndex(qs), sources, str(path))
    return _Matched(detection, grid, layout, columns, sources, warnings)


def inspect_export(path: Path, qs: QuestionSet, options: ImportOptions | None = None, *,
                   found: _Matched | None = None) -> Inspection:
    """Detect a file's platform, encoding, delimiter and header, and match its columns.

    ``found``: what the column reader found of a large file
    (:func:`~leadlens.responses.exports.columnar.inspect_columns`); else the file is read
    record by record.

    Raises:
        ResponsesError: the file cannot be read at all, or a mapping rule is invalid.
    """
    from leadlens.responses.exports.detect import needs_import

    options = options or ImportOptions()
    found = found or _match(path, qs, options)
    if found.detection.platform == "csv" and not needs_import(
            path, qs, encoding=options.encoding, delimiter=options.delimiter,
            mapping=options.mapping is not None):
        found.detection.platform = platforms.CANONICAL  # score takes its fast reader
    errors = [p for p in found.columns.problems if p.severity == "error"]
    _, left_out = responses_to_score(
        found.layout, found.grid.records[len(found.layout.header_lines):],
        found.detection.file, keep_unfinished=options.keep_unfinished)
    return Inspection(detection=found.detection, columns=found.columns,
                      warnings=capped_warnings(found.warnings + left_out + [
                          p for p in found.columns.problems if p.severity != "error"]),
                      errors=errors)


def read_export(path: Path, qs: QuestionSet, options: ImportOptions | None = None
                ) -> ImportedTable:
    """Read a platform export (or any CSV/xlsx) into leadlens' own columns.

    Columns that match nothing are left out with a warning each; platform metadata is left
    out silently. Answer keys with no column are left for the responses reader to report.

    Raises:
        ResponsesError: every problem found: ambiguous or duplicate columns, unknown answer
            labels (file, line, column and the accepted answers), ragged rows.
    """
    options = options or ImportOptions()
    found = _match(path, qs, options)
    detection, grid, layout = found.detection, found.grid, found.layout
    warnings = checked_columns(found, qs)
    name = str(path)
    used = found.columns.used()
    labels = scale_labels(qs, [s.settings for s in found.sources])
    body = grid.records[len(layout.header_lines):]
    width = len(layout.columns)
    problems = _ragged(body, width, _xlsx(detection), name, detection.delimiter or ",")
    if problems:
        raise ResponsesError(problems[:MAX_PROBLEMS],
                             omitted=max(0, len(problems) - MAX_PROBLEMS))
    body, left_out = responses_to_score(layout, body, name,
                                        keep_unfinished=options.keep_unfinished)
    warnings += left_out
    # Column by column: a survey's cells repeat a few answers, so each distinct cell is
    # converted once and the column is mapped with one lookup per cell.
    lines = [line for line, _ in body]
    rows = [cells if len(cells) == width else cells + [""] * (width - len(cells))
            for _, cells in body]
    transposed = list(zip(*rows, strict=True)) if rows else [() for _ in range(width)]
    header_line = layout.header_lines[0] if layout.header_lines else None
    recoded = recode_problems(detection.platform, [
        (m.column.display, labels[m.key or ""], set(transposed[m.column.index]))
        for m in used if (m.key or "") in labels], name, header_line)
    if recoded:
        raise ResponsesError(recoded)
    cells_by_column: list[list[str]] = []
    found_problems: list[tuple[int, int, Problem]] = []
    for position, match in enumerate(used):
        cells = list(transposed[match.column.index])
        converter = labels.get(match.key or "")
        if converter is not None:
            read = {raw: converter.read(raw, check=options.on_invalid == "error")
                    for raw in set(cells)}
            for raw, (_, issue) in read.items():
                if issue is None:
                    continue
                found_problems += [(row, position, Problem(
                    file=name, line=lines[row], column=match.column.display,
                    message=issue.message, hint=issue.hint, code=issue.code))
                    for row, cell in enumerate(cells) if cell == raw]
            values = {raw: value for raw, (value, _) in read.items()}
            cells = list(map(values.__getitem__, cells))
        cells_by_column.append(cells)
    if found_problems:
        found_problems.sort(key=lambda found: found[:2])  # file order
        raise ResponsesError([p for _, _, p in found_problems[:MAX_PROBLEMS]],
                             omitted=max(0, len(found_problems) - MAX_PROBLEMS))
    if detection.blank:
        warnings.append(blank_rows(name, detection.blank))
    return ImportedTable(file=name, headers=[m.key or "" for m in used],
                         source_headers=[m.column.display for m in used],
                         columns=cells_by_column, lines=lines, detection=detection,
                         warnings=warnings)


def checked_columns(found: _Matched, qs: QuestionSet) -> list[Problem]:
    """The reading's warnings so far, once the columns are known to be usable.

    Raises:
        ResponsesError: ambiguous or duplicate columns, invalid mapping targets, or no
            column matching a question.
    """
    name = str(found.detection.file)
    layout, columns = found.layout, found.columns
    header_line = layout.header_lines[0] if layout.header_lines else 1
    problems = [p for p in columns.problems if p.severity == "error"]
    if not any(m.kind == "question" for m in columns.matches):
        hint = ("Check the question set (--question-set), or map columns with --mapping")
        detection = found.detection
        others = [s for s in detection.sheets if s != detection.sheet]
        where = (f" of sheet {detection.sheet!r}" if detection.sheet else "") + (
            f" (nor of the workbook's other sheets: {', '.join(map(repr, others))})"
            if others and not detection.sheet_given else "")
        problems.append(Problem(file=name, line=header_line,
                                message=f"no column{where} matches a question of {qs.id!r}",
                                hint=hint, code=Code.RESPONSES_NO_QUESTION_COLUMNS))
    if problems:
        raise ResponsesError(problems)
    return found.warnings + [p for p in columns.problems if p.severity != "error"]


def _ragged(body: list[Record], width: int, workbook: bool, name: str, delimiter: str
            ) -> list[Problem]:
    """Rows wider than the header, or narrower in a CSV (workbook rows end at their last
    filled cell)."""
    return [ragged_row(name, line, len(cells), width, delimiter)
            for line, cells in body
            if len(cells) > width or (len(cells) < width and not workbook)]


def _xlsx(detection: Detection) -> bool:
    return detection.delimiter is None
