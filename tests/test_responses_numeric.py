"""The integer parse of a large leadlens CSV (:mod:`leadlens.responses.numeric`) reads every
file exactly as the other readers do, and is taken only where it can be.

Each file is read three ways: Python's csv module (a small file), polars with the rated
columns as enums (the integer parse switched off) and polars as a large file is read (the
integer parse where the file allows it). Answer codes, fields, comments, errors and warnings
must be the same; the path each file takes is checked too.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from leadlens.cli import app
from leadlens.errors import ResponsesError
from leadlens.questionset.model import QuestionSet
from leadlens.responses import cells, numeric
from leadlens.responses.reading import cells_to_responses, column_hints, read_csv_cells
from leadlens.responses.table import Responses
from scoring_fixtures import build_set, scale

HEADER = "respondent_id,organisation,b1,b2,b3,story\n"


@pytest.fixture
def qs() -> QuestionSet:
    return build_set([{"id": "b1", "scale": "agreement"},
                      {"id": "b2", "scale": "agreement", "reverse": True},
                      {"id": "b3", "scale": "agreement"}, {"id": "story", "type": "text"}],
                     scales={"agreement": scale(1, 5)}, min_group_size=3)


Outcome = tuple[list[str], Responses | None]


def read(path: Path, qs: QuestionSet, on_invalid: str = "error") -> Outcome:
    """Messages (errors, then warnings) and the responses read."""
    try:
        conversion = cells_to_responses(read_csv_cells(path, hint=column_hints(qs)), qs,
                                        on_invalid=on_invalid)  # type: ignore[arg-type]
    except ResponsesError as exc:
        return [str(p) for p in exc.problems], None
    problems = [*conversion.errors, *conversion.responses.warnings]
    return [str(p) for p in problems], conversion.responses


def three_ways(path: Path, qs: QuestionSet, monkeypatch: pytest.MonkeyPatch,
               on_invalid: str = "error") -> tuple[Outcome, Outcome, Outcome, bool]:
    """The file read by the csv module, by polars with enums and by polars as large files
    are read, and whether the last took the integer parse."""
    by_csv_module = read(path, qs, on_invalid)
    with monkeypatch.context() as patch:
        patch.setattr(cells, "FAST_READ_BYTES", 0)
        patch.setattr(numeric, "numeric_columns", lambda hints: None)
        by_enums = read(path, qs, on_invalid)
    used: list[bool] = []
    encode = cells._encode_numbers

    def spy(*args: Any) -> Any:
        used.append(True)
        return encode(*args)

    with monkeypatch.context() as patch:
        patch.setattr(cells, "FAST_READ_BYTES", 0)
        patch.setattr(cells, "_encode_numbers", spy)
        by_integers = read(path, qs, on_invalid)
    return by_csv_module, by_enums, by_integers, bool(used)


def assert_same(*outcomes: Outcome) -> None:
    first_messages, first = outcomes[0]
    for messages, responses in outcomes[1:]:
        assert messages == first_messages
        assert (responses is None) == (first is None)
        if responses is None or first is None:
            continue
        assert responses.keys == first.keys
        assert np.array_equal(responses.codes, first.codes)
        for key, values in first.fields.items():
            assert responses.fields[key].strings() == values.strings()
        for key, texts in first.texts.items():
            assert responses.texts[key].texts == texts.texts
            assert np.array_equal(responses.texts[key].rows, texts.rows)
        assert responses.respondent_ids == first.respondent_ids


ROWS = "".join(f"r{n},{'AB'[n % 2]},{1 + n % 5},{1 + n * 7 % 5},{1 + n * 3 % 5},\n"
               for n in range(1, 9))

CASES: dict[str, tuple[str, bool]] = {
    # name: (file, whether the integer parse reads it)
    "numbers and don't know": (HEADER + ROWS + "r9,A,Don't know,,4,\nr10,B,,Don't know,"
                               "Don't know,fine\n", True),
    "spellings polars and the exact reader both read as the number": (
        HEADER + ROWS + 'r9,A, 4,+4,04,\nr10,B,"4",\t2,005,x\nr11,A, Don\'t know,'
        '"Don\'t know",3,\n', True),
    "an answer off the scale": (HEADER + ROWS + "r9,A,7,0,3,\nr10,B,9,2,2,\n", True),
    "blank rows, CRLF and a comment over two lines": (
        (HEADER + ROWS[:ROWS.index("r4")] + "\n\n" + ROWS[ROWS.index("r4"):]).replace(
            "\n", "\r\n")
        + 'r9,A,2,3,Don\'t know,"two\r\nlines, with a comma"\r\n', True),
    "no line feed at the end": (HEADER + ROWS + "r9,A,2,3,Don't know,", True),
    "a row of empty cells and blank answers": (HEADER + ROWS + ",,,,,\nr9,A,  ,,,\n", True),
    "labels from the first row": (HEADER + "r1,A,Option 4,Option 2,3,\n" + ROWS, False),
    "NA, a missing value": (HEADER + ROWS + "r9,A,NA,3,4,\n", False),
    "4.0, not a whole number cell": (HEADER + ROWS + "r9,A,4.0,3,4,\n", False),
    "255 in the file": (HEADER + ROWS + "r9,A,255,3,Don't know,\n", False),
    "the stand-in itself": (HEADER + ROWS + "r9,A,+255,3,Don't know,\n", False),
    "don't know inside a comment": (HEADER + ROWS + "r9,A,1,3,Don't know,\"I Don't know "
                                    "why\"\n", False),
    "don't know as an organisation": (HEADER + ROWS + "r9,Don't know,1,3,Don't know,\n", False),
    "don't know in another case": (HEADER + ROWS + "r9,A,don't know,3,4,\n", False),
    "don't know with a space after it": (HEADER + ROWS + "r9,A,Don't know ,3,4,\n", False),
    "ragged rows": (HEADER + ROWS + "r9,A,1,2\nr10,B,1,2,3,,,\n", True),
    "an unclosed quote": (HEADER + ROWS + 'r9,"A,1,2,3,\n', True),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_reader_reads_the_file_alike(case: str, tmp_path: Path, qs: QuestionSet,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    text, integers = CASES[case]
    path = tmp_path / "r.csv"
    path.write_bytes(text.encode())
    by_csv_module, by_enums, by_integers, used = three_ways(path, qs, monkeypatch)
    assert_same(by_csv_module, by_enums, by_integers)
    structure_problem = case in ("ragged rows", "an unclosed quote")
    assert used == (integers and not structure_problem)


def test_a_label_after_the_first_rows_reads_as_before(tmp_path: Path, qs: QuestionSet,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The head looks numeric, the integer parse fails further on: enums read it."""
    monkeypatch.setattr(numeric, "HEAD_ROWS", 2)
    path = tmp_path / "r.csv"
    path.write_text(HEADER + ROWS + "r9,A,Option 5,Agree,3,\n", encoding="utf-8")
    by_csv_module, by_enums, by_integers, used = three_ways(path, qs, monkeypatch)
    assert_same(by_csv_module, by_enums, by_integers)
    assert not used
    assert by_integers[0] == [f"{path}:10: column 'b2': unknown answer 'Agree' for the "
                              "agreement scale; accepted: Option 1 (1), Option 2 (2), Option 3 "
                              "(3), Option 4 (4), Option 5 (5), Don't know, or the values 1-5. "
                              "Add it as an alias in the question set or map it under "
                              "answers.agreement in a --mapping file"]


