"""What compare and trend say in words: scores as every report shows them (rounded down),
and sentences a board member reads correctly when nothing changed or nothing could be tested."""

from __future__ import annotations

import csv
import json
import random
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from leadlens.cli import app

runner = CliRunner()

QS = textwrap.dedent("""\
    schema_version: 1
    id: mini
    title: Mini set
    version: "1.0.0"
    scales:
      agree:
        options:
          - {value: 1, label: Strongly disagree}
          - {value: 2, label: Disagree}
          - {value: 3, label: Neither}
          - {value: 4, label: Agree}
          - {value: 5, label: Strongly agree}
        unscored: ["Don't know"]
    bands:
      - {id: low, label: Low, from: 0}
      - {id: mid, label: Mid, from: 50}
      - {id: high, label: High, from: 75}
    principles:
      - {id: p1, name: P one, recommendations: {low: a, mid: b, high: c}}
      - {id: p2, name: P two, recommendations: {low: a, mid: b, high: c}}
    respondent:
      - {id: org, prompt: Org?}
    scoring:
      min_group_size: 3
    questions:
      - {id: a1, principle: p1, text: A1, scale: agree}
      - {id: a2, principle: p1, text: A2, scale: agree}
      - {id: a3, principle: p1, text: A3, scale: agree}
      - {id: b1, principle: p2, text: B1, scale: agree}
      - {id: b2, principle: p2, text: B2, scale: agree}
      - {id: b3, principle: p2, text: B3, scale: agree}
    """)
KEYS = ["a1", "a2", "a3", "b1", "b2", "b3"]


def person(i: int, seed: int | None = None) -> dict[str, object]:
    rnd = random.Random(i if seed is None else seed)
    return {"respondent_id": f"R{i:03d}", "org": "A", **{k: rnd.randint(1, 5) for k in KEYS}}


def write(path: Path, rows: list[dict[str, object]]) -> str:
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.DictWriter(f, ["respondent_id", "org", *KEYS])
        out.writeheader()
        out.writerows(rows)
    return str(path)


@pytest.fixture
def qs(tmp_path: Path) -> str:
    path = tmp_path / "qs.yaml"
    path.write_text(QS, encoding="utf-8")
    return str(path)


def test_compare_sentences_show_scores_as_the_table_does(tmp_path: Path, qs: str) -> None:
    # Overall 49.62 in wave 1: Low (Mid starts at 50). Rounded to nearest it read "50 ... Low".
    g1 = write(tmp_path / "g1.csv", [person(i) for i in range(1, 12)])
    g2 = write(tmp_path / "g2.csv", [person(i, seed=900000 + i) for i in range(20, 34)])
    doc = tmp_path / "g.json"
    assert runner.invoke(app, ["compare", g1, g2, "-q", qs, "-o", str(doc)]).exit_code == 0
    overall = json.loads(doc.read_text(encoding="utf-8"))["overall"]
    assert 49 < overall["baseline"]["score"] < 50 and overall["baseline"]["band"] == "low"

    summary = runner.invoke(app, ["compare", g1, g2, "-q", qs])
    assert summary.exit_code == 0, summary.stderr
    assert summary.stderr == ""
    assert "- Overall: 49.6 then, 51.1 now (+1.5 points" in summary.stdout
    assert "50 then" not in summary.stdout and "49.7" not in summary.stdout

    md = tmp_path / "g.md"
    assert runner.invoke(app, ["compare", g1, g2, "-q", qs, "-o", str(md)]).exit_code == 0
    text = md.read_text(encoding="utf-8")
    assert "**Overall: 49.6 then, 51.1 now" in text
    assert "| Overall | 49.6 (" in text


def test_trend_shows_scores_rounded_down_in_summary_and_chart(tmp_path: Path, qs: str) -> None:
    g1 = write(tmp_path / "g1.csv", [person(i) for i in range(1, 12)])
    g2 = write(tmp_path / "g2.csv", [person(i, seed=900000 + i) for i in range(20, 34)])
    g3 = write(tmp_path / "g3.csv", [person(i, seed=5000 + i) for i in range(40, 52)])
    result = runner.invoke(app, ["trend", g1, g2, g3, "-q", qs])
    assert result.exit_code == 0, result.stderr
    assert "- Overall: wave 1 49, wave 2 51," in result.stdout
    html = tmp_path / "t.html"
    assert runner.invoke(app, ["trend", g1, g2, g3, "-q", qs, "-o", str(html)]).exit_code == 0
    page = html.read_text(encoding="utf-8")
    assert "wave 1 49, wave 2 51" in page          # the chart's summary label
    assert ">50</text>" not in page.split("Overall", 2)[1].split("</svg>")[0]


def test_an_unchanged_pair_reads_as_no_change_not_zero_points(tmp_path: Path, qs: str) -> None:
    base = [person(i, seed=i) for i in range(1, 11)]
    c1 = write(tmp_path / "c1.csv", base)
    joiners = [{**person(99), **dict.fromkeys(KEYS[:3], 5)}, *(person(i) for i in (11, 12, 13))]
    c2 = write(tmp_path / "c2.csv", base + joiners)
    result = runner.invoke(app, ["compare", c1, c2, "-q", qs, "--labels", "May,June"])
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert ("The 10 respondents in both waves gave the same scores both times: no change "
            "among them; the scores also count people who answered in one wave only.") in out
    for broken in ("0.0 points", "Holm-adjusted no p-value", "smaller than 0 points",
                   "less than 0 points"):
        assert broken not in out
    assert "Since May, no principle changed by more than noise. The scores did not vary" in out


def test_a_paired_change_with_joiners_says_whose_change_it_is(tmp_path: Path, qs: str) -> None:
    base = [person(i, seed=i) for i in range(1, 11)]
    later = [person(i, seed=700 + i) for i in range(1, 11)]
    c1 = write(tmp_path / "c1.csv", base)
    c2 = write(tmp_path / "c2.csv", later + [person(i) for i in (11, 12, 13)])
    result = runner.invoke(app, ["compare", c1, c2, "-q", qs])
    assert result.exit_code == 0, result.stderr
    assert "counting everyone who answered; the 10 respondents in both waves changed by" in \
        result.stdout
    assert "(paired t-test, Holm-adjusted p = " in result.stdout


def test_the_same_label_twice_is_a_usage_error(tmp_path: Path, qs: str) -> None:
    c1 = write(tmp_path / "c1.csv", [person(i) for i in range(1, 6)])
    c2 = write(tmp_path / "c2.csv", [person(i) for i in range(6, 11)])
    result = runner.invoke(app, ["compare", c1, c2, "-q", qs, "--labels", "x, x"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == "Error: --labels 'x, x': 'x' named twice; give each wave its own " \
                            "name\n"
    trend = runner.invoke(app, ["trend", c1, c2, c1, "-q", qs, "--labels", "a,b,a"])
    assert trend.exit_code == 2
    assert "'a' named twice" in trend.stderr


@pytest.mark.parametrize("command", ["compare", "trend"])
def test_question_set_help_reads_cleanly(command: str) -> None:
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0
    flat = " ".join(result.stdout.split())
    assert "leadership); give it once for all" in flat
    assert "))" not in flat
