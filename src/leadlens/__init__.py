"""leadlens: a command-line diagnostic toolkit for systems leadership.

The public API: load and validate question sets, and the models of the question-set format
and of the results document. Everything else is internal. Names are imported on first use,
so that ``import leadlens.scoring`` (or the CLI's start-up) does not pay for the YAML loader.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from leadlens._version import __version__

_PUBLIC = {
    "Code": "leadlens.errors",
    "LeadlensError": "leadlens.errors",
    "Problem": "leadlens.errors",
    "QuestionSetError": "leadlens.errors",
    "ResponsesError": "leadlens.errors",
    "QuestionSet": "leadlens.questionset.model",
    "load_question_set": "leadlens.questionset.loading",
    "validate_file": "leadlens.questionset.loading",
    "Results": "leadlens.results.document",
}

__all__ = [
    "Code",
    "LeadlensError",
    "Problem",
    "QuestionSet",
    "QuestionSetError",
    "ResponsesError",
    "Results",
    "__version__",
    "load_question_set",
    "validate_file",
]

if TYPE_CHECKING:
    from leadlens.errors import Code, LeadlensError, Problem, QuestionSetError, ResponsesError
    from leadlens.questionset.loading import load_question_set, validate_file
    from leadlens.questionset.model import QuestionSet
    from leadlens.results.document import Results


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        return getattr(importlib.import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'leadlens' has no attribute {name!r}")
