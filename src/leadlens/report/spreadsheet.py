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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import TYPE_CHECKING

from leadlens.questionset.model import shown_places, shown_score
from leadlens.results.document import (
    Favourability,
    GroupBreakdown,
    GroupPrinciple,
    PerspectiveScore,
    PrincipleResult,
    Results,
)
from leadlens.results.tables import NOT_AVAILABLE_MARK, SUPPRESSED_MARK

if TYPE_CHECKING:
    from openpyxl import Workbook  # type: ignore[import-untyped]
    from openpyxl.worksheet.worksheet import Worksheet  # type: ignore[import-untyped]

    from leadlens.report.cover import Cover

NOT_AVAILABLE = NOT_AVAILABLE_MARK
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
    banded: bool = False
    """A 0-100 score: stored as every output shows it, rounded *down* to one decimal
    (:func:`~leadlens.questionset.model.shown_score`), so that its cell never reads as the
    band above its own (59.96 is 59.9 beside "Developing", never 60.0)."""


def score_column(heading: str, width: int = 14) -> Column:
    return Column(heading, SCORE, width, banded=True)


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
        _table(book, sheet, f"Table_{number}", [b.from_ for b in results.question_set.bands])
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
    paragraphs: list[tuple[str, str | int]] = [
        ("About these tables", f"Scores from the {qs.title} survey, on a scale of 0 to 100, by "
         "principle, question and group. The Contents worksheet lists the tables; the Notes "
         "worksheet explains the methods and the symbols [c] and [x]."),
        ("Question set", f"{qs.id}, version {qs.version}.{based_on}"),
        ("Respondents", results.respondents),  # a number, as the guidance asks
        # names only, never folders (as the reports show them): a path can name a person
        ("Responses", ", ".join(PurePath(s).name for s in results.sources) or "-"),
        ("Date", f"Scored on {results.generated_at:%d %B %Y} by leadlens "
         f"{results.leadlens_version}."),
        ("Protecting respondents", f"Groups of fewer than {results.min_group_size} "
         "respondents are not shown, and neither is the next smallest group when that would "
         "let a hidden one be worked out by subtraction; such cells show [c]."),
        ("Contact", cover.contact if cover is not None and cover.contact else
         "No contact was given when these tables were made (leadlens score --contact "
         "adds one, e.g. the team's name and e-mail address)."),
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
    notes = notes_text(results)
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


def notes_text(results: Results) -> list[str]:
    """The Notes sheet's notes, in order: ``[note 1]`` is the first (tables cite them)."""
    qs = results.question_set
    bands = "; ".join(f"{b.label} from {b.from_:g}" for b in qs.bands)
    method = qs.scoring.reliability
    return [
        "Scores: each answer is placed on a scale of 0 (the lowest option) to 100 (the "
        "highest), reverse-keyed questions turned round; a respondent's principle score is "
        "the weighted mean of their answered questions, and the principle's score the mean "
        "of its respondents' scores. Scores are stored rounded down to one decimal, as "
        "every leadlens output shows them, so that a score never reads as the band above its "
        "own (59.96 is 59.9, in the band below 60); other figures are stored unrounded and "
        "shown rounded. The exact scores are in results.json and results.parquet.",
        "95% CI: the 95% confidence interval of a mean score (a t interval).",
        f"Alpha: Cronbach's alpha of a principle's questions ({method}: "
        + ("from respondents who answered every one of them" if method == "listwise" else
           "from every pair of answers, as psych's default")
        + f"), with Feldt's 95% interval, standardised alpha, the mean inter-item "
        f"correlation, Guttman's lambda-6 and omega total (one-factor minres). Reliability "
        f"needs at least {_reliability_minimum()} respondents (omega 100 and three "
        "questions); below that the cells show [x] and say why.",
        f"[c]: withheld to protect respondents: the group has fewer than "
        f"{results.min_group_size} respondents, or showing it would let a smaller hidden "
        "group be worked out by subtraction. This holds within one run: publish every "
        "breakdown from one leadlens score run, since the figures of two runs with different "
        "--by breakdowns can be subtracted from one another.",
        "[x]: not available: the figure does not exist (for example alpha for one question, "
        "or a mean when nobody answered).",
        f"Bands: {bands}.",
        "Unscored answers such as \"Don't know\" count as missing in scores and are counted "
        "on the Items worksheet.",
        "% favourable, neutral and unfavourable: shares of the scored answers (each scale's "
        "favourable options, their mirror images, and the rest), with Wilson 95% intervals.",
        "Agreement: rwg(j) (James, Demaree and Wolf), 0 no agreement to 1 full, against a "
        "uniform null, from respondents who answered every question; from 0.7 the group is "
        "read as agreed, from 0.5 as partly agreed, else split. AD_M: the mean absolute "
        "deviation from the question means, on the scale's own units. Both rest on those "
        "who answered every question (Agreement respondents) and are withheld below the "
        "anonymity threshold of them.",
        "Contested: at least a quarter of respondents score clearly below 50 and a quarter "
        "clearly above (at least half an answer step away), so the average hides a split.",
        "Key check: the sign of each question's loading on the first principal component of "
        "its principle's keyed questions; a negative loading suggests the question is keyed "
        "the wrong way round, and alpha with the suggested keys is shown.",
        "ICC(1): the share of the score's variance that lies between the groups of a "
        "breakdown; ICC(2): how reliable the group means are; p: the F test (from 0.05 the "
        "groups differ no more than chance would make them). Shown groups only.",
    ]


def _reliability_minimum() -> int:
    from leadlens.scoring.reliability import MIN_RELIABILITY_N

    return MIN_RELIABILITY_N


def _table(book: Workbook, spec: Sheet, name: str, cuts: Sequence[float]) -> None:
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
            if column.banded and isinstance(value, float):
                places = shown_places(cuts, 1)
                _put(sheet, header_row + offset, position, shown_score(value, cuts, 1),
                     "0." + "0" * places)
            else:
                _put(sheet, header_row + offset, position, value, column.number_format)
    _excel_table(sheet, name, header_row, len(spec.columns), len(spec.rows))


SHARE_COLUMNS = [Column("% favourable [note 8]", SHARE, 12),
                 Column("% favourable CI lower", SHARE, 12),
                 Column("% favourable CI upper", SHARE, 12),
                 Column("% neutral", SHARE, 10), Column("% unfavourable", SHARE, 12)]


def _shares(shares: Favourability | None) -> list[Cell]:
    if shares is None:
        return [None] * len(SHARE_COLUMNS)
    return [shares.favourable, *shares.favourable_ci95, shares.neutral, shares.unfavourable]


def _flag(value: bool) -> str:
    return "Yes" if value else "No"


def _table_sheets(results: Results) -> list[Sheet]:
    qs = results.question_set
    band_label = {b.id: b.label for b in qs.bands}
    survey = results.withheld is not None

    def band(band_id: str | None) -> str | None:
        return None if band_id is None else band_label.get(band_id, band_id)

    def hidden(row: list[Cell], why: str | None, keep: int) -> list[Cell]:
        """The row, or its first ``keep`` cells and [c] in every other when withheld."""
        if why is None and not survey:
            return row
        return row[:keep] + [WITHHELD] * (len(row) - keep)

    sheets = [_principles_sheet(results, band, hidden), _reliability_sheet(results, hidden),
              _items_sheet(results, hidden)]
    for breakdown in results.groups.values():
        sheets += _group_sheets(results, breakdown, band)
    if any(b.icc or b.spread for b in results.groups.values()):
        sheets.append(_differences_sheet(results))
    if results.timepoints:
        sheets.append(Sheet(
            "Timepoints", "Means by timepoint (for example now and in future)",
            "Means on the scale's own units; the gap is the last timepoint minus the first, "
            "among those who answered both.",
            [Column("Question id", width=16), Column("Question", width=60),
             Column("Timepoint", width=16), Column("Respondents", COUNT, 12),
             Column("Mean", MEAN), score_column("Score (0 to 100)")],
            _timepoint_rows(results, hidden)))
    perspective_rows: list[list[Cell]] = [
        hidden([p.id, p.name, s.label, s.n, s.mean, s.score], s.withheld or p.withheld, 3)
        for p in results.principles for s in p.perspectives]
    if perspective_rows:
        sheets.append(Sheet(
            "Perspectives", "Scores by perspective (for example organisation and system)",
            "Scores 0 to 100 [note 1] of the questions asked from more than one perspective.",
            [Column("Principle id", width=16), Column("Principle", width=40),
             Column("Perspective", width=20), Column("Respondents", COUNT, 12),
             Column("Mean", MEAN), score_column("Score (0 to 100)")], perspective_rows))
    return sheets


Hide = Callable[[list[Cell], "str | None", int], list[Cell]]


def _principles_sheet(results: Results, band: Callable[[str | None], str | None],
                      hidden: Hide) -> Sheet:
    from leadlens.scoring.agreement import agreement_words

    principles = Sheet(
        "Principles", "Scores by principle, and overall",
        f"Every respondent ({results.respondents}); scores 0 to 100 [note 1], with % "
        "favourable [note 8], agreement [note 9] and whether the room is split [note 10].",
        [Column("Principle id", width=16), Column("Principle", width=40),
         Column("Respondents", COUNT, 12), Column("Mean (scale units)", MEAN),
         Column("Standard deviation", MEAN), score_column("Score (0 to 100)"),
         Column("95% CI lower [note 2]", SCORE), Column("95% CI upper [note 2]", SCORE),
         Column("Band [note 6]", width=20), Column("Alpha [note 3]", MEAN),
         Column("Alpha respondents", COUNT), Column("Unscored share", SHARE),
         *SHARE_COLUMNS, Column("Contested [note 10]", width=12),
         Column("Agreement rwg(j) [note 9]", MEAN), Column("Agreement", width=14),
         Column("AD_M [note 9]", MEAN), Column("Agreement respondents [note 9]", COUNT)],
        [hidden([p.id, p.name, p.n, p.mean, p.sd, p.score, *(p.ci95 or (None, None)),
                 band(p.band), p.alpha, p.alpha_n, p.unscored_share,
                 *_shares(p.favourability), _flag(p.contested), p.rwg_j,
                 agreement_words(p.rwg_j), p.ad_m, p.agreement_n], p.withheld, 2)
         for p in results.principles])
    overall = results.overall
    blank: list[Cell] = [None] * (len(principles.columns) - 12)
    principles.rows.append(hidden(
        ["overall", "Overall", overall.n, None, overall.sd, overall.score,
         *(overall.ci95 or (None, None)), band(overall.band), None, None, None, *blank],
        overall.withheld, 2))
    return principles


def _reliability_sheet(results: Results, hidden: Hide) -> Sheet:
    def figures(key: str, name: str, view: str, r: PrincipleResult | PerspectiveScore,
                why: str | None, extra: list[Cell]) -> list[Cell]:
        few = 0 < (r.alpha_n or 0) < results.min_group_size
        withheld = (r.withheld if isinstance(r, PerspectiveScore) else None) or (
            "few" if few else None)
        reason = why if why is not None and r.alpha is None else None
        return hidden([key, name, view, r.alpha_n, r.alpha, *(r.alpha_ci95 or (None, None)),
                       r.alpha_std, r.average_r, r.g6, r.omega_total, *extra,
                       reason or "given"], withheld, 3)

    rows: list[list[Cell]] = []
    for p in results.principles:
        suggested = ", ".join(p.reverse_suggested) or "none"
        rows.append(figures(p.id, p.name, "all questions", p, p.reliability_withheld,
                            [suggested, p.alpha_rekeyed]))
        if p.withheld is not None:
            rows[-1] = rows[-1][:3] + [WITHHELD] * (len(rows[-1]) - 3)
        rows += [figures(p.id, p.name, s.label, s, None, [None, None])
                 for s in p.perspectives]
    return Sheet(
        "Reliability", "Reliability of each principle's questions",
        f"Alpha and its companions [note 3] ({results.question_set.scoring.reliability}), by "
        "principle and by perspective; the key check's suggested reversals [note 11].",
        [Column("Principle id", width=16), Column("Principle", width=40),
         Column("Perspective", width=14), Column("Alpha respondents", COUNT),
         Column("Alpha [note 3]", MEAN), Column("Alpha 95% CI lower", MEAN),
         Column("Alpha 95% CI upper", MEAN), Column("Standardised alpha", MEAN),
         Column("Mean inter-item correlation", MEAN), Column("Guttman's lambda-6", MEAN),
         Column("Omega total", MEAN), Column("Reverse suggested [note 11]", width=22),
         Column("Alpha with suggested keys", MEAN),
         Column("Reliability given, or why not", width=50)], rows)


def _items_sheet(results: Results, hidden: Hide) -> Sheet:
    items = [item for p in results.principles for item in p.items] + list(results.items)
    return Sheet(
        "Items", "Answers by question",
        "Each question's answers on its scale's own units; unscored answers [note 7]; "
        "% favourable [note 8]; the key check [note 11].",
        [Column("Answer key", width=22), Column("Principle id", width=16),
         Column("Question", width=60), Column("Respondents", COUNT, 12),
         Column("Missing", COUNT, 10), Column("Unscored", COUNT, 10), Column("Mean", MEAN),
         Column("Standard deviation", MEAN), Column("Item-total correlation (r.drop)", MEAN),
         Column("Alpha if dropped", MEAN), Column("First component loading", MEAN),
         Column("Reverse suggested [note 11]", width=14), *SHARE_COLUMNS],
        [hidden([i.key, i.principle, i.text, i.n, i.missing, i.unscored, i.mean, i.sd,
                 i.item_total_r, i.alpha_if_dropped, i.pc1_loading,
                 _flag(i.flagged) if i.principle is not None else None,
                 *_shares(i.favourability)], i.withheld, 3) for i in items])


def _group_sheets(results: Results, breakdown: GroupBreakdown,
                  band: Callable[[str | None], str | None]) -> list[Sheet]:
    qs = results.question_set
    survey = results.withheld is not None
    rows: list[list[Cell]] = []
    detail: list[list[Cell]] = []
    names = {p.id: p.name for p in qs.principles}
    for group in breakdown.groups:
        if group.suppressed or survey:
            rows.append([group.value, WITHHELD, WITHHELD, *[WITHHELD for _ in qs.principles]])
            detail += [[group.value, names[p.id], *[WITHHELD] * (len(_DETAIL) - 2)]
                       for p in qs.principles]
            continue
        found = {gp.id: gp for gp in group.principles}
        rows.append([group.value, group.n,
                     WITHHELD if group.overall_suppressed_reason else group.overall,
                     *[_group_score(found.get(p.id)) for p in qs.principles]])
        for p in qs.principles:
            gp = found.get(p.id)
            if gp is not None and gp.suppressed_reason:
                detail.append([group.value, p.name, *[WITHHELD] * (len(_DETAIL) - 2)])
            elif gp is None:
                detail.append([group.value, p.name, *[None] * (len(_DETAIL) - 2)])
            else:
                detail.append([group.value, p.name, gp.n, gp.score, band(gp.band), gp.sd,
                               *(gp.ci95 or (None, None)), _flag(gp.contested), gp.rwg_j,
                               gp.agreement, gp.ad_m, gp.agreement_n,
                               *([WITHHELD] * len(SHARE_COLUMNS)
                                 if gp.favourability_suppressed_reason
                                 else _shares(gp.favourability))])
    if breakdown.withheld is not None and not rows:
        why = f"No group is listed: {breakdown.withheld}"
    else:
        why = "[c]: withheld to protect respondents [note 4]."
    return [
        Sheet(_sheet_name(f"By {breakdown.field}"),
              f"Scores by {breakdown.field} (\"{breakdown.prompt}\")",
              f"Scores 0 to 100 [note 1] for each answer to \"{breakdown.prompt}\"; {why}",
              [Column("Group", width=40), Column("Respondents", COUNT, 12),
               score_column("Overall score"),
               *[score_column(f"{p.name} score", 16) for p in qs.principles]], rows),
        Sheet(_sheet_name(f"Detail by {breakdown.field}"),
              f"Agreement and % favourable by {breakdown.field}, principle by principle",
              f"One row per group and principle: score [note 1], standard deviation, "
              f"agreement [note 9], "
              f"contested [note 10] and % favourable [note 8]; {why}", _DETAIL, detail)]


def _group_score(gp: GroupPrinciple | None) -> Cell:
    if gp is None:
        return None
    return WITHHELD if gp.suppressed_reason else gp.score


_DETAIL = [Column("Group", width=40), Column("Principle", width=36),
           Column("Respondents", COUNT, 12), score_column("Score (0 to 100)"),
           Column("Band [note 6]", width=16), Column("Standard deviation", MEAN),
           Column("95% CI lower [note 2]", SCORE), Column("95% CI upper [note 2]", SCORE),
           Column("Contested [note 10]", width=12), Column("Agreement rwg(j) [note 9]", MEAN),
           Column("Agreement", width=14), Column("AD_M [note 9]", MEAN),
           Column("Agreement respondents [note 9]", COUNT), *SHARE_COLUMNS]


def _differences_sheet(results: Results) -> Sheet:
    from leadlens.results.display import shown_spread

    rows: list[list[Cell]] = []
    names = {p.id: p.name for p in results.question_set.principles}
    cuts = [b.from_ for b in results.question_set.bands]
    for breakdown in results.groups.values():
        spreads = {s.principle: s for s in breakdown.spread}
        for icc in breakdown.icc:
            spread = spreads.get(icc.principle)
            rows.append([breakdown.field, names.get(icc.principle, icc.principle), icc.groups,
                         icc.n, icc.icc1, icc.icc2, icc.p,
                         None if spread is None else shown_spread(breakdown, spread, cuts, 1),
                         None if spread is None else spread.lowest,
                         None if spread is None else spread.highest])
    return Sheet(
        "Group differences", "Do the groups of each breakdown differ?",
        "ICC(1), ICC(2) and the F test [note 12] per breakdown and principle, over the shown "
        "groups, with the spread between the highest and lowest shown group's score (the "
        "difference of their scores as shown, rounded down [note 1]).",
        [Column("Breakdown", width=16), Column("Principle", width=36),
         Column("Shown groups", COUNT, 10), Column("Respondents", COUNT, 12),
         Column("ICC(1) [note 12]", MEAN), Column("ICC(2) [note 12]", MEAN),
         Column("p", "0.000", 10), Column("Spread (0 to 100)", SCORE),
         Column("Lowest group", width=30), Column("Highest group", width=30)], rows)


def _timepoint_rows(results: Results, hidden: Hide) -> list[list[Cell]]:
    rows: list[list[Cell]] = [hidden([t.question, t.text, m.label, m.n, m.mean, m.score],
                                     m.withheld, 3)
                              for t in results.timepoints for m in t.timepoints]
    rows += [hidden([t.question, t.text, "Gap (last minus first)", t.gap_n, t.gap, None],
                    t.gap_withheld, 3) for t in results.timepoints]
    return rows


def _sheet_name(text: str) -> str:
    """A worksheet name: at most 31 characters, none of ``[]:*?/\\``."""
    cleaned = "".join("_" if c in "[]:*?/\\'" else c for c in text)
    return cleaned[:31]
