"""JSON Schemas generated from the pydantic models (published under ``schema/``)."""

from __future__ import annotations

import json
from typing import Any, Literal

SchemaName = Literal["question-set", "results", "report-context", "compare", "trend"]

SCHEMA_FILES: dict[SchemaName, str] = {
    "question-set": "question-set.schema.json",
    "results": "results.schema.json",
    "report-context": "report-context.schema.json",
    "compare": "compare.schema.json",
    "trend": "trend.schema.json",
}


def json_schema(name: SchemaName) -> dict[str, Any]:
    """The JSON Schema for question-set files, a document leadlens writes, or the report
    context."""
    if name == "question-set":
        from leadlens.questionset.model import QuestionSet

        schema = QuestionSet.model_json_schema(by_alias=True, mode="validation")
        title = "leadlens question set"
    elif name == "results":
        from leadlens.results.document import Results

        schema = Results.model_json_schema(by_alias=True, mode="serialization")
        title = "leadlens results document"
    elif name == "report-context":
        from leadlens.report.view import context_json_schema

        schema = context_json_schema()
        title = "leadlens report template context"
    elif name == "compare":
        from leadlens.waves.document import Comparison

        schema = Comparison.model_json_schema(by_alias=True, mode="serialization")
        title = "leadlens comparison document"
    else:
        from leadlens.waves.document import Trend

        schema = Trend.model_json_schema(by_alias=True, mode="serialization")
        title = "leadlens trend document"
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": title,
            **{k: v for k, v in schema.items() if k != "title"}}


def json_schema_text(name: SchemaName) -> str:
    return json.dumps(json_schema(name), indent=2, ensure_ascii=False) + "\n"
