"""Reading responses CSVs: every kind of bad data gives its located message; the rest is
handled without fuss. Each test runs through both readers: Python's csv module (small
files) and polars (large files), which must agree."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from leadlens.errors import Code, ResponsesError
from leadlens.questionset.model import QuestionSet
from leadlens.responses import cells as csv_cells
from leadlens.responses import reading as reader
from leadlens.responses.reading import (
    cells_to_responses,
    column_hints,
    read_csv_cells,
    read_responses,
)
from scoring_fixtures import build_set, scale

HEADER = "respondent_id,organisation,b1,b2,b3,story\n"


@pytest.fixture(params=["csv module", "polars"])
def fast(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    if request.param == "polars":
        monkeypatch.setattr(csv_cells, "FAST_READ_BYTES", 0)
    yield request.param


@pytest.fixture
def qs() -> QuestionSet:
    agreement = scale(1, 5)
    agreement["options"][3]["label"] = "Agree"
    return build_set([{"id": "b1", "scale": "agreement"},
                      {"id": "b2", "scale": "agreement", "reverse": True},
                      {"id": "b3", "scale": "agreement"}, {"id": "story", "type": "text"}],
                     scales={"agreement": agreement}, min_group_size=3)


Read = Callable[[str | bytes], list[str]]


@pytest.fixture
def errors(tmp_path: Path, qs: QuestionSet, fast: str) -> Read:
    """The error lines for a file with the given content (read as a leadlens CSV)."""

    def read(content: str | bytes) -> list[str]:
        path = tmp_path / "r.csv"
        path.write_bytes(content.encode() if isinstance(content, str) else content)
        try:
            conversion = cells_to_responses(read_csv_cells(path, hint=column_hints(qs)), qs)
            problems, omitted = conversion.errors, conversion.omitted
        except ResponsesError as exc:
            problems, omitted = exc.problems, exc.omitted
        lines = [str(p).replace(str(tmp_path) + "/", "") for p in problems]
        if omitted:
            lines.append(f"... {omitted} more")
        return lines

    return read


def load(tmp_path: Path, qs: QuestionSet, *contents: str | bytes, **kwargs: object
         ) -> reader.Responses:
    paths = []
    for i, content in enumerate(contents):
        path = tmp_path / f"r{i}.csv"
        path.write_bytes(content.encode() if isinstance(content, str) else content)
        paths.append(path)
    return read_responses(paths, qs, **kwargs)  # type: ignore[arg-type]


# --- bad data ----------------------------------------------------------------------------------

ACCEPTED = ("Option 1 (1), Option 2 (2), Option 3 (3), Agree (4), Option 5 (5), Don't know, or "
            "the values 1-5. Add it as an alias in the question set or map it under "
            "answers.agreement in a --mapping file")


@pytest.mark.parametrize(("cell", "message"), [
    ("7", "7 is not on the agreement scale (1-5)"),
    ("0", "0 is not on the agreement scale (1-5)"),
    ("-1", "-1 is not on the agreement scale (1-5)"),
    ("4.5", "'4.5' is not a whole number on the agreement scale (1-5)"),
    ("4.0", "'4.0' is not a whole number on the agreement scale (1-5)"),
    *[(cell, f"unknown answer {cell!r} for the agreement scale; accepted: {ACCEPTED}")
      for cell in ("nan", "inf", "yes", "true", "Agreed")],
])
def test_values_not_on_the_scale(errors: Read, cell: str, message: str) -> None:
    content = HEADER + "r1,Acme,1,2,3,\n" + f"r2,Acme,1,{cell},3,\n"
    assert errors(content) == [f"r.csv:3: column 'b2': {message}"]


def read_directly(tmp_path: Path, qs: QuestionSet, content: str) -> reader.Responses:
    """Read with the leadlens CSV reader itself (read_responses may route to imports)."""
    path = tmp_path / "r.csv"
    path.write_text(content, encoding="utf-8")
    conversion = cells_to_responses(read_csv_cells(path, hint=column_hints(qs)), qs)
    assert conversion.errors == []
    return conversion.responses


@pytest.mark.parametrize("cell", ["Agree", " agree ", "AGREE", "Agree."])
def test_an_options_label_is_its_value(tmp_path: Path, qs: QuestionSet, fast: str,
                                       cell: str) -> None:
    data = read_directly(tmp_path, qs, HEADER + f"r1,Acme,4,\"{cell}\",3,\n")
    assert data.codes.tolist() == [[4, 4, 3]] and data.warnings == []


def test_labels_aliases_and_smart_quotes_read_as_the_import_reader_reads_them(
        tmp_path: Path, fast: str) -> None:
    agreement = scale(1, 3)
    agreement["options"][2]["aliases"] = ["Yes"]
    one = build_set([{"id": "b1", "scale": "agreement"}], scales={"agreement": agreement})
    content = "b1\nOption 1\nyes\nDon\u2019t know\n3\n"
    assert read_directly(tmp_path, one, content).codes[:, 0].tolist() == [1, 3, 4, 3]
    assert load(tmp_path, one, content).codes[:, 0].tolist() == [1, 3, 4, 3]


def test_lines_count_quoted_newlines_and_blank_lines(errors: Read) -> None:
    content = (HEADER + 'r1,Acme,1,2,3,"two\nlines"\n' + "\n"
               + "r2,Acme,9,2,3,\n" + "r3,Acme,1,2,4.5,\n")
    assert errors(content) == [
        "r.csv:5: column 'b1': 9 is not on the agreement scale (1-5)",
        "r.csv:6: column 'b3': '4.5' is not a whole number on the agreement scale (1-5)"]


def test_all_errors_are_collected_in_file_order_and_capped(errors: Read) -> None:
    rows = "".join(f"r{i},Acme,6,2,6,\n" for i in range(30))
    lines = errors(HEADER + rows)
    assert len(lines) == 51 and lines[-1] == "... 10 more"
    assert lines[:3] == ["r.csv:2: column 'b1': 6 is not on the agreement scale (1-5)",
                         "r.csv:2: column 'b3': 6 is not on the agreement scale (1-5)",
                         "r.csv:3: column 'b1': 6 is not on the agreement scale (1-5)"]


def test_unterminated_quote_is_reported_where_it_opens(errors: Read) -> None:
    content = HEADER + "r1,Acme,1,2,3,fine\n" + 'r2,Acme,1,2,3,"never closed\n' + \
        "r3,Acme,1,2,3,more\n" * 3
    assert errors(content) == [
        "r.csv:3: column 'story': quoted field is never closed (it runs to the end of the "
        'file). Close the quote, and double any quote inside quoted text ("")']


def test_stray_quote_inside_quoted_text(errors: Read) -> None:
    content = HEADER + 'r1,Acme,1,2,3,"she said "hi" to me"\n' + "r2,Acme,1,2,3,\n"
    assert errors(content) == [
        "r.csv:2: column 'story': quoted field is closed at line 2 and followed by 'h'. "
        'A quote inside quoted text must be doubled ("")']


def test_unclosed_quote_swallowing_later_quotes(errors: Read) -> None:
    content = HEADER + 'r1,Acme,1,2,3,"oops\n' + 'r2,Acme,1,2,3,"quoted"\n'
    assert errors(content) == [
        "r.csv:2: column 'story': quoted field is closed at line 3 and followed by 'q'. "
        'A quote inside quoted text must be doubled ("")']


@pytest.mark.parametrize(("row", "count"), [("r2,Acme,1,2,3,,extra", 7), ("r2,Acme,1,2", 4)])
def test_rows_with_too_many_or_too_few_fields(errors: Read, row: str, count: int) -> None:
    content = HEADER + "r1,Acme,1,2,3,\n" + row + "\n" + "r3,Acme,1,2,3,\n"
    assert errors(content) == [
        f"r.csv:3: row has {count} fields, expected 6 (one per header column). Check for a "
        "missing or extra comma, or an unquoted comma in text"]


def test_duplicate_headers(errors: Read) -> None:
    assert errors("b1,b2,b1,b3,b2\n1,2,3,4,5\n") == [
        "r.csv:1: column 'b1': duplicate column header (columns 1 and 3). Each answer key or "
        "field may appear only once",
        "r.csv:1: column 'b2': duplicate column header (columns 2 and 5). Each answer key or "
        "field may appear only once"]


@pytest.mark.parametrize("content", [HEADER, HEADER + "\n\n", HEADER + ",,,,,\n"])
def test_a_file_without_responses(errors: Read, content: str) -> None:
    assert errors(content) == ["r.csv: no responses: no row after the header has an answer"]


@pytest.mark.parametrize("content", ["", "\n", " \n\n"])
def test_an_empty_file(errors: Read, content: str) -> None:
    assert errors(content) == [
        "r.csv:1: no header row: the file is empty. The first line names the columns: answer "
        "keys and respondent fields"]


def test_errors_from_several_files_are_all_reported(tmp_path: Path, qs: QuestionSet,
                                                    fast: str) -> None:
    with pytest.raises(ResponsesError) as caught:
        load(tmp_path, qs, HEADER + "r1,Acme,8,2,3,\n", "b1,b1\n1,1\n")
    assert [p.file.rsplit("/", 1)[-1] for p in caught.value.problems] == ["r0.csv", "r1.csv"]


def test_on_invalid_missing_turns_bad_values_into_missing(tmp_path: Path, qs: QuestionSet,
                                                          fast: str) -> None:
    data = load(tmp_path, qs, HEADER + "r1,Acme,7,yes,3,\nr2,Acme,1,2,3,\n",
                on_invalid="missing")
    assert data.codes[:, :3].tolist() == [[0, 0, 3], [1, 2, 3]]
    [warning] = [str(w) for w in data.warnings]
    assert warning.endswith("warning: 2 answer(s) not on their scale were treated as missing "
                            "(--on-invalid missing): 'b1' 1, 'b2' 1")


def test_strict_makes_warnings_errors(tmp_path: Path, qs: QuestionSet, fast: str) -> None:
    content = "respondent_id,b1,b2,extra\nr1,1,2,x\n"
    with pytest.raises(ResponsesError) as caught:
        load(tmp_path, qs, content, strict=True)
    messages = [p.message for p in caught.value.problems]
    assert any("not a question" in m for m in messages)
    assert any("question column(s) missing" in m for m in messages)
    assert all(p.severity == "error" for p in caught.value.problems)


# --- handled without fuss ----------------------------------------------------------------------

def test_bom_crlf_quoted_newlines_and_unscored_labels(tmp_path: Path, qs: QuestionSet,
                                                      fast: str) -> None:
    content = ("\ufeff" + HEADER.replace("\n", "\r\n")
               + 'r1,Acme,5,1,Don\'t know,"line one\r\nline two"\r\n'
               + "r2, acme ,  3 ,DON'T KNOW ,,\r\n").encode()
    data = load(tmp_path, qs, content)
    assert data.n == 2 and data.warnings == []
    assert data.respondent_ids == ["r1", "r2"]
    assert data.codes.tolist() == [[5, 1, 6], [3, 6, 0]]  # 6: the unscored "Don't know"
    assert data.texts["story"].texts == ["line one\r\nline two"]
    assert data.fields["organisation"].strings() == ["Acme", " acme "]


def test_warnings_for_blank_rows_unknown_and_missing_columns(tmp_path: Path, qs: QuestionSet,
                                                             fast: str) -> None:
    content = "organisation,b1,notes,b3\nAcme,1,x,2\n\n,,,\nBeta,2,,3\n"
    data = load(tmp_path, qs, content, allow_missing_questions=True)
    assert data.n == 2
    warnings = [str(w).split(": ", 1)[1] for w in data.warnings]
    assert warnings == [
        "column 'notes': warning: not a question, respondent field, respondent_id or "
        "submitted_at; ignored",
        "warning: 2 question column(s) missing, their answers count as missing: 'b2', 'story'",
        "warning: 2 blank rows ignored"]
    assert str(data.warnings[0]).startswith(str(tmp_path / "r0.csv") + ":1: ")
    assert data.codes[:, 1].tolist() == [0, 0]


def test_a_question_without_a_column_is_an_error_unless_allowed(
        tmp_path: Path, qs: QuestionSet, fast: str) -> None:
    with pytest.raises(ResponsesError) as caught:
        load(tmp_path, qs, "organisation,b1,b3\nAcme,1,2\n")
    (problem,) = caught.value.problems
    assert str(problem) == (
        f"{tmp_path / 'r0.csv'}:1: 2 question column(s) missing: 'b2', 'story'. Add the "
        "column(s), or score without them (their answers count as missing) with "
        "--allow-missing-questions (allow_missing_questions=True in Python)")


def test_unknown_column_gets_a_did_you_mean(tmp_path: Path, qs: QuestionSet, fast: str) -> None:
    data = load(tmp_path, qs, "b1,b2,b3,story,storey_old\n1,2,3,x,y\n")
    assert data.warnings[0].hint == "Did you mean 'story'?"  # 'story' has its column


def test_a_header_in_another_case_is_read_as_its_question(tmp_path: Path, qs: QuestionSet,
                                                          fast: str) -> None:
    # Headers are compared as the import reader compares question texts: case aside.
    data = load(tmp_path, qs, "b1,B2,b3,Story\n1,2,3,x\n")
    assert data.codes.tolist() == [[1, 2, 3]] and data.texts["story"].texts == ["x"]


@pytest.mark.parametrize(("header", "meant"), [("b.2", "b2"), ("b_2", "b2"), ("bb2", "b2"),
                                               ("stroy", "story")])
def test_a_header_like_a_missing_question_is_an_error_with_the_suggestion(
        tmp_path: Path, qs: QuestionSet, fast: str, header: str, meant: str) -> None:
    columns = [c for c in ("b1", "b2", "b3", "story") if c != meant] + [header]
    with pytest.raises(ResponsesError) as caught:
        load(tmp_path, qs, ",".join(columns) + "\n" + ",".join("1" for _ in columns) + "\n",
             allow_missing_questions=True)
    (problem,) = caught.value.problems
    assert str(problem) == (
        f"{tmp_path / 'r0.csv'}:1: column {header!r}: not a column of the question set, but it "
        f"looks like {meant!r}, which has no column. Rename the column to {meant!r} (or map "
        "it in a --mapping file)")


def test_files_with_columns_in_another_order_are_concatenated(tmp_path: Path, qs: QuestionSet,
                                                              fast: str) -> None:
    first = "organisation,b1,b2,b3,story\nAcme,1,2,3,hello\n"
    second = "story,b3,b2,b1,organisation\nbye,5,4,3,Beta\n,1,1,1,Gamma\n"
    data = load(tmp_path, qs, first, second)
    assert data.n == 3
    assert data.codes.tolist() == [[1, 2, 3], [3, 4, 5], [1, 1, 1]]
    assert data.fields["organisation"].strings() == ["Acme", "Beta", "Gamma"]
    assert data.texts["story"].rows.tolist() == [0, 1]
    assert data.texts["story"].texts == ["hello", "bye"]
    assert len(data.sources) == 2


def test_the_two_readers_agree_on_a_messy_file(tmp_path: Path, qs: QuestionSet,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(1)
    cells = ["1", "2", "3", "4", "5", "", "Don't know", " 2 ", "don't know"]
    lines = [HEADER.strip()]
    for i in range(400):
        story = rng.choice(["", "plain", '"with, comma"', '"two\nlines"', '"say ""hi"""'])
        answers = ",".join(rng.choice(cells) for _ in range(3))
        lines.append(f"r{i},{rng.choice(['Acme', 'acme', ''])},{answers},{story}")
        if i % 97 == 0:
            lines.append("")
    path = tmp_path / "messy.csv"
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    hint = column_hints(qs)
    small = cells_to_responses(read_csv_cells(path, hint=hint), qs).responses
    monkeypatch.setattr(csv_cells, "FAST_READ_BYTES", 0)
    table = read_csv_cells(path, hint=hint)
    large = cells_to_responses(table, qs).responses
    assert np.array_equal(small.codes, large.codes)
    assert small.fields["organisation"].strings() == large.fields["organisation"].strings()
    assert small.texts["story"].texts == large.texts["story"].texts
    assert np.array_equal(small.texts["story"].rows, large.texts["story"].rows)
    assert small.respondent_ids == large.respondent_ids
    assert [str(w) for w in small.warnings] == [str(w) for w in large.warnings]
    assert "blank rows ignored" in str(small.warnings[-1])


