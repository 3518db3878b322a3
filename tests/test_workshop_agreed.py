"""The agreed-levels file: its format, located errors, and the board pack it feeds."""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from leadlens.cli import app
from leadlens.questionset.loading import load_question_set
from leadlens.results.document import AgreedAction
from leadlens.workshop.agreed import Agreed, AgreedError, load_agreed, parse_agreed, save_agreed
from workshop_support import Phone, client, csrf_of, facilitator, make_workshop

QS = load_question_set(None)

GOOD = """\
agreed: 1
question_set: ggi-systems-leadership
question_set_version: 1.0.0
updated_at: 2026-12-01T10:42:00+00:00
principles:
  basics:
    current: developing
    target: established
    notes: Split on partnership working
    actions:
      - text: Agree shared outcomes with partners
        owner: Chief executive
        due: 2027-03-31
  narrative:
    current: emerging
    target: developing
"""


def test_a_good_file_reads_and_round_trips(tmp_path: Path) -> None:
    agreed = parse_agreed(GOOD.encode(), "board.agreed.yaml", QS)
    basics = agreed.principles["basics"]
    assert (basics.current, basics.target) == ("developing", "established")
    assert basics.actions == [AgreedAction(text="Agree shared outcomes with partners",
                                           owner="Chief executive", due=dt.date(2027, 3, 31))]
    assert agreed.updated_at == dt.datetime(2026, 12, 1, 10, 42, tzinfo=dt.UTC)
    path = tmp_path / "board.agreed.yaml"
    save_agreed(path, agreed)
    again = load_agreed(path, QS)
    assert again.principles == agreed.principles and again.updated_at == agreed.updated_at
    result = again.result(QS, "board.agreed.yaml")
    assert [p.principle for p in result.principles] == ["basics", "narrative"]  # set order


def test_text_that_looks_like_yaml_survives_a_round_trip(tmp_path: Path) -> None:
    agreed = Agreed.empty_for(QS)
    entry = agreed.agreement("basics")
    entry.notes = "no: yes\n- # [x] {y} 'q' \"z\" <script>"
    entry.actions.append(AgreedAction(text="on", owner="010", due=None))
    path = tmp_path / "a.yaml"
    save_agreed(path, agreed)
    again = load_agreed(path, QS).principles["basics"]
    assert again.notes == entry.notes.strip()
    assert again.actions[0].text == "on" and again.actions[0].owner == "010"


@pytest.mark.parametrize(("text", "expected"), [
    ("", ["a.yaml:1:1: the file is empty. Expected 'agreed: 1', 'question_set: ...' and "
          "'principles:'; see docs/workshop.md"]),
    ("- 1\n", ["a.yaml:1:1: expected a mapping with 'agreed', 'question_set' and 'principles', "
               "found a list"]),
    ("""\
     agreed: 2
     question_set: other-set
     principles:
       basiks:
         current: developing
       context:
         current: Developing
         target: 7
         colour: red
         actions:
           - owner: Nobody
             due: next week
           - text: Fine
     """, [
        "a.yaml:1:9: agreed: expected 'agreed: 1' (the format version), found 2. See "
        "docs/workshop.md for the format",
        "a.yaml:2:15: question_set: agreed for question set 'other-set', not "
        "'ggi-systems-leadership'. Score with --question-set other-set",
        "a.yaml:4:3: principles.basiks: unknown key 'basiks'. Did you mean 'basics'?",
        "a.yaml:7:14: principles.context.current: 'Developing' is not a band of "
        "'ggi-systems-leadership'. Did you mean 'developing'?",
        "a.yaml:8:13: principles.context.target: 7 is not a band of 'ggi-systems-leadership'. "
        "Use one of the question set's bands: emerging, developing, established, embedded",
        "a.yaml:9:5: principles.context.colour: unknown key 'colour'. Expected one of: "
        "current, target, notes, actions",
        "a.yaml:11:9: principles.context.actions[0].text: is missing or empty. Say what is "
        "to be done",
        "a.yaml:12:14: principles.context.actions[0].due: 'next week' is not a date. Write it "
        "as YYYY-MM-DD, e.g. 2027-03-31",
    ]),
])
def test_every_problem_is_located_and_reported_at_once(text: str, expected: list[str]) -> None:
    with pytest.raises(AgreedError) as caught:
        parse_agreed(textwrap.dedent(text).encode(), "a.yaml", QS)
    assert [str(p) for p in caught.value.problems] == expected


