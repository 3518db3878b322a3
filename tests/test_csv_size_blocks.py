"""The longest cell and row of a CSV file, measured block by block, against a direct count.

:func:`leadlens.responses.limits.size_problem` (bytes in memory) and
:func:`~leadlens.responses.limits.file_problem` (a file, read in blocks) measure fields and
records across block boundaries, with quotes spanning blocks. Shrinking the block and the
bounds to a few bytes puts every boundary case in small texts; the direct count walks the
bytes one by one.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadlens.responses import limits


def _direct(data: bytes, delimiter: int, field_bound: int, record_bound: int
            ) -> tuple[int, int, str] | None:
    """(line, size, what) of the first longest field over its bound, else of the longest
    record over its bound; the line is where it starts (line feeds counted inside quotes)."""
    fields: list[tuple[int, int]] = []  # (size, line)
    records: list[tuple[int, int]] = []
    inside = False
    line = field_line = record_line = 1
    field = record = 0
    for byte in data:
        if byte == ord('"'):
            inside = not inside
        ends_field = not inside and byte in (delimiter, ord("\n"))
        ends_record = not inside and byte == ord("\n")
        if ends_field:
            fields.append((field, field_line))
        field = 0 if ends_field else field + 1
        if ends_record:
            records.append((record, record_line))
        record = 0 if ends_record else record + 1
        line += byte == ord("\n")
        if ends_field:
            field_line = line
        if ends_record:
            record_line = line
    fields.append((field, field_line))
    records.append((record, record_line))
    longest_field = max(fields, key=lambda item: item[0])  # max() keeps the first
    longest_record = max(records, key=lambda item: item[0])
    if longest_field[0] > field_bound:
        return longest_field[1], longest_field[0], "a cell"
    if longest_record[0] > record_bound:
        return longest_record[1], longest_record[0], "a row"
    return None


TEXTS = st.lists(st.sampled_from([b"a", b"bb", b",", b"\n", b'"', b'""', b"\r\n", b"xyz"]),
                 max_size=40).map(b"".join)


@settings(max_examples=600, deadline=None)
@given(data=TEXTS, block=st.integers(1, 9), field_bound=st.integers(0, 6),
       record_bound=st.integers(0, 12))
def test_block_measurement_matches_a_direct_count(data: bytes, block: int, field_bound: int,
                                                   record_bound: int, tmp_path_factory:
                                                   pytest.TempPathFactory) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(limits, "_BLOCK", block)
        patch.setattr(limits, "MAX_FIELD_BYTES", field_bound)
        patch.setattr(limits, "MAX_RECORD_BYTES", record_bound)
        expected = _direct(data, ord(","), field_bound, record_bound)
        path = tmp_path_factory.mktemp("blocks") / "r.csv"
        path.write_bytes(data)
        for problem in (limits.size_problem(data, "r.csv"), limits.file_problem(path, "r.csv")):
            if expected is None:
                assert problem is None
                continue
            assert problem is not None
            line, size, what = expected
            assert (problem.line, problem.message.split(" bytes")[0]) == \
                (line, f"{what} of {size:,}"), data


def test_a_nul_byte_is_found_in_a_later_block(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(b"id,a\n" + b"r1,1\n" * 10 + b"r\x00,2\n")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(limits, "_BLOCK", 7)
        problem = limits.file_problem(path, "r.csv")
    assert problem is not None
    assert (problem.line, problem.message) == (12, "not a text (CSV) file: it contains NUL "
                                                    "bytes")


def test_semicolons_are_the_separators_when_named() -> None:
    data = b"id;a\nr1;" + b"z" * 20 + b"\n"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(limits, "MAX_FIELD_BYTES", 10)
        problem = limits.size_problem(data, "r.csv", ";")
        comma = limits.size_problem(data, "r.csv")
    assert problem is not None and problem.line == 2
    assert problem.message.startswith("a cell of 20 bytes")
    assert comma is not None and comma.message.startswith("a cell of 23 bytes")
