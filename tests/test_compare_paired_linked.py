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
import textwrap
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from leadlens.cli import app

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
    assert whole["test"]["name"] == "paired"
    for table in (sectors, orgs):
        rest = whole["test"]["linked"] - sum(n for n, _ in table.values())
        assert rest == 0 or rest >= THRESHOLD, rest


def test_a_group_whose_paired_test_is_left_out_says_so(tmp_path: Path) -> None:
    doc = _compare(tmp_path)
    notes = [w for w in doc["withheld"] if "paired test is left out" in w["reason"]]
    assert notes, doc["withheld"]
    for w in notes:  # it keeps the unpaired (Welch) comparison, with its reason
        field, _, rest = w["what"].partition(" ")
        value = rest.split(":")[0]
        group = next(g for g in doc["groups"][field]["groups"] if g["value"] == value)
        change = next(c for c in group["changes"] if c["id"] == "p1")
        assert change["test"] is None or change["test"]["name"] == "welch"
