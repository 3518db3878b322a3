"""The collection period of many stamps is read by day, and agrees with reading every stamp."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadlens.scoring import collected
from leadlens.scoring.collected import collection_period, stamp_date

FORMS = ["%Y-%m-%dT%H:%M:%S+00:00", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %I:%M:%S %p GMT",
         "%Y/%m/%d %H:%M", "%Y/%m/%d", "%d/%m/%Y %H:%M", "%Y%m%dT%H%M%S"]


def every_stamp(stamps: list[str | None]) -> tuple[dt.date, dt.date] | None:
    days = [d for d in (stamp_date(s) for s in stamps if s) if d is not None]
    return (min(days), max(days)) if days else None


@given(st.lists(st.one_of(
    st.none(), st.text(max_size=12),
    st.builds(lambda when, form: when.strftime(form),
              st.datetimes(min_value=dt.datetime(1990, 1, 1),
                           max_value=dt.datetime(2090, 1, 1)), st.sampled_from(FORMS)),
    st.builds(lambda day, tail: f"{day:%Y/%-m/%-d}{tail}",
              st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2090, 1, 1)),
              st.sampled_from(["", " 1:05", " 25:99", " x", "  "]))), max_size=30))
def test_grouped_by_day_agrees_with_every_stamp(stamps: list[str | None]) -> None:
    assert collection_period(stamps) == every_stamp(stamps)


def test_each_day_is_read_once_not_each_stamp(monkeypatch: pytest.MonkeyPatch) -> None:
    start = dt.datetime(2025, 3, 1)
    stamps: list[str | None] = [
        (start + dt.timedelta(seconds=7 * i)).strftime("%Y/%m/%d %I:%M:%S %p GMT")
        for i in range(300_000)]
    read: list[str] = []

    def counted(text: str) -> dt.date | None:
        read.append(text)
        return stamp_date(text)

    monkeypatch.setattr(collected, "stamp_date", counted)
    assert collected.collection_period(stamps) == (dt.date(2025, 3, 1), dt.date(2025, 3, 25))
    assert len(read) == 25  # one stamp a day
