"""The one translation of pydantic's validation errors into located, plain-English problems.

Question sets, mapping files and results documents are all validated by pydantic models;
every one of their errors goes through :func:`validation_problems`, so the same mistake reads
the same in every file, carries a stable :class:`~leadlens.errors.Code`, and pydantic's own
wording ("Input should be ...", "Field required") never reaches a user.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic_core import ErrorDetails

from leadlens.errors import Code, Problem, did_you_mean, format_path
from leadlens.source.yamltree import SourceMap

_CODES = {code.value: code for code in Code}

_BOUNDS = {
    "greater_than": "greater than",
    "greater_than_equal": "at least",
    "less_than": "less than",
    "less_than_equal": "at most",
}

# Keys that say the same thing in different places: principles have a ``name``, sections a
# ``title``, perspectives a ``label``; questions a ``text``, respondent fields a ``prompt``.
# An unknown key from a group is offered the group's key the place allows.
_SAME_MEANING = (frozenset({"name", "title", "label"}), frozenset({"text", "prompt"}))


def _unknown_key_hint(key: str, allowed: list[str]) -> str:
    close = did_you_mean(key, allowed)
    if close:
        return close
    for group in _SAME_MEANING:
        if key in group:
            same = [k for k in allowed if k in group]
            if same:
                return f"Did you mean {same[0]!r}? (Allowed keys: {', '.join(allowed)})"
    return f"Allowed keys: {', '.join(allowed)}" if allowed else ""


_EXPECTED = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "date_type": "a date (YYYY-MM-DD)",
    "date_parsing": "a date (YYYY-MM-DD)",
    "date_from_datetime_parsing": "a date (YYYY-MM-DD)",
    "datetime_type": "a date and time (ISO 8601)",
    "datetime_parsing": "a date and time (ISO 8601)",
    "datetime_from_date_parsing": "a date and time (ISO 8601)",
    "tuple_type": "a list",
}


# What Python reads as a number but YAML 1.1 does not: 1e5, 1.0e308, 2E-3 (the exponent of a
# YAML 1.1 float needs a dot in the mantissa and a sign).
_YAML11_TEXT_NUMBER = re.compile(r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)[eE][-+]?[0-9]+")


def _yaml11_number(text: str) -> str:
    mantissa, exponent = re.split("[eE]", text)
    if "." not in mantissa:
        mantissa += ".0"
    if exponent[:1] not in "+-":
        exponent = "+" + exponent
    return f"{mantissa}e{exponent}"


def describe(value: Any) -> str:
    """What a value is, in a user's words: ``a number (1.0)``, ``text ('x')``, ``a list``."""
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


def validation_problems(exc: ValidationError, file: str, model: type[BaseModel], *,
                        smap: SourceMap | None = None,
                        prefix: tuple[str | int, ...] = (),
                        hints: Mapping[str, str] | None = None) -> list[Problem]:
    """Every error of ``exc`` as a :class:`Problem`, in the order pydantic found them.

    Args:
        exc: What ``model.model_validate`` raised.
        file: The file name shown in each problem.
        model: The model validated, for "Did you mean" hints on unknown keys.
        smap: Where each value was in the source (YAML), for line and column; without it
            problems are located by path only.
        prefix: Where the validated data sits in its document (``("import",)`` for a
            mapping file's ``import:`` key), put in front of every error's path.
        hints: A value's domain by its key (``weight``: "above 0 and at most 1000"), the hint
            of an out-of-range or non-finite value there.
    """
    hints = hints or {}
    # In pydantic's order; the errors of one value a union refused (one per member) together.
    items: dict[tuple[Any, ...], list[ErrorDetails]] = {}
    for n, error in enumerate(exc.errors(include_url=False)):
        at = _union_at(model, tuple(error["loc"]))
        key = (n,) if at is None else ("union", *tuple(error["loc"])[:at])
        items.setdefault(key, []).append(error)
    problems: list[Problem] = []
    for key, errors in items.items():
        if key[0] == "union":
            problems += _union_problems(key[1:], errors, file, model, smap, prefix, hints)
        else:
            problems.append(_problem(errors[0], file, model, smap, prefix, hints))
    return problems


