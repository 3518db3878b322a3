"""``leadlens template``: commented answers files and blank responses CSVs."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from leadlens.cli import app
from leadlens.questionset.model import QuestionSet
from leadlens.survey.answers_file import parse_answers
from leadlens.survey.template import answers_json, answers_yaml, blank_csv
from survey_support import HEADER, SURVEY_SET, survey_set, write_set

runner = CliRunner()


def test_the_yaml_template_has_every_field_and_answer_key_blank() -> None:
    data = yaml.safe_load(answers_yaml(survey_set()))
    assert data == {"respondent": {"org": None, "sector": None},
                    "answers": dict.fromkeys(HEADER[4:])}


def test_the_yaml_template_comments_each_question_and_scale() -> None:
    text = answers_yaml(survey_set(), "set.yaml")
    assert "#   leadlens survey --question-set set.yaml --answers answers.yaml" in text
    block = text[text.index("  # b2: We plan together."):text.index("  b2@system:")]
    assert block.splitlines() == [
        "  # b2: We plan together.",
        "  # agree: 1 Disagree, 2 Neutral, 3 Agree; or \"Don't know\"",
        "  # -> Organisation hat: As a leader of your organisation.",
        "  b2@organisation:",
        "  # -> System hat: As a partner in the whole system.",
    ]
    assert "  # Which organisation? (required)\n  org:\n" in text
    assert "  # Choose one: NHS trust | Local authority\n  sector:\n" in text
    assert "  # == Questions for the board ==\n" in text
    assert "  # t1: Tell us a story.\n  # Free text" in text
    assert all(len(line) <= 96 for line in text.splitlines())


HOSTILE = ("Line one\nanswers: {evil: 1}\r\ninjected: 2\rcr: 3\x85nel: 4\u2028ls: 5\u2029ps: 6"
           "\x0bvt: 7\x0cff: 8 \x1b[31m #not a comment end")


def hostile_set() -> QuestionSet:
    qs = survey_set()
    first = qs.questions[0].model_copy(update={"text": HOSTILE, "help": HOSTILE})
    field = qs.respondent[0].model_copy(update={"prompt": HOSTILE})
    return qs.model_copy(update={"questions": [first, *qs.questions[1:]],
                                 "respondent": [field, *qs.respondent[1:]],
                                 "title": HOSTILE})


def test_question_text_cannot_break_out_of_its_comment() -> None:
    qs = hostile_set()
    text = answers_yaml(qs, "evil\nkey: 1")
    data = yaml.safe_load(text)
    assert data == {"respondent": {"org": None, "sector": None},
                    "answers": dict.fromkeys(HEADER[4:])}
    for line in text.splitlines():
        assert not line.strip() or line.lstrip().startswith("#") or line.rstrip().endswith(":") \
            or line in ("respondent:", "answers:"), line
    assert "# b1: Line one\n  # answers: {evil: 1}\n" in text
    assert "\\x1b[31m" in text and "\x1b" not in text
    # and leadlens itself reads it as an empty answers file (b1 is required)
    filled = text.replace("  b1:\n", "  b1: 3\n").replace("  org:\n", "  org: A\n")
    assert parse_answers(filled.encode(), "a.yaml", qs).answers == {"b1": "3"}


def test_keys_yaml_would_read_as_something_else_are_quoted() -> None:
    qs = QuestionSet.model_validate(yaml.safe_load(SURVEY_SET.replace(
        "id: t1,", "id: 'no',").replace("id: c1,", "id: '10',")))
    text = answers_yaml(qs)
    assert '  "no":\n' in text and '  "10":\n' in text
    assert set(yaml.safe_load(text)["answers"]) >= {"no", "10"}


def test_json_template_and_blank_csv() -> None:
    qs = survey_set()
    assert json.loads(answers_json(qs)) == {"respondent": {"org": None, "sector": None},
                                            "answers": dict.fromkeys(HEADER[4:])}
    assert list(csv.reader(io.StringIO(blank_csv(qs)))) == [HEADER]


# -- the command --------------------------------------------------------------------------------

def test_cli_writes_by_extension_atomically_and_refuses_to_overwrite(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    set_path = str(write_set(tmp_path))
    result = runner.invoke(app, ["template", set_path, "-o", "answers.yaml"])
    assert result.exit_code == 0 and result.stderr == "wrote answers.yaml\n"
    assert Path("answers.yaml").read_text(encoding="utf-8") == answers_yaml(survey_set(),
                                                                            set_path)
    result = runner.invoke(app, ["template", set_path, "-o", "blank.csv"])
    assert result.exit_code == 0
    assert Path("blank.csv").read_text(encoding="utf-8") == ",".join(HEADER) + "\n"
    result = runner.invoke(app, ["template", set_path, "-o", "answers.json"])
    assert json.loads(Path("answers.json").read_text(encoding="utf-8"))["answers"]["b1"] is None

    again = runner.invoke(app, ["template", set_path, "-o", "blank.csv"])
    assert again.exit_code == 1
    assert again.stderr == ("blank.csv: file exists; not overwritten. Pass --force to replace "
                            "it, or choose another -o path\n")
    forced = runner.invoke(app, ["template", set_path, "-o", "blank.csv", "--force"])
    assert forced.exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "answers.json", "answers.yaml", "blank.csv", "set.yaml"]  # no temporary files left


def test_cli_prints_yaml_without_output_and_rejects_unknown_formats(tmp_path: Path) -> None:
    set_path = str(write_set(tmp_path))
    printed = runner.invoke(app, ["template", set_path])
    assert printed.exit_code == 0 and printed.stdout == answers_yaml(survey_set(), set_path)
    bad = runner.invoke(app, ["template", set_path, "-o", str(tmp_path / "a.txt")])
    assert bad.exit_code == 2
    assert "cannot tell the format from" in bad.stderr
    bad = runner.invoke(app, ["template", set_path, "--format", "xml"])
    assert bad.exit_code == 2
    assert bad.stderr == "Error: --format 'xml': choose one of yaml, json, csv\n"


def test_a_template_for_the_bundled_set_round_trips_through_survey_answers(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(app, ["template", "-o", "answers.yaml"]).exit_code == 0
    text = Path("answers.yaml").read_text(encoding="utf-8")
    filled = (text.replace("  organisation:\n", "  organisation: Acme\n")
              .replace("  sector:\n", "  sector: local authority\n")
              .replace("  role:\n", "  role: Manager\n")
              .replace("  basics-1:\n", "  basics-1: Agree\n")
              .replace("  icb-1@target:\n", "  icb-1@target: 3\n"))
    Path("answers.yaml").write_text(filled, encoding="utf-8")
    assert runner.invoke(app, ["template", "-o", "blank.csv"]).exit_code == 0
    result = runner.invoke(app, ["survey", "--answers", "answers.yaml", "-o", "blank.csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(Path("blank.csv").read_text(encoding="utf-8"))))
    assert len(rows) == 1
    assert (rows[0]["sector"], rows[0]["basics-1"], rows[0]["icb-1@target"]) == (
        "Local authority", "4", "3")
