"""``leadlens report``: formats, overwriting, clear errors for bad results documents."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import EXAMPLES
from leadlens.cli import app
from leadlens.errors import MAX_PROBLEMS
from leadlens.report.writers import results_json
from test_report_data import assert_inert, sample_document, sample_results

runner = CliRunner()


@pytest.fixture
def results(tmp_path: Path) -> Path:
    path = tmp_path / "results.json"
    # As leadlens score writes it (sealed): a hand-made document keeps one breakdown.
    path.write_text(results_json(sample_results()), encoding="utf-8")
    return path


@pytest.mark.parametrize(("name", "start"), [
    ("report.html", "<!DOCTYPE html>"), ("Report.HTM", "<!DOCTYPE html>"),
    ("report.md", "# Mini systems leadership check"),
    ("report.markdown", "# Mini systems leadership check"),
])
def test_format_from_extension(results: Path, tmp_path: Path, name: str, start: str) -> None:
    out = tmp_path / "out" / name
    out.parent.mkdir()  # -o never creates a folder (test_output_folders_and_messages.py)
    result = runner.invoke(app, ["report", str(results), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert out.read_text(encoding="utf-8").startswith(start)
    kind = "HTML report" if out.suffix.lower() in (".html", ".htm") else "Markdown report"
    assert result.stderr == f"wrote {out} (40 respondents, {kind})\n"
    assert [p.name for p in out.parent.iterdir()] == [name]  # no temporary file left


def test_format_option_wins(results: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.txt"
    result = runner.invoke(app, ["report", str(results), "-o", str(out), "--format", "md"])
    assert result.exit_code == 0, result.stderr
    assert out.read_text(encoding="utf-8").startswith("# Mini")


def test_unknown_extension_is_a_usage_error(results: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.docx"
    result = runner.invoke(app, ["report", str(results), "-o", str(out)])
    assert result.exit_code == 2
    assert "cannot tell the report format" in result.stderr and "--format html|md|pdf" in \
        result.stderr
    assert not out.exists()


def test_stdout(results: Path) -> None:
    result = runner.invoke(app, ["report", str(results), "-o", "-", "-f", "md", "--title",
                                 "Board | away day"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("# Board \\| away day\n")
    assert result.stderr == ""


def test_existing_output_needs_force(results: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    out.write_text("keep me", encoding="utf-8")
    result = runner.invoke(app, ["report", str(results), "-o", str(out)])
    assert result.exit_code == 1
    assert result.stderr == (f"{out}: file exists; not overwritten. Pass --force to replace "
                             "it, or choose another -o path\n")
    assert out.read_text(encoding="utf-8") == "keep me"
    result = runner.invoke(app, ["report", str(results), "-o", str(out), "--force"])
    assert result.exit_code == 0, result.stderr
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_existing_output_is_checked_before_reading(tmp_path: Path) -> None:
    out = tmp_path / "report.md"
    out.write_text("keep", encoding="utf-8")
    result = runner.invoke(app, ["report", str(tmp_path / "missing.json"), "-o", str(out)])
    assert result.exit_code == 1
    assert "file exists" in result.stderr


def _bad(tmp_path: Path, text: str | bytes) -> tuple[int, str, Path]:
    path = tmp_path / "results.json"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    out = tmp_path / "report.html"
    result = runner.invoke(app, ["report", str(path), "-o", str(out)])
    assert not out.exists()
    assert result.stdout == ""
    return result.exit_code, result.stderr, path


def test_missing_results_file(tmp_path: Path) -> None:
    result = runner.invoke(app, ["report", str(tmp_path / "nope.json"), "-o",
                                 str(tmp_path / "r.md")])
    assert result.exit_code == 1
    assert result.stderr == f"{tmp_path / 'nope.json'}: cannot read: No such file or directory\n"


def test_not_json(tmp_path: Path) -> None:
    code, err, path = _bad(tmp_path, '{\n  "results_version": 1,\n  oops\n}')
    assert code == 1
    assert err == f"{path}:3:3: not valid JSON: expected a key in double quotes. Write it " \
                  "again with: leadlens score RESPONSES.csv -o results.json\n"


def test_deeply_nested_json(tmp_path: Path) -> None:
    code, err, path = _bad(tmp_path, "[" * 100_000 + "]" * 100_000)
    assert code == 1
    # refused before parsing, at the first list past the bound (issue 16)
    assert err.startswith(f"{path}:1:65: nested more than 64 lists and objects deep")


def test_not_utf8(tmp_path: Path) -> None:
    code, err, path = _bad(tmp_path, b'{"a": "\xff"}')
    assert code == 1
    assert err.startswith(f"{path}: not UTF-8 text (at byte offset 7)")


@pytest.mark.parametrize("text", ["[]", "{}", '{"principles": []}', '"results"'])
def test_not_a_results_document(tmp_path: Path, text: str) -> None:
    code, err, path = _bad(tmp_path, text)
    assert code == 1
    assert err == (f"{path}: not a leadlens results, comparison or trend document (no "
                   "results_version, compare_version or trend_version). Make one with: "
                   "leadlens score RESPONSES.csv -o results.json (or leadlens compare / "
                   "leadlens trend ... -o compare.json)\n")


def test_newer_version(tmp_path: Path) -> None:
    doc = sample_document()
    doc["results_version"] = 3
    code, err, path = _bad(tmp_path, json.dumps(doc))
    assert code == 1
    assert err == (f"{path}: results_version: version 3 is not supported; this leadlens reads "
                   "version 2. Re-score the responses with this leadlens\n")


def test_invalid_fields_are_listed_by_path_and_located(tmp_path: Path) -> None:
    doc = sample_document()
    doc["principles"][1]["score"] = "high"
    doc["groups"]["organisation"]["groups"][0]["n"] = -1.5
    del doc["overall"]
    doc["surprise"] = True
    text = json.dumps(doc, indent=2)
    code, err, path = _bad(tmp_path, text)

    def at(needle: str) -> str:
        index = text.index(needle)
        line, col = text.count("\n", 0, index) + 1, index - text.rfind("\n", 0, index)
        return f"{path}:{line}:{col}"

    score, n, surprise = at('"high"'), at("-1.5"), at('"surprise"')

    assert code == 1
    lines = err.splitlines()
    assert lines[:3] == [
        f"{path}:1:1: missing required key 'overall'",
        f"{score}: principles[1].score: expected a number, got text ('high')",
        f"{n}: groups.organisation.groups[0].n: expected a whole number, got a "
        "number (-1.5)",
    ]
    assert lines[3].startswith(f"{surprise}: surprise: unknown key 'surprise'. "
                               "Allowed keys: ")
    assert len(lines) == 4
    assert "pydantic" not in err and "Traceback" not in err
    assert "Input should" not in err and "Field required" not in err


def test_many_problems_are_capped(tmp_path: Path) -> None:
    doc = sample_document()
    for p in doc["principles"]:
        for item in p["items"]:
            item.update(n="x", missing="y", unscored="z", mean="m", sd="s", weight="w",
                        item_total_r="r", reverse="v", scale=1, key=2)
    code, err, _ = _bad(tmp_path, json.dumps(doc))
    assert code == 1
    lines = err.splitlines()
    assert len(lines) == MAX_PROBLEMS + 1
    assert lines[-1] == "... and 20 more problems not shown"


def test_help_names_the_options() -> None:
    result = runner.invoke(app, ["report", "--help"])
    assert result.exit_code == 0
    for option in ("--output", "--template", "--title", "--format", "--force"):
        assert option in result.stdout


EXAMPLE_RESPONSES = Path(__file__).resolve().parents[1] / "examples" / "responses.csv"


@pytest.mark.parametrize("suffix", ["html", "md"])
def test_score_then_report_equals_score_straight_to_report(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1748854800")
    by = ["--by", "organisation", "--by", "sector"]
    results = tmp_path / "r.json"
    scored = runner.invoke(app, ["score", str(EXAMPLE_RESPONSES), *by, "-o", str(results)])
    assert scored.exit_code == 0, scored.stderr
    two_step = tmp_path / f"two.{suffix}"
    rendered = runner.invoke(app, ["report", str(results), "-o", str(two_step)])
    assert rendered.exit_code == 0, rendered.stderr
    one_step = tmp_path / f"one.{suffix}"
    direct = runner.invoke(app, ["score", str(EXAMPLE_RESPONSES), *by, "-o", str(one_step)])
    assert direct.exit_code == 0, direct.stderr
    text = two_step.read_text(encoding="utf-8")
    assert one_step.read_text(encoding="utf-8") == text
    assert "Alignment across groups" in text and "fewer than 5" in text
    if suffix == "html":
        assert_inert(text)


def test_one_respondent_is_not_plural(tmp_path: Path) -> None:
    # A real one-respondent document: report checks every count against the respondents.
    one = tmp_path / "one.csv"
    one.write_text("\n".join((EXAMPLES / "responses.csv").read_text(encoding="utf-8")
                             .splitlines()[:2]) + "\n", encoding="utf-8")
    path = tmp_path / "results.json"
    assert runner.invoke(app, ["score", str(one), "-o", str(path)]).exit_code == 0
    out = tmp_path / "report.md"
    result = runner.invoke(app, ["report", str(path), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    assert result.stderr == f"wrote {out} (1 respondent, Markdown report)\n"
