"""Attacks on everything one run publishes, one deterministic test each (issue 10).

Each test builds the smallest data an attack needs, publishes as leadlens does and plays the
attacker with the published figures only. The property test in ``test_disclosure.py`` covers
the linked tables in general; these pin the attacks that worked before their fix.
"""

from __future__ import annotations

from typing import Any

from leadlens.results.document import Results
from leadlens.scoring import score
from scoring_fixtures import build_set, responses


def scored(rows: list[dict[str, Any]], *, by: tuple[str, ...] = ("org",), m: int = 3,
           **options: Any) -> Results:
    qs = build_set([{"id": "a"}, {"id": "b"}], min_group_size=m, respondent=list(by),
                   **options)
    return score(qs, responses(qs, rows), by=list(by)).results


def test_whole_minus_a_group_no_longer_gives_a_lone_answer_to_favourable() -> None:
    # A score needs both answers; % favourable counts either. B's three members: one answered
    # b only (no score). Before: the principle table shows A (3) and B (0 scored), so A's
    # % favourable was published, and the whole survey's answers (7) minus A's (6) gave the
    # one B member's answer (unfavourable). Now % favourable is a table of its own.
    rows = [{"org": "A", "a": 5, "b": 2}, {"org": "A", "a": 1, "b": 2},
            {"org": "A", "a": 5, "b": 2}, {"org": "B", "a": None, "b": None},
            {"org": "B", "a": None, "b": 2}, {"org": "B", "a": None, "b": None}]
    results = scored(rows, min_answered=2)
    whole = results.principles[0].favourability
    # Now % favourable counts the answers of those scored on the principle only (as every
    # item figure of a principle does), so B's member without a score is in no figure.
    assert whole is not None and whole.answers == 6
    shown = sum(gp.favourability.answers for g in results.groups["org"].groups
                if g.principles and (gp := g.principles[0]).favourability is not None)
    assert shown in (0, 6)  # whole minus shown: none or all of A, never B's lone answer
    # The report shows no share for B (none of its members has a score).
    from leadlens import render_report

    rows = [line for line in render_report(results, "md").splitlines()
            if line.startswith("| B |")]
    assert all("%" not in r for r in rows)


def test_a_withheld_gap_gives_no_paired_means() -> None:
    # Before: with the gap withheld (one person answered both timepoints), paired_means still
    # held that person's own answers at both timepoints.
    qs = build_set([{"id": "t", "principle": None, "scale": "agree",
                    "timepoints": ["current", "target"]}],
                   timepoints=["current", "target"], min_group_size=3)
    rows = [{"t@current": 2}, {"t@current": 3}, {"t@current": 4},
            {"t@current": 1, "t@target": 5}]
    [t] = score(qs, responses(qs, rows)).results.timepoints
    assert t.gap is None and t.gap_withheld is not None
    assert t.paired_means == []
    assert t.timepoints[-1].mean is None  # the target itself rests on one answer


def test_a_withheld_item_publishes_no_count_anywhere(tmp_path: Any) -> None:
    import json

    from typer.testing import CliRunner

    from leadlens.cli import app

    (tmp_path / "set.yaml").write_text(THIN_SET, encoding="utf-8")
    lines = ["respondent_id,organisation,b1,b2,r1"]
    lines += [f"r{i},Acme,{1 + i % 5},{1 + (i * 2) % 5},{'4' if i < 2 else ''}"
              for i in range(8)]
    (tmp_path / "r.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(app, ["score", str(tmp_path / "r.csv"), "--question-set",
                                     str(tmp_path / "set.yaml"), *args])
        assert result.exit_code == 0, result.stderr
        return result.stdout

    document = json.loads(run("--format", "json"))
    rare = next(p for p in document["principles"] if p["id"] == "rare")
    assert rare["withheld"] and rare["unscored_share"] is None and rare["alpha_n"] is None
    [r1] = rare["items"]
    assert (r1["n"], r1["missing"], r1["unscored"], r1["counts"]) == (None, None, None, {})
    # scores.csv: no column of the two people's own scores.
    rows = run("--format", "csv").splitlines()
    assert rows[0].split(",")[-2] == "rare" and {r.split(",")[-2] for r in rows[1:]} == {""}
    for fmt in ("md", "table"):
        text = run("--format", fmt)
        assert "fewer than 3" in text or "<3" in text
        assert "| 2 |" not in text and "│ 2 " not in text  # the two who answered r1


