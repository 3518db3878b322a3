"""Issue 10: the attacker's two leaks in ``leadlens compare`` / ``leadlens trend``, replayed on
what a user gets (the JSON document written by the CLI), with the attacker's arithmetic.

L1: the same 30 ids answer both waves and one person changes one answer. The item was
withheld, but the principle was compared: from each wave's n, score and sd, its total
``T = n * score`` and sum of squares ``Q = (n - 1) * sd**2 + n * score**2`` give the changer's
two scores exactly (55 -> 60); the withheld item's change is the principle's minus the shown
items'; with two changers the paired test's mean and sd give both changes.

L4: a cumulative export (wave B = wave A unchanged plus joiners: 1 in Alpha, 5 in Beta, 4 in
Gamma, 5 in Zeta; Alpha and Beta in sector S1) compared by organisation and sector: Alpha was
withheld, Beta and S1 shown, and S1's change minus Beta's was the one joiner's scores.
"""

from __future__ import annotations

import copy
import csv
import json
import random
import shutil
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from leadlens.cli import app

runner = CliRunner()
HEADER = (Path(__file__).resolve().parents[1] / "examples" / "responses.csv").read_text(
    encoding="utf-8").splitlines()[0].split(",")
ITEMS = [h for h in HEADER if h not in ("respondent_id", "submitted_at", "organisation",
                                         "sector", "role", "story-1", "story-2", "comment-1")]
THRESHOLD = 5  # the bundled question set's min_group_size


def _row(rid: str, org: str, sector: str, rng: random.Random) -> dict[str, str]:
    """One respondent as the attacker's gen.py made them: every rating answered."""
    row = dict.fromkeys(HEADER, "")
    row.update(respondent_id=rid, submitted_at="2026-03-04T10:00:00+00:00",
               organisation=org, sector=sector, role="Exec")
    for item in ITEMS:
        row[item] = str(rng.randint(0, 4) if item.startswith("icb") else rng.randint(1, 5))
    return row


def _write(path: Path, rows: list[dict[str, str]]) -> str:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=HEADER)
        writer.writeheader()
        writer.writerows(rows)
    return str(path)


def _run(tmp_path: Path, command: str, *args: str) -> dict[str, Any]:
    out = tmp_path / f"{command}.json"
    result = runner.invoke(app, [command, *args, "-o", str(out), "--force", "--quiet"])
    assert result.exit_code == 0, result.stderr
    found: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return found


def _thirty(seed: int) -> list[dict[str, str]]:
    rng = random.Random(seed)
    return [_row(f"P{k:03d}", ["Alpha", "Beta", "Gamma"][k % 3], "S1", rng) for k in range(30)]


def _totals(side: dict[str, Any]) -> tuple[float, float]:
    """A wave's total and sum of squares of a figure, from its n, score and sd."""
    n, score, sd = side["n"], side["score"], side["sd"]
    return n * score, (n - 1) * sd ** 2 + n * score ** 2


def _one_changer(change: dict[str, Any]) -> tuple[float, float] | None:
    """The attacker's recover_c6.py: if one person changed, their two scores."""
    s1, q1 = _totals(change["baseline"])
    s2, q2 = _totals(change["followup"])
    d_sum, d_squares = s2 - s1, q2 - q1
    if abs(d_sum) < 1e-9:
        return None
    before = (d_squares - d_sum ** 2) / (2 * d_sum)
    return before, before + d_sum


