"""The paired figures of every ``--by`` breakdown are one set of linked tables.

With ``--by sector --by organisation``, a sector's paired change (its matched respondents'
number times their mean change) minus the paired changes of its organisations shown gave
the change of the matched respondents of the organisation whose paired test was left out
(too few matched): sector North = organisation A (6 matched) + organisation B (1 matched),
so North's paired sum minus A's was B's one matched person's change. Each breakdown was
protected only against the whole survey, one breakdown at a time.
"""

from __future__ import annotations

import json
import random
import textwrap
from fractions import Fraction
from pathlib import Path
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from leadlens.cli import app
from leadlens.questionset.model import QuestionSet
from leadlens.waves.engine import Pairing, compare
from leadlens.waves.waves import Wave, match_key, scored_wave
from scoring_fixtures import build_set, responses

runner = CliRunner()
THRESHOLD = 5

QUESTION_SET = textwrap.dedent("""\
    schema_version: 1
    id: linkedpairs
    title: Linked pairs
    version: "1.0.0"
    scales:
      agree:
        options:
          - {value: 1, label: Strongly disagree}
          - {value: 2, label: Disagree}
          - {value: 3, label: Neither}
          - {value: 4, label: Agree}
          - {value: 5, label: Strongly agree}
    bands:
      - {id: low, label: Low, from: 0}
      - {id: high, label: High, from: 50}
    principles:
      - {id: p1, name: P one, recommendations: {low: a, high: b}}
    respondent:
      - {id: sector, prompt: Sector?}
      - {id: org, prompt: Organisation?}
    scoring:
      min_group_size: 5
    questions:
      - {id: a1, principle: p1, text: A1, scale: agree}
      - {id: a2, principle: p1, text: A2, scale: agree}
    """)
SECTOR = {"A": "North", "B": "North", "C": "South", "D": "South"}
# Per organisation: people matched in both waves, and people in one wave only (each wave).
MATCHED = {"A": 6, "B": 1, "C": 4, "D": 6}
ONE_WAVE = 5


def _answers(seed: int) -> tuple[int, int]:
    return 1 + (seed * 7) % 5, 1 + (seed * 3 + 1) % 5


def _waves() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    base: list[dict[str, Any]] = []
    follow: list[dict[str, Any]] = []
    n = 0
    for org, matched in MATCHED.items():
        for i in range(matched + 2 * ONE_WAVE):
            n += 1
            row = {"respondent_id": f"{org}{i:02d}", "sector": SECTOR[org], "org": org}
            first, second = _answers(n), _answers(n + 11)
            if org == "B":  # B's one matched person: all 1s, then all 5s (+100)
                first, second = (1, 1), (5, 5)
            if i < matched:
                base.append({**row, "a1": first[0], "a2": first[1]})
                follow.append({**row, "a1": second[0], "a2": second[1]})
            elif i < matched + ONE_WAVE:
                base.append({**row, "a1": first[0], "a2": first[1]})
            else:
                follow.append({**row, "a1": second[0], "a2": second[1]})
    return base, follow