THIN_SET = """\
schema_version: 1
id: thin
title: Thin set
version: "1.0"
scales:
  agreement:
    options:
      - {value: 1, label: One}
      - {value: 2, label: Two}
      - {value: 3, label: Three}
      - {value: 4, label: Four}
      - {value: 5, label: Five}
bands:
  - {id: low, label: Low, from: 0}
  - {id: high, label: High, from: 50}
principles:
  - {id: basics, name: Basics}
  - {id: rare, name: Rare}
respondent:
  - {id: organisation, prompt: Organisation}
scoring:
  min_group_size: 3
  min_answered: 1
questions:
  - {id: b1, principle: basics, text: One, scale: agreement}
  - {id: b2, principle: basics, text: Two, scale: agreement}
  - {id: r1, principle: rare, text: Rare one, scale: agreement}
"""


def test_no_output_format_carries_a_hidden_figure(tmp_path: Any, monkeypatch: Any) -> None:
    """Every format one run publishes (JSON, Markdown, HTML, the terminal table, Parquet,
    xlsx) with --by on two fields and a "(not stated)" group: the hidden groups' sizes and
    scores appear in none of them. (scores.csv is one row per person: not anonymous.)"""
    # A fixed clock: the time of day in generated_at (03:06:18.87...) once held "18.8".
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    import io
    import json

    import polars as pl

    from leadlens.analysis.scoring import score_output
    from leadlens.report.writers import OUTPUT_WRITERS

    (tmp_path / "set.yaml").write_text(THIN_SET.replace(
        "  - {id: organisation, prompt: Organisation}",
        "  - {id: organisation, prompt: Organisation}\n  - {id: sector, prompt: Sector}"),
        encoding="utf-8")
    people = ([("Acme", "North", 4, 4)] * 7 + [("Beta", "North", 3, 3)] * 7
              + [("Gamma", "South", 2, 2)] * 8 + [("Tiny", "South", 1, 2), ("Tiny", "South", 2, 2)]
              + [("Delta", "", 5, 4)] * 1 + [("Gamma", "", 2, 3)] * 6)
    lines = ["respondent_id,organisation,sector,b1,b2,r1"]
    lines += [f"r{i},{o},{s},{a},{b},3" for i, (o, s, a, b) in enumerate(people)]
    (tmp_path / "r.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    output = score_output(tmp_path / "r.csv", tmp_path / "set.yaml",
                          by=["organisation", "sector"])
    results = output.results
    hidden = {(b.field, g.value) for b in results.groups.values() for g in b.groups
              if g.suppressed}
    assert ("organisation", "Tiny") in hidden and ("organisation", "Delta") in hidden
    # Tiny's two people score 18.75 on basics, Delta's one 87.5: neither may appear.
    secrets = ["18.75", "18.8", "87.5", "Tiny\t2", "Delta\t1"]
    texts = {}
    for name in ("json", "md", "html", "table"):
        texts[name] = str(OUTPUT_WRITERS[name](output))
    frame = pl.read_parquet(io.BytesIO(OUTPUT_WRITERS["parquet"](output)))  # type: ignore[arg-type]
    rows = frame.filter(pl.col("group_value").is_in(["Tiny", "Delta"]))
    assert rows.height and rows["value"].null_count() == rows.height
    assert rows["n"].null_count() == rows.height
    texts["parquet"] = frame.write_csv(separator="\t")
    openpyxl = __import__("openpyxl")
    book = openpyxl.load_workbook(io.BytesIO(OUTPUT_WRITERS["xlsx"](output)))  # type: ignore[arg-type]
    texts["xlsx"] = "\n".join("\t".join("" if c is None else str(c) for c in row)
                              for sheet in book.worksheets for row in sheet.iter_rows(
                                  values_only=True))
    for name, text in texts.items():
        for secret in secrets:
            assert secret not in text, (name, secret)
    document = json.loads(texts["json"])
    for breakdown in document["groups"].values():
        for group in breakdown["groups"]:
            if group["suppressed"]:
                assert group["n"] is None and group["principles"] == []


