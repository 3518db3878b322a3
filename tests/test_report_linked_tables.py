"""`leadlens report` re-applies the disclosure control to a results document it is given.

Within one breakdown it checks the figures themselves. Whether several breakdowns can be
shown together depends on who is in which group of each, which a results document never
holds; so a document that ``score`` did not seal as it is (changed, or made by something
else) keeps only its first breakdown, in every format.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import leadlens
from leadlens.cli import app
from leadlens.report.writers import results_json
from test_score_cli import QUESTION_SET

runner = CliRunner()
# The attack: North = Acme (6) + Tiny (1); South = Beta (6) + Gamma (7).
PEOPLE = ([("North", "Acme", 5, 1)] * 6 + [("North", "Tiny", 1, 5)]
          + [("South", "Beta", 3, 3)] * 6 + [("South", "Gamma", 4, 2)] * 7)
SET = QUESTION_SET.replace("  - {id: role, prompt: Role}", "  - {id: sector, prompt: Sector}")
SET = SET.replace("min_group_size: 3", "min_group_size: 5")


def write(folder: Path, people: list[tuple[str, str, int, int]]) -> Path:
    lines = ["respondent_id,organisation,sector,b1,b2,story"]
    lines += [f"r{i},{o},{s},{a},{b}," for i, (s, o, a, b) in enumerate(people)]
    path = folder / "r.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "set.yaml").write_text(SET, encoding="utf-8")
    write(tmp_path, PEOPLE)
    return tmp_path


def document(folder: Path, *by: str) -> dict[str, Any]:
    results = leadlens.score(folder / "r.csv", folder / "set.yaml", by=list(by))
    loaded: dict[str, Any] = json.loads(results_json(results))
    return loaded


def one_breakdown_at_a_time(folder: Path) -> dict[str, Any]:
    """What a tool applying the rules to each breakdown alone would publish: Tiny hidden,
    Beta hidden to protect it (6 hidden: Beta 5 or 6, Tiny 1 or 2), Acme and Gamma shown,
    and the sectors beside them. Each organisation's figures are its own members'."""
    spliced = document(folder, "sector")
    write(folder, [p for p in PEOPLE if p[1] != "Tiny"])
    organisations = document(folder, "organisation")["groups"]["organisation"]
    write(folder, PEOPLE)
    for group in organisations["groups"]:
        if group["value"] == "Beta":
            group.update(n=None, n_text="not shown (protects a smaller group)",
                         suppressed=True, suppressed_reason="complement", overall=None,
                         overall_band=None, principles=[], comments={})
    organisations["groups"].append({"value": "Tiny", "n": None, "n_text": "fewer than 5",
                                    "suppressed": True, "suppressed_reason": "small"})
    spliced["by"] = ["sector", "organisation"]
    spliced["groups"]["organisation"] = organisations
    return spliced


def report(path: Path, fmt: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["report", str(path), "--format", fmt, "-o", "-"])
    return result.exit_code, result.stdout, result.stderr


def test_score_withholds_the_organisations_but_a_spliced_document_reveals_tiny(
        folder: Path) -> None:
    both = document(folder, "sector", "organisation")
    shown = {g["value"] for b in both["groups"].values() for g in b["groups"]
             if not g["suppressed"]}
    assert not {"North", "Acme"} <= shown  # score's linked-table control
    spliced = one_breakdown_at_a_time(folder)
    groups = {g["value"]: g for b in spliced["groups"].values() for g in b["groups"]}
    north, acme = groups["North"], groups["Acme"]
    assert groups["Tiny"]["suppressed"] and not acme["suppressed"]
    recovered = (north["n"] * north["principles"][0]["score"]
                 - acme["n"] * acme["principles"][0]["score"])
    assert recovered == pytest.approx(0.0)  # Tiny's own score (1 and a reverse-keyed 5)
    path = folder / "spliced.json"
    path.write_text(json.dumps(spliced), encoding="utf-8")
    for fmt in ("md", "html"):
        code, out, err = report(path, fmt)
        assert code == 0, err
        assert "warning: seal: only the breakdown by 'sector' is shown " \
               "('organisation' withheld)" in err
        assert "Acme" not in out and "Gamma" not in out and "North" in out
        assert "cannot be checked" in out


def test_a_document_as_score_wrote_it_keeps_every_breakdown(folder: Path) -> None:
    write(folder, [p for p in PEOPLE if p[1] != "Tiny"])  # both breakdowns can be shown
    path = folder / "r.json"
    sealed = document(folder, "sector", "organisation")
    assert not any(b["withheld"] for b in sealed["groups"].values())
    path.write_text(json.dumps(sealed), encoding="utf-8")
    code, out, err = report(path, "md")
    assert code == 0 and "warning" not in err and "Acme" in out and "North" in out
    # Any change breaks the seal, even a harmless-looking one.
    sealed["groups"]["sector"]["groups"][0]["n_text"] = "six"
    path.write_text(json.dumps(sealed), encoding="utf-8")
    code, out, err = report(path, "md")
    assert code == 0 and "only the breakdown by 'sector' is shown" in err
    assert "Acme" not in out


def test_one_breakdown_whose_hidden_sizes_are_pinned_is_refused(folder: Path) -> None:
    # 20 people: Acme 6 and Gamma 7 shown, Beta "protects another" (at least 5) and Tiny
    # "fewer than 5" share 7: with Beta at 6, say, the edit below gives Beta 5, Tiny 1 in 6.
    made = one_breakdown_at_a_time(folder)
    made["by"] = ["organisation"]
    made["groups"] = {"organisation": made["groups"]["organisation"]}
    made["respondents"] = 19  # one fewer overall: the hidden two must hold 6
    path = folder / "r.json"
    path.write_text(json.dumps(made), encoding="utf-8")
    code, _, err = report(path, "md")
    assert code == 1
    assert "the size of hidden group(s) 'Beta', 'Tiny' can be worked out" in err
    made["respondents"] = 20  # 7 hidden: Beta 5 or 6, Tiny 2 or 1
    path.write_text(json.dumps(made), encoding="utf-8")
    code, _, err = report(path, "md")
    assert code == 0, err


def test_figures_of_too_few_are_refused_whatever_made_the_document(tmp_path: Path) -> None:
    # The scoring core's small_figures (a participant's own summary) publishes whole-survey
    # figures below the threshold; no command offers it, and report refuses what it makes.
    from leadlens.questionset.loading import load_question_set
    from leadlens.responses.reading import read_responses
    from leadlens.scoring import score

    (tmp_path / "set.yaml").write_text(SET, encoding="utf-8")
    path = write(tmp_path, PEOPLE[:3])  # three people, threshold 5
    qs = load_question_set(tmp_path / "set.yaml")
    small = score(qs, read_responses([path], qs), small_figures=True).results
    assert small.principles[0].score is not None  # what small_figures is for
    out = tmp_path / "small.json"
    out.write_text(results_json(small), encoding="utf-8")  # sealed: that does not help
    code, stdout, err = report(out, "md")
    assert code == 1 and stdout == ""
    assert "principles[0]: a figure resting on 3 respondents, fewer than the threshold " \
           "(5), is published" in err
