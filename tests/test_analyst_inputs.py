"""Real exports read as they come: R's NA, statistics packages' missing codes and header
names, upper-case question ids, Parquet files, and R's own write.csv of psychTools' bfi."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import textwrap
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from typer.testing import CliRunner

import leadlens
from conftest import EXAMPLES, MINIMAL_SET
from leadlens.cli import app

runner = CliRunner()
RESPONSES = EXAMPLES / "responses.csv"


def _score(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["score", *args])
    return result.exit_code, result.stdout, result.stderr


def _set(tmp_path: Path, extra: str = "", questions: str = "") -> Path:
    text = MINIMAL_SET + extra
    if questions:
        text = text.split("questions:\n")[0] + "questions:\n" + textwrap.dedent(questions)
    path = tmp_path / "set.yaml"
    path.write_text(text, encoding="utf-8")
    return path


# --- missing values --------------------------------------------------------------------------

def test_na_is_missing_by_default_in_answers_fields_and_comments(tmp_path: Path) -> None:
    qs = _set(tmp_path)
    path = tmp_path / "r.csv"
    # Each row five times: every published figure rests on at least min_group_size.
    rows = "".join(f"NA,NA,4,NA,2\nr2{i},Acme,NA,NA,NA\nr3{i},Acme,5,1,4\n" for i in "abcde")
    path.write_text("respondent_id,organisation,b1,b2,b3\n" + rows, encoding="utf-8")
    code, out, err = _score(str(path), "-q", str(qs), "-f", "json", "--by", "organisation")
    assert code == 0, err
    document = json.loads(out)
    items = {i["key"]: i for i in document["principles"][0]["items"]}
    # The NA rows r2 answered nothing: scored on nothing, they are outside the principle's
    # figures (its items count over those scored on it), so nothing of theirs is missing.
    assert document["respondents"] == 15
    assert (items["b1"]["n"], items["b1"]["missing"]) == (10, 0)
    assert (items["b2"]["n"], items["b2"]["unscored"]) == (5, 0)
    assert [g["value"] for g in document["groups"]["organisation"]["groups"]] == [
        "Acme", "(not stated)"]


def test_a_sets_missing_values_are_read_as_blank_by_every_reader(tmp_path: Path) -> None:
    qs = _set(tmp_path, "\n").read_text(encoding="utf-8").replace(
        "bands:", "scoring:\n  missing_values: ['', NA, '.', '-99']\nbands:")
    (tmp_path / "set.yaml").write_text(qs, encoding="utf-8")
    csv = tmp_path / "r.csv"
    # Five of each row: every published figure rests on at least min_group_size.
    csv.write_text("organisation,b1,b2,b3\n" + "Acme,.,-99,3\nAcme,4,NA,2\n" * 5,
                   encoding="utf-8")
    semicolons = tmp_path / "semi.csv"  # read by the export reader (another delimiter)
    semicolons.write_text(csv.read_text(encoding="utf-8").replace(",", ";"), encoding="utf-8")
    parquet = tmp_path / "r.parquet"
    pl.read_csv(csv, infer_schema=False).write_parquet(parquet)
    documents = []
    for path in (csv, semicolons, parquet):
        code, out, err = _score(str(path), "-q", str(tmp_path / "set.yaml"), "-f", "json")
        assert code == 0, (path, err)
        documents.append(json.loads(out)["principles"])
    assert documents[0] == documents[1] == documents[2]
    items = {i["key"]: i for i in documents[0][0]["items"]}
    # Only the "Acme,4,NA,2" rows answer 2 of 3 (min_answered 0.5): the items count over them.
    assert [items[k]["n"] for k in ("b1", "b2", "b3")] == [5, 0, 5]


def test_a_code_not_listed_as_missing_is_still_an_error(tmp_path: Path) -> None:
    qs = _set(tmp_path)
    path = tmp_path / "r.csv"
    path.write_text("organisation,b1,b2,b3\nAcme,-99,2,3\n", encoding="utf-8")
    code, _, err = _score(str(path), "-q", str(qs))
    assert code == 1
    assert err == f"{path}:2: column 'b1': -99 is not on the agreement scale (1-5)\n"


# --- header names and question ids -----------------------------------------------------------

def test_r_header_names_are_an_error_with_the_suggestion(tmp_path: Path) -> None:
    qs = _set(tmp_path, questions="""\
        - {id: wide_awake, principle: basics, text: One, scale: agreement}
        - {id: b2, principle: basics, text: Two, scale: agreement}
        """)
    path = tmp_path / "r.csv"
    path.write_text("organisation,wide.awake,b2,X.notes\nAcme,4,2,x\n", encoding="utf-8")
    code, out, err = _score(str(path), "-q", str(qs), "-f", "json")
    assert (code, out) == (1, "")
    assert err == (f"{path}:1: column 'wide.awake': not a column of the question set, but it "
                   "looks like 'wide_awake', which has no column. Rename the column to "
                   "'wide_awake' (or map it in a --mapping file)\n"
                   f"{path}:1: 1 question column(s) missing: 'wide_awake'. Add the column(s), "
                   "or score without them (their answers count as missing) with "
                   "--allow-missing-questions (allow_missing_questions=True in Python)\n")


def test_upper_case_question_ids_are_valid_and_unique_regardless_of_case(tmp_path: Path
                                                                        ) -> None:
    qs = _set(tmp_path, questions="""\
        - {id: A1, principle: basics, text: One, scale: agreement}
        - {id: Q1_2, principle: basics, text: Two, scale: agreement}
        """)
    assert [q.id for q in leadlens.load_question_set(qs).questions] == ["A1", "Q1_2"]
    path = tmp_path / "r.csv"
    path.write_text("organisation,A1,Q1_2\nAcme,4,2\n", encoding="utf-8")
    code, out, err = _score(str(path), "-q", str(qs), "-f", "json")
    assert code == 0, err
    assert [i["key"] for i in json.loads(out)["principles"][0]["items"]] == ["A1", "Q1_2"]
    clash = _set(tmp_path, questions="""\
        - {id: A1, principle: basics, text: One, scale: agreement}
        - {id: a1, principle: basics, text: Two, scale: agreement}
        """)
    result = runner.invoke(app, ["validate", str(clash)])
    assert result.exit_code == 1
    assert ("questions[1].id: duplicate question id 'a1' (first defined at line "
            in result.stdout)
    assert "Ids must be unique, regardless of case" in result.stdout


def test_validate_takes_a_bundled_id() -> None:
    result = runner.invoke(app, ["validate", "ggi-systems-leadership"])
    assert result.exit_code == 0, result.output
    assert "question_sets/ggi-systems-leadership.yaml: ok (ggi-systems-leadership " in result.stdout


# --- Parquet ---------------------------------------------------------------------------------

@pytest.mark.parametrize("answers", ["text", "integers"])
def test_parquet_scores_as_the_csv_does(tmp_path: Path, answers: str,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    frame = pl.read_csv(RESPONSES, infer_schema=False)
    if answers == "integers":  # every column whose cells are all whole numbers (or blank)
        frame = frame.with_columns(frame[c].cast(pl.Int64) for c in frame.columns
                                   if frame[c].cast(pl.Int64, strict=False).null_count()
                                   == frame[c].null_count())
        assert sum(dtype == pl.Int64 for dtype in frame.dtypes) >= 10
    path = tmp_path / "responses.parquet"
    frame.write_parquet(path)
    code, out, err = _score(str(path), "--by", "role", "-f", "json")
    assert code == 0, err
    from_csv = _score(str(RESPONSES), "--by", "role", "-f", "json")[1]
    drop = ("sources", "seal")  # the seal covers the sources
    assert ({k: v for k, v in json.loads(out).items() if k not in drop}
            == {k: v for k, v in json.loads(from_csv).items() if k not in drop})


def test_a_broken_parquet_file_is_a_clean_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.parquet"
    path.write_bytes(b"PAR1" + b"\x00" * 50)
    code, _, err = _score(str(path))
    assert code == 1 and "Traceback" not in err
    assert err.startswith(f"{path}: not a readable Parquet file: ")


def test_a_bad_answer_in_parquet_is_located_by_row(tmp_path: Path) -> None:
    path = tmp_path / "r.parquet"
    frame = pl.read_csv(RESPONSES, infer_schema=False)
    frame.with_columns(pl.when(pl.int_range(pl.len()) == 4).then(pl.lit("Sort of"))
                       .otherwise(pl.col("basics-3")).alias("basics-3")).write_parquet(path)
    code, _, err = _score(str(path))
    assert code == 1
    assert err.startswith(f"{path}:5: column 'basics-3': unknown answer 'Sort of' for the "
                          "agreement scale")


# --- R's write.csv of psychTools' bfi, as it comes ---------------------------------------------

BFI_KEYS = {"agreeableness": ("A", ["A1"]), "conscientiousness": ("C", ["C4", "C5"]),
            "extraversion": ("E", ["E1", "E2"]), "neuroticism": ("N", []),
            "openness": ("O", ["O2", "O5"])}

BFI_SET = """\
schema_version: 1
id: bfi
title: Big Five Inventory (psychTools bfi)
version: "1"
scales:
  accuracy:
    options:
      - {value: 1, label: Very inaccurate}
      - {value: 2, label: Moderately inaccurate}
      - {value: 3, label: Slightly inaccurate}
      - {value: 4, label: Slightly accurate}
      - {value: 5, label: Moderately accurate}
      - {value: 6, label: Very accurate}