def _write(path: Path, rows: list[dict[str, Any]]) -> str:
    cols = ["respondent_id", "sector", "org", "a1", "a2"]
    lines = [",".join(cols)] + [",".join(str(r[c]) for c in cols) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def _compare(tmp_path: Path) -> dict[str, Any]:
    qs = tmp_path / "qs.yaml"
    qs.write_text(QUESTION_SET, encoding="utf-8")
    base, follow = _waves()
    out = tmp_path / "cmp.json"
    result = runner.invoke(app, [
        "compare", _write(tmp_path / "base.csv", base), _write(tmp_path / "follow.csv", follow),
        "-q", str(qs), "--by", "sector", "--by", "org", "--min-group-size", str(THRESHOLD),
        "-o", str(out), "--force"])
    assert result.exit_code == 0, result.stderr
    doc: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return doc


def _paired(doc: dict[str, Any], field: str) -> dict[str, tuple[int, float]]:
    """Per group of ``field``: (matched respondents, sum of their changes) of its paired
    test, where one is published."""
    out: dict[str, tuple[int, float]] = {}
    for group in doc["groups"][field]["groups"]:
        for c in group.get("changes") or []:
            test = c.get("test")
            if c["id"] == "p1" and test is not None and test["name"] == "paired":
                out[group["value"]] = (test["linked"], test["linked"] * c["difference"])
    return out


def test_a_sectors_paired_change_minus_its_organisations_is_not_one_persons(
        tmp_path: Path) -> None:
    doc = _compare(tmp_path)
    sectors, orgs = _paired(doc, "sector"), _paired(doc, "org")
    # The tester's subtraction, for every sector whose paired test is shown.
    for sector, (n, total) in sectors.items():
        inside = [org for org, s in SECTOR.items() if s == sector]
        shown = [org for org in inside if org in orgs]
        rest_n = n - sum(orgs[o][0] for o in shown)
        rest_sum = total - sum(orgs[o][1] for o in shown)
        assert rest_n == 0 or rest_n >= THRESHOLD, (sector, shown, rest_n, rest_sum)
    # And against the whole survey: the whole's paired n minus each breakdown's.
    whole = next(c for c in doc["principles"] if c["id"] == "p1")
    assert whole["test"] is not None
    for table in (sectors, orgs) if whole["test"]["name"] == "paired" else ():
        rest = whole["test"]["linked"] - sum(n for n, _ in table.values())
        assert rest == 0 or rest >= THRESHOLD, rest


def test_a_group_whose_paired_test_is_left_out_says_so(tmp_path: Path) -> None:
    doc = _compare(tmp_path)
    notes = [w for w in doc["withheld"] if "paired test is left out" in w["reason"]]
    assert notes, doc["withheld"]
    for w in notes:  # it keeps the unpaired (Welch) comparison, with its reason
        field, _, rest = w["what"].partition(" ")
        value = rest.split(":")[0]
        if field == "principle":  # the whole survey's
            changes = doc["principles"]
        else:
            changes = next(g for g in doc["groups"][field]["groups"]
                           if g["value"] == value)["changes"]
        change = next(c for c in changes if c["id"] == "p1")
        assert change["test"] is None or change["test"]["name"] == "welch"


# --- property: random matched waves, two breakdowns, exact linear algebra ----------------

def _in_span(rows: list[list[int]], target: list[int]) -> bool:
    """Whether ``target`` is a rational combination of ``rows`` (exact elimination)."""
    basis: list[tuple[int, list[Fraction]]] = []
    def reduce(vector: list[Fraction]) -> list[Fraction]:
        for pivot, row in basis:
            if vector[pivot]:
                factor = vector[pivot] / row[pivot]
                vector = [v - factor * r for v, r in zip(vector, row, strict=True)]
        return vector
    for row in rows:
        reduced = reduce([Fraction(v) for v in row])
        pivot = next((i for i, v in enumerate(reduced) if v), None)
        if pivot is not None:
            basis.append((pivot, reduced))
    return not any(reduce([Fraction(v) for v in target]))


def _random_waves(seed: int) -> tuple[Wave, Wave, QuestionSet]:
    rnd = random.Random(seed)
    qs = build_set([{"id": "x1"}, {"id": "x2"}], min_group_size=3,
                   respondent=("sector", "organisation"))
    orgs = {f"O{i}": rnd.choice(["N", "S"]) for i in range(rnd.randint(2, 5))}
    base: list[dict[str, Any]] = []
    follow: list[dict[str, Any]] = []
    both = rnd.uniform(0.3, 0.8)  # the share matched; the rest joined or left, half each
    for i in range(rnd.randint(10, 60)):
        org = rnd.choice(list(orgs))
        row = {"respondent_id": f"R{i:03d}", "sector": orgs[org], "organisation": org}
        kind = rnd.random()
        if kind < both or kind > (1 + both) / 2 or not base:
            base.append({**row, "x1": rnd.randint(1, 5), "x2": rnd.randint(1, 5)})
        if kind <= (1 + both) / 2:
            if kind < both and rnd.random() < 0.1:  # a switcher
                org = rnd.choice(list(orgs))
                row = {**row, "sector": orgs[org], "organisation": org}
            follow.append({**row, "x1": rnd.randint(1, 5), "x2": rnd.randint(1, 5)})
    by = ("sector", "organisation")
    return (scored_wave("a", "a.csv", qs, responses(qs, base), by=by),
            scored_wave("b", "b.csv", qs, responses(qs, follow), by=by), qs)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10**6))
@example(400)  # on main: the switchers between groups, 2, were a sum of shown tests
def test_no_hidden_groups_matched_change_follows_from_the_paired_tests(seed: int) -> None:
    """Every published paired test is the sum of its matched respondents' changes: a row over
    the atoms (combinations of sector and organisation of the matched). No combination of the
    groups of 1 to threshold-1 matched respondents whose paired test is not shown (nor any
    single atom of that size) may lie in the span of the published rows."""
    a, b, _ = _random_waves(seed)
    doc = compare(a, b, by=["sector", "organisation"])
    pairing = Pairing.of(a, b, independent=False)
    assert a.respondents is not None and b.respondents is not None
    threshold = doc.min_group_size
    atoms: dict[tuple[str | None, str | None], int] = {}
    member: list[tuple[str | None, str | None]] = []
    fields = ("sector", "organisation")
    for ra, rb in zip(pairing.base_rows.tolist(), pairing.follow_rows.tolist(), strict=True):
        keys: list[str | None] = []
        for f in fields:
            ka, kb = (w.respondents.groupings[f] for w in (a, b))  # type: ignore[union-attr]
            va = match_key(ka.values[ka.codes[ra]], ka.not_stated[ka.codes[ra]])
            vb = match_key(kb.values[kb.codes[rb]], kb.not_stated[kb.codes[rb]])
            keys.append(va if va == vb else None)
        member.append((keys[0], keys[1]))
        atoms.setdefault(member[-1], len(atoms))
    counts = [0] * len(atoms)
    for m in member:
        counts[atoms[m]] += 1

    def row(f: int, key: str) -> list[int]:
        return [1 if atom[f] == key else 0 for atom in atoms]

    published: list[list[int]] = []
    whole = next((c for c in doc.principles if c.id == "p"), None)
    if whole is not None and whole.test is not None and whole.test.name == "paired":
        published.append([1] * len(atoms))
    hidden: list[list[int]] = []
    for f, field in enumerate(fields):
        for group in doc.groups[field].groups:
            key = match_key(group.value, False)
            vector = row(f, key)
            n = sum(c for c, v in zip(counts, vector, strict=True) if v)
            shown = any(c.id == "p" and c.test is not None and c.test.name == "paired"
                        for c in group.changes)
            if shown:
                published.append(vector)
            elif 0 < n < threshold:
                hidden.append(vector)
    targets = hidden + [[1 if j == i else 0 for j in range(len(atoms))]
                        for i, c in enumerate(counts) if 0 < c < threshold]
    for target in targets:
        assert not _in_span(published, target), (seed, atoms, counts, target)
