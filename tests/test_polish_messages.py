"""Message polish from a fresh-install test: options named twice, no Python ``None`` in a
message, and the wording details of question-set and output-path problems."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

import leadlens
from conftest import EXAMPLES
from leadlens.cli import app
from leadlens.errors import UsageError

runner = CliRunner()
RESPONSES = EXAMPLES / "responses.csv"


def test_by_naming_a_field_twice_is_a_usage_error_on_the_command_line(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    result = runner.invoke(app, ["score", str(RESPONSES), "--by", "role", "--by",
                                 "organisation", "--by", "role", "-o", str(out)])
    assert result.exit_code == 2 and result.stdout == ""
    assert "--by 'role': named twice; give each breakdown field once" in result.stderr
    assert not out.exists()


def test_by_naming_a_field_twice_is_refused_by_the_api() -> None:
    with pytest.raises(UsageError) as refused:
        leadlens.score(RESPONSES, by=["role", "role"])
    assert (refused.value.option, refused.value.code) == ("by", "option.field-twice")


# --- No Python None in a message -----------------------------------------------------------

def _results_document(tmp_path: Path) -> dict[str, Any]:
    out = tmp_path / "results.json"
    done = runner.invoke(app, ["score", str(RESPONSES), "--by", "role", "-o", str(out)])
    assert done.exit_code == 0, done.stderr
    data: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return data


def _shown_hidden_group(doc: dict[str, Any]) -> None:
    group = next(g for g in doc["groups"]["role"]["groups"] if g["suppressed"])
    group["suppressed"] = False  # a hidden group "shown" by hand: it has no n


def _scale_removed(doc: dict[str, Any]) -> None:
    doc["question_set"]["questions"][0]["scale"] = None


AGREED = (EXAMPLES / "board.agreed.yaml").read_text(encoding="utf-8")
AGREED_BODY = AGREED.split("\nprinciples:", 1)[1]


@pytest.mark.parametrize(("edit", "words"), [
    (_shown_hidden_group, "has no respondent count, but is shown"),
    (_scale_removed, "a rating question with no scale"),
])
def test_a_hand_edited_results_document_names_the_missing_value(
        tmp_path: Path, edit: Any, words: str) -> None:
    doc = _results_document(tmp_path)
    edit(doc)
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(doc), encoding="utf-8")
    result = runner.invoke(app, ["report", str(broken), "-o", str(tmp_path / "r.md")])
    assert result.exit_code == 1
    assert words in result.stderr
    assert "None" not in result.stderr


@pytest.mark.parametrize(("text", "words"), [
    ("agreed: 1\nprinciples:" + AGREED_BODY, "names no question set (this run scores "),
    ("agreed: 1\nquestion_set:\nprinciples:" + AGREED_BODY, "names no question set"),
    ("agreed:\nquestion_set: ggi-systems-leadership\nprinciples:" + AGREED_BODY,
     "(the format version), found nothing"),
])
def test_a_broken_agreed_file_names_the_missing_value(
        tmp_path: Path, text: str, words: str) -> None:
    agreed = tmp_path / "bad.agreed.yaml"
    agreed.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["score", str(RESPONSES), "--agreed", str(agreed),
                                 "-o", str(tmp_path / "r.json")])
    assert result.exit_code == 1
    assert words in result.stderr
    assert "None" not in result.stderr


def _nulled(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield (*path, key)
            yield from _nulled(inner, (*path, key))
    elif isinstance(value, list):
        for i, inner in enumerate(value[:2]):
            yield (*path, i)
            yield from _nulled(inner, (*path, i))


def test_no_message_shows_none_for_any_value_left_empty_in_an_agreed_file(
        tmp_path: Path) -> None:
    """Every key of the example agreed file emptied (``key:`` with nothing) in turn."""
    original = yaml.safe_load(AGREED)
    seen: dict[tuple[Any, ...], str] = {}
    for path in _nulled(original):
        doc = copy.deepcopy(original)
        node = doc
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = None
        agreed = tmp_path / "edited.agreed.yaml"
        agreed.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
        result = runner.invoke(app, ["score", str(RESPONSES), "--agreed", str(agreed),
                                     "-o", str(tmp_path / "r.json"), "--force"])
        assert not isinstance(result.exception, Exception) or \
            isinstance(result.exception, SystemExit), (path, result.exception)
        if "None" in result.stderr:
            seen[path] = result.stderr
    assert seen == {}


# --- Question-set wording ------------------------------------------------------------------

ONE_PRINCIPLE = """\
schema_version: 1
id: mini
title: Mini
version: "1.0.0"
scales:
  agree:
    options:
      - {value: 1, label: Disagree}
      - {value: 2, label: Unsure}
      - {value: 3, label: Agree}
