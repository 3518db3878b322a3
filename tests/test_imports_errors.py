"""Bad exports and mapping files: each gives located errors a person can act on."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from leadlens.errors import QuestionSetError, ResponsesError
from leadlens.questionset.loading import load_question_set
from leadlens.questionset.model import QuestionSet
from leadlens.responses.exports import ImportOptions, inspect_export, load_mapping, read_export

Write = Callable[[str, "str | bytes"], Path]

SET = """\
schema_version: 1
id: small
title: Small set
version: "1"
scales:
  agreement:
    options:
      - {value: 1, label: Strongly disagree}
      - {value: 2, label: Disagree}
      - {value: 3, label: Neither agree nor disagree, aliases: [Neutral]}
      - {value: 4, label: Agree}
      - {value: 5, label: Strongly agree}
    unscored: ["Don't know"]
bands:
  - {id: low, label: Low, from: 0}
  - {id: high, label: High, from: 50}
perspectives:
  - {id: org, label: Organisation hat}
  - {id: sys, label: System hat}
principles:
  - {id: basics, name: Basics}
  - {id: context, name: Context}
respondent:
  - {id: organisation, prompt: "Which organisation?"}
questions:
  - {id: b1, principle: basics, scale: agreement, text: We know our partners.}
  - {id: b2, principle: basics, scale: agreement, text: We plan together.}
  - {id: c1, principle: context, scale: agreement, text: We plan together.}
  - {id: c2, principle: context, scale: agreement, text: We look ahead., perspectives: [org, sys]}