def test_scores_csv_large_fields_do_not_pick_out_a_spelling(tmp_path: Any) -> None:
    # Before: --scores-fields large kept organisation (Acme 6, Beta 5: both large enough) but
    # wrote each row's spelling, so the one person who typed "acme " was one row.
    from typer.testing import CliRunner

    from leadlens.cli import app

    (tmp_path / "set.yaml").write_text(THIN_SET, encoding="utf-8")
    lines = ["respondent_id,organisation,b1,b2,r1"]
    lines += [f"r{i},{'Acme' if i else 'acme '},{1 + i % 5},2,3" for i in range(6)]
    lines += [f"s{i},Beta,3,{1 + i % 5},3" for i in range(5)]
    (tmp_path / "r.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["score", str(tmp_path / "r.csv"), "--question-set",
                                      str(tmp_path / "set.yaml"), "--format", "csv",
                                      "--scores-fields", "large"])
    assert result.exit_code == 0, result.stderr
    rows = result.stdout.splitlines()
    assert rows[0].startswith("organisation,")
    assert sorted({r.split(",")[0] for r in rows[1:]}) == ["Acme", "Beta"]


def test_a_trend_gives_no_count_of_a_wave_whose_figure_is_withheld() -> None:
    # Before: a wave whose principle rested on 3 of 12 (m 5) was a trend point with n 3
    # (score blank), and the steps either side of it were computed with it.
    from compare_fixtures import make_wave, people, wave_set
    from leadlens.waves.engine import trend

    qs = wave_set()
    thin = people(2, 12, prefix="B")
    for row in thin[3:]:
        for key in ("p1", "p2", "p3"):
            row[key] = None
    waves = [make_wave("w1", qs, people(1, 12)), make_wave("w2", qs, thin),
             make_wave("w3", qs, people(3, 12, prefix="C"))]
    assert next(p for p in waves[1].results.principles if p.id == "p").withheld
    line = next(x for x in trend(waves).principles if x.id == "p")
    assert line.points[1].withheld and line.points[1].n is None
    assert line.step_waves == [[0, 2]]


def test_a_withheld_principle_cannot_be_recovered_from_the_groups_overall() -> None:
    # Finding 1: the overall is the mean of a respondent's principle scores, so for a group
    # whose members all have both principles, 2 * n * overall - n * q gives p's hidden sum.
    # B's p rests on 4 of its 6 (two left p blank), so p is hidden for B and, to protect it,
    # for the others; before, every group's overall and q were published and the identity
    # on A, C and D, subtracted from the whole survey's p, gave B's p exactly.
    qs = build_set([{"id": "a"}, {"id": "c", "principle": "q"}], min_group_size=5,
                   respondent=["org"], principles=[{"id": "p", "name": "P"},
                                                   {"id": "q", "name": "Q"}])
    rows: list[dict[str, Any]] = []
    for org, size in (("A", 6), ("B", 6), ("C", 12), ("D", 12)):
        for i in range(size):
            rows.append({"org": org, "a": None if org == "B" and i < 2 else 1 + (i * 3) % 5,
                         "c": 1 + (i * 2 + len(org)) % 5})
    results = score(qs, responses(qs, rows), by=["org"]).results
    groups = results.groups["org"].groups
    b = next(g for g in groups if g.value == "B")
    assert next(p for p in b.principles if p.id == "p").score is None
    recovered = results.principles[0].n * (results.principles[0].score or 0.0)
    for group in groups:
        p, q = group.principles
        # Wherever a principle is hidden, so is the overall (and the reverse).
        assert (group.overall is None) == (p.score is None or q.score is None), group.value
        if group.value != "B" and group.overall is not None and q.score is not None:
            assert group.n is not None and q.n is not None
            recovered -= 2 * group.n * group.overall - q.n * q.score
    shown_overall = [g for g in groups if g.overall is not None]
    assert len(shown_overall) < 3  # the identity cannot be applied to A, C and D
    assert results.disclosure is not None
    assert any(s.figure == "overall" and s.reason in ("complement", "withheld")
               for s in results.disclosure.steps)


