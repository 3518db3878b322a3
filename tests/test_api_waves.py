"""``leadlens compare``/``trend`` on the command line are the library's functions: the same
documents, the same refusals, and one place (``leadlens.analysis.waves``) that loads waves."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import leadlens
from conftest import EXAMPLES, REPO
from leadlens.cli import app
from leadlens.questionset.loading import load_question_set

runner = CliRunner()
WAVES = [EXAMPLES / "waves" / f"wave-{year}.csv" for year in (2025, 2026)]


@pytest.fixture(autouse=True)
def fixed_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")


def test_the_compare_command_writes_the_librarys_document(tmp_path: Path) -> None:
    out = tmp_path / "compare.json"
    result = runner.invoke(app, ["compare", *map(str, WAVES), "--by", "sector", "--labels",
                                 "Spring,Autumn", "--title", "Then and now", "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    library = leadlens.compare(*WAVES, by="sector", labels=["Spring", "Autumn"],
                               title="Then and now")
    assert json.loads(out.read_text(encoding="utf-8")) == json.loads(
        library.model_dump_json(by_alias=True))


def test_the_trend_command_writes_the_librarys_document(tmp_path: Path) -> None:
    out = tmp_path / "trend.json"
    three = [EXAMPLES / "responses.csv", *WAVES]
    result = runner.invoke(app, ["trend", *map(str, three), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    assert json.loads(out.read_text(encoding="utf-8")) == json.loads(
        leadlens.trend(three).model_dump_json(by_alias=True))


def test_question_sets_not_one_per_wave_are_refused_in_the_same_words() -> None:
    cli = runner.invoke(app, ["compare", *map(str, WAVES), "-q", "ggi-systems-leadership",
                              "-q", "ggi-systems-leadership", "-q", "ggi-systems-leadership"])
    assert cli.exit_code == 2
    with pytest.raises(leadlens.UsageError) as caught:
        leadlens.compare(*WAVES, question_set=["ggi-systems-leadership"] * 3)
    assert caught.value.code == "option.not-one-per-wave"
    assert cli.stderr == f"Error: --question-set {caught.value.problems[0].message}\n"


def test_a_results_document_stays_one_when_a_loaded_question_set_is_given(tmp_path: Path
                                                                        ) -> None:
    saved = tmp_path / "wave-2025.json"
    saved.write_text(leadlens.score(WAVES[0]).model_dump_json(by_alias=True),
                     encoding="utf-8")
    change = leadlens.compare(saved, WAVES[1], question_set=load_question_set(None))
    assert change.baseline.kind == "results" and change.followup.kind == "responses"
    assert change.baseline.label == "March 2025"  # when it was collected, not the file


def test_the_cli_loads_no_wave_itself() -> None:
    """The clean-up: cli/compare.py parses options, calls the library and prints."""
    source = (REPO / "src" / "leadlens" / "cli" / "compare.py").read_text(encoding="utf-8")
    assert "leadlens.analysis.waves import" in source
    for private in ("waves.loading", "waves.engine", "load_wave", "LeadlensError("):
        assert private not in source, private