bands:
  - {id: low, label: Low, from: 0}
  - {id: high, label: High, from: 50}
principles:
  - {id: p1, name: P one}
questions:
  - {id: q1, text: First, principle: p1, scale: agree}
  - {id: q2, text: Second, principle: p1, scale: agree, weight: 2}
"""


def _validate(write: Any, text: str) -> tuple[int, str, str]:
    """Exit code, the problem lines (stdout) and the summary (stderr)."""
    path = write("qs.yaml", text)
    result = runner.invoke(app, ["validate", str(path)])
    return result.exit_code, result.stdout, result.stderr


def test_the_validate_summary_counts_one_principle_in_the_singular(write: Any) -> None:
    code, out, _ = _validate(write, ONE_PRINCIPLE)
    assert code == 0
    assert out.endswith("qs.yaml: ok (mini 1.0.0: 1 principle, 2 questions)\n")


@pytest.mark.parametrize(("old", "new", "hint"), [
    ("{id: p1, name: P one}", "{id: p1, title: P one}",
     "principles[0].title: unknown key 'title'. Did you mean 'name'?"),
    ("{id: q1, text: First,", "{id: q1, prompt: First,",
     "questions[0].prompt: unknown key 'prompt'. Did you mean 'text'?"),
])
def test_an_unknown_key_with_a_same_meaning_key_is_offered_it(
        write: Any, old: str, new: str, hint: str) -> None:
    code, err, _ = _validate(write, ONE_PRINCIPLE.replace(old, new))
    assert code == 1
    assert hint in err


@pytest.mark.parametrize(("weight", "hint"), [
    ("5e-1", "YAML 1.1 reads 5e-1 as text: write an exponent with a dot and a sign, e.g. 5.0e-1"),
    ("1e400", "YAML 1.1 reads 1e400 as text, and as a number it is out of range. Weights are "
              "relative, above 0 and at most 1000"),
    ("5e3", "as a number it is out of range"),
])
def test_a_yaml11_exponent_hint_suggests_only_a_value_that_is_then_accepted(
        write: Any, weight: str, hint: str) -> None:
    code, err, _ = _validate(write, ONE_PRINCIPLE.replace("weight: 2", f"weight: {weight}"))
    assert code == 1
    assert hint in err
    assert "e+400" not in err and "e+3" not in err


@pytest.mark.parametrize(("text", "line"), [
    (ONE_PRINCIPLE.replace("  - {id: q2", " - {id: q2"),
     "qs.yaml:18:2: YAML syntax: this line is not indented like the keys above it"),
    (ONE_PRINCIPLE.replace("title: Mini", "title: Mini: the short one"),
     "qs.yaml:3:12: YAML syntax: a second ':' on one line"),
    (ONE_PRINCIPLE + 'extra: "never closed\n', "YAML syntax: a quote that is never closed "
                                                 "(the quote opens at line 19)"),
])
def test_yaml_syntax_errors_are_in_plain_words_with_a_fix(
        write: Any, text: str, line: str) -> None:
    code, err, _ = _validate(write, text)
    assert code == 1
    assert line in err
    assert "while parsing" not in err and "expected key" not in err
    problem_line = next(x for x in err.splitlines() if "YAML syntax" in x)
    assert problem_line.count(". ") >= 1  # a hint follows the message


# --- Output paths ---------------------------------------------------------------------------

@pytest.mark.parametrize("command", [["score", str(RESPONSES)], ["report", "{results}"]])
def test_an_output_naming_a_folder_says_it_is_a_folder(tmp_path: Path,
                                                       command: list[str]) -> None:
    results = tmp_path / "results.json"
    results.write_text("{}", encoding="utf-8")
    folder = tmp_path / "out"
    folder.mkdir()
    args = [a.replace("{results}", str(results)) for a in command]
    result = runner.invoke(app, [*args, "-o", str(folder)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{folder}: is a folder, not a file. ")
    assert "cannot tell the format" not in result.stderr


@pytest.mark.parametrize("command", ["score", "report"])
def test_missing_inputs_and_an_existing_output_are_all_reported(tmp_path: Path,
                                                                command: str) -> None:
    existing = tmp_path / ("results.json" if command == "score" else "report.html")
    existing.write_text("kept", encoding="utf-8")
    missing = [str(tmp_path / "a.csv"), str(tmp_path / "b.csv")][: 2 if command == "score" else 1]
    result = runner.invoke(app, [command, *missing, "-o", str(existing)])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert [line.split(": ")[0] for line in lines] == [*missing, str(existing)]
    assert "cannot read" in lines[0] and "file exists; not overwritten" in lines[-1]
    assert existing.read_text(encoding="utf-8") == "kept"


# --- Files that are not responses ---------------------------------------------------------

@pytest.mark.parametrize("command", ["score", "inspect"])
def test_a_text_file_named_parquet_is_one_clean_error(tmp_path: Path, command: str) -> None:
    bad = tmp_path / "bad.parquet"
    bad.write_text("garbage\n", encoding="utf-8")
    result = runner.invoke(app, [command, str(bad)])
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith(f"{bad}: not a Parquet file")
    assert len(result.stderr.splitlines()) == 1


@pytest.mark.parametrize("command", ["score", "inspect"])
@pytest.mark.parametrize("output", ["results.parquet", "results.json"])
def test_leadlens_own_output_is_named_as_results_not_responses(
        tmp_path: Path, command: str, output: str) -> None:
    made = tmp_path / output
    done = runner.invoke(app, ["score", str(RESPONSES), "-o", str(made)])
    assert done.exit_code == 0, done.stderr
    result = runner.invoke(app, [command, str(made)])
    assert result.exit_code == 1 and result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert "not responses" in line and "leadlens report" in line
    assert ("tidy results tables" if output.endswith(".parquet") else "results document") \
        in line


@pytest.mark.parametrize("command", ["score", "inspect"])
def test_leadlens_results_workbook_is_named_as_results_not_responses(
        tmp_path: Path, command: str) -> None:
    made = tmp_path / "results.xlsx"
    done = runner.invoke(app, ["score", str(RESPONSES), "-o", str(made)])
    assert done.exit_code == 0, done.stderr
    result = runner.invoke(app, [command, str(made)])
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.splitlines() == [
        f"{made}: a leadlens results workbook (score -o results.xlsx), not responses. It "
        "holds the published figures, not answers: open it in a spreadsheet, or score the "
        "responses it was made from"]


def test_another_workbook_with_a_cover_sheet_is_read_as_an_export(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "Cover"
    book.active.append(["respondent_id", "organisation"])
    book.properties.creator = "someone else"
    path = tmp_path / "export.xlsx"
    book.save(path)
    result = runner.invoke(app, ["score", str(path)])
    assert result.exit_code == 1
    assert "results workbook" not in result.stderr


@pytest.mark.parametrize("fields", ["all", "none"])
def test_leadlens_scores_csv_is_named_as_scores_not_responses(tmp_path: Path,
                                                              fields: str) -> None:
    made = tmp_path / "scores.csv"
    done = runner.invoke(app, ["score", str(RESPONSES), "-f", "csv", "-o", str(made),
                               "--scores-fields", fields])
    assert done.exit_code == 0, done.stderr
    result = runner.invoke(app, ["score", str(made)])
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.splitlines() == [
        f"{made}:1: leadlens' scores CSV (score -f csv: a score per respondent and "
        "principle), not responses. Score the responses it was made from; to read the "
        "scores, open it with polars, pandas or a spreadsheet"]


# --- Responses headers --------------------------------------------------------------------

def _dotted_copy(tmp_path: Path, how_many: int | None = None) -> Path:
    """The example responses with '-' and '@' of question headers written as '.' (SPSS)."""
    header, rest = RESPONSES.read_text(encoding="utf-8").split("\n", 1)
    names = header.split(",")
    fields = {"respondent_id", "submitted_at", "organisation", "sector", "role"}
    dotted = [i for i, name in enumerate(names) if name not in fields][:how_many]
    for i in dotted:
        names[i] = names[i].replace("-", ".").replace("@", ".")
    path = tmp_path / "dotted.csv"
    path.write_text(",".join(names) + "\n" + rest, encoding="utf-8")
    return path


def test_spss_dotted_headers_are_one_line_with_mapping_rules_that_work(tmp_path: Path) -> None:
    dotted = _dotted_copy(tmp_path)
    result = runner.invoke(app, ["score", str(dotted)])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"{dotted}:1: 56 headers write '-' or '@' of the question "
                               "set's ids as '.' (as SPSS and R export them: 'basics.1' for "
                               "'basics-1'); none is read. Map them all with a --mapping file")
    assert sum("looks like" in line for line in lines) == 3  # located examples
    assert lines[-1] == "... and 53 more problems not shown"
    assert len(lines) <= 7
    # The rules the hint gives, written to a mapping file, read the file.
    rules = lines[0].split("columns: ")[1].rsplit(" (see", 1)[0]
    mapping = tmp_path / "dots.yaml"
    mapping.write_text(f"columns: {rules}\n", encoding="utf-8")
    fixed = runner.invoke(app, ["score", str(dotted), "--mapping", str(mapping),
                                "--format", "json"])
    assert fixed.exit_code == 0, fixed.stderr
    assert '"respondents": 60' in fixed.stdout


def test_a_few_dotted_headers_are_each_listed(tmp_path: Path) -> None:
    dotted = _dotted_copy(tmp_path, how_many=2)
    result = runner.invoke(app, ["score", str(dotted)])
    assert result.exit_code == 1
    assert sum("looks like" in line for line in result.stderr.splitlines()) == 2
    assert "headers write" not in result.stderr


def test_the_missing_columns_list_ends_in_words_not_four_dots(tmp_path: Path) -> None:
    dotted = _dotted_copy(tmp_path)
    result = runner.invoke(app, ["score", str(dotted)])
    missing = next(x for x in result.stderr.splitlines() if "question column(s) missing" in x)
    assert "...." not in missing and " and 46 more. Add the column(s)" in missing


@pytest.mark.parametrize(("label", "line"), [
    ('" unsure "', "scales.agree.options[2].label: ' unsure ' reads the same as 'Unsure' of "
                   "option 2. Answers are compared ignoring case, spaces"),
    ("unsure.", "scales.agree.options[2].label: 'unsure.' reads the same as 'Unsure' of "
                "option 2. Answers are compared ignoring case, spaces"),
    ("Unsure", "scales.agree.options[2]: label or alias 'Unsure' is used by option 2 too. "
               "Give each option its own labels and aliases"),
])
def test_every_label_collision_has_a_hint(write: Any, label: str, line: str) -> None:
    code, err, _ = _validate(write, ONE_PRINCIPLE.replace("label: Agree}", f"label: {label}}}"))
    assert code == 1
    assert line in err
