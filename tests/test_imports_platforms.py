"""Every platform layout, built from the example respondents, reads back to the same answers.

The fixtures come from ``tests/import_fixtures.py``: each is the export a platform would give
for the bundled survey answered by the respondents of ``examples/responses.csv``.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from conftest import EXAMPLES
from import_fixtures import Fixture, build_all, qualtrics, read_canonical
from leadlens.errors import ResponsesError
from leadlens.questionset.loading import load_question_set
from leadlens.questionset.model import QuestionSet
from leadlens.responses.exports import ImportOptions, load_mapping, needs_import, read_export

RESPONSES = EXAMPLES / "responses.csv"

EXPECTED = {  # fixture -> (platform, encoding, delimiter, header lines)
    "google-forms": ("google-forms", "utf-8", ",", [1]),
    "google-sheets": ("google-forms", "utf-8", ",", [1]),
    "microsoft-forms-xlsx": ("microsoft-forms", "xlsx", None, [1]),
    "microsoft-forms-csv": ("microsoft-forms", "utf-8", ",", [1]),
    "qualtrics": ("qualtrics", "utf-8", ",", [1, 2, 3]),
    "qualtrics-numeric": ("qualtrics", "utf-8", ",", [1, 2, 3]),
    "surveymonkey": ("surveymonkey", "utf-8", ",", [1, 2]),
    "limesurvey": ("limesurvey", "utf-8", ",", [1]),
    "limesurvey-codes": ("limesurvey", "utf-8", ",", [1]),
    "excel-utf8-bom": ("google-forms", "utf-8", ",", [1]),
    "excel-cp1252": ("google-forms", "cp1252", ",", [1]),
    "excel-cp1252-semicolon-sep": ("google-forms", "cp1252", ";", [2]),
    "excel-cp1252-semicolon-canonical": ("csv", "cp1252", ";", [1]),
}


@pytest.fixture(scope="module")
def qs() -> QuestionSet:
    return load_question_set(None)


@pytest.fixture(scope="module")
def fixtures(qs: QuestionSet, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Fixture]:
    out = tmp_path_factory.mktemp("exports")
    return {f.name: f for f in build_all(qs, RESPONSES, out)}


def _options(fixture: Fixture) -> ImportOptions:
    return ImportOptions(mapping=load_mapping(fixture.mapping) if fixture.mapping else None)


def test_every_layout_has_a_fixture(fixtures: dict[str, Fixture]) -> None:
    assert set(fixtures) == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_layout_reads_back_to_the_canonical_answers(
        name: str, fixtures: dict[str, Fixture], qs: QuestionSet) -> None:
    table = read_export(fixtures[name].path, qs, _options(fixtures[name]))
    platform, encoding, delimiter, header_lines = EXPECTED[name]
    d = table.detection
    assert (d.platform, d.encoding, d.delimiter, d.header_lines) == (
        platform, encoding, delimiter, header_lines)
    canonical = read_canonical(RESPONSES)
    keys = qs.answer_keys() + qs.respondent_field_ids()
    assert set(keys) <= set(table.headers)
    got = [dict(zip(table.headers, row, strict=True)) for row in table.rows]
    assert len(got) == len(canonical)
    for expected_row, got_row in zip(canonical, got, strict=True):
        assert {k: expected_row[k] for k in keys} == {k: got_row[k] for k in keys}
    # Lines are physical: the first response follows the header block.
    assert table.lines[0] == header_lines[-1] + 1
    assert table.lines == sorted(table.lines)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_only_encoding_fallbacks_warn(name: str, fixtures: dict[str, Fixture],
                                      qs: QuestionSet) -> None:
    """Platform metadata is ignored silently; every other column matched something."""
    table = read_export(fixtures[name].path, qs, _options(fixtures[name]))
    messages = [w.message for w in table.warnings]
    if "cp1252" in name:
        assert len(messages) == 1 and "read as Windows-1252" in messages[0]
    else:
        assert messages == []


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_export_needs_the_import_reader(name: str, fixtures: dict[str, Fixture],
                                              qs: QuestionSet) -> None:
    assert needs_import(fixtures[name].path, qs, mapping=fixtures[name].mapping is not None)


def test_the_canonical_csv_takes_the_fast_path(qs: QuestionSet) -> None:
    assert not needs_import(RESPONSES, qs)


def test_canonical_headers_with_labels_need_the_import_reader(
        qs: QuestionSet, tmp_path: Path) -> None:
    rows = read_canonical(RESPONSES)[:3]
    rows[1]["basics-1"] = "Agree"
    path = tmp_path / "labels.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    assert needs_import(path, qs)
    table = read_export(path, qs)
    assert table.rows[1][table.headers.index("basics-1")] == "4"


def test_respondent_id_and_time_come_from_platform_metadata(
        fixtures: dict[str, Fixture], qs: QuestionSet) -> None:
    table = read_export(fixtures["qualtrics"].path, qs)
    first = dict(zip(table.headers, table.rows[0], strict=True))
    assert first["respondent_id"] == "R_001xYz"
    assert first["submitted_at"].startswith("2024-03-04 09:44")  # R001 in examples/responses.csv
    ms = read_export(fixtures["microsoft-forms-xlsx"].path, qs)
    assert dict(zip(ms.headers, ms.rows[0], strict=True))["respondent_id"] == "1"


# --- Qualtrics header block with a row deleted ------------------------------------------------


def _qualtrics_without(row: int, qs: QuestionSet, out: Path) -> Path:
    full = qualtrics(qs, read_canonical(RESPONSES), out)
    with full.open(encoding="utf-8", newline="") as handle:
        records = list(csv.reader(handle))
    del records[row]
    path = out / f"qualtrics-without-row-{row + 1}.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(records)
    return path


@pytest.mark.parametrize(("deleted", "kept_lines"), [(0, [1, 2]), (2, [1, 2])])
def test_qualtrics_with_a_header_row_deleted_keeps_every_respondent(
        deleted: int, kept_lines: list[int], qs: QuestionSet, tmp_path: Path) -> None:
    table = read_export(_qualtrics_without(deleted, qs, tmp_path), qs)
    assert table.detection.header_lines == kept_lines
    assert len(table.rows) == len(read_canonical(RESPONSES))
    assert table.lines[0] == 3
    (warning,) = table.warnings
    missing = "short names" if deleted == 0 else "ImportIds"
    assert f"the Qualtrics header block has 2 of its 3 rows (missing the {missing}" in str(
        warning)
    assert "responses start on line 3" in str(warning)


def test_qualtrics_without_question_texts_is_an_error_unless_mapped(
        qs: QuestionSet, tmp_path: Path) -> None:
    path = _qualtrics_without(1, qs, tmp_path)
    with pytest.raises(ResponsesError) as caught:
        read_export(path, qs)
    assert [str(p) for p in caught.value.problems] == [
        f"{path}:1: no column matches a question of 'ggi-systems-leadership'. Check the "
        "question set (--question-set), or map columns with --mapping"]
    # The ImportIds still identify every column: a mapping by ImportId reads the file.
    from import_fixtures import qualtrics_columns

    mapping = tmp_path / "by-import-id.yaml"
    mapping.write_text("columns:\n" + "".join(
        f"  - {{import_id: {import_id}, to: {key}}}\n"
        for _, _, import_id, key in qualtrics_columns(qs)), encoding="utf-8")
    table = read_export(path, qs, ImportOptions(mapping=load_mapping(mapping)))
    assert len(table.rows) == len(read_canonical(RESPONSES))
    assert "missing the question texts" in str(table.warnings[0])
