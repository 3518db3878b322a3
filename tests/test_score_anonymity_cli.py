"""`leadlens score` options that keep respondents anonymous, as a user runs them."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from leadlens.cli import app
from leadlens.responses.table import FieldValues
from leadlens.scoring.groups import group_respondents, near_duplicates
from test_score_cli import QUESTION_SET

runner = CliRunner()


def write(folder: Path, rows: list[str]) -> Path:
    (folder / "set.yaml").write_text(QUESTION_SET, encoding="utf-8")
    path = folder / "responses.csv"
    path.write_text("\n".join(["respondent_id,organisation,role,b1,b2,story", *rows]) + "\n",
                    encoding="utf-8")
    return path


def score(folder: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["score", str(folder / "responses.csv"), "--question-set",
                                 str(folder / "set.yaml"), *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def board(tmp_path: Path) -> Path:
    rows = [f"r{i},North Riverside ICB,Board,5,1,story {i}" for i in range(4)]
    rows += ["r4,North Riverside ICB.,Board,4,2,", "r5,NR ICB,Staff,3,3,",
             "r6,Beta Council,Staff,2,4,beta story", "r7,Beta Council,Staff,1,5,",
             "r8,Beta Council,Staff,2,4,", "r9,north riverside icb,Staff,4,2,"]
    write(tmp_path, rows)
    return tmp_path


def test_scores_csv_without_respondent_fields(board: Path) -> None:
    code, out, err = score(board, "--format", "csv", "--scores-fields", "none")
    assert code == 0, err
    header = next(csv.reader(io.StringIO(out)))
    assert header == ["basics", "overall"]
    code, out, _ = score(board, "--format", "csv", "--scores-fields", "large")
    # role: Board 5, Staff 5 (both at least 3); organisation has groups of one.
    assert next(csv.reader(io.StringIO(out))) == ["role", "basics", "overall"]
    code, out, _ = score(board, "--format", "csv")
    assert next(csv.reader(io.StringIO(out)))[:3] == ["respondent_id", "organisation", "role"]
    code, _, err = score(board, "--format", "csv", "--scores-fields", "some")
    assert code == 2 and "--scores-fields 'some'" in err


@pytest.mark.parametrize("fields", ["none", "large"])
def test_scores_csv_without_ids_says_nothing_of_the_input_order(board: Path,
                                                                 fields: str) -> None:
    """Rows in input order would match each one to its line of the responses (or of the
    platform's export, in submission order): without ids they are sorted."""
    _, first, _ = score(board, "--format", "csv", "--scores-fields", fields)
    path = board / "responses.csv"
    header, *rows = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([header, *reversed(rows)]) + "\n", encoding="utf-8")
    _, second, _ = score(board, "--format", "csv", "--scores-fields", fields)
    assert first == second
    body = list(csv.reader(io.StringIO(first)))[1:]
    assert body == sorted(body) and len(body) == 10
    _, kept, _ = score(board, "--format", "csv")
    assert [row[0] for row in list(csv.reader(io.StringIO(kept)))[1:]] == \
        [f"r{i}" for i in reversed(range(10))]  # with ids: the input's order, as documented


def test_near_duplicate_groups_are_warned_about_and_aliases_merge_them(board: Path) -> None:
    code, _, err = score(board, "--by", "organisation", "--format", "json")
    assert code == 0
    assert ("responses.csv:2: warning: --by organisation: 'North Riverside ICB' (lines 2, 3, "
            "4, 5), 'north riverside icb' (line 11), 'North Riverside ICB.' (line 6), 'NR ICB' "
            "(line 7) may be one group written differently") in err
    (board / "aliases.yaml").write_text(
        "organisation:\n  North Riverside ICB: [NR ICB, North Riverside ICB.]\n",
        encoding="utf-8")
    code, out, err = score(board, "--by", "organisation", "--format", "json",
                           "--group-aliases", str(board / "aliases.yaml"))
    assert code == 0, err
    assert "may be one group" not in err
    groups = json.loads(out)["groups"]["organisation"]["groups"]
    assert [(g["value"], g["n"]) for g in groups] == [("Beta Council", 3),
                                                      ("North Riverside ICB", 7)]


