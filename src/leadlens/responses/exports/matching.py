"""Matching an export's columns to answer keys and respondent fields.

In order, for each column: a mapping rule (``--mapping`` file, then the question set's
``import`` section); the header as an answer key, field id, question text or field prompt;
the header as a grid ``Title [Statement]`` / ``Title - Statement`` whose statement is a
question text, or whose title is a question text and statement a perspective or timepoint
label (``Question [Organisation hat]``); the platform's metadata; otherwise unmatched.
Texts are compared after :func:`leadlens.responses.exports.text.normalise`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Literal

from leadlens.errors import Code, Problem, did_you_mean, format_path
from leadlens.questionset.model import ColumnRule, QuestionSet
from leadlens.questionset.regexes import RegexClock, RegexTimeout
from leadlens.responses.exports.mapping import RuleSource
from leadlens.responses.exports.platforms import PLATFORM_NAMES, Column, Layout
from leadlens.responses.exports.reworded import mapping_line, pair_reworded
from leadlens.responses.exports.text import normalise, splits, strip_suffix_number
from leadlens.responses.layout import RESERVED_COLUMNS

Kind = Literal["question", "field", "respondent_id", "submitted_at", "metadata", "ignored",
               "unmatched", "ambiguous"]
RESERVED = RESERVED_COLUMNS


@dataclass(frozen=True)
class Match:
    """What one column holds."""

    column: Column
    kind: Kind
    key: str | None = None
    """Answer key, field id, ``respondent_id`` or ``submitted_at``."""
    how: str = ""
    candidates: tuple[str, ...] = ()
    """For ``ambiguous`` columns: every key the header could mean."""


@dataclass
class ColumnMap:
    """Every column's match, and every answer key with no column."""

    matches: list[Match]
    missing: list[str]
    problems: list[Problem] = field(default_factory=list)

    def used(self) -> list[Match]:
        """Columns that feed scoring: answers, fields, respondent id, submission time."""
        return [m for m in self.matches
                if m.kind in ("question", "field", "respondent_id", "submitted_at")]


class QuestionIndex:
    """Normalised texts and ids of a question set, for exact lookups."""

    def __init__(self, qs: QuestionSet) -> None:
        self.qs = qs
        self.kinds: dict[str, Kind] = {}
        self.whole: dict[str, set[str]] = defaultdict(set)
        self.statements: dict[str, set[str]] = defaultdict(set)
        self.variants: dict[str, dict[str, str]] = defaultdict(dict)
        labels = {p.id: p.label for p in qs.perspectives} | {t.id: t.label for t in qs.timepoints}
        for name in RESERVED:
            self.kinds[name] = name  # type: ignore[assignment]
            self.whole[name].add(name)
        for q in qs.questions:
            for key in q.answer_keys:
                self.kinds[key] = "question"
                self.whole[normalise(key)].add(key)
            variants = q.perspectives or q.timepoints
            if not variants:
                self.whole[normalise(q.text)].add(q.id)
                self.statements[normalise(q.text)].add(q.id)
                continue
            table = self.variants[normalise(q.text)]
            for variant in variants:
                key = f"{q.id}@{variant}"
                table[normalise(variant)] = key
                table[normalise(labels.get(variant, variant))] = key
        for f in qs.respondent:
            self.kinds[f.id] = "field"
            self.whole[normalise(f.id)].add(f.id)
            self.whole[normalise(f.prompt)].add(f.id)

    def targets(self) -> list[str]:
        return [*self.kinds, "ignore"]

    def lookup(self, text: str) -> tuple[set[str], str]:
        """Keys a header text means, and how it was read; empty when nothing fits."""
        norm = normalise(text)
        if norm in self.whole:
            found = self.whole[norm]
            return found, "id" if all(normalise(k) == norm for k in found) else "text"
        for title, statement in splits(text):
            found, how = self.pair(title, statement)
            if found:
                return found, how
        return set(), ""

    def pair(self, title: str, statement: str, depth: int = 0) -> tuple[set[str], str]:
        """Keys a (title, statement) pair means: a grid row, or a question and its variant."""
        norm_statement = normalise(statement)
        if norm_statement in self.statements:
            return set(self.statements[norm_statement]), "grid statement"
        key = self.variants.get(normalise(title), {}).get(norm_statement)
        if key is not None:
            return {key}, "question and perspective/timepoint"
        if norm_statement in self.whole and self.kinds.get(
                next(iter(self.whole[norm_statement]))) == "question":
            return set(self.whole[norm_statement]), "grid statement (id)"
        if depth == 0:
            for inner_title, inner_statement in splits(statement):
                found, how = self.pair(inner_title, inner_statement, depth=1)
                if found:
                    return found, how
        return set(), ""


