"""Build survey-platform exports of the same respondents as a leadlens responses CSV.

Each builder writes the file a platform would have given for the survey in a question set,
answered by the respondents of a canonical responses CSV: the same answers, in that
platform's header rows, metadata columns, answer labels, encoding and quoting. The tests
then check that every export scores exactly as the canonical CSV does.

    python tests/import_fixtures.py [RESPONSES.csv] [OUT_DIR]   # writes every layout

Shapes follow the platforms' own exports (see docs/imports.md for sources):

* Google Forms: ``Timestamp``, ``Email address``, then question titles; a grid gives
  ``Title [Row]`` columns; answers are labels.
* Microsoft Forms: ``ID, Start time, Completion time, Email, Name, Last modified time``,
  then one column per Likert statement (in an order of its own); labels.
* Qualtrics: three header rows (short names; question text with ``Question - Statement`` for
  matrix rows; ``{"ImportId":"QID4_1"}``) and metadata; choice text or recode values.
* SurveyMonkey: two header rows; a matrix question's text once, then blanks; row 2 holds
  ``Response``, ``Open-Ended Response`` or the statement.
* LimeSurvey: UTF-8 BOM, every field quoted, CRLF, a trailing blank line; full-text
  headings ``Question [Subquestion]`` with full answers, or codes ``B1[SQ001]`` and ``A1``.
* Excel re-saves: BOM, cp1252, ``;`` and ``sep=;``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from leadlens.questionset.model import Question, QuestionSet, Scale

Row = dict[str, str]


@dataclass(frozen=True)
class Fixture:
    """One built export, and the mapping file it needs (if any)."""

    name: str
    path: Path
    mapping: Path | None = None


def read_canonical(path: Path) -> list[Row]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# ---------------------------------------------------------------- survey structure


@dataclass(frozen=True)
class Grid:
    """A grid (matrix/Likert) question: a title and (row label, answer key) rows."""

    title: str
    rows: list[tuple[str, str]]
    scale: str


def _variant_labels(qs: QuestionSet) -> dict[str, str]:
    return {p.id: p.label for p in qs.perspectives} | {t.id: t.label for t in qs.timepoints}


def survey_items(qs: QuestionSet) -> list[Grid | Question]:
    """The survey as a platform would hold it: one grid per principle (its plain
    statements), one grid per question with perspectives or timepoints (rows = the hats or
    the timepoints), and free-text questions on their own."""
    labels = _variant_labels(qs)
    names = {p.id: p.name for p in qs.principles}
    items: list[Grid | Question] = []
    open_grid: Grid | None = None
    for q in qs.questions:
        if q.type == "text":
            items.append(q)
            open_grid = None
            continue
        assert q.scale is not None
        variants = q.perspectives or q.timepoints
        if variants:
            items.append(Grid(q.text, [(labels[v], f"{q.id}@{v}") for v in variants], q.scale))
            open_grid = None
            continue
        title = names.get(q.principle or "", q.text)
        if open_grid is None or open_grid.title != title:
            open_grid = Grid(title, [], q.scale)
            items.append(open_grid)
        open_grid.rows.append((q.text, q.id))
    return items


def label_for(scale: Scale, cell: str, style: str = "label") -> str:
    """How a platform shows an answer: the option label, an alias, or the number."""
    cell = cell.strip()
    if not cell:
        return ""
    if not cell.lstrip("-").isdigit():
        return cell  # an unscored answer such as "Don't know"
    option = next(o for o in scale.options if o.value == int(cell))
    if style == "number":
        return cell
    if style == "alias" and option.aliases:
        return option.aliases[0]
    if style == "upper":
        return option.label.upper()
    return option.label


def _stamp(row: Row, i: int) -> dt.datetime:
    text = row.get("submitted_at") or ""
    try:
        return dt.datetime.fromisoformat(text).replace(tzinfo=None)
    except ValueError:
        return dt.datetime(2024, 3, 4, 9, 0) + dt.timedelta(minutes=37 * i)


def _rated(qs: QuestionSet, key: str) -> bool:
    q = qs.question_by_id.get(key.split("@")[0])
    return q is not None and q.type == "rating"


def _answer(qs: QuestionSet, row: Row, key: str, style: str) -> str:
    q = qs.question_by_id[key.split("@")[0]]
    scale = qs.scale_of(q)
    return label_for(scale, row.get(key, ""), style) if scale else row.get(key, "")


def _write_csv(path: Path, rows: list[list[str]], *, encoding: str = "utf-8",
               delimiter: str = ",", quoting: int = csv.QUOTE_MINIMAL, newline: str = "\n",
               prefix: str = "", suffix: str = "") -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, quoting=quoting, lineterminator=newline)
    writer.writerows(rows)
    path.write_bytes((prefix + buffer.getvalue() + suffix).encode(encoding))
    return path


# ---------------------------------------------------------------- platforms


def google_forms(qs: QuestionSet, rows: list[Row], out: Path, *, sheets: bool = False) -> Path:
    """Google Forms' "Download responses (.csv)" (or the linked Sheet's CSV download)."""
    header = ["Timestamp", "Email Address" if sheets else "Email address"]
    keys: list[str] = []
    for f in qs.respondent:
        header.append(f.prompt)
        keys.append(f.id)
    for item in survey_items(qs):
        if isinstance(item, Grid):
            for row_label, key in item.rows:
                header.append(f"{item.title} [{row_label}]")
                keys.append(key)
        else:
            header.append(item.text)
            keys.append(item.id)
    body = []
    for i, row in enumerate(rows):
        when = _stamp(row, i)
        stamp = (f"{when.month}/{when.day}/{when.year} {when:%H:%M:%S}" if sheets
                 else f"{when:%Y/%m/%d %I:%M:%S %p} GMT")
        cells = [stamp, f"person{i + 1}@example.org"]
        cells += [_answer(qs, row, k, "label") if "@" in k or k in qs.question_by_id
                  else row.get(k, "") for k in keys]
        body.append(cells)
    name = "google-sheets.csv" if sheets else "google-forms.csv"
    return _write_csv(out / name, [header, *body])


def _ms_forms_table(qs: QuestionSet, rows: list[Row]) -> tuple[list[str], list[list[object]]]:
    meta = ["ID", "Start time", "Completion time", "Email", "Name", "Last modified time"]
    columns: list[tuple[str, str]] = [(f.prompt, f.id) for f in qs.respondent]
    labels = _variant_labels(qs)
    for q in qs.questions:
        variants = q.perspectives or q.timepoints
        for key in q.answer_keys:
            variant = key.split("@")[1] if "@" in key else None
            # A Likert statement cannot be repeated, so the form names the hat in it.
            columns.append((f"{q.text} [{labels[variant]}]" if variant else q.text, key))
        del variants
    random.Random(6).shuffle(columns)  # Forms keeps its own column order
    header = meta + [h for h, _ in columns]
    body: list[list[object]] = []
    for i, row in enumerate(rows):
        done = _stamp(row, i)
        cells: list[object] = [i + 1, done - dt.timedelta(minutes=9), done, "anonymous", "",
                               None]
        for _, key in columns:
            if key in qs.question_by_id or "@" in key:
                text = _answer(qs, row, key, "alias")
            else:
                text = row.get(key, "")
            cells.append(text or None)
        body.append(cells)
    return header, body


def microsoft_forms_xlsx(qs: QuestionSet, rows: list[Row], out: Path) -> Path:
    """Microsoft Forms' "Open in Excel" workbook (answers use the scale's aliases)."""
    from openpyxl import Workbook

    header, body = _ms_forms_table(qs, rows)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Sheet1"
    sheet.append(header)
    for cells in body:
        sheet.append(cells)
    path = out / "microsoft-forms.xlsx"
    book.save(path)
    return path


def microsoft_forms_csv(qs: QuestionSet, rows: list[Row], out: Path) -> Path:
    """The same workbook saved by Excel as "CSV UTF-8" (BOM, CRLF)."""
    header, body = _ms_forms_table(qs, rows)
    text_rows = [header] + [[_excel_text(c) for c in cells] for cells in body]
    return _write_csv(out / "microsoft-forms.csv", text_rows, encoding="utf-8-sig",
                      newline="\r\n")


def _excel_text(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, dt.datetime):
        return f"{cell.month}/{cell.day}/{cell.year % 100} {cell:%H:%M}"
    return str(cell)


QUALTRICS_META = [
    ("StartDate", "Start Date", '{"ImportId":"startDate","timeZone":"Europe/London"}'),
    ("EndDate", "End Date", '{"ImportId":"endDate","timeZone":"Europe/London"}'),
    ("Status", "Response Type", '{"ImportId":"status"}'),
    ("IPAddress", "IP Address", '{"ImportId":"ipAddress"}'),
    ("Progress", "Progress", '{"ImportId":"progress"}'),
    ("Duration (in seconds)", "Duration (in seconds)", '{"ImportId":"duration"}'),
    ("Finished", "Finished", '{"ImportId":"finished"}'),
    ("RecordedDate", "Recorded Date",
     '{"ImportId":"recordedDate","timeZone":"Europe/London"}'),
    ("ResponseId", "Response ID", '{"ImportId":"_recordId"}'),
    ("RecipientLastName", "Recipient Last Name", '{"ImportId":"recipientLastName"}'),
    ("RecipientFirstName", "Recipient First Name", '{"ImportId":"recipientFirstName"}'),
    ("RecipientEmail", "Recipient Email", '{"ImportId":"recipientEmail"}'),
    ("ExternalReference", "External Data Reference", '{"ImportId":"externalDataReference"}'),
    ("LocationLatitude", "Location Latitude", '{"ImportId":"locationLatitude"}'),
    ("LocationLongitude", "Location Longitude", '{"ImportId":"locationLongitude"}'),
    ("DistributionChannel", "Distribution Channel", '{"ImportId":"distributionChannel"}'),
    ("UserLanguage", "User Language", '{"ImportId":"userLanguage"}'),
]


def _smart(text: str) -> str:
    """Qualtrics' editor turns straight quotes into typographic ones."""
    text = text.replace("'", "\u2019")
    out, opening = [], True
    for ch in text:
        if ch == '"':
            out.append("\u201c" if opening else "\u201d")
            opening = not opening
        else:
            out.append(ch)
    return "".join(out)


