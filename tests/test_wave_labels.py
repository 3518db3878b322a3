"""Waves named for when they were collected when --labels is not given, never their files."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from typer.testing import CliRunner

from conftest import EXAMPLES
from leadlens.analysis.waves import default_labels
from leadlens.cli import app
from leadlens.waves.waves import Wave

runner = CliRunner()


class _Dates:
    def __init__(self, first: dt.date | None, last: dt.date | None) -> None:
        self.collected_from, self.collected_to = first, last


def _waves(*spans: tuple[str | None, str | None]) -> list[Any]:
    def day(text: str | None) -> dt.date | None:
        return None if text is None else dt.date.fromisoformat(text)
    return [Wave(label="x", kind="results", file="x.json",
                 results=_Dates(day(a), day(b)), question_at=[])  # type: ignore[arg-type]
            for a, b in spans]


@pytest.mark.parametrize(("spans", "expected"), [
    ([("2025-03-04", "2025-03-15"), ("2026-03-02", "2026-03-20")], ["March 2025", "March 2026"]),
    ([("2025-03-04", "2025-04-15"), ("2025-11-02", "2026-01-20")],
     ["March\u2013April 2025", "November 2025\u2013January 2026"]),
    ([("2026-03-04", "2026-03-15"), ("2026-03-20", "2026-03-20")],  # one month: by days
     ["4\u201315 March 2026", "20 March 2026"]),
    ([("2026-03-04", "2026-03-15"), ("2026-03-04", "2026-03-15")], ["wave 1", "wave 2"]),
    ([("2025-03-04", "2025-03-15"), (None, None), ("2027-05-01", "2027-05-09")],
     ["March 2025", "wave 2", "May 2027"]),
])
def test_default_labels(spans: list[tuple[str | None, str | None]],
                        expected: list[str]) -> None:
    assert default_labels(_waves(*spans)) == expected


def test_compare_names_the_waves_by_their_dates_not_their_files() -> None:
    result = runner.invoke(app, ["compare", str(EXAMPLES / "responses.csv"),
                                 str(EXAMPLES / "waves" / "wave-2025.csv")])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("What changed since March 2024\n")
    assert "responses" not in result.stdout.split("\n")[2]


def test_labels_given_win() -> None:
    result = runner.invoke(app, ["compare", str(EXAMPLES / "responses.csv"),
                                 str(EXAMPLES / "waves" / "wave-2025.csv"), "--labels",
                                 "Spring 2024,Spring 2025"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("What changed since Spring 2024\n")