def test_a_file_over_the_size_bound_is_parsed_from_its_path_as_enums(
        tmp_path: Path, qs: QuestionSet, monkeypatch: pytest.MonkeyPatch) -> None:
    """The integer parse holds the text: a file over numeric.MAX_BYTES is not read so."""
    path = tmp_path / "r.csv"
    path.write_text(CASES["numbers and don't know"][0], encoding="utf-8")
    monkeypatch.setattr(numeric, "MAX_BYTES", path.stat().st_size - 1)
    by_csv_module, by_enums, by_integers, used = three_ways(path, qs, monkeypatch)
    assert_same(by_csv_module, by_enums, by_integers)
    assert not used
    monkeypatch.setattr(numeric, "MAX_BYTES", path.stat().st_size)
    assert three_ways(path, qs, monkeypatch)[3]


def test_numbers_off_the_scale_are_located_as_before(tmp_path: Path, qs: QuestionSet,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "r.csv"
    path.write_text(HEADER + ROWS + "r9,A,7,0,3,\nr10,B,9,2,2,\n", encoding="utf-8")
    *_, by_integers, used = three_ways(path, qs, monkeypatch)
    assert used
    assert by_integers[0] == [
        f"{path}:10: column 'b1': 7 is not on the agreement scale (1 (Option 1) to 5 "
        "(Option 5))",
        f"{path}:10: column 'b2': 0 is not on the agreement scale (1 (Option 1) to 5 "
        "(Option 5))",
        f"{path}:11: column 'b1': 9 is not on the agreement scale (1 (Option 1) to 5 "
        "(Option 5))"] or all("is not on the agreement scale" in m for m in by_integers[0])
    with_missing = three_ways(path, qs, monkeypatch, on_invalid="missing")
    assert_same(*with_missing[:3])
    assert with_missing[3]


def test_a_column_holding_every_number(tmp_path: Path, qs: QuestionSet,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """0-254 all in one column: no byte is free for the blank cells, and 250 numbers are off
    the scale; the messages are the csv module's."""
    monkeypatch.setattr(numeric, "HEAD_ROWS", 2)
    path = tmp_path / "r.csv"
    path.write_text(HEADER + ROWS + "".join(f"x{v},A,{v},,Don't know,\n" for v in range(255))
                    + "y,B,,2,3,\n", encoding="utf-8")
    by_csv_module, by_enums, by_integers, used = three_ways(path, qs, monkeypatch)
    assert_same(by_csv_module, by_enums, by_integers)
    assert used
    assert "0 is not on the agreement scale" in by_integers[0][0]


def test_scales_whose_labels_read_as_numbers_are_read_as_before(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An alias "04" for option 1 makes "04" and "4" different answers: no integer parse."""
    agreement = scale(1, 5)
    agreement["options"][0]["aliases"] = ["04"]
    qs = build_set([{"id": "b1", "scale": "agreement"}, {"id": "b2", "scale": "agreement"},
                    {"id": "b3", "scale": "agreement"}, {"id": "story", "type": "text"}],
                   scales={"agreement": agreement}, min_group_size=3)
    assert not isinstance(column_hints(qs)("b1"), numeric.NumericCells)
    path = tmp_path / "r.csv"
    path.write_text(HEADER + ROWS + "r9,A,04,4,3,\n", encoding="utf-8")
    by_csv_module, by_enums, by_integers, used = three_ways(path, qs, monkeypatch)
    assert_same(by_csv_module, by_enums, by_integers)
    assert not used
    assert by_integers[1] is not None and by_integers[1].codes[-1].tolist()[:2] == [1, 4]


def test_a_scale_of_0_to_10_and_one_without_unscored_labels(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    qs = build_set([{"id": "b1", "scale": "nps"}, {"id": "b2", "scale": "plain"},
                    {"id": "b3", "scale": "plain"}, {"id": "story", "type": "text"}],
                   scales={"nps": scale(0, 10), "plain": scale(1, 5, unscored=())},
                   min_group_size=3)
    monkeypatch.setattr(numeric, "HEAD_ROWS", 2)  # the bad cells are further on
    path = tmp_path / "r.csv"
    path.write_text(HEADER + ROWS + "r9,A,0,5,,\nr10,B,10,Don't know,1,\nr11,A,Don't know,"
                    "3,3,\n", encoding="utf-8")
    by_csv_module, by_enums, by_integers, used = three_ways(path, qs, monkeypatch)
    assert_same(by_csv_module, by_enums, by_integers)
    assert used
    assert any("unknown answer \"Don't know\" for the plain scale" in m
               for m in by_integers[0])


CELLS = ["1", "2", "3", "4", "5", "", " ", "Don't know", '"Don\'t know"', " Don't know",
         "don't know", " 3", "+2", "03", '"4"', "\t5", "0", "7", "12", "255", "+255", "4.0",
         "NA", "Option 2", '"2, or so"', '"a\nb"']
COMMENTS = ["", "fine", '"Don\'t know"', '"with, comma"', '"I Don\'t know"', "+255", '"x\ny"']


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(st.sampled_from(["A", "B", "Don't know", ""]),
                               st.lists(st.sampled_from(CELLS), min_size=3, max_size=3),
                               st.sampled_from(COMMENTS)), min_size=1, max_size=12),
       numeric_head=st.booleans(), crlf=st.booleans())
def test_random_files_read_alike(rows: list[tuple[str, list[str], str]], numeric_head: bool,
                                 crlf: bool, tmp_path: Path, qs: QuestionSet,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    lines = [f"r{n},{org},{','.join(answers)},{comment}"
             for n, (org, answers, comment) in enumerate(rows)]
    if numeric_head:
        lines = ROWS.splitlines() + lines
    text = HEADER + "\n".join(lines) + "\n"
    path = tmp_path / "r.csv"
    path.write_bytes((text.replace("\n", "\r\n") if crlf else text).encode())
    by_csv_module, by_enums, by_integers, _ = three_ways(path, qs, monkeypatch)
    assert_same(by_csv_module, by_enums, by_integers)


# --- the whole command ------------------------------------------------------------------------

def document(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    data.pop("generated_at", None)
    data.pop("seal", None)
    return data


Score = Callable[[Path, Path], tuple[int, str, str]]


@pytest.mark.parametrize("answers", ["numbers", "numbers and a label further on"])
def test_score_writes_the_same_document_whichever_path_read_the_file(
        answers: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(17)
    from leadlens.questionset.loading import load_question_set

    qs = load_question_set(None)
    rated = [(k, qs.scales[q.scale or ""]) for q in qs.questions if q.type == "rating"
             for k in q.answer_keys]
    texts = [k for q in qs.questions if q.type == "text" for k in q.answer_keys]
    fields = qs.respondent_field_ids()
    header = ["respondent_id", *fields, *(k for k, _ in rated), *texts]
    lines = [",".join(header)]
    for n in range(400):
        cells_in_row = []
        for _, on in rated:
            cells_of = [str(o.value) for o in on.options] + ["", *on.unscored]
            cells_in_row.append(cells_of[rng.integers(len(cells_of))])
        row = [f"p{n}", *(f"{fid}-{rng.integers(3)}" for fid in fields), *cells_in_row,
               *(("fine" if rng.random() < .1 else "") for _ in texts)]
        lines.append(",".join(row))
    if answers != "numbers":
        lines[-1] = ",".join([*lines[-1].split(",")[:len(fields) + 1], "Agree",
                              *lines[-1].split(",")[len(fields) + 2:]])
    path = tmp_path / "responses.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setattr(numeric, "HEAD_ROWS", 50)
    runner = CliRunner()

    def score(out: str) -> tuple[int, str, str]:
        result = runner.invoke(app, ["score", str(path), "--by", fields[0], "-o",
                                     str(tmp_path / out)])
        return result.exit_code, result.stdout, result.stderr.replace(out, "OUT")

    by_csv_module = score("small.json")
    monkeypatch.setattr(cells, "FAST_READ_BYTES", 0)
    used: list[bool] = []
    encode = cells._encode_numbers

    def spy(*args: Any) -> Any:
        used.append(True)
        return encode(*args)

    with monkeypatch.context() as patch:
        patch.setattr(cells, "_encode_numbers", spy)
        by_integers = score("integers.json")
    assert bool(used) == (answers == "numbers")
    with monkeypatch.context() as patch:
        patch.setattr(numeric, "numeric_columns", lambda hints: None)
        by_enums = score("enums.json")
    assert by_csv_module == by_integers == by_enums
    if by_csv_module[0] == 0:
        assert (document(tmp_path / "small.json") == document(tmp_path / "integers.json")
                == document(tmp_path / "enums.json"))
    else:
        assert "unknown answer 'Agree'" in by_csv_module[2]


TRICKY_ROW_KINDS = ("plain", "blank answers", "don't know", "quoted comment", "off scale")


@pytest.mark.parametrize("bad", ["a number off the scale", "a label further on"])
@pytest.mark.parametrize("on_invalid", ["error", "missing"])
def test_fast_path_and_fallback_write_the_same_document_on_a_tricky_file(
        bad: str, on_invalid: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A byte-order mark, CRLF line ends, blank lines and blank answers, "Don't know",
    quoted comments with commas, doubled quotes and line breaks, and bad cells: the integer
    parse (or, after a label, the enum parse it falls back to) and the csv module give the
    same document, stdout and stderr, with either --on-invalid."""
    from leadlens.questionset.loading import load_question_set

    rng = np.random.default_rng(29)
    qs = load_question_set(None)
    rated = [(k, qs.scales[q.scale or ""]) for q in qs.questions if q.type == "rating"
             for k in q.answer_keys]
    texts = [k for q in qs.questions if q.type == "text" for k in q.answer_keys]
    fields = qs.respondent_field_ids()
    header = ["respondent_id", *fields, *(k for k, _ in rated), *texts]
    lines = [",".join(header)]
    for n in range(300):
        kind = TRICKY_ROW_KINDS[n % len(TRICKY_ROW_KINDS)]
        answers = []
        for _, on in rated:
            options = [str(o.value) for o in on.options]
            cell = options[rng.integers(len(options))]
            if kind == "blank answers" and rng.random() < .4:
                cell = ""
            elif kind == "don't know" and on.unscored and rng.random() < .4:
                cell = on.unscored[0]
            answers.append(cell)
        if kind == "off scale" and n > 100:
            answers[n % len(answers)] = "7"
        comment = ('"it\'s ""fine"", mostly,\r\nsaid twice"' if kind == "quoted comment"
                   else "")
        row = [f"p{n}", *(f"{fid}-{rng.integers(3)}" for fid in fields), *answers,
               *([comment] + [""] * (len(texts) - 1))]
        lines.append(",".join(row))
        if n % 50 == 7:
            lines.append("")  # a blank line
    if bad == "a label further on":
        row = lines[-1].split(",")
        row[len(fields) + 1] = "Agree"
        lines[-1] = ",".join(row)
    path = tmp_path / "responses.csv"
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode() + b"\r\n")
    monkeypatch.setattr(numeric, "HEAD_ROWS", 50)
    runner = CliRunner()

    def score(out: str) -> tuple[int, str, str]:
        result = runner.invoke(app, ["score", str(path), "--by", fields[0], "--on-invalid",
                                     on_invalid, "-o", str(tmp_path / out)])
        return result.exit_code, result.stdout, result.stderr.replace(out, "OUT")

    by_csv_module = score("small.json")
    monkeypatch.setattr(cells, "FAST_READ_BYTES", 0)
    used: list[bool] = []
    encode = cells._encode_numbers

    def spy(*args: Any) -> Any:
        used.append(True)
        return encode(*args)

    with monkeypatch.context() as patch:
        patch.setattr(cells, "_encode_numbers", spy)
        fast = score("fast.json")
    assert bool(used) == (bad == "a number off the scale")  # a label: the enum parse
    with monkeypatch.context() as patch:
        patch.setattr(numeric, "numeric_columns", lambda hints: None)
        by_enums = score("enums.json")
    assert by_csv_module == fast == by_enums
    if on_invalid == "error":
        assert by_csv_module[0] == 1
        assert ": 7 is not on the agreement scale" in by_csv_module[2]
    else:
        assert by_csv_module[0] == 0, by_csv_module[2]
        assert "not on their scale were treated as missing" in by_csv_module[2]
        assert (document(tmp_path / "small.json") == document(tmp_path / "fast.json")
                == document(tmp_path / "enums.json"))


# --- the other tests' bad files -----------------------------------------------------------------

from test_responses_readers_agree import BAD, BLANKS  # noqa: E402


@pytest.mark.parametrize("case", sorted(BAD) + sorted(BLANKS))
def test_the_bad_files_of_the_reader_tests_read_alike(case: str, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from leadlens.questionset.loading import load_question_set

    qs = load_question_set(None)
    path = tmp_path / "r.csv"
    path.write_text(BAD.get(case, BLANKS.get(case, "")), encoding="utf-8")
    by_csv_module, by_enums, by_integers, used = three_ways(path, qs, monkeypatch)
    assert_same(by_csv_module, by_enums, by_integers)
    assert used == (case not in ("empty", "unclosed quote", "stray text after a closing quote",
                                 "ragged rows"))


# --- the UTF-8 pass skips ASCII blocks ----------------------------------------------------------

@pytest.mark.parametrize(("content", "utf8"), [
    (b"a" * ((1 << 20) - 1) + "é".encode() + b"b" * 100, True),   # é cut at a block's end
    (b"a" * ((1 << 20) - 1) + b"\xc3" + b"b" * 100, False),        # a lead byte, then ASCII
    (b"a" * (1 << 20) + b"\xff", False),                           # bad after an ASCII block
    (b"a" * (1 << 21) + "–".encode(), True),
    (b"a" * 10 + b"\xc3", False),                                  # cut at the end
])
def test_is_utf8_reads_ascii_blocks_and_what_follows(content: bytes, utf8: bool,
                                                     tmp_path: Path) -> None:
    from leadlens.responses.exports.cells import is_utf8

    path = tmp_path / "r.csv"
    path.write_bytes(content)
    assert is_utf8(path) == utf8
