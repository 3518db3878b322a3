"""``leadlens compare`` and ``leadlens trend`` as a user runs them: outputs, errors, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from compare_fixtures import make_wave, people, wave_set
from conftest import EXAMPLES
from leadlens.cli import app
from leadlens.report.waves import render_comparison
from leadlens.waves.document import Comparison, Trend
from leadlens.waves.engine import compare

runner = CliRunner()
WAVE1 = str(EXAMPLES / "responses.csv")
WAVE2 = str(EXAMPLES / "waves" / "wave-2025.csv")
WAVE3 = str(EXAMPLES / "waves" / "wave-2026.csv")


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("results")
    paths = []
    for name, wave in (("2024.json", WAVE1), ("2025.json", WAVE2)):
        path = folder / name
        result = runner.invoke(app, ["score", wave, "--by", "sector", "-o", str(path)])
        assert result.exit_code == 0, result.stderr
        paths.append(path)
    return paths[0], paths[1]


def test_compare_writes_the_comparison_document(tmp_path: Path) -> None:
    out = tmp_path / "compare.json"
    result = runner.invoke(app, ["compare", WAVE1, WAVE2, "--by", "organisation", "--labels",
                                 "Spring 2024,Spring 2025", "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr == f"wrote {out} (comparison document)\n"
    doc = Comparison.model_validate_json(out.read_text(encoding="utf-8"))
    assert doc.compare_version == 1
    assert (doc.baseline.label, doc.followup.label) == ("Spring 2024", "Spring 2025")
    assert {c.id for c in doc.principles if c.significant} == {"influencing", "narrative"}
    assert all(c.test is not None and c.test.name == "welch" for c in doc.principles)
    assert not any(c.significant for c in doc.principles
                   if c.id not in ("influencing", "narrative"))
    assert doc.groups["organisation"].groups


@pytest.mark.parametrize("suffix", ["html", "md"])
def test_compare_reports_start_with_what_changed(tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"compare.{suffix}"
    result = runner.invoke(app, ["compare", WAVE1, WAVE2, "--labels", "2024,2025", "-o",
                                 str(out)])
    assert result.exit_code == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    first = text.index("What changed since 2024")
    assert first < text.index("Principle by principle") < text.index("Method")
    assert "Influencing rose by" in text and "could not have been detected" in text


def test_compare_without_output_prints_the_summary() -> None:
    result = runner.invoke(app, ["compare", WAVE1, WAVE2, "--labels", "2024,2025"])
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "What changed since 2024"
    assert lines[2].startswith("Since 2024, 2 of 6 principles changed by more than noise")
    assert sum(line.startswith("- ") for line in lines) == 7


def test_results_documents_with_a_small_change_in_n_are_withheld(
        documents: tuple[Path, Path]) -> None:
    result = runner.invoke(app, ["compare", str(documents[0]), str(documents[1])])
    assert result.exit_code == 0, result.stderr
    assert "the whole-survey figures are withheld" in result.stdout
    assert "give both waves as responses files with respondent_id" in result.stdout


def test_user_template(tmp_path: Path) -> None:
    template = tmp_path / "mine.md.j2"
    template.write_text('{% extends "leadlens/compare.md.j2" %}{% block footer %}'
                        "Ours: {{ principles | length }} principles{% endblock %}\n")
    out = tmp_path / "out.md"
    result = runner.invoke(app, ["compare", WAVE1, WAVE2, "-o", str(out), "--template",
                                 str(template)])
    assert result.exit_code == 0, result.stderr
    assert out.read_text(encoding="utf-8").rstrip().endswith("Ours: 6 principles")
    broken = tmp_path / "broken.md.j2"
    broken.write_text("{{ principles | lenght }}\n")
    result = runner.invoke(app, ["compare", WAVE1, WAVE2, "-o", str(tmp_path / "x.md"),
                                 "--template", str(broken)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{broken}:1: ")
    assert not (tmp_path / "x.md").exists()


def _edited(document: Path, tmp_path: Path, name: str, **changes: object) -> Path:
    data = json.loads(document.read_text(encoding="utf-8"))
    for key, value in changes.items():
        if key == "question_set_id":
            data["question_set"]["id"] = value
        else:
            data[key] = value
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_bad_inputs_are_located_errors_and_nothing_is_written(
        documents: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "compare.html"
    other = _edited(documents[1], tmp_path, "other.json", question_set_id="another-set")
    result = runner.invoke(app, ["compare", str(documents[0]), str(other), "--by", "role",
                                 "-o", str(out)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"{other}: question_set.id: question set 'another-set' is not "
        f"'ggi-systems-leadership', the question set of {documents[0]}. Only waves of one "
        "question set (any versions) can be compared",
        f"{documents[0]}: groups: no breakdown by 'role' (breakdowns: sector). Score it again "
        "with --by role, or give its responses file",
        f"{other}: groups: no breakdown by 'role' (breakdowns: sector). Score it again with "
        "--by role, or give its responses file"]
    newer = _edited(documents[1], tmp_path, "newer.json", results_version=3)
    result = runner.invoke(app, ["compare", str(documents[0]), str(newer), "-o", str(out)])
    assert result.exit_code == 1
    assert result.stderr == (f"{newer}: results_version: version 3 is not supported; this "
                             "leadlens reads version 2. Re-score the responses with this "
                             "leadlens\n")
    result = runner.invoke(app, ["compare", WAVE1, WAVE1, "--independent", "-o", str(out)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{WAVE1}: column 'respondent_id': 60 respondent ids are "
                                    f"also in {WAVE1} (R001, R002, R003, ...): the waves are "
                                    "not independent. Leave out --independent")
    assert len(result.stderr.splitlines()) == 1
    missing = tmp_path / "missing.csv"
    result = runner.invoke(app, ["compare", str(missing), WAVE2, "-o", str(out)])
    assert result.exit_code == 1 and result.stderr.startswith(f"{missing}: cannot read")
    assert "Traceback" not in result.output
    assert not out.exists()


def test_an_existing_output_needs_force(tmp_path: Path) -> None:
    out = tmp_path / "compare.md"
    out.write_text("keep me")
    result = runner.invoke(app, ["compare", WAVE1, WAVE2, "-o", str(out)])
    assert result.exit_code == 1 and "--force" in result.stderr
    assert out.read_text() == "keep me"
    assert runner.invoke(app, ["compare", WAVE1, WAVE2, "-o", str(out), "--force"]
                         ).exit_code == 0


@pytest.mark.parametrize(("args", "message"), [
    (["compare", WAVE1, WAVE2, "--labels", "one"], "--labels 'one': give 2 non-empty names"),
    (["compare", WAVE1, WAVE2, "-o", "out.txt"], "cannot tell the format from 'out.txt'"),
    (["trend", WAVE1, WAVE2], "trend needs three or more waves, got 2"),
    (["compare", WAVE1, WAVE2, "--by", "team"],
     "Error: --by 'team': not a respondent field of ggi-systems-leadership"),
    (["compare", WAVE1, WAVE2, "--min-group-size", "2"],
     "Error: --min-group-size 2: may raise the question set's threshold (5) but not lower it"),
])
def test_usage_errors_exit_2(args: list[str], message: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_trend(tmp_path: Path) -> None:
    out = tmp_path / "trend.json"
    result = runner.invoke(app, ["trend", WAVE1, WAVE2, WAVE3, "--labels", "2024,2025,2026",
                                 "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    doc = Trend.model_validate_json(out.read_text(encoding="utf-8"))
    assert [w.label for w in doc.waves] == ["2024", "2025", "2026"]
    assert {line.id for line in doc.principles
            if line.since_first and line.since_first.significant} == {"influencing", "narrative"}
    html = tmp_path / "trend.html"
    assert runner.invoke(app, ["trend", WAVE1, WAVE2, WAVE3, "-o", str(html)]).exit_code == 0
    text = html.read_text(encoding="utf-8")
    assert text.count("<svg") == 7 and "What changed since March 2024" in text
    printed = runner.invoke(app, ["trend", WAVE1, WAVE2, WAVE3, "--labels", "a,b,c"])
    assert printed.stdout.startswith("From a to c, 2 of 6 principles changed by more than noise")


def test_schema_command_prints_the_new_schemas() -> None:
    for flag, title in (("--compare", "leadlens comparison document"),
                        ("--trend", "leadlens trend document")):
        result = runner.invoke(app, ["schema", flag])
        assert result.exit_code == 0
        assert json.loads(result.stdout)["title"] == title
    assert runner.invoke(app, ["schema", "--compare", "--trend"]).exit_code == 2


NASTY = '<script>alert("x")</script> | *Trust* [link](http://x)'


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_untrusted_group_names_stay_text(fmt: str) -> None:
    qs = wave_set()
    orgs = [NASTY, "Beta Council"]
    doc = compare(make_wave("a", qs, people(1, 30, orgs=orgs)),
                  make_wave("b", qs, people(2, 30, orgs=orgs, prefix="B")),
                  by=["organisation"])
    text = render_comparison(doc, fmt)  # type: ignore[arg-type]
    assert "<script>" not in text
    if fmt == "html":
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in text
    else:
        assert "\\<script\\>" in text and "\\| \\*Trust\\* \\[link\\]" in text


def test_dash_writes_the_document_to_stdout_and_quiet_prints_nothing(tmp_path: Path) -> None:
    result = runner.invoke(app, ["compare", WAVE1, WAVE2, "-o", "-", "-f", "json"])
    assert result.exit_code == 0, result.stderr
    assert Comparison.model_validate_json(result.stdout).compare_version == 1
    quiet = runner.invoke(app, ["trend", WAVE1, WAVE2, WAVE3, "-o", str(tmp_path / "t.md"),
                                "--quiet"])
    assert quiet.exit_code == 0 and quiet.stdout == "" and quiet.stderr == ""


def test_each_wave_may_have_its_own_question_set_version(tmp_path: Path) -> None:
    from conftest import BUNDLED

    text = BUNDLED.read_text(encoding="utf-8").replace('version: "2.1.0"', 'version: "2.2.0"')
    old = ("    text: >-\n      Before major decisions, leaders in our system consider how local "
           "communities are likely\n      to feel about them.")
    assert old in text
    newer = tmp_path / "v1.1.yaml"
    newer.write_text(text.replace(old, "    text: We weigh how communities will feel."),
                     encoding="utf-8")
    line = text.splitlines().index("  - id: context-3") + 1
    out = tmp_path / "compare.json"
    result = runner.invoke(app, ["compare", WAVE1, WAVE2, "-q", "ggi-systems-leadership",
                                 "-q", str(newer), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    doc = Comparison.model_validate_json(out.read_text(encoding="utf-8"))
    (entry,) = doc.matching
    assert (entry.question, entry.status, entry.compared) == ("context-3", "changed", False)
    assert entry.followup_at == f"{newer}:{line}"
    assert entry.baseline_at == f"question_sets/ggi-systems-leadership.yaml:{line}"
    assert "context" in {n.id for n in doc.principles_not_compared}
    assert doc.followup.question_set_version == "2.2.0"
    three = runner.invoke(app, ["compare", WAVE1, WAVE2, "-q", "a", "-q", "b", "-q", "c"])
    assert three.exit_code == 2 and "--question-set given 3 times" in three.stderr
