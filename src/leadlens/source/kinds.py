"""Telling a CSV from YAML by its first lines, so a file given where the other kind is
expected is named for what it is, in one line, with the command that reads it.

``leadlens score answers.yaml`` would otherwise read the YAML as a one-column CSV and print a
"row has 1 fields" line per line; ``leadlens validate responses.csv`` would report a YAML
syntax error deep in the header row.
"""

from __future__ import annotations

import csv
import io
import re

from leadlens.errors import Code, Problem

_KEY = re.compile(r"([A-Za-z_][\w-]*)\s*:(?:\s|$)")
"""A top-level YAML key at the start of a line."""
_DELIMITERS = ",;\t"

ANSWERS_HINT = ("Add it to a responses file with: leadlens survey --answers {name} -o "
                "responses.csv, then score that")
MAPPING_HINT = "Use it with --mapping {name}"
_SCALE_CODES = re.compile(r"\s+[\w-]+\s*:\s*\{")
"""``  agreement: {A1: 1, ...}``: a mapping's answer codes for one scale."""

YAML_KINDS: tuple[tuple[frozenset[str], str, str], ...] = (
    (frozenset({"schema_version", "questions", "scales", "principles"}), "a question set",
     "Use it with --question-set {name} (check it with: leadlens validate {name})"),
    (frozenset({"columns", "platform", "import"}), "a mapping file", MAPPING_HINT),
    (frozenset({"respondent"}), "an answers file", ANSWERS_HINT),
)
"""(top-level keys any of which mark it, what it is, how to use it), first match wins."""


def csv_header(text: str) -> list[str] | None:
    """The header of ``text`` when its first two lines are a delimited table of at least
    three columns (and not a YAML key or comment); else None."""
    lines = text.lstrip("\ufeff").splitlines()[:2]
    if not lines or lines[0].lstrip().startswith(("#", "-", "{", "[", "%")) or _KEY.match(
            lines[0]):
        return None
    for delimiter in _DELIMITERS:
        try:
            rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter))
        except csv.Error:
            continue
        if rows and len(rows[0]) >= 3 and all(len(r) == len(rows[0]) for r in rows):
            return rows[0]
    return None


def csv_not_yaml(text: str, filename: str, document: str) -> Problem | None:
    """One problem when ``text``, expected to be YAML (``document``: "a question set"),
    is a CSV table."""
    header = csv_header(text)
    if header is None:
        return None
    shown = ", ".join(repr(h.strip()[:40]) for h in header[:3])
    return Problem(
        file=filename, line=1, col=1, code=Code.YAML_CSV_FILE,
        message=f"a CSV file (a header of {len(header)} columns: {shown}, ...), not "
        f"{document} (YAML)",
        hint=f"If it holds responses, score them with: leadlens score {_word(filename)} "
        f"(see what leadlens makes of it with: leadlens inspect {_word(filename)})")


def yaml_not_responses(text: str, filename: str) -> Problem | None:
    """One problem when ``text``, given as responses, is one of leadlens' YAML files (or any
    YAML mapping named ``.yaml``)."""
    if csv_header(text) is not None:
        return None
    lines = text.lstrip("\ufeff").splitlines()[:400]
    keys = {m[1] for line in lines if (m := _KEY.match(line)) is not None}
    kinds = list(YAML_KINDS)
    if "answers" in keys:  # a mapping's codes by scale, or an answers file's answers
        mapping = any(_SCALE_CODES.match(line) for line in lines)
        kinds.append((frozenset({"answers"}), "a mapping file" if mapping else
                      "an answers file", MAPPING_HINT if mapping else ANSWERS_HINT))
    for marks, what, hint in kinds:
        if keys & marks:
            return Problem(file=filename, line=1, code=Code.RESPONSES_YAML_FILE,
                           message=f"{what} (YAML), not responses",
                           hint=hint.format(name=_word(filename)))
    if filename.lower().endswith((".yaml", ".yml")) and keys:
        return Problem(file=filename, line=1, code=Code.RESPONSES_YAML_FILE,
                       message="a YAML file, not responses",
                       hint="Responses are a CSV, a workbook or a Parquet file")
    return None


def _word(name: str) -> str:
    import shlex

    return shlex.quote(name)
