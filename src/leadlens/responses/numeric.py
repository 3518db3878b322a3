"""Rated columns of a large leadlens CSV parsed as small integers, with the exact result.

Polars parses a column of whole numbers as ``UInt8`` in about half the time it takes to read
it as an enum of the scale's cells (the benchmark's 30 rated columns: about 0.65 s of CPU
against 1.1-1.2 s). Two things stand in the way of using that parse as is:

- Polars reads an empty cell and an unscored label (``Don't know``) both as null, while an
  answer code tells them apart. So the file's text is read once, the label is replaced by
  :data:`STAND_IN` (a number no answer takes: polars reads 255), and polars parses that text
  from memory. The 255s it reads in the rated columns must be exactly the replacements, and
  no other column may hold the stand-in: otherwise (a ``255`` or ``+255`` in the file, the
  label inside a comment) the file is read as before.
- Polars reads a few spellings of a number (``" 4"``, ``+4``, ``04``, ``"4"``) as the number.
  The exact reader (:class:`leadlens.responses.exports.answers.ScaleLabels`) reads each of
  them as the same number too, as long as none of the scale's labels, aliases or missing
  values looks like a number: only such scales take this path (:func:`numeric_hint`).

Any other cell (a label such as ``Agree``, ``4.0``, a second unscored label, ``NA``) makes
polars refuse the column, and the file is read as before (enums, then categories, then the
exact pass), so results and messages are the same whichever path read it. A number off the
scale becomes a label of its own (``7``), worded by the same lookup as any other cell.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

_NUMBERLIKE = re.compile(r"\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*")
"""What the exact reader reads as a number (``ScaleLabels``' ``_NUMBER``)."""
_CANONICAL = re.compile(r"0|[1-9][0-9]{0,2}")
_UNSAFE = frozenset(',"\r\n')

STAND_IN = b"+255"
"""What the unscored label is replaced by before the integer parse (polars reads 255). It is
shorter than the label it stands for, so the number of replacements is the length saved."""
STAND_IN_VALUE = 255
MAX_LABELS = 64
"""A scale with more cells (options, unscored labels, missing values) is read as before."""
MAX_BYTES = 128_000_000
"""Files up to this size (1.5 million respondents to 30 items) take the integer parse: their
text is held (twice, briefly) until it is parsed. Larger ones are parsed from the path as
enums, within the memory bound (5 million respondents under 1 GiB)."""


class NumericCells(tuple[str, ...]):
    """An enum hint (a rated column's exact cells) whose scale may be parsed as ``UInt8``.

    It is the same tuple as the plain hint (option values as text, then the unscored labels
    and missing values); the type says that the scale's option values are 0-254 and that no
    label, alias or missing value of it looks like a number. ``token`` is the scale's first
    unscored label (None: it has none), the one the stand-in replaces.
    """

    token: str | None

    def __new__(cls, cells: tuple[str, ...], token: str | None) -> NumericCells:
        made = super().__new__(cls, cells)
        made.token = token
        return made


def numeric_hint(values: Iterable[int], texts: Iterable[str], cells: tuple[str, ...],
                 unscored: list[str]) -> tuple[str, ...]:
    """``cells`` as :class:`NumericCells` when the scale allows the integer parse.

    Args:
        values: the scale's option values.
        texts: every label, alias, unscored label and missing value of the scale.
        cells: the plain enum hint.
        unscored: the scale's unscored labels.
    """
    if not all(0 <= v < STAND_IN_VALUE for v in values):
        return cells
    from leadlens.responses.exports.text import normalise

    # The exact reader looks a cell up among the labels (normalised) before reading it as a
    # number: a label that reads as a number ("4", "０４") would make "04" and "4" differ.
    if any(_NUMBERLIKE.fullmatch(t) or _NUMBERLIKE.fullmatch(normalise(t))
           for t in texts if t.strip()):
        return cells
    return NumericCells(cells, unscored[0] if unscored else None)


@dataclass(frozen=True)
class NumericColumn:
    """How one rated column is parsed as integers: its labels (the enum's cells) and its
    scale's unscored label that the stand-in replaces (None: the scale has none)."""

    labels: list[str]
    token: str | None

    def numbers(self) -> dict[int, int]:
        """The label index of each whole number among the labels."""
        return {int(label): i for i, label in enumerate(self.labels)
                if _CANONICAL.fullmatch(label)}


def numeric_columns(hints: Sequence[object]) -> tuple[dict[int, NumericColumn], str | None] | None:
    """The rated columns to parse as integers, by position, and the one unscored label the
    stand-in replaces (None: no scale has one); None when a column cannot be parsed so.

    The label must be the same in every column that has one, plain text (no comma, quote or
    line break, no space at either end) and longer than :data:`STAND_IN`.
    """
    columns: dict[int, NumericColumn] = {}
    tokens: set[str] = set()
    for i, hint in enumerate(hints):
        if not isinstance(hint, tuple):
            continue
        if not isinstance(hint, NumericCells):
            return None
        token = hint.token
        if len(hint) > MAX_LABELS:
            return None
        if token is not None:
            if (token != token.strip() or _UNSAFE & set(token)
                    or len(token.encode("utf-8")) <= len(STAND_IN)):
                return None
            tokens.add(token)
        columns[i] = NumericColumn(list(dict.fromkeys(hint)), token)
    if not columns or len(tokens) > 1:
        return None
    return columns, (tokens.pop() if tokens else None)


def stand_in(data: bytes, token: str | None) -> tuple[bytes, int]:
    """``data`` with every ``token`` replaced by :data:`STAND_IN`, and how many were."""
    if token is None:
        return data, 0
    label = token.encode("utf-8")
    replaced = data.replace(label, STAND_IN)
    return replaced, (len(data) - len(replaced)) // (len(label) - len(STAND_IN))


HEAD_ROWS = 500
"""Records of a file's head looked at by :func:`head_is_numeric`."""
_SMALL_WHOLE = re.compile(r"\s*\+?[0-9]{1,3}")


def head_is_numeric(head: bytes, body_start: int, columns: dict[int, NumericColumn]) -> bool:
    """Whether the first :data:`HEAD_ROWS` records' rated cells look like what the integer
    parse reads (numbers, blanks, the unscored label): a file of labels ("Agree") would make
    it fail after a whole parse. A guess that only saves time: the parse decides."""
    import csv
    import io

    end = head.rfind(b"\n", body_start) + 1
    try:
        text = head[body_start:end].decode("utf-8")
    except UnicodeDecodeError:
        return False
    try:
        for number, row in enumerate(csv.reader(io.StringIO(text, newline=""))):
            if number >= HEAD_ROWS:
                break
            for position, column in columns.items():
                cell = row[position] if position < len(row) else ""
                if cell.strip() and cell.strip() != column.token and not (
                        _SMALL_WHOLE.fullmatch(cell) and int(cell) < STAND_IN_VALUE):
                    return False
    except csv.Error:
        return False
    return True
