"""The board pack (issue 14): what a board reads first, the cover, dates, keyed colours.

Each test asserts what a reader sees in the rendered report or on the command line.
"""

from __future__ import annotations

import datetime as dt
import re
import struct
import zlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import EXAMPLES
from leadlens.cli import app
from leadlens.questionset.loading import load_question_set, validate_file
from leadlens.report import render_report
from leadlens.report.context import build_context
from leadlens.report.cover import MAX_LOGO_BYTES, Cover
from leadlens.report.pack import period_text
from leadlens.report.palette import option_colours
from leadlens.report.priorities import MAX_FIRST, discuss_first, icb_steps, principle_order
from leadlens.responses.reading import read_responses
from leadlens.results.document import Results
from leadlens.scoring import score
from survey_support import survey_set, write_set
from test_report_data import Page

RESPONSES = EXAMPLES / "responses.csv"


@pytest.fixture(scope="module")
def example() -> Results:
    qs = load_question_set(None)
    data = read_responses([RESPONSES], qs)
    return score(qs, data, by=["organisation"],
                 generated_at=dt.datetime(2025, 6, 2, 9, tzinfo=dt.UTC)).results


def png(width: int = 4, height: int = 2) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(
            ">I", zlib.crc32(kind + body))
    rows = b"".join(b"\x00" + b"\x12\x35\x5b" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2,
                                                              0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


# -- what to discuss first -------------------------------------------------------------------


def test_discuss_first_follows_its_rule_on_the_example(example: Results) -> None:
    first = discuss_first(example)
    assert 1 <= len(first) <= MAX_FIRST
    assert [i.kind for i in first] == ["split", "ambition", "hats"]
    assert first[0].heading == "Embracing complexity"  # the one split principle
    widest = max(example.timepoints, key=lambda t: t.gap or 0)
    assert first[1].heading == widest.text
    hats = [p for p in example.principles if p.perspective_gap is not None]
    assert first[2].heading == max(hats, key=lambda p: abs(p.perspective_gap or 0)).name
    assert all(i.recommendation for i in first)  # each with its recommendation


def test_without_a_split_the_weakest_principle_is_discussed(example: Results) -> None:
    calm = example.model_copy(update={"principles": [
        p.model_copy(update={"contested": False}) for p in example.principles]})
    kinds = [i.kind for i in discuss_first(calm)]
    assert kinds[0] == "ambition" and kinds[-1] == "weakest" and len(kinds) == 3
    weakest = min(calm.principles, key=lambda p: p.score or 0)
    assert discuss_first(calm)[-1].heading == weakest.name


def test_next_steps_are_in_priority_order_not_file_order(example: Results) -> None:
    order = principle_order(example, discuss_first(example))
    assert order[:2] == ["complexity", "narrative"]
    rest = {p.id: p.score for p in example.principles if p.id in order[2:]}
    assert order[2:] == sorted(rest, key=lambda pid: rest[pid] or 0)
    assert order != [p.id for p in example.principles]


def test_icb_steps_largest_gap_first_with_the_levels_recommendation(example: Results) -> None:
    qs = example.question_set
    steps = icb_steps(qs, example)
    gaps = [s.gap or 0 for s in steps]
    assert gaps == sorted(gaps, reverse=True) and len(steps) == 8
    for step in steps:
        assert step.level is not None
        assert step.recommendation == qs.question_by_id[step.question].recommendations[
            str(step.level)]
        # the means shown are the gap's own people: their difference is the gap (a gap
        # withheld because 1 to 4 answered one timepoint only has none)
        if step.gap is not None:
            assert step.means[-1] - step.means[0] == pytest.approx(step.gap)  # type: ignore[operator]


def test_paired_means_differ_from_everyones_means_and_match_the_gap(example: Results) -> None:
    differs = 0
    for t in example.timepoints:
        if not t.paired_means:
            assert t.gap is None and t.gap_withheld
            continue
        assert t.paired_means[-1] - t.paired_means[0] == pytest.approx(t.gap)  # type: ignore[operator]
        everyone = (t.timepoints[-1].mean or 0) - (t.timepoints[0].mean or 0)
        differs += abs(everyone - (t.gap or 0)) > 1e-6
    assert differs  # the old table put the gap beside means of other people


# -- what the reader sees --------------------------------------------------------------------


def test_report_order_dates_and_cover(example: Results) -> None:
    cover = Cover(title="North Riverside ICS board, March 2026",
                  organisation="North Riverside Integrated Care System",
                  logo="data:image/png;base64,AAAA")
    html = render_report(example, "html", cover=cover)
    page = Page(html)
    ids = [a["id"] for a in page.tags("section")]
    assert ids[:3] == ["at-a-glance", "discuss-first", "what-to-do-next"]
    assert ids.index("now-and-target") < ids.index("alignment") < ids.index(
        "question-by-question") < ids.index("reliability") < ids.index("method")
    text = page.text
    assert "North Riverside ICS board, March 2026" in text
    assert "North Riverside Integrated Care System" in text
    assert page.tags("img")[0]["src"] == "data:image/png;base64,AAAA"
    assert "Answers collected 4\u201315 March 2024" in text  # from submitted_at
    assert "Produced 2 June 2025" in text
    markdown = render_report(example, "md", cover=cover)
    assert "| Answers collected | 4\u201315 March 2024 |" in markdown
    assert markdown.startswith("# North Riverside ICS board, March 2026\n")


def test_no_collection_date_without_timestamps(example: Results) -> None:
    undated = example.model_copy(update={"collected_from": None, "collected_to": None})
    assert "Answers collected" not in render_report(undated, "html")
    assert "Answers collected" not in render_report(undated, "md")


def test_heatmap_rows_show_each_groups_n_and_no_radar(example: Results) -> None:
    html = render_report(example, "html")
    heatmap = re.search(r'<svg[^>]*chart-heatmap.*?</svg>', html, re.S)
    assert heatmap is not None
    shown = [g for g in example.groups["organisation"].groups if not g.suppressed]
    for group in shown:
        assert f"(n {group.n})" in heatmap.group(0)
    assert "chart-radar" not in html


def test_a_shown_score_never_contradicts_its_band(example: Results) -> None:
    p = example.principles[0]
    edge = example.model_copy(update={"principles": [
        p.model_copy(update={"score": 59.6, "band": "developing"}), *example.principles[1:]]})
    page = Page(render_report(edge, "html"))
    assert f"{p.name} 59 Developing" in page.text
    assert f"{p.name} 60 Developing" not in page.text
    assert "Developing (40\u201359)" in page.text and "Established (60\u201379)" in page.text
    markdown = render_report(edge, "md")
    assert f"| {p.name} | 59 |" in markdown


def test_answer_bars_are_coloured_by_keyed_direction(example: Results) -> None:
    context = build_context(example, "html")
    items = {i["key"]: i for p in context["report"]["principles"] for i in p["items"]}
    forward, reverse = items["basics-1"], items["basics-4"]
    assert not forward["reverse"] and reverse["reverse"]
    colours = option_colours(5)
    agree_forward = next(o for o in forward["options"] if o["label"] == "Strongly agree")
    agree_reverse = next(o for o in reverse["options"] if o["label"] == "Strongly agree")
    assert agree_forward["colour"] == colours[-1]  # favourable: purple end
    assert agree_reverse["colour"] == colours[0]  # agreeing is unfavourable: orange end
    # the legend shows the forward colours and the intro says how to read reversed ones
    assert [o["colour"] for o in reverse["legend"][:5]] == colours
    assert "reverse-keyed statement agreeing is the unfavourable answer" in Page(
        render_report(example, "html")).text


def test_period_text() -> None:
    d = dt.date
    assert period_text(d(2024, 3, 4), d(2024, 3, 15)) == "4\u201315 March 2024"
    assert period_text(d(2024, 2, 28), d(2024, 3, 2)) == "28 February \u2013 2 March 2024"
    assert period_text(d(2023, 12, 30), d(2024, 1, 2)) == \
        "30 December 2023 \u2013 2 January 2024"
    assert period_text(d(2024, 3, 4), d(2024, 3, 4)) == "4 March 2024"
    assert period_text(None, None) is None


# -- the command line ------------------------------------------------------------------------


def test_score_writes_a_titled_board_report_with_an_embedded_logo(tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    logo.write_bytes(png())
    out = tmp_path / "board.html"
    result = CliRunner().invoke(app, [
        "score", str(RESPONSES), "--by", "organisation", "-o", str(out),
        "--title", "North Riverside ICS board, March 2026",
        "--organisation", "North Riverside ICS", "--logo", str(logo)])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "<h1>North Riverside ICS board, March 2026</h1>" in html
    assert '<img class="logo" src="data:image/png;base64,iVBORw0KGgo' in html
    assert "http" not in "".join(re.findall(r'src="[^"]*"', html))


@pytest.mark.parametrize(("content", "message"), [
    (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
     "not a PNG, JPEG, GIF or WebP image. SVG is not accepted because it can carry scripts"),
    (b"GIF8", "not a PNG, JPEG, GIF or WebP image"),
    (b"\x89PNG\r\n\x1a\n" + b"0" * MAX_LOGO_BYTES, "too large: a cover logo may be at most"),
])
def test_a_bad_logo_is_a_located_error(tmp_path: Path, content: bytes, message: str) -> None:
    logo = tmp_path / "logo.svg"
    logo.write_bytes(content)
    out = tmp_path / "board.html"
    for command in (["score", str(RESPONSES), "-o", str(out)],
                    ["report", str(EXAMPLES / "missing.json"), "-o", str(out)]):
        result = CliRunner().invoke(app, [*command, "--logo", str(logo)])
        assert result.exit_code == 1
        assert result.stderr.startswith(f"{logo}: "), result.stderr
        assert message in result.stderr and "Traceback" not in result.stderr
    assert not out.exists()


def test_report_takes_the_cover_options_too(tmp_path: Path) -> None:
    results = tmp_path / "results.json"
    assert CliRunner().invoke(app, ["score", str(RESPONSES), "-o", str(results)]).exit_code == 0
    out = tmp_path / "board.md"
    result = CliRunner().invoke(app, ["report", str(results), "-o", str(out), "--title",
                                      "Board, March 2026", "--organisation", "North ICS"])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("# Board, March 2026\n\n**North ICS**\n")


# -- survey --choices ------------------------------------------------------------------------

# org (choice 2), sector, b1, b2 hats, c1 (Don't know), i1 now/target, story; then save
CHOICE_INPUT = "2\nlocal authority\n3\n2\n3\nd\n1\n3\nA story\n\n"


def test_survey_offers_the_organisations_in_the_room(tmp_path: Path) -> None:
    orgs = tmp_path / "orgs.txt"
    orgs.write_text("# organisations in the room\nAcme Trust\n\nBeta   Council\n",
                    encoding="utf-8")
    qs_path = write_set(tmp_path)
    out = tmp_path / "responses.csv"
    result = CliRunner().invoke(app, ["survey", "--question-set", str(qs_path), "-o", str(out),
                                      "--plain", "--choices", f"org={orgs}"],
                                input=CHOICE_INPUT)
    assert result.exit_code == 0, result.output
    assert "    1  Acme Trust\n    2  Beta Council\n" in result.stdout
    row = out.read_text(encoding="utf-8").splitlines()[1].split(",")
    assert row[2:4] == ["Beta Council", "Local authority"]
    assert survey_set().respondent[0].type == "text"  # the set on disk is unchanged


@pytest.mark.parametrize(("spec", "code", "message"), [
    ("org", 2, "give FIELD=FILE"),
    ("colour=orgs.txt", 2, "'colour' is not a respondent field of workshop; choose from org, "
     "sector"),
    ("org=missing.txt", 1, "missing.txt: cannot read"),
    ("org=dupes.txt", 1, "dupes.txt:3: 'acme trust' is listed twice. First on line 1"),
])
def test_bad_choices_are_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spec: str,
                                  code: int, message: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "dupes.txt").write_text("Acme Trust\nBeta\nacme  trust\n", encoding="utf-8")
    qs_path = write_set(tmp_path)
    result = CliRunner().invoke(app, ["survey", "--question-set", str(qs_path), "--plain",
                                      "--choices", spec], input="")
    assert result.exit_code == code
    assert message in result.stderr, result.stderr
    assert not (tmp_path / "responses.csv").exists()


# -- question-set checks for the new recommendations key -------------------------------------


def test_question_recommendations_are_checked(tmp_path: Path) -> None:
    text = (EXAMPLES.parent / "question_sets" / "ggi-systems-leadership.yaml").read_text(
        encoding="utf-8")
    broken = text.replace("      4: >-\n        Return the favour", "      7: >-\n        "
                          "Return the favour", 1)
    path = tmp_path / "set.yaml"
    path.write_text(broken, encoding="utf-8")
    problems = [str(p) for p in validate_file(path).problems]
    assert any("questions[34].recommendations.7: '7' is not a value of scale 'maturity'. "
               "Use one of 0, 1, 2, 3, 4" in p for p in problems), problems
    assert any("warning: questions[34].recommendations: no recommendation for value 4" in p
               for p in problems), problems


def test_a_results_file_with_impossible_board_figures_is_refused(example: Results,
                                                                 tmp_path: Path) -> None:
    import json

    from leadlens.report import load_results
    from leadlens.results.loading import ResultsError

    doc = json.loads(example.model_dump_json(by_alias=True))
    doc["principles"][0]["clearly_below"] = 1.5
    doc["timepoints"][0]["paired_means"] = [1.0, 9.0]
    path = tmp_path / "results.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ResultsError) as caught:
        load_results(path)
    text = str(caught.value)
    assert "principles[0].clearly_below: 1.5 is not a share (0 to 1)" in text
    assert "timepoints[0].paired_means[1]: 9.0 is not on the question set's scales" in text