def match_columns(layout: Layout, index: QuestionIndex, rules: list[RuleSource],
                  name: str) -> ColumnMap:
    """Match every column of ``layout``; collect rule, duplicate and ambiguity problems."""
    problems: list[Problem] = []
    header_line = layout.header_lines[0] if layout.header_lines else 1
    targets = index.targets()
    clock, stopped = RegexClock(), set[tuple[int, int]]()
    matches = [_match(col, layout, index, rules, targets, problems, name, clock, stopped)
               for col in layout.columns]
    by_key: dict[str, list[Match]] = defaultdict(list)
    for m in matches:
        if m.key is not None and m.kind != "ambiguous":
            by_key[m.key].append(m)
        elif m.kind == "ambiguous":
            problems.append(Problem(
                file=name, line=header_line, column=m.column.display,
                message=f"matches more than one question: {', '.join(m.candidates)}",
                hint="Map it with a --mapping file (columns: - header: ... to: ...)",
                code=Code.RESPONSES_AMBIGUOUS_COLUMN))
    for key, found in by_key.items():
        if len(found) > 1:
            what = "question" if index.kinds.get(key) == "question" else "respondent field"
            if key in RESERVED:
                what = "column"
            shown = ", ".join(repr(m.column.display) for m in found)
            problems.append(Problem(
                file=name, line=header_line, column=found[0].column.display,
                message=f"{what} {key!r} matches more than one column: {shown}",
                hint="Map the right one with --mapping and map the others to 'ignore'",
                code=Code.RESPONSES_DUPLICATE_COLUMN))
    answer_keys = index.qs.answer_keys()
    missing = [k for k in answer_keys if k not in by_key]
    unmatched = [m.column for m in matches if m.kind == "unmatched" and m.column.display.strip()]
    reworded = pair_reworded(unmatched, index.qs, missing)
    for column in unmatched:
        close = reworded.get(column.index)
        if close is not None:
            problems.append(Problem(
                file=name, line=header_line, column=column.display,
                message=f"matches no question, but it is close to the text of {close!r}, "
                "which has no column",
                hint=f"Did you mean {close!r}? If so, map it in a --mapping file, under "
                f"columns: {mapping_line(column.display, close)}",
                code=Code.RESPONSES_SIMILAR_COLUMN))
            continue
        problems.append(Problem(
            file=name, line=header_line, column=column.display, severity="warning",
            message="matches no question or respondent field; ignored",
            code=Code.RESPONSES_UNKNOWN_COLUMN))
    return ColumnMap(matches=matches, missing=missing, problems=problems)


