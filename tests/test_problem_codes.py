"""Problems carry stable codes (docs/errors.md), logic never reads message text, and no raw
pydantic wording reaches a user: one translator words every validation error."""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from conftest import REPO
from leadlens.cli import app
from leadlens.errors import Code, Problem
from leadlens.questionset.loading import validate_bytes
from leadlens.responses.exports.mapping import load_mapping
from leadlens.results.document import Results
from leadlens.source.schema_errors import validation_problems
from test_report_data import sample_document

ERRORS_DOC = (REPO / "docs" / "errors.md").read_text(encoding="utf-8")
SRC = REPO / "src" / "leadlens"

# What pydantic says in its own words; none of it may reach a user.
PYDANTIC_WORDING = re.compile(
    r"Input should|Field required|Extra inputs|Value error|validation error|pydantic|"
    r"type=|input_value|errors\.pydantic\.dev|Assertion failed", re.IGNORECASE)


# -- the catalogue ------------------------------------------------------------------------------

def test_codes_are_unique_slugs_named_after_their_value() -> None:
    values = [code.value for code in Code]
    assert len(values) == len(set(values))
    for code in Code:
        assert re.fullmatch(r"[a-z0-9]+\.[a-z0-9]+(-[a-z0-9]+)*", code.value), code
        assert code.name == code.value.upper().replace(".", "_").replace("-", "_"), code


def test_every_code_is_documented_once_and_the_docs_name_no_other() -> None:
    documented = re.findall(r"^\| `([a-z0-9.-]+)` \|", ERRORS_DOC, flags=re.M)
    assert sorted(documented) == sorted(code.value for code in Code)
    assert len(documented) == len(set(documented))


def _warning_codes() -> set[str]:
    """Codes that src gives problems made with ``severity="warning"``."""
    found = set()
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            given = {k.arg: k.value for k in node.keywords}
            severity, code = given.get("severity"), given.get("code")
            if isinstance(severity, ast.Constant) and severity.value == "warning" \
                    and isinstance(code, ast.Attribute):
                found.add(Code[code.attr].value)
    return found


def test_the_docs_mark_the_codes_that_are_warnings() -> None:
    marked = set(re.findall(r"^\| `([a-z0-9.-]+)` \| W \|", ERRORS_DOC, flags=re.M))
    found = _warning_codes()
    assert len(found) > 10
    assert found <= marked, found - marked
    # Scoring's own warnings are made as results-document warnings, not Problems.
    assert marked - found == {"scoring.unscored-principle", "scoring.near-duplicate-groups",
                              "scoring.not-a-choice"}


def test_a_problem_cannot_be_made_without_a_code() -> None:
    with pytest.raises(TypeError, match="code"):
        Problem(file="f", message="m")  # type: ignore[call-arg]


def _compares_message_text(tree: ast.AST) -> Iterator[ast.AST]:
    """Comparisons and string tests whose subject is a problem's message."""

    def is_message(node: ast.AST) -> bool:
        return (isinstance(node, ast.Attribute) and node.attr == "message") or (
            isinstance(node, ast.Name) and node.id == "message")

    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            against_none = any(isinstance(o, ast.Constant) and o.value is None for o in operands)
            if any(is_message(o) for o in operands) and not against_none:
                yield node
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr in ("startswith", "endswith", "find", "index", "count") \
                and is_message(node.func.value):
            yield node


def test_no_logic_compares_message_text() -> None:
    found = [f"{path.relative_to(REPO)}:{node.lineno}" for path in sorted(SRC.rglob("*.py"))
             for node in _compares_message_text(ast.parse(path.read_text(encoding="utf-8")))]
    assert found == [], "compare problem codes, not message text"


def test_the_check_finds_what_it_looks_for() -> None:
    old = 'if problem.message == "the file is empty":\n    pass\n' \
          'hint = "" if not message.startswith("unknown answer") else "x"\n'
    assert len(list(_compares_message_text(ast.parse(old)))) == 2


# -- codes where users and scripts see them -------------------------------------------------------

BAD_SET = b"""\
schema_version: 1
id: Bad Id
title: Bad
version: 1.0
scales:
  agree:
    options: [{value: 1, label: No}, {value: 1, label: Yes}]
bands: [{id: low, label: Low, from: 10}]
principles: [{id: p, name: P, recomendations: {}}]
questions:
  - {id: q1, principle: pp, scale: agree, text: One}
"""