def qualtrics_columns(qs: QuestionSet) -> list[tuple[str, str, str, str]]:
    """(short name, question text, ImportId, answer key or field id) per question column."""
    columns = []
    number = 0
    for f in qs.respondent:
        number += 1
        suffix = "_TEXT" if f.type == "text" else ""
        columns.append((f"Q{number}", f.prompt, f"QID{number}{suffix}", f.id))
    for item in survey_items(qs):
        number += 1
        if isinstance(item, Grid):
            for r, (row_label, key) in enumerate(item.rows, start=1):
                columns.append((f"Q{number}_{r}", _smart(f"{item.title} - {row_label}"),
                                f"QID{number}_{r}", key))
        else:
            columns.append((f"Q{number}", _smart(item.text), f"QID{number}_TEXT", item.id))
    return columns


def qualtrics(qs: QuestionSet, rows: list[Row], out: Path, *, numeric: bool = False) -> Path:
    """Qualtrics' "Download data table" CSV: choice text, or numeric (recode) values."""
    columns = qualtrics_columns(qs)
    names = [m[0] for m in QUALTRICS_META] + [c[0] for c in columns] + ["Q_DataPolicyViolations"]
    texts = [m[1] for m in QUALTRICS_META] + [c[1] for c in columns] + [
        "Q_DataPolicyViolations"]
    ids = [m[2] for m in QUALTRICS_META] + [json.dumps({"ImportId": c[2]}, separators=(",", ":"))
                                            for c in columns] + [
        '{"ImportId":"Q_DataPolicyViolations"}']
    body = []
    for i, row in enumerate(rows):
        done = _stamp(row, i)
        cells = [f"{done - dt.timedelta(minutes=11):%Y-%m-%d %H:%M:%S}",
                 f"{done:%Y-%m-%d %H:%M:%S}", "IP Address", "", "100", "660", "True",
                 f"{done:%Y-%m-%d %H:%M:%S}", f"R_{i + 1:03d}xYz", "", "", "", "", "", "",
                 "anonymous", "EN-GB"]
        for _, _, _, key in columns:
            if _rated(qs, key):
                cell = _answer(qs, row, key, "number" if numeric else "label")
                if numeric and cell:
                    cell = _recode(qs, key, cell)
                cells.append(cell if numeric else _smart(cell))
            else:
                cells.append(row.get(key, ""))
        cells.append("")
        body.append(cells)
    name = "qualtrics-numeric.csv" if numeric else "qualtrics.csv"
    return _write_csv(out / name, [names, texts, ids, *body], quoting=csv.QUOTE_MINIMAL)


