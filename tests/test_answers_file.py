"""File-based answers: every kind of bad value, located at file:line:col, nothing coerced."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from leadlens.cli import app
from leadlens.errors import ResponsesError
from leadlens.survey.answers_file import FileAnswers, parse_answers
from leadlens.survey.template import answers_yaml
from survey_support import HEADER, survey_set, write_set

GOOD = """\
respondent:
  org: Acme Trust
  sector: local AUTHORITY
answers:
  b1: 3
  b2@organisation: agree
  b2@system: "2"
  c1: DON'T KNOW
  i1@current:
  i1@target: Disagree
  t1: |
    Two lines
    of story.
"""


def check(text: str, name: str = "answers.yaml") -> FileAnswers:
    return parse_answers(textwrap.dedent(text).encode("utf-8"), name, survey_set())


def problems(text: str, name: str = "answers.yaml") -> list[str]:
    with pytest.raises(ResponsesError) as caught:
        check(text, name)
    return [str(p) for p in caught.value.problems]


def test_a_good_file_gives_csv_cells() -> None:
    result = check(GOOD)
    assert result.fields == {"org": "Acme Trust", "sector": "Local authority"}
    assert result.answers == {"b1": "3", "b2@organisation": "3", "b2@system": "2",
                              "c1": "Don't know", "i1@target": "1",
                              "t1": "Two lines\nof story."}
    assert result.respondent_id is None


def test_the_same_answers_as_json() -> None:
    document = {"respondent_id": "R7", "respondent": {"org": "Acme", "sector": None},
                "answers": {"b1": 3, "b2@organisation": "Agree", "c1": "don't know",
                            "t1": 42}}
    result = check(json.dumps(document, indent=2), "answers.json")
    assert result.respondent_id == "R7"
    assert result.fields == {"org": "Acme"}
    assert result.answers == {"b1": "3", "b2@organisation": "3", "c1": "Don't know",
                              "t1": "42"}


def test_labels_compare_as_in_platform_exports() -> None:
    """Smart quotes, extra spaces and a trailing full stop read as in an import."""
    document = {"respondent": {"org": "Acme", "sector": "local  authority."},
                "answers": {"b1": " agree. ", "c1": "Don\u2019t Know"}}
    result = check(json.dumps(document), "answers.json")
    assert result.fields == {"org": "Acme", "sector": "Local authority"}
    assert result.answers == {"b1": "3", "c1": "Don't know"}


def test_aliases_are_accepted(tmp_path: Path) -> None:
    qs = survey_set()
    scale = qs.scales["agree"]
    aliased = scale.model_copy(update={"options": [
        scale.options[0], scale.options[1].model_copy(update={"aliases": ["Meh"]}),
        scale.options[2]]})
    qs = qs.model_copy(update={"scales": {"agree": aliased}})
    data = b"respondent: {org: A}\nanswers: {b1: meh}\n"
    assert parse_answers(data, "a.yaml", qs).answers == {"b1": "2"}


YAML_CASES = [
    ("b1: 7", "answers.yaml:3:7: answers.b1: 7 is not on the agree scale (1-3). Use one of: "
     "1 Disagree, 2 Neutral, 3 Agree, or \"Don't know\""),
    ("b1: 0", "answers.yaml:3:7: answers.b1: 0 is not on the agree scale (1-3)."),
    ("b1: -1", "answers.yaml:3:7: answers.b1: -1 is not on the agree scale (1-3)."),
    ("b1: 2.5", "answers.yaml:3:7: answers.b1: 2.5 is not a whole number on the agree scale "
     "(1-3)."),
    ("b1: 3.0", "answers.yaml:3:7: answers.b1: 3.0 is not a whole number on the agree scale"),
    ("b1: .nan", "answers.yaml:3:7: answers.b1: .nan is not a whole number"),
    ("b1: .inf", "answers.yaml:3:7: answers.b1: .inf is not a whole number"),
    ("b1: 1e3", "answers.yaml:3:7: answers.b1: '1e3' is not an option of the agree scale"),
    ("b1: yes", "answers.yaml:3:7: answers.b1: yes is a yes/no value (boolean), not an answer "
     "on the agree scale (1-3)."),
    ("b1: no", "answers.yaml:3:7: answers.b1: no is a yes/no value (boolean)"),
    ("b1: true", "answers.yaml:3:7: answers.b1: true is a yes/no value (boolean)"),
    ("b1: On", "answers.yaml:3:7: answers.b1: On is a yes/no value (boolean)"),
    ("b1: 0x3", "answers.yaml:3:7: answers.b1: '0x3' is not a plain whole number on the agree "
     "scale (1-3)."),
    ("b1: 1_0", "answers.yaml:3:7: answers.b1: '1_0' is not a plain whole number"),
    ("b1: 1:30", "answers.yaml:3:7: answers.b1: '1:30' is not a plain whole number"),
    ("b1: Agre", "answers.yaml:3:7: answers.b1: 'Agre' is not an option of the agree scale "
     "(1-3). Did you mean 'Agree'?"),
    ("b1: \"9\"", "answers.yaml:3:7: answers.b1: 9 is not on the agree scale (1-3)."),
    ("b1: [1, 2]", "answers.yaml:3:7: answers.b1: expected a value or label on the agree scale "
     "(1-3), found a list"),
    ("b1: {a: 1}", "answers.yaml:3:7: answers.b1: expected a value or label on the agree scale "
     "(1-3), found a mapping"),
    ("t1: yes", "answers.yaml:3:7: answers.t1: yes is read as a yes/no value (boolean), not "
     "text. Quote it if you mean the text: \"yes\""),
    ("t1: [a]", "answers.yaml:3:7: answers.t1: expected text, found a list"),
    ("b1x: 3", "answers.yaml:3:3: answers: unknown key 'b1x'. Did you mean 'b1'?"),
    ("b2: 3", "answers.yaml:3:3: answers: unknown key 'b2'. 'b2' is answered under each "
     "perspective: use 'b2@organisation', 'b2@system'"),
    ("i1: 3", "answers.yaml:3:3: answers: unknown key 'i1'. 'i1' is answered for each "
     "timepoint: use 'i1@current', 'i1@target'"),
    ("b2@sytem: 3", "answers.yaml:3:3: answers: unknown key 'b2@sytem'. Did you mean "
     "'b2@system'?"),
]


@pytest.mark.parametrize(("line", "expected"), YAML_CASES, ids=[c[0] for c in YAML_CASES])
def test_each_bad_yaml_answer_is_reported_at_its_value(line: str, expected: str) -> None:
    text = f"respondent: {{org: Acme}}\nanswers:\n  {line}\n"
    if line.split(":")[0] != "b1":
        text += "  b1: 3\n"
    found = problems(text)
    assert len(found) == 1, found
    assert found[0].startswith(expected), found[0]


FIELD_CASES = [
    ("org: no", "answers.yaml:2:8: respondent.org: no is read as a yes/no value (boolean), "
     "not text. Quote it if you mean the text: \"no\""),
    ("org: [x]", "answers.yaml:2:8: respondent.org: expected text, found a list"),
    ("org: A\n  sector: NHS", "answers.yaml:3:11: respondent.sector: 'NHS' is not one of the "
     "choices. Did you mean 'NHS trust'?"),
    ("org: A\n  sector: Hospital", "answers.yaml:3:11: respondent.sector: 'Hospital' is not "
     "one of the choices. Choose one of: NHS trust; Local authority"),
    ("org: A\n  sectr: NHS trust", "answers.yaml:3:3: respondent: unknown key 'sectr'. Did "
     "you mean 'sector'?"),
    ("org: \"\"", "answers.yaml:2:8: respondent.org: required field 'org' (Which "
     "organisation?) has no answer"),
    ("sector: NHS trust", "answers.yaml:2:3: respondent.org: required field 'org' (Which "
     "organisation?) has no answer"),
]


@pytest.mark.parametrize(("lines", "expected"), FIELD_CASES, ids=[c[0] for c in FIELD_CASES])
def test_each_bad_respondent_field_is_located(lines: str, expected: str) -> None:
    assert problems(f"respondent:\n  {lines}\nanswers:\n  b1: 3\n") == [expected]


def test_numbers_in_a_text_field_are_kept_as_written() -> None:
    result = check("respondent: {org: 007}\nanswers: {b1: 3}\n")
    assert result.fields["org"] == "007"


def test_every_problem_is_reported_at_once_in_file_order() -> None:
    text = """\
        answers:
          b1: 9
          c1: yes
          b2@system: 2.0
          zz: 1
        respondent:
          org: true
        """
    assert problems(text) == [
        "answers.yaml:2:7: answers.b1: 9 is not on the agree scale (1-3). Use one of: "
        "1 Disagree, 2 Neutral, 3 Agree, or \"Don't know\"",
        "answers.yaml:3:7: answers.c1: yes is a yes/no value (boolean), not an answer on the "
        "agree scale (1-3). Use one of: 1 Disagree, 2 Neutral, 3 Agree, or \"Don't know\"",
        "answers.yaml:4:14: answers.b2@system: 2.0 is not a whole number on the agree scale "
        "(1-3). Use one of: 1 Disagree, 2 Neutral, 3 Agree, or \"Don't know\"",
        "answers.yaml:5:3: answers: unknown key 'zz'",
        "answers.yaml:7:8: respondent.org: true is read as a yes/no value (boolean), not text. "
        "Quote it if you mean the text: \"true\"",
    ]


def test_a_required_question_without_answer() -> None:
    assert problems("respondent: {org: A}\nanswers:\n  c1: 2\n") == [
        "answers.yaml:3:3: answers.b1: required question 'b1' has no answer"]
    assert problems("respondent: {org: A}\nanswers:\n  b1:\n") == [
        "answers.yaml:3:6: answers.b1: required question 'b1' has no answer"]


@pytest.mark.parametrize(("text", "expected"), [
    ("", "answers.yaml:1:1: the file is empty. Expected 'respondent:' and 'answers:'; "
         "`leadlens template -o answers.yaml` writes one"),
    ("- 1\n- 2\n", "answers.yaml:1:1: expected a mapping with 'respondent' and 'answers', "
                   "found a list"),
    ("respondent: {org: A}\n", "answers.yaml:1:1: no 'answers:' section. Add 'answers:' with "
                               "one key per question"),
    ("respondent: {org: A}\nanswers: {b1: 3}\nanswer: {}\n",
     "answers.yaml:3:1: unknown key 'answer'. Did you mean 'answers'?"),
    ("respondent: [A]\nanswers: {b1: 3}\n",
     "answers.yaml:1:13: respondent: expected a mapping of field ids to text, found a list"),
    ("respondent: {org: A}\nanswers: 3\n",
     "answers.yaml:2:10: answers: expected a mapping of answer keys to values, found '3'"),
    ("respondent: {org: A}\nanswers:\n  b1: 3\n\tc1: 2\n",
     "answers.yaml:4:1: YAML syntax: a tab character where YAML expects spaces. "
     "Indent with spaces; YAML does not allow tabs"),
    ("respondent: {org: A\nanswers: {}\n", "answers.yaml:2:8: YAML syntax: a '{' mapping that "
                                            "is not closed with '}' on its line (the mapping "
                                            "opens at line 1)"),
    ("a: 1\n---\nb: 2\n", "answers.yaml:2:1: a second YAML document starts here; an answers "
                          "file is one document. Remove the '---' line or split the file"),
    ("respondent: !!python/object:os.system {}\nanswers: {b1: 3}\n",
     "answers.yaml:1:13: unsupported YAML tag 'tag:yaml.org,2002:python/object:os.system'; an "
     "answers file holds plain values"),
    ("respondent: {org: A}\nanswers: {b1: !custom 3}\n",
     "answers.yaml:2:15: unsupported YAML tag '!custom'"),
    ("x: &a [*a, *a]\n", "answers.yaml:1:8: alias *a is inside the value it names (a "
                         "recursive anchor). A value cannot contain itself; write it out"),
])
def test_documents_that_are_not_an_answers_file(text: str, expected: str) -> None:
    found = problems(text)
    assert found[0].startswith(expected), found


def test_bad_bytes_are_located() -> None:
    with pytest.raises(ResponsesError) as caught:
        parse_answers(b"respondent: {org: A}\nanswers: {t1: \xff}\n", "a.yaml", survey_set())
    assert str(caught.value) == "a.yaml:2:15: invalid UTF-8 byte 0xff. Save the file as UTF-8"


JSON_CASES = [
    ('{"respondent": {"org": "A"}, "answers": {"b1": 3,}}',
     "answers.json:1:50: not valid JSON: expected a key in double quotes"),
    ('{"respondent": {"org": "A"},\n "answers": {"b1": 2.0}}',
     "answers.json:2:20: answers.b1: 2.0 is not a whole number on the agree scale (1-3)."),
    ('{"respondent": {"org": "A"},\n "answers": {"b1": 1e0}}',
     "answers.json:2:20: answers.b1: 1e0 is not a whole number"),
    ('{"respondent": {"org": "A"},\n "answers": {"b1": NaN}}',
     "answers.json:2:20: answers.b1: NaN is not a whole number"),
    ('{"respondent": {"org": "A"},\n "answers": {"b1": false}}',
     "answers.json:2:20: answers.b1: false is a yes/no value (boolean)"),
    ('{"respondent": {"org": "A"},\n "answers": {"b1": 4}}',
     "answers.json:2:20: answers.b1: 4 is not on the agree scale (1-3)."),
    ('{"respondent": {"org": "A"},\n "answers": {\n   "b1": 3, "b1": 2}}',
     "answers.json:3:13: answers: duplicate key 'b1' (first at line 3). Remove one of them"),
    ('{"respondent": {"org": "\\u00e9A"},\n "answers": {"b1": 3, "c\\u0031": "Agre"}}',
     "answers.json:2:34: answers.c1: 'Agre' is not an option of the agree scale (1-3). Did "
     "you mean 'Agree'?"),
    ('{"respondent": {"org": "A"}, "answers": {"b1": 3, "b3": 1}}',
     "answers.json:1:51: answers: unknown key 'b3'"),
    ("[1, 2]", "answers.json:1:1: expected a mapping with 'respondent' and 'answers', found a "
               "list"),
    ("   ", "answers.json:1:1: the file is empty."),
    ("[" * 5000 + "]" * 5000, "answers.json:1:"),
]


def test_deep_nesting_is_refused_not_a_traceback() -> None:
    # libyaml stops at its own depth limit, the pure-Python parser at ours (50): either way
    # one located problem, never a RecursionError.
    found = problems("answers: " + "[" * 3000 + "]" * 3000 + "\n")
    assert len(found) == 1 and found[0].startswith("answers.yaml:1:")
    assert "nested more than 50 levels deep" in found[0] or \
        "exceeded maximum nesting depth" in found[0]


@pytest.mark.parametrize(("text", "expected"), JSON_CASES, ids=range(len(JSON_CASES)))
def test_json_problems_are_located_too(text: str, expected: str) -> None:
    found = problems(text, "answers.json")
    assert len(found) == 1, found
    assert found[0].startswith(expected), found[0]


def test_the_template_is_a_valid_empty_answers_file() -> None:
    qs = survey_set()
    text = answers_yaml(qs).replace("  org:\n", "  org: Acme\n").replace("  b1:\n", "  b1: 2\n")
    result = parse_answers(text.encode(), "answers.yaml", qs)
    assert result.fields == {"org": "Acme"} and result.answers == {"b1": "2"}


# -- the command -------------------------------------------------------------------------------

def test_cli_appends_a_good_file_and_writes_nothing_for_a_bad_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    set_path = write_set(tmp_path)
    Path("good.yaml").write_text(GOOD, encoding="utf-8")
    Path("bad.yaml").write_text(GOOD.replace("b1: 3", "b1: yes").replace("c1: DON'T KNOW",
                                                                         "c1: 4.5"),
                                encoding="utf-8")
    runner = CliRunner()
    bad = runner.invoke(app, ["survey", "--question-set", str(set_path), "--answers",
                              "bad.yaml", "-o", "out.csv"])
    assert bad.exit_code == 1
    assert bad.stdout == ""
    assert bad.stderr.splitlines() == [
        "bad.yaml:5:7: answers.b1: yes is a yes/no value (boolean), not an answer on the agree "
        "scale (1-3). Use one of: 1 Disagree, 2 Neutral, 3 Agree, or \"Don't know\"",
        "bad.yaml:8:7: answers.c1: 4.5 is not a whole number on the agree scale (1-3). Use one "
        "of: 1 Disagree, 2 Neutral, 3 Agree, or \"Don't know\""]
    assert not Path("out.csv").exists()

    for _ in range(2):  # the second append needs no --force
        good = runner.invoke(app, ["survey", "--question-set", str(set_path), "--answers",
                                   "good.yaml", "-o", "out.csv"])
        assert good.exit_code == 0, good.output
        assert good.stdout.startswith("good.yaml: ok; respondent ")
    lines = Path("out.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == ",".join(HEADER)
    assert len(lines) == 1 + 2 * 2  # the story spans two lines, quoted
    assert lines[1].split(",")[2:8] == ["Acme Trust", "Local authority", "3", "3", "2",
                                        "Don't know"]


def test_cli_refuses_to_mix_answers_with_interactive_options(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["survey", "--answers", str(tmp_path / "a.yaml"),
                                      "--loop"])
    assert result.exit_code == 2
    assert "--answers saves one respondent from a file" in result.stderr


def test_the_bundled_example_answers_file_is_accepted(tmp_path: Path) -> None:
    example = Path(__file__).resolve().parents[1] / "examples" / "answers.yaml"
    result = CliRunner().invoke(app, ["survey", "--answers", str(example), "-o",
                                      str(tmp_path / "r.csv")])
    assert result.exit_code == 0, result.output
    assert len((tmp_path / "r.csv").read_text(encoding="utf-8").splitlines()) >= 2
