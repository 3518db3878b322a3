"""The cover options shared by ``score`` and ``report``: --title, --organisation, --logo
(and ``score``'s --contact, for the spreadsheet)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from leadlens.report.cover import Cover

TitleOption = Annotated[str | None, typer.Option(
    "--title", metavar="TEXT", show_default=False,
    help="Report title for HTML and Markdown output, e.g. \"North Riverside ICS board, March "
    "2026\" (default: the question set's title).")]
OrganisationOption = Annotated[str | None, typer.Option(
    "--organisation", metavar="NAME", show_default=False,
    help="The organisation or system the report is for, shown on the cover.")]
LogoOption = Annotated[Path | None, typer.Option(
    "--logo", metavar="FILE", show_default=False,
    help="A PNG, JPEG, GIF or WebP logo for the cover, embedded in the report (at most "
    "512 KiB; nothing is loaded from the network).")]

ContactOption = Annotated[str | None, typer.Option(
    "--contact", metavar="TEXT", show_default=False,
    help="Who publishes the tables and how to reach them, e.g. \"Analytics team, "
    "analytics@example.nhs.uk\": the spreadsheet's cover (-o results.xlsx) shows it; "
    "without it, the cover says that no contact was given.")]


def make_cover(title: str | None, organisation: str | None, logo: Path | None,
               contact: str | None = None) -> Cover:
    """The cover from the command line (reads and checks the logo: LogoError when bad)."""
    from leadlens.report.cover import Cover, logo_data_uri

    return Cover(title=title or None, organisation=organisation or None,
                 logo=logo_data_uri(logo) if logo is not None else None,
                 contact=(contact or "").strip() or None)
