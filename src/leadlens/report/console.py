"""A rich console that cannot be made to emit terminal controls by the text it prints."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.console import Console
from rich.segment import Segment
from rich.text import Text

from leadlens.text import terminal_safe


class SafeConsole(Console):
    """A :class:`rich.console.Console` whose printed text passes :func:`terminal_safe`.

    Strings are made safe before rich measures them (so tables keep their shape), and every
    text segment again just before it is written, whichever way it was built (``Text``
    objects, table cells): only rich's own styles and controls reach the terminal.
    """

    def render_str(self, text: str, **kwargs: Any) -> Text:
        return super().render_str(terminal_safe(text), **kwargs)

    def _render_buffer(self, buffer: Iterable[Segment]) -> str:
        return super()._render_buffer(
            segment if segment.control else Segment(terminal_safe(segment.text), segment.style)
            for segment in buffer)
