"""What both workbook column readers share: the header records read by the exact reader's own
functions, and the signal to hand a workbook back to it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from leadlens.errors import Problem, ResponsesError
from leadlens.questionset.model import QuestionSet
from leadlens.responses.exports import platforms
from leadlens.responses.exports.grid import Grid
from leadlens.responses.exports.reader import (
    Detection,
    ImportOptions,
    _match,
    _Matched,
    detect_layout,
)

HEAD_RECORDS = 3
"""Records read as text before the columns: those a layout is detected from."""


class Handback(Exception):
    """Something the exact reader reads otherwise, or words as a problem."""


def match_head(name: str, head: Grid, path: Path, qs: QuestionSet, options: ImportOptions
               ) -> _Matched:
    """The layout and column matches of a workbook's first records, by the exact reader's
    own functions.

    Raises:
        Handback: the exact reader would find problems there (it checks every cell first).
    """
    def load(_path: Path, _options: ImportOptions, forced: str | None) -> tuple[
            Detection, Grid, platforms.Layout, list[Problem]]:
        return detect_layout(name, head, forced, encoding="xlsx", bom=False, delimiter=None,
                             sep=False, warnings=[])

    try:
        return _match(path, qs, options, load)
    except ResponsesError:
        raise Handback from None


def head_grid(rows: Iterable[list[str]]) -> tuple[Grid, list[int]]:
    """The first :data:`HEAD_RECORDS` records of a sheet's text rows (worksheet rows from 1)
    as the exact reader's grid holds them (trailing empty cells dropped), and the blank rows
    among them. ``rows`` may raise :class:`Handback` (or another signal) row by row.

    Raises:
        Handback: no record at all (no header: the exact reader says so).
    """
    grid = Grid(records=[])
    for number, cells in enumerate(rows, start=1):
        while cells and cells[-1] == "":
            cells.pop()
        if not "".join(cells).strip():
            grid.blank_lines.append(number)
            continue
        grid.records.append((number, cells))
        if len(grid.records) == HEAD_RECORDS:
            break
    if not grid.records:
        raise Handback
    return grid, grid.blank_lines


def blank_count(head_blank: Sequence[int], header_end: int) -> int:
    """The blank rows among the first records that count as blank rows (those within the
    header: the body's are counted from its cells)."""
    return sum(1 for line in head_blank if line <= header_end)
