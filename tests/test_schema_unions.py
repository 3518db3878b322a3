"""A value a union field refuses is one problem, one line (issue 16: pydantic gives one error
per member of the union, and each became a line of its own)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from typer.testing import CliRunner

from leadlens.cli import app
from leadlens.errors import Code
from leadlens.source.schema_errors import validation_problems
from leadlens.source.yamltree import load_yaml
from test_hostile_mapping import SET as MINI_SET

Write = Callable[[str, "str | bytes"], Path]
runner = CliRunner()

class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Band(_Strict):
    low: int
    high: int


class Cut(_Strict):
    """A field that takes a number or a mapping, and one that takes a whole number or text."""

    at: float | Band
    codes: dict[str, int | str] = Field(default_factory=dict)
    count: int = Field(default=0, ge=0)


def _problems(text: str) -> list[str]:
    raw, smap, yaml_problems = load_yaml(text.encode(), "cut.yaml")
    assert not yaml_problems
    try:
        Cut.model_validate(raw)
    except ValidationError as exc:
        return [str(p) for p in validation_problems(exc, "cut.yaml", Cut, smap=smap,
                                                    hints={"at": "A cut point or a band"})]
    return []


def test_a_value_of_neither_form_is_one_line_naming_both() -> None:
    assert _problems("at: [1, 2]\n") == [
        "cut.yaml:1:5: at: expected a number or a mapping, got a list. A cut point or a band"]
    assert _problems("at: high\n") == [
        "cut.yaml:1:5: at: expected a number or a mapping, got text ('high'). "
        "A cut point or a band"]


def test_a_value_of_one_form_gets_that_forms_own_problems_untagged() -> None:
    # A mapping: the mapping member's problems, with no member tag ('Band') in the path.
    assert _problems("at: {low: 1}\n") == ["cut.yaml:1:5: at: missing required key 'high'"]
    assert _problems("at: {low: 1, high: 2, wide: 3}\n") == [
        "cut.yaml:1:23: at.wide: unknown key 'wide'. Allowed keys: low, high"]


def test_union_values_inside_a_mapping_are_one_line_each_and_others_are_untouched() -> None:
    assert _problems("at: 1\ncodes: {A1: [1], A2: 2, A3: null}\ncount: -1\n") == [
        "cut.yaml:2:13: codes.A1: expected a whole number or text, got a list",
        "cut.yaml:2:29: codes.A3: expected a whole number or text, got nothing (null)",
        "cut.yaml:3:8: count: must be at least 0, got a number (-1)",
    ]


_NEITHER = st.one_of(st.lists(st.integers(), max_size=2), st.none(), st.booleans(),
                     st.floats(allow_nan=False, allow_infinity=False).filter(
                         lambda f: not f.is_integer()),
                     st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=5).filter(
    lambda k: k not in {"int", "str"}),  # a key named like a union member tag: a real path
                       st.one_of(_NEITHER, st.integers(),
                                                                   st.text(max_size=5)),
                       max_size=6))
def test_every_refused_code_is_exactly_one_problem(codes: dict[str, Any]) -> None:
    refused = [k for k, v in codes.items() if not isinstance(v, int | str) or isinstance(v, bool)]
    try:
        Cut.model_validate({"at": 1, "codes": codes})
    except ValidationError as exc:
        problems = validation_problems(exc, "x", Cut)
    else:
        problems = []
    assert len(problems) == len(refused)
    assert all(p.code is Code.SCHEMA_WRONG_TYPE and ".int" not in p.path
               and ".str" not in p.path for p in problems)


@pytest.mark.parametrize("where", ["question set", "mapping file"])
def test_an_answer_code_of_neither_form_is_one_line_with_a_hint(write: Write, where: str
                                                                ) -> None:
    qs_text = MINI_SET
    hint = ("Give each answer code the option value it stands for (a whole number, e.g. 4) "
            "or one of the scale's unscored answers (text, e.g. \"Don't know\")")
    if where == "question set":
        qs = write("qs.yaml", qs_text + "import:\n  answers:\n    agree: {A1: [1], A2: 3}\n")
        result = runner.invoke(app, ["validate", str(qs)])
        assert result.exit_code == 1
        lines = [line for line in result.stdout.splitlines() if "import." in line]
        assert lines == [f"{qs}:31:17: import.answers.agree.A1: expected a whole number or "
                         f"text, got a list. {hint}"]
    else:
        qs = write("qs.yaml", qs_text)
        mapping = write("map.yaml", "answers:\n  agree: {A1: {x: 1}, A2: 3}\n")
        path = write("r.csv", "org,a1,a2,b1,b2\nAcme,1,2,3,4\n")
        result = runner.invoke(app, ["score", str(path), "-q", str(qs), "--mapping",
                                     str(mapping)])
        assert result.exit_code == 1 and result.stdout == ""
        assert result.stderr == (f"{mapping}:2:15: answers.agree.A1: expected a whole number or "
                                 f"text, got a mapping. {hint}\n")
