"""leadlens: a command-line diagnostic toolkit for systems leadership.

The public API: score responses (files or DataFrames) as ``leadlens score`` does, read saved
results and render reports; load and validate question sets; the models of the question-set
format and of the results document. Everything else is internal (docs/api.md). Names are
imported on first use, so that ``import leadlens`` (and the CLI's start-up) pays neither for
the YAML loader nor for numpy and polars.
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
    "UsageError": "leadlens.errors",
    "score": "leadlens.analysis.scoring",
    "load_results": "leadlens.analysis.reports",
    "render_report": "leadlens.analysis.reports",
    "compare": "leadlens.analysis.waves",
    "compare_waves": "leadlens.analysis.waves",
    "trend": "leadlens.analysis.waves",
}

__all__ = [
    "Code",
    "LeadlensError",
    "Problem",
    "QuestionSet",
    "QuestionSetError",
    "ResponsesError",
    "Results",
    "UsageError",
    "__version__",
    "compare",
    "compare_waves",
    "load_question_set",
    "load_results",
    "render_report",
    "score",
    "trend",
    "validate_file",
]

if TYPE_CHECKING:
    from leadlens.analysis.reports import load_results, render_report
    from leadlens.analysis.scoring import score
    from leadlens.analysis.waves import compare, compare_waves, trend
    from leadlens.errors import (
        Code,
        LeadlensError,
        Problem,
        QuestionSetError,
        ResponsesError,
        UsageError,
    )
    from leadlens.questionset.loading import load_question_set, validate_file
    from leadlens.questionset.model import QuestionSet
    from leadlens.results.document import Results


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        return getattr(importlib.import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'leadlens' has no attribute {name!r}")
