"""Loading question sets: from a path or a bundled id, with every problem located."""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from leadlens import files
from leadlens.errors import Problem, QuestionSetError, did_you_mean, unreadable
from leadlens.questionset.checks import check_question_set
from leadlens.questionset.model import QuestionSet
from leadlens.source.yamltree import SourceMap, format_path, load_yaml

DEFAULT_QUESTION_SET = "ggi-systems-leadership"


@dataclass
class Validation:
    """The outcome of validating one file: the model (when valid) and every problem."""

    file: str
    question_set: QuestionSet | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


def bundled_dir() -> Path:
    """The folder of bundled question sets (inside the wheel, or the repo when editable)."""
    return files.bundled_dir("question_sets")


def bundled_sets() -> dict[str, Path]:
    """Bundled question-set ids (file stems) and their files."""
    folder = bundled_dir()
    if not folder.is_dir():
        return {}
    return {p.stem: p for p in sorted(folder.glob("*.yaml"))}


def resolve(ref: str | Path | None) -> Path:
    """A path for ``ref``: an existing file, or a bundled id; None means the default set."""
    ref = DEFAULT_QUESTION_SET if ref is None else ref
    path = Path(ref)
    if path.is_file():
        return path
    bundled = bundled_sets()
    if isinstance(ref, str) and ref in bundled:
        return bundled[ref]
    hint = did_you_mean(str(ref), bundled) or (
        f"Bundled sets: {', '.join(bundled)}" if bundled else "")
    raise QuestionSetError([Problem(file=str(ref), message="no such question-set file or "
                                    "bundled id", hint=hint)])


def load_question_set(ref: str | Path | None = None) -> QuestionSet:
    """Load and validate a question set; raise :class:`QuestionSetError` if it is invalid.

    Warnings do not stop loading.
    """
    path = resolve(ref)
    result = validate_file(path)
    if result.question_set is None:
        raise QuestionSetError(result.errors)
    return result.question_set


def validate_file(path: Path, display_name: str | None = None) -> Validation:
    """Validate one question-set file, collecting every problem in it."""
    name = display_name or str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return Validation(name, problems=[unreadable(name, exc)])
    return validate_bytes(data, name)


def validate_bytes(data: bytes, name: str) -> Validation:
    """Validate question-set YAML given as bytes (``name`` is used in locations)."""
    raw, smap, problems = load_yaml(data, name)
    result = Validation(name, problems=list(problems))
    if raw is None and problems:
        return result
    if not isinstance(raw, dict):
        line, col = smap.locate(())
        result.problems.append(Problem(file=name, line=line, col=col,
                                       message="expected a mapping of keys (schema_version, "
                                       f"id, title, ...), got {_kind(raw)}"))
        return result
    lines = {path: pos[0] for path, pos in smap.values.items()}
    for finding in check_question_set(raw, lines):
        line, col = smap.locate(finding.path, key=finding.at_key)
        result.problems.append(Problem(file=name, line=line, col=col,
                                       path=format_path(finding.path), message=finding.message,
                                       hint=finding.hint, severity=finding.severity))
    model: QuestionSet | None = None
    try:
        model = QuestionSet.model_validate(raw)
    except ValidationError as exc:
        # A value the YAML layer already refused (e.g. unquoted No) is not reported twice.
        refused = {(p.line, p.col) for p in problems}
        result.problems += [p for p in _pydantic_problems(exc, smap, name)
                            if (p.line, p.col) not in refused]
    result.problems.sort(key=lambda p: (p.line or 0, p.col or 0, p.severity))
    result.problems = _dedupe(result.problems)
    if model is not None and not result.errors:
        result.question_set = model
    return result


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen: set[tuple[Any, ...]] = set()
    unique = []
    for p in problems:
        key = (p.line, p.col, p.path, p.message)
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return unique


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return f"true/false ({str(value).lower()})"
    if isinstance(value, int | float):
        return f"a number ({value})"
    if isinstance(value, str):
        return f"text ({value!r})" if len(value) < 40 else "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if value is None:
        return "nothing (null)"
    return type(value).__name__


