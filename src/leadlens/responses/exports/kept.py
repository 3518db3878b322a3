"""Which records of an export are responses to score.

Qualtrics marks each record's kind in ``Status`` (its "Response Type") and whether the
respondent reached the end in ``Finished``. Previews, generated test responses and responses
Qualtrics flagged as spam are no one's answers: they are left out, with one warning counting
them. Unfinished responses (``Finished`` False: the respondent left part way, and Qualtrics
closed the response) are left out as Qualtrics' own reports leave them out, with one warning;
``--keep-unfinished`` scores them.
"""

from __future__ import annotations

from collections.abc import Sequence

from leadlens.errors import Code, Problem
from leadlens.responses.exports.platforms import Layout
from leadlens.responses.exports.text import normalise

NOT_RESPONSES = {"survey preview": "Survey Preview", "survey test": "Survey Test",
                 "spam": "Spam", "1": "Survey Preview", "2": "Survey Test", "8": "Spam"}
"""Qualtrics ``Status`` values that are not a respondent's answers: as choice text, and as
the numeric export writes them (0 is "IP Address", 4 "Imported", 16 "Offline": kept)."""
UNFINISHED = frozenset({"false", "0"})
"""``Finished`` as choice text and as a numeric value."""
_SHOWN = 5
"""Lines a warning lists; the rest are counted."""


def _column(layout: Layout, name: str, text: str) -> int | None:
    return next((c.index for c in layout.columns if c.metadata is not None and (
        c.code == name or normalise(c.display) == text)), None)


def line_list(lines: Sequence[int]) -> str:
    """``line 4``, ``lines 4-13, 20`` or ``lines 4, 6, 8, 10, 12 and 3 more``."""
    spans: list[tuple[int, int]] = []
    for line in lines:
        if spans and line == spans[-1][1] + 1:
            spans[-1] = (spans[-1][0], line)
        else:
            spans.append((line, line))
    shown = [f"{a}" if a == b else f"{a}-{b}" for a, b in spans[:_SHOWN]]
    rest = sum(b - a + 1 for a, b in spans[_SHOWN:])
    more = f" and {rest} more" if rest else ""
    return f"line{'s' if len(lines) > 1 else ''} {', '.join(shown)}{more}"


def record_columns(layout: Layout) -> tuple[int | None, int | None]:
    """The ``Status`` and ``Finished`` columns of a Qualtrics export (None: not there)."""
    if layout.platform != "qualtrics":
        return None, None
    return (_column(layout, "Status", "response type"), _column(layout, "Finished", "finished"))


def record_kind(status: str, finished: str) -> str | None:
    """What a record is, from its ``Status`` and ``Finished`` cells: a kind that is not a
    response (``Survey Preview``), ``unfinished``, or None for a response."""
    kind = NOT_RESPONSES.get(normalise(status))
    if kind is not None:
        return kind
    return UNFINISHED_KIND if normalise(finished) in UNFINISHED else None


UNFINISHED_KIND = "unfinished"


def left_out_warnings(name: str, found: dict[str, list[int]], *, keep_unfinished: bool
                      ) -> list[Problem]:
    """One warning for the records that are not responses, one for unfinished ones;
    ``found``: the lines of each kind (:func:`record_kind`), in file order."""
    unfinished = found.get(UNFINISHED_KIND, [])
    left_out = {kind: lines for kind, lines in found.items()
                if kind != UNFINISHED_KIND and lines}
    warnings = []
    if left_out:
        lines = sorted(line for found in left_out.values() for line in found)
        kinds = ", ".join(f"{kind!r} ({len(found)})" for kind, found in left_out.items())
        warnings.append(Problem(
            file=name, line=lines[0], severity="warning", code=Code.EXPORT_NOT_RESPONSES,
            message=f"left out {len(lines)} record(s) that are not responses (Status "
            f"{kinds}; {line_list(lines)})",
            hint="Qualtrics writes previews, test responses and spam there; delete them in "
            "Data & Analysis to leave them out of the export"))
    if unfinished:
        done = "scored" if keep_unfinished else "left out"
        hint = ("" if keep_unfinished else "Qualtrics' own reports count only finished "
                "responses; --keep-unfinished scores them too")
        warnings.append(Problem(
            file=name, line=unfinished[0], severity="warning", code=Code.EXPORT_UNFINISHED,
            message=f"{done} {len(unfinished)} unfinished response(s) (Finished False; "
            f"{line_list(unfinished)})", hint=hint))
    return warnings


def responses_to_score(layout: Layout, body: list[tuple[int, list[str]]], name: str, *,
                       keep_unfinished: bool) -> tuple[list[tuple[int, list[str]]],
                                                       list[Problem]]:
    """The records to score, and a warning for each kind left out (or unfinished kept)."""
    status, finished = record_columns(layout)
    if status is None and finished is None:
        return body, []

    def cell(cells: list[str], index: int | None) -> str:
        return cells[index] if index is not None and index < len(cells) else ""

    kept: list[tuple[int, list[str]]] = []
    found: dict[str, list[int]] = {}
    for line, cells in body:
        kind = record_kind(cell(cells, status), cell(cells, finished))
        if kind is not None:
            found.setdefault(kind, []).append(line)
        if kind is None or (kind == UNFINISHED_KIND and keep_unfinished):
            kept.append((line, cells))
    return kept, left_out_warnings(name, found, keep_unfinished=keep_unfinished)
