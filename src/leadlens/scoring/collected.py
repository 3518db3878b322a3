"""When the answers were collected: the first and last day of the ``submitted_at`` stamps.

A report's date should be when its answers were given, not when it was rendered. Stamps are
read as ISO 8601 (what ``leadlens survey`` writes: ``2024-03-04T11:03:36+00:00``) or as
year-first dates with a space before the time (platform exports); a stamp in any other form
is left out rather than guessed (``04/03/2024`` could be either month), and with no
readable stamp there is no collection period.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from operator import itemgetter

_YEAR_FIRST = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M",
               "%Y/%m/%d")


def stamp_date(text: str) -> dt.date | None:
    """The day of one stamp, or None when it is not a year-first date."""
    value = text.strip()
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    head = " ".join(value.split()[:2])
    for form in _YEAR_FIRST:
        for candidate in (head, value.split()[0]):
            try:
                return dt.datetime.strptime(candidate, form).date()
            except ValueError:
                continue
    return None


DAY_CHARS = 10
"""Every stamp :func:`stamp_date` reads names its day in its first 10 characters
(``2024-03-04``, ``2024/3/4 1``, ``20240304T1``): stamps that share them share a day."""


def collection_period(stamps: Sequence[str | None] | None
                      ) -> tuple[dt.date, dt.date] | None:
    """The first and last day answers were submitted, or None without readable stamps.

    A national export has a million stamps but a few hundred days: stamps are grouped by
    their first :data:`DAY_CHARS` characters and each group is read only until one of its
    stamps is readable (a million ``strptime`` calls took 20 s).
    """
    values = list(map(str.strip, filter(None, stamps or ())))  # C loops: a million stamps
    one_each = dict(zip(map(itemgetter(slice(None, DAY_CHARS)), values), values, strict=True))
    days = []
    for day, stamp in one_each.items():
        found = stamp_date(stamp)
        if found is None:  # rare: any readable stamp of that day counts
            found = next((d for d in map(stamp_date, (v for v in values if v[:DAY_CHARS] == day))
                          if d is not None), None)
        if found is not None:
            days.append(found)
    if not days:
        return None
    return min(days), max(days)
