"""``leadlens report`` (and ``leadlens.render_report``) on comparison and trend documents:
the report compare/trend write, and the document checked again, never trusted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import leadlens
from conftest import EXAMPLES
from leadlens.cli import app
from leadlens.errors import Code, LeadlensError
from leadlens.report.documents import load_document
from leadlens.waves.document import Comparison

runner = CliRunner()
WAVES = [EXAMPLES / "waves" / "wave-2025.csv", EXAMPLES / "waves" / "wave-2026.csv"]


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A comparison (responses, --by sector), one of two results documents, and a trend."""
    folder = tmp_path_factory.mktemp("waves")
    for i, wave in enumerate(WAVES):
        result = runner.invoke(app, ["score", str(wave), "--by", "sector", "-o",
                                     str(folder / f"w{i}.json")])
        assert result.exit_code == 0, result.stderr
    commands = [
        ["compare", *map(str, WAVES), "--by", "sector", "-o", str(folder / "cmp.json")],
        ["compare", *map(str, WAVES), "--by", "sector", "-o", str(folder / "cmp.html")],
        ["compare", *map(str, WAVES), "--by", "sector", "-o", str(folder / "cmp.md")],
        ["compare", str(folder / "w0.json"), str(folder / "w1.json"), "--by", "sector",
         "-o", str(folder / "cmpr.json")],
        ["trend", *map(str, WAVES), str(WAVES[0]), "--labels", "a,b,c", "-o",
         str(folder / "tr.json")],
        ["trend", *map(str, WAVES), str(WAVES[0]), "--labels", "a,b,c", "-o",
         str(folder / "tr.html")],
    ]
    for command in commands:
        result = runner.invoke(app, command)
        assert result.exit_code == 0, result.stderr
    return folder