def _recode(qs: QuestionSet, key: str, cell: str) -> str:
    """Qualtrics' default recode of an answer: 1..k for the k choices in order, then the
    unscored choices ("Don't know": k+1)."""
    scale = qs.scale_of(qs.question_by_id[key.split("@")[0]])
    assert scale is not None
    values = sorted(o.value for o in scale.options)
    if cell.lstrip("-").isdigit():
        return str(values.index(int(cell)) + 1)
    return str(len(values) + 1 + scale.unscored.index(cell))


def qualtrics_numeric_mapping(qs: QuestionSet, out: Path) -> Path:
    """The mapping a numeric Qualtrics export needs: what the default recodes stand for
    (only "Don't know" on a 1..k scale; every code on the 0-4 maturity scale)."""
    answers: dict[str, dict[str, int | str]] = {}
    for sid, s in qs.scales.items():
        values = sorted(o.value for o in s.options)
        codes: dict[str, int | str] = {} if values == list(range(1, len(values) + 1)) else {
            str(i): v for i, v in enumerate(values, 1)}
        codes.update({str(len(values) + i): u for i, u in enumerate(s.unscored, 1)})
        answers[sid] = codes
    path = out / "qualtrics-numeric.yaml"
    path.write_text(yaml.safe_dump({"answers": answers}, sort_keys=False), encoding="utf-8")
    return path


