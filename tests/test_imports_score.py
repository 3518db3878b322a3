"""`leadlens score` on platform exports: exactly the results of the canonical CSV.

Each export is built by ``tests/import_fixtures.py`` from the respondents of
``examples/responses.csv``; scoring it must give the same results document, apart from the
fields that name the run (time, version, source files) and warnings about the file itself.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from conftest import EXAMPLES
from import_fixtures import Fixture, build_all, read_canonical
from leadlens.cli import app
from leadlens.questionset.loading import load_question_set

runner = CliRunner()
CANONICAL = EXAMPLES / "responses.csv"
VOLATILE = ("generated_at", "leadlens_version", "sources", "warnings", "seal")  # seal: of them all
BY = ["--by", "organisation", "--by", "sector"]
RISK = "Leaders in our system treat risk as a normal part of the work."  # adaptive-3's text
MONTH_FIRST = {"google-sheets", "microsoft-forms-csv", "surveymonkey"}
"""Exports whose time stamps put the month first (3/4/2024): a stamp of the 15th tells the
order (leadlens.responses.stamps), so their collection dates are the canonical file's."""


@pytest.fixture(scope="module")
def fixtures(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Fixture]:
    out = tmp_path_factory.mktemp("exports")
    return {f.name: f for f in build_all(load_question_set(None), CANONICAL, out)}


def _score(tmp: Path, *args: str) -> tuple[dict[str, Any], str]:
    out = tmp / f"results-{len(list(tmp.glob('results-*')))}.json"
    result = runner.invoke(app, ["score", *args, *BY, "-o", str(out)])
    assert result.exit_code == 0, result.output
    return json.loads(out.read_text(encoding="utf-8")), result.stderr


def _stable(document: dict[str, Any], files: list[str]) -> dict[str, Any]:
    kept = {k: v for k, v in document.items() if k not in VOLATILE}
    kept["warnings"] = [w for w in document["warnings"] if w["file"] not in files]
    return kept


