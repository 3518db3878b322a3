"""What a Parquet file declares, read before a byte of it is decoded.

A Parquet file is compressed: a few kilobytes can declare a billion rows, a column of a
gigabyte or pages that unpack to more than the machine has. polars decodes what the file
declares, so the declarations are read first, from the file's own metadata: the footer
(Thrift's compact protocol: columns, rows, each column chunk's sizes) and every page header
(each page's unpacked size and values), and checked against the bounds of
:mod:`leadlens.responses.limits` by :func:`leadlens.responses.frames.read_parquet_cells`.

The reader here is a small, bounded Thrift compact decoder: lengths are checked against the
bytes left and nesting is limited, so a damaged or hostile footer is a clear error
(:class:`FooterError`), never a large allocation or a deep recursion.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any

MAGIC = b"PAR1"
_MAX_DEPTH = 24


class FooterError(ValueError):
    """The file's metadata is damaged, truncated or not Parquet's."""


@dataclass(frozen=True)
class Declared:
    """What a Parquet file says it holds."""

    columns: int
    """Leaf columns (what becomes a column of cells)."""
    rows: int
    values: int
    """Values declared by the data pages, over all columns."""
    unpacked: int
    """Bytes the pages unpack to, over all pages (as their headers declare)."""
    largest_page: int
    """The most bytes one page unpacks to."""
    names: tuple[str, ...] = ()
    """The top-level columns' names, in order (empty when refused early: see
    :func:`read_declared`)."""


class _Reader:
    """Thrift's compact protocol over ``data[start:end]``, every length checked."""

    def __init__(self, data: bytes, start: int, end: int) -> None:
        self.data, self.at, self.end = data, start, end

    # Bytes are read with local variables, not a method call per byte: a footer of 100,000
    # columns is about 35 MB of metadata and page headers, read here in pure Python.
    def byte(self) -> int:
        at = self.at
        if at >= self.end:
            raise FooterError("metadata ends early")
        self.at = at + 1
        return self.data[at]

    def varint(self) -> int:
        data, at, end = self.data, self.at, self.end
        if at < end and data[at] < 0x80:  # most numbers in the metadata take one byte
            self.at = at + 1
            return data[at]
        shift = result = 0
        while True:
            if at >= end:
                raise FooterError("metadata ends early")
            b = data[at]
            at += 1
            result |= (b & 0x7F) << shift
            if b < 0x80:
                self.at = at
                return result
            shift += 7
            if shift > 70:
                raise FooterError("a number in the metadata is too long")

    def zigzag(self) -> int:
        n = self.varint()
        return (n >> 1) ^ -(n & 1)

    def take(self, size: int) -> bytes:
        if size < 0 or self.at + size > self.end:
            raise FooterError("a length in the metadata runs past its end")
        value = self.data[self.at:self.at + size]
        self.at += size
        return value

    def value(self, kind: int, depth: int) -> Any:
        if depth > _MAX_DEPTH:
            raise FooterError("the metadata is nested too deeply")
        if kind in (4, 5, 6):  # the commonest first
            n = self.varint()
            return (n >> 1) ^ -(n & 1)
        if kind in (1, 2):  # booleans inside a struct: the type is the value
            return kind == 1
        if kind == 3:
            return self.byte()
        if kind == 7:
            return struct.unpack("<d", self.take(8))[0]
        if kind == 8:
            return self.take(self.varint())
        if kind in (9, 10):
            header = self.byte()
            size, element = header >> 4, header & 0x0F
            if size == 15:
                size = self.varint()
            if size > self.end - self.at:  # every element takes at least one byte
                raise FooterError("a list in the metadata is longer than the metadata")
            if element in (1, 2):
                return [self.byte() == 1 for _ in range(size)]
            return [self.value(element, depth + 1) for _ in range(size)]
        if kind == 11:
            size = self.varint()
            if size == 0:
                return {}
            if 2 * size > self.end - self.at:
                raise FooterError("a map in the metadata is longer than the metadata")
            types = self.byte()
            return {self._hashable(self.value(types >> 4, depth + 1)):
                    self.value(types & 0x0F, depth + 1) for _ in range(size)}
        if kind == 12:
            return self.struct(depth + 1)
        raise FooterError(f"unknown value type {kind} in the metadata")

    @staticmethod
    def _hashable(key: Any) -> Any:
        return key if isinstance(key, int | bytes | str | bool | float) else repr(key)

    def struct(self, depth: int = 0) -> dict[int, Any]:
        fields: dict[int, Any] = {}
        last = 0
        data, end, value = self.data, self.end, self.value
        while True:
            at = self.at
            if at >= end:
                raise FooterError("metadata ends early")
            header = data[at]
            self.at = at + 1
            if header == 0:
                return fields
            delta, kind = header >> 4, header & 0x0F
            last = last + delta if delta else self.zigzag()
            fields[last] = value(kind, depth)


