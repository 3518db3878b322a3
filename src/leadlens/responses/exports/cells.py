"""Handing an export to the responses reader: an :class:`ImportedTable` as its cell table.

:mod:`leadlens.responses.reading` reads a file in two steps: cells, then values. A platform export
replaces the first step; the second (scale checks, unscored answers, blank rows, missing
columns) is shared, so an export and a leadlens CSV with the same answers score the same.
"""

from __future__ import annotations

from pathlib import Path

from leadlens.files import InputError, open_input
from leadlens.questionset.model import QuestionSet
from leadlens.responses.cells import CellTable, Column
from leadlens.responses.exports import sniff
from leadlens.responses.exports.reader import ImportOptions, read_export


def read_export_cells(path: Path, qs: QuestionSet, options: ImportOptions | None = None
                      ) -> CellTable:
    """Read a platform export as the responses reader's cell table.

    Raises:
        ResponsesError: located problems (see :func:`leadlens.responses.exports.read_export`).
    """
    from leadlens.responses.exports.workbook_columns import read_workbook_columns

    options = options or ImportOptions()
    columnar = read_workbook_columns(path, qs, options)  # a workbook: column by column
    if columnar is not None:
        return columnar
    table = read_export(path, qs, options)
    columns = {i: Column.from_cells(cells) for i, cells in enumerate(table.columns)}
    lines = table.lines
    header_lines = table.detection.header_lines
    return CellTable(table.file, list(table.headers), columns, len(lines), lambda: lines,
                     display=list(table.source_headers), warnings=list(table.warnings),
                     header_line=header_lines[0] if header_lines else 1)


def is_utf8(path: Path) -> bool:
    """Whether the whole file decodes as UTF-8 (a workbook does not). Streams the file in
    1 MiB blocks; a block of ASCII (most of a survey's file) is only checked as such, about
    ten times faster than decoding it."""
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with open_input(path, "responses file") as handle:
            block = handle.read(1 << 20)
            if sniff.is_xlsx(block[:8]):
                return False
            while block:
                # ASCII is UTF-8; a character cut at the previous block's end is decoded.
                if decoder.getstate()[0] or not block.isascii():
                    decoder.decode(block)
                block = handle.read(1 << 20)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    except (OSError, InputError):
        return True  # let the reader's own message stand
    return True
