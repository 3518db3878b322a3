"""The question-set loader: every bad-input class reports the exact location it must."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from conftest import BUNDLED, MINIMAL_SET
from leadlens.errors import QuestionSetError
from leadlens.questionset.loading import load_question_set, validate_bytes


def problems_of(text: str | bytes) -> list[str]:
    data = text if isinstance(text, bytes) else textwrap.dedent(text).encode()
    return [str(p) for p in validate_bytes(data, "qs.yaml").problems]


def mutate(old: str, new: str) -> str:
    assert old in MINIMAL_SET, old
    return MINIMAL_SET.replace(old, new, 1)


def test_minimal_set_is_valid() -> None:
    result = validate_bytes(MINIMAL_SET.encode(), "qs.yaml")
    assert result.question_set is not None
    assert result.problems == []


def test_bundled_set_loads_by_id_and_path() -> None:
    by_id = load_question_set("ggi-systems-leadership")
    by_path = load_question_set(BUNDLED)
    default = load_question_set(None)
    assert by_id == by_path == default
    assert by_id.id == "ggi-systems-leadership"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("principle: basics, text: One", "principle: basic, text: One",
         "qs.yaml:24:25: questions[0].principle: unknown principle 'basic'. "
         "Did you mean 'basics'?"),
        ("text: Two, scale: agreement", "text: Two, scale: agremeent",
         "qs.yaml:25:51: questions[1].scale: unknown scale 'agremeent'. "
         "Did you mean 'agreement'?"),
        ("questions:\n", "questons: []\nquestions:\n",
         "qs.yaml:23:1: questons: unknown key 'questons'. Did you mean 'questions'?"),
        ('version: "1.0"', "version: 1.0",
         'qs.yaml:4:10: version: expected text, got a number (1.0). '
         'Quote it ("1.0") to keep it as text'),
        ("{value: 2, label: Disagree}", "{value: 2, label: No}",
         "qs.yaml:9:27: scales.agreement.options[1].label: 'No' is read by YAML 1.1 as "
         'false. Write false for a yes/no setting, or quote it ("No") if you mean text'),
        ('id: mini', 'id: 010',
         "qs.yaml:2:5: id: '010' is read by YAML 1.1 as the number 8. "
         'Quote it ("010") if you mean text, or write 8'),
        ("{id: high, label: High, from: 50}", "{id: high, label: High, from: 0}",
         "qs.yaml:16:35: bands[1].from: bands must ascend: 0 is not above 0"),
        ("{id: low, label: Low, from: 0}", "{id: low, label: Low, from: 10}",
         "qs.yaml:15:33: bands[0].from: the first band must start from 0, not 10. "
         "Bands cover the 0-100 score from the bottom up"),
        ("{value: 2, label: Disagree}", "{value: 1, label: Disagree}",
         "qs.yaml:9:17: scales.agreement.options[1].value: duplicate value 1 (also option 1)"),
        ("{value: 2, label: Disagree}", "{value: 2, label: Strongly disagree}",
         "qs.yaml:9:9: scales.agreement.options[1]: label or alias 'Strongly disagree' is "
         "used by option 1 too. Give each option its own labels and aliases"),
        ("{id: b3, principle: basics", "{id: b2, principle: basics",
         "qs.yaml:26:10: questions[2].id: duplicate question id 'b2' (first defined at line 25). "
         "Ids must be unique, regardless of case"),
        ("{low: Learn the basics., high: Keep going.}",
         "{lo: Learn the basics., high: Keep going.}",
         "qs.yaml:20:23: principles[0].recommendations.lo: unknown band 'lo'. "
         "Did you mean 'low'?"),
        ("scale: agreement, reverse: true}", "scale: agreement, reverse: true, weight: -1}",
         "qs.yaml:25:85: questions[1].weight: must be greater than 0, got a number (-1). "
         "Weights are relative, above 0 and at most 1000: 2 counts twice"),
        ("{value: 2, label: Disagree}", "{value: 2.5, label: Disagree}",
         "qs.yaml:9:17: scales.agreement.options[1].value: expected a whole number, "
         "got a number (2.5)"),
        ("schema_version: 1", "schema_version: 2",
         "qs.yaml:1:17: schema_version: expected 1, got a number (2)"),
        ("id: mini", "id: Mini Set",
         "qs.yaml:2:5: id: 'Mini Set' is not a valid id. Use lower-case letters, digits, "
         "'-' and '_', starting with a letter or digit"),
        ("title: Mini set\n", "",
         "qs.yaml:1:1: missing required key 'title'"),
        ('  - {id: organisation, prompt: "Which organisation?", required: true}',
         '  - {id: organisation, prompt: "Which organisation?", type: choice}',
         "qs.yaml:22:5: respondent[0]: a choice field needs 'choices'"),
    ],
)
def test_each_mistake_is_located(old: str, new: str, expected: str) -> None:
    found = problems_of(mutate(old, new))
    assert expected in found, "\n".join(found)


def test_three_independent_mistakes_are_all_reported() -> None:
    text = mutate("principle: basics, text: One", "principle: basic, text: One")
    text = text.replace('version: "1.0"', "version: 1.0").replace("questions:\n",
                                                                  "questons: []\nquestions:\n")
    errors = [p for p in validate_bytes(text.encode(), "qs.yaml").problems
              if p.severity == "error"]
    assert [(p.line, p.path) for p in errors] == [
        (4, "version"), (23, "questons"), (25, "questions[0].principle")]


def test_duplicate_key_names_first_line() -> None:
    found = problems_of(MINIMAL_SET + "title: Again\n")
    assert "qs.yaml:27:1: duplicate key 'title' (first defined at line 3). " \
           "Remove or rename one of them" in found


def test_python_tags_are_not_executed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = MINIMAL_SET.replace(
        "title: Mini set", f"title: !!python/object/apply:os.system ['touch {marker}']")
    found = problems_of(text)
    assert not marker.exists()
    assert found[0].startswith("qs.yaml:3:8: title: unsupported YAML tag")


def test_alias_bomb_is_rejected_at_once() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 12):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 10) + "]")
    found = problems_of("\n".join(lines) + "\n")
    assert found == ["qs.yaml:12:8: more than 100 aliases; refusing to expand them. "
                     "Write the values out instead"]


def test_expanded_aliases_are_capped() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 9) + "]")
    found = problems_of("\n".join(lines) + "\n")
    assert len(found) == 1 and "more than 200,000 values" in found[0]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "qs.yaml:1:1: the file is empty. Expected a YAML mapping with schema_version, "
              "id, title, ..."),
        (b"# only a comment\n", "qs.yaml:1:1: the file is empty"),
        (b"id: x\n\ttitle: y\n", "qs.yaml:2:1: YAML syntax: a tab character where YAML "
                                 "expects spaces. Indent with spaces; YAML does not allow tabs"),
        (b"id: x\ntitle: \xe9t\xe9\n", "qs.yaml:2:8: invalid UTF-8 byte 0xe9. "
                                       "Save the file as UTF-8"),
        (b"id: x\n---\nid: y\n", "qs.yaml:2:1: a second YAML document starts here; a question "
                                 "set is one document. Remove the '---' line or split the file"),
        (b"[" * 60 + b"]" * 60, "qs.yaml:1:51: nested more than 50 levels deep"),
        (b"- a\n- b\n", "qs.yaml:1:1: expected a mapping of keys (schema_version, id, title, "
                        "...), got a list"),
        (b"id: [x\n", "qs.yaml:2:1: YAML syntax:"),
        (b"a: b\x00\n", "qs.yaml:1:1: NUL byte: this is not a text file"),
        (b"a: 1\n<<: {b: 2}\n", "qs.yaml:2:1: merge keys ('<<') are not supported"),
    ],
)
def test_unreadable_files_give_located_errors(data: bytes, expected: str) -> None:
    found = problems_of(data)
    assert any(line.startswith(expected) for line in found), found


def test_very_large_file_is_refused() -> None:
    found = problems_of(b"# " + b"x" * (3 * 1024 * 1024) + b"\n")
    assert found == ["qs.yaml:1:1: file is 3,145,731 bytes; the limit is 2,097,152"]


def test_byte_order_mark_is_accepted() -> None:
    assert validate_bytes(b"\xef\xbb\xbf" + MINIMAL_SET.encode(), "qs.yaml").question_set


def test_free_text_question_rejects_scale() -> None:
    text = MINIMAL_SET + "  - {id: story, type: text, text: Tell us, scale: agreement}\n"
    assert "qs.yaml:27:44: questions[3].scale: 'scale' does not apply to a free-text " \
           "question" in problems_of(text)


def test_perspectives_and_timepoints_resolve() -> None:
    text = MINIMAL_SET.replace("respondent:", "perspectives:\n  - {id: organisation, label: "
                               "Organisation hat}\nrespondent:") + \
        "  - {id: b4, principle: basics, text: Four, scale: agreement, perspectives: " \
        "[organisation, sytem]}\n"
    found = problems_of(text)
    assert any("questions[3].perspectives[1]: unknown perspective 'sytem'" in f for f in found)


def test_load_question_set_raises_with_all_problems(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(mutate("principle: basics, text: One", "principle: basic, text: One"))
    with pytest.raises(QuestionSetError) as info:
        load_question_set(path)
    assert [p.line for p in info.value.problems] == [24]


def test_unknown_reference_is_not_a_file() -> None:
    with pytest.raises(QuestionSetError) as info:
        load_question_set("ggi-systems-leadershp")
    assert str(info.value.problems[0]) == (
        "ggi-systems-leadershp: no such question-set file or bundled id. "
        "Did you mean 'ggi-systems-leadership'?")


def test_answer_keys_include_perspectives_and_timepoints() -> None:
    qs = load_question_set(None)
    keys = qs.answer_keys()
    assert any(k.endswith("@system") for k in keys)
    assert any(k.endswith("@target") for k in keys)
    assert len(keys) == len(set(keys))


def test_unquoted_no_in_a_boolean_field_is_one_problem() -> None:
    found = problems_of(mutate("scale: agreement, reverse: true}",
                               "scale: agreement, reverse: No}"))
    assert found == ["qs.yaml:25:71: questions[1].reverse: 'No' is read by YAML 1.1 as false. "
                     'Write false for a yes/no setting, or quote it ("No") if you mean text']


def test_import_section_targets_resolve() -> None:
    text = MINIMAL_SET.replace("questions:\n", "import:\n  columns:\n"
                               "    - {header: First statement, to: b1}\n"
                               "    - {code: Q2, to: b22}\n"
                               "    - {regex: 'Q(\\d)', to: 'b\\1'}\n"
                               "  answers: {agreemnt: {SA: 5}}\n"
                               "questions:\n")
    found = problems_of(text)
    assert any("import.columns[1].to: unknown answer key or field 'b22'. Did you mean 'b2'?"
               in f for f in found), found
    assert any("import.answers.agreemnt: unknown scale 'agreemnt'. Did you mean 'agreement'?"
               in f for f in found), found
    assert len(found) == 2
