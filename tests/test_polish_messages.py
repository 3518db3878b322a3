"""Message polish from a fresh-install test: options named twice, no Python ``None`` in a
message, and the wording details of question-set and output-path problems."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

import leadlens
from conftest import EXAMPLES
from leadlens.cli import app
from leadlens.errors import UsageError

runner = CliRunner()
RESPONSES = EXAMPLES / "responses.csv"


def test_by_naming_a_field_twice_is_a_usage_error_on_the_command_line(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    result = runner.invoke(app, ["score", str(RESPONSES), "--by", "role", "--by",
                                 "organisation", "--by", "role", "-o", str(out)])
    assert result.exit_code == 2 and result.stdout == ""
    assert "--by 'role': named twice; give each breakdown field once" in result.stderr
    assert not out.exists()


def test_by_naming_a_field_twice_is_refused_by_the_api() -> None:
    with pytest.raises(UsageError) as refused:
        leadlens.score(RESPONSES, by=["role", "role"])
    assert (refused.value.option, refused.value.code) == ("by", "option.field-twice")


# --- No Python None in a message -----------------------------------------------------------

def _results_document(tmp_path: Path) -> dict[str, Any]:
    out = tmp_path / "results.json"
    done = runner.invoke(app, ["score", str(RESPONSES), "--by", "role", "-o", str(out)])
    assert done.exit_code == 0, done.stderr
    data: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return data


def _shown_hidden_group(doc: dict[str, Any]) -> None:
    group = next(g for g in doc["groups"]["role"]["groups"] if g["suppressed"])
    group["suppressed"] = False  # a hidden group "shown" by hand: it has no n


def _scale_removed(doc: dict[str, Any]) -> None:
    doc["question_set"]["questions"][0]["scale"] = None


AGREED = (EXAMPLES / "board.agreed.yaml").read_text(encoding="utf-8")
AGREED_BODY = AGREED.split("\nprinciples:", 1)[1]


@pytest.mark.parametrize(("edit", "words"), [
    (_shown_hidden_group, "has no respondent count, but is shown"),
    (_scale_removed, "a rating question with no scale"),
])
def test_a_hand_edited_results_document_names_the_missing_value(
        tmp_path: Path, edit: Any, words: str) -> None:
    doc = _results_document(tmp_path)
    edit(doc)
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(doc), encoding="utf-8")
    result = runner.invoke(app, ["report", str(broken), "-o", str(tmp_path / "r.md")])
    assert result.exit_code == 1
    assert words in result.stderr
    assert "None" not in result.stderr


@pytest.mark.parametrize(("text", "words"), [
    ("agreed: 1\nprinciples:" + AGREED_BODY, "names no question set (this run scores "),
    ("agreed: 1\nquestion_set:\nprinciples:" + AGREED_BODY, "names no question set"),
    ("agreed:\nquestion_set: ggi-systems-leadership\nprinciples:" + AGREED_BODY,
     "(the format version), found nothing"),
])
def test_a_broken_agreed_file_names_the_missing_value(
        tmp_path: Path, text: str, words: str) -> None:
    agreed = tmp_path / "bad.agreed.yaml"
    agreed.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["score", str(RESPONSES), "--agreed", str(agreed),
                                 "-o", str(tmp_path / "r.json")])
    assert result.exit_code == 1
    assert words in result.stderr
    assert "None" not in result.stderr


def _nulled(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield (*path, key)
            yield from _nulled(inner, (*path, key))
    elif isinstance(value, list):
        for i, inner in enumerate(value[:2]):
            yield (*path, i)
            yield from _nulled(inner, (*path, i))


def test_no_message_shows_none_for_any_value_left_empty_in_an_agreed_file(
        tmp_path: Path) -> None:
    """Every key of the example agreed file emptied (``key:`` with nothing) in turn."""
    original = yaml.safe_load(AGREED)
    seen: dict[tuple[Any, ...], str] = {}
    for path in _nulled(original):
        doc = copy.deepcopy(original)
        node = doc
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = None
        agreed = tmp_path / "edited.agreed.yaml"
        agreed.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
        result = runner.invoke(app, ["score", str(RESPONSES), "--agreed", str(agreed),
                                     "-o", str(tmp_path / "r.json"), "--force"])
        assert not isinstance(result.exception, Exception) or \
            isinstance(result.exception, SystemExit), (path, result.exception)
        if "None" in result.stderr:
            seen[path] = result.stderr
    assert seen == {}