bands:
  - {id: low, label: Low, from: 0}
  - {id: high, label: High, from: 50}
respondent:
  - {id: gender, prompt: Gender}
  - {id: education, prompt: Education}
  - {id: age, prompt: Age}
"""

R_SCRIPT = """\
suppressMessages({library(psychTools); library(psych)})
args <- commandArgs(trailingOnly = TRUE)
data(bfi, package = "psychTools")
write.csv(bfi, args[1])
keys <- list(A = "A1", C = c("C4", "C5"), E = c("E1", "E2"), N = character(0),
             O = c("O2", "O5"))
out <- list()
for (trait in names(keys)) {
  items <- bfi[, paste0(trait, 1:5)]
  complete <- na.omit(items)
  a <- if (length(keys[[trait]])) psych::alpha(complete, keys = keys[[trait]])
       else psych::alpha(complete)
  # A principle's item figures are over the people scored on it (3 of 5 answered).
  scored <- items[rowSums(!is.na(items)) >= 3, ]
  out[[trait]] <- list(alpha = a$total$raw_alpha, alpha_n = nrow(complete),
                       means = as.list(colMeans(scored, na.rm = TRUE)),
                       n = as.list(colSums(!is.na(scored))))
}
cat(jsonlite_free <- paste0("{", paste(sprintf('"%s": {"alpha": %.15g, "alpha_n": %d, %s}',
  names(out), sapply(out, `[[`, "alpha"), sapply(out, `[[`, "alpha_n"),
  sapply(out, function(t) paste0('"means": {', paste(sprintf('"%s": %.15g', names(t$means),
  unlist(t$means)), collapse = ", "), '}, "n": {', paste(sprintf('"%s": %d', names(t$n),
  unlist(t$n)), collapse = ", "), "}"))), collapse = ", "), "}"), file = args[2])
