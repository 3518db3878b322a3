"""``leadlens template``: files to fill in, for collecting answers away from the terminal.

A commented YAML answers file (each question's text and its scale's options as comments),
the same as JSON with empty values, or a blank responses CSV with just the header. Text from
the question set goes into comments one safe line at a time: every kind of line break
(including ``\\r``, NEL and the Unicode line separators YAML also breaks on) starts a new
``#`` line and control characters become visible escapes, so no question can break out of its
comment and add keys.
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Callable
from typing import TYPE_CHECKING

from leadlens.responses.layout import responses_header
from leadlens.text import clean_lines, one_line

if TYPE_CHECKING:
    # The CLI reads this module's format tables at start-up: the model, the survey flow
    # and the writer (pydantic) are imported only when a template is made.
    from leadlens.questionset.model import Question, QuestionSet, RespondentField

_PLAIN_KEY = re.compile(r"^[a-z][a-z0-9_@-]*$")
_YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}
WIDTH = 96


def _key(key: str) -> str:
    """A mapping key that every YAML reader takes as text (quoted when it might not)."""
    return key if _PLAIN_KEY.match(key) and key not in _YAML_WORDS else f'"{key}"'


def _comment(text: str, indent: str, *, prefix: str = "") -> list[str]:
    """``text`` as ``# `` lines: one per line of the text, wrapped, never breaking out."""
    lines: list[str] = []
    for i, line in enumerate(clean_lines(text)):
        first = prefix if i == 0 else ""
        wrapped = textwrap.wrap(first + line, width=WIDTH - len(indent) - 2,
                                break_on_hyphens=False, break_long_words=True) or [""]
        lines.extend(f"{indent}# {part}".rstrip() for part in wrapped)
    return lines


def _field_lines(rf: RespondentField) -> list[str]:
    lines = _comment(rf.prompt + (" (required)" if rf.required else ""), "  ")
    if rf.help:
        lines += _comment(rf.help, "  ")
    if rf.type == "choice":
        lines += _comment(" | ".join(one_line(c) for c in rf.choices), "  ",
                          prefix="Choose one: ")
    lines.append(f"  {_key(rf.id)}:")
    return lines


def _question_lines(qs: QuestionSet, question: Question) -> list[str]:
    from leadlens.survey.flow import variants_of

    lines = _comment(question.text, "  ", prefix=f"{question.id}: ")
    if question.required:
        lines.append("  # (required)")
    if question.help:
        lines += _comment(question.help, "  ")
    scale = qs.scale_of(question)
    if question.type == "text":
        lines.append("  # Free text; use quotes, or '|' and indented lines for several lines.")
    elif scale is not None:
        options = ", ".join(f"{o.value} {one_line(o.label)}" for o in scale.options)
        extra = "".join(f"; or {one_line(u)!r}" for u in scale.unscored)
        lines += _comment(options + extra, "  ", prefix=f"{question.scale}: ")
    for variant, key in zip(variants_of(qs, question), question.answer_keys, strict=True):
        if variant is not None:
            about = f"{variant.label}: {variant.description}" if variant.description \
                else variant.label
            lines += _comment(about, "  ", prefix="-> ")
        lines.append(f"  {_key(key)}:")
    return lines


def answers_yaml(qs: QuestionSet, question_set_ref: str | None = None) -> str:
    """A commented YAML answers file for one respondent, every answer left blank."""
    from leadlens.survey.flow import ABOUT_YOU, section_of

    ref = one_line(question_set_ref or qs.id)
    lines = [
        *_comment(f"leadlens answers file: {qs.title} ({qs.id} {qs.version})", ""),
        "# Fill in a value after each colon; leave it blank to skip. Ratings take the number",
        "# or the option's label (4 or Agree). Quote text YAML could read as something else:",
        '# "yes", "no", "true", "10:30".',
        "# Check it and add it to a responses file with:",
        f"#   leadlens survey --question-set {ref} --answers answers.yaml -o responses.csv",
        "",
        "respondent:" if qs.respondent else "respondent: {}",
    ]
    for rf in qs.respondent:
        lines += _field_lines(rf)
    lines += ["", "answers:"]
    section_id = ""
    for question in qs.questions:
        section = section_of(qs, question) or ABOUT_YOU
        if section.id != section_id:
            section_id = section.id
            lines += ["", *_comment(f"== {section.title} ==", "  ")]
        lines += _question_lines(qs, question)
    return "\n".join(lines) + "\n"


def answers_json(qs: QuestionSet, question_set_ref: str | None = None) -> str:
    """The answers file as JSON: every field and answer key with a null value."""
    document = {"respondent": dict.fromkeys(qs.respondent_field_ids()),
                "answers": dict.fromkeys(qs.answer_keys())}
    return json.dumps(document, indent=2) + "\n"


def blank_csv(qs: QuestionSet, question_set_ref: str | None = None) -> str:
    """A responses CSV with the header only, for collecting responses elsewhere."""
    from leadlens.survey.writer import csv_line

    return csv_line(responses_header(qs))


TEMPLATES: dict[str, Callable[[QuestionSet, str | None], str]] = {
    "yaml": answers_yaml, "json": answers_json, "csv": blank_csv}
FORMAT_BY_SUFFIX = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".csv": "csv"}


def render_template(qs: QuestionSet, fmt: str, question_set_ref: str | None = None) -> str:
    """The template in format ``yaml``, ``json`` or ``csv``."""
    return TEMPLATES[fmt](qs, question_set_ref)
