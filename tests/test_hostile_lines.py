"""Every line a message gives is the physical line a text editor shows.

Python's csv module starts a new line at a bare CR as well as at LF; editors, ``wc -l`` and
leadlens count LF only (CRLF is one break). Line breaks of every kind inside quoted cells,
LF or CRLF between records: the line of a bad cell is the line its row starts on.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import leadlens
from conftest import MINIMAL_SET
from leadlens.cli import app
from leadlens.errors import ResponsesError
from leadlens.responses.cells import physical_lines

runner = CliRunner()
QS = MINIMAL_SET.replace(
    "  - {id: b3, principle: basics, text: Three, scale: agreement}\n",
    "  - {id: b3, principle: basics, text: Three, scale: agreement}\n"
    "  - {id: note, text: Anything else?, type: text}\n")
HEADER = "respondent_id,organisation,b1,b2,b3,note"


@pytest.fixture(scope="module")
def qs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("qs") / "qs.yaml"
    path.write_text(QS, encoding="utf-8")
    return path


def _bad_line(path: Path, qs: Path) -> list[int | None]:
    with pytest.raises(ResponsesError) as caught:
        leadlens.score(path, qs)
    return [p.line for p in caught.value.problems]


def test_physical_lines_count_lf_only() -> None:
    assert physical_lines(b"a\nb\r\nc\n") is None  # no bare CR: the csv module agrees
    # csv lines: "a\r" | "b\n" | "c\r" | "d\r\n" | "e" -> physical 1, 1, 2, 2, 3
    table = physical_lines(b"a\rb\nc\rd\r\ne")
    assert table is not None and table.tolist() == [1, 1, 2, 2, 3, 3]


def test_a_bad_cell_after_bare_crs_in_quoted_text_is_on_its_line(tmp_path: Path, qs: Path
                                                                  ) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes((HEADER + '\nr1,A,1,2,3,"x\ry\rz"\nr2,A,1,2,3,"p\rq"\n'
                      "r3,B,1,zzz,3,ok\n").encode())
    assert _bad_line(path, qs) == [4]
    result = runner.invoke(app, ["score", "-q", str(qs), str(path)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{path}:4: column 'b2': unknown answer 'zzz'")


def test_an_unclosed_quote_after_bare_crs_is_on_its_line(tmp_path: Path, qs: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes((HEADER + '\nr1,A,1,2,3,"x\ry"\nr2,A,1,2,3,"never closed\n'
                      "r3,B,1,2,3,ok\n").encode())
    with pytest.raises(ResponsesError) as caught:
        leadlens.score(path, qs)
    [problem] = caught.value.problems
    assert (problem.line, problem.code) == (3, "csv.unclosed-quote")


def test_a_large_file_read_by_polars_gives_the_same_line(tmp_path: Path, qs: Path) -> None:
    rows = [f'r{i},A,1,2,3,"a\rb\r\nc"' for i in range(50_000)]
    rows[30_000] = "r30000,A,1,zzz,3,ok"
    path = tmp_path / "r.csv"
    path.write_bytes(("\n".join([HEADER, *rows]) + "\n").encode())
    assert path.stat().st_size > 1_000_000  # past the size read with polars
    # each earlier row spans two physical lines (its CRLF), its bare CR is no line
    assert _bad_line(path, qs) == [2 + 2 * 30_000]


BREAKS = st.sampled_from(["\r", "\n", "\r\n"])
TEXT = st.lists(st.one_of(st.sampled_from(["a", "b c", "é", ",", '""']), BREAKS), max_size=6
                ).map("".join)


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(notes=st.lists(TEXT, min_size=1, max_size=12), ends=st.lists(
    st.sampled_from(["\n", "\r\n"]), min_size=13, max_size=13), bad=st.integers(0, 11),
    bad_in=st.sampled_from(["b1", "b2", "organisation_blank"]))
def test_the_line_of_a_bad_cell_is_the_physical_line(tmp_path: Path, qs: Path,
                                                     notes: list[str], ends: list[str],
                                                     bad: int, bad_in: str) -> None:
    """Property: random quoted cells holding CR, LF and CRLF, records ended by LF or CRLF;
    one row has an answer off the scale. The error's line is 1 + the LFs before its row."""
    bad %= len(notes)
    records = [HEADER]
    for i, note in enumerate(notes):
        b1, b2 = ("zzz", "2") if i == bad and bad_in == "b1" else (
            ("1", "zzz") if i == bad else ("1", "2"))
        records.append(f'r{i},A,{b1},{b2},3,"{note}"')
    data = "".join(record + end for record, end in zip(records, ends, strict=False))
    path = tmp_path / "r.csv"
    path.write_bytes(data.encode())
    start = data.index(f"\nr{bad},") + 1 if bad else data.index("\nr0,") + 1
    expected = data.count("\n", 0, start) + 1
    if "\n" not in data.replace("\r\n", ""):  # no LF but CRLF: impossible here (header ends)
        return
    assert _bad_line(path, qs) == [expected]
