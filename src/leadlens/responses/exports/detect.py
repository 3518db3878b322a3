"""Does a responses file need the import reader? Decided from its first few KB.

A leadlens responses CSV (UTF-8, commas, one header row of answer keys and field ids,
numbers for answers) goes straight to the fast reader; anything else -- a workbook, another
encoding or delimiter, a platform's header, question texts as headers, labels as answers --
goes through :func:`leadlens.responses.exports.read_export`.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from leadlens.files import InputError, read_head
from leadlens.questionset.model import ColumnRule, QuestionSet
from leadlens.questionset.regexes import RegexClock, RegexTimeout
from leadlens.responses.exports import platforms, sniff
from leadlens.responses.exports.answers import scale_labels
from leadlens.responses.exports.matching import RESERVED, QuestionIndex, apply_rule
from leadlens.responses.exports.platforms import Column


def needs_import(path: Path, qs: QuestionSet, *, encoding: str | None = None,
                 delimiter: str | None = None, mapping: bool = False) -> bool:
    """True unless ``path`` looks like a plain leadlens responses CSV.

    Reads at most :data:`leadlens.responses.exports.sniff.HEAD_BYTES`. Files that cannot be opened
    return False, so the responses reader reports the problem in its usual words.
    """
    settings = qs.import_
    if encoding is not None or mapping or (settings is not None and settings.platform):
        return True
    if delimiter is not None and delimiter != ",":
        return True
    try:
        head = read_head(path, sniff.HEAD_BYTES)
    except InputError:
        return False
    if sniff.is_xlsx(head):
        return True
    decoded = sniff.head_text(head)
    if decoded is None:
        return True  # not UTF-8: the import reader falls back to cp1252 with a warning
    text = decoded[0]
    if sniff.sep_line(text) is not None or sniff.guess_delimiter(text) != ",":
        return True
    rows = _first_rows(text)
    if not rows:
        return False
    if platforms.detect(rows[:3]) != "csv":
        return True
    canonical = set(qs.answer_keys()) | set(qs.respondent_field_ids()) | set(RESERVED)
    header = [h.strip() for h in rows[0]]
    if settings is not None and _rules_map(settings.columns, header):
        return True  # the question set's import section maps one of these headers
    odd = [h for h in header if h not in canonical]
    if odd:
        index = QuestionIndex(qs)
        if any(index.lookup(h)[0] for h in odd):
            return True
    return _has_labels(header, rows[1:], qs)


def _rules_map(rules: list[ColumnRule], header: list[str]) -> bool:
    """Whether a rule maps one of ``header``; a regex out of time counts as yes, so that
    the import reader, which locates the problem, reads the file."""
    clock = RegexClock()
    try:
        return any(apply_rule(rule, Column(index=i, display=h, texts=(h,), code=h), clock)
                   for rule in rules for i, h in enumerate(header))
    except RegexTimeout:
        return True


def _first_rows(text: str, limit: int = 20) -> list[list[str]]:
    cut = text.rfind("\n")
    sample = text[:cut] if cut > 0 else text
    rows: list[list[str]] = []
    try:
        for row in csv.reader(io.StringIO(sample, newline="")):
            rows.append(row)
            if len(rows) >= limit:
                break
    except csv.Error:
        pass  # the responses reader locates the broken quote
    return rows


def _has_labels(header: list[str], rows: list[list[str]], qs: QuestionSet) -> bool:
    """Whether the first responses answer a rated question with a label such as "Agree"."""
    labels = scale_labels(qs, [qs.import_] if qs.import_ is not None else [])
    for row in rows:
        for key, cell in zip(header, row, strict=False):
            converter = labels.get(key)
            if converter is None or not cell.strip():
                continue
            value = converter.convert(cell)
            if value is not None and value != cell.strip() and not _is_unscored(
                    value, converter.scale.unscored):
                return True
    return False


def _is_unscored(value: str, unscored: list[str]) -> bool:
    return value in unscored