def _match(col: Column, layout: Layout, index: QuestionIndex, rules: list[RuleSource],
           targets: list[str], problems: list[Problem], name: str, clock: RegexClock,
           stopped: set[tuple[int, int]]) -> Match:
    for n, ruleset in enumerate(rules):
        for i, rule in enumerate(ruleset.settings.columns):
            if (n, i) in stopped:
                continue
            try:
                target = apply_rule(rule, col, clock)
            except RegexTimeout as exc:
                stopped.add((n, i))  # one problem per rule, and no more time spent on it
                problems.append(_timeout_problem(ruleset, i, col, name, exc))
                continue
            if target is None:
                continue
            how = f"{ruleset.name}: {format_path(ruleset.prefix + ('columns', i))}"
            if target == "ignore":
                return Match(col, "ignored", how=how)
            if target not in index.kinds:  # only a regex's expanded target can get here
                problems.append(ruleset.problem(
                    ("columns", i, "to"), Code.IMPORT_UNKNOWN_TARGET,
                    f"{target!r} (for column {col.display!r} of {name}) "
                    "is not an answer key, respondent field, respondent_id, submitted_at or "
                    "ignore", did_you_mean(target, targets)))
                return Match(col, "unmatched", how=how)
            return Match(col, index.kinds[target], key=target, how=how)
    found, how = _by_text(col, index)
    if not found and layout.numbered_duplicates:
        for text in col.texts:
            base = strip_suffix_number(text)
            if base is not None:
                found, how = index.lookup(base)
                if found:
                    how += " (numbered repeat of a header)"
                    break
    if len(found) > 1:
        return Match(col, "ambiguous", how=how, candidates=tuple(sorted(found)))
    if found:
        key = next(iter(found))
        return Match(col, index.kinds[key], key=key, how=how)
    if col.metadata is not None:
        platform_note = f"{PLATFORM_NAMES.get(layout.platform, layout.platform)} metadata"
        if col.metadata in RESERVED:
            return Match(col, col.metadata, key=col.metadata, how=platform_note)  # type: ignore[arg-type]
        return Match(col, "metadata", how=platform_note)
    return Match(col, "unmatched")


def _timeout_problem(ruleset: RuleSource, i: int, col: Column, name: str,
                     exc: RegexTimeout) -> Problem:
    header = col.display if len(col.display) <= 60 else col.display[:57] + "..."
    what = (f"the regex rules ran for {exc.seconds:g} s of CPU time in all on this file's "
            "headers, stopped" if exc.total else
            f"the regex ran for {exc.seconds:g} s of CPU time, stopped")
    return ruleset.problem(
        ("columns", i, "regex"), Code.IMPORT_REGEX_TIMEOUT,
        f"{what} on column {header!r} of {name} ({len(col.display):,} characters)",
        "Simplify the regex: a repeat inside a repeat, such as (a+)+ or (a|aa)+, can take "
        "exponentially long; anchor it and match the header's fixed text")


def _by_text(col: Column, index: QuestionIndex) -> tuple[set[str], str]:
    for title, statement in col.pairs:
        found, how = index.pair(title, statement)
        if found:
            return found, how
    for text in col.texts:
        found, how = index.lookup(text)
        if found:
            return found, how
    return set(), ""


def apply_rule(rule: ColumnRule, col: Column, clock: RegexClock | None = None) -> str | None:
    """The rule's target for this column, or None when the rule does not fit it.

    Raises:
        RegexTimeout: the rule's regex ran out of ``clock``'s time on this column's header.
    """
    if rule.import_id is not None:
        return rule.to if col.import_id is not None and (
            col.import_id.casefold() == rule.import_id.strip().casefold()) else None
    if rule.code is not None:
        code = rule.code.strip()
        for text in (col.code or "", *col.texts):
            text = text.strip()
            # "B1[SQ001]" alone, or followed by LimeSurvey's code/text separator.
            if text == code or (text.startswith(code) and text[len(code):][:1] in
                                (".", " ", ":", "-", "\t")):
                return rule.to
        return None
    if rule.header is not None:
        wanted = normalise(rule.header)
        texts = (col.display, *col.texts, *(f"{t} [{s}]" for t, s in col.pairs))
        return rule.to if any(normalise(t) == wanted for t in texts) else None
    assert rule.regex is not None  # the model guarantees exactly one matcher
    clock = clock or RegexClock()
    for text in (col.display, *col.texts, col.code or ""):
        match = clock.fullmatch(rule.regex, text.strip())
        if match:
            return match.expand(rule.to)  # its groups were checked when the rule was loaded
    return None