def test_line_numbers_of_rows(tmp_path: Path, qs: QuestionSet, fast: str) -> None:
    path = tmp_path / "r.csv"
    path.write_text(HEADER + 'r1,A,1,1,1,"a\nb\nc"\n\nr2,A,1,1,1,\n', encoding="utf-8")
    table = read_csv_cells(path, hint=column_hints(qs))
    assert list(table.line_numbers()) == [2, 5, 6]


def test_not_utf8_is_located(tmp_path: Path, qs: QuestionSet, fast: str) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(HEADER.encode() + b"r1,Caf\xe9,1,2,3,\n")
    with pytest.raises(ResponsesError) as caught:
        read_csv_cells(path, hint=column_hints(qs))
    assert [str(p).split("/")[-1] for p in caught.value.problems] == [
        "r.csv:2: not UTF-8 text (byte 0xe9). Save the file as CSV UTF-8"]


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ResponsesError, match="cannot read: No such file"):
        read_csv_cells(tmp_path / "absent.csv")


def test_a_quote_inside_unquoted_text_is_text(tmp_path: Path, qs: QuestionSet, fast: str
                                              ) -> None:
    data = load(tmp_path, qs, HEADER + 'r1,Acme,1,2,3,a 5" screen\n')
    assert data.texts["story"].texts == ['a 5" screen']


