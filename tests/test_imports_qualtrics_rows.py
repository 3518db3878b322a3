"""Qualtrics exports as a fresh install meets them: numeric values on a scale from 0,
previews and unfinished responses."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from leadlens.errors import Code, ResponsesError
from leadlens.questionset.loading import load_question_set
from leadlens.questionset.model import QuestionSet
from leadlens.responses.exports import ImportOptions, load_mapping, read_export

Write = Callable[[str, "str | bytes"], Path]

SET = """\
schema_version: 1
id: small
title: Small set
version: "1"
scales:
  agreement:
    options:
      - {value: 1, label: Disagree}
      - {value: 2, label: Neutral}
      - {value: 3, label: Agree}
    unscored: ["Don't know"]
  level:
    options:
      - {value: 0, label: Not started}
      - {value: 1, label: Started}
      - {value: 2, label: Working well}
    unscored: ["Don't know"]
bands:
  - {id: low, label: Low, from: 0}
  - {id: high, label: High, from: 50}
principles:
  - {id: basics, name: Basics}
questions:
  - {id: b1, principle: basics, scale: agreement, text: We know our partners.}
  - {id: b2, principle: basics, scale: agreement, text: We plan together.}
  - {id: l1, principle: basics, scale: level, text: How far have we got?}
"""

META = ["StartDate", "EndDate", "Status", "Progress", "Finished", "ResponseId"]
TEXTS = ["Start Date", "End Date", "Response Type", "Progress", "Finished", "Response ID"]


def export(rows: list[list[str]]) -> str:
    """A Qualtrics export's three header rows and ``rows`` (Status, Progress, Finished,
    then b1, b2, l1)."""
    names = [*META, "Q1", "Q2", "Q3"]
    texts = [*TEXTS, "We know our partners.", "We plan together.", "How far have we got?"]
    ids = [json.dumps({"ImportId": n}) for n in [*META, "QID1", "QID2", "QID3"]]
    body = [["2024-03-04 09:00:00", "2024-03-04 09:10:00", status, progress, finished,
             f"R_{i}", *answers] for i, (status, progress, finished, *answers) in
            enumerate(rows, 1)]

    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([names, texts, ids, *body])
    return out.getvalue()


def shown(problem: object, path: Path) -> str:
    """A problem as printed, named by the file's name rather than its temporary path."""
    return str(problem).replace(f"{path.parent}/", "")


@pytest.fixture
def qs(write: Write) -> QuestionSet:
    return load_question_set(write("small.yaml", SET))


# -- 1. numeric values on a scale that does not run 1..k -----------------------------------

def test_numeric_codes_on_a_scale_from_zero_need_a_mapping(write: Write, qs: QuestionSet
                                                          ) -> None:
    # Qualtrics' default recodes: 1..3 for the three choices, 4 for "Don't know". Nobody
    # picked the top level, so every code is on the 0-2 scale: read as values, each answer
    # would be one level too high with no error.
    path = write("num.csv", export([["IP Address", "100", "True", "3", "2", "1"],
                                    ["IP Address", "100", "True", "1", "4", "2"]]))
    mapping = write("map.yaml", 'answers:\n  agreement: {"4": "Don\'t know"}\n'
                    '  level: {"4": "Don\'t know"}\n')
    with pytest.raises(ResponsesError) as caught:
        read_export(path, qs, ImportOptions(mapping=load_mapping(mapping)))
    [problem] = caught.value.problems
    assert problem.code == Code.IMPORT_QUALTRICS_RECODES
    text = shown(problem, path)
    assert text.startswith("num.csv:1: "), text
    assert "column(s) 'How far have we got?': Qualtrics numeric values" in text
    assert "level scale (0-2)" in text
    assert 'answers: {level: {"1": 0, "2": 1, "3": 2, "4": "Don\'t know"}}' in text
    assert "\n" not in text


def test_numeric_codes_read_once_mapped_and_on_a_1_to_k_scale_as_they_are(
        write: Write, qs: QuestionSet) -> None:
    path = write("num.csv", export([["IP Address", "100", "True", "3", "2", "1"],
                                    ["IP Address", "100", "True", "1", "4", "2"]]))
    mapping = write("map.yaml", 'answers:\n  agreement: {"4": "Don\'t know"}\n'
                    '  level: {"1": 0, "2": 1, "3": 2, "4": "Don\'t know"}\n')
    table = read_export(path, qs, ImportOptions(mapping=load_mapping(mapping)))
    assert table.headers[-3:] == ["b1", "b2", "l1"]
    assert [row[-3:] for row in table.rows] == [["3", "2", "0"], ["1", "Don't know", "1"]]


def test_labels_on_a_scale_from_zero_need_no_mapping(write: Write, qs: QuestionSet) -> None:
    path = write("text.csv", export([["IP Address", "100", "True", "Agree", "Neutral",
                                      "Not started"]]))
    table = read_export(path, qs)
    assert table.rows[0][-3:] == ["3", "2", "0"]


# -- 2. previews, test responses, spam and unfinished responses --------------------------------

ROWS = [["IP Address", "100", "True", "3", "2", "Started"],
        ["Survey Preview", "100", "True", "1", "1", "Started"],
        ["IP Address", "40", "False", "2", "", ""],
        ["Spam", "100", "True", "1", "1", "Started"],
        ["IP Address", "100", "True", "1", "3", "Working well"],
        ["Survey Test", "100", "True", "1", "1", "Started"]]


