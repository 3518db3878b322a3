"""Responses in memory: the scoring engine's input, as plain numpy arrays.

Readers (CSV files, the survey, platform imports) build a :class:`Responses`; the engine
never sees a file. Rated answers are one small-integer matrix of answer codes (one byte per
answer), so that a million respondents are scored with a handful of vectorised lookups.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from leadlens.errors import Problem
from leadlens.questionset.model import QuestionSet, Scale

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
Int32Array = npt.NDArray[np.int32]
UInt8Array = npt.NDArray[np.uint8]
BoolArray = npt.NDArray[np.bool_]

Cell = str | int | float | None


def rated_keys(question_set: QuestionSet) -> list[str]:
    """Answer keys of every rated question, in survey order: the columns of ``codes``."""
    return [key for q in question_set.questions if q.type == "rating" for key in q.answer_keys]


def text_keys(question_set: QuestionSet) -> list[str]:
    """Answer keys of every free-text question, in survey order."""
    return [key for q in question_set.questions if q.type == "text" for key in q.answer_keys]


def unscored_label(label: str) -> str:
    """How unscored answers are compared: trimmed and case-insensitive."""
    return label.strip().casefold()


def answer_codes(scale: Scale) -> list[str]:
    """What each answer code means on a scale: code ``i + 1`` is the i-th entry.

    The scale's option values (as text, in the question set's order) come first, then its
    unscored labels. Code 0 is no answer.
    """
    return [str(o.value) for o in scale.options] + list(scale.unscored)


def code_values(scale: Scale) -> FloatArray:
    """The raw value of each answer code (NaN for no answer and unscored answers)."""
    values = np.full(len(scale.options) + len(scale.unscored) + 1, np.nan)
    values[1:len(scale.options) + 1] = [o.value for o in scale.options]
    return values


@dataclass
class FieldValues:
    """One respondent field (e.g. organisation): a code per respondent into ``labels``.

    Codes are -1 where the respondent left the field blank. Labels are the original
    spellings; grouping normalises them (see :mod:`leadlens.scoring.groups`).
    """

    codes: Int32Array
    labels: list[str]

    @classmethod
    def from_strings(cls, values: Iterable[str | None]) -> FieldValues:
        """Build from one value per respondent (None or blank = not stated)."""
        index: dict[str, int] = {}
        codes: list[int] = []
        for value in values:
            if value is None or not value.strip():
                codes.append(-1)
            else:
                codes.append(index.setdefault(value, len(index)))
        return cls(np.asarray(codes, dtype=np.int32), list(index))

    def strings(self) -> list[str | None]:
        """One value per respondent, None where blank."""
        return [self.labels[c] if c >= 0 else None for c in self.codes.tolist()]


@dataclass
class TextAnswers:
    """Non-blank free-text answers to one question: row of each respondent and the text."""

    rows: IntArray
    texts: list[str]


@dataclass
class LinePart:
    """Where one file's respondents are: the physical line each one's row starts on.

    ``lines`` holds them (int32, one per respondent; rows for a Parquet file or a
    DataFrame); when they are not known yet (a CSV parsed by polars, whose lines need an
    exact pass over the file), ``rescan`` finds every row's line again from the file (not from
    text held in memory) and ``kept`` picks the respondents' rows among them.
    """

    source: str
    respondents: int
    lines: Int32Array | None = None
    rescan: Callable[[], Sequence[int] | Int32Array] | None = None
    kept: Int32Array | None = None

    def line_of(self, row: int) -> int | None:
        if self.lines is None and self.rescan is not None and self.kept is not None:
            self.lines = np.asarray(self.rescan(), dtype=np.int32)[self.kept]
            self.rescan = self.kept = None
        if self.lines is None or row >= self.lines.size:
            return None
        return int(self.lines[row])


def places(parts: Sequence[LinePart], rows: Iterable[int]) -> list[tuple[str, int | None]]:
    """The file and line of each respondent row (line None where unknown)."""
    ends = np.cumsum([p.respondents for p in parts])
    found: list[tuple[str, int | None]] = []
    for row in rows:
        part = int(np.searchsorted(ends, row, side="right"))
        if part >= len(parts):
            continue
        start = int(ends[part - 1]) if part else 0
        found.append((parts[part].source, parts[part].line_of(row - start)))
    return found


@dataclass
class Responses:
    """All respondents' answers to one question set.

    Attributes:
        keys: rated answer keys, the columns of ``codes`` (see :func:`rated_keys`).
        codes: ``(respondents, keys)`` answer codes (see :func:`answer_codes`): 0 = no
            answer, then the scale's options, then its unscored answers (e.g. "Don't
            know"), which are missing for scoring but counted.
        fields: respondent fields by id.
        texts: free-text answers by answer key.
        respondent_ids: the optional ``respondent_id`` column, one per respondent.
        submitted: the optional ``submitted_at`` column (cell text), one per respondent.
        sources: where the responses came from (file names), for the results document.
        warnings: problems worth reporting that did not stop reading.
        line_parts: where each respondent's row is in its file, one part per file read
            (:func:`places`); empty when the responses come from no file (the survey).
    """

    keys: list[str]
    codes: UInt8Array
    fields: dict[str, FieldValues] = field(default_factory=dict)
    texts: dict[str, TextAnswers] = field(default_factory=dict)
    respondent_ids: list[str | None] | None = None
    sources: list[str] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    submitted: list[str | None] | None = None
    line_parts: list[LinePart] = field(default_factory=list)

    @property
    def n(self) -> int:
        """Number of respondents."""
        return int(self.codes.shape[0])

    def values(self, key: str, scale: Scale) -> FloatArray:
        """Raw answers to one answer key on its scale; NaN = no scored answer."""
        result: FloatArray = code_values(scale)[self.codes[:, self.keys.index(key)]]
        return result

    @classmethod
    def from_records(cls, question_set: QuestionSet,
                     records: Iterable[Mapping[str, Cell]], *,
                     sources: Iterable[str] = ()) -> Responses:
        """Build from one mapping per respondent (answer key or field id -> value).

        Rated answers are scale values (int) or an unscored label; blanks and absent keys are
        missing. Values are trusted (a value not on its scale raises KeyError): readers
        validate before calling this. Used by the survey, the answers file and tests.
        """
        rows = list(records)
        keys = rated_keys(question_set)
        scale_of = {key: question_set.scales[q.scale or ""]
                    for q in question_set.questions if q.type == "rating" for key in q.answer_keys}
        codes = np.zeros((len(rows), len(keys)), dtype=np.uint8, order="F")
        for j, key in enumerate(keys):
            meaning = {unscored_label(c): i + 1
                       for i, c in enumerate(answer_codes(scale_of[key]))}
            for i, row in enumerate(rows):
                cell = row.get(key)
                if cell is None or (isinstance(cell, str) and not cell.strip()):
                    continue
                if isinstance(cell, float) and not cell.is_integer():
                    raise ValueError(f"{key}: {cell} is not a whole number")
                text = str(int(cell)) if isinstance(cell, int | float) else cell
                codes[i, j] = meaning[unscored_label(text)]
        fields = {f.id: FieldValues.from_strings(
            _text(row.get(f.id)) for row in rows) for f in question_set.respondent}
        texts: dict[str, TextAnswers] = {}
        for key in text_keys(question_set):
            found = [(i, t.strip()) for i, row in enumerate(rows)
                     if (t := _text(row.get(key))) is not None and t.strip()]
            texts[key] = TextAnswers(np.asarray([i for i, _ in found], dtype=np.int64),
                                     [t for _, t in found])
        ids = [_text(row.get("respondent_id")) for row in rows]
        when = [_text(row.get("submitted_at")) for row in rows]
        return cls(keys=keys, codes=codes, fields=fields, texts=texts,
                   submitted=when if any(w is not None for w in when) else None,
                   respondent_ids=ids if any(i is not None for i in ids) else None,
                   sources=list(sources))


def _text(cell: Cell) -> str | None:
    if cell is None:
        return None
    return cell if isinstance(cell, str) else str(cell)


def concat(parts: list[Responses]) -> Responses:
    """Respondents of several readers in order (same question set).

    The parts' answer codes and field codes are moved, not copied: each part's are emptied
    once copied into the whole, so ten files of a million respondents never hold their
    answers twice.
    """
    if len(parts) == 1:
        return parts[0]
    first = parts[0]
    total = sum(p.n for p in parts)
    offsets = np.cumsum([0] + [p.n for p in parts])
    fields: dict[str, FieldValues] = {}
    for fid in first.fields:
        field_codes = np.empty(total, dtype=np.int32)
        labels: list[str] = []
        for i, part in enumerate(parts):
            values = part.fields[fid]
            np.add(values.codes, len(labels), out=field_codes[offsets[i]:offsets[i + 1]],
                   casting="unsafe")
            field_codes[offsets[i]:offsets[i + 1]][values.codes < 0] = -1
            labels.extend(values.labels)
            part.fields[fid] = FieldValues(np.zeros(0, dtype=np.int32), values.labels)
        fields[fid] = FieldValues(field_codes, labels)
    texts = {key: TextAnswers(
        np.concatenate([p.texts[key].rows + offsets[i] for i, p in enumerate(parts)]),
        [t for p in parts for t in p.texts[key].texts]) for key in first.texts}
    ids: list[str | None] | None = None
    if any(p.respondent_ids is not None for p in parts):
        ids = [i for p in parts for i in (p.respondent_ids or [None] * p.n)]
    when: list[str | None] | None = None
    if any(p.submitted is not None for p in parts):
        when = [w for p in parts for w in (p.submitted or [None] * p.n)]
    codes: UInt8Array = np.empty((total, len(first.keys)), dtype=np.uint8, order="F")
    for i, part in enumerate(parts):
        codes[offsets[i]:offsets[i + 1]] = part.codes
        part.codes = np.zeros((0, len(first.keys)), dtype=np.uint8)
    return Responses(
        submitted=when,
        keys=first.keys,
        codes=codes,
        fields=fields, texts=texts, respondent_ids=ids,
        sources=[s for p in parts for s in p.sources],
        warnings=[w for p in parts for w in p.warnings],
        line_parts=([lp for p in parts for lp in p.line_parts]
                    if all(p.line_parts for p in parts) else []))
