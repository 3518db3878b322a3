"""Encodings and delimiters: what an export's bytes are, decided from cheap evidence.

Exports come as UTF-8 with a byte-order mark (Excel "CSV UTF-8", LimeSurvey), plain UTF-8
(Google Forms, Qualtrics, SurveyMonkey), UTF-16 (Excel "Unicode text") or Windows-1252
(Excel's plain "CSV" on Windows). European Excel writes ``;`` and sometimes a first line
``sep=;``. Delimiters are guessed from the first few KB only.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass

from leadlens.errors import Code, Problem, ResponsesError

HEAD_BYTES = 16 * 1024
DELIMITERS = (",", ";", "\t")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
XLSX_MAGIC = b"PK\x03\x04"

_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_SEP_LINE = re.compile(r"\A\ufeff?\"?sep=(.)\"?[ \t]*\r?\n", re.IGNORECASE)


@dataclass(frozen=True)
class Decoded:
    """A file's text and how it was decoded."""

    text: str
    encoding: str
    bom: bool


def is_xlsx(head: bytes) -> bool:
    return head.startswith(XLSX_MAGIC)


def _line_of(data: bytes, pos: int) -> int:
    return data.count(b"\n", 0, pos) + 1


def decode(data: bytes, name: str, encoding: str | None = None) -> tuple[Decoded, list[Problem]]:
    """Decode a whole file; fall back to cp1252 with a warning; refuse mixed encodings.

    Raises:
        ResponsesError: ``encoding`` was given and does not fit, or the file mixes UTF-8 with
            another encoding (re-save it, or name the encoding with ``--encoding``).
    """
    if encoding is not None:
        return _decode_as(data, name, encoding), []
    for bom, codec in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"),
                       (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            body = data if codec == "utf-16" else data[len(bom):]
            return _decode_as(body, name, codec, bom=True), []
    try:
        return Decoded(data.decode("utf-8"), "utf-8", bom=False), []
    except UnicodeDecodeError as exc:
        bad = exc.start
    bad_line = _line_of(data, bad)
    good = _UTF8_MULTIBYTE.search(data)
    if good is not None:
        good_line = _line_of(data, good.start())
        sample = good.group().decode("utf-8")
        raise ResponsesError([Problem(
            file=name, line=bad_line,
            message=f"mixed encodings: byte 0x{data[bad]:02x} here is not UTF-8, but line "
            f"{good_line} holds UTF-8 text ({sample!r})",
            hint="Re-save the file as \"CSV UTF-8\", or pass --encoding to choose one",
            code=Code.ENCODING_MIXED)])
    codec = "cp1252"
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        codec, text = "latin-1", data.decode("latin-1")
    warning = Problem(
        file=name, line=bad_line, severity="warning",
        message=f"not UTF-8 (byte 0x{data[bad]:02x}); read as Windows-1252 ({codec})",
        hint="Pass --encoding if that is wrong, or re-save the file as \"CSV UTF-8\"",
        code=Code.ENCODING_GUESSED)
    return Decoded(text, codec, bom=False), [warning]


def _decode_as(data: bytes, name: str, codec: str, *, bom: bool = False) -> Decoded:
    try:
        codecs.lookup(codec)
    except LookupError:
        raise ResponsesError([Problem(file=name, message=f"unknown encoding {codec!r}",
                                      hint="Try utf-8, cp1252, latin-1 or utf-16",
                                      code=Code.ENCODING_UNKNOWN)]) from None
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        raise ResponsesError([Problem(
            file=name, line=_line_of(data, exc.start),
            message=f"byte 0x{data[exc.start]:02x} is not valid {codec}",
            hint="Pass --encoding with the file's real encoding",
            code=Code.ENCODING_INVALID_BYTE)]) from None
    if text.startswith("\ufeff"):
        text, bom = text[1:], True
    return Decoded(text, codecs.lookup(codec).name, bom)


def head_text(head: bytes, encoding: str | None = None) -> tuple[str, str, bool] | None:
    """Decode the first bytes of a file: (text, encoding, bom), or None if not UTF-8 there.

    Only ``HEAD_BYTES`` are looked at: cheap enough to run on every file ``score`` is given.
    """
    if encoding is not None:
        try:
            text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(head)
        except LookupError:
            return None
        return text.removeprefix("\ufeff"), codecs.lookup(encoding).name, text.startswith("\ufeff")
    if head.startswith(codecs.BOM_UTF16_LE) or head.startswith(codecs.BOM_UTF16_BE):
        return head.decode("utf-16", errors="replace"), "utf-16", True
    bom = head.startswith(codecs.BOM_UTF8)
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        text = decoder.decode(head[3:] if bom else head, final=False)
    except UnicodeDecodeError:
        return None
    return text, "utf-8", bom


def sep_line(text: str) -> str | None:
    """The delimiter named by an Excel ``sep=;`` first line, if there is one."""
    match = _SEP_LINE.match(text)
    return match.group(1) if match else None


def skip_sep_line(text: str) -> str:
    match = _SEP_LINE.match(text)
    return text[match.end():] if match else text


def guess_delimiter(text: str) -> str:
    """``,``, ``;`` or tab: the one that splits the first lines into the most equal rows."""
    sample = text[:HEAD_BYTES]
    cut = sample.rfind("\n")
    if 0 < cut < len(sample) - 1:
        sample = sample[:cut]
    best, best_score = ",", (0.0, 0)
    for delimiter in DELIMITERS:
        rows = _rows(sample, delimiter)
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        same = sum(1 for r in rows if len(r) == width) / len(rows)
        score = (same, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _rows(sample: str, delimiter: str) -> list[list[str]]:
    try:
        return [r for r in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
                if r][:50]
    except csv.Error:
        return []
