"""Bounds a results document must keep before any JSON reader or pydantic sees it.

A parser's memory grows with the number of values and with the biggest list, not with the
file's size alone: a 15 MB document whose ``warnings`` held 3,000,000 strings took 3.5 GB
and aborted inside pydantic. So one cheap pass over the bytes (numpy, in blocks) measures,
whatever the document's shape, its JSON punctuation (``" , [ ] { }``), its longest string,
its deepest nesting and its biggest list or object, and the first place past a bound is
refused at its line and column. The bounds admit every document ``leadlens score`` writes at
national scale (docs/design.md, "Limits", gives the measured sizes).
"""

from __future__ import annotations

import numpy as np

from leadlens.errors import Code, Problem

MAX_MARKS = 32 * 1024 * 1024
"""The most JSON punctuation marks (``" , [ ] { }``, counted also inside text) a results
document may hold: a bound on its values (each value is at most two of them)."""
MAX_STRING_BYTES = 16 * 1024 * 1024
"""The longest string, as written between its quotes (escapes included)."""
MAX_DEPTH = 64
"""The deepest nesting of lists and objects (leadlens writes 8)."""
MAX_ITEMS = 2_000_000
"""The most items in one list or object (the longest list leadlens writes is a question's
comments, one per respondent: twice a national survey of 1,000,000)."""

HINT = "Write it again with: leadlens score RESPONSES.csv -o results.json"
_BLOCK = 1024 * 1024
_MARKS = b'",[]{}'
_LUT = np.zeros(256, dtype=bool)
_LUT[list(_MARKS)] = True
_QUOTE, _COMMA = ord('"'), ord(",")


def bounds_problem(data: bytes, file: str) -> Problem | None:
    """The first place where ``data`` (a results document's bytes) passes a bound, or None.

    An invalid document is measured as far as it goes (its syntax is reported later)."""
    if b"\\" in data:  # escapes, same length, so offsets hold: \\ first, then \"
        data = data.replace(b"\\\\", b"__").replace(b'\\"', b"__")
    arr = np.frombuffer(data, dtype=np.uint8)
    found = _structure(arr)
    if isinstance(found, tuple):
        start, length = found
        if length < 0:
            return _at(data, start, file, f"more than {MAX_MARKS:,} JSON values and marks: "
                       "larger than any results document leadlens writes")
        return _at(data, start, file, f"a string of {length:,} bytes: longer than any "
                   f"leadlens writes (at most {MAX_STRING_BYTES:,})")
    pos = found
    kind = arr[pos]
    is_open = (kind == ord("[")) | (kind == ord("{"))
    is_close = (kind == ord("]")) | (kind == ord("}"))
    # int16 is enough: the depth moves by one a mark, so it passes MAX_DEPTH before it wraps
    depth = np.cumsum(is_open.astype(np.int8) - is_close.astype(np.int8), dtype=np.int16)
    deep = np.flatnonzero(depth > MAX_DEPTH)
    if len(deep):
        return _at(data, int(pos[deep[0]]), file,
                   f"nested more than {MAX_DEPTH} lists and objects deep: deeper than any results "
                   "document leadlens writes", code=Code.JSON_TOO_DEEP)
    comma = kind == _COMMA
    if np.count_nonzero(comma) < MAX_ITEMS:
        return None  # no list or object can hold more
    level = depth + is_close  # a close is at its open's level, a comma at its container's
    first, items = -1, 0
    for at in range(1, int(level.max(initial=0)) + 1):
        here = level == at  # in document order: an open, its commas, its close, the next open
        container = np.cumsum(is_open[here], dtype=np.int32)[comma[here]]
        rank = np.arange(len(container)) - np.searchsorted(container, container, side="left")
        past = np.flatnonzero(rank == MAX_ITEMS - 1)  # the comma before item MAX_ITEMS + 1
        if len(past):
            offset = int(pos[here][comma[here]][past[0]])
            if first < 0 or offset < first:
                first = offset
                items = int(np.count_nonzero(container == container[past[0]])) + 1
    if first < 0:
        return None
    after = len(data) - len(data[first + 1:].lstrip(b" \t\r\n"))
    return _at(data, after, file, f"a list or object of {items:,} items: more than any "
               f"results document leadlens writes holds (at most {MAX_ITEMS:,})")


def _structure(arr: np.ndarray) -> np.ndarray | tuple[int, int]:
    """The offsets of the marks outside strings (``, [ ] { }``), or the first string longer
    than :data:`MAX_STRING_BYTES` (its offset and length), or the mark past
    :data:`MAX_MARKS` (its offset and -1). Block by block, so that only the marks outside
    strings are kept (4 bytes each, at most :data:`MAX_MARKS` of them)."""
    kept = []
    open_at = -1  # the opening quote of a string that runs on past a block
    seen = 0
    for start in range(0, len(arr), _BLOCK):
        block = arr[start:start + _BLOCK]
        pos = np.flatnonzero(_LUT[block])
        if seen + len(pos) > MAX_MARKS:
            return start + int(pos[MAX_MARKS - seen]), -1
        seen += len(pos)
        quote = block[pos] == _QUOTE
        quotes = pos[quote] + start
        if open_at >= 0:
            quotes = np.concatenate([[open_at], quotes])
        even = len(quotes) - len(quotes) % 2
        length = quotes[1:even:2] - quotes[0:even:2] - 1
        long = np.flatnonzero(length > MAX_STRING_BYTES)
        if len(long):
            return int(quotes[2 * long[0]]), int(length[long[0]])
        inside = (np.cumsum(quote) - quote + (open_at >= 0)) % 2 == 1
        open_at = int(quotes[-1]) if len(quotes) % 2 else -1
        kept.append((pos[~quote & ~inside] + start).astype(np.int32))
    if open_at >= 0 and len(arr) - open_at - 1 > MAX_STRING_BYTES:  # never closed
        return open_at, len(arr) - open_at - 1
    return np.concatenate(kept) if kept else np.zeros(0, dtype=np.int32)


def _at(data: bytes, offset: int, file: str, message: str,
        code: Code = Code.RESULTS_TOO_LARGE) -> Problem:
    line = data.count(b"\n", 0, offset) + 1
    start = data.rfind(b"\n", 0, offset) + 1
    col = len(data[start:offset].decode("utf-8", "replace")) + 1
    return Problem(file=file, line=line, col=col, message=message, hint=HINT, code=code)