@pytest.mark.parametrize(("document", "direct", "what"), [
    ("cmp.json", "cmp.html", "comparison, HTML report"),
    ("cmp.json", "cmp.md", "comparison, Markdown report"),
    ("tr.json", "tr.html", "trend, HTML report"),
])
def test_report_renders_what_compare_and_trend_write(made: Path, tmp_path: Path,
                                                     document: str, direct: str,
                                                     what: str) -> None:
    out = tmp_path / f"report{Path(direct).suffix}"
    result = runner.invoke(app, ["report", str(made / document), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    assert result.stderr == f"wrote {out} ({what})\n"
    assert out.read_text(encoding="utf-8") == (made / direct).read_text(encoding="utf-8")


def test_the_advice_for_a_document_given_as_responses_works(made: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    monkeypatch.chdir(made)
    advice = runner.invoke(app, ["score", "cmp.json"])
    assert advice.exit_code == 1
    command = advice.stderr.split("Make a report from it with: ")[1].split()
    assert command[:2] == ["leadlens", "report"]
    result = runner.invoke(app, [*command[1:-1], str(tmp_path / "compare.html")])
    assert result.exit_code == 0, result.stderr


def test_organisation_is_for_results_reports(made: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["report", str(made / "cmp.json"), "-o",
                                 str(tmp_path / "x.html"), "--organisation", "NHS"])
    assert result.exit_code == 2
    assert "comparison document, whose report has none" in result.stderr


def _edited(made: Path, tmp_path: Path, name: str, edit: Any) -> Path:
    data = json.loads((made / name).read_text(encoding="utf-8"))
    edit(data)
    path = tmp_path / name
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


def _shown_group(data: dict[str, Any]) -> dict[str, Any]:
    return next(g for g in data["groups"]["sector"]["groups"] if g["withheld"] is None)


def _withheld_group(data: dict[str, Any]) -> dict[str, Any]:
    return next(g for g in data["groups"]["sector"]["groups"] if g["withheld"] is not None)


def _unwithhold(data: dict[str, Any]) -> None:
    """A withheld group made to publish a copy of a shown group's figures."""
    group = _withheld_group(data)
    shown = _shown_group(data)
    group.update(withheld=None, baseline_n=2, followup_n=3, changes=shown["changes"])


def _withheld_with_figures(data: dict[str, Any]) -> None:
    _withheld_group(data)["changes"] = _shown_group(data)["changes"]


def _score_out_of_range(data: dict[str, Any]) -> None:
    data["principles"][0]["followup"]["score"] = 250.0


def _threshold_lowered(data: dict[str, Any]) -> None:
    data["min_group_size"] = 1


def _thin_principle(data: dict[str, Any]) -> None:
    data["principles"][0]["baseline"]["n"] = 2


@pytest.mark.parametrize(("edit", "path", "message"), [
    (_unwithhold, "groups.sector.groups[", "a group of 2 respondents is shown"),
    (_withheld_with_figures, "withheld", "a withheld group publishes figures"),
    (_score_out_of_range, "principles[0].followup.score", "250.0 is not a 0-100 score"),
    (_threshold_lowered, "min_group_size", "1 is below the least anonymity threshold"),
    (_thin_principle, "principles[0].baseline.n", "a score of 2 respondents is published"),
])
def test_an_edited_comparison_is_refused(made: Path, tmp_path: Path, edit: Any, path: str,
                                         message: str) -> None:
    doc = _edited(made, tmp_path, "cmp.json", edit)
    out = tmp_path / "x.html"
    result = runner.invoke(app, ["report", str(doc), "-o", str(out)])
    assert result.exit_code == 1
    assert f"{doc}:" in result.stderr and path in result.stderr and message in result.stderr
    assert not out.exists()
    with pytest.raises(LeadlensError) as caught:
        leadlens.render_report(doc)
    assert any(message in p.message for p in caught.value.problems)


def test_a_small_change_of_waves_given_as_results_is_refused(made: Path, tmp_path: Path
                                                             ) -> None:
    """Results documents carry no ids: a group whose n moved by 1 to m-1 gives away the
    joiners' answers, whatever the document says about it."""
    def nudge(data: dict[str, Any]) -> None:
        change = data["principles"][0]
        change["followup"]["n"] = change["baseline"]["n"] + 1

    assert isinstance(load_document(made / "cmpr.json"), Comparison)  # as written: fine
    doc = _edited(made, tmp_path, "cmpr.json", nudge)
    with pytest.raises(LeadlensError) as caught:
        load_document(doc)
    assert [p.code for p in caught.value.problems] == [Code.RESULTS_ANONYMITY]
    assert "changed by 1 (1 to 4)" in caught.value.problems[0].message
    assert caught.value.problems[0].line is not None


def test_an_edited_trend_point_is_refused(made: Path, tmp_path: Path) -> None:
    def reveal(data: dict[str, Any]) -> None:
        data["overall"]["points"][0].update(withheld=True)

    doc = _edited(made, tmp_path, "tr.json", reveal)
    with pytest.raises(LeadlensError, match="a withheld point publishes a score"):
        load_document(doc)


@pytest.mark.parametrize(("text", "message"), [
    ('{"compare_version": 7}', "version 7 is not supported"),
    ('{"trend_version": 1, "waves": "x"}', "waves"),
    ('{"compare_version": 1, "overall": NaN}', "NaN is not a number"),
    ('{"hello": 1}', "not a leadlens results, comparison or trend document"),
])
def test_bad_documents_are_located(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "doc.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LeadlensError) as caught:
        load_document(path)
    shown = "\n".join(str(p) for p in caught.value.problems)
    assert str(path) in shown and message in shown


def test_render_report_takes_documents_and_paths(made: Path) -> None:
    comparison = load_document(made / "cmp.json")
    html = (made / "cmp.html").read_text(encoding="utf-8")
    assert leadlens.render_report(comparison) == html
    assert leadlens.render_report(made / "cmp.json") == html
    assert leadlens.render_report(str(made / "cmp.json")) == html
    results = leadlens.render_report(str(made / "w0.json"), "md")
    assert results.startswith("# ")


@pytest.mark.parametrize("given", [3, None, {"compare_version": 1}, b"cmp.json"])
def test_render_report_refuses_what_is_no_document(given: Any) -> None:
    with pytest.raises(TypeError, match="takes a Results, Comparison or Trend, or the path"):
        leadlens.render_report(given)


@pytest.mark.parametrize("document", ["cmp.json", "tr.json"])
def test_an_edited_wave_document_cannot_lower_the_bundled_sets_threshold(
        made: Path, tmp_path: Path, document: str) -> None:
    """The second attacker's te4/e8: min_group_size 5 edited to 3 (the least any set may
    have) to show figures on 3 people; the bundled set of the document's id says 5."""
    doc = json.loads((made / document).read_text(encoding="utf-8"))
    assert doc["question_set"] == "ggi-systems-leadership" and doc["min_group_size"] == 5
    doc["min_group_size"] = 3
    bad = tmp_path / document
    bad.write_text(json.dumps(doc), encoding="utf-8")
    result = runner.invoke(app, ["report", str(bad), "-o", str(tmp_path / "r.md")])
    assert result.exit_code == 1 and not (tmp_path / "r.md").exists()
    assert "min_group_size: 3 is below the anonymity threshold of the bundled question set " \
        "'ggi-systems-leadership' (5)" in result.stderr
