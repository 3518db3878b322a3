"""The report's cover: a title, the organisation or system it is for, and an embedded logo.

The logo is read once and embedded in the page as a ``data:`` URI, so the report still opens
offline and loads nothing from the network. Only raster images (PNG, JPEG, GIF, WebP) are
accepted, recognised by their first bytes, not their name: an SVG can carry scripts and
links, so it is refused.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path

from leadlens.errors import Code, LeadlensError, Problem
from leadlens.files import read_input

MAX_LOGO_BYTES = 512 * 1024
"""A logo larger than this would swell the one-file report; ask for a smaller one."""

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


class LogoError(LeadlensError):
    """The logo file cannot be embedded."""


@dataclass(frozen=True)
class Cover:
    """What the cover shows besides the results: all optional."""

    title: str | None = None
    organisation: str | None = None
    logo: str | None = None
    """A ``data:image/...;base64,...`` URI (see :func:`logo_data_uri`)."""
    contact: str | None = None
    """Who publishes the tables and how to reach them (the spreadsheet's cover)."""


def image_type(data: bytes) -> str | None:
    """The image's media type from its signature, or None when it is not one we embed."""
    for signature, media in _SIGNATURES:
        if data.startswith(signature):
            return media
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def logo_data_uri(path: Path) -> str:
    """Read a logo file and return it as a data URI.

    Raises:
        LogoError: unreadable or not a regular file, over :data:`MAX_LOGO_BYTES` (checked
            before reading, as every input: :func:`leadlens.files.read_input`), or not a PNG,
            JPEG, GIF or WebP image.
    """
    data = read_input(path, "cover logo", limit=MAX_LOGO_BYTES, error=LogoError)
    media = image_type(data)
    if media is None:
        hint = ("SVG is not accepted because it can carry scripts; export it as PNG"
                if data.lstrip()[:5].lower() in (b"<?xml", b"<svg ") else
                "Give a PNG, JPEG, GIF or WebP image")
        raise LogoError([Problem(file=str(path), message="not a PNG, JPEG, GIF or WebP "
                                 "image", hint=hint, code=Code.REPORT_LOGO_NOT_AN_IMAGE)])
    return f"data:{media};base64,{base64.b64encode(data).decode('ascii')}"
