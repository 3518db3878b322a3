"""`leadlens score` as a user runs it: outputs, exit codes, stdout and stderr apart."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import BUNDLED, EXAMPLES, REPO
from leadlens.cli import app
from leadlens.results.document import Results, ResultWarning

runner = CliRunner()

QUESTION_SET = """\
schema_version: 1
id: mini
title: Mini set
version: "1.0"
scales:
  agreement:
    options:
      - {value: 1, label: Strongly disagree}
      - {value: 2, label: Disagree}
      - {value: 3, label: Neither}
      - {value: 4, label: Agree}
      - {value: 5, label: Strongly agree}
    unscored: ["Don't know"]
bands:
  - {id: low, label: Low, from: 0}
  - {id: high, label: High, from: 50}
principles:
  - {id: basics, name: "Basics [bold]and[/bold] more"}
respondent:
  - {id: organisation, prompt: Organisation}
  - {id: role, prompt: Role}
scoring:
  min_group_size: 3
questions:
  - {id: b1, principle: basics, text: One, scale: agreement}
  - {id: b2, principle: basics, text: Two, scale: agreement, reverse: true}
  - {id: story, type: text, text: Tell us a story}
"""


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "set.yaml").write_text(QUESTION_SET, encoding="utf-8")
    rows = ["respondent_id,organisation,role,b1,b2,story"]
    for i in range(4):
        rows.append(f"r{i},Acme,Board,5,1,story {i}")
    rows += ["r8,=HYPERLINK(\"x\"),Board,1,5,", "r9,[red]Evil[/red],Staff,3,3,",
             "r10,Beta,Staff,4,Don't know,"]
    (tmp_path / "responses.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return tmp_path


def score(files: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["score", str(files / "responses.csv"),
                                 "--question-set", str(files / "set.yaml"), *args])
    return result.exit_code, result.stdout, result.stderr


def test_table_on_the_terminal_escapes_text(files: Path) -> None:
    code, out, err = score(files, "--by", "organisation")
    assert code == 0, err
    assert "Basics [bold]and[/bold] more" in out  # shown as written, not as markup
    assert "Mini set: 7 respondents" in out
    assert "fewer than 3" in out
    assert err == ""


def test_results_document(files: Path) -> None:
    code, out, err = score(files, "--by", "organisation", "-o", str(files / "results.json"))
    assert code == 0 and out == ""
    assert err == f"wrote {files / 'results.json'} (7 respondents, results document)\n"
    text = (files / "results.json").read_text(encoding="utf-8")
    document = json.loads(text)
    assert document["results_version"] == 2
    assert document["question_set"]["bands"][1]["from"] == 50
    assert document["respondents"] == 7
    results = Results.model_validate_json(text)
    basics = results.principles[0]
    assert basics.n == 7
    # Acme: 4 x 100; "=HYPERLINK": 0; Evil: 50; Beta: b1 = 4 -> 75, b2 unscored.
    assert basics.score == pytest.approx((400 + 0 + 50 + 75) / 7)
    # Acme (4) and three organisations of one: the three, hidden together, could only be
    # 1, 1 and 1 ("fewer than 3" each, 3 in all), so the breakdown is withheld.
    organisation = results.groups["organisation"]
    assert organisation.groups == [] and organisation.withheld
    assert results.disclosure is not None
    assert [(s.breakdown, s.reason) for s in results.disclosure.steps] == [
        ("organisation", "withheld")]
    assert sorted(results.comments["story"]) == [f"story {i}" for i in range(4)]


def test_json_to_stdout(files: Path) -> None:
    code, out, _ = score(files, "--format", "json")
    assert code == 0
    assert json.loads(out)["overall"]["n"] == 7


def test_scores_csv_guards_against_formulas(files: Path) -> None:
    code, _, err = score(files, "-o", str(files / "scores.csv"))
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO((files / "scores.csv").read_text(encoding="utf-8"))))
    assert list(rows[0]) == ["respondent_id", "organisation", "role", "basics", "overall"]
    assert rows[4]["organisation"] == "'=HYPERLINK(\"x\")"
    assert float(rows[0]["basics"]) == 100.0 and rows[4]["basics"] == "0.0"
    assert rows[6]["basics"] == "75.0"


def test_existing_output_is_refused_before_any_work(files: Path) -> None:
    (files / "results.json").write_text("precious", encoding="utf-8")
    (files / "responses.csv").write_text("b1,b1\n", encoding="utf-8")  # would fail to read
    code, out, err = score(files, "-o", str(files / "results.json"))
    assert code == 1 and out == ""
    assert err.startswith(f"{files / 'results.json'}: file exists; not overwritten")
    assert (files / "results.json").read_text(encoding="utf-8") == "precious"


def test_force_overwrites(files: Path) -> None:
    (files / "results.json").write_text("old", encoding="utf-8")
    code, _, _ = score(files, "-o", str(files / "results.json"), "--force")
    assert code == 0
    assert json.loads((files / "results.json").read_text(encoding="utf-8"))["respondents"] == 7


def test_bad_data_exits_1_with_located_errors(files: Path) -> None:
    path = files / "responses.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("r9,[red]Evil[/red],Staff,3,3",
                                                             "r9,x,Staff,7,3"), encoding="utf-8")
    code, out, err = score(files, "-o", str(files / "results.json"))
    assert code == 1 and out == ""
    assert err == f"{path}:7: column 'b1': 7 is not on the agreement scale (1-5)\n"
    assert not (files / "results.json").exists()


def test_on_invalid_missing(files: Path) -> None:
    path = files / "responses.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("r9,[red]Evil[/red],Staff,3,3",
                                                             "r9,x,Staff,7,3"), encoding="utf-8")
    code, _, err = score(files, "--on-invalid", "missing", "--format", "json")
    assert code == 0
    assert "1 answer(s) not on their scale were treated as missing" in err


def test_warnings_go_to_stderr_and_strict_fails_on_them(files: Path) -> None:
    path = files / "responses.csv"
    path.write_text("organisation,b1,extra\nAcme,4,x\n", encoding="utf-8")
    code, out, err = score(files, "--format", "json", "--allow-missing-questions")
    assert code == 0 and json.loads(out)["respondents"] == 1
    assert "column 'extra': warning: not a question" in err
    assert "question column(s) missing, their answers count as missing" in err
    code, out, err = score(files, "--format", "json")
    assert code == 1 and out == ""
    assert "question column(s) missing: " in err and "--allow-missing-questions" in err
    code, out, err = score(files, "--format", "json", "--strict", "--allow-missing-questions")
    assert code == 1 and out == ""
    assert "column 'extra': not a question" in err


def test_a_file_given_twice_is_a_warning_and_strict_refuses_it(files: Path) -> None:
    path, out_file = files / "responses.csv", files / "dup.json"
    args = ["score", str(path), str(path), "-q", str(files / "set.yaml")]
    result = runner.invoke(app, [*args, "-o", str(out_file)])
    assert result.exit_code == 0, result.stderr
    warning, wrote = result.stderr.splitlines()
    assert warning.startswith(
        f"{path}:2: warning: 7 respondent ids appear more than once, so they are counted more "
        f"than once ({path} is given 2 times): 'r0' (at {path}:2, first at {path}:2)")
    assert wrote == f"wrote {out_file} (14 respondents, results document)"
    # The document (and so every report) names neither the ids nor their lines: an id may
    # be a person's name or e-mail address. The terminal, the facilitator's, names both.
    (written,) = json.loads(out_file.read_text(encoding="utf-8"))["warnings"]
    assert {k: written[k] for k in ("code", "file", "line", "col", "column", "path")} == {
        "code": "responses.duplicate-ids", "file": str(path), "line": None, "col": None,
        "column": None, "path": ""}
    assert "'r0'" not in written["message"] and "respondent ids appear more than once" \
        in written["message"]
    assert str(ResultWarning.model_validate(written)).startswith(f"{path}: warning: some ")
    strict = runner.invoke(app, [*args, "--strict", "--format", "json"])
    assert strict.exit_code == 1 and strict.stdout == ""
    assert strict.stderr.startswith(f"{path}:2: 7 respondent ids appear more than once")


@pytest.mark.parametrize(("args", "message"), [
    (["--by", "team"], "Error: --by 'team': not a respondent field of mini; choose from "
                       "organisation, role\n"),
    (["--min-group-size", "2"], "Error: --min-group-size 2: may raise the question set's "
                                "threshold (3) but not lower it\n"),
    (["--on-invalid", "ignore"], "Error: --on-invalid 'ignore': choose error or missing\n"),
    (["--format", "xml"], "Error: --format 'xml': choose one of json, csv, table, html, md, "
     "parquet, xlsx, pdf\n"),
])
def test_usage_errors_exit_2(files: Path, args: list[str], message: str) -> None:
    code, out, err = score(files, *args)
    assert (code, out, err) == (2, "", message)


def test_output_format_from_the_extension(files: Path) -> None:
    code, _, err = score(files, "-o", str(files / "results.ods"))
    assert code == 2 and "cannot tell the format from 'results.ods'" in err
    code, _, _ = score(files, "-o", str(files / "summary.txt"))
    assert code == 0
    assert "Basics [bold]and[/bold] more" in (files / "summary.txt").read_text(encoding="utf-8")


def test_min_group_size_can_be_raised(files: Path) -> None:
    code, out, _ = score(files, "--by", "organisation", "--min-group-size", "5",
                         "--format", "json")
    document = json.loads(out)
    assert code == 0 and document["min_group_size"] == 5
    assert document["groups"]["organisation"]["groups"] == []
    # 4 people commented: fewer than 5, so no comment is shown.
    assert document["comments"] == {}
    assert "'story'" in document["comments_withheld"]


def test_fixed_timestamp_makes_output_reproducible(files: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    first = score(files, "--by", "role", "--format", "json")[1]
    second = score(files, "--by", "role", "--format", "json")[1]
    assert first == second
    assert json.loads(first)["generated_at"].startswith("2023-11-14T22:13:20")


def test_example_responses_score_with_the_bundled_set(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    result = runner.invoke(app, ["score", str(EXAMPLES / "responses.csv"), "--by",
                                 "organisation", "--by", "sector", "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    results = Results.model_validate_json(out.read_text(encoding="utf-8"))
    assert results.question_set.id == "ggi-systems-leadership"
    with (EXAMPLES / "responses.csv").open(encoding="utf-8", newline="") as handle:
        assert results.respondents == sum(1 for _ in csv.DictReader(handle))
    assert [p.n > 0 and p.score is not None for p in results.principles] == [True] * 6
    assert all(p.alpha is not None for p in results.principles)
    assert {t.question for t in results.timepoints} == {
        q.id for q in results.question_set.questions if q.timepoints}
    assert len(results.timepoints) == 8
    assert set(results.groups) == {"organisation", "sector"}
    assert results.comments and results.warnings == []
    assert BUNDLED.exists()


def test_narrow_piped_terminal_and_no_color(files: Path) -> None:
    env = {**os.environ, "COLUMNS": "20", "NO_COLOR": "1"}
    proc = subprocess.run([sys.executable, "-m", "leadlens", "score",
                           str(files / "responses.csv"), "-q", str(files / "set.yaml"),
                           "--by", "organisation"],
                          capture_output=True, text=True, env=env, cwd=REPO, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "\x1b[" not in proc.stdout
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("width", [40, 60, 80, 100, 120])
def test_numbers_are_never_cut_short_on_a_narrow_terminal(width: int) -> None:
    from rich.console import Console

    from leadlens.questionset.loading import load_question_set
    from leadlens.report.writers import render_table
    from leadlens.responses.reading import read_responses
    from leadlens.scoring import score as score_responses

    qs = load_question_set(None)
    data = read_responses([EXAMPLES / "responses.csv"], qs)
    results = score_responses(qs, data, by=["sector"]).results
    buffer = io.StringIO()
    render_table(results, Console(file=buffer, width=width, no_color=True))
    text = buffer.getvalue()
    assert "…" not in text
    assert max(len(line) for line in text.splitlines()) <= width
    assert "47.1" in text  # Understanding the basics, 47.12 rounded down (the display rule)
    shown = qs.score_text
    numbers = [shown(p.score, 1) for p in results.principles] + [
        f"{p.ci95[0]:.1f}-{p.ci95[1]:.1f}" for p in results.principles if p.ci95]
    for breakdown in results.groups.values():
        for group in breakdown.groups:
            if not group.suppressed:
                numbers += [shown(gp.score, 1) for gp in group.principles
                            if gp.score is not None]
    missing = [n for n in numbers if n not in text]
    assert not missing, text


def test_the_table_title_counts_one_respondent(files: Path) -> None:
    (files / "responses.csv").write_text("organisation,role,b1,b2,story\nAcme,Board,4,2,\n",
                                         encoding="utf-8")
    code, out, _ = score(files)
    assert code == 0
    assert out.startswith("Mini set: 1 respondent\n")
    code, _, err = score(files, "-o", str(files / "scores.csv"))
    assert code == 0 and err == f"wrote {files / 'scores.csv'} (1 respondent, scores CSV)\n"


ACCEPTED = ("accepted: Strongly disagree (1), Disagree (2), Neither (3), Agree (4), Strongly agree "
            "(5), Don't know, or the values 1-5. Add it as an alias in the question set or map "
            "it under answers.agreement in a --mapping file")


@pytest.mark.parametrize("label_row", [1, 30], ids=["label-early", "label-late"])
def test_labels_score_as_their_values_wherever_they_are(files: Path, label_row: int) -> None:
    # A label in the first rows sends the file to the import reader; a later one is read by
    # the fast reader. Either way it is the option's value, and bad cells are located errors.
    def write(name: str, cells: dict[int, str]) -> Path:
        rows = ["respondent_id,organisation,role,b1,b2,story"]
        rows += [f"r{i},Acme,Board,{cells.get(i, '4')},2," for i in range(1, 41)]
        path = files / name
        path.write_text("\n".join(rows) + "\n", encoding="utf-8")
        return path

    numbers, labels = write("numbers.csv", {}), write("labels.csv", {label_row: "Agree"})
    documents = []
    for path in (numbers, labels):
        result = runner.invoke(app, ["score", str(path), "-q", str(files / "set.yaml"),
                                     "--format", "json"])
        assert result.exit_code == 0, result.stderr
        documents.append(json.loads(result.stdout))
    assert documents[0]["principles"] == documents[1]["principles"]
    for bad, message in (("yes", f"unknown answer 'yes' for the agreement scale; {ACCEPTED}"),
                         ("7", "7 is not on the agreement scale (1-5)")):
        path = write("bad.csv", {label_row: "Agree", 35: bad})
        result = runner.invoke(app, ["score", str(path), "-q", str(files / "set.yaml")])
        assert result.exit_code == 1 and result.stdout == ""
        assert result.stderr == f"{path}:36: column 'b1': {message}\n"