def _union_problems(base: tuple[Any, ...], errors: list[ErrorDetails], file: str,
                    model: type[BaseModel], smap: SourceMap | None,
                    prefix: tuple[str | int, ...], hints: Mapping[str, str]) -> list[Problem]:
    """One value a union field refused (pydantic gives one error per member, at ``base`` +
    the member's tag): the errors of the member whose form the value has (a whole number out of
    range, a mapping missing a key), or else one line naming every form the field accepts."""
    by_member: dict[Any, list[ErrorDetails]] = {}
    for error in errors:
        by_member.setdefault(error["loc"][len(base)], []).append(error)
    for member in by_member.values():
        if not any(_wrong_form(error, len(base)) for error in member):
            return [_problem(_untagged(error, len(base)), file, model, smap, prefix, hints)
                    for error in member]
    forms = list(dict.fromkeys(_EXPECTED[e["type"]] for e in errors))
    loc = prefix + base
    line = col = None
    if smap is not None:
        line, col = smap.locate(loc)
    field = _field_name(model, base)
    return [Problem(file=file, line=line, col=col, path=format_path(loc),
                    message=f"expected {_either(forms)}, got {describe(errors[0].get('input'))}",
                    hint=hints.get(field, "") if field else "", code=Code.SCHEMA_WRONG_TYPE)]


def _wrong_form(error: ErrorDetails, depth: int) -> bool:
    """Whether a union member's error says the value is not of its form at all."""
    return len(error["loc"]) == depth + 1 and error["type"] in _EXPECTED


def _untagged(error: ErrorDetails, depth: int) -> ErrorDetails:
    """``error`` with the union member's tag (at ``depth`` in its location) taken out."""
    loc = tuple(error["loc"])
    return {**error, "loc": loc[:depth] + loc[depth + 1:]}


def _either(forms: list[str]) -> str:
    return forms[0] if len(forms) == 1 else ", ".join(forms[:-1]) + " or " + forms[-1]


def _problem(error: ErrorDetails, file: str, model: type[BaseModel], smap: SourceMap | None,
             prefix: tuple[str | int, ...], hints: Mapping[str, str]) -> Problem:
    inner = tuple(error["loc"])
    loc = prefix + inner
    kind = error["type"]
    value = error.get("input")
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
    at_key, hint = False, ""
    if kind == "missing":
        code, message = Code.SCHEMA_MISSING_KEY, f"missing required key {loc[-1]!r}"
        loc = loc[:-1]
    elif kind == "extra_forbidden":
        allowed = _allowed_keys(model, inner[:-1])
        code, message, at_key = Code.SCHEMA_UNKNOWN_KEY, f"unknown key {loc[-1]!r}", True
        hint = _unknown_key_hint(str(loc[-1]), allowed)
    elif kind in _EXPECTED:
        code, message = Code.SCHEMA_WRONG_TYPE, f"expected {_EXPECTED[kind]}, got {describe(value)}"
        raw = smap.raw.get(loc) if smap is not None else None
        plain = smap is not None and loc in smap.plain
        if kind == "string_type" and raw is not None and plain:
            hint = f"Quote it (\"{raw}\") to keep it as text"
        elif kind in ("float_type", "int_type") and plain and isinstance(value, str) \
                and _YAML11_TEXT_NUMBER.fullmatch(value):
            if _accepts(model, inner, float(value)):
                hint = (f"YAML 1.1 reads {value} as text: write an exponent with a dot and a "
                        f"sign, e.g. {_yaml11_number(value)}")
            else:  # the number it means would be refused too: say what is allowed instead
                hint = (f"YAML 1.1 reads {value} as text, and as a number it is out of range"
                        + (f". {hints[str(loc[-1])]}" if str(loc[-1]) in hints else ""))
    elif kind == "string_pattern_mismatch":
        code, message = Code.SCHEMA_INVALID_ID, f"{value!r} is not a valid id"
        hint = ("Use letters, digits, '-' and '_', starting with a letter or digit"
                if loc[:1] == ("questions",) and loc[-1:] == ("id",) else
                "Use lower-case letters, digits, '-' and '_', starting with a letter or "
                "digit")
    elif kind in _BOUNDS:
        limit = next(iter(ctx.values()), "")
        shown = f"{limit:g}" if isinstance(limit, float) else str(limit)
        code, message = Code.SCHEMA_OUT_OF_RANGE, (
            f"must be {_BOUNDS[kind]} {shown}, got {describe(value)}")
    elif kind == "int_parsing_size":
        code, message = Code.SCHEMA_OUT_OF_RANGE, f"is too large a number, got {describe(value)}"
    elif kind == "finite_number":
        code, message = Code.SCHEMA_OUT_OF_RANGE, f"must be a finite number, got {describe(value)}"
    elif kind in ("too_short", "too_long"):
        size = ctx.get("min_length" if kind == "too_short" else "max_length")
        noun = ("character" if isinstance(value, str) else "item") + ("" if size == 1 else "s")
        code, message = Code.SCHEMA_LENGTH, (f"needs at least {size} {noun}" if kind == "too_short"
                                             else f"has more than {size} {noun}")
    elif kind in ("string_too_short", "string_too_long"):
        code, message = Code.SCHEMA_LENGTH, ("must not be empty" if kind == "string_too_short"
                                             else f"is longer than {ctx.get('max_length')} "
                                                  "characters")
    elif kind in ("literal_error", "enum"):
        code, message = Code.SCHEMA_NOT_A_CHOICE, (
            f"expected {ctx.get('expected', '')}, got {describe(value)}")
    elif kind in _CODES:
        # Our own validators raise PydanticCustomError with a catalogue code as its type and
        # a message already written for users.
        code, message = _CODES[kind], error["msg"]
    elif kind in ("value_error", "assertion_error") and "error" in ctx:
        code, message = Code.SCHEMA_INVALID, str(ctx["error"])
    else:
        code, message = Code.SCHEMA_INVALID, "this value is not accepted here"
        if value is not None and not isinstance(value, dict | list):
            message += f" (got {describe(value)})"
    if not hint and code is Code.SCHEMA_OUT_OF_RANGE and loc:
        hint = hints.get(str(loc[-1]), "")
    elif not hint:
        hint = hints.get(code.value, "")  # our own validators' codes
    line = col = None
    if smap is not None:
        line, col = smap.locate(loc, key=at_key)
    return Problem(file=file, line=line, col=col, path=format_path(loc), message=message,
                   hint=hint, code=code)


