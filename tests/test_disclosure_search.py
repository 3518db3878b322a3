"""Which groups are hidden depends on what a reader can tell apart, never on their names, and
a pick that leads nowhere is taken back (tester: nest_XYZW.csv and nest_AYZW.csv).

Organisations X (6) and Y (2) in NHS trust, Z (7) and W (6) in Local authority, threshold 5:
Y is hidden, and then one more organisation of 6. Hiding W left Y recoverable as NHS trust
minus X, then W as Local authority minus Z, and the whole breakdown was withheld with a
message saying that every way of showing it was unsafe; renamed A, the same data hid A and
Y and showed W and Z.
"""

from __future__ import annotations

import itertools
import json
import os
from pathlib import Path
from random import Random

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from leadlens.cli import app
from leadlens.responses.table import IntArray
from leadlens.scoring.disclosure import Protection, atoms_of, protect
from test_score_cli import QUESTION_SET

runner = CliRunner()
NEST = QUESTION_SET.replace("min_group_size: 3", "min_group_size: 5").replace(
    "{id: role, prompt: Role}", "{id: sector, prompt: Sector}")


def nest_csv(folder: Path, first: str) -> Path:
    """The tester's file: ``first`` (6) and Y (2) in NHS trust, Z (7) and W (6) in Local
    authority; answers that differ from one respondent to the next."""
    (folder / "set.yaml").write_text(NEST, encoding="utf-8")
    members = [(first, "NHS trust")] * 6 + [("Y", "NHS trust")] * 2 + \
        [("Z", "Local authority")] * 7 + [("W", "Local authority")] * 6
    lines = ["respondent_id,organisation,sector,b1,b2,story"]
    lines += [f"R{i:03d},{o},{s},{1 + i % 5},{1 + (i * 3) % 5}," for i, (o, s)
              in enumerate(members)]
    path = folder / f"nest_{first}YZW.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_renaming_an_organisation_publishes_the_same_groups(tmp_path: Path) -> None:
    published = {}
    for first in ("X", "A"):
        path = nest_csv(tmp_path, first)
        result = runner.invoke(app, ["score", str(path), "--question-set",
                                     str(tmp_path / "set.yaml"), "--by", "organisation",
                                     "--by", "sector", "--format", "json"])
        assert result.exit_code == 0, result.stderr
        document = json.loads(result.stdout)
        organisations = document["groups"]["organisation"]
        assert organisations["withheld"] is None, organisations["withheld"]
        sector = {first: "NHS trust", "Y": "NHS trust", "Z": "Local authority",
                  "W": "Local authority"}
        published[first] = sorted(
            (sector[g["value"]], g["n"] or 0, g["suppressed_reason"] or "")
            for g in organisations["groups"])
        assert [(g["value"], g["n"]) for g in document["groups"]["sector"]["groups"]] == \
            [("Local authority", 13), ("NHS trust", 8)]
    # W and Z shown; the NHS trust's two hidden together (8 as at least 5 and 1 to 4).
    assert published["X"] == published["A"] == [
        ("Local authority", 6, ""), ("Local authority", 7, ""),
        ("NHS trust", 0, "complement"), ("NHS trust", 0, "small")]


def nested(sizes: list[int], parents: list[list[int]]) -> tuple[IntArray, IntArray]:
    """Atoms and their counts: organisation ``o`` of ``sizes[o]``, in group
    ``parents[k][...]`` of each coarser breakdown (each a function of the one before)."""
    codes = [np.repeat(np.arange(len(sizes)), sizes)]
    for parent in parents:
        codes.append(np.asarray(parent)[codes[-1]])
    atom_of, groups = atoms_of([c.astype(np.int32) for c in codes])
    return groups, np.bincount(atom_of, minlength=groups.shape[0])


def renamed(groups: IntArray, counts: IntArray, names: list[list[int]]
            ) -> tuple[IntArray, IntArray]:
    """The same atoms, group ``g`` of breakdown ``k`` called ``names[k][g]``: atoms_of numbers
    groups in the order of their names, so renaming permutes the numbers (and the atoms)."""
    again = np.column_stack([np.asarray(n)[groups[:, k]] for k, n in enumerate(names)])
    order = np.lexsort(again.T[::-1])
    return again[order], counts[order]


def pattern(protection: Protection, groups: IntArray, counts: IntArray,
            sizes: list[int]) -> list[list[tuple[int, str]]]:
    """Per breakdown, its groups' (size, reason) in size order: what renaming must keep."""
    return [sorted((int(np.sum(counts[groups[:, k] == g])), reasons[g] or "")
                   for g in range(size))
            for k, (size, reasons) in enumerate(zip(sizes, protection.reasons, strict=True))]


