"""Reading a results document (``leadlens score -o results.json``) with clear errors."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from leadlens.errors import MAX_PROBLEMS, Code, LeadlensError, Problem, unreadable
from leadlens.results.document import RESULTS_VERSION, Results
from leadlens.source.nodes import LoadError, load_json, source_map
from leadlens.source.schema_errors import validation_problems
from leadlens.source.yamltree import SourceMap

MAKE_ONE = "Make one with: leadlens score RESPONSES.csv -o results.json"


class ResultsError(LeadlensError):
    """A results document could not be read."""


def parse_results(text: str, file: str) -> Results:
    """Validate the JSON text of a results document; every problem is located."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ResultsError([Problem(file=file, line=exc.lineno, col=exc.colno,
                                    message=f"not valid JSON: {exc.msg}",
                                    code=Code.JSON_SYNTAX)]) from None
    except RecursionError:  # json's decoder recurses once per nested array or object
        raise ResultsError([Problem(file=file, line=1, col=1, message="not a leadlens results "
                                    "document: nested too deeply", hint=MAKE_ONE,
                                    code=Code.JSON_TOO_DEEP)]) from None
    if not isinstance(data, dict) or "results_version" not in data:
        raise ResultsError([Problem(file=file, message="not a leadlens results document "
                                    "(no results_version)", hint=MAKE_ONE,
                                    code=Code.RESULTS_NOT_RESULTS)])
    version = data["results_version"]
    if version != RESULTS_VERSION:
        raise ResultsError([Problem(
            file=file, path="results_version",
            message=f"version {version!r} is not supported; this leadlens reads version "
                    f"{RESULTS_VERSION}", hint="Re-score the responses with this leadlens",
            code=Code.RESULTS_VERSION)])
    try:
        return Results.model_validate_json(text)
    except ValidationError as exc:
        problems = sorted(validation_problems(exc, file, Results, smap=_locations(text, file)),
                          key=lambda p: (p.line or 0, p.col or 0))
        raise ResultsError(problems[:MAX_PROBLEMS],
                           omitted=max(len(problems) - MAX_PROBLEMS, 0)) from None


def _locations(text: str, file: str) -> SourceMap | None:
    """Line and column of each value, to locate problems; None for a document too large to
    scan (its problems are then located by path only)."""
    try:
        return source_map(load_json(text, file))
    except LoadError:
        return None


def load_results(path: Path) -> Results:
    """Read and validate a results document from ``path``."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ResultsError([unreadable(str(path), exc)]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ResultsError([Problem(file=str(path), message=f"not UTF-8 text (at byte offset "
                                    f"{exc.start})", hint=MAKE_ONE,
                                    code=Code.FILE_NOT_UTF8)]) from None
    return parse_results(text, str(path))
