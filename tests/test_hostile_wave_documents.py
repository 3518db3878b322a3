"""Hostile results documents given to ``leadlens compare`` and ``leadlens trend`` (issue 16):
every problem is leadlens's own located line, as ``leadlens report`` gives, never a raw
pydantic or json message, never a traceback, nothing written."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from leadlens.cli import app
from test_report_data import sample_document

runner = CliRunner()
GOOD = json.dumps(sample_document())
RAW = ("Input should", "Field required", "validation error", "Expecting value",
       "JSONDecodeError", "pydantic", "Traceback", "errors.pydantic.dev")


def _run(tmp_path: Path, command: str, text: str | bytes, where: int
         ) -> tuple[int, str, Path]:
    """``command`` over waves of the good document with ``text`` as wave ``where``."""
    waves = []
    for n in range(2 if command == "compare" else 3):
        path = tmp_path / f"wave{n}.json"
        wanted = text if n == where else GOOD
        path.write_bytes(wanted if isinstance(wanted, bytes) else wanted.encode())
        waves.append(path)
    out = tmp_path / f"{command}.json"
    out.unlink(missing_ok=True)  # hypothesis reuses the folder
    result = runner.invoke(app, [command, *map(str, waves), "-o", str(out)])
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        repr(result.exception))
    assert not any(raw in result.output for raw in RAW), result.output
    assert result.exit_code in (0, 1), result.output
    assert out.exists() == (result.exit_code == 0)  # nothing written half-way
    return result.exit_code, result.stderr, waves[where]


def _one_line_each(err: str, path: Path) -> None:
    """Every line names the bad file first (then perhaps "... and N more")."""
    lines = err.splitlines()
    assert lines and all(line.startswith((f"{path}:", f"{path}: ", "... and "))
                         for line in lines), err


HOSTILE: dict[str, tuple[str | bytes, str]] = {
    "not JSON": ("hello", "not a leadlens results document: this is not JSON"),
    "empty": ("", "not a leadlens results document: this is not JSON"),
    "a CSV": ("org,a1\nAcme,1\n", "this is a CSV file (a responses file?). A wave is a "
              "results document (leadlens score RESPONSES.csv -o results.json) or a responses "
              "file, scored here; a .json file is read as a results document, so name a "
              "responses file for what it is (.csv, .xlsx, ...)"),
    "a list": ("[1, 2]", "not a leadlens results document (no results_version)"),
    "a string": ('"results_version"', "not a leadlens results document (no results_version)"),
    "deep lists": ("[" * 100_000 + "]" * 100_000, "nested more than 64"),
    "deep objects": ('{"a":' * 20_000 + "1" + "}" * 20_000, "nested more than 64"),
    "NaN": (GOOD.replace('"respondents": ', '"respondents": NaN, "x": ', 1),
            "NaN is not a number a results document may hold"),
    "5000 digits": (GOOD.replace('"respondents": ', '"respondents": ' + "9" * 5000 + ', "x": ',
                                 1), "a number with thousands of digits"),
    "a huge integer": (GOOD.replace('"min_group_size": 5', '"min_group_size": ' + "9" * 40, 1),
                       "min_group_size"),
    "text for a number": (GOOD.replace('"respondents": ', '"respondents": "many", "x": ', 1),
                          "respondents: expected a whole number, got text ('many')"),
    "missing key": (json.dumps({k: v for k, v in sample_document().items()
                                if k != "principles"}), "missing required key 'principles'"),
    "version true": (GOOD.replace('"results_version": 2', '"results_version": true', 1),
                     "results_version: version true is not supported"),
    "not UTF-8": (b"\xff\xfe{", "not UTF-8 text"),
}


@pytest.mark.parametrize("command", ["compare", "trend"])
@pytest.mark.parametrize("case", list(HOSTILE))
def test_each_hostile_document_is_one_located_line(tmp_path: Path, command: str, case: str
                                                   ) -> None:
    text, expected = HOSTILE[case]
    assert '"min_group_size": 5' in GOOD and '"respondents": ' in GOOD
    code, err, path = _run(tmp_path, command, text, where=1)
    assert code == 1
    _one_line_each(err, path)
    assert expected in err, err
    assert "leadlens report" not in err  # the hint is about the command the user ran


def _nodes(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(value, dict):
        found += [p for k, v in value.items() for p in _nodes(v, (*path, k))]
    elif isinstance(value, list):
        found += [p for i, v in enumerate(value) for p in _nodes(v, (*path, i))]
    return found


NODES = _nodes(sample_document())[1:]
JSONISH = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(min_value=-(10**40), max_value=10**40),
              st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=6)),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner,
                                                                 max_size=3),
    max_leaves=8)
EDIT = st.one_of(st.tuples(st.just("replace"), JSONISH), st.tuples(st.just("delete"), st.none()),
                 st.tuples(st.just("token"), st.sampled_from(
                     ["NaN", "Infinity", "-Infinity", "1e999", "9" * 5000, "[" * 3000])))


@settings(max_examples=60, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(command=st.sampled_from(["compare", "trend"]), where=st.sampled_from(NODES), edit=EDIT,
       wave=st.integers(min_value=0, max_value=1))
def test_any_node_replaced_removed_or_broken_is_refused_in_our_words(
        tmp_path: Path, command: str, where: tuple[Any, ...], edit: tuple[str, Any],
        wave: int) -> None:
    doc = copy.deepcopy(sample_document())
    parent: Any = doc
    for part in where[:-1]:
        parent = parent[part]
    how, value = edit
    if how == "delete":
        del parent[where[-1]]
        text = json.dumps(doc)
    elif how == "replace":
        parent[where[-1]] = value
        text = json.dumps(doc)
    else:  # text JSON's writer would never write: a raw token in the value's place
        parent[where[-1]] = "\x00TOKEN\x00"
        text = json.dumps(doc).replace('"\\u0000TOKEN\\u0000"', value)
    code, err, path = _run(tmp_path, command, text, where=wave)
    if code == 1:
        _one_line_each(err, path)
