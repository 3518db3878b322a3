"""The results as a spreadsheet laid out as UK government analysts publish statistics.

The Analysis Function's guidance on releasing statistics in spreadsheets (which gptables
and R's aftables implement): a cover sheet, a contents sheet, a notes sheet, then one table
per sheet, each with a title in cell A1, a line saying what the sheet holds, and one header
row marked as an Excel table; no merged cells, no blank cells inside a table, numbers as
numbers (rounded for display only, by their number format), and ``[c]`` where a figure is
withheld to protect respondents, ``[x]`` where there is none, both explained in the notes.

Every text cell is stored as text, so a group called ``=HYPERLINK(...)`` is never a formula,
and characters a workbook cannot hold are dropped. Built with openpyxl: gptables needs
pandas and XlsxWriter as hard dependencies, and pandas is optional for leadlens.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from leadlens.results.document import Results
from leadlens.results.tables import SUPPRESSED_MARK

if TYPE_CHECKING:
    from openpyxl import Workbook  # type: ignore[import-untyped]
    from openpyxl.worksheet.worksheet import Worksheet  # type: ignore[import-untyped]

    from leadlens.report.cover import Cover

NOT_AVAILABLE = "[x]"
"""A figure that does not exist (an alpha of one item, a mean of nobody)."""



class Suppressed:
    """A withheld figure: written as ``[c]``."""


WITHHELD = Suppressed()

Cell = str | float | int | Suppressed | None
"""A value for a table cell: None is shown as :data:`NOT_AVAILABLE`."""


@dataclass
class Column:
    heading: str
    number_format: str = "General"
    width: int = 14


@dataclass
class Sheet:
    name: str
    title: str
    description: str
    columns: list[Column]
    rows: list[list[Cell]]


SCORE, MEAN, COUNT, SHARE = "0.0", "0.00", "0", "0%"


def results_workbook(results: Results, cover: Cover | None = None) -> bytes:
    """The workbook's bytes (``.xlsx``); ``cover`` (``score --title/--organisation``) names
    the tables and who publishes them."""
    from openpyxl import Workbook

    sheets = _table_sheets(results)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Cover"
    _cover(sheet, results, cover)
    _contents(book.create_sheet("Contents"), sheets)
    _notes(book.create_sheet("Notes"), results)
    for number, sheet in enumerate(sheets, start=1):
        _table(book, sheet, f"Table_{number}")
    stamp = results.generated_at.replace(tzinfo=None)
    book.properties.title = _safe(_title(results, cover))
    book.properties.language = "en-GB"
    book.properties.creator = "leadlens"
    book.properties.created = stamp
    book.properties.modified = stamp
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _safe(text: str) -> str:
    """Text a workbook can hold: control characters (other than tab and line breaks) dropped."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # type: ignore[import-untyped]

    cleaned: str = ILLEGAL_CHARACTERS_RE.sub("", text)
    return cleaned


def _put(sheet: Worksheet, row: int, column: int, value: Cell,
         number_format: str = "General", bold: bool = False) -> None:
    from openpyxl.styles import Alignment, Font  # type: ignore[import-untyped]

    cell = sheet.cell(row=row, column=column)
    if isinstance(value, Suppressed):
        value = SUPPRESSED_MARK
    if value is None:
        value = NOT_AVAILABLE
    if isinstance(value, str):
        cell.value = _safe(value)
        cell.data_type = "s"  # text, never a formula (openpyxl reads "=..." as one)
        cell.alignment = Alignment(wrap_text=len(value) > 40, vertical="top")
        if value in (SUPPRESSED_MARK, NOT_AVAILABLE):
            cell.alignment = Alignment(horizontal="right", vertical="top")
    else:
        cell.value = value
        cell.number_format = number_format
        cell.alignment = Alignment(vertical="top")
    if bold:
        cell.font = Font(bold=True)


def _heading(sheet: Worksheet, row: int, text: str, size: int = 12) -> None:
    from openpyxl.styles import Font

    _put(sheet, row, 1, text)
    sheet.cell(row=row, column=1).font = Font(bold=True, size=size)


def _title(results: Results, cover: Cover | None) -> str:
    given = cover.title if cover is not None else None
    return given or f"{results.question_set.title}: results"


