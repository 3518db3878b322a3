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
    text = str(problem)
    assert text.split(": ")[0].endswith("num.csv:1"), text
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
