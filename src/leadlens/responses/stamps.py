"""Time stamps written day/month or month/day: read when the file itself says which.

Google Sheets in a UK locale writes ``3/4/2024 9:44:58`` (day first), a US one the month
first, and Microsoft Forms re-saved as CSV by Excel in the UK ``04/03/2024 09:44``. A stamp
cannot say which on its own; the file can: a first number above 12 somewhere (``13/3/2024``)
means the day comes first in every stamp of the column, a second number above 12
(``3/13/2024``) that the month does. When every such stamp agrees, the stamps are read in
that order (as ``2024-03-04 9:44:58``, which the collection period reads). Otherwise they
are left as they are, and one warning says why "Answers collected" is missing.

Year-first stamps (ISO 8601, ``2024/03/04 09:44``) are read as they always were
(:func:`leadlens.scoring.collected.stamp_date`).
"""

from __future__ import annotations

import datetime as dt
import re
from operator import itemgetter

from leadlens.errors import Code, Problem

_DAY_MONTH = re.compile(r"\s*(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?![\d/.-])")
"""Day and month in either order, then the year; two digits are 20yy (Excel's ``m/d/yy``)."""
_PREFIX = 12
"""Stamps that share their first characters share a date (read once per prefix)."""


def _order(pairs: list[tuple[int, int, int]]) -> str | None:
    """``day`` (day first), ``month``, ``either`` (no number above 12) or None (both)."""
    day_first = any(a > 12 for a, _, _ in pairs)
    month_first = any(b > 12 for _, b, _ in pairs)
    if day_first and month_first:
        return None
    return "day" if day_first else "month" if month_first else "either"


def read_stamps(when: list[str | None], source: str, column: str, line: int | None
                ) -> tuple[list[str | None], list[Problem]]:
    """``when`` with day/month stamps rewritten year first when the column tells their
    order, and a warning when some stamps cannot be read as a date."""
    from leadlens.scoring.collected import stamp_date

    values = list(filter(None, map(str.strip, filter(None, when))))  # C loops: a million
    one_each = dict(zip(map(itemgetter(slice(None, _PREFIX)), values), values, strict=True))
    year_first = {p for p, stamp in one_each.items() if stamp_date(stamp) is not None}
    found = {p: m for p in one_each
             if p not in year_first and (m := _DAY_MONTH.match(p)) is not None}
    unread = [p for p in one_each if p not in year_first and p not in found]
    if not found:
        return when, _unreadable(when, unread, source, column, line)
    pairs = {p: (int(m[1]), int(m[3]), int(m[4]) + (2000 if len(m[4]) == 2 else 0))
             for p, m in found.items()}
    order = _order(list(pairs.values()))
    example = next(w.strip() for w in when if w and w.strip()[:_PREFIX] in found)
    if order in ("either", None):
        why = ("no first or second number is above 12, so the day cannot be told from the "
               "month" if order == "either" else "some put the day first and some the month")
        return when, [Problem(
            file=source, line=line, column=column, severity="warning",
            code=Code.RESPONSES_AMBIGUOUS_DATES,
            message=f"time stamps such as {example!r} are day/month or month/day and {why}; "
            "'Answers collected' is left out of the results",
            hint="Export the dates year first (2024-03-04 09:44:58): a spreadsheet's "
            "Format, Number, Date time, or a file with one day above 12 tells the order")]
    dates: dict[str, tuple[int, str]] = {}
    for prefix, (first, second, year) in pairs.items():
        day, month = (first, second) if order == "day" else (second, first)
        try:
            dates[prefix] = (found[prefix].end(), dt.date(year, month, day).isoformat())
        except ValueError:
            unread.append(prefix)  # 31/2/2024: no date either way
    rewritten: list[str | None] = []
    for stamp in when:
        text = stamp.strip() if stamp else ""
        date = dates.get(text[:_PREFIX])
        rewritten.append(stamp if date is None else date[1] + text[date[0]:])
    return rewritten, _unreadable(when, unread, source, column, line)


def _unreadable(when: list[str | None], unread: list[str], source: str, column: str,
                line: int | None) -> list[Problem]:
    if not unread:
        return []
    bad = set(unread)
    stamps = [w.strip() for w in when if w and w.strip()[:_PREFIX] in bad]
    return [Problem(
        file=source, line=line, column=column, severity="warning",
        code=Code.RESPONSES_UNREADABLE_DATES,
        message=f"{len(stamps)} time stamp(s) are no date leadlens reads (first: "
        f"{stamps[0]!r}); they are left out of 'Answers collected'",
        hint="Write them year first (2024-03-04 09:44:58) or as ISO 8601")]