"""


@pytest.fixture(scope="module")
def bfi(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """R writes bfi with write.csv's defaults (row names, NA) and psych's reference figures;
    the data is made here, never committed."""
    rscript = shutil.which("Rscript")
    if rscript is None:
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail("Rscript is not installed, and CI is set")
        pytest.skip("R is not installed (apt-get install r-base-core r-cran-psychtools)")
    folder = tmp_path_factory.mktemp("bfi")
    script = folder / "bfi.R"
    script.write_text(R_SCRIPT, encoding="utf-8")
    csv, reference = folder / "bfi.csv", folder / "reference.json"
    subprocess.run([rscript, str(script), str(csv), str(reference)], check=True,
                   capture_output=True, timeout=120)
    return csv, json.loads(reference.read_text(encoding="utf-8"))


def _bfi_set(folder: Path) -> Path:
    principles = "".join(f"  - {{id: {p}, name: {p.title()}}}\n" for p in BFI_KEYS)
    questions = "".join(
        f"  - {{id: {letter}{i}, principle: {p}, text: Item {letter}{i}, scale: accuracy"
        f"{', reverse: true' if f'{letter}{i}' in keyed else ''}}}\n"
        for p, (letter, keyed) in BFI_KEYS.items() for i in range(1, 6))
    path = folder / "bfi.yaml"
    path.write_text(BFI_SET + "principles:\n" + principles + "questions:\n" + questions,
                    encoding="utf-8")
    return path


def test_r_write_csv_of_bfi_scores_without_editing(bfi: tuple[Path, dict[str, Any]],
                                                   tmp_path: Path) -> None:
    csv, reference = bfi
    header = csv.read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith('"","A1","A2"') and ",NA," in csv.read_text(encoding="utf-8")
    qs = _bfi_set(tmp_path)
    code, out, err = _score(str(csv), "-q", str(qs), "-f", "json", "--by", "gender")
    assert code == 0, err
    assert err == ""  # R's row names: a column without a header, left out
    document = json.loads(out)
    assert document["respondents"] == 2800
    for principle in document["principles"]:
        expected = reference[BFI_KEYS[principle["id"]][0]]
        assert principle["alpha"] == pytest.approx(expected["alpha"], abs=1e-9)
        assert principle["alpha_n"] == expected["alpha_n"]
        for item in principle["items"]:
            assert item["mean"] == pytest.approx(expected["means"][item["key"]], abs=1e-9)
            assert item["n"] == expected["n"][item["key"]]
    from_api = leadlens.score(csv, qs, by="gender")
    assert from_api.principles == leadlens.Results.model_validate(document).principles
