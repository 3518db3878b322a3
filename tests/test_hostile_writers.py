"""Writers that round-trip: what the survey or any writer writes, every reader reads back.

Bare CR, LF, NUL, U+2028, tabs and quotes in text cells; a formula behind a CR; an empty
answers file; control characters and bare URLs in report text (one cleaning rule for HTML
and Markdown).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import cmarkgfm  # type: ignore[import-untyped]
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from conftest import MINIMAL_SET
from leadlens.cli import app
from leadlens.questionset.loading import validate_bytes
from leadlens.questionset.model import QuestionSet
from leadlens.report import render_report
from leadlens.responses.reading import read_responses
from leadlens.survey.writer import append_row
from leadlens.text import csv_records, printable
from test_report_data import sample_document, sample_results

runner = CliRunner()

AWKWARD = st.text(alphabet=st.one_of(
    st.sampled_from(["\r", "\n", "\x00", "\u2028", "\u2029", "\t", '"', ",", "'", "=",
                     "\x85", "\ufeff", " ", "\x1b"]),
    st.characters(blacklist_categories=("Cs",))), max_size=40)


def _qs() -> QuestionSet:
    text = MINIMAL_SET.replace(
        "  - {id: b3, principle: basics, text: Three, scale: agreement}\n",
        "  - {id: b3, principle: basics, text: Three, scale: agreement}\n"
        "  - {id: story, text: Tell us, type: text}\n").replace(
        "required: true}", "required: false}")
    qs = validate_bytes(text.encode(), "qs.yaml").question_set
    assert qs is not None
    return qs


QS = _qs()


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(st.lists(AWKWARD, min_size=1, max_size=4), min_size=1, max_size=4))
def test_csv_records_read_back_as_written(rows: list[list[str]]) -> None:
    text = csv_records(rows)
    assert list(csv.reader(io.StringIO(text, newline=""))) == [
        [cell.replace("\x00", "") for cell in row] for row in rows]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(story=AWKWARD, organisation=AWKWARD)
def test_survey_to_csv_to_score_round_trips(tmp_path_factory: pytest.TempPathFactory,
                                            story: str, organisation: str) -> None:
    output = tmp_path_factory.mktemp("rt") / "responses.csv"
    append_row(output, QS, {"respondent_id": "r1", "submitted_at": "2026-01-01T00:00:00Z",
                            "organisation": organisation, "b1": "4", "b2": "2", "b3": "5",
                            "story": story})
    append_row(output, QS, {"respondent_id": "r2", "submitted_at": "2026-01-01T00:00:01Z",
                            "organisation": "Other", "b1": "1", "b2": "1", "b3": "1",
                            "story": "plain"})
    data = read_responses([output], QS)
    assert data.n == 2  # no torn rows, whatever the text
    stored = story.replace("\x00", "").strip()  # the writer drops NUL; readers trim answers
    texts = data.texts["story"]
    expected = ([stored] if stored else []) + ["plain"]
    assert texts.texts == expected
    labels = data.fields["organisation"].labels
    kept = organisation.replace("\x00", "")
    if kept.strip():
        assert any(label.strip() == kept.strip() for label in labels), (labels, kept)


def test_a_bare_cr_cannot_tear_scores_csv_or_start_a_formula(tmp_path: Path) -> None:
    responses = tmp_path / "r.csv"
    responses.write_text('respondent_id,organisation,b1,b2,b3\n'
                         'r1,"Acme\r=1+1",4,2,5\nr2,Beta,1,1,1\n', encoding="utf-8",
                         newline="")
    qs = tmp_path / "qs.yaml"
    qs.write_text(MINIMAL_SET, encoding="utf-8")
    out = tmp_path / "scores.csv"
    result = runner.invoke(app, ["score", "-q", str(qs), str(responses), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"), newline="")))
    assert len(rows) == 3
    assert rows[1][0] == "r1" and rows[1][1] in ("Acme\r=1+1", "Acme\n=1+1")
    # Inside its quotes the "=1+1" is part of a cell that does not start with "=".
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row[:2])


def test_survey_answers_with_cr_and_nul_keep_the_file_scorable(tmp_path: Path) -> None:
    qs = tmp_path / "qs.yaml"
    qs.write_text(yaml.safe_dump(yaml.safe_load(MINIMAL_SET.replace(
        "  - {id: b3, principle: basics, text: Three, scale: agreement}\n",
        "  - {id: b3, principle: basics, text: Three, scale: agreement}\n"
        "  - {id: story, text: Tell us, type: text}\n"))), encoding="utf-8")
    output = tmp_path / "responses.csv"
    for i, story in enumerate(["one\rtwo", "nul\x00here", "=cmd\r=2+2"]):
        answers = tmp_path / f"a{i}.json"
        answers.write_text(json.dumps({"respondent": {"organisation": "Acme"},
                                       "answers": {"b1": 3, "b2": 3, "b3": 3,
                                                   "story": story}}), encoding="utf-8")
        result = runner.invoke(app, ["survey", "--question-set", str(qs),
                                     "--answers", str(answers), "-o", str(output)])
        if "\x00" in story:  # refused, located, as a typed answer is (nothing appended)
            assert result.exit_code == 1
            assert result.stderr.startswith(f"{answers}:1:")
            assert "answers.story: contains a control character (U+0000, NUL), which " \
                   "cannot be saved" in result.stderr
            continue
        assert result.exit_code == 0, result.output
    assert b"\x00" not in output.read_bytes()
    scored = runner.invoke(app, ["score", "-q", str(qs), str(output), "-f", "json"])
    assert scored.exit_code == 0, scored.stderr
    document = json.loads(scored.stdout)
    assert document["respondents"] == 2


def test_an_empty_answers_file_is_refused(tmp_path: Path) -> None:
    qs = tmp_path / "qs.yaml"
    qs.write_text(MINIMAL_SET.replace("required: true}", "required: false}"), encoding="utf-8")
    answers = tmp_path / "a.yaml"
    answers.write_text("respondent: {}\nanswers: {}\n", encoding="utf-8")
    output = tmp_path / "responses.csv"
    result = runner.invoke(app, ["survey", "--question-set", str(qs), "--answers",
                                 str(answers), "-o", str(output)])
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (f"{answers}:1:1: no answers: every field and answer is blank, "
                             "so nothing is appended. Fill in at least one answer\n")
    assert not output.exists()


HOSTILE_COMMENT = ("Bell\x07 escape\x1b[31mred\x1b[0m override\u202eevil\u202c "
                   "see https://evil.example/login or www.evil.example or me@evil.example")


def _document_with_comment(tmp_path: Path) -> Path:
    doc = sample_document()
    # One comment of each list replaced: an edited list shorter than the threshold is refused.
    doc["comments"] = {key: [HOSTILE_COMMENT, *texts[1:]] for key, texts in doc["comments"].items()}
    path = tmp_path / "results.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_reports_keep_no_control_or_bidi_characters(tmp_path: Path, fmt: str) -> None:
    results = _document_with_comment(tmp_path)
    out = tmp_path / f"report.{fmt}"
    result = runner.invoke(app, ["report", str(results), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    assert "override" in text and "evil" in text
    for char in ("\x07", "\x1b", "\u202e", "\u202c"):
        assert char not in text


def test_markdown_report_has_no_autolinks_from_comments(tmp_path: Path) -> None:
    results = _document_with_comment(tmp_path)
    out = tmp_path / "report.md"
    assert runner.invoke(app, ["report", str(results), "-o", str(out)]).exit_code == 0
    html = cmarkgfm.github_flavored_markdown_to_html(out.read_text(encoding="utf-8"))
    assert "evil.example" in html
    assert 'href="https://evil.example' not in html
    assert 'href="http://www.evil.example' not in html
    assert "mailto:me@evil.example" not in html


def test_printable_is_the_one_rule() -> None:
    assert printable("a\x00b\x07c\x1bd\x7fe\x9ff\u202eg\u200bh\ufeffi\tj\nk") == "abcdefghi\tj\nk"
    assert printable("Cafe\u0301") == "Caf\u00e9"
    render_report(sample_results(), "html")  # the bundled report renders with the rule