def _basics_blocks(doc: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    blocks = [("whole", c) for c in doc["principles"] if c["id"] == "basics"]
    for breakdown in doc["groups"].values():
        for group in breakdown["groups"]:
            blocks += [(group["value"], c) for c in group["changes"] if c["id"] == "basics"]
    return blocks


def _l1_waves(tmp_path: Path) -> tuple[str, str]:
    """The attacker's w6.py: one person's basics-1 goes from neutral to favourable."""
    base = _thirty(15)
    base[0]["basics-1"] = "3"
    later = copy.deepcopy(base)
    later[0]["basics-1"] = "4"
    return _write(tmp_path / "w6A.csv", base), _write(tmp_path / "w6B.csv", later)


def test_l1_one_persons_changed_answer_is_not_their_two_principle_scores(
        tmp_path: Path) -> None:
    first, second = _l1_waves(tmp_path)
    doc = _run(tmp_path, "compare", first, second, "--by", "organisation")
    assert doc["linked"] == 30
    # On main: whole and Alpha both gave "55.0000 -> 60.0000", paired t = 1.0.
    recovered = {name: _one_changer(c) for name, c in _basics_blocks(doc)}
    assert all(r is None for r in recovered.values()), recovered
    steps = {w["what"]: w["reason"] for w in doc["withheld"]}
    for what in ("principle Understanding the basics", "the overall score",
                 "organisation Alpha: Understanding the basics"):
        assert steps[what] == ("fewer than 5 people's scores changed between the waves "
                               "(joined, left, or answered differently), so the difference "
                               "could reveal their answers")
    assert "1 " not in " ".join(steps.values())  # never the hidden size
    # The principles nobody changed are still compared (difference 0, no test).
    assert {c["id"] for c in doc["principles"]} == {
        "context", "influencing", "complexity", "adaptive", "narrative"}


def test_l1_a_withheld_question_is_not_its_principle_minus_the_others(
        tmp_path: Path) -> None:
    """The attacker's w3.py and recover_c3.py: basics-1 withheld, basics compared; the
    principle's change of total minus the four shown questions' was basics-1's (1 step)."""
    base = _thirty(12)
    later = copy.deepcopy(base)
    later[0]["icb-1@current"] = str((int(base[0]["icb-1@current"]) + 2) % 5)
    later[0]["basics-1"] = str(int(base[0]["basics-1"]) % 5 + 1)
    doc = _run(tmp_path, "compare", _write(tmp_path / "w3A.csv", base),
               _write(tmp_path / "w3B.csv", later))
    assert "basics-1" not in {i["key"] for i in doc["items"]}
    assert _basics_blocks(doc) == []  # on main: compared, paired t = 1.0 on 30 linked
    assert doc["overall"] is None


def test_l1_two_changers_are_not_the_paired_tests_mean_and_sd(tmp_path: Path) -> None:
    """The attacker's w7.py: two people change; the paired mean and sd over 30 gave both."""
    base = _thirty(16)
    base[0]["basics-1"], base[1]["basics-2"], base[1]["basics-3"] = "2", "1", "2"
    later = copy.deepcopy(base)
    later[0]["basics-1"], later[1]["basics-2"], later[1]["basics-3"] = "4", "2", "5"
    doc = _run(tmp_path, "compare", _write(tmp_path / "w7A.csv", base),
               _write(tmp_path / "w7B.csv", later))
    assert _basics_blocks(doc) == []


def test_l1_the_paired_test_of_few_changers_is_left_out_beside_joiners(
        tmp_path: Path) -> None:
    """One of 30 linked people changes and 6 join: the principle's change set (7) may be
    compared, but its paired test (30 differences, one of them not 0) would give that one
    person's change: Welch instead, and the audit says so."""
    base = _thirty(15)
    base[0]["basics-1"] = "3"
    later = copy.deepcopy(base)
    later[0]["basics-1"] = "4"
    rng = random.Random(99)
    later += [_row(f"J{k:03d}", "Beta", "S1", rng) for k in range(6)]
    doc = _run(tmp_path, "compare", _write(tmp_path / "pA.csv", base),
               _write(tmp_path / "pB.csv", later))
    basics = next(c for c in doc["principles"] if c["id"] == "basics")
    assert basics["test"] is not None and basics["test"]["name"] == "welch"
    steps = {w["what"]: w["reason"] for w in doc["withheld"]}
    assert steps["principle Understanding the basics: the paired test"] == (
        "the paired test is left out (Welch instead): fewer than 5 of the people in both "
        "waves changed their answers, so the paired changes could reveal theirs")


def test_l1_trend_steps_are_not_one_persons_change(tmp_path: Path) -> None:
    first, second = _l1_waves(tmp_path)
    third = str(tmp_path / "w6C.csv")
    shutil.copy(second, third)  # the follow-up again: nobody changed since
    doc = _run(tmp_path, "trend", first, second, third)
    line = next(p for p in doc["principles"] if p["id"] == "basics")
    # On main: steps[0] was paired, t = 1.0 on 30, with both waves' n, score and sd.
    assert [p["withheld"] for p in line["points"]] == [False, True, True]
    assert line["steps"] == [] and line["since_first"] is None
    assert doc["overall"]["steps"] == []
    assert any(w["what"] == "Understanding the basics in wave w6B" for w in doc["withheld"])


def _cumulative(tmp_path: Path, seed: int, re_answer: bool) -> tuple[str, str, set[str]]:
    """The attacker's w2.py (``re_answer``: w8.py, everyone re-answers six questions)."""
    rng = random.Random(seed)
    count = [0]

    def make(n: int, org: str, sector: str, prefix: str = "P") -> list[dict[str, str]]:
        out = []
        for _ in range(n):
            count[0] += 1
            out.append(_row(f"{prefix}{count[0]:03d}", org, sector, rng))
        return out

    base = (make(8, "Alpha", "S1") + make(8, "Beta", "S1") + make(8, "Gamma", "S2")
            + make(8, "Delta", "S2") + make(8, "Zeta", "S2"))
    later = copy.deepcopy(base)
    if re_answer:
        for row in later:
            for item in rng.sample([x for x in ITEMS if not x.startswith("icb")], 6):
                row[item] = str(rng.randint(1, 5))
    joiners = (make(1, "Alpha", "S1", "J") + make(5, "Beta", "S1", "J")
               + make(4, "Gamma", "S2", "J") + make(5, "Zeta", "S2", "J"))
    return (_write(tmp_path / "A.csv", base), _write(tmp_path / "B.csv", later + joiners),
            {r["respondent_id"] for r in joiners})


def _shown(doc: dict[str, Any], field: str, value: str) -> dict[str, dict[str, Any]]:
    group = next(g for g in doc["groups"][field]["groups"] if g["value"] == value)
    return {c["id"]: c for c in group["changes"]}


def test_l4_a_sectors_change_minus_an_organisations_is_not_one_joiner(
        tmp_path: Path) -> None:
    first, second, _ = _cumulative(tmp_path, 11, re_answer=False)
    doc = _run(tmp_path, "compare", first, second, "--by", "organisation", "--by", "sector")
    sectors = {"Alpha": "S1", "Beta": "S1", "Gamma": "S2", "Delta": "S2", "Zeta": "S2"}
    joined = {"Alpha": 1, "Beta": 5, "Gamma": 4, "Delta": 0, "Zeta": 5}
    # Nobody re-answered: a group's change set is its joiners. For every sector and every
    # set of its organisations shown beside it, the rest of the sector must have changed by
    # none or at least the threshold (on main: S1 minus Beta was Alpha's one joiner).
    for sector in ("S1", "S2"):
        whole = _shown(doc, "sector", sector)
        for pid in whole:
            inside = [o for o, s in sectors.items() if s == sector
                      and pid in _shown(doc, "organisation", o)]
            rest = sum(joined[o] for o, s in sectors.items() if s == sector) \
                - sum(joined[o] for o in inside)
            assert rest == 0 or rest >= THRESHOLD, (sector, pid, inside, rest)
    # The attacker's recover_c2.py for S1 and Beta: no principle has both.
    s1, beta = _shown(doc, "sector", "S1"), _shown(doc, "organisation", "Beta")
    assert not set(s1) & set(beta)
    steps = {w["what"]: w["reason"] for w in doc["withheld"]}
    assert steps["organisation Beta: Understanding the basics"] == (
        "protects another figure's change: with the groups shown in the other breakdowns "
        "it would give away the change of fewer than 5 people")


def test_l4_an_organisation_of_many_changes_stays_shown(tmp_path: Path) -> None:
    """The attacker's w8.py, the control: everyone re-answers six questions as well, so S1
    minus Beta is Alpha's change: 8 re-answers and a joiner, more than the threshold."""
    first, second, _ = _cumulative(tmp_path, 21, re_answer=True)
    doc = _run(tmp_path, "compare", first, second, "--by", "organisation", "--by", "sector")
    s1, beta = _shown(doc, "sector", "S1"), _shown(doc, "organisation", "Beta")
    assert set(s1) & set(beta), doc["withheld"]


def _many_and_one(tmp_path: Path, many: str) -> dict[str, Any]:
    """P000 alone changes basics-1; seven others change ``many`` (and context-1)."""
    base = _thirty(31)
    later = copy.deepcopy(base)
    base[0]["basics-1"], later[0]["basics-1"] = "2", "4"
    for k in range(1, 8):
        later[k]["context-1"] = str(int(base[k]["context-1"]) % 5 + 1)
        if many:
            later[k][many] = str(int(base[k][many]) % 5 + 1)
    return _run(tmp_path, "compare", _write(tmp_path / "mA.csv", base),
                _write(tmp_path / "mB.csv", later))


def _sum_change(change: dict[str, Any]) -> float:
    return float(change["followup"]["n"] * change["followup"]["score"]
                 - change["baseline"]["n"] * change["baseline"]["score"])


def test_l1_a_principle_of_many_changes_minus_its_questions_shown_is_not_one_answer(
        tmp_path: Path) -> None:
    """basics changed for 8 people (compared), basics-2 for 7 (compared), basics-1 for one
    (withheld): on main, basics' change of total x 5 minus its four questions' (x 25) was
    P000's basics-1 step. Now a further question is withheld with it."""
    doc = _many_and_one(tmp_path, "basics-2")
    basics = next(c for c in doc["principles"] if c["id"] == "basics")
    items = {i["key"]: i for i in doc["items"] if i["principle"] == "basics"}
    assert "basics-1" not in items and "basics-2" not in items
    shown = sum(_sum_change(i) * (-25 if k == "basics-4" else 25) for k, i in items.items())
    rest = (5 * _sum_change(basics) - shown) / 25
    assert abs(rest - 2.0) > 1e-6  # not P000's step alone (+2)
    steps = {w["what"]: w["reason"] for w in doc["withheld"]}
    assert steps["item basics-2"].startswith("protects a question not compared")


def test_l1_the_overall_minus_the_principles_shown_is_not_one_persons_change(
        tmp_path: Path) -> None:
    """basics changed for P000 alone (withheld), context for seven (compared): the overall
    (eight people changed) minus the principles shown would be P000's basics change."""
    doc = _many_and_one(tmp_path, "")
    assert "basics" not in {c["id"] for c in doc["principles"]}
    assert "context" in {c["id"] for c in doc["principles"]}
    assert doc["overall"] is None
    steps = {w["what"]: w["reason"] for w in doc["withheld"]}
    assert steps["the overall score"].startswith("with the principles shown, it would give "
                                                 "away the change of the principles withheld")


def test_l1_a_trends_overall_minus_its_principles_shown_is_not_one_persons_change(
        tmp_path: Path) -> None:
    """The same shape as a trend (the follow-up twice): basics' points after the first are
    withheld for P000's one change; on main the overall's were shown, and the overall's step
    minus the other principles' steps (weighted) was P000's basics change."""
    base = _thirty(31)
    later = copy.deepcopy(base)
    base[0]["basics-1"], later[0]["basics-1"] = "2", "4"
    for k in range(1, 8):
        later[k]["context-1"] = str(int(base[k]["context-1"]) % 5 + 1)
    waves = [_write(tmp_path / f"t{n}.csv", rows) for n, rows in enumerate((base, later,
                                                                              later))]
    doc = _run(tmp_path, "trend", *waves)
    assert [p["withheld"] for p in doc["overall"]["points"]] == [False, True, True]
    assert doc["overall"]["steps"] == []
    context = next(p for p in doc["principles"] if p["id"] == "context")
    assert not any(p["withheld"] for p in context["points"])
    steps = {w["what"]: w["reason"] for w in doc["withheld"]}
    assert steps["Overall in wave t1"].startswith("with the principles shown")