def _cover(sheet: Worksheet, results: Results, cover: Cover | None) -> None:
    qs = results.question_set
    sheet.column_dimensions["A"].width = 100
    _heading(sheet, 1, _title(results, cover), size=15)
    source = qs.source
    based_on = (f" It is based on {source.title}"
                + (f" ({source.publisher})" if source.publisher else "") + "."
                if source is not None else "")
    paragraphs = [
        ("About these tables", f"Scores from the {qs.title} survey, on a scale of 0 to 100, by "
         "principle, question and group. The Contents worksheet lists the tables; the Notes "
         "worksheet explains the methods and the symbols [c] and [x]."),
        ("Question set", f"{qs.id}, version {qs.version}.{based_on}"),
        ("Respondents", str(results.respondents)),
        ("Responses", ", ".join(results.sources) or "-"),
        ("Date", f"Scored on {results.generated_at:%d %B %Y} by leadlens "
         f"{results.leadlens_version}."),
        ("Protecting respondents", f"Groups of fewer than {results.min_group_size} "
         "respondents are not shown, and neither is the next smallest group when that would "
         "let a hidden one be worked out by subtraction; such cells show [c]."),
        ("Contact", "[Add the name and e-mail address of the team publishing these tables "
         "before publishing them.]"),
    ]
    if cover is not None and cover.organisation:
        paragraphs.insert(1, ("Published by", cover.organisation))
    row = 3
    for heading, text in paragraphs:
        _heading(sheet, row, heading)
        _put(sheet, row + 1, 1, text)
        row += 3


def _table_header(sheet: Worksheet, title: str, description: str) -> None:
    _heading(sheet, 1, title, size=14)
    _put(sheet, 2, 1, description)
    _put(sheet, 3, 1, "This worksheet contains one table. Some cells show [c] or [x]: see the "
         "Notes worksheet.")  # the table's header row follows at once: no blank rows


def _excel_table(sheet: Worksheet, name: str, header_row: int, columns: int, rows: int
                 ) -> None:
    from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]
    from openpyxl.worksheet.table import (  # type: ignore[import-untyped]
        Table,
        TableStyleInfo,
    )

    ref = f"A{header_row}:{get_column_letter(columns)}{header_row + max(rows, 1)}"
    table = Table(displayName=name, ref=ref)
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=False)
    sheet.add_table(table)
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)


def _contents(sheet: Worksheet, sheets: Sequence[Sheet]) -> None:
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 90
    _heading(sheet, 1, "Table of contents", size=14)
    _put(sheet, 2, 1, "This worksheet contains one table, listing the worksheets.")
    _put(sheet, 3, 1, "Sheet name", bold=True)
    _put(sheet, 3, 2, "Table description", bold=True)
    listed = [("Notes", "Notes on the methods and the symbols used"),
              *((s.name, s.title) for s in sheets)]
    for row, (name, title) in enumerate(listed, start=4):
        _put(sheet, row, 1, name)
        sheet.cell(row=row, column=1).hyperlink = f"#'{name}'!A1"
        _put(sheet, row, 2, title)
    _excel_table(sheet, "Contents", 3, 2, len(listed))


def _notes(sheet: Worksheet, results: Results) -> None:
    qs = results.question_set
    bands = "; ".join(f"{b.label} from {b.from_:g}" for b in qs.bands)
    notes = [
        "Scores: each answer is placed on a scale of 0 (the lowest option) to 100 (the "
        "highest), reverse-keyed questions turned round; a respondent's principle score is "
        "the weighted mean of their answered questions, and the principle's score the mean "
        "of its respondents' scores. Figures are stored unrounded and shown rounded.",
        "95% CI: the 95% confidence interval of a mean score (a t interval).",
        "Alpha: Cronbach's alpha of a principle's questions, from respondents who answered "
        "every one of them.",
        f"[c]: withheld to protect respondents: the group has fewer than "
        f"{results.min_group_size} respondents, or showing it would let a smaller hidden "
        "group be worked out by subtraction.",
        "[x]: not available: the figure does not exist (for example alpha for one question, "
        "or a mean when nobody answered).",
        f"Bands: {bands}.",
        "Unscored answers such as \"Don't know\" count as missing in scores and are counted "
        "on the Items worksheet.",
    ]
    sheet.column_dimensions["A"].width = 14
    sheet.column_dimensions["B"].width = 100
    _heading(sheet, 1, "Notes", size=14)
    _put(sheet, 2, 1, "This worksheet contains one table of notes.")
    _put(sheet, 3, 1, "Note number", bold=True)
    _put(sheet, 3, 2, "Note text", bold=True)
    for row, text in enumerate(notes, start=4):
        _put(sheet, row, 1, f"[note {row - 3}]")
        _put(sheet, row, 2, text)
    _excel_table(sheet, "Notes", 3, 2, len(notes))


def _table(book: Workbook, spec: Sheet, name: str) -> None:
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet(spec.name)
    _table_header(sheet, spec.title, spec.description)
    header_row = 4
    for position, column in enumerate(spec.columns, start=1):
        _put(sheet, header_row, position, column.heading, bold=True)
        sheet.column_dimensions[get_column_letter(position)].width = column.width
    for offset, values in enumerate(spec.rows, start=1):
        for position, (column, value) in enumerate(zip(spec.columns, values, strict=True),
                                                   start=1):
            _put(sheet, header_row + offset, position, value, column.number_format)
    _excel_table(sheet, name, header_row, len(spec.columns), len(spec.rows))


