"""Making untrusted text safe to show in a terminal (the one sanitiser), and small helpers.

Question sets and earlier answers are untrusted: they may hold terminal escape codes
(ESC, CSI, OSC, BEL), other control characters or bidirectional overrides. They are shown
literally, with each such character written as a visible ``\\x..`` escape, so they can
neither style nor move nor retitle the screen. The survey never renders rich markup, so
``[bold]`` and friends are plain text already.
"""

from __future__ import annotations

import csv
import re
import textwrap
import unicodedata
from collections.abc import Iterable, Sequence

# Bidirectional controls can reorder what a line appears to say.
_BIDI = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_LINE_BREAKS = re.compile(r"\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")


# Characters no report shows: C0 controls but tab and line breaks, DEL, C1 controls, the
# bidirectional controls and the invisible zero-width ones.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200b-\u200f"
                          "\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def printable(text: str) -> str:
    """The one cleaning rule for text in a report, HTML and Markdown alike.

    Unicode NFC; no control, bidirectional-override or zero-width characters (ESC, BEL,
    U+202E, ...), which could hide or reorder what a line says. Tabs and line breaks stay
    (each format shows them its own way).
    """
    return _UNPRINTABLE.sub("", unicodedata.normalize("NFC", text))


class _Records:
    """A file for csv.writer that swaps each record's CRLF for the wanted line ending."""

    def __init__(self, newline: str) -> None:
        self.newline = newline
        self.parts: list[str] = []

    def write(self, record: str) -> int:
        self.parts.append(record[:-2] + self.newline)
        return len(record)


def csv_records(rows: Iterable[Sequence[str]], newline: str = "\n") -> str:
    """CSV records each ending in ``newline``, every cell read back exactly as it is.

    Python's writer quotes a cell holding the record's own line ending only, so with
    ``\n`` records a bare CR stayed unquoted and tore the row for every reader. Records are
    written with CRLF, so any cell with CR or LF is quoted, and the ending is swapped
    after. NUL characters are dropped: no text file may hold one (readers refuse it).
    """
    out = _Records(newline)
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([cell.replace("\x00", "") if "\x00" in cell else cell
                         for cell in row])
    return "".join(out.parts)


def csv_record(cells: Sequence[str], newline: str = "\n") -> str:
    """One record of :func:`csv_records`."""
    return csv_records([cells], newline)


def _escape_char(char: str) -> str:
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


def clean(text: str) -> str:
    """One line of ``text`` safe for a terminal: control characters become visible escapes.

    Tabs become a space and line breaks a space; use :func:`clean_lines` to keep the lines.
    """
    out: list[str] = []
    for char in text:
        if char == "\t":
            out.append(" ")
        elif char in _BIDI or unicodedata.category(char) == "Cc":
            out.append(_escape_char(char))
        else:
            out.append(char)
    return "".join(out)


def terminal_safe(text: str) -> str:
    """``text`` safe to write to a terminal, its line breaks kept: the one terminal sanitiser.

    Every other control character (ESC, CSI, OSC, BEL, CR, C1 codes, DEL) and every
    bidirectional override becomes a visible escape, so untrusted text can neither style,
    move, retitle nor reorder the screen. Tabs are kept. Every command's output to a
    terminal goes through here (the CLI's writers and its rich consoles).
    """
    if text.isprintable():
        return text
    out: list[str] = []
    for char in text:
        if char in "\n\t":
            out.append(char)
        elif char in _BIDI or unicodedata.category(char) == "Cc":
            out.append(_escape_char(char))
        else:
            out.append(char)
    return "".join(out)


_JSON_UNSAFE = re.compile("[\x7f-\x9f" + "".join(sorted(_BIDI)) + "\u2028\u2029]")


def json_terminal_safe(document: str) -> str:
    """A JSON text with the characters JSON leaves raw but a terminal obeys (DEL, C1
    controls, bidirectional overrides, line separators) written as ``\\uXXXX`` escapes: the
    same data, safe to print. (JSON itself escapes U+0000 to U+001F.)"""
    # Of ASCII, only DEL needs an escape: a plain search, not the pattern's scan.
    if document.isascii() and "\x7f" not in document:
        return document
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", document)


def clean_lines(text: str) -> list[str]:
    """``text`` split at every kind of line break, each line made safe with :func:`clean`."""
    return [clean(line) for line in _LINE_BREAKS.split(text)]


def one_line(text: str) -> str:
    """``text`` on one line: line breaks become spaces, control characters escapes."""
    return " ".join(part for part in (clean(line).strip() for line in _LINE_BREAKS.split(text))
                    if part)


def wrap(text: str, width: int, *, indent: str = "") -> list[str]:
    """Safe ``text`` wrapped to ``width`` columns, keeping its own paragraphs."""
    lines: list[str] = []
    width = max(width, 20)
    for line in clean_lines(text):
        if not line.strip():
            lines.append("")
            continue
        lines.extend(textwrap.wrap(line, width=width, initial_indent=indent,
                                   subsequent_indent=indent, break_on_hyphens=False)
                     or [indent])
    while lines and not lines[-1]:
        lines.pop()
    return lines


