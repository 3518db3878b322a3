"""The span of a workbook's first sheet, bounded before any reader allocates it.

Every reader of a sheet (fastexcel and python-calamine, both calamine in Rust, and openpyxl)
lays its cells out as a rectangle from A1 to the farthest row and the farthest column any
cell names, so a 15 KB workbook whose only oddity is one cell at ``XFD1048576`` asks for
17 billion cells: calamine's allocation fails and aborts the process (SIGABRT, which no
Python code can catch), or takes gigabytes; openpyxl streams millions of empty rows. The
sheet's declared ``<dimension>`` may lie, so the cells' own references are read:
:func:`check_sheet_span` refuses a sheet spanning more than :data:`MAX_SHEET_CELLS`, naming
its farthest cells, before any reader starts.

The references are found in the sheet's XML as it is unpacked (4 MiB blocks cut before a
``<``, so no tag is split). A guess of the farthest row and column is taken from the
references in the first and the last block (a sheet's header row and its last row, as
every writer orders them); one search in polars (Rust's regex, without the GIL) then
counts the cells that reach past the guess or name no position of their own. None, the
usual case: the guess is the span. Otherwise the sheet is walked cell by cell as calamine
places its cells (a cell without a reference follows the one before it in its row; a row
without a number follows the row before it), which is slower but exact: only the blocks
reaching past the guess when every cell's reference comes first (a stray cell: one block),
the whole sheet otherwise (a writer that puts another attribute before ``r`` or leaves it
out: about 37 s for the 200 MB sheet of the 100,000-row benchmark, under load).

The 100,000-row benchmark's sheet (200 MB of XML) costs about 1.5 s of CPU more with this
check (unpacked once more, before the readers start: they cannot be stopped once they
allocate); see benchmarks/README.md.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from leadlens.errors import Code, Problem, ResponsesError

MAX_SHEET_CELLS = 16 * 1024 * 1024
"""The most cells (rows x columns, from A1 to the farthest cell) the sheet read may span:
16 Mi, four times a 100,000-row export of 41 columns; calamine holds 32 bytes a cell while
it reads, so at most 512 MiB."""

BLOCK = 4 * 1024 * 1024
"""Bytes of sheet XML searched at once."""

_PREFIX = rb"(?:[A-Za-z_][\w.-]*:)?"
"""An element's namespace prefix, if any (``<x:c>``)."""
ELEMENT = re.compile(rb"<" + _PREFIX + rb"(row|c)(?=[\s/>])[^>]*")
"""A row or a cell element's start tag (what follows its name, to its end)."""
REFERENCE = re.compile(rb'\sr\s*=\s*["\']\s*([A-Za-z]*)([0-9]*)')
"""Its ``r`` attribute: a cell's letters and row number, or a row's number."""
CELL_END = re.compile(rb"</" + _PREFIX + rb"c>")
TAG = re.compile(rb"<[^>]*>")


@dataclass(frozen=True)
class Far:
    """The farthest row and column the sheet's cells reach, and a cell reaching each."""

    rows: int
    columns: int
    row_cell: str
    column_cell: str

    @property
    def cells(self) -> int:
        return self.rows * self.columns


def column_number(letters: str) -> int:
    """``A`` is 1, ``Z`` 26, ``AA`` 27, ``XFD`` 16,384 (either case)."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


def column_letters(number: int) -> str:
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _greater(text: str, alphabet: str) -> str:
    """A pattern for the strings of ``alphabet`` (ordered as numbers are: longer is greater,
    then digit by digit) greater than ``text``."""
    first, last = alphabet[0], alphabet[-1]
    parts = [f"[{first}-{last}]{{{len(text) + 1},}}"]
    for i, ch in enumerate(text):
        if ch != last:
            following = alphabet[alphabet.index(ch) + 1]
            rest = f"[{first}-{last}]{{{len(text) - i - 1}}}"
            parts.append(f"{re.escape(text[:i])}[{following}-{last}]{rest}")
    return "|".join(parts)


def check_sheet_span(data: bytes, name: str) -> None:
    """Refuse a workbook whose first sheet's cells span more than :data:`MAX_SHEET_CELLS`.

    Raises:
        ResponsesError: one problem naming the sheet, its farthest cells and the bound.
    """
    from leadlens.responses.exports.workbook_sheets import sheets

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            listed = sheets(archive)
            first = listed[0][0] if listed and listed[0] else None
            parts = [first.part] if first and first.part else [
                i.filename for i in archive.infolist()
                if i.filename.startswith("xl/worksheets/") and i.filename.endswith(".xml")]
            for part in parts:
                try:
                    far = sheet_span(block for block in _blocks(archive, part))
                except KeyError:
                    continue
                if far.cells > MAX_SHEET_CELLS:
                    sheet = first.name if first else part
                    raise ResponsesError([span_problem(name, sheet, far)])
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError):
        return  # the readers say what is wrong


def span_problem(name: str, sheet: str, far: Far) -> Problem:
    cells = far.row_cell if far.row_cell == far.column_cell \
        else f"{far.column_cell} and {far.row_cell}"
    return Problem(
        file=name, code=Code.XLSX_TOO_LARGE,
        message=f"sheet {sheet!r}: cell {cells}: the sheet's cells span {far.rows:,} rows x "
                f"{far.columns:,} columns ({far.cells:,} cells, from A1); leadlens reads at "
                f"most {MAX_SHEET_CELLS:,} cells of a sheet",
        hint="Delete the stray cell (or everything past the answers) and save the workbook "
             "again, or export only the answers")


def _blocks(archive: zipfile.ZipFile, part: str) -> Iterator[bytes]:
    """The part's XML in blocks of about :data:`BLOCK` bytes, each cut before a ``<``."""
    carry = b""
    with archive.open(part) as member:
        while block := member.read(BLOCK):
            block = carry + block
            cut = block.rfind(b"<")
            if cut <= 0:
                carry = block
                continue
            carry = block[cut:]
            yield block[:cut]
    if carry:
        yield carry