def test_validate_json_gives_each_problem_its_code(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_bytes(BAD_SET)
    result = CliRunner().invoke(app, ["validate", "--format", "json", str(path)])
    assert result.exit_code == 1
    codes = {(p["code"], p["path"]) for p in json.loads(result.stdout)}
    assert codes >= {
        ("schema.invalid-id", "id"),
        ("schema.wrong-type", "version"),
        ("yaml.yaml11-boolean", "scales.agree.options[0].label"),
        ("questionset.duplicate-value", "scales.agree.options[1].value"),
        ("questionset.bands-start", "bands[0].from"),
        ("schema.unknown-key", "principles[0].recomendations"),
        ("questionset.unknown-principle", "questions[0].principle"),
    }, codes


def test_an_empty_mapping_file_gets_its_hint_by_code(tmp_path: Path) -> None:
    path = tmp_path / "map.yaml"
    path.write_text("", encoding="utf-8")
    with pytest.raises(Exception) as caught:
        load_mapping(path)
    (problem,) = caught.value.problems  # type: ignore[attr-defined]
    assert problem.code is Code.FILE_EMPTY
    assert str(problem) == (f"{path}:1:1: the file is empty. Expected a YAML mapping with "
                            "'columns' and/or 'answers'")


# -- one translator, plain words ----------------------------------------------------------------

def _leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every path of a document, the first element of each list standing for the rest (the
    embedded question set is swept by the question-set test below)."""
    if path[:1] != ("question_set",) or len(path) < 2:
        if isinstance(value, dict):
            for key, item in value.items():
                yield from _leaves(item, (*path, key))
        elif isinstance(value, list):
            for i, item in enumerate(value[:1]):
                yield from _leaves(item, (*path, i))
    yield path


def _replaced(document: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    changed = json.loads(json.dumps(document))
    target = changed
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return changed


WRONG_VALUES = ["x", -1.5, [], {"k": 1}, None, True, 10**30]


def test_no_results_file_error_is_in_pydantic_words() -> None:
    document = sample_document()
    seen: set[Code] = set()
    count = 0
    for path in _leaves(document):
        if not path or path == ("results_version",):
            continue
        for wrong in WRONG_VALUES:
            # The translator parse_results uses, without locating (the JSON scan is slow).
            try:
                Results.model_validate_json(json.dumps(_replaced(document, path, wrong)))
            except ValidationError as exc:
                for problem in validation_problems(exc, "r.json", Results):
                    count += 1
                    seen.add(problem.code)
                    assert not PYDANTIC_WORDING.search(str(problem)), str(problem)
    assert count > 500  # the sweep reached every kind of value in the document
    assert seen >= {Code.SCHEMA_WRONG_TYPE, Code.SCHEMA_UNKNOWN_KEY, Code.SCHEMA_NOT_A_CHOICE,
                    Code.SCHEMA_MISSING_KEY, Code.SCHEMA_LENGTH, Code.SCHEMA_OUT_OF_RANGE}, seen
    assert Code.SCHEMA_INVALID not in seen  # every kind of mistake here has its own wording


QUESTION_SET_MISTAKES = [
    "respondent: [{id: org, prompt: Org, type: maybe}]",
    "respondent: [{id: org, prompt: Org, required: 3}]",
    "scoring: {min_answered: -1}",
    "scoring: {min_group_size: x}",
    "source: {title: T, date: not-a-date}",
    "source: {title: T, url: 5}",
    "sections: [{id: s}]",
    "perspectives: [{id: a, label: ''}]",
    "import: {platform: typeform}",
    "import: {columns: [{header: a, code: b, to: q1}]}",
    "import: {columns: [{regex: '(', to: q1}]}",
    "import: {answers: {agree: {A1: [1]}}}",
    "timepoints: {now: Now}",
]


@pytest.mark.parametrize("mistake", QUESTION_SET_MISTAKES)
def test_no_question_set_error_is_in_pydantic_words(mistake: str) -> None:
    text = BAD_SET.replace(b"id: Bad Id", b"id: bad").replace(b"version: 1.0",
                                                                 b'version: "1"')
    result = validate_bytes(text + mistake.encode() + b"\n", "qs.yaml")
    mine = [p for p in result.errors if p.line is not None and p.line >= 12]
    assert mine, [str(p) for p in result.problems]
    for problem in result.problems:
        assert not PYDANTIC_WORDING.search(str(problem)), str(problem)
        assert problem.line is not None and problem.col is not None, str(problem)


def test_a_mapping_file_error_reads_as_a_question_set_one(tmp_path: Path) -> None:
    path = tmp_path / "map.yaml"
    path.write_text("import:\n  columns: [{header: 5, to: [b1]}]\n  platform: x\n",
                    encoding="utf-8")
    with pytest.raises(Exception) as caught:
        load_mapping(path)
    lines = [str(p) for p in caught.value.problems]  # type: ignore[attr-defined]
    assert lines == [
        f"{path}:2:22: import.columns[0].header: expected text, got a number (5). Quote it "
        '("5") to keep it as text',
        f"{path}:2:29: import.columns[0].to: expected text, got a list",
        f"{path}:3:13: import.platform: expected 'google-forms', 'microsoft-forms', "
        "'qualtrics', 'surveymonkey', 'limesurvey' or 'csv', got text ('x')",
    ]
