"""Appending respondents to a responses CSV: header checks, locking, whole rows."""

from __future__ import annotations

import csv
import fcntl
import multiprocessing
from pathlib import Path

import pytest

from leadlens.errors import ResponsesError
from leadlens.responses.layout import responses_header
from leadlens.survey.writer import append_row, check_responses_file
from survey_support import HEADER, KEYS, survey_set


def row(n: int, **extra: str | None) -> dict[str, str | None]:
    cells: dict[str, str | None] = {
        "respondent_id": f"r{n}", "submitted_at": "2026-01-01T00:00:00+00:00",
        "org": f"Org {n}", "b1": "3", "t1": f"story, \"{n}\"\nline 2"}
    cells.update(extra)
    return cells


def read(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.reader(handle))


def test_header_is_ids_fields_then_answer_keys() -> None:
    assert responses_header(survey_set()) == HEADER


def test_a_new_file_gets_the_header_and_the_row(tmp_path: Path) -> None:
    out = tmp_path / "sub" / "responses.csv"
    append_row(out, survey_set(), row(1))
    append_row(out, survey_set(), row(2, t1=None, c1="Don't know"))
    rows = read(out)
    assert rows[0] == HEADER
    assert rows[1][:5] == ["r1", "2026-01-01T00:00:00+00:00", "Org 1", "", "3"]
    assert rows[1][-1] == "story, \"1\"\nline 2"
    assert rows[2][HEADER.index("c1")] == "Don't know" and rows[2][-1] == ""
    assert len(rows) == 3


def test_same_header_appends_without_force(tmp_path: Path) -> None:
    out = tmp_path / "responses.csv"
    out.write_text(",".join(HEADER) + "\r\n" + "r0,,Org 0" + "," * (len(HEADER) - 3) + "\r\n",
                   encoding="utf-8")
    append_row(out, survey_set(), row(1))
    data = out.read_bytes()
    assert data.count(b"\r\n") == 3  # the file's own CRLF endings (not inside quotes)
    assert data.endswith(b'line 2"\r\n')
    assert [r[0] for r in read(out)] == ["respondent_id", "r0", "r1"]


def test_same_columns_in_another_order_follow_the_file(tmp_path: Path) -> None:
    out = tmp_path / "responses.csv"
    reordered = list(reversed(HEADER))
    out.write_text("\ufeff" + ",".join(reordered) + "\n", encoding="utf-8")  # Excel's BOM
    append_row(out, survey_set(), row(1))
    rows = read(out)
    assert rows[0] == reordered
    assert dict(zip(rows[0], rows[1], strict=True))["org"] == "Org 1"


def test_a_last_row_without_line_break_is_ended_first(tmp_path: Path) -> None:
    out = tmp_path / "responses.csv"
    out.write_text(",".join(HEADER) + "\nr0,,x", encoding="utf-8")
    append_row(out, survey_set(), row(1))
    assert [r[0] for r in read(out)] == ["respondent_id", "r0", "r1"]


@pytest.mark.parametrize(("header", "message"), [
    (["respondent_id", "submitted_at", "org"],
     "responses.csv:1: the header does not match question set 'workshop' 2.0 (missing "
     "'sector', 'b1', 'b2@organisation', 'b2@system', 'c1' and 3 more). Write to another file "
     "with -o, or use the question set this file was collected with"),
    ([*HEADER, "extra"],
     "responses.csv:1: the header does not match question set 'workshop' 2.0 (unexpected "
     "'extra'). Write to another file with -o, or use the question set this file was "
     "collected with"),
    ([*HEADER[:-1], "b1"],
     "responses.csv:1: the header does not match question set 'workshop' 2.0 (missing 't1'; "
     "repeated 'b1'). Write to another file with -o, or use the question set this file was "
     "collected with"),
])
def test_a_different_header_is_refused_and_the_file_untouched(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, header: list[str],
        message: str) -> None:
    monkeypatch.chdir(tmp_path)
    out = Path("responses.csv")
    original = ",".join(header) + "\nx" + "," * (len(header) - 1) + "\n"
    out.write_text(original, encoding="utf-8")
    for attempt in (lambda: check_responses_file(out, survey_set()),
                    lambda: append_row(out, survey_set(), row(1))):
        with pytest.raises(ResponsesError) as caught:
            attempt()
        assert [str(p) for p in caught.value.problems] == [message]
    assert out.read_text(encoding="utf-8") == original


def test_a_folder_or_unreadable_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ResponsesError, match="is a folder, not a file"):
        check_responses_file(tmp_path, survey_set())
    not_a_folder = tmp_path / "notes.txt"
    not_a_folder.write_text("x", encoding="utf-8")
    with pytest.raises(ResponsesError) as caught:
        append_row(not_a_folder / "responses.csv", survey_set(), row(1))
    assert str(caught.value).startswith(f"{not_a_folder / 'responses.csv'}: cannot write the "
                                        "responses file: ")


def _append_many(path: str, start: int, count: int, barrier: object) -> None:
    qs = survey_set()
    barrier.wait()  # type: ignore[attr-defined]  # both start together: the header race
    long_text = "x" * 5000  # rows bigger than a pipe buffer, to tempt interleaving
    for n in range(start, start + count):
        append_row(Path(path), qs, row(n, t1=f"{n}:{long_text}"))


def test_concurrent_appends_from_two_processes_give_intact_rows(tmp_path: Path) -> None:
    out = tmp_path / "responses.csv"
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    workers = [context.Process(target=_append_many, args=(str(out), start, 150, barrier))
               for start in (0, 1000)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0
    rows = read(out)
    assert rows[0] == HEADER
    assert rows.count(HEADER) == 1  # one header although both saw an empty file
    body = rows[1:]
    assert len(body) == 300
    ids = sorted(int(r[0][1:]) for r in body)
    assert ids == [*range(150), *range(1000, 1150)]
    for cells in body:
        assert len(cells) == len(KEYS) + 2
        assert cells[-1] == f"{cells[0][1:]}:" + "x" * 5000


def test_an_append_waits_for_the_lock_of_another_writer(tmp_path: Path) -> None:
    out = tmp_path / "responses.csv"
    out.write_text(",".join(HEADER) + "\n", encoding="utf-8")
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(1)
    with out.open("rb") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        worker = context.Process(target=_append_many, args=(str(out), 7, 1, barrier))
        worker.start()
        worker.join(timeout=3)
        assert worker.is_alive()  # blocked on the lock, nothing written
        assert read(out) == [HEADER]
    worker.join(timeout=60)  # closing the file released the lock
    assert worker.exitcode == 0
    assert [r[0] for r in read(out)] == ["respondent_id", "r7"]


def test_the_saved_ids_are_read_through_the_inputs_size_cap(tmp_path: Path) -> None:
    # --resume reads the responses file's ids: a file past the responses cap (sparse, so
    # nothing is written) is refused like every input, not read to its end.
    from leadlens.files import LIMITS, InputError
    from leadlens.survey.writer import saved_respondent_ids

    big = tmp_path / "board.csv"
    with big.open("wb") as handle:
        handle.write(b"respondent_id\nr1\n")
        handle.truncate(LIMITS["responses file"] + 1)
    with pytest.raises(InputError, match="board.csv"):
        saved_respondent_ids(big)
    small = tmp_path / "small.csv"
    small.write_text("respondent_id,x\nr1,1\nr2,\n", encoding="utf-8")
    assert saved_respondent_ids(small) == {"r1", "r2"}