def first_sentence(text: str, limit: int = 160) -> str:
    """The first sentence of ``text`` on one line, cut at ``limit`` characters."""
    flat = one_line(text)
    match = re.search(r"[.?!](\s|$)", flat)
    sentence = flat[: match.start() + 1] if match else flat
    if len(sentence) > limit:
        sentence = sentence[: limit - 3].rstrip() + "..."
    return sentence


def progress_bar(done: int, total: int, width: int = 20, *, fill: str = "#",
                 empty: str = "-") -> str:
    """``[#####-----]`` for ``done`` of ``total``."""
    total = max(total, 1)
    filled = round(width * min(done, total) / total)
    return "[" + fill * filled + empty * (width - filled) + "]"


# --- look-alike letters (the idea of Unicode TR39's confusables skeleton) --------------------

# Letters of other scripts that a reader cannot tell from a Latin letter, each with the Latin
# letter it looks like. Hand-kept (no confusables table ships with Python): the Cyrillic,
# Greek and Armenian letters that TR39's confusables.txt maps to a single Latin letter, plus
# a few Latin look-alikes (dotless i, script g, palochka). Fullwidth and mathematical forms
# need no entry: NFKC folds them to ASCII first.
_LOOK_ALIKES = {
    # Cyrillic capitals
    "А": "A", "В": "B", "Е": "E", "Ѕ": "S", "І": "I", "Ј": "J", "К": "K", "М": "M", "Н": "H",
    "О": "O", "Р": "P", "С": "C", "Т": "T", "Х": "X", "У": "Y", "Ү": "Y", "Ԛ": "Q", "Ԝ": "W",
    "Ӏ": "I", "Ԍ": "G", "Ѵ": "V", "Ꙅ": "S",
    # Cyrillic small letters
    "а": "a", "е": "e", "ѕ": "s", "і": "i", "ј": "j", "о": "o", "р": "p", "с": "c", "у": "y",
    "х": "x", "ү": "y", "ԛ": "q", "ԝ": "w", "ԁ": "d", "һ": "h", "ӏ": "l", "ѵ": "v", "ɡ": "g",
    # Greek capitals
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N",
    "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
    # Greek small letters
    "α": "a", "ο": "o", "ν": "v", "ρ": "p", "ι": "i", "υ": "u", "γ": "y", "χ": "x", "κ": "k",
    # Armenian
    "Օ": "O", "օ": "o", "Ս": "U", "ս": "u", "հ": "h", "ո": "n", "ց": "g", "զ": "q",
    # Latin look-alikes of other Latin letters
    "ı": "i", "ɑ": "a", "ǀ": "l", "ʏ": "y",
}
_LOOK_ALIKE_TABLE = str.maketrans(_LOOK_ALIKES)


def skeleton(text: str) -> str:
    """What ``text`` looks like: look-alike letters as the Latin letters they look like.

    After NFKC (fullwidth and mathematical letters become ASCII) and NFD (accents apart, so a
    Cyrillic ``ё`` is an ``e`` with a diaeresis, as a Latin ``ë``). Two texts with the same
    skeleton cannot be told apart by a reader; compare skeletons after the readers' own
    normalisation (case, spaces).
    """
    decomposed = unicodedata.normalize("NFD", unicodedata.normalize("NFKC", text))
    return unicodedata.normalize("NFC", decomposed.translate(_LOOK_ALIKE_TABLE))


def look_alike_letters(text: str) -> list[tuple[str, str]]:
    """Each distinct non-Latin letter of ``text`` that looks Latin, with the letter it
    looks like: ``[('А', 'A'), ('е', 'e')]`` for a Cyrillic ``Аgrее``."""
    found: dict[str, str] = {}
    for char in unicodedata.normalize("NFD", unicodedata.normalize("NFKC", text)):
        latin = _LOOK_ALIKES.get(char)
        if latin is not None and script_of(char) != "LATIN":
            found.setdefault(char, latin)
    return list(found.items())


def script_of(char: str) -> str:
    """The script of a letter as its Unicode name starts: 'LATIN', 'CYRILLIC', 'GREEK'."""
    return unicodedata.name(char, "? ?").split()[0]


def looks_latin(word: str) -> bool:
    """Whether every letter of ``word`` is Latin or looks Latin, and some letter only looks
    Latin: a word in another script that reads as a Latin word (TR39's whole-script
    confusable)."""
    letters = [c for c in unicodedata.normalize("NFD", unicodedata.normalize("NFKC", word))
               if c.isalpha()]
    scripts = [script_of(c) for c in letters]
    return (any(s != "LATIN" for s in scripts)
            and all(s == "LATIN" or c in _LOOK_ALIKES for c, s in zip(letters, scripts,
                                                                       strict=True)))


def has_latin_letters(text: str) -> bool:
    """Whether ``text`` has a Latin letter that is not a look-alike of another script's."""
    return any(c.isalpha() and script_of(c) == "LATIN" for c in
               unicodedata.normalize("NFD", unicodedata.normalize("NFKC", text)))
