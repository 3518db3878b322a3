"""Claims in the docs that the tester found wrong (F19), checked against what the code does."""

from __future__ import annotations

import re

import polars as pl
import pytest

import leadlens
from conftest import REPO
from leadlens.cli.score import SCORE_FORMATS
from leadlens.questionset.loading import load_question_set

DOCS = REPO / "docs"


def test_scoring_docs_list_every_score_format() -> None:
    text = (DOCS / "scoring.md").read_text(encoding="utf-8")
    listed = re.search(r"`--format ([a-z|]+)`", text)
    assert listed is not None
    assert listed.group(1).split("|") == list(SCORE_FORMATS.names)


def _rows(complete: int, partial: int) -> pl.DataFrame:
    qs = load_question_set("ggi-systems-leadership")
    basics = [k for q in qs.questions if q.principle == "basics" for k in q.answer_keys]
    rows = []
    for i in range(complete + partial):
        row = {"respondent_id": f"R{i}", **dict.fromkeys(qs.answer_keys(), None)}
        row.update(dict.fromkeys(basics, 1 + i % 5))
        if i >= complete:
            row[basics[0]] = None  # skipped one question of the principle
        rows.append(row)
    return pl.DataFrame(rows, schema=dict.fromkeys(rows[0], pl.Int64) | {"respondent_id": pl.Utf8})


@pytest.mark.parametrize(("complete", "shown"), [(4, False), (5, True)])
def test_room_agreement_needs_the_threshold_of_complete_respondents(complete: int,
                                                                    shown: bool) -> None:
    """docs/workshop.md: rwg(j) and AD_M are shown only from min_group_size (5 here) people
    who answered every question of the principle; four more who skipped one do not count."""
    results = leadlens.score(_rows(complete, 4), allow_missing_questions=True)
    basics = next(p for p in results.principles if p.id == "basics")
    assert basics.n == complete + 4
    assert (basics.rwg_j is not None, basics.agreement_n) == \
        (shown, complete if shown else None)
    text = " ".join((DOCS / "workshop.md").read_text(encoding="utf-8").split())
    assert "not shown while fewer than the threshold (`min_group_size`) have answered " \
           "*every* question of the principle" in text
    assert "fewer than two people answered every question" not in text


def test_small_figures_is_not_claimed_for_the_public_api() -> None:
    with pytest.raises(TypeError):
        leadlens.score(_rows(5, 0), allow_missing_questions=True,
                       small_figures=True)
    text = (DOCS / "scoring.md").read_text(encoding="utf-8")
    assert "The API's `score(..., small_figures=True)`" not in text
    assert "not by the public `leadlens.score`" in " ".join(text.split())


def test_the_agreed_file_example_names_the_bundled_version() -> None:
    text = (DOCS / "workshop.md").read_text(encoding="utf-8")
    version = load_question_set("ggi-systems-leadership").version
    assert f"question_set_version: {version} " in text
