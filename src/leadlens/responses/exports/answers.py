"""Turning platform answers (labels, aliases, codes) into a scale's values.

Accepted for a rated question, compared after normalisation (case, spaces, smart quotes):
the scale's option labels and their ``aliases``, answer codes from a mapping's ``answers``
section, the unscored labels (passed through as the label, e.g. "Don't know"), the question
set's ``scoring.missing_values`` (``NA``, ``-99``: read as blank), and numbers,
which are passed through for the scoring reader to check against the scale.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from leadlens.errors import Code
from leadlens.questionset.model import (
    DEFAULT_MISSING_VALUES,
    ImportSettings,
    QuestionSet,
    Scale,
)
from leadlens.responses.exports.text import normalise

_NUMBER = re.compile(r"\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*")
_WHOLE = re.compile(r"[+-]?[0-9]+")


UNKNOWN_ANSWER_HINT = ("Add it as an alias in the question set or map it under answers.{scale} "
                       "in a --mapping file")


@dataclass(frozen=True)
class AnswerIssue:
    """Why a cell is not an answer on its scale: the same words from every reader."""

    code: Code
    message: str
    hint: str = ""


class ScaleLabels:
    """One scale's accepted answers: normalised text -> the cell scoring reads."""

    def __init__(self, scale_id: str, scale: Scale, extra: dict[str, int | str],
                 missing: Iterable[str] = DEFAULT_MISSING_VALUES) -> None:
        self.scale_id = scale_id
        self.scale = scale
        self.missing = frozenset(m.strip() for m in missing)
        """Cells meaning no answer (``scoring.missing_values``): after the scale's labels."""
        self.table: dict[str, str] = {}
        for label in scale.unscored:
            self.table[normalise(label)] = label
        for option in scale.options:
            for text in (option.label, *option.aliases):
                self.table[normalise(text)] = str(option.value)
        for code, value in extra.items():  # a mapping's codes win over labels
            self.table[normalise(code)] = str(value)
        self._seen: dict[tuple[str, bool], tuple[str, AnswerIssue | None]] = {}

    def read(self, cell: str, *, check: bool) -> tuple[str, AnswerIssue | None]:
        """The cell to store and, with ``check``, why it is not an answer on this scale.

        Unknown answers are stored as they are (the responses reader counts them as invalid
        under ``--on-invalid missing``). Results are cached: a survey's cells repeat a
        handful of answers, so a large export costs one dictionary lookup per cell.
        """
        key = (cell, check)
        found = self._seen.get(key)
        if found is None:
            value = self.convert(cell)
            found = (cell if value is None else value, self.issue(cell, value) if check else None)
            if len(self._seen) < 10_000:  # free-text-like columns must not grow it forever
                self._seen[key] = found
        return found

    def convert(self, cell: str) -> str | None:
        """The value for ``cell`` ("" for blank), or None when it is not an accepted answer."""
        if not cell or cell.isspace():
            return ""
        found = self.table.get(normalise(cell))
        if found is not None:
            return found
        if cell.strip() in self.missing:
            return ""
        if _NUMBER.fullmatch(cell):
            return cell.strip()
        return None

    def issue(self, cell: str, value: str | None) -> AnswerIssue | None:
        """Why ``cell`` (converted to ``value`` by :meth:`convert`) is not an answer, or None."""
        if value is None:
            return AnswerIssue(Code.RESPONSES_UNKNOWN_ANSWER,
                               f"unknown answer {cell.strip()!r} for the {self.scale_id} scale; "
                               f"accepted: {self.accepted()}",
                               UNKNOWN_ANSWER_HINT.format(scale=self.scale_id))
        return self.number_issue(value)

    def number_issue(self, value: str) -> AnswerIssue | None:
        """Why a converted cell is not on the scale, or None."""
        if not value or value in self.scale.unscored:
            return None
        values = sorted(o.value for o in self.scale.options)
        described = (self.scale.describe() if values == list(range(values[0], values[-1] + 1))
                     else ", ".join(str(v) for v in values))
        if _WHOLE.fullmatch(value):
            if int(value) in values:
                return None
            return AnswerIssue(Code.RESPONSES_OFF_SCALE,
                               f"{int(value)} is not on the {self.scale_id} scale ({described})")
        return AnswerIssue(Code.RESPONSES_NOT_WHOLE_NUMBER,
                           f"{value!r} is not a whole number on the {self.scale_id} scale "
                           f"({described})")

    def accepted(self) -> str:
        """The accepted answers, for an error message."""
        options = ", ".join(f"{o.label} ({o.value})" for o in self.scale.options)
        unscored = "".join(f", {u}" for u in self.scale.unscored)
        return f"{options}{unscored}, or the values {self.scale.describe()}"


def scale_labels(qs: QuestionSet, settings: list[ImportSettings]) -> dict[str, ScaleLabels]:
    """Accepted answers per answer key of every rated question."""
    per_scale: dict[str, ScaleLabels] = {}
    for scale_id, scale in qs.scales.items():
        extra: dict[str, int | str] = {}
        for s in reversed(settings):  # earlier settings (the --mapping file) win
            extra.update(s.answers.get(scale_id, {}))
        per_scale[scale_id] = ScaleLabels(scale_id, scale, extra, qs.scoring.missing_values)
    by_key: dict[str, ScaleLabels] = {}
    for q in qs.questions:
        if q.type == "rating" and q.scale is not None:
            for key in q.answer_keys:
                by_key[key] = per_scale[q.scale]
    return by_key
