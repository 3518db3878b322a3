"""What each survey platform's export looks like: its header rows and metadata columns.

A platform is recognised from its header rows alone, so detection reads only the first
records. Each platform says how many records form the header, which header row is the
question text (used in messages), and which columns are its own metadata: those are
ignored, except the response id and completion time, which become ``respondent_id`` and
``submitted_at``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

from leadlens.errors import Code, Problem
from leadlens.questionset.model import Platform
from leadlens.responses.exports.text import normalise

CANONICAL = "leadlens"
"""The responses-CSV layout leadlens itself writes (answer keys as headers)."""

PLATFORM_NAMES: dict[str, str] = {
    "google-forms": "Google Forms",
    "microsoft-forms": "Microsoft Forms",
    "qualtrics": "Qualtrics",
    "surveymonkey": "SurveyMonkey",
    "limesurvey": "LimeSurvey",
    "csv": "CSV (one header row)",
    CANONICAL: "leadlens responses CSV (read by the fast reader)",
}


@dataclass(frozen=True)
class Column:
    """One column's header, as every header row gives it."""

    index: int
    display: str
    """How messages name it: the question-text row (plus the statement for SurveyMonkey)."""
    texts: tuple[str, ...]
    """Header texts to match against question texts, field prompts and ids."""
    pairs: tuple[tuple[str, str], ...] = ()
    """(question, statement) pairs given by separate header rows (SurveyMonkey)."""
    code: str | None = None
    """A short name or code: the Qualtrics names row, or the header itself."""
    import_id: str | None = None
    metadata: str | None = None
    """``respondent_id``, ``submitted_at`` or ``ignore`` for the platform's own columns."""


@dataclass
class Layout:
    """How a file's header is built and which records hold responses."""

    platform: str
    header_lines: list[int]
    columns: list[Column]
    problems: list[Problem] = field(default_factory=list)
    numbered_duplicates: bool = False
    """Microsoft Forms appends 2, 3, ... to repeated headers."""


Rows = list[list[str]]

# Metadata by platform: normalised header -> role.
_ID, _AT, _IGNORE = "respondent_id", "submitted_at", "ignore"

GOOGLE_TIMESTAMPS = ("timestamp", "marca temporal", "horodateur", "zeitstempel",
                     "informazioni cronologiche", "carimbo de data/hora", "tijdstempel")
GOOGLE_META = {**dict.fromkeys(GOOGLE_TIMESTAMPS, _AT), "email address": _IGNORE,
               "score": _IGNORE, "total score": _IGNORE}
MS_FORMS_META = {"id": _ID, "start time": _IGNORE, "completion time": _AT, "email": _IGNORE,
                 "name": _IGNORE, "last modified time": _IGNORE, "total points": _IGNORE,
                 "quiz feedback": _IGNORE, "grade posted to students": _IGNORE}
MS_FORMS_PREFIXES = ("points - ", "feedback - ")
QUALTRICS_NAMES = {
    "StartDate": _IGNORE, "EndDate": _AT, "Status": _IGNORE, "IPAddress": _IGNORE,
    "Progress": _IGNORE, "Duration (in seconds)": _IGNORE, "Finished": _IGNORE,
    "RecordedDate": _IGNORE, "ResponseId": _ID, "ResponseID": _ID,
    "RecipientLastName": _IGNORE, "RecipientFirstName": _IGNORE, "RecipientEmail": _IGNORE,
    "ExternalReference": _IGNORE, "ExternalDataReference": _IGNORE,
    "LocationLatitude": _IGNORE, "LocationLongitude": _IGNORE,
    "DistributionChannel": _IGNORE, "UserLanguage": _IGNORE,
}
QUALTRICS_TEXTS = {
    "start date": _IGNORE, "end date": _AT, "response type": _IGNORE, "ip address": _IGNORE,
    "progress": _IGNORE, "duration (in seconds)": _IGNORE, "finished": _IGNORE,
    "recorded date": _IGNORE, "response id": _ID, "recipient last name": _IGNORE,
    "recipient first name": _IGNORE, "recipient email": _IGNORE,
    "external data reference": _IGNORE, "location latitude": _IGNORE,
    "location longitude": _IGNORE, "distribution channel": _IGNORE, "user language": _IGNORE,
}
SURVEYMONKEY_META = {"respondent id": _ID, "collector id": _IGNORE, "start date": _IGNORE,
                     "end date": _AT, "ip address": _IGNORE, "email address": _IGNORE,
                     "first name": _IGNORE, "last name": _IGNORE}
