"""Which worksheet of a workbook is read, and formulas that hold no saved result.

leadlens reads a workbook's first sheet (every reader: fastexcel, python-calamine and
openpyxl). A workbook whose first sheet is hidden, or that opens at another sheet, would
be read from a sheet its owner does not see: that is refused, naming both sheets, rather
than scored silently. The sheets, their states and the sheet it opens at are in
``xl/workbook.xml`` (with ``xl/_rels/workbook.xml.rels`` naming each sheet's part), both a
few hundred bytes.

A formula cell keeps its last result only when a spreadsheet program saved it; a workbook
written by a script (openpyxl, pandas) or never recalculated holds the formula alone, and
every reader would give a blank: an answer silently lost. Such cells are found in the
first sheet's XML (a ``<f>`` element that closes its cell with no ``<v>``), and each is an
error at its row.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from xml.etree.ElementTree import Element, ParseError, fromstring

from leadlens.errors import Code, Problem, ResponsesError

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
STRICT = "{http://purl.oclc.org/ooxml/spreadsheetml/main}"
RELATIONSHIP_ID = ("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id",
                   "{http://purl.oclc.org/ooxml/officeDocument/relationships}id")
NO_RESULT = re.compile(rb"(?:</f>|<f\b[^>]*/>)\s*(?:<v\s*/>|<v>\s*</v>)?\s*</c>")
"""A formula element that ends its cell with no saved result (or an empty one)."""
CELL_REF = re.compile(rb'<c\b[^>]*?\br="([A-Z]{1,3})([0-9]{1,7})"')


@dataclass(frozen=True)
class Sheet:
    name: str
    part: str | None
    """The sheet's XML part in the archive (``xl/worksheets/sheet1.xml``), when named."""
    state: str


def _children(root: Element, tag: str) -> list[Element]:
    return [e for e in root.iter() if e.tag in (MAIN + tag, STRICT + tag)]


def sheets(archive: zipfile.ZipFile) -> tuple[list[Sheet], int] | None:
    """The workbook's sheets in order and the index of the one it opens at, or None when
    ``xl/workbook.xml`` is missing or not XML (the readers say what is wrong)."""
    try:
        # Well-formedness and a few attributes only; expat bounds entity expansion.
        book = fromstring(archive.read("xl/workbook.xml"))  # noqa: S314
    except (KeyError, ParseError, ValueError, OSError, zipfile.BadZipFile, EOFError,
            NotImplementedError):
        return None
    targets: dict[str, str] = {}
    try:
        rels = fromstring(archive.read("xl/_rels/workbook.xml.rels"))  # noqa: S314
        for rel in rels.iter():
            if rel.tag.endswith("Relationship") and rel.get("Id") and rel.get("Target"):
                target = str(rel.get("Target"))
                targets[str(rel.get("Id"))] = (target.lstrip("/") if target.startswith("/")
                                               else posixpath.normpath(f"xl/{target}"))
    except (KeyError, ParseError, ValueError, OSError, zipfile.BadZipFile, EOFError,
            NotImplementedError):
        pass
    found = []
    for sheet in _children(book, "sheet"):
        rid = next((sheet.get(a) for a in RELATIONSHIP_ID if sheet.get(a)), None)
        found.append(Sheet(name=sheet.get("name") or "", state=sheet.get("state") or "visible",
                           part=targets.get(rid) if rid else None))
    views = _children(book, "workbookView")
    try:
        active = int(views[0].get("activeTab") or 0) if views else 0
    except ValueError:
        active = 0
    return found, active


def check_sheet_choice(data: bytes, name: str) -> None:
    """Refuse a workbook whose first sheet (the one read) is hidden, or that opens at
    another visible sheet.

    Raises:
        ResponsesError: either, naming the sheets and what to do.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            listed = sheets(archive)
    except (zipfile.BadZipFile, ValueError, OSError):
        return
    if listed is None or not listed[0]:
        return
    found, active = listed
    first = found[0]
    hint = ("Move the responses sheet to the front and make it the one the workbook opens "
            "at (or save it on its own), then score it again")
    if first.state != "visible":
        raise ResponsesError([Problem(
            file=name, code=Code.XLSX_SHEET_CHOICE, hint=hint,
            message=f"the first sheet, {first.name!r}, is {first.state}: leadlens reads the "
                    "first sheet, and would score one you cannot see")])
    if 0 < active < len(found) and found[active].state == "visible":
        raise ResponsesError([Problem(
            file=name, code=Code.XLSX_SHEET_CHOICE, hint=hint,
            message=f"the workbook opens at sheet {found[active].name!r}, but leadlens reads "
                    f"the first sheet, {first.name!r}: which one holds the responses is not "
                    "clear")])


def visible_sheets(data: bytes) -> list[Sheet]:
    """The workbook's visible sheets in order (empty when it does not list them)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            listed = sheets(archive)
    except (zipfile.BadZipFile, ValueError, OSError):
        return []
    return [s for s in listed[0] if s.state == "visible"] if listed else []


def first_sheet_part(archive: zipfile.ZipFile) -> str | None:
    """The XML part of the sheet every reader reads (the first), when the workbook names it."""
    listed = sheets(archive)
    if listed is None or not listed[0]:
        return None
    return listed[0][0].part


def formula_rows(blocks: Iterable[bytes]) -> list[tuple[int, str]]:
    """(row, cell) of each formula cell with no saved result in a sheet's XML, given as
    blocks that overlap by at least the longest cell tag (a cell found twice, in the overlap,
    is listed once)."""
    found: dict[str, int] = {}
    for block in blocks:
        if b"</f>" not in block and b"/></c>" not in block:
            continue  # no formula cell ends here (almost every block of most workbooks)
        for match in NO_RESULT.finditer(block):
            start = block.rfind(b"<c", 0, match.start())
            ref = CELL_REF.match(block, start) if start >= 0 else None
            if ref is not None:
                cell = (ref.group(1) + ref.group(2)).decode("ascii")
                found.setdefault(cell, int(ref.group(2)))
    return sorted(((row, cell) for cell, row in found.items()),
                  key=lambda rc: (rc[0], len(rc[1]), rc[1]))


def formula_problems(cells: list[tuple[int, str]], name: str) -> list[Problem]:
    return [Problem(
        file=name, line=row, code=Code.XLSX_FORMULA_WITHOUT_RESULT,
        message=f"cell {cell}: a formula with no saved result, which would be read as a "
                "blank answer (the workbook was written by a program that does not calculate)",
        hint="Open the workbook in Excel or LibreOffice and save it (its results are then "
             "stored), or paste the values over the formulas")
        for row, cell in cells]


def check_formulas(data: bytes, name: str, sheet: str | None = None) -> None:
    """Refuse formula cells with no saved result in the first sheet (or the sheet named
    ``sheet``), read whole: for the exact reader's path; the fast paths find them in
    :func:`leadlens.responses.exports.workbook.scan_xml`'s stream.

    Raises:
        ResponsesError: one problem per cell.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            listed = sheets(archive) if sheet is not None else None
            part = (next((s.part for s in listed[0] if s.name == sheet), None) if listed
                    else None) if sheet is not None else first_sheet_part(archive)
            if part is None:
                return
            xml = archive.read(part)
    except (KeyError, zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError):
        return  # the exact reader says what is wrong
    cells = formula_rows([xml])
    if cells:
        raise ResponsesError(formula_problems(cells, name))