def test_a_bad_alias_file_is_one_located_line_per_problem(board: Path) -> None:
    (board / "aliases.yaml").write_text("organsation:\n  X: [Y]\nrole:\n  Board: 3\n",
                                        encoding="utf-8")
    code, out, err = score(board, "--group-aliases", str(board / "aliases.yaml"))
    assert code == 1 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 2 and all(line.startswith(f"{board / 'aliases.yaml'}") for line in lines)
    assert "'organsation' is not a respondent field" in err
    assert "Did you mean 'organisation'? Use one of: " in err
    assert "expected a list of spellings" in err
    assert "Traceback" not in err


def test_comments_can_be_listed_and_withheld_by_id(board: Path) -> None:
    code, out, err = score(board, "--list-comments")
    assert code == 0, err
    listing = dict(line.split("  ", 1) for line in out.strip().splitlines())
    assert sorted(listing.values()) == sorted([*(f"story {i}" for i in range(4)),
                                               "beta story"])
    assert all(key.startswith("story-") for key in listing)
    chosen = next(k for k, v in listing.items() if v == "story 2")
    (board / "withhold.txt").write_text(f"# names a colleague\n{chosen}\nstory-00000000\n",
                                        encoding="utf-8")
    code, out, err = score(board, "--format", "json", "--withhold-comments",
                           str(board / "withhold.txt"))
    assert code == 0
    assert f"{board / 'withhold.txt'}:3: warning: no comment has the id 'story-00000000'" in err
    comments = json.loads(out)["comments"]["story"]
    assert "story 2" not in comments and sorted(comments) == [
        "beta story", "story 0", "story 1", "story 3"]
    # The listing is for the facilitator: no report or document carries the ids.
    code, out, _ = score(board, "--format", "json")
    assert chosen not in out


def test_comments_need_enough_people_commenting_not_only_answering(tmp_path: Path) -> None:
    rows = [f"r{i},Acme,Board,4,2," for i in range(8)] + ["r8,Acme,Board,4,2,mine",
                                                         "r9,Acme,Board,4,2,theirs"]
    write(tmp_path, rows)
    code, out, _ = score(tmp_path, "--format", "json")
    document = json.loads(out)
    assert code == 0 and document["respondents"] == 10
    assert document["comments"] == {}
    assert "fewer than 3 people commented" in document["comments_withheld"]


def test_a_workshop_of_two_gets_a_clear_message_not_each_persons_answers(
        tmp_path: Path) -> None:
    write(tmp_path, ["r1,Acme,Board,5,1,mine", "r2,Acme,Board,1,5,theirs"])
    code, out, _ = score(tmp_path)
    assert code == 0
    assert "Only 2 people responded, fewer than the 3 needed" in out
    assert "100" not in out and "mine" not in out
    for fmt in ("md", "html"):
        code, out, err = score(tmp_path, "--format", fmt)
        assert code == 0, err
        assert "No figures are published." in out
        assert "mine" not in out and "theirs" not in out
        assert "Option 5" not in out


def test_the_display_spelling_is_the_most_frequent_over_every_file() -> None:
    # Two files' labels concatenated: "North Trust" twice in each, "north trust" three times.
    values = FieldValues.from_strings(["North Trust", "North Trust", "north trust",
                                       "north trust", "north trust", "North Trust",
                                       "North Trust"])
    split = FieldValues(values.codes.copy(), [*values.labels])
    split.labels.append("North Trust")  # the second file's copy of the same spelling
    split.codes[5:] = len(split.labels) - 1
    assert group_respondents("org", split).values == ["North Trust"]


def test_near_duplicates_are_found_by_letters_initials_and_typos() -> None:
    grouping = group_respondents("org", FieldValues.from_strings(
        ["North Riverside ICB", "North Riverside ICB.", "NR ICB", "Riverside Council",
         "Riverside Councl", "Beta", "Gamma"]))
    found = [[grouping.values[i] for i in c] for c in near_duplicates(grouping)]
    assert found == [["North Riverside ICB", "North Riverside ICB.", "NR ICB"],
                     ["Riverside Council", "Riverside Councl"]]


def test_a_raised_threshold_is_named_as_the_options_not_the_question_sets(
        board: Path) -> None:
    code, out, _ = score(board, "--min-group-size", "50")
    assert code == 0
    assert "Only 10 people responded, fewer than the 50 needed" in out
    assert "(--min-group-size raised the threshold; the question set's " \
        "scoring.min_group_size is the least it may be)" in " ".join(out.split())
    assert "sets the threshold" not in out