def _table_sheets(results: Results) -> list[Sheet]:
    qs = results.question_set
    band_label = {b.id: b.label for b in qs.bands}

    def band(band_id: str | None) -> str | None:
        return None if band_id is None else band_label.get(band_id, band_id)

    principles = Sheet(
        "Principles", "Scores by principle, and overall",
        f"Every respondent ({results.respondents}); scores 0 to 100 [note 1].",
        [Column("Principle id", width=16), Column("Principle", width=40),
         Column("Respondents", COUNT, 12), Column("Mean (scale units)", MEAN),
         Column("Standard deviation", MEAN), Column("Score (0 to 100)", SCORE),
         Column("95% CI lower [note 2]", SCORE), Column("95% CI upper [note 2]", SCORE),
         Column("Band [note 6]", width=20), Column("Alpha [note 3]", MEAN),
         Column("Alpha respondents", COUNT), Column("Unscored share", SHARE)],
        [[p.id, p.name, p.n, p.mean, p.sd, p.score, *(p.ci95 or (None, None)), band(p.band),
          p.alpha, p.alpha_n, p.unscored_share] for p in results.principles])
    overall = results.overall
    principles.rows.append(["overall", "Overall", overall.n, None, overall.sd, overall.score,
                            *(overall.ci95 or (None, None)), band(overall.band), None, None,
                            None])
    items = [item for p in results.principles for item in p.items] + list(results.items)
    item_sheet = Sheet(
        "Items", "Answers by question",
        "Each question's answers on its scale's own units; unscored answers [note 7].",
        [Column("Answer key", width=22), Column("Principle id", width=16),
         Column("Question", width=60), Column("Respondents", COUNT, 12),
         Column("Missing", COUNT, 10), Column("Unscored", COUNT, 10), Column("Mean", MEAN),
         Column("Standard deviation", MEAN), Column("Item-total correlation", MEAN)],
        [[i.key, i.principle, i.text, i.n, i.missing, i.unscored, i.mean, i.sd,
          i.item_total_r] for i in items])
    sheets = [principles, item_sheet]
    for breakdown in results.groups.values():
        rows: list[list[Cell]] = []
        for group in breakdown.groups:
            if group.suppressed:
                rows.append([group.value, WITHHELD, WITHHELD,
                             *[WITHHELD for _ in qs.principles]])
                continue
            scores = {gp.id: gp.score for gp in group.principles}
            rows.append([group.value, group.n, group.overall,
                         *[scores.get(p.id) for p in qs.principles]])
        sheets.append(Sheet(
            _sheet_name(f"By {breakdown.field}"),
            f"Scores by {breakdown.field} (\"{breakdown.prompt}\")",
            f"Scores 0 to 100 [note 1] for each answer to \"{breakdown.prompt}\"; [c]: "
            "withheld to protect respondents [note 4].",
            [Column("Group", width=40), Column("Respondents", COUNT, 12),
             Column("Overall score", SCORE),
             *[Column(f"{p.name} score", SCORE, 16) for p in qs.principles]], rows))
    if results.timepoints:
        sheets.append(Sheet(
            "Timepoints", "Means by timepoint (for example now and in future)",
            "Means on the scale's own units; the gap is the last timepoint minus the first.",
            [Column("Question id", width=16), Column("Question", width=60),
             Column("Timepoint", width=16), Column("Respondents", COUNT, 12),
             Column("Mean", MEAN), Column("Score (0 to 100)", SCORE)],
            _timepoint_rows(results)))
    perspective_rows: list[list[Cell]] = [
        [p.id, p.name, s.label, s.n, s.mean, s.score]
        for p in results.principles for s in p.perspectives]
    if perspective_rows:
        sheets.append(Sheet(
            "Perspectives", "Scores by perspective (for example organisation and system)",
            "Scores 0 to 100 [note 1] of the questions asked from more than one perspective.",
            [Column("Principle id", width=16), Column("Principle", width=40),
             Column("Perspective", width=20), Column("Respondents", COUNT, 12),
             Column("Mean", MEAN), Column("Score (0 to 100)", SCORE)], perspective_rows))
    return sheets


def _timepoint_rows(results: Results) -> list[list[Cell]]:
    rows: list[list[Cell]] = [[t.question, t.text, m.label, m.n, m.mean, m.score]
                              for t in results.timepoints for m in t.timepoints]
    rows += [[t.question, t.text, "Gap (last minus first)", t.gap_n, t.gap, None]
             for t in results.timepoints]
    return rows


def _sheet_name(text: str) -> str:
    """A worksheet name: at most 31 characters, none of ``[]:*?/\\``."""
    cleaned = "".join("_" if c in "[]:*?/\\'" else c for c in text)
    return cleaned[:31]
