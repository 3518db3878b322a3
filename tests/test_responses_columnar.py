"""Large platform exports are read column by column, and read exactly as the exact reader reads
them: the same answers, lines and warnings, the same errors in the same words, or the file is
handed back to the exact reader (which then words what is wrong).

The column reader takes files of at least ``columnar.MIN_BYTES``; the tests lower that to 0
so that the small fixtures of ``tests/import_fixtures.py`` take it.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from conftest import EXAMPLES
from import_fixtures import Fixture, build_all
from leadlens.cli import app
from leadlens.errors import ResponsesError
from leadlens.questionset.loading import load_question_set
from leadlens.questionset.model import QuestionSet
from leadlens.responses.cells import CellTable
from leadlens.responses.exports import ImportOptions, columnar, load_mapping
from leadlens.responses.exports.cells import read_export_cells
from leadlens.responses.reading import cells_to_responses, column_hints, read_responses

RESPONSES = EXAMPLES / "responses.csv"
COLUMN_READ = {"google-forms", "google-sheets", "microsoft-forms-csv", "qualtrics",
               "qualtrics-numeric", "surveymonkey", "limesurvey", "limesurvey-codes",
               "excel-utf8-bom"}
"""The fixtures the column reader takes (UTF-8 CSV); cp1252 and .xlsx are the exact reader's."""


@pytest.fixture(autouse=True)
def small_files_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(columnar, "MIN_BYTES", 0)


@pytest.fixture(scope="module")
def qs() -> QuestionSet:
    return load_question_set(None)


@pytest.fixture(scope="module")
def fixtures(qs: QuestionSet, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Fixture]:
    out = tmp_path_factory.mktemp("exports")
    return {f.name: f for f in build_all(qs, RESPONSES, out)}


Outcome = list[object]


def outcome(table: CellTable, qs: QuestionSet, on_invalid: str = "error") -> Outcome:
    """Everything scoring sees of a table, in comparable form."""
    conversion = cells_to_responses(table, qs, on_invalid=on_invalid)  # type: ignore[arg-type]
    r = conversion.responses
    fields = {k: [v.labels[c] if c >= 0 else None for c in v.codes.tolist()]
              for k, v in r.fields.items()}
    texts = {k: (v.rows.tolist(), v.texts) for k, v in r.texts.items()}
    return [r.keys, r.codes.tolist(), fields, texts, r.respondent_ids,
            [str(p) for p in conversion.errors], conversion.omitted,
            [str(w) for w in r.warnings], list(table.line_numbers())]


def read_both(path: Path, qs: QuestionSet, options: ImportOptions | None = None
              ) -> tuple[Outcome | list[str], Outcome | list[str], bool]:
    """(column reader's outcome, exact reader's outcome, whether the column reader read it)."""
    options = options or ImportOptions()
    results: list[Outcome | list[str]] = []
    taken = False
    for column_first in (True, False):
        try:
            table = None
            if column_first:
                taken = True  # unless it hands the file back
                table = columnar.read_export_columns(path, qs, options, column_hints(qs))
                taken = table is not None
            if table is None:
                table = read_export_cells(path, qs, options)
            results.append(outcome(table, qs, options.on_invalid))
        except ResponsesError as exc:
            results.append([str(p) for p in exc.problems] + [f"omitted {exc.omitted}"])
    return results[0], results[1], taken


@pytest.mark.parametrize("name", sorted(COLUMN_READ))
def test_every_csv_layout_reads_alike(name: str, fixtures: dict[str, Fixture],
                                      qs: QuestionSet) -> None:
    fixture = fixtures[name]
    options = ImportOptions(mapping=load_mapping(fixture.mapping) if fixture.mapping else None)
    by_columns, exact, taken = read_both(fixture.path, qs, options)
    assert taken
    assert by_columns == exact
    canonical = read_responses([RESPONSES], qs)
    assert by_columns[1] == canonical.codes.tolist()


