"""The scoring engine: pure functions from responses to the results document.

No file I/O here, and no typer, rich, yaml or jinja2: readers build
:class:`~leadlens.responses.table.Responses`, callers write what :func:`score` returns.
"""

from __future__ import annotations

from leadlens.responses.table import FieldValues, Responses, TextAnswers, rated_keys, text_keys
from leadlens.scoring.engine import (
    RespondentScores,
    Scored,
    score,
)
from leadlens.scoring.options import effective_min_group_size

__all__ = [
    "FieldValues",
    "RespondentScores",
    "Responses",
    "Scored",
    "TextAnswers",
    "effective_min_group_size",
    "rated_keys",
    "score",
    "text_keys",
]