def test_agreement_rests_on_the_threshold_of_complete_respondents() -> None:
    # Finding 3: A has 6 members but only 2 answered both items; before, its rwg(j) and
    # AD_M (0.5: the two people's answers, halved difference) were published, and the tidy
    # tables gave n 6. Now rwg(j), AD_M and agreement need 5 complete respondents, and their
    # n is that count, in the document, the tables and the workbook.
    rows: list[dict[str, Any]] = [
        {"org": "A", "a": 4, "b": 5}, {"org": "A", "a": 5, "b": 5},
        *({"org": "A", "a": 3, "b": None} for _ in range(4)),
        *({"org": "B", "a": 1 + i % 3, "b": 2 + i % 2} for i in range(8)),
        *({"org": "C", "a": 3 + i % 3, "b": 5 - i % 2} for i in range(7)),
        {"org": "C", "a": None, "b": 4}]
    results = scored(rows, m=5)
    found = {g.value: g.principles[0] for g in results.groups["org"].groups}
    assert found["A"].score is not None  # the score itself rests on 6
    assert (found["A"].rwg_j, found["A"].ad_m, found["A"].agreement,
            found["A"].agreement_n) == (None, None, None, None)
    # The whole survey's complete count minus B's and C's would be A's: one of them is
    # hidden as well (its own linked table, as % favourable's).
    assert found["B"].rwg_j is not None and found["B"].agreement_n == 8
    assert found["C"].agreement_n is None and found["C"].n == 8
    whole = results.principles[0]
    assert whole.rwg_j is not None and whole.agreement_n == 17 and whole.n == 22
    assert results.disclosure is not None
    steps = {s.group: s.reason for s in results.disclosure.steps if s.figure == "agreement:p"}
    assert steps == {"A": "small", "C": "complement"}
    from leadlens.results.tables import tables

    tidy = tables(results)
    groups = tidy["groups"].to_dicts()
    rwg = {r["group_value"]: r["n"] for r in groups if r["statistic"] == "rwg_j"}
    assert rwg == {"A": None, "B": 8, "C": None}
    room = [r for r in tidy["principles"].to_dicts() if r["statistic"] in ("rwg_j", "ad_m")]
    assert room and all(r["n"] == 17 for r in room)
    from leadlens import render_report

    md = [line for line in render_report(results, "md").splitlines()
          if line.startswith("| A |") and "favourable" in line]
    assert md and "agreement withheld" in md[0] and "rwg(j)" not in md[0]


def test_whole_survey_agreement_needs_the_threshold_of_complete_respondents() -> None:
    rows = [{"org": "A", "a": 1 + i % 5, "b": None if i > 2 else 3} for i in range(7)]
    whole = scored(rows, m=5).principles[0]
    assert whole.n == 7 and whole.score is not None
    assert (whole.rwg_j, whole.ad_m, whole.agreement_n) == (None, None, None)


def test_every_published_format_says_to_publish_every_breakdown_from_one_run() -> None:
    # Finding 2: a run --by sector and another --by organisation can be subtracted (sector S
    # minus its one shown organisation is the hidden one); no check inside one run can see
    # the other, so the report's audit, the workbook's notes and the docs say so plainly.
    import io
    from pathlib import Path

    import openpyxl

    from leadlens import render_report
    from leadlens.report.spreadsheet import results_workbook

    rows = [{"org": "A" if i < 6 else "B" if i < 8 else "C", "a": 1 + i % 5, "b": 2}
            for i in range(14)]
    results = scored(rows, m=5)
    for fmt in ("md", "html"):
        assert "publish every breakdown from one run" in render_report(results, fmt)
    book = openpyxl.load_workbook(io.BytesIO(results_workbook(results)))
    notes = " ".join(str(c) for sheet in book.worksheets
                     for row in sheet.iter_rows(values_only=True) for c in row if c)
    assert "publish every breakdown from one leadlens score run" in notes
    assert results.disclosure is not None and "one run" in results.disclosure.method
    repo = Path(__file__).resolve().parents[1]
    assert "publish every breakdown from one" in (repo / "README.md").read_text("utf-8")
    assert "Publish every breakdown from one run" in (repo / "docs" / "scoring.md").read_text(
        "utf-8")


