"""Markdown escaping and text charts: untrusted text stays text in GitHub-flavoured Markdown.

Every ``{{ expression }}`` in a Markdown template passes through :func:`finalize_markdown`,
which escapes it unless it is already :class:`MdSafe` (or ``Markup``, the template author's
explicit ``|safe``). So respondent comments and question-set text cannot open a table cell,
start a heading, a list, a code span, a link, emphasis, maths or raw HTML.
"""

from __future__ import annotations

import math
import re

from markupsafe import Markup

from leadlens.text import printable


class MdSafe(str):
    """Text that is already valid, escaped Markdown: printed as it is."""

    __slots__ = ()


# ASCII punctuation that means something inline in CommonMark/GFM (and $ for GitHub maths).
# Backslash-escaping any ASCII punctuation is always allowed, and inside a GFM table cell
# "\|" is how a literal pipe is written.
_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~&$])")
# What a line may start with to become a block: a list item, setext underline, thematic break.
_LIST_MARKER = re.compile(r"^([-+*])(?=\s|$)")
_ORDERED_MARKER = re.compile(r"^(\d{1,9})([.)])(?=\s|$)")
_SETEXT = re.compile(r"^(=+|-+)\s*$")
# GitHub turns bare URLs, www. names and e-mail addresses into links. An escaped ':' or
# '.' breaks the first two; an address needs an invisible word joiner after its '@'.
_URL_SCHEME = re.compile(r"(?i)(?<![A-Za-z0-9])(https?|ftp|mailto|xmpp)(:)")
_WWW = re.compile(r"(?i)(?<![A-Za-z0-9.\-_])(www)(\.)")
_AT = re.compile(r"@(?=[A-Za-z0-9_-]+\.[A-Za-z0-9])")  # GFM needs a dot in the domain


def _clean(text: str) -> str:
    """The reports' cleaning rule (:func:`leadlens.text.printable`); CR as LF, tabs as
    spaces (a tab could start a code block)."""
    text = printable(text.replace("\r\n", "\n").replace("\r", "\n"))
    return text.replace("\t", " ")


def _no_autolinks(body: str) -> str:
    body = _URL_SCHEME.sub(r"\1\\\2", body)
    body = _WWW.sub(r"\1\\\2", body)
    return _AT.sub("@\u2060", body)


def _escape_line(line: str) -> str:
    """Escape one line; surrounding whitespace shrinks to one space (never an indent)."""
    body = line.strip()
    if not body:
        return " " if line else ""
    lead = " " if line[0].isspace() else ""
    trail = " " if line[-1].isspace() else ""
    if _SETEXT.match(body):
        return lead + "\\" + body + trail
    body = _no_autolinks(_INLINE_SPECIAL.sub(r"\\\1", body))
    body = _LIST_MARKER.sub(r"\\\1", body)
    return lead + _ORDERED_MARKER.sub(r"\1\\\2", body) + trail


def md_escape(value: object) -> MdSafe:
    """Escape text for one line of Markdown (a table cell, heading or list item).

    Line breaks become spaces, so the text can never end a table row or start a block.
    """
    if isinstance(value, MdSafe | Markup):
        return MdSafe(value)
    text = _clean(str(value))
    lines = text.splitlines()
    if len(lines) > 1:
        text = " ".join(ln.strip() for ln in lines if ln.strip())
    return MdSafe(_escape_line(text))


def md_lines(value: object, indent: int = 2) -> MdSafe:
    """Escape multi-line text for a list item: lines joined by hard breaks, kept indented.

    Each line is escaped on its own (a line starting "- " or "1." stays text); empty lines are
    dropped so the text stays one paragraph inside its list item.
    """
    if isinstance(value, MdSafe | Markup):
        return MdSafe(value)
    lines = [_escape_line(ln) for ln in _clean(str(value)).splitlines() if ln.strip()]
    return MdSafe(("\\\n" + " " * indent).join(lines))


def finalize_markdown(value: object) -> object:
    """Jinja ``finalize`` for Markdown: escape every printed value that is not marked safe."""
    if value is None:
        return "\u2014"
    if isinstance(value, MdSafe | Markup):
        return value
    if isinstance(value, bool | int | float):
        return md_escape(value)
    return md_escape(value)


_EIGHTHS = " \u258f\u258e\u258d\u258c\u258b\u258a\u2589"


def text_bar(value: float | None, maximum: float = 100.0, width: int = 10) -> MdSafe:
    """A horizontal bar of block glyphs, e.g. ``███████▌░░`` for 75 out of 100.

    Resolution is an eighth of a character; the rest of the width is light shade, so bars
    line up in a monospace code span. ``None`` gives an empty string.
    """
    if value is None or not math.isfinite(value) or maximum <= 0:
        return MdSafe("")
    fraction = min(max(value / maximum, 0.0), 1.0)
    eighths = round(fraction * width * 8)
    full, part = divmod(eighths, 8)
    bar = "\u2588" * full
    if part:
        bar += _EIGHTHS[part]
    bar += "\u2591" * (width - len(bar))
    return MdSafe(f"`{bar}`")