"""


@pytest.fixture
def qs(write: Write) -> QuestionSet:
    return load_question_set(write("small.yaml", SET))


def _errors(path: Path, qs: QuestionSet, mapping: Path | None = None) -> list[str]:
    options = ImportOptions(mapping=load_mapping(mapping) if mapping else None)
    with pytest.raises(ResponsesError) as caught:
        read_export(path, qs, options)
    return [str(p) for p in caught.value.problems]


def test_perspective_columns_match_question_text_and_hat(write: Write, qs: QuestionSet) -> None:
    header = ("Timestamp,Which organisation?,Basics [We know our partners.],"
              "We look ahead. [System hat],We look ahead. [Organisation hat]")
    path = write("g.csv", f"{header}\n2024/03/04 10:00:00 AM GMT,Acme,neutral,Agree,Don’t know\n")
    table = read_export(path, qs)
    assert table.headers == ["submitted_at", "organisation", "b1", "c2@sys", "c2@org"]
    assert table.rows == [["2024/03/04 10:00:00 AM GMT", "Acme", "3", "4", "Don't know"]]
    assert table.source_headers[2] == "Basics [We know our partners.]"


def test_unknown_label_names_file_line_column_and_accepted_answers(
        write: Write, qs: QuestionSet) -> None:
    path = write("g.csv", """\
        Timestamp,Basics [We know our partners.]
        2024/03/04 10:00:00 AM GMT,Agree
        2024/03/04 10:05:00 AM GMT,"Agree
        a lot"
        2024/03/04 10:09:00 AM GMT,Maybe
        """)
    assert _errors(path, qs) == [
        f"{path}:3: column 'Basics [We know our partners.]': unknown answer 'Agree\\na lot' "
        "for the agreement scale; accepted: Strongly disagree (1), Disagree (2), Neither agree "
        "nor disagree (3), Agree (4), Strongly agree (5), Don't know, or the values 1-5. Add "
        "it as an alias in the question set or map it under answers.agreement in a --mapping "
        "file",
        f"{path}:5: column 'Basics [We know our partners.]': unknown answer 'Maybe' for the "
        "agreement scale; accepted: Strongly disagree (1), Disagree (2), Neither agree nor "
        "disagree (3), Agree (4), Strongly agree (5), Don't know, or the values 1-5. Add it as "
        "an alias in the question set or map it under answers.agreement in a --mapping file",
    ]


def test_unknown_labels_are_capped_with_a_count(write: Write, qs: QuestionSet) -> None:
    path = write("g.csv", "We know our partners.\n" + "Sort of\n" * 60)
    with pytest.raises(ResponsesError) as caught:
        read_export(path, qs)
    assert len(caught.value.problems) == 50
    assert caught.value.omitted == 10


def test_ambiguous_header_is_an_error(write: Write, qs: QuestionSet) -> None:
    path = write("g.csv", "We know our partners.,Basics [We plan together.]\nAgree,Agree\n")
    assert _errors(path, qs) == [
        f"{path}:1: column 'Basics [We plan together.]': matches more than one question: b2, "
        "c1. Map it with a --mapping file (columns: - header: ... to: ...)"]


def test_question_matching_two_columns_is_an_error(write: Write, qs: QuestionSet) -> None:
    path = write("g.csv", "We know our partners.,Basics [We know our partners],b1\n4,4,4\n")
    assert _errors(path, qs) == [
        f"{path}:1: column 'We know our partners.': question 'b1' matches more than one "
        "column: 'We know our partners.', 'Basics [We know our partners]', 'b1'. Map the right "
        "one with --mapping and map the others to 'ignore'"]


def test_mapping_resolves_ambiguity_and_duplicates(write: Write, qs: QuestionSet) -> None:
    path = write("g.csv", "We know our partners.,Basics [We plan together.],b1\n4,2,5\n")
    mapping = write("map.yaml", """\
        columns:
          - {header: "Basics [We plan together]", to: b2}
          - {code: b1, to: ignore}
        """)
    table = read_export(path, qs, ImportOptions(mapping=load_mapping(mapping)))
    assert (table.headers, table.rows) == (["b1", "b2"], [["4", "2"]])


def test_question_with_no_column_is_listed_not_an_error(write: Write, qs: QuestionSet) -> None:
    path = write("g.csv", "We know our partners.,Which organisation?,Colour\n4,Acme,blue\n")
    table = read_export(path, qs)
    assert table.headers == ["b1", "organisation"]
    assert [str(w) for w in table.warnings] == [
        f"{path}:1: column 'Colour': warning: matches no question or respondent field; ignored"]
    inspection = inspect_export(path, qs)
    assert inspection.columns.missing == ["b2", "c1", "c2@org", "c2@sys"]


def test_file_matching_no_question_is_an_error(write: Write, qs: QuestionSet) -> None:
    path = write("g.csv", "Colour,Size\nblue,large\n")
    assert _errors(path, qs) == [
        f"{path}:1: no column matches a question of 'small'. Check the question set "
        "(--question-set), or map columns with --mapping"]


def test_mixed_encodings_are_an_error(write: Write, qs: QuestionSet) -> None:
    data = "Which organisation?,b1\nCafé Partners,4\n".encode() + "Naïve Trust,5\n".encode(
        "cp1252")
    path = write("mixed.csv", data)
    (error,) = _errors(path, qs)
    assert error.startswith(f"{path}:3: mixed encodings: byte 0xef here is not UTF-8, but "
                            "line 2 holds UTF-8 text ('é')")
    table = read_export(path, qs, ImportOptions(encoding="latin-1"))
    assert table.rows[0] == ["CafÃ© Partners", "4"]  # what the user asked for


def test_ragged_rows_and_broken_quotes(write: Write, qs: QuestionSet) -> None:
    path = write("g.csv", "b1,b2\n4,4\n4,4,4\n4\n")
    assert _errors(path, qs) == [
        f"{path}:3: row has 3 fields, expected 2 (one per header column). Check for a missing "
        "or extra comma, or an unquoted comma in text",
        f"{path}:4: row has 1 fields, expected 2 (one per header column). Check for a missing "
        "or extra comma, or an unquoted comma in text"]
    broken = write("q.csv", 'b1,organisation\n4,Acme\n5,"Acme\n4,Beta\n')
    assert _errors(broken, qs) == [
        f"{broken}:3: column 'organisation': quoted field is never closed (it runs to the end "
        'of the file). Close the quote, and double any quote inside quoted text ("")']


def test_empty_and_unreadable_files(write: Write, qs: QuestionSet) -> None:
    assert _errors(write("e.csv", ""), qs) == [
        f"{write('e.csv', '')}:1: no header row: the file is empty. The first line names the "
        "columns: answer keys and respondent fields"]
    fake = write("fake.xlsx", b"PK\x03\x04 not really a workbook")
    (error,) = _errors(fake, qs)
    assert error.startswith(f"{fake}: not a readable .xlsx workbook")


def test_microsoft_forms_numbered_repeats(write: Write, qs: QuestionSet) -> None:
    """Forms numbers a repeated header: "We look ahead." twice becomes ... and ...2."""
    header = "ID,Start time,Completion time,Email,Name,We know our partners.,We know our partners.2"
    path = write("ms.csv", f"{header}\n1,x,y,anonymous,,Agree,Agree\n")
    assert _errors(path, qs)[0].startswith(
        f"{path}:1: column 'We know our partners.': question 'b1' matches more than one column")
    single = write("ms1.csv", "ID,Start time,Completion time,Email,Name,We know our partners.2\n"
                   "1,x,y,anonymous,,Agree\n")
    table = read_export(single, qs)
    assert (table.headers, table.rows) == (["respondent_id", "submitted_at", "b1"],
                                           [["1", "y", "4"]])
    hats = write("ms2.csv", "ID,Start time,Completion time,Email,Name,We look ahead.,"
                 "We look ahead.2\n1,x,y,anonymous,,Agree,Disagree\n")
    mapping = write("ms.yaml", """\
        columns:
          - {header: We look ahead., to: c2@org}
          - {header: We look ahead.2, to: c2@sys}
        """)
    table = read_export(hats, qs, ImportOptions(mapping=load_mapping(mapping)))
    assert (table.headers, table.rows) == (["respondent_id", "submitted_at", "c2@org", "c2@sys"],
                                           [["1", "y", "4", "2"]])


def test_regex_rules_expand_groups_and_answer_codes(write: Write, qs: QuestionSet) -> None:
    path = write("lime.csv", '"id","submitdate","B[b1]","B[b2]","C[c2_org]"\r\n'
                 '"1","2024-03-04 10:00:00","A4","A6","A1"\r\n\r\n')
    mapping = write("lime.yaml", r"""
        columns:
          - {regex: '^B\[(b\d)\]$', to: '\1'}
          - {regex: '^C\[(?P<q>c\d)_(?P<hat>org|sys)\]$', to: '\g<q>@\g<hat>'}
        answers:
          agreement: {A1: 1, A2: 2, A3: 3, A4: 4, A5: 5, A6: "Don't know"}
        """)
    table = read_export(path, qs, ImportOptions(mapping=load_mapping(mapping)))
    assert table.detection.platform == "csv"  # too few LimeSurvey columns to tell
    assert (table.headers, table.rows) == (["b1", "b2", "c2@org"], [["4", "Don't know", "1"]])
    assert [w.column for w in table.warnings] == ["id", "submitdate"]


def test_mapping_rules_are_checked_against_the_question_set(
        write: Write, qs: QuestionSet) -> None:
    path = write("g.csv", "We know our partners.\n4\n")
    mapping = write("map.yaml", """\
        columns:
          - {header: Q1, to: b3}
          - {regex: '^Q(\\d)$', to: 'x\\1'}
        answers:
          agreement: {A9: 9, A8: "Not sure"}
          agree: {A1: 1}
        """)
    assert _errors(path, qs, mapping) == [
        f"{mapping}:2:22: columns[0].to: 'b3' is not an answer key, respondent field, "
        "respondent_id, submitted_at or ignore",
        f"{mapping}:5:19: answers.agreement.A9: 9 is not a value of the agreement scale (1-5) "
        "or one of its unscored answers",
        f"{mapping}:5:26: answers.agreement.A8: 'Not sure' is not a value of the agreement "
        "scale (1-5) or one of its unscored answers",
        f"{mapping}:6:10: answers.agree: no scale 'agree' in question set 'small'. Did you "
        "mean 'agreement'?"]
    regex_path = write("r.csv", "Q1\n4\n")
    regex_only = write("regex.yaml", "columns:\n  - {regex: '^Q(\\d)$', to: 'x\\1'}\n")
    assert _errors(regex_path, qs, regex_only)[0] == (
        f"{regex_only}:2:28: columns[0].to: 'x1' (for column 'Q1' of {regex_path}) is not an "
        "answer key, respondent field, respondent_id, submitted_at or ignore")


@pytest.mark.parametrize(("text", "expected"), [
    ("columns: [{header: a, code: b, to: b1}]\n",
     ":1:11: columns[0]: give exactly one of header, regex, import_id or code"),
    ("columns: [{regex: '(', to: b1}]\n",
     ":1:19: columns[0].regex: invalid regular expression: missing ) at position 1"),
    ("columns: [{header: a, too: b1}]\n", ":1:23: columns[0].too: unknown key 'too'. Did you "
     "mean 'to'?"),
    ("colums: []\n", ":1:1: colums: unknown key 'colums'. Did you mean 'columns'?"),
    ("platform: typeform\n", ":1:11: platform: expected 'google-forms', 'microsoft-forms', "
     "'qualtrics', 'surveymonkey', 'limesurvey' or 'csv'"),
    ("- just a list\n", ":1:1: expected a mapping with columns and/or answers"),
    ("columns: [\n", ":2:1: YAML syntax"),
])
def test_bad_mapping_files(text: str, expected: str, write: Write) -> None:
    path = write("map.yaml", text)
    with pytest.raises(ResponsesError) as caught:
        load_mapping(path)
    assert any(str(p).startswith(f"{path}{expected}") for p in caught.value.problems), [
        str(p) for p in caught.value.problems]


def test_mapping_under_an_import_key_and_platform_override(
        write: Write, qs: QuestionSet) -> None:
    path = write("plain.csv", "Respondent,We know our partners.\nR1,Agree\n")
    mapping = write("map.yaml", """\
        import:
          platform: csv
          columns:
            - {header: Respondent, to: respondent_id}
        """)
    table = read_export(path, qs, ImportOptions(mapping=load_mapping(mapping)))
    assert (table.headers, table.rows) == (["respondent_id", "b1"], [["R1", "4"]])


def test_question_set_import_section_and_mapping_precedence(write: Write) -> None:
    qs = load_question_set(write("with-import.yaml", SET + """\