def sheet_span(blocks: Iterator[bytes]) -> Far:
    """The farthest row and column of a sheet's cells, from its XML in blocks (each cut
    before a ``<``): a guess from the sheet's first and last cells, checked by one search of
    every block (see the module's docstring)."""
    import polars as pl

    found = list(blocks)
    if not found:
        return Far(0, 0, "", "")
    guess = _walk([_head(found[0]), _tail(found[-2:])])
    letters = _greater(column_letters(guess.columns), "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    digits = _greater(str(guess.rows), "0123456789")
    text = pl.Series(found, dtype=pl.Binary).cast(pl.String, strict=False)
    if text.null_count():
        return _walk(found)  # not UTF-8 (calamine would refuse it): walked, exactly
    xml = pl.col("xml").str
    counts = pl.DataFrame({"xml": text}).select(
        # A cell past the guess, either way (only these blocks are walked).
        xml.count_matches(f'<c r="(?:(?:{letters})[0-9]|[A-Z]+(?:{digits})")').alias("beyond"),
        # A cell whose reference does not come first (or has none: it is placed by the
        # cells before it) or is not upper-case letters and digits (calamine reads ``xfd1``
        # too), or an element with a prefix (``<x:c>``): the sheet is walked. ``<col>``,
        # ``<cfRule>`` and ``<customSheetView>`` are no cells.
        xml.contains('<c(?:[^ ofu]| [^r]| r[^=]| r=[^"]| r="[A-Z]*[^A-Z0-9])|:c[\\s/>]'
                     ).any().alias("odd"))
    if counts["odd"][0]:
        return _walk(found)
    far = counts["beyond"].to_numpy()
    if not far.any():
        return guess
    return _farther(guess, _walk([found[i] for i in far.nonzero()[0]]))


GUESS_BYTES = 64 * 1024
"""Bytes of XML at the start and at the end of a sheet a guess of its span is taken from."""


def _head(block: bytes) -> bytes:
    cut = block.rfind(b"<", 0, GUESS_BYTES)
    return block if len(block) <= GUESS_BYTES or cut <= 0 else block[:cut]


def _tail(blocks: list[bytes]) -> bytes:
    end = b"".join(blocks)[-GUESS_BYTES:]
    cut = end.find(b"<")
    return end[cut:] if cut >= 0 else b""


def _farther(a: Far, b: Far) -> Far:
    rows, row_cell = (a.rows, a.row_cell) if a.rows >= b.rows else (b.rows, b.row_cell)
    columns, column_cell = (a.columns, a.column_cell) if a.columns >= b.columns \
        else (b.columns, b.column_cell)
    return Far(rows, columns, row_cell, column_cell)


def _walk(blocks: list[bytes]) -> Far:
    """Every row and cell element in order, placed as calamine places them; a cell with no
    value (an empty tag, or tags with no text between them) takes a place but no reader
    lays it out."""
    row, column = 0, 0
    far = Far(0, 0, "", "")
    for block in blocks:
        for element in ELEMENT.finditer(block):
            tag = element.group(0)
            ref = REFERENCE.search(tag)
            if element.group(1) == b"row":
                given = ref.group(2) if ref is not None and not ref.group(1) else b""
                row = int(given) if given else row + 1
                column = 0
                continue
            if ref is not None and ref.group(1) and ref.group(2):
                column = column_number(ref.group(1).decode("ascii"))
                row = max(int(ref.group(2)), 1)
            else:
                column += 1
                row = max(row, 1)
            if (row > far.rows or column > far.columns) and _valued(block, element.end()):
                cell = f"{column_letters(column)}{row}"
                far = Far(max(far.rows, row), max(far.columns, column),
                          cell if row >= far.rows else far.row_cell,
                          cell if column >= far.columns else far.column_cell)
    return far


def _valued(block: bytes, end: int) -> bool:
    """Whether the cell whose start tag ends before ``end`` holds any text."""
    if block[end - 1:end] == b"/":
        return False
    close = CELL_END.search(block, end)
    inside = block[end + 1:close.start() if close is not None else len(block)]
    return bool(TAG.sub(b"", inside).strip())
