"""Mapping files (``--mapping FILE``) and the question set's ``import`` section.

A mapping file holds what the ``import`` section holds, at its top level (or under an
``import`` key)::

    platform: qualtrics          # optional: skip detection
    columns:
      - {import_id: QID7_1, to: basics-1}
      - {code: "B1[SQ001]", to: basics-1}
      - {header: "Which trust are you from?", to: organisation}
      - {regex: '^Q(\\d+)_(\\d+)$', to: 'item-\\1-\\2'}
      - {header: Custom Data 1, to: ignore}
    answers:
      agreement: {A1: 1, A2: 2, A3: 3, A4: 4, A5: 5, A6: "Don't know"}
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from leadlens.errors import Code, Problem, ResponsesError, did_you_mean, format_path
from leadlens.files import read_input
from leadlens.questionset.hints import DOMAIN_HINTS
from leadlens.questionset.model import ImportSettings, QuestionSet
from leadlens.responses.layout import RESERVED_COLUMNS

if TYPE_CHECKING:  # PyYAML is imported only when a mapping file is read (start-up)
    from pydantic import ValidationError

    from leadlens.source.yamltree import SourceMap


def load_mapping(path: Path, question_set: QuestionSet | None = None) -> RuleSource:
    """Read a mapping file; every problem is located at ``file:line:col``.

    With ``question_set``, the rules are checked against it too (:func:`check_rules`), and
    the problems of both kinds are reported together: the rules that are valid on their own
    are checked while the others are refused.

    Raises:
        ResponsesError: the file cannot be read or is not a valid mapping.
    """
    from pydantic import ValidationError

    from leadlens.source.schema_errors import validation_problems
    from leadlens.source.yamltree import load_yaml

    name = str(path)
    data = read_input(path, "mapping file", name=name, error=ResponsesError)
    raw, smap, problems = load_yaml(data, name)
    if problems:
        raise ResponsesError([_mapping_hint(p) for p in problems])
    prefix: tuple[str, ...] = ()
    if isinstance(raw, dict) and set(raw) == {"import"}:
        raw, prefix = raw["import"], ("import",)
    if not isinstance(raw, dict):
        line, col = smap.locate(prefix)
        raise ResponsesError([Problem(file=name, line=line, col=col,
                                      message="expected a mapping with columns and/or answers",
                                      code=Code.SCHEMA_NOT_A_MAPPING)])
    try:
        settings = ImportSettings.model_validate(raw)
    except ValidationError as exc:
        problems = validation_problems(exc, name, ImportSettings, smap=smap, prefix=prefix,
                                       hints=DOMAIN_HINTS)
        rest = _salvaged(raw, exc)
        if question_set is not None and rest is not None:
            problems += check_rules(RuleSource(rest, name, prefix, smap), question_set)
        raise ResponsesError(sorted(problems, key=lambda p: (p.line or 0, p.col or 0))) from None
    source = RuleSource(settings, name, prefix, smap)
    if question_set is not None:
        problems = check_rules(source, question_set)
        if problems:
            raise ResponsesError(problems)
    return source


_REFUSED_RULE = {"header": "\x00", "to": "ignore"}
"""Stands in for a refused rule, so that the others keep their index (and location)."""


def _salvaged(raw: dict[str, Any], exc: ValidationError) -> ImportSettings | None:
    """The settings without the parts ``exc`` refuses, to check the rest against the
    question set in the same run; None when what is left does not validate either."""
    from pydantic import ValidationError

    rest = copy.deepcopy(raw)
    for error in exc.errors():
        loc = error["loc"]
        if not loc:
            return None
        section = rest.get(loc[0]) if isinstance(loc[0], str) else None
        if loc[0] == "columns" and isinstance(section, list) and len(loc) > 1 \
                and isinstance(loc[1], int) and loc[1] < len(section):
            section[loc[1]] = _REFUSED_RULE
        elif loc[0] == "answers" and isinstance(section, dict) and len(loc) > 1 \
                and loc[1] in section:
            codes = section[loc[1]]
            if len(loc) > 2 and isinstance(codes, dict):
                codes.pop(loc[2], None)  # a union's errors name one code twice
            else:
                del section[loc[1]]
        else:
            rest.pop(str(loc[0]), None)
    try:
        return ImportSettings.model_validate(rest)
    except ValidationError:
        return None


def _mapping_hint(problem: Problem) -> Problem:
    if problem.code is Code.FILE_EMPTY:
        return replace(problem, hint="Expected a YAML mapping with 'columns' and/or 'answers'")
    return problem


@dataclass(frozen=True)
class RuleSource:
    """Import settings in force, and where they were written (for located messages)."""

    settings: ImportSettings
    name: str
    """A mapping file's path, or ``question set 'id'``."""
    prefix: tuple[str | int, ...] = ()
    smap: SourceMap | None = None

    def problem(self, path: tuple[str | int, ...], code: Code, message: str,
                hint: str = "") -> Problem:
        full = self.prefix + path
        line = col = None
        if self.smap is not None:
            line, col = self.smap.locate(full)
        return Problem(file=self.name, line=line, col=col, path=format_path(full),
                       message=message, hint=hint, code=code)


def check_rules(source: RuleSource, qs: QuestionSet) -> list[Problem]:
    """Rules whose target or answers do not fit the question set (regex targets aside)."""
    settings = source.settings
    targets = [*RESERVED_COLUMNS, "ignore", *qs.answer_keys(),
               *qs.respondent_field_ids()]
    problems = []
    for i, rule in enumerate(settings.columns):
        if rule.regex is None and rule.to not in targets:
            problems.append(source.problem(
                ("columns", i, "to"), Code.IMPORT_UNKNOWN_TARGET,
                f"{rule.to!r} is not an answer key, respondent field, respondent_id, submitted_at "
                "or ignore", did_you_mean(rule.to, targets)))
    for scale_id, codes in settings.answers.items():
        scale = qs.scales.get(scale_id)
        if scale is None:
            problems.append(source.problem(
                ("answers", scale_id), Code.IMPORT_UNKNOWN_SCALE,
                f"no scale {scale_id!r} in question set {qs.id!r}",
                did_you_mean(scale_id, qs.scales)))
            continue
        values = {o.value for o in scale.options}
        unscored = {u.casefold() for u in scale.unscored}
        for code, value in codes.items():
            ok = value in values if isinstance(value, int) else value.casefold() in unscored
            if not ok:
                also = " or one of its unscored answers" if unscored else ""
                problems.append(source.problem(
                    ("answers", scale_id, code), Code.IMPORT_NOT_A_VALUE,
                    f"{value!r} is not a value of the {scale_id} scale ({scale.describe()}){also}"))
    return problems


def rule_sources(qs: QuestionSet, mapping: RuleSource | None) -> list[RuleSource]:
    """The rules in force, first wins: the ``--mapping`` file, then the question set's.

    Raises:
        ResponsesError: a rule names an unknown answer key, field or scale value.
    """
    found = [mapping] if mapping is not None else []
    if qs.import_ is not None:
        origin = qs.origin  # None for a set built in code: then the set's id names it
        found.append(RuleSource(qs.import_, f"question set {qs.id!r}", ("import",)) if origin
                     is None else RuleSource(qs.import_, origin.file, ("import",), origin.smap))
    problems = [p for source in found for p in check_rules(source, qs)]
    if problems:
        raise ResponsesError(problems)
    return found