import:
  columns:
    - {code: Q1, to: b1}
    - {import_id: QID9, to: b2}
  answers:
    agreement: {"6": "Don't know", A4: 4}
"""))
    path = write("q.csv", "Q1,Q2\n6,A4\n")
    table = read_export(path, qs)
    assert (table.headers, table.rows) == (["b1"], [["Don't know"]])
    mapping = write("map.yaml", "columns: [{code: Q1, to: c1}, {code: Q2, to: b2}]\n"
                    "answers: {agreement: {'6': 1}}\n")
    table = read_export(path, qs, ImportOptions(mapping=load_mapping(mapping)))
    assert (table.headers, table.rows) == (["c1", "b2"], [["1", "4"]])
    # An import target that names nothing is caught when the question set is validated.
    bad = write("bad-import.yaml", SET + "import:\n  columns:\n    - {code: Q1, to: b9}\n")
    with pytest.raises(QuestionSetError) as info:
        load_question_set(bad)
    assert [p.path for p in info.value.problems] == ["import.columns[0].to"]
    assert "unknown answer key or field 'b9'" in str(info.value.problems[0])


def test_import_section_keeps_canonical_files_on_the_fast_path(write: Write) -> None:
    from leadlens.responses.exports import needs_import

    qs = load_question_set(write("with-import.yaml", SET + """\
