"""Comparing header and answer texts the way a person would.

Platforms re-type question texts on the way out: HTML entities and tags, smart quotes,
non-breaking spaces, a trailing colon or question mark, different case. :func:`normalise`
removes all of that, so an exact comparison of normalised texts is a fair one.
"""

from __future__ import annotations

import re
import unicodedata

_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_SPACE = re.compile(r"\s+")
_TRAILING = ".:;,?!…*"
_BEFORE_CLOSE = re.compile(r"[.:;,?!…*]+\s*(?=[\])])")
_TRANSLATE = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
    "\u00a0": " ", "\u202f": " ", "\u200b": "",
})


def normalise(text: str) -> str:
    """Case, whitespace, Unicode form, smart quotes, HTML and trailing punctuation removed."""
    if "&" in text:
        import html  # its entity table is large: loaded only when a text has an entity

        text = html.unescape(html.unescape(text))  # exports sometimes escape twice
    if "<" in text:
        text = _TAG.sub(" ", text)
    text = unicodedata.normalize("NFKC", text).translate(_TRANSLATE)
    text = _SPACE.sub(" ", text).strip().casefold()
    if "]" in text or ")" in text:  # "Grid [Statement.]" reads as "Grid [Statement]"
        text = _BEFORE_CLOSE.sub("", text)
    return text.rstrip(_TRAILING + " ").strip()


def splits(header: str) -> list[tuple[str, str]]:
    """Ways to read a grid header as (title, statement).

    ``Title [Statement]`` (Google Forms, LimeSurvey), ``Title - Statement`` (Qualtrics) and
    ``Title (Statement)``. The statement may itself carry a ``[...]`` part, as in
    ``Grid [Statement [Organisation hat]]``; the caller splits again.
    """
    found: list[tuple[str, str]] = []
    text = header.strip()
    for close, opening in (("]", "["), (")", "(")):
        if text.endswith(close):
            start = _opening(text, opening, close)
            if start > 0:
                found.append((text[:start].strip(), text[start + 1:-1].strip()))
    for match in re.finditer(r"\s[-\u2013\u2014]\s", text):
        found.append((text[:match.start()].strip(), text[match.end():].strip()))
    return [(title, statement) for title, statement in found if title and statement]


def _opening(text: str, opening: str, close: str) -> int:
    """Index of the bracket that opens the one closing ``text``, or -1."""
    depth = 0
    for i in range(len(text) - 1, -1, -1):
        if text[i] == close:
            depth += 1
        elif text[i] == opening:
            depth -= 1
            if depth == 0:
                return i
    return -1


def strip_suffix_number(header: str) -> str | None:
    """``Statement2`` -> ``Statement``: Microsoft Forms numbers repeated headers this way."""
    match = re.fullmatch(r"(.*\D)\d{1,3}", header.strip())
    return match.group(1) if match else None
