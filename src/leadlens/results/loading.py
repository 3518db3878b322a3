"""Reading a results document (``leadlens score -o results.json``) with clear errors."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from leadlens.errors import MAX_PROBLEMS, Code, LeadlensError, Problem
from leadlens.files import read_input
from leadlens.results.checks import anonymity_problems, domain_problems, unchecked_breakdowns
from leadlens.results.document import RESULTS_VERSION, Results

if TYPE_CHECKING:  # the located path's modules (and PyYAML) load only for a bad document
    from leadlens.source.yamltree import SourceMap

MAKE_ONE = "Make one with: leadlens score RESPONSES.csv -o results.json"


class ResultsError(LeadlensError):
    """A results document could not be read."""


class NotFinite(ValueError):
    """``NaN`` or ``Infinity`` in a document's JSON (:func:`refuse_constant`)."""


def refuse_constant(name: str) -> float:
    """``json.loads``' ``parse_constant``: a leadlens document holds no NaN or Infinity."""
    raise NotFinite(name)


def _position(text: str, pattern: str) -> tuple[int | None, int | None]:
    found = re.search(pattern, text)
    if found is None:
        return None, None
    line = text.count("\n", 0, found.start()) + 1
    return line, found.start() - (text.rfind("\n", 0, found.start()) + 1) + 1


_VERSION_WRITTEN = re.compile(r'"results_version"\s*:\s*([^\s,}]*)')
"""How ``results_version`` is written: pydantic reads ``2.0`` as version 2 and gives it when
it is missing, while a document must say ``2`` (any other spelling takes the located path)."""


REPORT_TAKES = ("leadlens report takes the results document that leadlens score writes. "
                + MAKE_ONE + ", then: leadlens report results.json")
"""The hint for a file that is no JSON at all given where a results document is read."""


def parse_results(text: str, file: str, *, not_json_hint: str = REPORT_TAKES) -> Results:
    """Validate the JSON text of a results document; every problem is located.

    Beyond the document's types (strictly: no text for numbers, no true for 1), every
    value's domain and the anonymity rules are checked again (:mod:`leadlens.results.checks`):
    a document edited by hand cannot publish a small group or an impossible score, and one
    not sealed by ``leadlens score`` keeps only its first breakdown (a warning says so).
    ``not_json_hint`` is the hint for a file that is no JSON at all (the command that reads
    it says what it takes).

    The text is parsed once, by pydantic's JSON validator, straight into the model. Only a
    document it refuses, or one that may hold what Python's JSON reader is stricter about
    (``NaN``, ``Infinity``, which pydantic reads as floats), takes the located path
    (:func:`_parse_located`): the same messages as ever, at the cost of a second parse.
    """
    if "NaN" not in text and "Infinity" not in text:
        try:
            results = Results.model_validate_json(text, strict=True)
        except ValidationError:
            pass  # located below, with every problem
        else:
            if _VERSION_WRITTEN.findall(text) == [str(RESULTS_VERSION)]:  # else: its message
                return _checked(results, text, file)
    return _parse_located(text, file, not_json_hint)


def _parse_located(text: str, file: str, not_json_hint: str = REPORT_TAKES) -> Results:
    """:func:`parse_results` for a document with problems: JSON syntax, version, then types,
    each located at its line and column."""
    try:
        data = json.loads(text, parse_constant=refuse_constant)
    except json.JSONDecodeError as exc:
        raise ResultsError([_syntax_problem(exc, file, not_json_hint)]) from None
    except NotFinite as exc:
        line, col = _position(text, rf"(?<![\w\"]){re.escape(str(exc))}(?![\w\"])")
        raise ResultsError([Problem(file=file, line=line, col=col, message=f"{exc} is not a "
                                    "number a results document may hold", hint=MAKE_ONE,
                                    code=Code.RESULTS_NOT_FINITE)]) from None
    except ValueError:  # an integer of more digits than Python converts (4,300)
        line, col = _position(text, r"[0-9]{1000,}")
        raise ResultsError([Problem(file=file, line=line, col=col, message="a number with "
                                    "thousands of digits", hint=MAKE_ONE,
                                    code=Code.RESULTS_NOT_FINITE)]) from None
    except RecursionError:  # json's decoder recurses once per nested array or object
        raise ResultsError([Problem(file=file, line=1, col=1, message="not a leadlens results "
                                    "document: nested too deeply", hint=MAKE_ONE,
                                    code=Code.JSON_TOO_DEEP)]) from None
    if not isinstance(data, dict) or "results_version" not in data:
        raise ResultsError([Problem(file=file, message="not a leadlens results document "
                                    "(no results_version)", hint=MAKE_ONE,
                                    code=Code.RESULTS_NOT_RESULTS)])
    version = data["results_version"]
    if type(version) is not int or version != RESULTS_VERSION:
        raise ResultsError([Problem(
            file=file, path="results_version",
            message=f"version {json.dumps(version)[:40]} is not supported; this leadlens reads "
                    f"version {RESULTS_VERSION}", hint="Re-score the responses with this "
                                                      "leadlens", code=Code.RESULTS_VERSION)])
    try:
        results = Results.model_validate_json(text, strict=True)
    except ValidationError as exc:
        from leadlens.source.schema_errors import validation_problems

        problems = sorted(validation_problems(exc, file, Results, smap=locations(text, file)),
                          key=lambda p: (p.line or 0, p.col or 0))
        raise ResultsError(problems[:MAX_PROBLEMS],
                           omitted=max(len(problems) - MAX_PROBLEMS, 0)) from None
    return _checked(results, text, file)