def test_yaml_syntax_errors_are_located() -> None:
    with pytest.raises(AgreedError) as caught:
        parse_agreed(b"agreed: 1\nprinciples: [\n", "a.yaml", QS)
    [problem] = caught.value.problems
    assert str(problem).startswith("a.yaml:")


def test_score_agreed_adds_the_board_agreement_to_every_output(tmp_path: Path) -> None:
    w = make_workshop(tmp_path)
    for _ in range(5):
        phone = Phone(client(w), w.secrets.room)
        phone.join()
        phone.answer_all()
        phone.submit()
    f = facilitator(w)
    page = f.post("/f/reveal", data={"csrf": csrf_of(f.get("/f/").text),
                                     "unit": "principle:basics"}).text
    page = f.post("/f/agree", data={"csrf": csrf_of(page), "principle": "basics",
                                    "current": "embedded", "target": "embedded",
                                    "notes": "<b>bold</b> claim"}).text
    f.post("/f/action", data={"csrf": csrf_of(page), "principle": "basics",
                              "text": "Write to partners =cmd|' /C calc'!A0", "owner": "Chair",
                              "due": "2027-01-31"})
    board, agreed = str(w.room.output), str(w.agreed_path)
    runner = CliRunner()
    as_json = runner.invoke(app, ["score", board, "--agreed", agreed, "-f", "json"])
    assert as_json.exit_code == 0, as_json.stderr
    document = json.loads(as_json.stdout)
    assert document["results_version"] == 2
    [entry] = document["agreed"]["principles"]
    assert entry["principle"] == "basics" and entry["current"] == "embedded"
    assert entry["actions"] == [{"text": "Write to partners =cmd|' /C calc'!A0",
                                 "owner": "Chair", "due": "2027-01-31"}]
    html_out = tmp_path / "board.html"
    as_html = runner.invoke(app, ["score", board, "--agreed", agreed, "-o", str(html_out)])
    assert as_html.exit_code == 0, as_html.stderr
    page = html_out.read_text()
    assert "What the board agreed" in page and 'href="#what-the-board-agreed"' in page
    assert "Embedded" in page and "Chair" in page and "2027-01-31" in page
    assert "&lt;b&gt;bold&lt;/b&gt; claim" in page and "<b>bold</b>" not in page
    assert "above the individual answers" in page or "same band" in page
    as_md = runner.invoke(app, ["score", board, "--agreed", agreed, "-f", "md"])
    assert as_md.exit_code == 0
    assert "## What the board agreed" in as_md.stdout and "### Action plan" in as_md.stdout
    plain = runner.invoke(app, ["score", board, "-f", "md"])
    assert "What the board agreed" not in plain.stdout  # only when --agreed is given


def test_score_agreed_with_a_bad_file_is_a_located_error(tmp_path: Path, write) -> None:  # type: ignore[no-untyped-def]
    responses = write("r.csv", "respondent_id,organisation\n")
    bad = write("bad.yaml", "agreed: 1\nquestion_set: ggi-systems-leadership\nprinciples:\n"
                            "  basics: {current: top}\n")
    result = CliRunner().invoke(app, ["score", str(responses), "--agreed", str(bad),
                                      "-f", "json"])
    assert result.exit_code == 1
    assert result.stderr == (f"{bad}:4:21: principles.basics.current: 'top' is not a band of "
                             "'ggi-systems-leadership'. Use one of the question set's bands: "
                             "emerging, developing, established, embedded\n")
    missing = CliRunner().invoke(app, ["score", str(responses), "--agreed",
                                       str(tmp_path / "none.yaml"), "-f", "json"])
    assert missing.exit_code == 1 and "cannot read" in missing.stderr


TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
               max_size=60)


@settings(max_examples=60, deadline=None)
@example(notes="", texts=["0"], owner="0\x850", band=None, due=None)  # NEL: PyYAML folded it
@example(notes="a\u2028b\rc", texts=["x\u2029y"], owner="\x1b[31m", band=None, due=None)
@given(notes=TEXT, texts=st.lists(TEXT.filter(lambda t: t.strip() != ""), max_size=3),
       owner=TEXT, band=st.sampled_from([None, *[b.id for b in QS.bands]]),
       due=st.one_of(st.none(), st.dates(dt.date(2000, 1, 1), dt.date(2100, 12, 31))))
