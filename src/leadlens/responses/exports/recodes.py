"""Qualtrics' numeric values: recodes that are not the scale's values.

Exported with "numeric values", Qualtrics writes each choice's recode value, 1..k for k
choices unless someone changed them in Survey, Recode values. A scale whose values are 1..k
reads those codes as they are. Any other scale (the maturity levels 0-4) would read every
answer one level off, with no error when nobody picked the top choice, so its numbers are
refused until a mapping says what each code means.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from leadlens.errors import Code, Problem
from leadlens.responses.exports.answers import ScaleLabels
from leadlens.responses.exports.text import normalise

_NUMBER = re.compile(r"\s*[-+]?\d+(\.\d*)?\s*")
_SHOWN = 3
"""Columns a problem names; the rest are counted."""


def codes_are_values(labels: ScaleLabels) -> bool:
    """Whether Qualtrics' default recodes (1..k) are this scale's values."""
    values = sorted(o.value for o in labels.scale.options)
    return values == list(range(1, len(values) + 1))


def unmapped_numbers(labels: ScaleLabels, cells: Iterable[str]) -> bool:
    """Whether some cell is a bare number that no label, alias or mapping code reads."""
    return any(_NUMBER.fullmatch(cell) and normalise(cell) not in labels.table
               and cell.strip() not in labels.missing for cell in cells)


def suggested_mapping(labels: ScaleLabels) -> str:
    """The ``answers`` line for Qualtrics' default recodes of this scale's choices."""
    options = sorted(labels.scale.options, key=lambda o: o.value)
    codes: dict[str, int | str] = {str(i): o.value for i, o in enumerate(options, 1)}
    codes.update({str(len(options) + i): u for i, u in enumerate(labels.scale.unscored, 1)})
    pairs = ", ".join(f"{json.dumps(code)}: {json.dumps(value, ensure_ascii=False)}"
                      for code, value in codes.items())
    return f"answers: {{{labels.scale_id}: {{{pairs}}}}}"


def recode_problems(platform: str, columns: Iterable[tuple[str, ScaleLabels, Iterable[str]]],
                    name: str, line: int | None) -> list[Problem]:
    """One error per scale whose numbers cannot be Qualtrics' codes read as values.

    ``columns``: each rated column's header, its scale's labels and its distinct cells.
    """
    if platform != "qualtrics":
        return []
    flagged: dict[str, tuple[ScaleLabels, list[str]]] = {}
    for display, labels, cells in columns:
        if not codes_are_values(labels) and unmapped_numbers(labels, cells):
            flagged.setdefault(labels.scale_id, (labels, []))[1].append(display)
    problems = []
    for scale_id, (labels, headers) in flagged.items():
        shown = ", ".join(repr(h) for h in headers[:_SHOWN])
        more = f" and {len(headers) - _SHOWN} more" if len(headers) > _SHOWN else ""
        count = len(labels.scale.options)
        problems.append(Problem(
            file=name, line=line, code=Code.IMPORT_QUALTRICS_RECODES,
            message=f"column(s) {shown}{more}: Qualtrics numeric values on the {scale_id} "
            f"scale ({labels.scale.describe()}) are its recodes, 1-{count} by default, not "
            "the scale's values; leadlens does not guess which is which",
            hint=f"Map them in a --mapping file: {suggested_mapping(labels)} (check Survey, "
            "Recode values in Qualtrics; if the recodes are already the scale's values, map "
            "each to itself), or export with \"Use choice text\""))
    return problems
