"""The template context is a typed view model: what the builders make is what its schema says.

``schema/report-context.schema.json`` documents what templates see (docs/templates.md links
it). These tests build real contexts and check them against the view model (pydantic, every
key declared, no extra ones) and against the committed JSON Schema with an independent
validator, so neither can drift from the builders in ``leadlens.report.context``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from pydantic import ValidationError

from conftest import EXAMPLES, REPO
from leadlens.questionset.loading import load_question_set
from leadlens.report import render_report
from leadlens.report.context import build_context
from leadlens.report.view import ReportContext, ReportView
from leadlens.responses.reading import read_responses
from leadlens.results.document import Results
from leadlens.scoring import score
from test_report_data import sample_document, sample_results

SCHEMA = json.loads((REPO / "schema" / "report-context.schema.json").read_text(encoding="utf-8"))


def _example_results() -> Results:
    qs = load_question_set(None)
    responses = read_responses([EXAMPLES / "responses.csv"], qs)
    return score(qs, responses, by=["organisation", "sector"]).results


def _two_principles() -> Results:
    document = sample_document()
    document["principles"] = document["principles"][:2]
    document["groups"] = {}
    document["by"] = []
    document["timepoints"] = []
    document["comments"] = {}
    document["warnings"] = []
    return Results.model_validate_json(json.dumps(document))


CASES = {
    "sample": sample_results,
    "example responses": _example_results,
    "two principles, no groups": _two_principles,
}


@pytest.fixture(scope="module", params=list(CASES))
def context(request: pytest.FixtureRequest) -> dict[str, Any]:
    return build_context(CASES[request.param](), "html")


def test_the_context_is_what_the_view_model_declares(context: dict[str, Any]) -> None:
    # Through JSON: the context is JSON data, and the question set's models are strict.
    ReportContext.model_validate_json(json.dumps(context))


def test_the_context_fits_the_committed_json_schema(context: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator(SCHEMA).validate(context)


def test_an_undeclared_or_missing_key_is_caught() -> None:
    context = build_context(sample_results(), "md")
    context["report"]["principles"][0]["surprise"] = 1
    del context["report"]["bands"][0]["colour"]
    with pytest.raises(ValidationError) as caught:
        ReportContext.model_validate_json(json.dumps(context))
    wrong = {(e["type"], e["loc"][-1]) for e in caught.value.errors()}
    assert ("extra_forbidden", "surprise") in wrong and ("missing", "colour") in wrong
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(SCHEMA).validate(context)


def test_optional_views_are_null_when_there_is_nothing_to_show() -> None:
    report = build_context(_two_principles(), "md")["report"]
    assert report["charts"]["radar"] is None  # fewer than three principles
    assert report["breakdowns"] == [] and report["timepoints"] is None


def test_every_report_value_is_documented_for_template_writers() -> None:
    docs = (REPO / "docs" / "templates.md").read_text(encoding="utf-8")
    assert "../schema/report-context.schema.json" in docs
    for key in ReportView.__annotations__:
        assert re.search(rf"`report\.{key}\b", docs), f"report.{key} is not in docs/templates.md"


def test_a_warning_is_one_located_line_in_the_report_without_folders() -> None:
    results = sample_results(warnings=[{
        "code": "responses.unknown-column", "file": "/home/facilitator/private/<i>r.csv",
        "line": 1, "column": "extra", "message": "not a question; ignored",
        "hint": "Did you mean 'b1'?"}])
    expected = "<i>r.csv:1: column 'extra': warning: not a question; ignored. Did you mean 'b1'?"
    assert build_context(results, "md")["report"]["warnings"] == [expected]
    markdown = render_report(results, "md")
    assert "\n- \\<i\\>r.csv:1: column 'extra': warning: not a question; ignored. Did you " \
           "mean 'b1'?\n" in markdown
    html = render_report(results, "html")
    assert "<li>&lt;i&gt;r.csv:1: column &#39;extra&#39;: warning: not a question; ignored. " \
           "Did you mean &#39;b1&#39;?</li>" in html
    assert "private" not in markdown and "private" not in html


def test_schema_command_prints_the_context_schema(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from leadlens.cli import app

    result = CliRunner().invoke(app, ["schema", "--report-context"])
    assert result.exit_code == 0 and json.loads(result.stdout) == SCHEMA
    both = CliRunner().invoke(app, ["schema", "--report-context", "--results"])
    assert both.exit_code == 2 and "at most one of" in both.stderr