SURVEYMONKEY_GENERIC = ("response", "open-ended response")
LIMESURVEY_META = {
    "id": _ID, "submitdate": _AT, "lastpage": _IGNORE, "startlanguage": _IGNORE,
    "seed": _IGNORE, "startdate": _IGNORE, "datestamp": _IGNORE, "ipaddr": _IGNORE,
    "refurl": _IGNORE, "token": _IGNORE, "interviewtime": _IGNORE,
    "response id": _ID, "date submitted": _AT, "last page": _IGNORE,
    "start language": _IGNORE, "date started": _IGNORE, "date last action": _IGNORE,
    "ip address": _IGNORE, "referrer url": _IGNORE, "access code": _IGNORE,
    "total time": _IGNORE,
}
LIMESURVEY_SIGNATURE = ({"id", "response id"}, {"submitdate", "date submitted"},
                        {"lastpage", "last page"}, {"startlanguage", "start language"})


def _norm_row(row: list[str]) -> list[str]:
    return [normalise(c) for c in row]


def _is_import_id_row(row: list[str]) -> bool:
    filled = [c for c in row if c.strip()]
    return bool(filled) and sum(c.lstrip().startswith('{"ImportId"') for c in filled) * 2 >= len(
        filled)


def _qualtrics_names(row: list[str]) -> int:
    return sum(c.strip() in QUALTRICS_NAMES for c in row)


def _qualtrics_texts(row: list[str]) -> int:
    return sum(normalise(c) in QUALTRICS_TEXTS for c in row)


def _looks_like_names(row: list[str]) -> bool:
    """Short names (``Q1_1``) have no spaces; question texts mostly do."""
    filled = [c.strip() for c in row if c.strip()]
    names, texts = _qualtrics_names(row), _qualtrics_texts(row)
    if max(names, texts) >= 2:
        return names > texts
    return bool(filled) and sum(" " not in c for c in filled) * 5 >= len(filled) * 3


def qualtrics_roles(rows: Rows) -> dict[str, int]:
    """Which of the first records are Qualtrics' header rows: ``names``, ``text``, ``ids``."""
    ids = next((i for i, r in enumerate(rows[:3]) if _is_import_id_row(r)), None)
    if ids is not None:
        roles = {"ids": ids}
        if ids == 2:
            roles.update(names=0, text=1)
        elif ids == 1:
            roles["names" if _looks_like_names(rows[0]) else "text"] = 0
        return roles
    roles = {}
    for i, row in enumerate(rows[:2]):
        names, texts = _qualtrics_names(row), _qualtrics_texts(row)
        role = None if max(names, texts) < 3 else "names" if names > texts else "text"
        if role is None or role in roles:
            break
        roles[role] = i
    return roles


def detect(rows: Rows) -> str:
    """The platform whose export these first records look like (``csv`` if none)."""
    if not rows:
        return "csv"
    first = _norm_row(rows[0])
    if first[:2] == ["respondent id", "collector id"]:
        return "surveymonkey"
    if first[:3] == ["id", "start time", "completion time"]:
        return "microsoft-forms"
    if first and first[0] in GOOGLE_TIMESTAMPS:
        return "google-forms"
    present = set(first)
    if all(present & names for names in LIMESURVEY_SIGNATURE):
        return "limesurvey"
    if qualtrics_roles(rows):
        return "qualtrics"
    return "csv"


def layout(platform: Platform | str, rows: Rows, lines: list[int], name: str) -> Layout:
    """Build the header of a file read as ``platform``'s export from its first records."""
    return _BUILDERS.get(platform, _one_row)(platform, rows, lines, name)


def _one_row(platform: str, rows: Rows, lines: list[int], name: str,
             meta: Callable[[str], str | None] | None = None) -> Layout:
    del name
    header = rows[0] if rows else []
    columns = [Column(index=i, display=h, texts=(h,), code=h.strip(),
                      metadata=meta(h) if meta else None) for i, h in enumerate(header)]
    return Layout(platform=platform, header_lines=lines[:1], columns=columns)


def _google(platform: str, rows: Rows, lines: list[int], name: str) -> Layout:
    return _one_row(platform, rows, lines, name, lambda h: GOOGLE_META.get(normalise(h)))


def _ms_forms_meta(header: str) -> str | None:
    text = normalise(header)
    if text.startswith(MS_FORMS_PREFIXES):
        return _IGNORE
    return MS_FORMS_META.get(text)