def _syntax_problem(exc: json.JSONDecodeError, file: str, not_json_hint: str) -> Problem:
    """A JSON syntax error in our words; a file that is no JSON at all (a responses CSV,
    most often) is named for what it is, with the command that makes a results document."""
    from leadlens.source.nodes import json_syntax

    text = exc.doc.lstrip("\ufeff \t\r\n")
    if text[:1] not in ("{", "["):
        first = text.split("\n", 1)[0]
        what = ("a CSV file (a responses file?)" if "," in first or ";" in first
                or "\t" in first else "not JSON")
        return Problem(file=file, line=exc.lineno, col=exc.colno,
                       message=f"not a leadlens results document: this is {what}",
                       hint=not_json_hint,
                       code=Code.RESULTS_NOT_RESULTS)
    return Problem(file=file, line=exc.lineno, col=exc.colno, message=json_syntax(exc),
                   hint="Write it again with: leadlens score RESPONSES.csv -o results.json",
                   code=Code.JSON_SYNTAX)


def _checked(results: Results, text: str, file: str) -> Results:
    """``results`` once its values' domains and the anonymity rules hold (the problems
    located in ``text`` when any do not)."""
    smap = None
    from leadlens.results.consistency import consistency_problems

    problems = (consistency_problems(results, file) + domain_problems(results, file)
                + anonymity_problems(results, file))
    if problems:
        smap = locations(text, file)
    if problems and smap is not None:
        problems = [located(p, smap) for p in problems]
    if problems:
        raise ResultsError(problems[:MAX_PROBLEMS],
                           omitted=max(len(problems) - MAX_PROBLEMS, 0))
    return unchecked_breakdowns(results, file)


def located(problem: Problem, smap: SourceMap) -> Problem:
    """``problem`` at the line and column of its path in the JSON text."""
    parts: list[str | int] = []
    for piece in re.findall(r"[^.\[\]]+|\[\d+\]", problem.path):
        parts.append(int(piece[1:-1]) if piece.startswith("[") else piece)
    line, col = smap.locate(tuple(parts))
    return dataclasses.replace(problem, line=line, col=col)


def locations(text: str, file: str) -> SourceMap | None:
    """Line and column of each value, to locate problems; None for a document too large to
    scan (its problems are then located by path only)."""
    from leadlens.source.nodes import LoadError, load_json, source_map

    try:
        return source_map(load_json(text, file))
    except LoadError:
        return None


def _refuse_past_bounds(data: bytes, file: str) -> None:
    """Refuse a document past :mod:`leadlens.results.bounds` before any parser sees it."""
    from leadlens.results.bounds import bounds_problem

    problem = bounds_problem(data, file)
    if problem is not None:
        raise ResultsError([problem])


def read_document_text(path: Path, *, hint: str = MAKE_ONE) -> str:
    """The text of a leadlens JSON document at ``path``: its size and the bounds of
    :mod:`leadlens.results.bounds` checked before any parser sees it, then decoded (``hint``:
    for a file that is not UTF-8)."""
    try:  # the bytes are not kept beside the text (a national document is 100 MB or more)
        data = read_input(path, "results document", error=ResultsError)
        _refuse_past_bounds(data, str(path))
        text = data.decode("utf-8-sig")
        del data
    except UnicodeDecodeError as exc:
        raise ResultsError([Problem(file=str(path), message=f"not UTF-8 text (at byte offset "
                                    f"{exc.start})", hint=hint,
                                    code=Code.FILE_NOT_UTF8)]) from None
    return text


def load_results(path: Path, *, not_json_hint: str = REPORT_TAKES) -> Results:
    """Read and validate a results document from ``path`` (``not_json_hint``: see
    :func:`parse_results`)."""
    return parse_results(read_document_text(path), str(path), not_json_hint=not_json_hint)
