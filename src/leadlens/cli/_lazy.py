"""Library entry points the CLI needs, imported on first call to keep start-up quick."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from leadlens.questionset.model import QuestionSet


def load_question_set(ref: str | Path | None) -> QuestionSet:
    """:func:`leadlens.questionset.loading.load_question_set`, imported when first needed."""
    from leadlens.questionset.loading import load_question_set as load

    return load(ref)