@pytest.mark.parametrize("name", ["excel-cp1252", "microsoft-forms-xlsx"])
def test_other_encodings_and_workbooks_are_the_exact_readers(
        name: str, fixtures: dict[str, Fixture], qs: QuestionSet) -> None:
    assert columnar.read_export_columns(fixtures[name].path, qs, ImportOptions(),
                                        column_hints(qs)) is None


def _edit(text: str, line: int, old: str, new: str) -> str:
    lines = text.split("\n")
    assert old in lines[line - 1]
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    return "\n".join(lines)


def _width(text: str) -> int:
    return len(next(csv.reader(io.StringIO(text))))


def _insert(text: str, line: int, inserted: str) -> str:
    lines = text.split("\n")
    lines.insert(line - 1, inserted)
    return "\n".join(lines)


BAD = {  # case -> (how to break a Google Forms export, whether the column reader reads it)
    "unknown answers": (lambda t: _edit(_edit(t, 5, ",Agree,", ",Agreee,"), 40, ",Disagree,",
                                        ",Nope,"), True),
    "an answer off the scale": (lambda t: _edit(t, 7, ",Agree,", ",9,"), True),
    "blank lines": (lambda t: _insert(_insert(t, 10, ""), 20, "") + "\n\n", True),
    "a blank record and spaces": (lambda t: _insert(_insert(t, 10, "," * (_width(t) - 1)), 30,
                                                    " , ,"), True),
    "CRLF line ends": (lambda t: t.replace("\n", "\r\n"), True),
    "answers in other case and spacing": (lambda t: t.replace(",Agree,", ", agree ,"), True),
    "a row too wide": (lambda t: _edit(t, 8, ",Agree,", ",Agree,x,"), False),
    "a row too short": (lambda t: _insert(t, 9, "a,b,c"), False),
    "a stray quote": (lambda t: _edit(t, 9, ",Agree,", ',"Agr"ee,'), False),
    "a quote left open": (lambda t: _edit(t, 11, ",Agree,", ',"Agree,'), False),
    "a bare CR": (lambda t: _edit(t, 12, ",Agree,", ",Agree\r,"), False),
    "a NUL byte": (lambda t: _edit(t, 13, ",Agree,", ",Ag\0ree,"), False),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_export_is_worded_alike(case: str, fixtures: dict[str, Fixture],
                                      qs: QuestionSet, tmp_path: Path) -> None:
    breaking, column_read = BAD[case]
    path = tmp_path / "export.csv"
    path.write_bytes(breaking(fixtures["google-forms"].path.read_text(encoding="utf-8"))
                     .encode("utf-8"))
    by_columns, exact, taken = read_both(path, qs)
    assert taken == column_read
    assert by_columns == exact


def test_unknown_answers_are_located_in_file_order(fixtures: dict[str, Fixture],
                                                   qs: QuestionSet, tmp_path: Path) -> None:
    text = fixtures["google-forms"].path.read_text(encoding="utf-8")
    path = tmp_path / "export.csv"
    path.write_text(text.replace(",Agree,", ",Agreee,"), encoding="utf-8")
    with pytest.raises(ResponsesError) as caught:
        columnar.read_export_columns(path, qs, ImportOptions(), column_hints(qs))
    problems = caught.value.problems
    assert len(problems) == 50 and caught.value.omitted > 0
    header = next(csv.reader(io.StringIO(text)))
    places = [(p.line or 0, header.index(p.column or "")) for p in problems]
    assert places == sorted(places) and len(set(places)) == len(places)
    assert problems[0].message.startswith("unknown answer 'Agreee' for the agreement scale")
    lines = text.split("\n")
    assert ",Agree," in lines[(problems[0].line or 0) - 1]


def test_on_invalid_missing_counts_them_alike(fixtures: dict[str, Fixture], qs: QuestionSet,
                                              tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    text = fixtures["google-forms"].path.read_text(encoding="utf-8")
    path.write_text(_edit(text, 5, ",Agree,", ",Agreee,"), encoding="utf-8")
    by_columns, exact, taken = read_both(path, qs, ImportOptions(on_invalid="missing"))
    assert taken and by_columns == exact
    assert any("treated as missing" in w for w in by_columns[7])  # type: ignore[union-attr]


def test_score_says_the_same_whichever_reader_read_the_file(
        fixtures: dict[str, Fixture], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = fixtures["qualtrics"].path.read_text(encoding="utf-8")
    path = tmp_path / "export.csv"
    path.write_text(text.replace("Agree,", "Agreee,", 3), encoding="utf-8")
    runner = CliRunner()
    seen = []
    for smallest in (0, 1 << 40):
        monkeypatch.setattr(columnar, "MIN_BYTES", smallest)
        result = runner.invoke(app, ["score", str(path), "-o", str(tmp_path / "r.json")])
        assert result.exit_code == 1
        seen.append(result.stderr)
    assert seen[0] == seen[1]
    assert "unknown answer 'Agreee'" in seen[0]


def test_the_structure_scan_finds_every_record(tmp_path: Path) -> None:
    path = tmp_path / "body.csv"
    body = b'a,b,c\n"x\ny",2,3\r\n\n"q""r",,"s"\n4,5,6'
    path.write_bytes(b"h1,h2,h3\n" + body)
    found = columnar._scan(path, 9, 2, ",", 3)  # a block of 8 MiB: one block
    assert found is not None
    assert found.lines.tolist() == [2, 3, 5, 6, 7]
    assert found.short.tolist() == [2]
    assert [path.read_bytes()[s:s + 1] for s in found.starts.tolist()] == [
        b"a", b'"', b"\n", b'"', b"4"]
    monkeypatched = columnar.BLOCK_BYTES
    try:
        columnar.BLOCK_BYTES = 3  # every record crosses a block boundary
        again = columnar._scan(path, 9, 2, ",", 3)
    finally:
        columnar.BLOCK_BYTES = monkeypatched
    assert again is not None
    assert np.array_equal(again.lines, found.lines) and np.array_equal(again.starts,
                                                                        found.starts)


def _inspected(args: list[str], monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, str, str]]:
    """``leadlens inspect`` (JSON and text) through the column reader, then the exact one."""
    seen = []
    for smallest in (0, 1 << 40):
        monkeypatch.setattr(columnar, "MIN_BYTES", smallest)
        for form in ("json", "text"):
            result = CliRunner().invoke(app, ["inspect", *args, "--format", form])
            seen.append((result.exit_code, result.stdout, result.stderr))
    return seen


@pytest.mark.parametrize("name", sorted(COLUMN_READ))
def test_inspect_shows_the_same_whichever_reader_looked(
        name: str, fixtures: dict[str, Fixture], monkeypatch: pytest.MonkeyPatch) -> None:
    fixture = fixtures[name]
    args = [str(fixture.path), *(["--mapping", str(fixture.mapping)] if fixture.mapping else [])]
    taken = []
    original = columnar.inspect_columns

    def watched(*given: object) -> object:
        found = original(*given)  # type: ignore[arg-type]
        taken.append(found is not None)
        return found

    monkeypatch.setattr(columnar, "inspect_columns", watched)
    seen = _inspected(args, monkeypatch)
    assert taken[:2] == [True, True]  # the column reader looked (with MIN_BYTES 0)
    assert seen[0] == seen[2] and seen[1] == seen[3]
    assert seen[0][0] == 0 and '"records": ' in seen[0][1]


@pytest.mark.parametrize("case", ["blank lines", "a blank record and spaces", "CRLF line ends",
                                  "a row too short", "a bare CR"])
def test_inspect_counts_records_and_blank_rows_alike(
        case: str, fixtures: dict[str, Fixture], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(BAD[case][0](fixtures["google-forms"].path.read_text(encoding="utf-8"))
                     .encode("utf-8"))
    seen = _inspected([str(path)], monkeypatch)
    assert seen[0] == seen[2] and seen[1] == seen[3]