import:
  columns: [{code: Q1, to: b1}]
  answers: {agreement: {A4: 4}}
"""))
    assert not needs_import(write("plain.csv", "b1,b2,organisation\n4,5,Acme\n"), qs)
    assert needs_import(write("mapped.csv", "Q1,b2\n4,5\n"), qs)
    assert needs_import(write("codes.csv", "b1,b2\nA4,5\n"), qs)
    assert needs_import(write("labels.csv", "b1,b2\nAgree,5\n"), qs)


def test_a_reworded_header_gets_did_you_mean_and_a_line_to_paste(write: Write,
                                                                  qs: QuestionSet) -> None:
    # "our" left out of b1's text: close to it, not equal.
    header = "We know partners.,We look ahead. [Organisation hat],Unrelated"
    path = write("export.csv", f"Timestamp,{header}\n2024-03-04 10:00,Agree,Agree,x\n")
    problems = _errors(path, qs)
    assert len(problems) == 1, problems
    [problem] = problems
    assert problem == (f"{path}:1: column 'We know partners.': matches no question, but it "
                       "is close to the text of 'b1', which has no column. Did you mean "
                       "'b1'? If so, map it in a --mapping file, under columns: - {header: "
                       "\"We know partners.\", to: b1}")
    line = problem.split("under columns: ")[1]
    mapping = write("map.yaml", f"columns:\n  {line}\n")
    table = read_export(path, qs, ImportOptions(mapping=load_mapping(mapping)))
    assert "b1" in table.headers


def test_a_header_close_to_nothing_missing_stays_a_warning(write: Write, qs: QuestionSet
                                                          ) -> None:
    path = write("export.csv", "Timestamp,We know our partners.,Do we know our partners?\n"
                 "2024-03-04 10:00,Agree,x\n")
    # b1 has its column; the other header is far from every question without one.
    table = read_export(path, qs)
    assert [w.code for w in table.warnings] == ["responses.unknown-column"]