SURVEYMONKEY_META = ["Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address",
                     "Email Address", "First Name", "Last Name", "Custom Data 1"]


def surveymonkey(qs: QuestionSet, rows: list[Row], out: Path) -> Path:
    """SurveyMonkey's "All individual responses" CSV (expanded, actual answer text)."""
    top = list(SURVEYMONKEY_META)
    second = [""] * len(SURVEYMONKEY_META)
    keys: list[str] = []
    for f in qs.respondent:
        top.append(f.prompt)
        second.append("Open-Ended Response" if f.type == "text" else "Response")
        keys.append(f.id)
    for item in survey_items(qs):
        if isinstance(item, Grid):
            for r, (row_label, key) in enumerate(item.rows):
                top.append(item.title if r == 0 else "")
                second.append(row_label)
                keys.append(key)
        else:
            top.append(item.text)
            second.append("Open-Ended Response")
            keys.append(item.id)
    body = []
    for i, row in enumerate(rows):
        done = _stamp(row, i)
        start = done - dt.timedelta(minutes=8)
        cells = [str(114000000000 + i), "431234567", f"{start:%m/%d/%Y %I:%M:%S %p}",
                 f"{done:%m/%d/%Y %I:%M:%S %p}", "203.0.113.7", "", "", "", ""]
        cells += [_answer(qs, row, k, "label") if k in qs.question_by_id or "@" in k
                  else row.get(k, "") for k in keys]
        body.append(cells)
    return _write_csv(out / "surveymonkey.csv", [top, second, *body])


LIMESURVEY_META = [("id", "Response ID"), ("submitdate", "Date submitted"),
                   ("lastpage", "Last page"), ("startlanguage", "Start language"),
                   ("seed", "Seed"), ("startdate", "Date started"),
                   ("datestamp", "Date last action")]


def limesurvey(qs: QuestionSet, rows: list[Row], out: Path, *, codes: bool = False) -> Path:
    """LimeSurvey's "Export results" CSV: full headings and answers, or codes for both."""
    header = [code if codes else text for code, text in LIMESURVEY_META]
    keys: list[str] = []
    for n, f in enumerate(qs.respondent, start=1):
        header.append(f"R{n}" if codes else f.prompt)
        keys.append(f.id)
    group = 0
    for item in survey_items(qs):
        group += 1
        if isinstance(item, Grid):
            for r, (row_label, key) in enumerate(item.rows, start=1):
                header.append(f"G{group}[SQ{r:03d}]" if codes else f"{item.title} [{row_label}]")
                keys.append(key)
        else:
            header.append(f"T{group}" if codes else item.text)
            keys.append(item.id)
    body = []
    for i, row in enumerate(rows):
        done = _stamp(row, i)
        stamp = f"{done:%Y-%m-%d %H:%M:%S}"
        cells = [str(i + 1), stamp, "9", "en", str(1000 + i), stamp, stamp]
        for key in keys:
            if key in qs.question_by_id or "@" in key:
                q = qs.question_by_id[key.split("@")[0]]
                scale = qs.scale_of(q)
                cell = row.get(key, "")
                if codes and scale is not None and cell:
                    # Answer codes A1..An in option order; the unscored answer comes last.
                    values = [o.value for o in scale.options]
                    cell = (f"A{values.index(int(cell)) + 1}" if cell.lstrip("-").isdigit()
                            else f"A{len(values) + 1}")
                elif scale is not None:
                    cell = label_for(scale, cell)
                cells.append(cell)
            else:
                cells.append(row.get(key, ""))
        body.append(cells)
    name = "limesurvey-codes.csv" if codes else "limesurvey.csv"
    return _write_csv(out / name, [header, *body], encoding="utf-8-sig",
                      quoting=csv.QUOTE_ALL, newline="\r\n", suffix="\r\n")