@pytest.mark.parametrize("story", ["I Don't know why", "-1000 reasons", "Don't know -1000"])
def test_unscored_labels_and_numbers_in_text_stay_text(tmp_path: Path, qs: QuestionSet,
                                                       fast: str, story: str) -> None:
    content = (HEADER + f"r1,Don't know,Don't know,2,3,{story}\n"
               + "r2,Acme,4,Don't know,-1000,\n")
    data = load(tmp_path, qs, content, on_invalid="missing")
    assert data.texts["story"].texts == [story]
    assert data.fields["organisation"].strings() == ["Don't know", "Acme"]
    assert data.codes.tolist() == [[6, 2, 3], [4, 6, 0]]
    assert "'b3' 1" in str(data.warnings[-1])


def test_commas_inside_quoted_cells_of_every_kind_of_column(tmp_path: Path, qs: QuestionSet,
                                                            fast: str) -> None:
    content = ('respondent_id,organisation,b1,notes,story\n'
               '"r,1","Acme, Ltd",1,"ignored, but counted","a, b, c"\n')
    data = load(tmp_path, qs, content, allow_missing_questions=True)
    assert data.respondent_ids == ["r,1"]
    assert data.fields["organisation"].strings() == ["Acme, Ltd"]
    assert data.texts["story"].texts == ["a, b, c"]