@pytest.fixture(scope="module")
def canonical(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    document, _ = _score(tmp_path_factory.mktemp("canonical"), str(CANONICAL))
    return _stable(document, [str(CANONICAL)])


@pytest.mark.parametrize("name", [
    "google-forms", "google-sheets", "microsoft-forms-xlsx", "microsoft-forms-csv",
    "qualtrics", "qualtrics-numeric", "surveymonkey", "limesurvey", "limesurvey-codes",
    "excel-utf8-bom", "excel-cp1252", "excel-cp1252-semicolon-sep",
    "excel-cp1252-semicolon-canonical"])
def test_export_scores_exactly_as_the_canonical_csv(
        name: str, fixtures: dict[str, Fixture], canonical: dict[str, Any],
        tmp_path: Path) -> None:
    fixture = fixtures[name]
    args = [str(fixture.path)] + (["--mapping", str(fixture.mapping)] if fixture.mapping else [])
    document, stderr = _score(tmp_path, *args)
    assert document["sources"] == [str(fixture.path)]
    stable = _stable(document, [str(fixture.path)])
    assert stable == canonical
    if name in MONTH_FIRST:
        assert "time stamps" not in stderr
    if "cp1252" in name:
        assert "read as Windows-1252" in stderr


def test_exports_and_canonical_files_concatenate(fixtures: dict[str, Fixture],
                                                tmp_path: Path) -> None:
    """Files in different layouts and encodings (UTF-8, cp1252, a workbook) score together."""
    document, stderr = _score(tmp_path, str(CANONICAL), str(fixtures["surveymonkey"].path),
                              str(fixtures["microsoft-forms-xlsx"].path),
                              str(fixtures["excel-cp1252"].path))
    assert document["respondents"] == 4 * len(read_canonical(CANONICAL))
    path = fixtures["excel-cp1252"].path
    line = next(i for i, text in enumerate(path.read_bytes().split(b"\n"), start=1)
                if b"\xa3" in text)  # the first pound sign of the example comments
    assert f"{path}:{line}: warning: not UTF-8" in stderr


def test_score_errors_name_the_export_header_and_line(tmp_path: Path) -> None:
    path = tmp_path / "forms.csv"
    grid = "Understanding the basics [I understand how the other organisations in our system " \
           "are funded.]"
    path.write_text(f'Timestamp,"{grid}"\n2024/03/04,Agree\n2024/03/04,7\n2024/03/04,Sort of\n',
                    encoding="utf-8")
    result = runner.invoke(app, ["score", str(path)])
    assert result.exit_code == 1
    assert f"{path}:3: column {grid!r}: 7 is not on the agreement scale (1-5)" in result.stderr
    assert f"{path}:4: column {grid!r}: unknown answer 'Sort of'" in result.stderr


def test_score_takes_encoding_delimiter_and_strict(tmp_path: Path) -> None:
    path = tmp_path / "semi.csv"
    path.write_bytes("basics-1;organisation\n4;Caf\xe9 Trust\n5;B\n".encode("latin-1"))
    some = ["--allow-missing-questions"]
    plain = runner.invoke(app, ["score", str(path), "-f", "json", *some])
    assert plain.exit_code == 0, plain.output
    assert "read as Windows-1252" in plain.stderr
    chosen = runner.invoke(app, ["score", str(path), "-f", "json", "--encoding", "latin-1",
                                 "--delimiter", ";", *some])
    assert chosen.exit_code == 0 and "Windows-1252" not in chosen.stderr
    strict = runner.invoke(app, ["score", str(path), "-f", "json", "--strict", *some])
    assert strict.exit_code == 1
    assert f"{path}:2: not UTF-8 (byte 0xe9)" in strict.stderr
    usage = runner.invoke(app, ["score", str(path), "--delimiter", "ab"])
    assert usage.exit_code == 2


def test_score_reports_a_question_with_no_column(fixtures: dict[str, Fixture],
                                                 tmp_path: Path) -> None:
    path = tmp_path / "few.csv"
    path.write_text(f"Timestamp,{RISK}\n2024/03/04,Agree\n2024/03/05,Disagree\n",
                    encoding="utf-8")
    refused = runner.invoke(app, ["score", str(path), "-f", "json"])
    assert refused.exit_code == 1 and refused.stdout == ""
    assert " question column(s) missing: 'basics-1', " in refused.stderr
    assert refused.stderr.startswith(f"{path}:1: ")
    document, stderr = _score(tmp_path, str(path), "--allow-missing-questions")
    assert document["respondents"] == 2
    assert "question column(s) missing" in stderr
    strict = runner.invoke(app, ["score", str(path), "--strict", "-f", "json",
                                 "--allow-missing-questions"])
    assert strict.exit_code == 1


def test_on_invalid_missing_counts_unknown_labels(tmp_path: Path) -> None:
    path = tmp_path / "forms.csv"
    path.write_text(f"Timestamp,{RISK}\n2024/03/04,Agree\n2024/03/05,Sort of\n"
                    "2024/03/06,9\n" + "2024/03/07,Agree\n" * 4, encoding="utf-8")
    failed = runner.invoke(app, ["score", str(path), "-f", "json"])
    assert failed.exit_code == 1
    assert f"{path}:3: column {RISK!r}: unknown answer 'Sort of'" in failed.stderr
    assert f"{path}:4: column {RISK!r}: 9 is not on the agreement scale (1-5)" \
        in failed.stderr
    result = runner.invoke(app, ["score", str(path), "-f", "json", "--on-invalid", "missing",
                                 "--allow-missing-questions"])
    assert result.exit_code == 0, result.output
    assert "2 answer(s) not on their scale were treated as missing" in result.stderr
    item = next(i for p in json.loads(result.stdout)["principles"] for i in p["items"]
                if i["key"] == "adaptive-3")
    # adaptive-3 is the only adaptive question in the file, so nobody is scored on the
    # principle: it publishes no figure to set against its questions, which then count
    # over everyone (docs/scoring.md).
    assert (item["n"], item["missing"]) == (5, 2)


def test_cp1252_past_the_sniffed_head_falls_back_to_the_import_reader(tmp_path: Path) -> None:
    """The fast path decides on the first 16 KB; a Windows-1252 byte later still reads."""
    rows = CANONICAL.read_text(encoding="utf-8").splitlines(keepends=True)
    body = "".join(rows[1:]).replace("£", "GBP ")
    text = rows[0] + body * (20_000 // len(body) + 1)
    data = text.encode("utf-8") + "R999,,Caf\xe9 Trust,,,4\n".encode("cp1252").replace(
        b",4\n", b"," * (len(rows[0].split(",")) - 5) + b"\n")
    path = tmp_path / "long.csv"
    path.write_bytes(data)
    document, stderr = _score(tmp_path, str(path))
    assert "read as Windows-1252" in stderr
    assert any(g["value"] == "Café Trust" for g in document["groups"]["organisation"]["groups"])