def test_previews_tests_and_spam_are_left_out_with_one_warning(write: Write, qs: QuestionSet
                                                              ) -> None:
    path = write("q.csv", export(ROWS))
    table = read_export(path, qs)
    assert [row[table.headers.index("respondent_id")] for row in table.rows] == ["R_1", "R_5"]
    assert table.lines == [4, 8]
    [left_out] = [w for w in table.warnings if w.code == Code.EXPORT_NOT_RESPONSES]
    assert shown(left_out, path).startswith("q.csv:5: warning: left out 3 record(s) that are not "
                                    "responses (Status 'Survey Preview' (1), 'Spam' (1), "
                                    "'Survey Test' (1); lines 5, 7, 9)")
    [unfinished] = [w for w in table.warnings if w.code == Code.EXPORT_UNFINISHED]
    assert shown(unfinished, path).startswith("q.csv:6: warning: left out 1 unfinished response(s) "
                                      "(Finished False; line 6)")
    assert "--keep-unfinished" in str(unfinished)


def test_numeric_status_and_finished_codes(write: Write, qs: QuestionSet) -> None:
    rows = [["0", "100", "1", "3", "2", "Started"], ["1", "100", "1", "1", "1", "Started"],
            ["0", "50", "0", "2", "", ""], ["8", "100", "1", "1", "1", "Started"],
            ["4", "100", "1", "1", "1", "Started"]]  # 4: imported, a real response
    table = read_export(write("q.csv", export(rows)), qs)
    assert [row[table.headers.index("respondent_id")] for row in table.rows] == ["R_1", "R_5"]


def test_keep_unfinished_scores_them_and_says_so(write: Write, qs: QuestionSet) -> None:
    path = write("q.csv", export(ROWS))
    table = read_export(path, qs, ImportOptions(keep_unfinished=True))
    assert [row[table.headers.index("respondent_id")] for row in table.rows] == [
        "R_1", "R_3", "R_5"]
    [unfinished] = [w for w in table.warnings if w.code == Code.EXPORT_UNFINISHED]
    assert shown(unfinished, path) == (
        "q.csv:6: warning: scored 1 unfinished response(s) (Finished False; line 6)")


def test_score_and_inspect_count_only_responses(write: Write) -> None:
    from typer.testing import CliRunner

    from leadlens.cli import app

    write("small.yaml", SET)
    path = write("q.csv", export(ROWS))
    qs_path = str(path.parent / "small.yaml")
    runner = CliRunner()
    scored = runner.invoke(app, ["score", str(path), "-q", qs_path, "-o",
                                 str(path.parent / "r.json")])
    assert scored.exit_code == 0, scored.output
    assert "(2 respondents" in scored.stderr
    assert scored.stderr.count("warning: left out") == 2
    kept = runner.invoke(app, ["score", str(path), "-q", qs_path, "--keep-unfinished",
                               "-o", str(path.parent / "k.json")])
    assert kept.exit_code == 0, kept.output
    assert "(3 respondents" in kept.stderr
    inspected = runner.invoke(app, ["inspect", str(path), "-q", qs_path])
    assert inspected.exit_code == 0, inspected.output
    assert "left out 3 record(s) that are not responses" in inspected.output + \
        inspected.stderr


def test_line_list_joins_runs_and_counts_the_rest() -> None:
    from leadlens.responses.exports.kept import line_list

    assert line_list([4]) == "line 4"
    assert line_list([4, 5, 6, 9]) == "lines 4-6, 9"
    assert line_list([1, 3, 5, 7, 9, 11, 13]) == "lines 1, 3, 5, 7, 9 and 2 more"


def test_a_large_export_leaves_them_out_too(write: Write, qs: QuestionSet) -> None:
    """Exports past FAST_READ_BYTES take the column reader: it leaves them out as well."""
    from leadlens.responses.cells import FAST_READ_BYTES
    from leadlens.responses.reading import read_responses

    repeats = 2 * FAST_READ_BYTES // len(export(ROWS)) + 1
    rows = [[*r] for _ in range(repeats) for r in ROWS]
    path = write("big.csv", export(rows))
    assert path.stat().st_size >= FAST_READ_BYTES
    responses = read_responses([path], qs)
    assert responses.n == 2 * repeats


@pytest.mark.parametrize("keep", [False, True])
def test_the_column_reader_leaves_out_the_same_records(write: Write, qs: QuestionSet,
                                                       monkeypatch: pytest.MonkeyPatch,
                                                       keep: bool) -> None:
    from leadlens.responses.exports import columnar
    from leadlens.responses.exports.cells import read_export_cells
    from leadlens.responses.reading import column_hints

    monkeypatch.setattr(columnar, "MIN_BYTES", 0)
    rows = [*ROWS, ["1", "100", "1", "2", "2", "Started"], ["IP Address", "30", "0", "", "", ""]]
    path = write("q.csv", export(rows * 3))
    options = ImportOptions(keep_unfinished=keep)
    by_columns = columnar.read_export_columns(path, qs, options, column_hints(qs))
    assert by_columns is not None
    exact = read_export_cells(path, qs, options)
    assert list(by_columns.line_numbers()) == list(exact.line_numbers())
    assert [str(w) for w in by_columns.warnings] == [str(w) for w in exact.warnings]
    assert len([w for w in exact.warnings if w.code == Code.EXPORT_NOT_RESPONSES]) == 1