def test_whatever_the_room_types_reads_back_the_same(
        tmp_path_factory: pytest.TempPathFactory, notes: str, texts: list[str], owner: str,
        band: str | None, due: dt.date | None) -> None:
    agreed = Agreed.empty_for(QS)
    entry = agreed.agreement("context")
    entry.current = entry.target = band
    entry.notes = notes.strip()
    entry.actions = [AgreedAction(text=t.strip(), owner=owner.strip(), due=due) for t in texts]
    path = tmp_path_factory.mktemp("agreed") / "board.agreed.yaml"
    save_agreed(path, agreed)
    again = load_agreed(path, QS)
    if entry.empty:
        assert again.principles == {}
    else:
        assert again.principles == {"context": entry}


def test_the_report_context_with_an_agreement_fits_its_declared_schema() -> None:
    import jsonschema

    from conftest import REPO
    from leadlens.report.context import build_context
    from leadlens.report.view import ReportContext
    from leadlens.responses.table import Responses
    from leadlens.scoring import score
    from leadlens.workshop.pack import with_agreed

    rated = [(k, [o.value for o in QS.scales[q.scale or ""].options])
             for q in QS.questions if q.type == "rating" for k in q.answer_keys]
    rows = [{"organisation": "A", **{k: values[(i + j) % len(values)]
                                     for j, (k, values) in enumerate(rated)}}
            for i in range(6)]
    results = score(QS, Responses.from_records(QS, rows)).results
    results = with_agreed(results, parse_agreed(GOOD.encode(), "board.agreed.yaml", QS),
                          "board.agreed.yaml")
    context = build_context(results, "html")
    agreed = context["report"]["agreed"]
    assert [r["id"] for r in agreed["rows"]] == ["basics", "narrative"]
    assert agreed["actions"][0]["due"] == "2027-03-31"
    ReportContext.model_validate_json(json.dumps(context))
    schema = json.loads((REPO / "schema" / "report-context.schema.json").read_text("utf-8"))
    jsonschema.Draft202012Validator(schema).validate(context)


def test_the_example_agreed_file_scores_with_the_example_responses(tmp_path: Path) -> None:
    from conftest import EXAMPLES

    out = tmp_path / "board.md"
    result = CliRunner().invoke(app, ["score", str(EXAMPLES / "responses.csv"), "--agreed",
                                      str(EXAMPLES / "board.agreed.yaml"), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    assert "## What the board agreed" in text and "Test it with the citizens' panel" in text
    assert "agreed.other-version" not in result.stderr and "agreed on version" not in \
        result.stderr  # the example is agreed on the bundled set's version


def test_an_agreement_on_another_version_warns_once_located(tmp_path: Path) -> None:
    from conftest import EXAMPLES

    assert QS.version != "1.0.0"
    agreed = parse_agreed(GOOD.encode(), "board.agreed.yaml", QS)
    (warning,) = agreed.warnings
    assert (warning.line, warning.severity, str(warning.code)) == (
        3, "warning", "agreed.other-version")
    current = parse_agreed(GOOD.replace("1.0.0", QS.version).encode(), "b.yaml", QS)
    assert current.warnings == []
    path = tmp_path / "board.agreed.yaml"
    path.write_text(GOOD, encoding="utf-8")
    result = CliRunner().invoke(app, ["score", str(EXAMPLES / "responses.csv"), "--agreed",
                                      str(path), "--no-workshop-record", "-o",
                                      str(tmp_path / "board.md")])
    assert result.exit_code == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if "agreed on version" in line]
    assert lines == [f"{path}:3:23: warning: question_set_version: agreed on version 1.0.0 of "
                     f"'ggi-systems-leadership'; this run scores version {QS.version}. Check "
                     "that the agreed levels still fit its principles and bands, then write "
                     f"question_set_version: {QS.version}"]
    quiet = CliRunner().invoke(app, ["score", str(EXAMPLES / "responses.csv"), "--agreed",
                                     str(path), "--no-workshop-record", "--quiet", "-o",
                                     str(tmp_path / "board2.md")])
    assert quiet.exit_code == 0, quiet.stderr
    assert "agreed on version" not in quiet.stderr