def _numbers(value: Any) -> list[int | float]:
    """Every number in a JSON value (booleans are not numbers here)."""
    if isinstance(value, dict):
        return [x for v in value.values() for x in _numbers(v)]
    if isinstance(value, list):
        return [x for v in value for x in _numbers(v)]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return [value]
    return []


def test_a_withheld_principle_perspective_and_timepoint_publish_no_count() -> None:
    # Before: a principle withheld with exactly 3 scorers (threshold 5) still said n 3 in the
    # document, and a withheld perspective, timepoint and gap their exact counts (gap_n 3);
    # the reports said "fewer than 5" but the JSON gave the number away.
    import json

    from leadlens import render_report

    qs = build_set([{"id": "a"}, {"id": "b"},
                    {"id": "r", "principle": "rare", "perspectives": ["own", "system"]},
                    {"id": "t", "principle": None, "timepoints": ["current", "target"]}],
                   principles=[{"id": "p", "name": "P"}, {"id": "rare", "name": "Rare"}],
                   perspectives=["own", "system"], timepoints=["current", "target"],
                   min_group_size=5)
    rows = [{"a": 1 + i % 5, "b": 1 + (i * 2) % 5, "t@current": 1 + i % 4,
             "r@own": 2 + i if i < 3 else None, "r@system": 4 - i if i < 3 else None,
             "t@target": 5 - i if i < 3 else None} for i in range(8)]
    results = score(qs, responses(qs, rows)).results
    document = json.loads(results.model_dump_json())
    rare = next(p for p in document["principles"] if p["id"] == "rare")
    assert rare["withheld"] == "fewer than 5 respondents answered" and rare["n"] is None
    assert all(s["n"] is None and s["withheld"] for s in rare["perspectives"])
    assert 3 not in _numbers(rare) and 3.0 not in _numbers(rare)
    [t] = document["timepoints"]
    current, target = t["timepoints"]
    assert current["n"] == 8 and target["n"] is None and target["withheld"]
    assert t["gap_n"] is None and t["gap_withheld"] and 3 not in _numbers(t)
    # The shown figures keep their counts, and the document loads back as it was.
    assert next(p for p in document["principles"] if p["id"] == "p")["n"] == 8
    assert Results.model_validate(document) == results
    # Reports, the terminal-style table and the tidy tables still render and say so.
    for fmt in ("md", "html"):
        text = render_report(results, fmt)
        assert "fewer than 5" in text and "None" not in text


def test_a_withheld_overall_publishes_no_count(tmp_path: Any) -> None:
    # Eight answered, three have a score: the overall rests on 3 (threshold 5). Its n was 3
    # in the document, and the reports said "3 respondents" beside a withheld score.
    import json

    import yaml
    from typer.testing import CliRunner

    from leadlens.cli import app

    qs = build_set([{"id": "a"}, {"id": "b"}, {"id": "c", "principle": None}],
                   min_group_size=5, respondent=())
    (tmp_path / "set.yaml").write_text(yaml.safe_dump(qs.model_dump(mode="json")),
                                       encoding="utf-8")
    lines = ["a,b,c"] + [f"{1 + i % 5 if i < 3 else ''},{1 + i % 4 if i < 3 else ''},"
                         f"{1 + i % 5}" for i in range(8)]
    (tmp_path / "r.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(app, ["score", str(tmp_path / "r.csv"), "--question-set",
                                     str(tmp_path / "set.yaml"), *args])
        assert result.exit_code == 0, result.stderr
        return result.stdout

    document = json.loads(run("--format", "json"))
    assert document["respondents"] == 8
    overall, [p] = document["overall"], document["principles"]
    assert overall["n"] is None and overall["withheld"] and 3 not in _numbers(overall)
    assert p["n"] is None and p["withheld"] and 3 not in _numbers(p)
    assert "(fewer than 5 respondents)" in run("--format", "md")
    table = run("--format", "table")
    assert "<5" in table and " 3 " not in table
