"""Every figure of a results document that carries its own count is refused by ``report``
when it rests on fewer than the threshold, whole survey and groups alike, by one rule
(:data:`leadlens.results.checks.COUNTED`); and no count field can be added to the results
model without that rule naming it (tester F6)."""

from __future__ import annotations

import json
import re
import types
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from leadlens.questionset.model import QuestionSet
from leadlens.results.checks import COUNTED, COUNTS_CHECKED_ELSEWHERE
from leadlens.results.document import Favourability, GroupPrinciple, Results
from test_hostile_results import ORG, Doc, _report
from test_report_data import sample_document

GP = (*ORG, 0, "principles", 0)


def _edit(*path: str | int, **values: Any) -> Callable[[Doc], None]:
    def edit(doc: Doc) -> None:
        target: Any = doc
        for part in path:
            target = target[part]
        target.update(values)
    return edit


THIN: list[tuple[str, Callable[[Doc], None], str]] = [
    ("group principle n 1", _edit(*GP, n=1),
     "groups.organisation.groups[0].principles[0]: a figure resting on 1 respondent,"),
    ("group agreement on 2", _edit(*GP, agreement_n=2, rwg_j=0.5, agreement="split"),
     "groups.organisation.groups[0].principles[0].agreement_n: a figure resting on 2 "
     "respondents,"),
    ("group favourability on 1 answer", _edit(*GP, "favourability", answers=1),
     "groups.organisation.groups[0].principles[0].favourability.answers: a figure resting "
     "on 1 answer,"),
    ("alpha on 2", _edit("principles", 0, alpha_n=2, alpha=0.7),
     "principles[0].alpha_n: a figure resting on 2 respondents,"),
    ("whole-survey agreement on 2", _edit("principles", 0, agreement_n=2, rwg_j=0.5),
     "principles[0].agreement_n: a figure resting on 2 respondents,"),
    ("principle favourability on 3 answers", _edit("principles", 0, "items", 0,
                                                   favourability={
        "answers": 3, "favourable": 1.0, "neutral": 0.0, "unfavourable": 0.0,
        "favourable_ci95": [0.4, 1.0], "neutral_ci95": [0.0, 0.6],
        "unfavourable_ci95": [0.0, 0.6]}),
     "principles[0].items[0].favourability.answers: a figure resting on 3 answers,"),
    ("principle n 2", _edit("principles", 0, n=2),
     "principles[0]: a figure resting on 2 respondents,"),
    ("overall n 2", _edit("overall", n=2),
     "overall: a figure resting on 2 respondents,"),
]


@pytest.mark.parametrize(("name", "edit", "expected"), THIN, ids=[t[0] for t in THIN])
def test_thin_figures_are_refused(tmp_path: Path, name: str, edit: Callable[[Doc], None],
                                  expected: str) -> None:
    doc = sample_document()
    edit(doc)
    code, out, err, path = _report(tmp_path, json.dumps(doc))
    assert (code, out) == (1, ""), err
    where = re.escape(str(path)) + r"(:\d+:\d+)?: "
    assert any(re.match(where + re.escape(expected), line) for line in err.splitlines()), err
    assert len(err.strip().splitlines()) >= 1 and "Traceback" not in err


def _models(model: type[BaseModel], seen: set[type[BaseModel]]) -> None:
    if model in seen:
        return
    seen.add(model)
    for field in model.model_fields.values():
        stack: list[Any] = [field.annotation]
        while stack:
            tp = stack.pop()
            if isinstance(tp, type) and issubclass(tp, BaseModel):
                _models(tp, seen)
            stack += [a for a in typing.get_args(tp) if a is not Ellipsis]


def _is_count(annotation: Any) -> bool:
    args = set(typing.get_args(annotation)) if isinstance(
        annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union \
        else {annotation}
    return int in args and not args - {int, type(None)}


def _unnamed(table: dict[type[BaseModel], dict[str, tuple[str, ...]]]) -> list[str]:
    seen: set[type[BaseModel]] = set()
    _models(Results, seen)
    question_set: set[type[BaseModel]] = set()
    _models(QuestionSet, question_set)  # validated as a question set, on its own
    return sorted(f"{model.__name__}.{name}" for model in seen - question_set
                  for name, field in model.model_fields.items()
                  if _is_count(field.annotation) and name not in table.get(model, {})
                  and name not in COUNTS_CHECKED_ELSEWHERE.get(model, ()))


def test_every_count_field_of_the_results_model_has_a_check() -> None:
    """A new figure carrying its own count (an int field) must be named in COUNTED (its
    figures then checked against the threshold) or in COUNTS_CHECKED_ELSEWHERE."""
    assert _unnamed(COUNTED) == [], "count fields no anonymity check names"
    for model, counts in COUNTED.items():  # and every figure named exists
        for count, figures in counts.items():
            assert count in model.model_fields, (model, count)
            assert set(figures) <= set(model.model_fields), (model, figures)


def test_the_walk_finds_a_count_left_out_of_the_table() -> None:
    table = {k: dict(v) for k, v in COUNTED.items()}
    del table[GroupPrinciple]["agreement_n"]
    del table[Favourability]
    assert _unnamed(table) == ["Favourability.answers", "GroupPrinciple.agreement_n"]


def _scored(tmp_path: Path, *extra: str) -> Doc:
    from typer.testing import CliRunner

    from conftest import EXAMPLES
    from leadlens.cli import app

    out = tmp_path / "scored.json"
    done = CliRunner().invoke(app, ["score", str(EXAMPLES / "responses.csv"), "--by",
                                    "organisation", "-o", str(out), "--force", *extra])
    assert done.exit_code == 0, done.stderr
    data: Doc = json.loads(out.read_text(encoding="utf-8"))
    return data


def test_an_edited_document_cannot_lower_the_bundled_sets_threshold(tmp_path: Path) -> None:
    """The attack: both thresholds of an edited document set to 3, and a group of 3 shown."""
    doc = _scored(tmp_path)
    doc["min_group_size"] = 3
    doc["question_set"]["scoring"]["min_group_size"] = 3
    code, out, err, path = _report(tmp_path, json.dumps(doc))
    assert (code, out) == (1, ""), err
    assert re.search(re.escape(str(path)) + r":\d+:\d+: question_set\.scoring\.min_group_size: "
                     r"3 is below the anonymity threshold of the bundled question set "
                     r"'ggi-systems-leadership' \(5\), and the document was changed after "
                     r"leadlens score wrote it", err), err


def test_a_sealed_document_keeps_its_own_sets_threshold(tmp_path: Path) -> None:
    """A set of the bundled set's id with a threshold of 3, scored by leadlens: sealed, so
    its own threshold holds."""
    import yaml

    from leadlens.questionset.loading import bundled_sets

    own = yaml.safe_load(bundled_sets()["ggi-systems-leadership"].read_text(encoding="utf-8"))
    own["scoring"]["min_group_size"] = 3
    qs = tmp_path / "own.yaml"
    qs.write_text(yaml.safe_dump(own), encoding="utf-8")
    doc = _scored(tmp_path, "-q", str(qs))
    assert doc["question_set"]["id"] == "ggi-systems-leadership"
    code, _, err, _ = _report(tmp_path, json.dumps(doc))
    assert code == 0, err