def _structs(fields: dict[int, Any], key: int) -> list[dict[int, Any]]:
    value = fields.get(key)
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _int(fields: dict[int, Any], key: int) -> int:
    value = fields.get(key, 0)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def read_declared(data: bytes, *, max_columns: int | None = None,
                  max_rows: int | None = None, max_cells: int | None = None) -> Declared:
    """The columns, rows, values and unpacked sizes ``data`` (a whole Parquet file)
    declares, from its footer and page headers.

    With ``max_columns``, ``max_rows`` or ``max_cells``, a file past one is answered as soon
    as its schema's length (or its row count) is read, before the rest of the footer: the
    footer of a file of millions of columns is hundreds of megabytes, and the row groups'
    part of it is most of the work (100,000 columns: the schema and row count 0.5 s of CPU,
    the whole footer and page headers 9.8 s). Then ``values`` and ``unpacked`` are 0, and
    ``columns`` counts the schema's elements (its leaves, for ``max_cells``).

    Raises:
        FooterError: not Parquet (no ``PAR1`` at both ends), truncated, or metadata that
            cannot be read or points outside the file.
    """
    if len(data) < 12 or not data.startswith(MAGIC) or not data.endswith(MAGIC):
        raise FooterError("it does not start and end with PAR1 (truncated, or not Parquet)")
    length = struct.unpack("<I", data[-8:-4])[0]
    if length <= 0 or length > len(data) - 12:
        raise FooterError(f"its footer declares {length:,} bytes of metadata in a file of "
                          f"{len(data):,} bytes (truncated)")
    start = len(data) - 8 - length
    reader = _Reader(data, start, len(data) - 8)
    meta: dict[int, Any] = {}
    last = 0
    while True:  # FileMetaData, field by field: 2 schema, 3 num_rows, 4 row_groups
        header = reader.byte()
        if header == 0:
            break
        delta, kind = header >> 4, header & 0x0F
        last = last + delta if delta else reader.zigzag()
        if last == 2 and kind == 9 and max_columns is not None:
            elements = _peek_size(reader)
            if elements - 1 > max_columns:
                return Declared(elements - 1, _int(meta, 3), 0, 0, 0)
        meta[last] = reader.value(kind, 1)
        if last == 3 and max_rows is not None and _int(meta, 3) > max_rows:
            return Declared(len(_structs(meta, 2)[1:]), _int(meta, 3), 0, 0, 0)
        if last == 3 and max_cells is not None:
            leaves = _leaves(_structs(meta, 2))
            if leaves * _int(meta, 3) > max_cells:
                return Declared(leaves, _int(meta, 3), 0, 0, 0)
    schema = _structs(meta, 2)
    columns = _leaves(schema)
    rows = _int(meta, 3)
    values = unpacked = largest = 0
    for group in _structs(meta, 4):
        rows = max(rows, _int(group, 3))
        for chunk in _structs(group, 1):
            column = chunk.get(3)
            if not isinstance(column, dict):
                continue
            unpacked_declared = _int(column, 6)
            page_values, page_bytes, page_largest = _pages(data, column, start)
            values += max(page_values, _int(column, 5))
            unpacked += max(page_bytes, unpacked_declared)
            largest = max(largest, page_largest)
    if rows < 0 or values < 0:
        raise FooterError("it declares a negative number of rows or values")
    return Declared(columns, rows, values, unpacked, largest, _top_level_names(schema))


def _leaves(schema: list[dict[int, Any]]) -> int:
    """The schema's leaf columns (elements with no num_children; the first is the root)."""
    return sum(1 for element in schema[1:] if not _int(element, 5))


def _top_level_names(schema: list[dict[int, Any]]) -> tuple[str, ...]:
    """The names of the schema root's children (a nested column is one name), as polars
    names the columns it decodes."""
    names: list[str] = []
    open_groups: list[int] = []  # children still to come in each enclosing group
    for element in schema[1:]:
        if open_groups:
            open_groups[-1] -= 1
        else:
            name = element.get(4)
            names.append(name.decode("utf-8", "replace") if isinstance(name, bytes) else "")
        if _int(element, 5) > 0:
            open_groups.append(_int(element, 5))
        while open_groups and open_groups[-1] <= 0:
            open_groups.pop()
    return tuple(names)


def _peek_size(reader: _Reader) -> int:
    """The length of the list ``reader`` is at, leaving it where it was."""
    at = reader.at
    header = reader.byte()
    size = header >> 4
    if size == 15:
        size = reader.varint()
    reader.at = at
    return size


def _pages(data: bytes, column: dict[int, Any], metadata_start: int) -> tuple[int, int, int]:
    """(values, unpacked bytes, largest page) of one column chunk, from its page headers."""
    first = _int(column, 11) or _int(column, 9)
    dictionary = _int(column, 11)
    if dictionary and _int(column, 9):
        first = min(dictionary, _int(column, 9))
    size = _int(column, 7)
    if first < 4 or size < 0 or first + size > metadata_start:
        raise FooterError("a column's pages lie outside the file (truncated or damaged)")
    at, end = first, first + size
    values = unpacked = largest = 0
    while at < end:
        reader = _Reader(data, at, end)
        header = reader.struct()
        page_unpacked, page_packed = _int(header, 2), _int(header, 3)
        if page_unpacked < 0 or page_packed < 0:
            raise FooterError("a page declares a negative size")
        for key in (5, 8):  # data page (v1, v2): its first field is the number of values
            page = header.get(key)
            if isinstance(page, dict):
                if _int(page, 1) < 0:  # polars' decoder aborted the process on this
                    raise FooterError("a page declares a negative number of values")
                values += _int(page, 1)
        unpacked += page_unpacked
        largest = max(largest, page_unpacked)
        at = reader.at + page_packed
    return values, unpacked, largest