def _allowed_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The keys the model at ``loc`` accepts (by alias), for did-you-mean hints."""
    annotation = _unwrap(_walk(model, loc))
    members = (typing.get_args(annotation) if _is_union(annotation) else (annotation,))
    return [f.alias or n for member in members
            if isinstance(member, type) and issubclass(member, BaseModel)
            for n, f in member.model_fields.items()]


def _accepts(model: type[BaseModel], loc: tuple[Any, ...], number: float) -> bool:
    """Whether the field at ``loc`` would take ``number`` (its bounds, finiteness)."""
    parent = _unwrap(_walk(model, loc[:-1]))
    if not (isinstance(parent, type) and issubclass(parent, BaseModel)):
        return True
    found = next((f for n, f in parent.model_fields.items() if loc[-1] in (n, f.alias)), None)
    if found is None:
        return True
    form: Any = Annotated[(found.annotation, *found.metadata)]
    try:
        TypeAdapter(form).validate_python(number)
    except ValidationError:
        return False
    return True


def _is_union(annotation: Any) -> bool:
    """A union of two or more forms (``int | str``; ``X | None`` is not one)."""
    return typing.get_origin(_unwrap(annotation)) in (typing.Union, types.UnionType)


def _union_at(model: type[BaseModel], loc: tuple[Any, ...]) -> int | None:
    """Where in ``loc`` pydantic put a union member's tag (the index), or None."""
    annotation: Any = model
    for at, part in enumerate(loc):
        if _is_union(annotation):
            return at
        annotation = _step(annotation, part)
        if annotation is None:
            return None
    return None


def _field_name(model: type[BaseModel], loc: tuple[Any, ...]) -> str | None:
    """The name (as written) of the innermost model field on ``loc``, for its hint."""
    annotation: Any = model
    name = None
    for part in loc:
        if isinstance(_unwrap(annotation), type) and issubclass(_unwrap(annotation), BaseModel):
            name = str(part)
        annotation = _step(annotation, part)
        if annotation is None:
            break
    return name


def _walk(model: type[BaseModel], loc: tuple[Any, ...]) -> Any:
    annotation: Any = model
    for part in loc:
        annotation = _step(annotation, part)
        if annotation is None:
            return None
    return annotation


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
    if origin in (typing.Union, types.UnionType):  # the member that has ``part``
        return next((found for member in typing.get_args(annotation)
                     if (found := _step(member, part)) is not None), None)
    if isinstance(part, int) and origin is list:
        return typing.get_args(annotation)[0]
    if origin is dict:
        return typing.get_args(annotation)[1]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        for n, f in annotation.model_fields.items():
            if part in (n, f.alias):
                return f.annotation
    return None