def test_every_naming_of_the_testers_organisations_hides_the_same() -> None:
    # X, Y, Z, W numbered 0-3 in the NHS trust (0) and Local authority (1).
    groups, counts = nested([6, 2, 7, 6], [[0, 0, 1, 1]])
    found = set()
    for names in itertools.permutations(range(4)):
        for sectors in ([0, 1], [1, 0]):
            atoms, sized = renamed(groups, counts, [list(names), sectors])
            protection = protect(atoms, sized, [4, 2], 5)
            assert protection.withheld == [False, False]
            found.add(str(pattern(protection, atoms, sized, [4, 2])))
    assert len(found) == 1, found


@st.composite
def hierarchies(draw: st.DrawFn) -> tuple[list[int], list[list[int]], int]:
    """Two to eight organisations of 1 to 9, nested in sectors, sometimes sectors in regions."""
    organisations = draw(st.integers(2, 8))
    sizes = draw(st.lists(st.integers(1, 9), min_size=organisations, max_size=organisations))
    parents = []
    width = organisations
    for _ in range(draw(st.integers(1, 2))):
        coarser = draw(st.integers(1, max(1, width - 1)))
        parent = draw(st.lists(st.integers(0, coarser - 1), min_size=width, max_size=width))
        parent = np.unique(parent, return_inverse=True)[1].tolist()  # every group occurs
        parents.append(parent)
        width = max(parent) + 1
    return sizes, parents, draw(st.integers(3, 5))


@settings(max_examples=int(os.environ.get("LEADLENS_DISCLOSURE_EXAMPLES", "200")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(hierarchies(), st.randoms(use_true_random=False))
def test_renaming_groups_never_changes_what_is_published(
        case: tuple[list[int], list[list[int]], int], random: Random) -> None:
    sizes, parents, m = case
    groups, counts = nested(sizes, parents)
    widths = [int(groups[:, k].max()) + 1 for k in range(groups.shape[1])]
    before = protect(groups, counts, widths, m)
    names = [random.sample(range(width), width) for width in widths]
    atoms, sized = renamed(groups, counts, names)
    after = protect(atoms, sized, widths, m)
    assert after.withheld == before.withheld
    assert pattern(after, atoms, sized, widths) == pattern(before, groups, counts, widths)
    # Published groups alone: how many, per breakdown.
    assert [sum(r is None for r in rs) for rs in after.reasons] == \
        [sum(r is None for r in rs) for rs in before.reasons]


@pytest.mark.parametrize("alternatives", [0, 24])
def test_a_pick_that_leads_to_a_withheld_breakdown_is_taken_back(
        alternatives: int, monkeypatch: pytest.MonkeyPatch) -> None:
    # North = Acme 6 + Tiny 1, South = Beta 5 + Gamma 7. The smallest organisation to hide
    # with Tiny is Beta: then North minus Acme is Tiny, Acme is hidden too, and South minus
    # Gamma gives Beta; only hiding every organisation would do. Taken back, Acme is hidden
    # with Tiny instead (7 in North: 6 and 1, or 5 and 2) and Beta and Gamma shown.
    monkeypatch.setattr("leadlens.scoring.disclosure.ALTERNATIVES", alternatives)
    groups, counts = nested([6, 5, 7, 1], [[0, 1, 1, 0]])
    protection = protect(groups, counts, [4, 2], 5)
    if alternatives:
        assert protection.reasons == [["complement", None, None, "small"], [None, None]]
        assert protection.withheld == [False, False]
    else:
        assert protection.withheld == [True, False]


def test_a_withheld_breakdown_says_no_safe_way_was_found(tmp_path: Path) -> None:
    # North = Acme 5 + Tiny 1: hidden together they could only be 5 and 1, and nothing else
    # tried is safe. The search is bounded, so the message claims no more than that.
    (tmp_path / "set.yaml").write_text(NEST, encoding="utf-8")
    members = [("Acme", "North")] * 5 + [("Tiny", "North")] + [("Beta", "South")] * 5 + \
        [("Gamma", "South")] * 7
    lines = ["respondent_id,organisation,sector,b1,b2,story"]
    lines += [f"R{i:03d},{o},{s},{1 + i % 5},{1 + (i * 3) % 5}," for i, (o, s)
              in enumerate(members)]
    (tmp_path / "r.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for form in ("json", "table"):
        result = runner.invoke(app, ["score", str(tmp_path / "r.csv"), "--question-set",
                                     str(tmp_path / "set.yaml"), "--by", "organisation",
                                     "--by", "sector", "--format", form])
        assert result.exit_code == 0, result.stderr
        text = " ".join(result.stdout.split())
        assert "no safe way of showing its groups was found" in text
        assert "every way" not in text
        if form == "json":
            document = json.loads(result.stdout)
            assert document["groups"]["organisation"]["groups"] == []
            steps = [s["text"] for s in document["disclosure"]["steps"]
                     if s["reason"] == "withheld"]
            assert steps and all("was found" in s for s in steps)