# --- respondents given twice -------------------------------------------------------------------

def test_a_repeated_respondent_id_within_a_file_is_a_located_warning(
        tmp_path: Path, qs: QuestionSet, fast: str) -> None:
    content = ("respondent_id,b1\nr1,1\nr2,2\n\nr1,3\n"
               + "".join(f"s{i},4\n" for i in range(20)) + "r2,5\n")
    data = load(tmp_path, qs, content, allow_missing_questions=True)
    assert data.n == 24  # still counted as written: a warning, not a guess
    name = str(tmp_path / "r0.csv")
    repeated = [str(w) for w in data.warnings if w.code is Code.RESPONSES_DUPLICATE_IDS]
    assert repeated == [
        f"{name}:5: warning: 2 respondent ids appear more than once, so they are counted more "
        f"than once: 'r1' (at {name}:5, first at {name}:2), 'r2' (at {name}:26, first at "
        f"{name}:3). Remove the repeated rows (or the file given twice), or give each "
        "respondent their own respondent_id"]


def test_the_same_file_given_twice_names_a_few_ids_and_counts_the_rest(
        tmp_path: Path, qs: QuestionSet, fast: str) -> None:
    path = tmp_path / "r.csv"
    path.write_text("respondent_id,b1\n" + "".join(f"id{i},1\n" for i in range(8)),
                    encoding="utf-8")
    data = read_responses([path, path], qs, allow_missing_questions=True)
    assert data.n == 16
    (warning,) = [w for w in data.warnings if w.code is Code.RESPONSES_DUPLICATE_IDS]
    assert (warning.file, warning.line) == (str(path), 2)
    assert warning.message.startswith(
        f"8 respondent ids appear more than once, so they are counted more than once ({path} "
        f"is given 2 times): 'id0' (at {path}:2, first at {path}:2), 'id1' (at {path}:3, ")
    assert "'id4'" in warning.message and "'id5'" not in warning.message
    assert warning.message.endswith(" and 3 more")
    with pytest.raises(ResponsesError) as caught:
        read_responses([path, path], qs, strict=True, allow_missing_questions=True)
    (error,) = [p for p in caught.value.problems if p.code is Code.RESPONSES_DUPLICATE_IDS]
    assert error.severity == "error" and str(error).startswith(f"{path}:2: 8 respondent ids")


def test_repeats_across_files_are_found_and_blank_ids_are_not_compared(
        tmp_path: Path, qs: QuestionSet, fast: str) -> None:
    data = load(tmp_path, qs, "respondent_id,b1\n,1\n a ,2\nx,3\n",
                "b1,respondent_id\n4,\n5,x\n", "b1\n1\n1\n", allow_missing_questions=True)
    (warning,) = [w for w in data.warnings if w.code is Code.RESPONSES_DUPLICATE_IDS]
    assert str(warning).startswith(
        f"{tmp_path / 'r1.csv'}:3: warning: 1 respondent id appears more than once, so that "
        f"respondent is counted more than once: 'x' (at {tmp_path / 'r1.csv'}:3, first at "
        f"{tmp_path / 'r0.csv'}:4)")


def test_distinct_ids_and_files_without_ids_give_no_warning(
        tmp_path: Path, qs: QuestionSet, fast: str) -> None:
    data = load(tmp_path, qs, "respondent_id,b1\na,1\nb,1\n", "b1\n1\n1\n", "b1\n1\n1\n",
                allow_missing_questions=True)
    assert data.n == 6
    assert not [w for w in data.warnings if w.code is Code.RESPONSES_DUPLICATE_IDS]