def limesurvey_codes_mapping(qs: QuestionSet, out: Path) -> Path:
    """The mapping a code-headed LimeSurvey export needs: codes to ids, codes to values."""
    columns: list[dict[str, str]] = [{"code": f"R{n}", "to": f.id}
                                     for n, f in enumerate(qs.respondent, start=1)]
    group = 0
    for item in survey_items(qs):
        group += 1
        if isinstance(item, Grid):
            for r, (_, key) in enumerate(item.rows, start=1):
                columns.append({"code": f"G{group}[SQ{r:03d}]", "to": key})
        else:
            columns.append({"code": f"T{group}", "to": item.id})
    answers: dict[str, dict[str, int | str]] = {}
    for sid, scale in qs.scales.items():
        codes: dict[str, int | str] = {f"A{n}": o.value
                                       for n, o in enumerate(scale.options, start=1)}
        if scale.unscored:
            codes[f"A{len(scale.options) + 1}"] = scale.unscored[0]
        answers[sid] = codes
    path = out / "limesurvey-codes.yaml"
    path.write_text(yaml.safe_dump({"columns": columns, "answers": answers}, sort_keys=False,
                                   allow_unicode=True), encoding="utf-8")
    return path


def excel_resaves(qs: QuestionSet, rows: list[Row], out: Path,
                  canonical: Path) -> list[Fixture]:
    """A Google Forms export and the canonical CSV as Excel saves them in other locales."""
    google = google_forms(qs, rows, out)
    with google.open(encoding="utf-8", newline="") as handle:
        table = list(csv.reader(handle))
    with canonical.open(encoding="utf-8", newline="") as handle:
        plain = list(csv.reader(handle))
    return [
        Fixture("excel-utf8-bom", _write_csv(out / "excel-utf8-bom.csv", table,
                                             encoding="utf-8-sig", newline="\r\n")),
        Fixture("excel-cp1252", _write_csv(out / "excel-cp1252.csv", table, encoding="cp1252",
                                           newline="\r\n")),
        Fixture("excel-cp1252-semicolon-sep", _write_csv(
            out / "excel-cp1252-semicolon-sep.csv", table, encoding="cp1252", delimiter=";",
            newline="\r\n", prefix="sep=;\r\n")),
        Fixture("excel-cp1252-semicolon-canonical", _write_csv(
            out / "excel-cp1252-semicolon-canonical.csv", plain, encoding="cp1252", delimiter=";",
            newline="\r\n")),
    ]


Builder = Callable[[QuestionSet, list[Row], Path], Path]


def build_all(qs: QuestionSet, canonical: Path, out: Path) -> list[Fixture]:
    """Every layout, written under ``out`` from the respondents of ``canonical``."""
    out.mkdir(parents=True, exist_ok=True)
    rows = read_canonical(canonical)
    fixtures = [
        Fixture("google-forms", google_forms(qs, rows, out)),
        Fixture("google-sheets", google_forms(qs, rows, out, sheets=True)),
        Fixture("microsoft-forms-xlsx", microsoft_forms_xlsx(qs, rows, out)),
        Fixture("microsoft-forms-csv", microsoft_forms_csv(qs, rows, out)),
        Fixture("qualtrics", qualtrics(qs, rows, out)),
        Fixture("qualtrics-numeric", qualtrics(qs, rows, out, numeric=True),
                qualtrics_numeric_mapping(qs, out)),
        Fixture("surveymonkey", surveymonkey(qs, rows, out)),
        Fixture("limesurvey", limesurvey(qs, rows, out)),
        Fixture("limesurvey-codes", limesurvey(qs, rows, out, codes=True),
                limesurvey_codes_mapping(qs, out)),
    ]
    return fixtures + excel_resaves(qs, rows, out, canonical)


def main(argv: list[str]) -> None:
    from leadlens.questionset.loading import load_question_set

    repo = Path(__file__).resolve().parents[1]
    canonical = Path(argv[0]) if argv else repo / "examples" / "responses.csv"
    out = Path(argv[1]) if len(argv) > 1 else Path("import-fixtures")
    for fixture in build_all(load_question_set(None), canonical, out):
        extra = f" (with --mapping {fixture.mapping})" if fixture.mapping else ""
        sys.stdout.write(f"{fixture.name}: {fixture.path}{extra}\n")


if __name__ == "__main__":
    main(sys.argv[1:])
