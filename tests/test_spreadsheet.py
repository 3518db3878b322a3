"""The workbook against the Analysis Function's spreadsheet guidance, with the measurement
figures, the cover's contact, and every withheld figure shown as [c]."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

import leadlens
from conftest import EXAMPLES
from leadlens.cli import app
from leadlens.report.spreadsheet import notes_text, results_workbook
from output_checks import check_xlsx

runner = CliRunner()
RESPONSES = EXAMPLES / "responses.csv"


def _score(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["score", *args])
    return result.exit_code, result.stdout, result.stderr


def _rows(path: Path, sheet: str) -> list[tuple[Any, ...]]:
    return list(load_workbook(path)[sheet].iter_rows(min_row=5, values_only=True))


def _document(results: leadlens.Results) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(results.model_dump_json(by_alias=True))
    return document


@pytest.mark.parametrize("contact", ["Analytics team, analytics@example.nhs.uk",
                                     '=HYPERLINK("http://example.invalid","x")'])
def test_the_cover_shows_the_contact_given_as_text(tmp_path: Path, contact: str) -> None:
    out = tmp_path / "results.xlsx"
    code, _, err = _score(str(RESPONSES), "--by", "role", "-o", str(out), "--contact", contact)
    assert code == 0, err
    check_xlsx(out, _document(leadlens.score(RESPONSES, by="role")), contact_given=contact)
    cover = load_workbook(out)["Cover"]
    cells = [c for c in cover["A"] if c.value]
    (given,) = [c for c in cells if c.value == contact]
    assert given.data_type == "s"  # never a formula


def test_without_a_contact_the_cover_says_none_was_given(tmp_path: Path) -> None:
    out = tmp_path / "results.xlsx"
    assert _score(str(RESPONSES), "-o", str(out))[0] == 0
    texts = [c.value for c in load_workbook(out)["Cover"]["A"] if c.value]
    contact = texts[texts.index("Contact") + 1]
    assert contact.startswith("No contact was given") and "--contact" in contact


def test_the_cover_names_the_responses_file_without_its_folder(tmp_path: Path) -> None:
    # A folder can name a person (/home/jane.smith/...); the reports show names only, and the
    # workbook is the file meant for publication. Respondents is a number, not text.
    out = tmp_path / "results.xlsx"
    assert _score(str(RESPONSES.resolve()), "-o", str(out))[0] == 0
    cover = load_workbook(out)["Cover"]
    texts = [c.value for c in cover["A"] if c.value is not None]
    assert texts[texts.index("Responses") + 1] == "responses.csv"
    assert texts[texts.index("Respondents") + 1] == 60
    assert not any(isinstance(t, str) and str(RESPONSES.parent) in t for t in texts)


def test_the_contact_option_is_documented_in_score_help() -> None:
    result = runner.invoke(app, ["score", "--help"], terminal_width=200)
    assert result.exit_code == 0 and "--contact" in result.stdout


def _thin() -> leadlens.Results:
    """The example with the executive board members' basics at four answers and one
    question answered by three people (see tests/test_api_measures.py)."""
    frame = pl.read_csv(RESPONSES)
    basics = [c for c in frame.columns if c.startswith("basics-")]
    executive = pl.col("role") == "Board member (executive)"
    rank = pl.int_range(pl.len()).over("role")
    frame = frame.with_columns(
        [pl.when(executive & (rank >= 4)).then(None).otherwise(pl.col(c)).alias(c)
         for c in basics]
        + [pl.when(pl.int_range(pl.len()) >= 3).then(None).otherwise(pl.col("narrative-2"))
           .alias("narrative-2")])
    return leadlens.score(frame, by="role")


def test_withheld_figures_are_c_in_every_sheet(tmp_path: Path) -> None:
    results = _thin()
    out = tmp_path / "thin.xlsx"
    out.write_bytes(results_workbook(results))
    check_xlsx(out, _document(results))
    names = [p.name for p in results.question_set.principles]
    by_role = {row[0]: row for row in _rows(out, "By role")}
    executive = by_role["Board member (executive)"]
    assert executive[1] == 16 and executive[3] == "[c]"  # basics hidden, not [x]
    assert isinstance(executive[4], int | float)  # a score (67.0 reads back as 67), not [c]
    detail = {(row[0], row[1]): row for row in _rows(out, "Detail by role")}
    assert set(detail[("Board member (executive)", names[0])][2:]) == {"[c]"}
    assert isinstance(detail[("Board member (executive)", names[1])][9], float)
    items = {row[0]: row for row in _rows(out, "Items")}
    assert items["narrative-2"][:3] == ("narrative-2", "narrative",
                                        items["narrative-2"][2])
    assert set(items["narrative-2"][3:]) == {"[c]"}  # not even its respondents or missing


def test_a_survey_too_small_to_publish_shows_only_c(tmp_path: Path) -> None:
    results = leadlens.score(pl.read_csv(RESPONSES).head(3), by="role")
    assert results.withheld
    out = tmp_path / "small.xlsx"
    out.write_bytes(results_workbook(results))
    for sheet in ("Principles", "Reliability", "Items", "Timepoints", "Perspectives"):
        for row in _rows(out, sheet):
            assert set(row[3:]) == {"[c]"}, (sheet, row)


def test_every_cited_note_is_on_the_notes_sheet() -> None:
    results = leadlens.score(RESPONSES)
    notes = notes_text(results)
    assert len(notes) == 12
    assert notes[7].startswith("% favourable") and notes[8].startswith("Agreement")
    assert notes[9].startswith("Contested") and notes[10].startswith("Key check")
    assert notes[11].startswith("ICC(1)")