_BOUNDS = {
    "greater_than": "greater than",
    "greater_than_equal": "at least",
    "less_than": "less than",
    "less_than_equal": "at most",
}

_EXPECTED = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "bool_type": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "date_type": "a date (YYYY-MM-DD)",
    "tuple_type": "a list",
}


def _pydantic_problems(exc: ValidationError, smap: SourceMap, name: str) -> list[Problem]:
    problems = []
    for error in exc.errors():
        loc = tuple(error["loc"])
        kind = error["type"]
        if kind == "value_error" and not loc:
            continue  # cross-reference guard; checks.py has located these already
        at_key = kind == "extra_forbidden"
        line, col = smap.locate(loc, key=at_key)
        hint = ""
        value = error.get("input")
        if kind == "missing":
            message = f"missing required key {loc[-1]!r}"
            loc = loc[:-1]
            line, col = smap.locate(loc)
        elif kind == "extra_forbidden":
            allowed = _allowed_keys(loc[:-1])
            message = f"unknown key {loc[-1]!r}"
            hint = did_you_mean(str(loc[-1]), allowed) or (
                f"Allowed keys: {', '.join(allowed)}" if allowed else "")
        elif kind in _EXPECTED:
            message = f"expected {_EXPECTED[kind]}, got {_kind(value)}"
            raw = smap.raw.get(loc)
            if kind == "string_type" and raw is not None and loc in smap.plain:
                hint = f"Quote it (\"{raw}\") to keep it as text"
        elif kind == "string_pattern_mismatch":
            message = f"{value!r} is not a valid id"
            hint = "Use lower-case letters, digits, '-' and '_', starting with a letter or digit"
        elif kind in _BOUNDS:
            limit = next(iter(error.get("ctx", {}).values()), "")
            shown = f"{limit:g}" if isinstance(limit, float) else str(limit)
            message = f"must be {_BOUNDS[kind]} {shown}, got {_kind(value)}"
        elif kind in ("too_short", "too_long"):
            ctx = error.get("ctx", {})
            size = ctx.get("min_length" if kind == "too_short" else "max_length")
            noun = ("character" if isinstance(value, str) else "item") + ("" if size == 1 else "s")
            message = (f"needs at least {size} {noun}" if kind == "too_short"
                       else f"has more than {size} {noun}")
        elif kind in ("string_too_short", "string_too_long"):
            message = "must not be empty" if kind == "string_too_short" else (
                f"is longer than {error.get('ctx', {}).get('max_length')} characters")
        elif kind == "literal_error":
            expected = error.get("ctx", {}).get("expected", "")
            message = f"expected {expected}, got {_kind(value)}"
        else:
            message = error["msg"][0].lower() + error["msg"][1:]
            if value is not None and not isinstance(value, dict | list):
                message += f" (got {_kind(value)})"
        problems.append(Problem(file=name, line=line, col=col, path=format_path(loc),
                                message=message, hint=hint))
    return problems


def _allowed_keys(loc: tuple[Any, ...]) -> list[str]:
    """The keys the model at ``loc`` accepts (by alias), for did-you-mean hints."""
    annotation: Any = QuestionSet
    for part in loc:
        annotation = _step(annotation, part)
        if annotation is None:
            return []
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [f.alias or n for n, f in annotation.model_fields.items()]
    return []


def _unwrap(annotation: Any) -> Any:
    """``X | None`` -> ``X``; ``Annotated[X, ...]`` -> ``X``."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _unwrap(args[0]) if len(args) == 1 else annotation
    return annotation


def _step(annotation: Any, part: Any) -> Any:
    annotation = _unwrap(annotation)
    origin = typing.get_origin(annotation)
    if isinstance(part, int) and origin is list:
        return typing.get_args(annotation)[0]
    if origin is dict:
        return typing.get_args(annotation)[1]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        for n, f in annotation.model_fields.items():
            if part in (n, f.alias):
                return f.annotation
    return None