def _ms_forms(platform: str, rows: Rows, lines: list[int], name: str) -> Layout:
    result = _one_row(platform, rows, lines, name, _ms_forms_meta)
    result.numbered_duplicates = True
    return result


def _limesurvey_meta(header: str) -> str | None:
    text = normalise(header)
    if text in LIMESURVEY_META:
        return LIMESURVEY_META[text]
    if text.startswith(("grouptime", "group time:", "question time:")):
        return _IGNORE
    return None


def _limesurvey(platform: str, rows: Rows, lines: list[int], name: str) -> Layout:
    return _one_row(platform, rows, lines, name, _limesurvey_meta)


def _surveymonkey(platform: str, rows: Rows, lines: list[int], name: str) -> Layout:
    top = rows[0] if rows else []
    second = rows[1] if len(rows) > 1 else []
    two_rows = any(normalise(c) in SURVEYMONKEY_GENERIC for c in second)
    columns: list[Column] = []
    question = ""
    for i, cell in enumerate(top):
        meta = SURVEYMONKEY_META.get(normalise(cell))
        if meta is None and normalise(cell).startswith("custom data"):
            meta = _IGNORE
        if cell.strip():
            question = cell
        statement = second[i] if two_rows and i < len(second) else ""
        if meta is not None or not statement.strip() or normalise(statement) in (
                SURVEYMONKEY_GENERIC):
            columns.append(Column(index=i, display=question, texts=(question,),
                                  code=question.strip(), metadata=meta))
        else:
            columns.append(Column(index=i, display=f"{question} [{statement}]",
                                  texts=(statement,), pairs=((question, statement),)))
    problems = []
    if not two_rows and rows:
        problems.append(Problem(
            file=name, line=lines[0], severity="warning",
            message="SurveyMonkey export with one header row (the second, with 'Response' "
            "and the statements, is missing); grid statements cannot be told apart",
            code=Code.EXPORT_PARTIAL_HEADER))
    return Layout(platform=platform, header_lines=lines[:2 if two_rows else 1],
                  columns=columns, problems=problems)


def _qualtrics(platform: str, rows: Rows, lines: list[int], name: str) -> Layout:
    roles = qualtrics_roles(rows) or {"names": 0}
    count = max(roles.values()) + 1
    width = max(len(rows[i]) for i in roles.values())

    def cell(role: str, i: int) -> str:
        row = rows[roles[role]] if role in roles else []
        return row[i] if i < len(row) else ""

    columns = []
    for i in range(width):
        short, text = cell("names", i).strip(), cell("text", i)
        import_id = _import_id(cell("ids", i))
        meta = QUALTRICS_NAMES.get(short) or QUALTRICS_TEXTS.get(normalise(text))
        ident = short or text.strip()
        if meta is None and (ident.endswith("_DO") or ident.startswith("Q_")):
            meta = _IGNORE
        texts = tuple(t for t in (text, short) if t.strip())
        columns.append(Column(index=i, display=text or short or (import_id or ""), texts=texts,
                              code=short or None, import_id=import_id, metadata=meta))
    problems = []
    missing = [r for r in ("names", "text", "ids") if r not in roles]
    described = {"names": "the short names (StartDate, Q1_1, ...)",
                 "text": "the question texts (Start Date, ...)",
                 "ids": "the ImportIds ({\"ImportId\": ...})"}
    if missing:
        first_response = lines[count] if count < len(lines) else lines[-1] + 1
        problems.append(Problem(
            file=name, line=lines[0], severity="warning",
            message=f"the Qualtrics header block has {count} of its 3 rows (missing "
            f"{' and '.join(described[m] for m in missing)}); responses start on line "
            f"{first_response}",
            hint="" if "text" in roles else "Without the question texts, columns match only "
            "by short name, ImportId or a --mapping file", code=Code.EXPORT_PARTIAL_HEADER))
    return Layout(platform=platform, header_lines=lines[:count], columns=columns,
                  problems=problems)


def _import_id(cell: str) -> str | None:
    if not cell.lstrip().startswith("{"):
        return None
    try:
        value = json.loads(cell)
    except ValueError:
        return None
    if isinstance(value, dict) and isinstance(value.get("ImportId"), str):
        return str(value["ImportId"])
    return None


_BUILDERS: dict[str, Callable[[str, Rows, list[int], str], Layout]] = {
    "google-forms": _google,
    "microsoft-forms": _ms_forms,
    "qualtrics": _qualtrics,
    "surveymonkey": _surveymonkey,
    "limesurvey": _limesurvey,
}
