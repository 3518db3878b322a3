"""Day/month time stamps: read when the file tells the order, else one warning."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from leadlens.errors import Code
from leadlens.questionset.loading import load_question_set
from leadlens.responses.reading import read_responses
from leadlens.responses.stamps import read_stamps
from leadlens.scoring.collected import collection_period

Write = Callable[[str, "str | bytes"], Path]


@pytest.mark.parametrize(("stamps", "period"), [
    (["13/3/2024 9:44:58", "3/4/2024 10:00:00"], (dt.date(2024, 3, 13), dt.date(2024, 4, 3))),
    (["3/13/2024 9:44:58", "4/3/2024 10:00:00"], (dt.date(2024, 3, 13), dt.date(2024, 4, 3))),
    (["04/03/2024 09:44", "25/03/2024 09:44"], (dt.date(2024, 3, 4), dt.date(2024, 3, 25))),
    (["3/4/24 09:44", "3/15/24 09:44"], (dt.date(2024, 3, 4), dt.date(2024, 3, 15))),
    (["2024-03-04 09:44:58", "2024-03-05T10:00:00+00:00"],
     (dt.date(2024, 3, 4), dt.date(2024, 3, 5))),
])
def test_the_order_one_stamp_tells_is_read_everywhere(stamps: list[str | None],
                                                      period: tuple[dt.date, dt.date]) -> None:
    read, warnings = read_stamps(stamps, "f.csv", "Timestamp", 1)
    assert warnings == []
    assert collection_period(read) == period


@pytest.mark.parametrize(("stamps", "why"), [
    (["3/4/2024 9:44:58", "04/03/2024 09:44"], "no first or second number is above 12"),
    (["13/3/2024 9:44", "3/13/2024 9:44"], "some put the day first and some the month"),
])
def test_an_order_no_stamp_tells_is_one_warning(stamps: list[str | None], why: str) -> None:
    read, [warning] = read_stamps([*stamps, None, ""], "f.csv", "Timestamp", 1)
    assert read == [*stamps, None, ""]
    assert collection_period(read) is None
    assert warning.code == Code.RESPONSES_AMBIGUOUS_DATES
    text = str(warning)
    assert text.startswith("f.csv:1: column 'Timestamp': warning: time stamps such as "
                           f"{stamps[0]!r} are day/month or month/day and {why}")
    assert "2024-03-04" in text and "\n" not in text


def test_stamps_in_no_known_form_are_counted() -> None:
    _, [warning] = read_stamps(["2024-03-04 09:00", "yesterday", "yesterday"], "f.csv",
                               "Timestamp", 1)
    assert warning.code == Code.RESPONSES_UNREADABLE_DATES
    assert "2 time stamp(s) are no date leadlens reads (first: 'yesterday')" in str(warning)


def test_a_uk_google_sheet_keeps_its_collection_period(write: Write) -> None:
    qs = load_question_set(None)
    keys = [k for q in qs.questions if q.type == "rating" for k in q.answer_keys][:3]
    header = ",".join(["respondent_id", "submitted_at", *keys])
    rows = [f"r{i},{stamp},{','.join(['3'] * len(keys))}" for i, stamp in
            enumerate(["3/4/2024 9:44:58", "21/4/2024 10:02:11"])]
    path = write("uk.csv", "\n".join([header, *rows]) + "\n")
    responses = read_responses([path], qs, allow_missing_questions=True)
    assert collection_period(responses.submitted) == (dt.date(2024, 4, 3), dt.date(2024, 4, 21))
    assert not [w for w in responses.warnings if w.code == Code.RESPONSES_AMBIGUOUS_DATES]
    first = write("early.csv", "\n".join([header, rows[0]]) + "\n")
    early = read_responses([first], qs, allow_missing_questions=True)
    assert collection_period(early.submitted) is None
    assert [w.code for w in early.warnings if w.code == Code.RESPONSES_AMBIGUOUS_DATES] == [
        Code.RESPONSES_AMBIGUOUS_DATES]
